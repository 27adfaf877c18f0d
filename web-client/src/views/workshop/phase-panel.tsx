// The current phase: where we are in the route, what it is about, what to do and what it
// yields ("opbrengst"), then its activities. Follows the facilitator's phase changes live.
import { loc, t, useLang } from '../../i18n';
import { currentPhase } from '../../state/template';
import { useWorkshop } from '../../ui/session-context';
import { ActivityView } from './activity-view';

/** A title as a sentence: a full stop only when it has no closing mark yet ("Wat?" not "Wat?."). */
function sentence(text: string): string {
  return /[.?!:…]$/.test(text.trim()) ? text : `${text}.`;
}

function wideScreen(): boolean {
  return typeof matchMedia === 'function' ? matchMedia('(min-width: 48rem)').matches : true;
}

export function PhasePanel() {
  useLang();
  const state = useWorkshop();
  const phase = currentPhase(state);
  if (!phase) return null;
  const headingId = `phase-${phase.id}`;
  return (
    <>
      <section class="card phase" aria-labelledby={headingId} data-testid="phase" data-phase-id={phase.id}>
        <p class="phase__step">{t('phase.step', { n: state.phase.index + 1, count: state.phase.count })}</p>
        {/* Where focus goes when a phase change takes away the field someone was in. */}
        <h2 id={headingId} class="phase__title" tabIndex={-1} data-focus-home>
          {loc(phase.title)}
        </h2>
        <p class="phase__text">{loc(phase.text)}</p>
        {phase.assignments.length > 0 && (
          // Open on a wide screen; on a phone folded, so the work itself is near the top.
          <details class="assignments-box" open={wideScreen()}>
            <summary>
              <h3 class="assignments-box__title">{t('phase.assignments')}</h3>
            </summary>
            <ol class="assignments">
              {phase.assignments.map((assignment, i) => (
                <li key={i}>
                  <strong>{sentence(loc(assignment.title))}</strong> {loc(assignment.instruction)}
                </li>
              ))}
            </ol>
          </details>
        )}
        <p class="phase__result">
          <strong>{t('phase.result')}</strong> {loc(phase.result)}
        </p>
      </section>
      {phase.activities.map((activity) => (
        <ActivityView key={activity.id} activity={activity} />
      ))}
    </>
  );
}
