// The communication plan: one row per group of colleagues, three fixed columns (who, what
// matters to them, how and when).
import type * as Y from 'yjs';
import { loc, t, useLang } from '../../i18n';
import type { PlanActivity } from '../../net/workshop-types';
import { arrayAt, PLAN_COLUMNS, PLANS, pushRow, ROW_ID, rowsOf, textAt } from '../../state/doc-schema';
import { useYVersion } from '../../ui/hooks';
import { announce } from '../../ui/live-region';
import { useSessionContext } from '../../ui/session-context';
import { usePendingRemovals } from '../../ui/undo';
import { PrintLinks } from '../print/print-links';
import { RemoveRowButton, visibleRows } from './remove-row';
import { SharedText } from './shared-text';

export function PlanPanel({ activity }: { activity: PlanActivity }) {
  useLang();
  const { conn } = useSessionContext();
  const plans = conn.doc.getMap<unknown>(PLANS);
  useYVersion(plans);
  const array = arrayAt(plans, activity.id);
  useYVersion(array);
  const removals = usePendingRemovals();
  const rows = visibleRows(rowsOf(array), removals, (row) => String(row.get(ROW_ID)));
  function add() {
    if (!array) return;
    pushRow(array, PLAN_COLUMNS);
    announce(t('rows.added', { n: rows.length + 1 }));
  }
  const headingId = `activity-${activity.id}`;
  return (
    <section class="card" aria-labelledby={headingId} data-testid="plan">
      <h2 id={headingId}>{loc(activity.title)}</h2>
      {activity.intro && <p>{loc(activity.intro)}</p>}
      {rows.length === 0 && <p class="muted">{t('rows.none')}</p>}
      <ol class="plain-list rows">
        {rows.map((row, i) => (
          <PlanRow key={String(row.get(ROW_ID) ?? i)} row={row} n={i + 1} activity={activity} array={array} />
        ))}
      </ol>
      <button type="button" class="button button--secondary" onClick={add} disabled={!array}>
        {t('rows.add')}
      </button>
      <PrintLinks only={['plan']} name={t('print.linksPlan')} />
    </section>
  );
}

function PlanRow({ row, n, activity, array }: { row: Y.Map<unknown>; n: number; activity: PlanActivity; array: Y.Array<unknown> | null }) {
  const rowId = String(row.get(ROW_ID) ?? n);
  const suffix = t('rows.number', { n });
  return (
    <li class="row-card">
      <p class="row-card__title" aria-hidden="true">
        {suffix}
      </p>
      <div class="row-card__fields row-card__fields--three">
        {PLAN_COLUMNS.map((column) => (
          <SharedText
            key={column}
            text={textAt(row, column)}
            field={`${activity.id}/${rowId}/${column}`}
            label={loc(activity[column].label)}
            labelSuffix={suffix}
            help={loc(activity[column].help)}
            rows={3}
          />
        ))}
      </div>
      <RemoveRowButton array={array} rowId={rowId} label={t('rows.remove')} what={suffix} />
    </li>
  );
}
