// The carousel on the projector: the round's topic and owner, the stage and who has the word,
// a large clock, and this round's post-its fitted to the rest of the screen. The words, the
// clock and how to join stand in a column on the left, so the wall gets the full height.
import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';
import { loc, t, useLang } from '../../i18n';
import { carouselNow } from '../../state/template';
import { useSessionContext, useWorkshop } from '../../ui/session-context';
import { whoText } from '../workshop/carousel-words';
import { DisplayClock } from './display-clock';
import { JoinBox } from './join-box';
import { useFit } from './use-fit';
import { Wall } from './wall';

interface Props {
  /** "N van M klaar" for this stage (the phone part's count); shown under the clock. */
  ready?: ComponentChildren;
}

export function CarouselDisplay({ ready }: Props) {
  useLang();
  const { conn } = useSessionContext();
  const state = useWorkshop();
  const column = useRef<HTMLElement>(null);
  const carousel = state.carousel;
  const now = carousel ? carouselNow(state.template, carousel) : null;
  // The column's type shrinks for a long topic or instruction, so the clock and the code stay on the screen.
  const words = `${now?.round?.id}|${now?.round?.topic}|${now?.stage?.id}|${carousel?.clock.status}|${ready ? 1 : 0}|${state.joinCode}`;
  const { scale } = useFit(column, 0, words, { min: 0.5, step: 0.05 });
  if (!carousel || carousel.current_round === null || !now) return null;
  const owner = now.round?.owner_name ?? '';
  return (
    <div class="display-view display-view--carousel" data-testid="display-carousel">
      <section ref={column} class="display-carousel__now" aria-label={t('display.now')} style={{ '--fit': String(scale) }}>
        <div class="display-carousel__words">
          <p class="display__round">{t('carousel.round', { n: carousel.current_round + 1 })}</p>
          <p class="display__topic" data-testid="display-topic">
            {now.round?.topic}
          </p>
          <p class="display__owner">{t('carousel.ownerIs', { name: owner })}</p>
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
                  {whoText(now.stage.who, owner)}
                </p>
                <p class="display__instruction">{loc(now.stage.instruction)}</p>
              </>
            )
          )}
        </div>
        <div class="display-carousel__clock">
          <DisplayClock clock={carousel.clock} serverClock={conn.clock} label={t('carousel.clockLabel')} testId="carousel-clock" />
          {ready && <div class="display-carousel__ready">{ready}</div>}
        </div>
        <JoinBox compact />
      </section>
      <Wall />
    </div>
  );
}
