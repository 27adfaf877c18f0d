// Time left on a server clock. Every screen computes it from the same deadline and its own
// estimate of the server's time, so all screens show the same second; nothing ticks on the
// wire.
import type { ClockView } from '../net/workshop-types';

/** Milliseconds left, or null when the clock is idle. */
export function remainingMs(clock: ClockView, serverNow: number): number | null {
  switch (clock.status) {
    case 'running':
      return Math.max(0, clock.deadline - serverNow);
    case 'paused':
      return Math.max(0, clock.remaining_ms);
    case 'done':
      return 0;
    default:
      return null;
  }
}

/** "m:ss", rounded up: a clock shows 0:00 only when the time is really over. */
export function formatClock(ms: number): string {
  const total = Math.ceil(Math.max(0, ms) / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${String(seconds).padStart(2, '0')}`;
}

/** Whole seconds left, rounded up (what the clock shows). */
export function secondsLeft(ms: number): number {
  return Math.ceil(Math.max(0, ms) / 1000);
}
