// Holds the workshop state of one connection and tells listeners when it changes. Attached to
// the connection's control events from the start, so no event is missed. At a running
// carousel stage's deadline it moves the carousel on by itself (`carousel-projection.ts`), so
// every screen changes stage at the same moment of the server's clock.
import type { Connection } from '../net/connection';
import type { ServerEvent } from '../net/control';
import { nextChangeAt, projectCarousel } from './carousel-projection';
import { reduceWorkshop, type WorkshopState } from './workshop-reducer';

const WORKSHOP_EVENTS: Array<ServerEvent['type']> = [
  'session',
  'phase',
  'settings',
  'participants',
  'carousel',
  'visualisation',
  'board',
  'personal_note',
  'idea',
  'idea_removed',
  'groups',
  'my_votes',
  'ready',
  'join_locked',
  'join_code',
];

export class WorkshopStore {
  private state: WorkshopState | null = null;
  private listeners = new Set<(state: WorkshopState | null) => void>();
  private readonly conn: Connection;
  private stageTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(conn: Connection) {
    this.conn = conn;
    const control = conn.control as unknown as {
      on(type: string, handler: (event: ServerEvent) => void): () => void;
    };
    for (const type of WORKSHOP_EVENTS) control.on(type, (event) => this.apply(event));
  }

  get(): WorkshopState | null {
    return this.state;
  }

  apply(event: ServerEvent): void {
    this.set(reduceWorkshop(this.state, event));
  }

  private set(next: WorkshopState | null): void {
    if (next === this.state) return;
    this.state = next;
    this.scheduleStageChange();
    for (const listener of [...this.listeners]) listener(next);
  }

  private scheduleStageChange(): void {
    if (this.stageTimer !== null) clearTimeout(this.stageTimer);
    this.stageTimer = null;
    const at = nextChangeAt(this.state?.carousel ?? null);
    if (at === null) return;
    const delay = Math.max(0, at - this.conn.clock.serverNow());
    this.stageTimer = setTimeout(() => {
      this.stageTimer = null;
      const state = this.state;
      if (!state?.carousel) return;
      const carousel = projectCarousel(state.carousel, this.conn.clock.serverNow(), state.settings.auto_next_round);
      if (carousel === state.carousel) {
        // The timer fired a little early (or the clock estimate moved): try again.
        this.scheduleStageChange();
        return;
      }
      this.set({ ...state, carousel });
    }, delay);
  }

  subscribe(listener: (state: WorkshopState | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
