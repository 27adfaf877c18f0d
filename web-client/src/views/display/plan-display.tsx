// Phase 6 on the projector: the communication plan as a table, filling up live.
import { loc, t, useLang } from '../../i18n';
import type { PlanActivity } from '../../net/workshop-types';
import { readPlan } from '../../state/doc-read';
import { useSessionContext } from '../../ui/session-context';
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
          <table class="display-table__table display-table__table--plan">
            <thead>
              <tr>
                {data.columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.rows.slice(0, shown).map((row) => (
                <tr key={row.id} data-fit-item>
                  {row.cells.map((cell, i) => (
                    <td key={i}>{cell}</td>
                  ))}
                </tr>
              ))}
              {data.rows.length === 0 && (
                <tr>
                  <td colSpan={data.columns.length} class="muted">
                    {t('display.noRows')}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        )}
      </FitBox>
    </section>
  );
}
