// Preact hooks over the connection and the shared document.
import { useEffect, useRef, useState } from 'preact/hooks';
import type * as Y from 'yjs';
import type { ServerClock } from '../net/clock';
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

/**
 * Re-renders when a shared type changes (with `deep`, also when anything inside it does).
 * Returns a counter, handy as a dependency.
 */
// `any`: Y.Map and Y.Array narrow the event type, which AbstractType<unknown> does not accept.
export function useYVersion(type: Y.AbstractType<any> | null | undefined, deep = false): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (!type) return;
    const bump = () => setVersion((v) => v + 1);
    if (deep) type.observeDeep(bump);
    else type.observe(bump);
    return () => {
      if (deep) type.unobserveDeep(bump);
      else type.unobserve(bump);
    };
  }, [type, deep]);
  return version;
}

/**
 * The server's time, refreshed `perSecond` times a second while `active` (for clocks), and
 * whenever the clock's offset estimate changes.
 */
export function useServerNow(clock: ServerClock, active: boolean, perSecond = 4): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    const bump = () => setTick((n) => n + 1);
    const off = clock.onChange(bump);
    if (!active) return off;
    const timer = setInterval(bump, 1000 / perSecond);
    return () => {
      off();
      clearInterval(timer);
    };
  }, [clock, active, perSecond]);
  return clock.serverNow();
}
