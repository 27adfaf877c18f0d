// Sends a control command from a button: busy while waiting, a plain-words error when it did
// not work, and an optional polite announcement when it did.
//
// While a command is in flight the button stays enabled and focused (a disabled button drops
// keyboard focus to the page body): spread `busyAttrs(busy)` on it, and `run` ignores repeat
// presses until the answer is in.
import { useRef, useState } from 'preact/hooks';
import type { Command } from '../net/control';
import { commandErrorText } from '../views/command-errors';
import { announce } from './live-region';
import { useSessionContext } from './session-context';

export interface CommandRunner {
  run: (command: Command, done?: string) => Promise<boolean>;
  busy: boolean;
  error: string | null;
  clearError: () => void;
}

/** Marks a control as busy without taking it out of the tab order. */
export function busyAttrs(busy: boolean): { 'aria-disabled'?: 'true'; 'aria-busy'?: 'true' } {
  return busy ? { 'aria-disabled': 'true', 'aria-busy': 'true' } : {};
}

export function useCommand(): CommandRunner {
  const { conn } = useSessionContext();
  const [busy, setBusy] = useState(false);
  const inFlight = useRef(false);
  const [error, setError] = useState<string | null>(null);
  async function run(command: Command, done?: string): Promise<boolean> {
    // A second press while the first is under way does nothing.
    if (inFlight.current) return false;
    inFlight.current = true;
    setBusy(true);
    setError(null);
    try {
      await conn.command(command);
      if (done) announce(done);
      return true;
    } catch (err) {
      setError(commandErrorText(err));
      return false;
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  }
  return { run, busy, error, clearError: () => setError(null) };
}
