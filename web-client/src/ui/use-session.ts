// Opens the connection for a session page and ties it to the component's life: one
// Connection per (session, token), started on mount and destroyed on unmount.
import { useEffect, useMemo } from 'preact/hooks';
import { Connection } from '../net/connection';
import { forgetIdentity, type Identity, type Seat, updateIdentity } from '../state/identity';
import { forgetDoc, persistDoc, restoreDoc } from '../state/local-doc';
import { forgetPosts } from '../state/post-outbox';
import { colorFor } from '../state/presence';

export function useSession(sessionId: string, seat: Seat, identity: Identity): Connection {
  const conn = useMemo(
    () =>
      new Connection({
        sessionId,
        token: identity.token,
        readOnly: seat === 'display',
        // What this device typed before and may not have sent yet comes along.
        doc: seat === 'member' ? restoreDoc(sessionId) : undefined,
      }),
    [sessionId, identity.token, seat],
  );

  useEffect(() => {
    // Nobody is listed until the server has told us who we are.
    conn.awareness.setLocalState(null);
    const offWelcome = conn.events.on('welcome', (welcome) => {
      if (seat === 'display' || welcome.role === 'display') return;
      updateIdentity(sessionId, seat, { name: welcome.name, role: welcome.role });
      const field = (conn.awareness.getLocalState()?.field as string | null | undefined) ?? null;
      conn.awareness.setLocalState({
        user: {
          id: welcome.participant_id,
          name: welcome.name,
          color: colorFor(welcome.participant_id),
          role: welcome.role,
        },
        field,
      });
    });
    // The start page's "open again" list shows the title; the server tells every role.
    const offSession = conn.control.on('session', ({ session }) => {
      if (seat === 'member') updateIdentity(sessionId, seat, { title: session.title, joinCode: session.join_code });
    });
    // A rotated code replaces the remembered one, so the start page links to a code that works.
    const offJoinCode = conn.control.on('join_code', ({ join_code }) => {
      if (seat === 'member') updateIdentity(sessionId, seat, { joinCode: join_code });
    });
    const stopPersisting = seat === 'member' ? persistDoc(sessionId, conn.doc) : () => {};
    const offStopped = conn.events.on('stopped', (reason) => {
      // A seat that can never connect again is of no use on the start page, nor its copy.
      if (reason === 'outdated') return;
      forgetIdentity(sessionId, seat);
      stopPersisting();
      forgetDoc(sessionId);
      forgetPosts(sessionId);
    });
    conn.start();
    return () => {
      stopPersisting();
      offWelcome();
      offSession();
      offJoinCode();
      offStopped();
      conn.destroy();
    };
  }, [conn]);

  return conn;
}
