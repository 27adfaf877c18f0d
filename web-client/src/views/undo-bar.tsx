// What was just removed, each with "ongedaan maken" for a few seconds (`ui/undo.ts`). Fixed at
// the bottom of the screen, so it stays in reach on a phone.
import { t, useLang } from '../i18n';
import { undoRemoval, usePendingRemovals } from '../ui/undo';

export function UndoBar() {
  useLang();
  const removals = usePendingRemovals();
  return (
    <div class="undo-bar" role="status" data-testid="undo-bar">
      {removals.map((removal) => (
        <p key={removal.key} class="undo-bar__item">
          <span>{t('undo.removed', { what: removal.label })}</span>{' '}
          <button type="button" class="button button--secondary" onClick={() => undoRemoval(removal.key)}>
            {t('undo.undo')}
          </button>
        </p>
      ))}
    </div>
  );
}
