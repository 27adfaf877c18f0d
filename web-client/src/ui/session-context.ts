// What every part of a session page needs: the connection, the workshop state, who we are and
// who is present. Given once by the page, read by the parts with the hooks below.
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { Connection } from '../net/connection';
import type { WelcomeEvent } from '../net/control';
import type { PostOutbox } from '../state/post-outbox';
import type { Person } from '../state/presence';
import type { WorkshopState } from '../state/workshop-reducer';
import type { WorkshopStore } from '../state/workshop-store';

export interface SessionContextValue {
  sessionId: string;
  /** This seat's token (the facilitator's is the export and delete key). */
  token: string;
  conn: Connection;
  store: WorkshopStore;
  outbox: PostOutbox;
  welcome: WelcomeEvent;
  /** Everyone present (awareness), for "who is in this field". */
  people: Person[];
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSessionContext(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSessionContext outside a session page');
  return value;
}

/** The workshop state, re-rendering on every change. */
export function useWorkshopState(store: WorkshopStore): WorkshopState | null {
  const [state, setState] = useState(() => store.get());
  useEffect(() => {
    setState(store.get());
    return store.subscribe(setState);
  }, [store]);
  return state;
}

/** The workshop state inside a session page, where it is known to be there. */
export function useWorkshop(): WorkshopState {
  const { store } = useSessionContext();
  const state = useWorkshopState(store);
  if (!state) throw new Error('workshop state used before the session arrived');
  return state;
}
