// The guided visualisation in the phase: tips before it starts, then which question is being
// read and whether it is quiet now. The facilitator starts it and chooses the question-asker;
// the asker (and the facilitator) open the reading screen.
import { useId, useState } from 'preact/hooks';
import { loc, t, useLang } from '../../i18n';
import { steers } from '../../net/control';
import type { VisualisationActivity } from '../../net/workshop-types';
import { onLinkClick } from '../../router';
import { useSessionContext, useWorkshop } from '../../ui/session-context';
import { busyAttrs, useCommand } from '../../ui/use-command';
import { SilenceIndicator } from './silence';

export function VisualisationPanel({ activity }: { activity: VisualisationActivity }) {
  useLang();
  const { conn, welcome, sessionId } = useSessionContext();
  const state = useWorkshop();
  const vis = state.visualisation?.activity_id === activity.id ? state.visualisation : null;
  const lead = steers(welcome.role);
  const { run, busy, error } = useCommand();
  const headingId = `activity-${activity.id}`;
  const asker = vis?.asker_id ? state.participants.find((p) => p.id === vis.asker_id) : null;
  const iAsk = vis !== null && (vis.asker_id === welcome.participant_id || (lead && !vis.asker_id));
  const question = vis ? activity.questions[vis.question_index] : undefined;
  return (
    <section class="card visualisation" aria-labelledby={headingId} data-testid="visualisation">
      <h2 id={headingId}>{loc(activity.title)}</h2>
      {activity.intro && <p>{loc(activity.intro)}</p>}
      {!vis && activity.tips && activity.tips.length > 0 && (
        <>
          <h3>{t('vis.tips')}</h3>
          <ul class="tips">
            {activity.tips.map((tip, i) => (
              <li key={i}>{loc(tip)}</li>
            ))}
          </ul>
        </>
      )}
      {vis ? (
        <div class="vis-now">
          <p class="vis-now__who">{asker ? (asker.id === welcome.participant_id ? t('facil.askerYou') : t('vis.askerIs', { name: asker.name })) : t('vis.askerLead')}</p>
          <p class="vis-now__count" data-testid="vis-question-number">
            {t('vis.questionOf', { n: vis.question_index + 1, count: vis.question_count })}
          </p>
          {question && <p class="vis-now__question">{loc(question)}</p>}
          <SilenceIndicator silence={vis.silence} serverClock={conn.clock} />
          {iAsk && (
            <p>
              <a class="button button--primary" href={`/s/${sessionId}/asker`} onClick={onLinkClick}>
                {t('vis.openAsker')}
              </a>
            </p>
          )}
          {lead && (
            <button type="button" class="button button--quiet" {...busyAttrs(busy)} onClick={() => run({ type: 'visualisation_stop' }, t('vis.stopped'))}>
              {t('vis.stop')}
            </button>
          )}
        </div>
      ) : (
        <p class="muted" data-testid="vis-idle">
          {t(lead ? 'vis.idleLead' : 'vis.idle')}
        </p>
      )}
      {lead && !vis && <StartForm activity={activity} run={run} busy={busy} />}
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function StartForm({
  activity,
  run,
  busy,
}: {
  activity: VisualisationActivity;
  run: ReturnType<typeof useCommand>['run'];
  busy: boolean;
}) {
  const { welcome } = useSessionContext();
  const state = useWorkshop();
  const id = useId();
  const [asker, setAsker] = useState(welcome.participant_id);
  const choices = state.participants.filter((p) => p.role !== 'display');
  async function submit(event: Event) {
    event.preventDefault();
    await run({ type: 'visualisation_start', activity_id: activity.id, asker_id: asker || undefined }, t('vis.started'));
  }
  return (
    <form class="form" onSubmit={submit}>
      <div class="field">
        <label for={`${id}-asker`}>{t('vis.chooseAsker')}</label>
        <select id={`${id}-asker`} class="input" value={asker} onChange={(e) => setAsker(e.currentTarget.value)}>
          {choices.map((p) => (
            <option key={p.id} value={p.id}>
              {p.id === welcome.participant_id ? t('vis.me', { name: p.name }) : p.name}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="button button--primary" {...busyAttrs(busy)}>
        {t('vis.start')}
      </button>
    </form>
  );
}
