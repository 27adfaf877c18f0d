// The projector's clock: huge, on the server's time. A pause cannot be missed: the time is
// dimmed and "Gepauzeerd" stands over it in large letters.
import { t, useLang } from '../../i18n';
import type { ServerClock } from '../../net/clock';
import type { ClockView } from '../../net/workshop-types';
import { Countdown } from '../workshop/countdown';

interface Props {
  clock: ClockView;
  serverClock: ServerClock;
  label: string;
  testId?: string;
}

export function DisplayClock({ clock, serverClock, label, testId }: Props) {
  useLang();
  const paused = clock.status === 'paused';
  return (
    <div class={`display-clock${paused ? ' display-clock--paused' : ''}`}>
      {paused && (
        <p class="display-clock__paused" data-testid="display-paused">
          {t('display.paused')}
        </p>
      )}
      <Countdown clock={clock} serverClock={serverClock} label={label} size="huge" testId={testId} />
    </div>
  );
}
