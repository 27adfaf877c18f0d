// A clock counting down on the server's time. It redraws four times a second for the eye,
// but it is role="timer" (not live): screen readers read it when asked, and hear milestones
// from the live region instead (see use-announcements.ts).
import { t, useLang } from '../../i18n';
import type { ServerClock } from '../../net/clock';
import type { ClockView } from '../../net/workshop-types';
import { formatClock, remainingMs } from '../../ui/countdown';
import { useServerNow } from '../../ui/hooks';

interface Props {
  clock: ClockView;
  serverClock: ServerClock;
  /** What the clock is for, e.g. "Tijd voor deze stap". */
  label: string;
  size?: 'normal' | 'large' | 'huge';
  testId?: string;
}

export function Countdown({ clock, serverClock, label, size = 'large', testId }: Props) {
  useLang();
  const now = useServerNow(serverClock, clock.status === 'running');
  const left = remainingMs(clock, now);
  const low = left !== null && left <= 30_000 && clock.status === 'running';
  return (
    <div class={`countdown countdown--${size}${low ? ' countdown--low' : ''}`}>
      <div role="timer" aria-label={label} class="countdown__time" data-testid={testId}>
        {left === null ? '–:––' : formatClock(left)}
      </div>
      {clock.status === 'paused' && <p class="countdown__state">{t('clock.paused')}</p>}
    </div>
  );
}
