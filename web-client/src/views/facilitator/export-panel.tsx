// Results out in one click, during and after the session: Markdown and JSON as a download,
// the print-ready page opened in a new tab. Fetched with the facilitator's token in a header,
// so the token never lands in a URL, a history list or a server log.
import { useState } from 'preact/hooks';
import { type ExportFormat, exportSession } from '../../api';
import { getLang, t, useLang } from '../../i18n';
import { announce } from '../../ui/live-region';
import { useSessionContext } from '../../ui/session-context';
import { apiErrorText } from '../api-errors';
import { Fold } from './fold';
import { PrintLinks } from '../print/print-links';

function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function ExportPanel() {
  useLang();
  const { sessionId, token } = useSessionContext();
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function get(format: ExportFormat) {
    // One download at a time; the buttons stay focusable meanwhile (aria-disabled).
    if (busy !== null) return;
    setBusy(format);
    setError(null);
    // Opened now, while the click still counts, so no pop-up blocker stops it.
    const tab = format === 'html' ? window.open('', '_blank') : null;
    try {
      const { blob, filename } = await exportSession(sessionId, token, format, getLang());
      if (tab) {
        tab.location.href = URL.createObjectURL(blob);
      } else {
        download(blob, filename);
      }
      announce(t('export.done'));
    } catch (err) {
      tab?.close();
      setError(apiErrorText(err, 'error.unavailable'));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Fold headingId="export-heading" title={t('export.heading')} testId="export">
      <p class="hint">{t('export.hint')}</p>
      <div class="button-row">
        <button type="button" class="button button--secondary" aria-disabled={busy !== null ? 'true' : undefined} aria-busy={busy !== null ? 'true' : undefined} onClick={() => get('html')}>
          {t('export.html')}
        </button>
        <button type="button" class="button button--secondary" aria-disabled={busy !== null ? 'true' : undefined} aria-busy={busy !== null ? 'true' : undefined} onClick={() => get('md')}>
          {t('export.md')}
        </button>
        <button type="button" class="button button--secondary" aria-disabled={busy !== null ? 'true' : undefined} aria-busy={busy !== null ? 'true' : undefined} onClick={() => get('json')}>
          {t('export.json')}
        </button>
      </div>
      <PrintLinks />
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
    </Fold>
  );
}
