// Holds the workshop state of one connection and tells listeners when it changes. Attached to
// the connection's control events from the start, so no event is missed.
import type { Connection } from '../net/connection';
import type { ServerEvent } from '../net/control';
import { reduceWorkshop, type WorkshopState } from './workshop-reducer';

const WORKSHOP_EVENTS: Array<ServerEvent['type']> = [
  'session',
  'phase',
  'settings',
  'participants',
  'carousel',
  'visualisation',
  'idea',
  'idea_removed',
  'groups',
  'my_votes',
];

export class WorkshopStore {
  private state: WorkshopState | null = null;
  private listeners = new Set<(state: WorkshopState | null) => void>();

  constructor(conn: Connection) {
    const control = conn.control as unknown as {
      on(type: string, handler: (event: ServerEvent) => void): () => void;
    };
    for (const type of WORKSHOP_EVENTS) control.on(type, (event) => this.apply(event));
  }

  get(): WorkshopState | null {
    return this.state;
  }

  apply(event: ServerEvent): void {
    const next = reduceWorkshop(this.state, event);
    if (next === this.state) return;
    this.state = next;
    for (const listener of [...this.listeners]) listener(next);
  }

  subscribe(listener: (state: WorkshopState | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
