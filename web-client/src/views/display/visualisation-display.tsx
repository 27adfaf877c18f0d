// The guided visualisation on the projector: the question read aloud, very large, and the
// silence after it.
import { loc, t, useLang } from '../../i18n';
import { findActivity } from '../../state/template';
import { useSessionContext, useWorkshop } from '../../ui/session-context';
import { SilenceIndicator } from '../workshop/silence';

export function VisualisationDisplay() {
  useLang();
  const { conn } = useSessionContext();
  const state = useWorkshop();
  const vis = state.visualisation;
  if (!vis) return null;
  const activity = findActivity(state.template, vis.activity_id, 'guided_visualisation');
  const paused = vis.silence.status === 'paused';
  return (
    <section class="display-view display-view--vis" aria-label={t('display.now')} data-testid="display-vis">
      <p class="display__stage">{t('vis.questionOf', { n: vis.question_index + 1, count: vis.question_count })}</p>
      <p class="display-vis__question" data-testid="display-question">
        {loc(activity?.questions[vis.question_index])}
      </p>
      {paused && (
        <p class="display-clock__paused" data-testid="display-paused">
          {t('display.paused')}
        </p>
      )}
      <div class={paused ? 'display-clock--paused' : undefined}>
        <SilenceIndicator silence={vis.silence} serverClock={conn.clock} large />
      </div>
    </section>
  );
}
