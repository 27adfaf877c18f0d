// Post-its on their way to the board. The draft being typed and every post-it not yet
// confirmed by the server live in localStorage, so a phone that sleeps, a reconnect or a phase
// change never loses them. Each post-it has its own random `client_ref`; a retry after a
// reconnect sends the same one, and the server posts it once.
import { type Connection, ConnectionError, ControlError } from '../net/connection';
import type { IdeaEvent } from '../net/control';

export interface PendingPost {
  client_ref: string;
  text: string;
  at: number;
}

interface Stored {
  draft: string;
  pending: PendingPost[];
  /** Our own post-its' refs, to recognise them when they are anonymous. */
  mine: string[];
}

export interface OutboxState {
  draft: string;
  pending: PendingPost[];
  /** The last refusal, to show next to the input line. */
  error: { code: string; text: string } | null;
}

const PREFIX = 'werkplaats.posts.';
const MAX_MINE = 500;
const RETRY_AFTER_MS = 5_000;

function randomRef(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return 'r-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class PostOutbox {
  private stored: Stored;
  private error: OutboxState['error'] = null;
  private inFlight = new Set<string>();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private listeners = new Set<(state: OutboxState) => void>();
  private readonly key: string;
  private readonly offs: Array<() => void> = [];

  constructor(
    sessionId: string,
    private readonly conn: Connection,
    /** False for the projector: it never posts, and must not send a member's post-its. */
    private readonly active = true,
  ) {
    this.key = PREFIX + sessionId;
    this.stored = this.load();
    if (!active) return;
    // After every (re)connect: send what is still waiting.
    this.offs.push(conn.events.on('welcome', () => this.flush()));
    // The server confirms by showing the post-it; the ack may have been lost with the socket.
    this.offs.push(conn.control.on('idea', (event: IdeaEvent) => this.confirmed(event.idea.client_ref)));
  }

  destroy(): void {
    for (const off of this.offs) off();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.listeners.clear();
  }

  get state(): OutboxState {
    return { draft: this.stored.draft, pending: this.stored.pending, error: this.error };
  }

  isMine(clientRef: string): boolean {
    return this.stored.mine.includes(clientRef);
  }

  setDraft(text: string): void {
    this.stored.draft = text;
    this.save();
  }

  /** Queues a post-it and tries to send it now. Returns false for an empty text. */
  post(text: string): boolean {
    const clean = text.trim();
    if (!clean || !this.active) return false;
    const ref = randomRef();
    this.stored.pending.push({ client_ref: ref, text: clean, at: Date.now() });
    this.stored.mine = [...this.stored.mine, ref].slice(-MAX_MINE);
    this.stored.draft = '';
    this.error = null;
    this.save();
    this.flush();
    return true;
  }

  /** Sends every waiting post-it that is not already on its way. */
  flush(): void {
    if (!this.active) return;
    for (const post of this.stored.pending) {
      if (this.inFlight.has(post.client_ref)) continue;
      this.inFlight.add(post.client_ref);
      this.conn
        .command({ type: 'post_idea', text: post.text, client_ref: post.client_ref })
        .then(() => this.confirmed(post.client_ref))
        .catch((err: unknown) => this.failed(post, err))
        .finally(() => this.inFlight.delete(post.client_ref));
    }
  }

  subscribe(listener: (state: OutboxState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private confirmed(clientRef: string): void {
    const before = this.stored.pending.length;
    this.stored.pending = this.stored.pending.filter((p) => p.client_ref !== clientRef);
    if (this.stored.pending.length !== before) this.save();
  }

  private failed(post: PendingPost, err: unknown): void {
    if (err instanceof ConnectionError) {
      // Not connected or the socket dropped: the next welcome sends it again.
      this.notify();
      return;
    }
    if (err instanceof ControlError && ['rate_limited', 'store_unavailable', 'internal'].includes(err.code)) {
      this.error = { code: err.code, text: post.text };
      this.scheduleRetry();
      this.notify();
      return;
    }
    // Refused for good (too long, empty after cleaning): give the text back to the writer.
    this.stored.pending = this.stored.pending.filter((p) => p.client_ref !== post.client_ref);
    if (!this.stored.draft.trim()) this.stored.draft = post.text;
    this.error = { code: err instanceof ControlError ? err.code : 'internal', text: post.text };
    this.save();
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.flush();
    }, RETRY_AFTER_MS);
  }

  private load(): Stored {
    const empty: Stored = { draft: '', pending: [], mine: [] };
    try {
      const raw = localStorage.getItem(this.key);
      if (!raw) return empty;
      const parsed = JSON.parse(raw) as Partial<Stored>;
      return {
        draft: typeof parsed.draft === 'string' ? parsed.draft : '',
        pending: Array.isArray(parsed.pending)
          ? parsed.pending.filter((p) => typeof p?.client_ref === 'string' && typeof p?.text === 'string')
          : [],
        mine: Array.isArray(parsed.mine) ? parsed.mine.filter((m) => typeof m === 'string') : [],
      };
    } catch {
      return empty;
    }
  }

  private save(): void {
    try {
      localStorage.setItem(this.key, JSON.stringify(this.stored));
    } catch {
      // Storage refused: the post-its still go out while the page is open.
    }
    this.notify();
  }

  private notify(): void {
    const state = this.state;
    for (const listener of [...this.listeners]) listener(state);
  }
}

/** Forgets what this device kept for a session (deleted, or the seat is gone). */
export function forgetPosts(sessionId: string): void {
  try {
    localStorage.removeItem(PREFIX + sessionId);
  } catch {
    // nothing kept
  }
}
