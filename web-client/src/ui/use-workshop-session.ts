// A session page's connection plus what hangs off it: the workshop state, the post-it outbox,
// the connection's state and who is present, and the context every part of the page reads.
// All of it lives exactly as long as the page; the three session pages share this.
import { useEffect, useMemo } from 'preact/hooks';
import type { ConnectionState } from '../net/connection';
import type { Identity, Seat } from '../state/identity';
import { PostOutbox } from '../state/post-outbox';
import type { WorkshopState } from '../state/workshop-reducer';
import { WorkshopStore } from '../state/workshop-store';
import { useConnectionState, usePeople } from './hooks';
import { type SessionContextValue, useWorkshopState } from './session-context';
import { useSession } from './use-session';

export interface WorkshopSession {
  state: ConnectionState;
  workshop: WorkshopState | null;
  /** Null until the server said welcome. */
  context: SessionContextValue | null;
}

export function useWorkshopSession(sessionId: string, seat: Seat, identity: Identity): WorkshopSession {
  const conn = useSession(sessionId, seat, identity);
  // Made with the connection, so they hear every event from the first one on.
  const store = useMemo(() => new WorkshopStore(conn), [conn]);
  const outbox = useMemo(() => new PostOutbox(sessionId, conn, seat === 'member'), [sessionId, conn, seat]);
  useEffect(() => () => outbox.destroy(), [outbox]);
  const state = useConnectionState(conn);
  const workshop = useWorkshopState(store);
  const people = usePeople(conn);
  const welcome = state.welcome;
  const token = identity.token;
  const context = useMemo<SessionContextValue | null>(
    () => (welcome ? { sessionId, token, conn, store, outbox, welcome, people } : null),
    [sessionId, token, conn, store, outbox, welcome, people],
  );
  return { state, workshop, context };
}
