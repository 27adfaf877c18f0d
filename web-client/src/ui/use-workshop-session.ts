// A session page's connection plus what hangs off it: the workshop state and the post-it
// outbox. All three live exactly as long as the page.
import { useEffect, useMemo } from 'preact/hooks';
import type { Connection } from '../net/connection';
import type { Identity, Seat } from '../state/identity';
import { PostOutbox } from '../state/post-outbox';
import { WorkshopStore } from '../state/workshop-store';
import { useSession } from './use-session';

export interface WorkshopSession {
  conn: Connection;
  store: WorkshopStore;
  outbox: PostOutbox;
}

export function useWorkshopSession(sessionId: string, seat: Seat, identity: Identity): WorkshopSession {
  const conn = useSession(sessionId, seat, identity);
  // Made with the connection, so they hear every event from the first one on.
  const store = useMemo(() => new WorkshopStore(conn), [conn]);
  const outbox = useMemo(() => new PostOutbox(sessionId, conn, seat === 'member'), [sessionId, conn, seat]);
  useEffect(() => () => outbox.destroy(), [outbox]);
  return { conn, store, outbox };
}
