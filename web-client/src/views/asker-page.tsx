// /s/ID/asker: the question-asker's screen for the guided visualisation. One question at a
// time in large type; "klaar met lezen" starts the silence (the template's seconds, on the
// server's clock); the next question only after the silence, as the method asks.
import { useMemo } from 'preact/hooks';
import { loc, t, useLang } from '../i18n';
import { steers } from '../net/control';
import { type Identity, resolveIdentity } from '../state/identity';
import { findActivity } from '../state/template';
import { useFocusKeeper } from '../ui/focus-keeper';
import { useFocusHeadingOnMount } from '../ui/hooks';
import { SessionContext, useSessionContext, useWorkshop } from '../ui/session-context';
import { useCommand } from '../ui/use-command';
import { useWorkshopSession } from '../ui/use-workshop-session';
import { onLinkClick } from '../router';
import { ConnectionBanner } from './connection-banner';
import { Layout } from './layout';
import { NoSeatPage, StoppedMessage } from './stopped';
import { SilenceIndicator } from './workshop/silence';
import { useWorkshopAnnouncements } from './workshop/use-announcements';

export function AskerPage({ id }: { id: string }) {
  useLang();
  const identity = useMemo(() => resolveIdentity(id, 'member'), [id]);
  if (!identity) return <NoSeatPage />;
  return <ConnectedAsker id={id} identity={identity} />;
}

function ConnectedAsker({ id, identity }: { id: string; identity: Identity }) {
  useLang();
  const { state, workshop, context } = useWorkshopSession(id, 'member', identity);
  if (state.status === 'stopped' && state.stopReason) {
    return (
      <Layout title={t(`stopped.${state.stopReason}.title`)}>
        <StoppedMessage reason={state.stopReason} />
      </Layout>
    );
  }
  return (
    <Layout title={t('asker.title')} variant="asker" banner={<ConnectionBanner state={state} />}>
      {context && workshop ? (
        <SessionContext.Provider value={context}>
          <AskerBody />
        </SessionContext.Provider>
      ) : (
        <>
          <h1 class="page-title">{t('asker.title')}</h1>
          <p class="lead muted" role="status">
            {t('session.connecting')}
          </p>
        </>
      )}
    </Layout>
  );
}

function AskerBody() {
  useLang();
  const { conn, welcome, sessionId } = useSessionContext();
  const state = useWorkshop();
  const heading = useFocusHeadingOnMount();
  useFocusKeeper();
  const { run, busy, error } = useCommand();
  useWorkshopAnnouncements();
  const vis = state.visualisation;
  const activity = vis ? findActivity(state.template, vis.activity_id, 'guided_visualisation') : null;
  const allowed = vis !== null && (vis.asker_id === welcome.participant_id || steers(welcome.role));
  const back = (
    <p>
      <a href={`/s/${sessionId}`} onClick={onLinkClick}>
        {t('asker.back')}
      </a>
    </p>
  );
  if (!vis || !activity || !allowed) {
    return (
      <>
        <h1 ref={heading} tabIndex={-1} class="page-title">
          {t('asker.title')}
        </h1>
        <p class="lead">{!vis ? t('asker.notStarted') : t('asker.notYou')}</p>
        {back}
      </>
    );
  }
  const question = activity.questions[vis.question_index];
  const last = vis.question_index + 1 >= vis.question_count;
  const silence = vis.silence.status;
  return (
    <div class="asker" data-testid="asker">
      <p class="asker__count">
        {t('vis.questionOf', { n: vis.question_index + 1, count: vis.question_count })}
      </p>
      <h1 ref={heading} tabIndex={-1} class="asker__question" data-testid="asker-question">
        {loc(question)}
      </h1>
      <SilenceIndicator silence={vis.silence} serverClock={conn.clock} large />
      <p class="asker__hint">{silence === 'idle' ? t('asker.hintRead', { s: activity.silence_seconds }) : silence === 'running' ? t('asker.hintQuiet') : last ? t('asker.hintLast') : t('asker.hintNext')}</p>
      <div class="button-row asker__buttons">
        {/* aria-disabled, not disabled: the button just pressed keeps focus (ui/use-command.ts). */}
        <button
          type="button"
          class="button button--secondary"
          aria-disabled={busy || vis.question_index === 0 ? 'true' : undefined}
          onClick={() => vis.question_index > 0 && run({ type: 'visualisation_previous' })}
        >
          {t('asker.previous')}
        </button>
        <button
          type="button"
          class="button button--primary button--big"
          aria-disabled={busy || silence !== 'idle' ? 'true' : undefined}
          onClick={() => silence === 'idle' && run({ type: 'visualisation_read_done' })}
        >
          {t('asker.readDone')}
        </button>
        <button
          type="button"
          class="button button--primary button--big"
          aria-disabled={busy || silence !== 'done' || last ? 'true' : undefined}
          onClick={() => silence === 'done' && !last && run({ type: 'visualisation_next' })}
        >
          {t('asker.next')}
        </button>
      </div>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
      {back}
    </div>
  );
}
