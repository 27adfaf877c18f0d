// Phase 6 on the projector: the communication plan as a table, filling up live.
import { loc, t, useLang } from '../../i18n';
import type { PlanActivity } from '../../net/workshop-types';
import { readPlan } from '../../state/doc-read';
import { useSessionContext } from '../../ui/session-context';
import { DataTable } from '../data-table';
import { FitBox } from './fit-box';
import { useDocVersion } from './use-doc-version';

export function PlanDisplay({ activity }: { activity: PlanActivity }) {
  useLang();
  const { conn } = useSessionContext();
  const version = useDocVersion(conn.doc);
  const data = readPlan(conn.doc, activity);
  return (
    <section class="display-view display-view--plan" aria-labelledby="display-plan" data-testid="display-plan">
      <h2 id="display-plan" class="display__label">
        {loc(activity.title)}
      </h2>
      <FitBox count={data.rows.length} signature={`${version}`}>
        {(shown) => (
          <DataTable data={data} class="display-table__table display-table__table--plan" shown={shown} fitItems emptyText={t('display.noRows')} />
        )}
      </FitBox>
    </section>
  );
}
