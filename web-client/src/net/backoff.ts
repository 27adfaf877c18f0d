// Reconnect delays: exponential backoff with "full jitter" (a random delay between zero and
// the exponential bound), so a room full of phones that lost the same wifi does not knock on
// the server in lockstep when it comes back.

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 10_000 };

/** Delay before reconnect attempt `attempt` (0 for the first retry). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const bound = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * bound);
}
