// A phase with nothing live to show yet: what it is about and what it yields.
import { loc, t, useLang } from '../../i18n';
import { currentPhase } from '../../state/template';
import { useWorkshop } from '../../ui/session-context';

export function PhaseIntro() {
  useLang();
  const state = useWorkshop();
  const phase = currentPhase(state);
  return (
    <section class="display-view display-view--intro" aria-label={t('display.now')} data-testid="display-intro">
      <p class="display__text">{loc(phase?.text)}</p>
      <p class="display__result">
        <strong>{t('phase.result')}</strong> {loc(phase?.result)}
      </p>
    </section>
  );
}
