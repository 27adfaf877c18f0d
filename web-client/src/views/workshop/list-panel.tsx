// A list filled in together (programmes, Zomergasten fragments, materials): one card per row,
// one field per column. A column with options is a choice, stored as a plain value (the last
// choice wins, which is what a choice means); the others are co-edited texts.
import { useId } from 'preact/hooks';
import type * as Y from 'yjs';
import { loc, t, useLang } from '../../i18n';
import type { Column, ListActivity } from '../../net/workshop-types';
import { arrayAt, LISTS, pushRow, ROW_ID, rowsOf, textAt } from '../../state/doc-schema';
import { useYVersion } from '../../ui/hooks';
import { announce } from '../../ui/live-region';
import { useSessionContext } from '../../ui/session-context';
import { usePendingRemovals } from '../../ui/undo';
import { RemoveRowButton, visibleRows } from './remove-row';
import { SharedText } from './shared-text';

export function ListPanel({ activity }: { activity: ListActivity }) {
  useLang();
  const { conn } = useSessionContext();
  const lists = conn.doc.getMap<unknown>(LISTS);
  useYVersion(lists);
  const array = arrayAt(lists, activity.id);
  useYVersion(array);
  const removals = usePendingRemovals();
  const rows = visibleRows(rowsOf(array), removals, (row) => String(row.get(ROW_ID)));
  const textColumns = activity.columns.filter((c) => !c.options?.length).map((c) => c.id);
  const choiceColumns = activity.columns.filter((c) => c.options?.length).map((c) => c.id);
  function add() {
    if (!array) return;
    pushRow(array, textColumns, Object.fromEntries(choiceColumns.map((c) => [c, ''])));
    announce(t('rows.added', { n: rows.length + 1 }));
  }
  const headingId = `activity-${activity.id}`;
  return (
    <section class="card" aria-labelledby={headingId} data-testid={`list-${activity.id}`}>
      <h2 id={headingId}>{loc(activity.title)}</h2>
      {activity.intro && <p>{loc(activity.intro)}</p>}
      {rows.length === 0 && <p class="muted">{t('rows.none')}</p>}
      <ol class="plain-list rows">
        {rows.map((row, i) => (
          <ListRow key={String(row.get(ROW_ID) ?? i)} row={row} n={i + 1} activity={activity} array={array} />
        ))}
      </ol>
      <button type="button" class="button button--secondary" onClick={add} disabled={!array}>
        {t('rows.add')}
      </button>
    </section>
  );
}

function ListRow({ row, n, activity, array }: { row: Y.Map<unknown>; n: number; activity: ListActivity; array: Y.Array<unknown> | null }) {
  useYVersion(row);
  const rowId = String(row.get(ROW_ID) ?? n);
  const suffix = t('rows.number', { n });
  return (
    <li class="row-card">
      <p class="row-card__title" aria-hidden="true">
        {suffix}
      </p>
      <div class="row-card__fields">
        {activity.columns.map((column) =>
          column.options?.length ? (
            <ChoiceCell key={column.id} row={row} column={column} suffix={suffix} />
          ) : (
            <SharedText
              key={column.id}
              text={textAt(row, column.id)}
              field={`${activity.id}/${rowId}/${column.id}`}
              label={loc(column.label)}
              labelSuffix={suffix}
              help={loc(column.help)}
              multiline={false}
            />
          ),
        )}
      </div>
      <RemoveRowButton array={array} rowId={rowId} label={t('rows.remove')} what={suffix} />
    </li>
  );
}

function ChoiceCell({ row, column, suffix }: { row: Y.Map<unknown>; column: Column; suffix: string }) {
  const id = useId();
  const raw = row.get(column.id);
  // Stored as the option's Dutch text, so the export reads the same in every language.
  const value = typeof raw === 'string' ? raw : raw instanceof Object ? String(raw) : '';
  return (
    <div class="shared-text">
      <label for={id} class="shared-text__label">
        {loc(column.label)}
        <span class="sr-only"> ({suffix})</span>
      </label>
      <select id={id} class="input" value={value} onChange={(e) => row.set(column.id, e.currentTarget.value)}>
        <option value="">{t('rows.choose')}</option>
        {column.options?.map((option) => (
          <option key={option.nl} value={option.nl}>
            {loc(option)}
          </option>
        ))}
      </select>
    </div>
  );
}
