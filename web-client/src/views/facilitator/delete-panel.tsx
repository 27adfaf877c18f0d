// Deleting the session: names, post-its and texts are personal data. A real dialog asks
// first, says what goes, and puts focus on "No" so a stray Enter deletes nothing.
import { useRef, useState } from 'preact/hooks';
import { deleteSession } from '../../api';
import { t, useLang } from '../../i18n';
import { useSessionContext } from '../../ui/session-context';
import { busyAttrs } from '../../ui/use-command';
import { apiErrorText } from '../api-errors';
import { Fold } from './fold';

export function DeletePanel() {
  useLang();
  const { sessionId, token } = useSessionContext();
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function open() {
    setError(null);
    dialog.current?.showModal();
    cancel.current?.focus();
  }
  async function confirm() {
    if (busy) return;
    setBusy(true);
    try {
      await deleteSession(sessionId, token);
      // The server closes every connection with "deleted"; the page then says so.
      dialog.current?.close();
    } catch (err) {
      setError(apiErrorText(err, 'error.unavailable'));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Fold headingId="delete-heading" title={t('delete.heading')} class="danger">
      <p class="hint">{t('delete.hint')}</p>
      <button type="button" class="button button--danger" onClick={open}>
        {t('delete.button')}
      </button>
      <dialog ref={dialog} class="dialog" aria-labelledby="delete-dialog-title" aria-describedby="delete-dialog-body">
        <h2 id="delete-dialog-title">{t('delete.confirmTitle')}</h2>
        <p id="delete-dialog-body">{t('delete.confirmBody')}</p>
        {error && (
          <p class="error-text" role="alert">
            {error}
          </p>
        )}
        <div class="button-row">
          <button ref={cancel} type="button" class="button button--secondary" onClick={() => dialog.current?.close()}>
            {t('delete.no')}
          </button>
          <button type="button" class="button button--danger" {...busyAttrs(busy)} onClick={confirm}>
            {t('delete.yes')}
          </button>
        </div>
      </dialog>
    </Fold>
  );
}
