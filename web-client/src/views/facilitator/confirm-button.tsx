// A button for something that cannot be undone: it opens a small dialog that says what
// happens, with focus on "No", so a stray Enter or Space does nothing. Escape or "No" closes
// it and puts focus back on the button.
import { useId, useRef } from 'preact/hooks';

interface Props {
  label: string;
  title: string;
  body: string;
  yes: string;
  no: string;
  onConfirm: () => void;
  testId?: string;
}

export function ConfirmButton({ label, title, body, yes, no, onConfirm, testId }: Props) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  function open() {
    dialog.current?.showModal();
    cancel.current?.focus();
  }
  function close() {
    dialog.current?.close();
  }
  return (
    <>
      <button ref={opener} type="button" class="button button--danger-quiet" data-testid={testId} onClick={open}>
        {label}
      </button>
      <dialog
        ref={dialog}
        class="dialog"
        aria-labelledby={`${id}-t`}
        aria-describedby={`${id}-b`}
        // Escape and "No" both end here: focus goes back to the button that opened it.
        onClose={() => {
          if (opener.current?.isConnected) opener.current.focus();
        }}
      >
        <h2 id={`${id}-t`}>{title}</h2>
        <p id={`${id}-b`}>{body}</p>
        <div class="button-row">
          <button ref={cancel} type="button" class="button button--secondary" onClick={close}>
            {no}
          </button>
          <button
            type="button"
            class="button button--danger"
            onClick={() => {
              close();
              onConfirm();
            }}
          >
            {yes}
          </button>
        </div>
      </dialog>
    </>
  );
}
