// Sessions this device has a seat in, so a closed tab is not a lost seat.
import { t, useLang } from '../i18n';
import { onLinkClick } from '../router';
import { knownSessions } from '../state/identity';

const MAX_SHOWN = 5;

export function RecentSessions() {
  useLang();
  const sessions = knownSessions()
    .filter((s) => s.seat === 'member')
    .slice(0, MAX_SHOWN);
  if (sessions.length === 0) return null;
  return (
    <section class="recent" aria-labelledby="recent-heading">
      <h2 id="recent-heading">{t('start.recent.heading')}</h2>
      <ul class="plain-list">
        {sessions.map(({ sessionId, identity }) => {
          const title = identity.title || t('session.untitled');
          const role = identity.role === 'facilitator' || identity.role === 'co_facilitator'
            ? t('role.facilitator')
            : t('role.participant');
          return (
            <li key={sessionId}>
              <a href={`/s/${sessionId}`} onClick={onLinkClick}>
                {t('start.recent.open', { title })}
              </a>{' '}
              <span class="muted">
                {t('start.recent.as', { role })}
                {identity.name ? ` (${identity.name})` : ''}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
