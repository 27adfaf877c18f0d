// Sends a control command from a button: busy while waiting, a plain-words error when it did
// not work, and an optional polite announcement when it did.
import { useState } from 'preact/hooks';
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

export function useCommand(): CommandRunner {
  const { conn } = useSessionContext();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function run(command: Command, done?: string): Promise<boolean> {
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
      setBusy(false);
    }
  }
  return { run, busy, error, clearError: () => setError(null) };
}
