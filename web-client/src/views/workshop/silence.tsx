// A calm sign that it is quiet now: a slowly breathing circle (still when the person prefers
// less motion) and the seconds left in plain text, on the server's clock like every timer.
import { t, useLang } from '../../i18n';
import type { ServerClock } from '../../net/clock';
import type { ClockView } from '../../net/workshop-types';
import { remainingMs, secondsLeft } from '../../ui/countdown';
import { useServerNow } from '../../ui/hooks';

export function SilenceIndicator({ silence, serverClock, large = false }: { silence: ClockView; serverClock: ServerClock; large?: boolean }) {
  useLang();
  const now = useServerNow(serverClock, silence.status === 'running', 2);
  const left = remainingMs(silence, now);
  let text: string;
  if (silence.status === 'running' || silence.status === 'paused') text = t('vis.silence', { s: secondsLeft(left ?? 0) });
  else if (silence.status === 'done') text = t('vis.silenceOver');
  else text = t('vis.reading');
  return (
    <div class={`silence silence--${silence.status}${large ? ' silence--large' : ''}`} data-testid="silence">
      <span class="silence__circle" aria-hidden="true" />
      <p role="timer" aria-label={t('vis.silenceLabel')} class="silence__text">
        {text}
      </p>
    </div>
  );
}
