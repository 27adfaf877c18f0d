// What to say when the connection has given up for good, and what to do next.
import { t, useLang } from '../i18n';
import type { ConnectionStopReason } from '../net/connection';
import { onLinkClick } from '../router';
import { useFocusHeadingOnMount } from '../ui/hooks';
import { Layout } from './layout';

export function StoppedMessage({ reason }: { reason: ConnectionStopReason }) {
  useLang();
  const heading = useFocusHeadingOnMount([reason]);
  return (
    <section class="card card--narrow" aria-labelledby="stopped-heading">
      <h1 id="stopped-heading" ref={heading} tabIndex={-1} class="page-title">
        {t(`stopped.${reason}.title`)}
      </h1>
      <p>{t(`stopped.${reason}.body`)}</p>
      {reason === 'outdated' ? (
        <button type="button" class="button button--primary" onClick={() => location.reload()}>
          {t('stopped.reload')}
        </button>
      ) : (
        <p>
          <a class="button button--primary" href="/" onClick={onLinkClick}>
            {t('common.toStart')}
          </a>
        </p>
      )}
    </section>
  );
}

/** No token for this session on this device. */
export function NoSeatMessage() {
  useLang();
  const heading = useFocusHeadingOnMount();
  return (
    <section class="card card--narrow" aria-labelledby="noseat-heading">
      <h1 id="noseat-heading" ref={heading} tabIndex={-1} class="page-title">
        {t('noSeat.title')}
      </h1>
      <p>{t('noSeat.body')}</p>
      <p>
        <a class="button button--primary" href="/" onClick={onLinkClick}>
          {t('common.toStart')}
        </a>
      </p>
    </section>
  );
}

/** The whole page for a link without a seat (no token here, none remembered). */
export function NoSeatPage() {
  return (
    <Layout title={t('noSeat.title')}>
      <NoSeatMessage />
    </Layout>
  );
}
