// On a phone the carousel's large clock scrolls away while you read or write post-its. This
// compact bar keeps the round, the stage and the time in view (sticky at the top; only at
// phone widths, see styles/phone.css). The page keeps room above a focused field for it
// (`scroll-padding-top`), so it never covers what you type.
import { loc, t, useLang } from '../../i18n';
import { carouselNow, currentPhase } from '../../state/template';
import { useSessionContext, useWorkshop } from '../../ui/session-context';
import { Countdown } from './countdown';

export function PhoneClockBar() {
  useLang();
  const { conn } = useSessionContext();
  const state = useWorkshop();
  const carousel = state.carousel;
  const phase = currentPhase(state);
  const here = carousel && phase?.activities.some((a) => a.id === carousel.activity_id);
  if (!carousel || !here || carousel.current_round === null) return null;
  const now = carouselNow(state.template, carousel);
  if (!now.round) return null;
  const done = carousel.clock.status === 'done';
  return (
    <div class="phone-clock" data-testid="phone-clock">
      <div class="phone-clock__text">
        <p class="phone-clock__stage">
          {done ? t('carousel.roundDone') : now.stage ? `${t('phone.stageShort', { n: now.stageIndex + 1, count: now.stageCount })} · ${loc(now.stage.label)}` : ''}
        </p>
        <p class="phone-clock__topic">
          {t('carousel.round', { n: (carousel.current_round ?? 0) + 1 })}: {now.round.topic}
        </p>
      </div>
      <div class="phone-clock__time">
        <Countdown clock={carousel.clock} serverClock={conn.clock} label={t('phone.clockLabel')} size="normal" testId="phone-clock-time" />
        {/* A short word instead of the clock's sentence, so the stage keeps its room. */}
        {carousel.clock.status === 'paused' && <p class="phone-clock__paused">{t('phone.paused')}</p>}
      </div>
    </div>
  );
}
