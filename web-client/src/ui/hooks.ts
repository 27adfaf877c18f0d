// Preact hooks over the connection and the shared document.
import { useEffect, useRef, useState } from 'preact/hooks';
import type * as Y from 'yjs';
import type { Connection, ConnectionState } from '../net/connection';
import { type Person, peopleFrom } from '../state/presence';

export function useConnectionState(conn: Connection): ConnectionState {
  const [state, setState] = useState(conn.state);
  useEffect(() => {
    setState(conn.state);
    return conn.events.on('state', setState);
  }, [conn]);
  return state;
}

export function usePeople(conn: Connection): Person[] {
  const [people, setPeople] = useState(() => peopleFrom(conn.awareness));
  useEffect(() => {
    const update = () => setPeople(peopleFrom(conn.awareness));
    update();
    conn.awareness.on('change', update);
    return () => conn.awareness.off('change', update);
  }, [conn]);
  return people;
}

/** The current value of a key in a Y.Map, re-rendering on change. */
export function useYMapValue<T>(map: Y.Map<unknown>, key: string): T | undefined {
  const [value, setValue] = useState(() => map.get(key) as T | undefined);
  useEffect(() => {
    const update = () => setValue(map.get(key) as T | undefined);
    update();
    map.observe(update);
    return () => map.unobserve(update);
  }, [map, key]);
  return value;
}

/** The text of a Y.Text, re-rendering on change (for read-only views). */
export function useYText(text: Y.Text): string {
  const [value, setValue] = useState(() => text.toString());
  useEffect(() => {
    const update = () => setValue(text.toString());
    update();
    text.observe(update);
    return () => text.unobserve(update);
  }, [text]);
  return value;
}

/** Moves focus to the page's <h1> when the page changes, so screen readers start there. */
export function useFocusHeadingOnMount(deps: unknown[] = []): { current: HTMLHeadingElement | null } {
  const ref = useRef<HTMLHeadingElement | null>(null);
  useEffect(() => {
    // Not on the very first load: the browser starts at the top anyway.
    if (document.body.dataset.navigated === 'yes') ref.current?.focus();
    document.body.dataset.navigated = 'yes';
  }, deps);
  return ref;
}
