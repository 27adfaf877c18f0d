// Copies a text to the clipboard and says so (visibly and to screen readers).
import { useState } from 'preact/hooks';
import { t, useLang } from '../i18n';
import { announce } from '../ui/live-region';

export function CopyButton({ value, label }: { value: string; label: string }) {
  useLang();
  const [done, setDone] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setDone(true);
      announce(t('common.copied'));
      setTimeout(() => setDone(false), 2500);
    } catch {
      announce(t('common.copyFailed'));
    }
  }
  return (
    <button type="button" class="button button--quiet" onClick={copy} aria-label={`${t('common.copy')}: ${label}`}>
      {done ? t('common.copied') : t('common.copy')}
    </button>
  );
}
