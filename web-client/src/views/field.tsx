// A labelled text input with a hint and an error, wired for screen readers
// (aria-describedby, aria-invalid).
import type { RefObject } from 'preact';

interface Props {
  id: string;
  label: string;
  hint?: string;
  error?: string | null;
  value: string;
  onValue: (value: string) => void;
  inputRef?: RefObject<HTMLInputElement | null>;
  autocomplete?: string;
  autocapitalize?: 'off' | 'characters' | 'words' | 'sentences';
  spellcheck?: boolean;
  maxLength?: number;
  class?: string;
  /** `password` for a secret such as the server's create key. */
  type?: 'text' | 'password';
}

export function Field({ id, label, hint, error, value, onValue, inputRef, type, ...rest }: Props) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && (
        <p id={hintId} class="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} class="error-text">
          {error}
        </p>
      )}
      <input
        ref={inputRef}
        id={id}
        // Preact types `password` apart from `text` (a union on `type`); both take the same
        // attributes here.
        type={(type ?? 'text') as 'text'}
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy}
        {...rest}
      />
    </div>
  );
}
