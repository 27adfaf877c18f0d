// Server clock offset: the carousel timer must show the same second on every screen, whatever
// the devices' own clocks say. Classic NTP-style estimate: send our time, get the server's
// time back, assume the answer was stamped halfway the round trip. Several probes; the one
// with the shortest round trip has the least room for asymmetry, so it wins.

export interface PongLike {
  client_time: number;
  server_time: number;
}

/** Sends one ping carrying `clientTime` and resolves with the server's pong. */
export type Probe = (clientTime: number) => Promise<PongLike>;

export interface ClockSample {
  /** serverTime - clientTime, in ms. */
  offsetMs: number;
  /** Round trip of the probe, in ms. */
  rttMs: number;
}

export interface ClockOptions {
  /** The local clock in ms since the epoch (tests pass a fake one). */
  now?: () => number;
  /** Probes per sync. */
  samples?: number;
}

export class ServerClock {
  private readonly now: () => number;
  private readonly samples: number;
  private best: ClockSample | null = null;
  private rough: number | null = null;
  private generation = 0;
  private listeners = new Set<() => void>();

  constructor(options: ClockOptions = {}) {
    this.now = options.now ?? (() => Date.now());
    this.samples = options.samples ?? 5;
  }

  /** Whether a full sync has finished (before that, `serverNow` uses a rough estimate). */
  get synced(): boolean {
    return this.best !== null;
  }

  /** Current offset estimate in ms (0 when nothing is known yet). */
  get offsetMs(): number {
    return this.best?.offsetMs ?? this.rough ?? 0;
  }

  /** Round trip of the winning probe, or null before a sync. */
  get rttMs(): number | null {
    return this.best?.rttMs ?? null;
  }

  /** The server's time now, in ms since the epoch. */
  serverNow(): number {
    return this.now() + this.offsetMs;
  }

  /**
   * A first guess from a single server timestamp (the `welcome` event), good to a round trip,
   * used until `sync` finishes.
   */
  seed(serverTime: number): void {
    if (this.best === null) {
      this.rough = serverTime - this.now();
      this.changed();
    }
  }

  /**
   * Runs the probes one after another and keeps the sample with the smallest round trip.
   * A newer call (after a reconnect) supersedes a running one, whose result is then dropped.
   * Rejects only when every probe failed.
   */
  async sync(probe: Probe): Promise<ClockSample> {
    const generation = ++this.generation;
    let best: ClockSample | null = null;
    let lastError: unknown = null;
    for (let i = 0; i < this.samples; i++) {
      if (generation !== this.generation) break;
      const t0 = this.now();
      try {
        const pong = await probe(t0);
        const t1 = this.now();
        // A pong for another probe (should not happen with request ids) is not a sample.
        if (pong.client_time !== t0) continue;
        const sample = { offsetMs: pong.server_time - (t0 + t1) / 2, rttMs: t1 - t0 };
        if (best === null || sample.rttMs < best.rttMs) best = sample;
      } catch (err) {
        lastError = err;
      }
    }
    if (generation !== this.generation) {
      throw new Error('clock sync superseded by a newer one');
    }
    if (best === null) throw lastError ?? new Error('no clock sample');
    this.best = best;
    this.changed();
    return best;
  }

  /** Forgets the estimate (e.g. a new server behind the load balancer). */
  reset(): void {
    this.generation++;
    this.best = null;
    this.rough = null;
    this.changed();
  }

  /** Called when the estimate changes; returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
