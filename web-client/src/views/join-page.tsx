// /join/CODE: the link or QR code for participants. Only a name is asked.
import { t, useLang } from '../i18n';
import { onLinkClick } from '../router';
import { knownSessions } from '../state/identity';
import { formatJoinCode, normalizeJoinCode } from '../state/join-code';
import { useFocusHeadingOnMount } from '../ui/hooks';
import { JoinForm } from './join-form';
import { Layout } from './layout';

export function JoinPage({ code: rawCode }: { code: string }) {
  useLang();
  const heading = useFocusHeadingOnMount([rawCode]);
  const code = normalizeJoinCode(rawCode);
  // The same phone opening the same link again comes back as the same person.
  const earlier = knownSessions().find((s) => s.seat === 'member' && s.identity.joinCode === code);
  return (
    <Layout title={t('join.heading', { code: formatJoinCode(code) })}>
      <h1 ref={heading} tabIndex={-1} class="page-title">
        {t('join.heading', { code: formatJoinCode(code) })}
      </h1>
      {earlier && (
        <p class="card card--note">
          <a href={`/s/${earlier.sessionId}`} onClick={onLinkClick}>
            {t('start.recent.open', { title: earlier.identity.title || t('session.untitled') })}
          </a>{' '}
          {earlier.identity.name && <span class="muted">({earlier.identity.name})</span>}
        </p>
      )}
      <section class="card card--narrow">
        <p>{t('join.intro')}</p>
        <JoinForm idPrefix="joinpage" fixedCode={code} />
        <p>
          <a href="/" onClick={onLinkClick}>
            {t('join.otherCode')}
          </a>
        </p>
      </section>
    </Layout>
  );
}
