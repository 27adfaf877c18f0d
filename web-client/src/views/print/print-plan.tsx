// The communication plan on paper: one table, a row per group of colleagues.
import { loc, t, useLang } from '../../i18n';
import type { PlanActivity } from '../../net/workshop-types';
import type { TableData } from '../../state/doc-read';
import { PrintTable } from './print-table';

interface Props {
  activity: PlanActivity;
  data: TableData;
  level?: 2 | 3;
  /** The page's own title already says it: the heading is for screen readers only. */
  quietTitle?: boolean;
}

export function PrintPlan({ activity, data, level = 2, quietTitle = false }: Props) {
  useLang();
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <section class="print-plan" data-testid="print-plan">
      <Heading class={quietTitle ? 'sr-only' : undefined}>{loc(activity.title)}</Heading>
      {activity.intro && <p class="print-intro">{loc(activity.intro)}</p>}
      {/* On its own page, lines to write more on; in the results, only what was written. */}
      <PrintTable data={data} emptyRows={level === 3 ? 0 : data.rows.length === 0 ? 4 : 1} caption={t('print.planCaption')} />
    </section>
  );
}
