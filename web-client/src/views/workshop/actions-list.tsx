// The actions of a connection format: each a row with what, who and the date. Rows are added
// at the end (two people adding at once both keep theirs) and every cell is co-edited.
import { useId } from 'preact/hooks';
import type * as Y from 'yjs';
import { loc, t, useLang } from '../../i18n';
import type { FormatBlock } from '../../net/workshop-types';
import { ACTION_DATE, ACTION_OWNER, ACTION_TEXT, pushRow, ROW_ID, rowsOf, textAt } from '../../state/doc-schema';
import { useYVersion } from '../../ui/hooks';
import { announce } from '../../ui/live-region';
import { useSessionContext } from '../../ui/session-context';
import { usePendingRemovals } from '../../ui/undo';
import { RemoveRowButton, visibleRows } from './remove-row';
import { SharedText } from './shared-text';

interface Props {
  array: Y.Array<unknown> | null;
  block: FormatBlock;
  fieldPrefix: string;
}

export function ActionsList({ array, block, fieldPrefix }: Props) {
  useLang();
  const { welcome } = useSessionContext();
  useYVersion(array);
  const id = useId();
  const removals = usePendingRemovals();
  const rows = visibleRows(rowsOf(array), removals, (row) => String(row.get(ROW_ID)));
  const canEdit = welcome.role !== 'display' && array !== null;
  function add() {
    if (!array) return;
    pushRow(array, [ACTION_TEXT, ACTION_OWNER], { [ACTION_DATE]: new Date().toISOString().slice(0, 10) });
    announce(t('actions.added', { n: rows.length + 1 }));
  }
  return (
    <section class="actions-block" aria-labelledby={`${id}-h`} data-testid="actions">
      <h4 id={`${id}-h`} class="shared-text__label">
        {loc(block.label)}
      </h4>
      {block.help && <p class="hint">{loc(block.help)}</p>}
      {rows.length === 0 && <p class="muted">{t('actions.none')}</p>}
      <ol class="plain-list rows">
        {rows.map((row, i) => (
          <ActionRow key={String(row.get(ROW_ID) ?? i)} row={row} n={i + 1} fieldPrefix={fieldPrefix} array={canEdit ? array : null} />
        ))}
      </ol>
      {canEdit && (
        <button type="button" class="button button--secondary" onClick={add}>
          {t('actions.add')}
        </button>
      )}
    </section>
  );
}

function ActionRow({ row, n, fieldPrefix, array }: { row: Y.Map<unknown>; n: number; fieldPrefix: string; array: Y.Array<unknown> | null }) {
  useYVersion(row);
  const id = useId();
  const rowId = String(row.get(ROW_ID) ?? n);
  const date = typeof row.get(ACTION_DATE) === 'string' ? (row.get(ACTION_DATE) as string) : '';
  const suffix = t('actions.number', { n });
  return (
    <li class="row-card" data-testid="action-row">
      <p class="row-card__title" aria-hidden="true">
        {suffix}
      </p>
      <div class="row-card__fields">
        <SharedText
          text={textAt(row, ACTION_TEXT)}
          field={`${fieldPrefix}/${rowId}/text`}
          label={t('actions.what')}
          labelSuffix={suffix}
          rows={2}
          class="row-card__wide"
        />
        <SharedText
          text={textAt(row, ACTION_OWNER)}
          field={`${fieldPrefix}/${rowId}/owner`}
          label={t('actions.who')}
          labelSuffix={suffix}
          multiline={false}
        />
        <div class="shared-text">
          <label for={`${id}-date`} class="shared-text__label">
            {t('actions.date')}
            <span class="sr-only"> ({suffix})</span>
          </label>
          <input
            id={`${id}-date`}
            type="date"
            class="input input--date"
            value={date}
            onChange={(e) => row.set(ACTION_DATE, e.currentTarget.value)}
          />
        </div>
      </div>
      <RemoveRowButton array={array} rowId={rowId} label={t('actions.remove')} what={suffix} />
    </li>
  );
}
