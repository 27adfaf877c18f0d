// Removing a row of a list, a plan or a format's actions: the row disappears at once, and is
// deleted from the shared document only after the few seconds of "ongedaan maken"
// (`ui/undo.ts`). Until then nobody else sees anything change.
import type * as Y from 'yjs';
import { t, useLang } from '../../i18n';
import { removeRow } from '../../state/doc-schema';
import { announce } from '../../ui/live-region';
import { isPendingRemoval, type PendingRemoval, scheduleRemoval } from '../../ui/undo';

export const rowKey = (rowId: string) => `row:${rowId}`;

/** The rows not waiting to be removed. */
export function visibleRows(rows: Array<Y.Map<unknown>>, removals: PendingRemoval[], idOf: (row: Y.Map<unknown>) => string) {
  return rows.filter((row) => !isPendingRemoval(removals, rowKey(idOf(row))));
}

interface Props {
  array: Y.Array<unknown> | null;
  rowId: string;
  /** The button's text, e.g. "Regel verwijderen". */
  label: string;
  /** What the undo bar calls it, e.g. "Regel 2". */
  what: string;
}

export function RemoveRowButton({ array, rowId, label, what }: Props) {
  useLang();
  if (!array) return null;
  return (
    <button
      type="button"
      class="button button--quiet row-card__remove"
      aria-label={`${label} (${what})`}
      data-testid="remove-row"
      onClick={() => {
        scheduleRemoval(rowKey(rowId), what, () => {
          array.doc?.transact(() => removeRow(array, rowId));
        });
        announce(t('undo.removed', { what }));
      }}
    >
      {label}
    </button>
  );
}
