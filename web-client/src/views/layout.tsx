// The frame of every page: skip link, header with the language switch, and <main>.
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { t, useLang } from '../i18n';
import { onLinkClick } from '../router';
import { LanguageSwitch } from './language-switch';

interface Props {
  /** The document title (before " – Werkplaats"). */
  title: string;
  children: ComponentChildren;
  /** Extra class on <main>, e.g. for the projector view. */
  variant?: 'default' | 'display' | 'asker' | 'print';
  /** Shown right under the header, above <main> (the connection banner). */
  banner?: ComponentChildren;
  /** A wider page, for the workshop with its side column. */
  wide?: boolean;
}

export function Layout({ title, children, variant = 'default', banner, wide = false }: Props) {
  useLang();
  useEffect(() => {
    document.title = title === t('app.name') ? title : `${title} – ${t('app.name')}`;
  }, [title]);
  return (
    <div class={`page page--${variant}`}>
      <a class="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header class="site-header">
        <a class="brand" href="/" onClick={onLinkClick}>
          {t('app.name')}
        </a>
        <LanguageSwitch />
      </header>
      {banner}
      <main id="main" tabIndex={-1} class={`main main--${variant}${wide ? ' main--wide' : ''}`}>
        {children}
      </main>
    </div>
  );
}
