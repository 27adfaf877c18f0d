// /s/ID/display: the projector in the room. Read-only, very large type, high contrast: the
// phase, the clock with the stage and whose turn it is, the join code with a QR code, and the
// post-its as they come in. No cursors, no fields, nothing to click.
import { useEffect, useMemo } from 'preact/hooks';
import { loc, t, tCount, useLang } from '../i18n';
import { type Identity, resolveIdentity } from '../state/identity';
import { formatJoinCode } from '../state/join-code';
import { carouselNow, currentPhase, findActivity } from '../state/template';
import { SessionContext, useSessionContext, useWorkshop } from '../ui/session-context';
import { useWorkshopSession } from '../ui/use-workshop-session';
import { ConnectionBanner } from './connection-banner';
import { Layout } from './layout';
import { QrCode } from './qr-code';
import { NoSeatMessage, StoppedMessage } from './stopped';
import { whoText } from './workshop/carousel-words';
import { Countdown } from './workshop/countdown';
import { SilenceIndicator } from './workshop/silence';

/** Post-its on the wall at once: the newest ones. */
const WALL_SIZE = 12;

export function DisplayPage({ id }: { id: string }) {
  useLang();
  const identity = useMemo(() => resolveIdentity(id, 'display'), [id]);
  if (!identity) {
    return (
      <Layout title={t('noSeat.title')}>
        <NoSeatMessage />
      </Layout>
    );
  }
  return <ConnectedDisplay id={id} identity={identity} />;
}

/** Keeps the projector's screen from going dark while the page is visible. */
function useWakeLock() {
  useEffect(() => {
    const nav = navigator as Navigator & {
      wakeLock?: { request(type: 'screen'): Promise<{ release(): Promise<void> }> };
    };
    if (!nav.wakeLock) return;
    let lock: { release(): Promise<void> } | null = null;
    const request = () => {
      if (document.visibilityState !== 'visible') return;
      nav.wakeLock?.request('screen').then((l) => (lock = l), () => {});
    };
    request();
    document.addEventListener('visibilitychange', request);
    return () => {
      document.removeEventListener('visibilitychange', request);
      lock?.release().catch(() => {});
    };
  }, []);
}

function ConnectedDisplay({ id, identity }: { id: string; identity: Identity }) {
  useLang();
  useWakeLock();
  const { state, workshop, context } = useWorkshopSession(id, 'display', identity);
  const title = workshop?.title || identity.title || t('session.untitled');

  if (state.status === 'stopped' && state.stopReason) {
    return (
      <Layout title={t(`stopped.${state.stopReason}.title`)}>
        <StoppedMessage reason={state.stopReason} />
      </Layout>
    );
  }
  return (
    <Layout title={title} variant="display" banner={<ConnectionBanner state={state} />}>
      {context && workshop ? (
        <SessionContext.Provider value={context}>
          <DisplayBody />
        </SessionContext.Provider>
      ) : (
        <>
          <h1 class="display__title">{title}</h1>
          <p class="display__big muted">{t('session.connecting')}</p>
        </>
      )}
    </Layout>
  );
}

function DisplayBody() {
  useLang();
  const state = useWorkshop();
  const phase = currentPhase(state);
  const joinLink = `${location.origin}/join/${state.joinCode}`;
  const online = state.participants.filter((p) => p.online && p.role !== 'display').length;
  return (
    <>
      <header class="display__head">
        <h1 class="display__title">{state.title || t('session.untitled')}</h1>
        {phase && (
          <p class="display__phase" data-testid="display-phase">
            <span class="display__phase-step">{t('phase.step', { n: state.phase.index + 1, count: state.phase.count })}:</span>{' '}
            {loc(phase.title)}
          </p>
        )}
      </header>
      <div class="display-grid">
        <section class="display__now" aria-label={t('display.now')}>
          <NowPanel />
        </section>
        <section class="display__join" aria-labelledby="display-join">
          <h2 id="display-join" class="display__label">
            {t('display.joinWith')}
          </h2>
          <p class="display__code" data-testid="display-code">
            {formatJoinCode(state.joinCode)}
          </p>
          <QrCode value={joinLink} label={t('share.qrLabel', { link: joinLink })} class="display__qr" />
          <p class="display__host">{t('display.joinAt', { host: location.host })}</p>
          <p class="display__count">{tCount('people.count', online)}</p>
        </section>
      </div>
      <Wall />
    </>
  );
}

/** What happens now: the carousel's clock, the visualisation's silence, or the phase's aim. */
function NowPanel() {
  const { conn } = useSessionContext();
  const state = useWorkshop();
  const phase = currentPhase(state);
  const carousel = state.carousel;
  const vis = state.visualisation;
  if (carousel && carousel.current_round !== null) {
    const now = carouselNow(state.template, carousel);
    return (
      <div class="display-carousel" data-testid="display-carousel">
        <p class="display__topic">
          {now.round?.topic} <span class="display__owner">({t('carousel.ownerIs', { name: now.round?.owner_name ?? '' })})</span>
        </p>
        <Countdown clock={carousel.clock} serverClock={conn.clock} label={t('carousel.clockLabel')} size="huge" testId="carousel-clock" />
        {carousel.clock.status === 'done' ? (
          <p class="display__stage" data-testid="carousel-stage">
            {t('carousel.roundDone')}
          </p>
        ) : (
          now.stage && (
            <>
              <p class="display__stage" data-testid="carousel-stage" data-stage={now.stage.id}>
                {t('carousel.stageOf', { n: now.stageIndex + 1, count: now.stageCount })}: {loc(now.stage.label)}
              </p>
              <p class="display__who" data-testid="carousel-who">
                {whoText(now.stage.who, now.round?.owner_name ?? '')}
              </p>
              <p class="display__instruction">{loc(now.stage.instruction)}</p>
            </>
          )
        )}
      </div>
    );
  }
  if (vis) {
    const activity = findActivity(state.template, vis.activity_id, 'guided_visualisation');
    return (
      <div class="display-vis">
        <p class="display__stage">{t('vis.questionOf', { n: vis.question_index + 1, count: vis.question_count })}</p>
        <p class="display__question">{loc(activity?.questions[vis.question_index])}</p>
        <SilenceIndicator silence={vis.silence} serverClock={conn.clock} large />
      </div>
    );
  }
  return (
    <div class="display-phase">
      <p class="display__text">{loc(phase?.text)}</p>
      <p class="display__result">
        <strong>{t('phase.result')}</strong> {loc(phase?.result)}
      </p>
    </div>
  );
}

/** The newest post-its of the current board (this round's or this phase's), newest first. Text only: never markup. */
function Wall() {
  const state = useWorkshop();
  const ideas = state.ideas.filter((idea) => idea.board === state.board && !idea.hidden);
  const newest = ideas.slice(-WALL_SIZE).reverse();
  return (
    <section class="display__wall" aria-labelledby="wall-heading">
      <h2 id="wall-heading" class="display__label">
        {t('display.wall')} <span class="display__wall-count">({ideas.length})</span>
      </h2>
      {newest.length === 0 ? (
        <p class="display__big muted">{t('display.wallEmpty')}</p>
      ) : (
        <ul class="plain-list wall" data-testid="wall">
          {newest.map((idea) => (
            <li key={idea.id} class="wall__item">
              <p class="wall__text">{idea.text}</p>
              {idea.votes > 0 && <p class="wall__votes">{tCount('idea.votes', idea.votes)}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
