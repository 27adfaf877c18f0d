// Removals that wait a few seconds before they happen, so that "ongedaan maken" can take them
// back: nothing is sent (no command, no Yjs delete) until the time is up, so undoing needs
// no server support and leaves nothing behind. Whatever waits is carried out when the page
// is left, so a removal someone asked for is not lost by closing the tab.
import { useEffect, useState } from 'preact/hooks';

export const UNDO_MS = 6000;

export interface PendingRemoval {
  key: string;
  label: string;
}

interface Entry extends PendingRemoval {
  run: () => void;
  timer: ReturnType<typeof setTimeout>;
}

const pending = new Map<string, Entry>();
const listeners = new Set<() => void>();

function changed(): void {
  for (const listener of [...listeners]) listener();
}

/** Removes `key` (e.g. `row:ID`) after UNDO_MS unless it is undone first. */
export function scheduleRemoval(key: string, label: string, run: () => void): void {
  if (pending.has(key)) return;
  const timer = setTimeout(() => {
    pending.delete(key);
    changed();
    run();
  }, UNDO_MS);
  pending.set(key, { key, label, run, timer });
  changed();
}

export function undoRemoval(key: string): void {
  const entry = pending.get(key);
  if (!entry) return;
  clearTimeout(entry.timer);
  pending.delete(key);
  changed();
}

/** Carries out every waiting removal now. */
export function flushRemovals(): void {
  const entries = [...pending.values()];
  pending.clear();
  for (const entry of entries) {
    clearTimeout(entry.timer);
    entry.run();
  }
  if (entries.length) changed();
}

if (typeof window !== 'undefined') window.addEventListener('pagehide', flushRemovals);

/** The removals waiting now; the component renders again when they change. */
export function usePendingRemovals(): PendingRemoval[] {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((n) => n + 1);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return [...pending.values()].map(({ key, label }) => ({ key, label }));
}

/** Whether `key` is waiting to be removed (its item is shown as gone already). */
export function isPendingRemoval(removals: PendingRemoval[], key: string): boolean {
  return removals.some((r) => r.key === key);
}
