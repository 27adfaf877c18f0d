// "Ik ben klaar": a participant says they are done with the current stage or assignment, and
// can take it back. The server keeps it (another device of the same person sees it too) and
// empties it when the stage, round or phase changes.
import { t, useLang } from '../../i18n';
import { isReady } from '../../state/ready';
import { useSessionContext, useWorkshop } from '../../ui/session-context';
import { busyAttrs, useCommand } from '../../ui/use-command';
import { ReadyCount } from './ready-count';

export function ReadyToggle() {
  useLang();
  const { welcome } = useSessionContext();
  const state = useWorkshop();
  const { run, busy, error } = useCommand();
  if (welcome.role !== 'participant') return null;
  const ready = isReady(state, welcome.participant_id);
  return (
    <div class={`ready-toggle${ready ? ' ready-toggle--on' : ''}`} data-testid="ready-toggle">
      <button
        type="button"
        class={`button ${ready ? 'button--primary' : 'button--secondary'} ready-toggle__button`}
        aria-pressed={ready ? 'true' : 'false'}
        {...busyAttrs(busy)}
        data-testid="ready-button"
        onClick={() => run({ type: 'set_ready', ready: !ready }, ready ? t('ready.undone') : t('ready.done'))}
      >
        <span aria-hidden="true">{ready ? '✓ ' : ''}</span>
        {t('ready.button')}
      </button>
      <p class="hint ready-toggle__hint">{ready ? t('ready.hintOn') : t('ready.hintOff')}</p>
      <ReadyCount />
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
