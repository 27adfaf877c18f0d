// The communication plan on paper: one table, a row per group of colleagues.
import { loc, t, useLang } from '../../i18n';
import type { PlanActivity } from '../../net/workshop-types';
import type { TableData } from '../../state/doc-read';
import { PrintTable } from './print-table';

export function PrintPlan({ activity, data, level = 2 }: { activity: PlanActivity; data: TableData; level?: 2 | 3 }) {
  useLang();
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <section class="print-plan" data-testid="print-plan">
      <Heading>{loc(activity.title)}</Heading>
      {activity.intro && <p class="print-intro">{loc(activity.intro)}</p>}
      <PrintTable data={data} emptyRows={data.rows.length === 0 ? 4 : 1} caption={t('print.planCaption')} />
    </section>
  );
}
