// The start page: join with a code, or create a session.
import { t, useLang } from '../i18n';
import { useFocusHeadingOnMount } from '../ui/hooks';
import { CreateForm } from './create-form';
import { JoinForm } from './join-form';
import { Layout } from './layout';
import { RecentSessions } from './recent-sessions';

export function StartPage() {
  useLang();
  const heading = useFocusHeadingOnMount();
  return (
    <Layout title={t('app.name')}>
      <h1 ref={heading} tabIndex={-1} class="page-title">
        {t('start.title')}
      </h1>
      <p class="lead">{t('start.intro')}</p>
      <div class="columns">
        <section class="card" aria-labelledby="join-heading">
          <h2 id="join-heading">{t('start.join.heading')}</h2>
          <JoinForm idPrefix="join" />
        </section>
        <section class="card" aria-labelledby="create-heading">
          <h2 id="create-heading">{t('start.create.heading')}</h2>
          <p>{t('start.create.intro')}</p>
          <CreateForm />
        </section>
      </div>
      <RecentSessions />
    </Layout>
  );
}
