// "3 van 5 klaar": how many participants said they are done with the current stage or
// assignment. Self-contained (it reads the session itself), so the facilitator's page and the
// projector place it as it is. Not a live region: the number changes often, and the
// facilitator's page decides what to announce.
import { t, useLang } from '../../i18n';
import { readyCount } from '../../state/ready';
import { useWorkshop } from '../../ui/session-context';

export function ReadyCount({ large = false }: { large?: boolean }) {
  useLang();
  const state = useWorkshop();
  const { ready, of } = readyCount(state);
  const all = of > 0 && ready === of;
  return (
    <p
      class={`ready-count${large ? ' ready-count--large' : ''}${all ? ' ready-count--all' : ''}`}
      data-testid="ready-count"
      data-ready={ready}
      data-of={of}
    >
      {all && (
        <span class="ready-count__mark" aria-hidden="true">
          ✓{' '}
        </span>
      )}
      {t('ready.count', { n: ready, of })}
    </p>
  );
}
