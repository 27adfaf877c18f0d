// Phase 2 on the projector: the programme overview filling up, every list of the phase as a
// table, rows appearing as people type them.
import { loc, t, useLang } from '../../i18n';
import type { ListActivity } from '../../net/workshop-types';
import { readList } from '../../state/doc-read';
import { useSessionContext } from '../../ui/session-context';
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
          let index = 0;
          return (
            <div class="display-tables">
              {tables.map(({ activity, data }) => (
                <div key={activity.id} class="display-table">
                  <h3 class="display-table__title">{loc(activity.title)}</h3>
                  {data.rows.length === 0 ? (
                    <p class="muted">{t('display.noRows')}</p>
                  ) : (
                    <table class="display-table__table">
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
                        {data.rows.map((row) =>
                          index++ < shown ? (
                            <tr key={row.id} data-fit-item>
                              {row.cells.map((cell, i) => (
                                <td key={i}>{cell}</td>
                              ))}
                            </tr>
                          ) : null,
                        )}
                      </tbody>
                    </table>
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
