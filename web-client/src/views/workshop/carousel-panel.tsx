// The brainstorm carousel as everyone sees it: a large clock, the stage, whose turn it is and
// what to do now; the owner's next step in the last stage. The facilitator's controls are in
// the controls column of the page (`facilitator/carousel-controls.tsx`).
import { loc, t, useLang } from '../../i18n';
import { steers } from '../../net/control';
import type { CarouselActivity, CarouselView } from '../../net/workshop-types';
import { carouselNow } from '../../state/template';
import { useSessionContext, useWorkshop } from '../../ui/session-context';
import { whoText } from './carousel-words';
import { Countdown } from './countdown';
import { NextStepForm } from './next-step-form';

export function CarouselPanel({ activity }: { activity: CarouselActivity }) {
  useLang();
  const { welcome } = useSessionContext();
  const state = useWorkshop();
  const carousel = state.carousel?.activity_id === activity.id ? state.carousel : null;
  const lead = steers(welcome.role);
  const headingId = `activity-${activity.id}`;
  return (
    <section class="card carousel" aria-labelledby={headingId} data-testid="carousel">
      <h2 id={headingId}>{loc(activity.title)}</h2>
      {activity.intro && <p>{loc(activity.intro)}</p>}
      {carousel && carousel.current_round !== null ? (
        <CarouselNowView carousel={carousel} />
      ) : (
        <p class="carousel__idle" data-testid="carousel-idle">
          {t(lead ? 'carousel.idleLead' : 'carousel.idle')}
        </p>
      )}
      <StageList activity={activity} carousel={carousel} />
      {carousel && carousel.rounds.length > 0 && <RoundsOverview carousel={carousel} />}
    </section>
  );
}

function CarouselNowView({ carousel }: { carousel: CarouselView }) {
  const { conn, welcome } = useSessionContext();
  const state = useWorkshop();
  const now = carouselNow(state.template, carousel);
  if (!now.round) return null;
  const done = carousel.clock.status === 'done';
  const mine = now.round.owner_id === welcome.participant_id;
  const myTurn = now.stage && (now.stage.who === 'everyone' || (now.stage.who === 'owner') === mine);
  const last = now.stageIndex === now.stageCount - 1;
  const roundNo = (carousel.current_round ?? 0) + 1;
  return (
    <div class="carousel-now" data-testid="carousel-now">
      <p class="carousel__topic">
        {t('carousel.round', { n: roundNo })}: <strong>{now.round.topic}</strong>
        <br />
        <span class="muted">{t('carousel.ownerIs', { name: now.round.owner_name })}</span>
      </p>
      <Countdown
        clock={carousel.clock}
        serverClock={conn.clock}
        label={t('carousel.clockLabel')}
        size="huge"
        testId="carousel-clock"
      />
      {done ? (
        <p class="carousel__stage" data-testid="carousel-stage">
          {t('carousel.roundDone')}
        </p>
      ) : (
        now.stage && (
          <>
            <p class="carousel__stage" data-testid="carousel-stage" data-stage={now.stage.id}>
              {t('carousel.stageOf', { n: now.stageIndex + 1, count: now.stageCount })}:{' '}
              <strong>{loc(now.stage.label)}</strong>
            </p>
            <p class={`carousel__who${myTurn ? ' carousel__who--me' : ''}`} data-testid="carousel-who">
              {whoText(now.stage.who, now.round.owner_name)}
              {myTurn && <> {t('carousel.thatsYou')}</>}
            </p>
            <p class="carousel__instruction">{loc(now.stage.instruction)}</p>
          </>
        )
      )}
      {(last || done) && (mine || steers(welcome.role)) && <NextStepForm round={now.round} mine={mine} />}
    </div>
  );
}

function StageList({ activity, carousel }: { activity: CarouselActivity; carousel: CarouselView | null }) {
  const running = carousel && carousel.current_round !== null && carousel.clock.status !== 'done';
  return (
    <details class="stages">
      <summary>{t('carousel.allStages')}</summary>
      <ol class="stages__list">
        {activity.stages.map((stage, i) => (
          <li key={stage.id} aria-current={running && carousel.stage_index === i ? 'step' : undefined}>
            <strong>{loc(stage.label)}</strong> ({t('carousel.minutes', { n: stage.minutes })},{' '}
            {whoText(stage.who, '')}): {loc(stage.instruction)}
          </li>
        ))}
      </ol>
    </details>
  );
}

function RoundsOverview({ carousel }: { carousel: CarouselView }) {
  return (
    <>
      <h3>{t('carousel.rounds')}</h3>
      <ol class="rounds" data-testid="rounds">
        {carousel.rounds.map((round, i) => (
          <li key={round.id} aria-current={carousel.current_round === i ? 'true' : undefined}>
            <strong>{round.topic}</strong> <span class="muted">({t('carousel.ownerIs', { name: round.owner_name })})</span>
            {round.next_step && (
              <p class="rounds__step">
                {t('carousel.nextStepIs')} {round.next_step.text} <span class="muted">({round.next_step.owner}, {round.next_step.date})</span>
              </p>
            )}
          </li>
        ))}
      </ol>
    </>
  );
}
