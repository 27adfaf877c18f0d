// Phase 2 on the projector: the programme overview filling up, every list of the phase as a
// table, rows appearing as people type them.
import { loc, t, useLang } from '../../i18n';
import type { ListActivity } from '../../net/workshop-types';
import { readList } from '../../state/doc-read';
import { useSessionContext } from '../../ui/session-context';
import { DataTable } from '../data-table';
import { FitBox } from './fit-box';
import { useDocVersion } from './use-doc-version';

export function ListsDisplay({ activities }: { activities: ListActivity[] }) {
  useLang();
  const { conn } = useSessionContext();
  const version = useDocVersion(conn.doc);
  const tables = activities.map((activity) => ({ activity, data: readList(conn.doc, activity) }));
  const count = tables.reduce((sum, x) => sum + x.data.rows.length, 0);
  return (
    <section class="display-view display-view--lists" aria-labelledby="display-lists" data-testid="display-lists">
      <h2 id="display-lists" class="display__label">
        {t('display.overview')}
      </h2>
      <FitBox count={count} signature={`${version}`}>
        {(shown) => {
          // The rows that fit are the first `shown` in reading order, across the tables.
          let left = shown;
          const take = (rows: number) => {
            const now = Math.min(rows, Math.max(0, left));
            left -= now;
            return now;
          };
          return (
            <div class="display-tables">
              {tables.map(({ activity, data }) => (
                <div key={activity.id} class="display-table">
                  <h3 class="display-table__title">{loc(activity.title)}</h3>
                  {data.rows.length === 0 ? (
                    <p class="muted">{t('display.noRows')}</p>
                  ) : (
                    <DataTable data={data} class="display-table__table" shown={take(data.rows.length)} fitItems />
                  )}
                </div>
              ))}
            </div>
          );
        }}
      </FitBox>
    </section>
  );
}
