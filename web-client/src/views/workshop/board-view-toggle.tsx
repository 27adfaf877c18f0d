// "Chat / Wand": two buttons that say how this device shows the board (ui/board-view.ts).
import { t, useLang } from '../../i18n';
import type { BoardView } from '../../ui/board-view';

export function BoardViewToggle({ view, onChange }: { view: BoardView; onChange: (view: BoardView) => void }) {
  useLang();
  return (
    <div class="board-view" role="group" aria-label={t('chat.viewLabel')} data-testid="board-view">
      {(['chat', 'wall'] as const).map((option) => (
        <button
          key={option}
          type="button"
          class={`button board-view__option${view === option ? ' board-view__option--on' : ''}`}
          aria-pressed={view === option ? 'true' : 'false'}
          data-testid={`board-view-${option}`}
          onClick={() => onChange(option)}
        >
          {option === 'chat' ? t('chat.viewChat') : t('chat.viewWall')}
        </button>
      ))}
    </div>
  );
}
