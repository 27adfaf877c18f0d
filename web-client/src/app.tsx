// Picks the page for the address.
import { t, useLang } from './i18n';
import { onLinkClick, useRoute } from './router';
import { AskerPage } from './views/asker-page';
import { DisplayPage } from './views/display-page';
import { JoinPage } from './views/join-page';
import { Layout } from './views/layout';
import { PrintPage } from './views/print/print-page';
import { SessionPage } from './views/session-page';
import { StartPage } from './views/start';

export function App() {
  useLang();
  const route = useRoute();
  switch (route.name) {
    case 'start':
      return <StartPage />;
    case 'join':
      return <JoinPage key={route.code} code={route.code} />;
    case 'session':
      return <SessionPage key={route.id} id={route.id} />;
    case 'display':
      return <DisplayPage key={route.id} id={route.id} />;
    case 'asker':
      return <AskerPage key={route.id} id={route.id} />;
    case 'print':
      return <PrintPage key={`${route.id}/${route.what}`} id={route.id} what={route.what} />;
    case 'not-found':
      return (
        <Layout title={t('stopped.not_found.title')}>
          <h1 class="page-title">{t('stopped.not_found.title')}</h1>
          <p>
            <a href="/" onClick={onLinkClick}>
              {t('common.toStart')}
            </a>
          </p>
        </Layout>
      );
  }
}
