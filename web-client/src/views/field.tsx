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
}

export function Field({ id, label, hint, error, value, onValue, inputRef, ...rest }: Props) {
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
        type="text"
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy}
        {...rest}
      />
    </div>
  );
}
