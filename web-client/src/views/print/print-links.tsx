// Links to the paper versions (print-page.tsx), opened in a new tab so the workshop page
// stays where it is.
import { t, useLang } from '../../i18n';
import { useSessionContext } from '../../ui/session-context';
import type { PrintWhat } from './print-page';

export function printHref(sessionId: string, what: PrintWhat, formatId?: string): string {
  return `/s/${sessionId}/print/${what}${formatId ? `?f=${encodeURIComponent(formatId)}` : ''}`;
}

const LABELS = {
  results: 'print.link.results',
  format: 'print.link.format',
  blank: 'print.link.blank',
  plan: 'print.link.plan',
} as const;

/**
 * "Afdrukken": the whole results, the formats, the blank format and the plan. With
 * `formatId`, the format link prints just that one ("dit format").
 */
export function PrintLinks({ only, formatId, name }: { only?: PrintWhat[]; formatId?: string; name?: string }) {
  useLang();
  const { sessionId } = useSessionContext();
  const list = only ?? (['results', 'format', 'blank', 'plan'] as PrintWhat[]);
  return (
    // A page may hold more than one (the format's and the export's): each landmark its own name.
    <nav class="print-links" aria-label={name ?? t('print.links')}>
      <span class="print-links__label">{t('print.links')}:</span>
      <ul class="plain-list print-links__list">
        {list.map((what) => (
          <li key={what}>
            <a href={printHref(sessionId, what, what === 'format' ? formatId : undefined)} target="_blank" rel="noopener" data-testid={`print-link-${what}`}>
              {what === 'format' && formatId ? t('print.link.thisFormat') : t(LABELS[what])}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
