// /s/ID/display: the projector in the room. Large join code, read-only content, nothing to
// click: people read it from across the room.
import { useEffect, useMemo } from 'preact/hooks';
import { t, tCount, useLang } from '../i18n';
import { type Identity, resolveIdentity } from '../state/identity';
import { formatJoinCode } from '../state/join-code';
import { useConnectionState, usePeople, useYMapValue, useYText } from '../ui/hooks';
import { useSession } from '../ui/use-session';
import { ConnectionBanner } from './connection-banner';
import { Layout } from './layout';
import { NoSeatMessage, StoppedMessage } from './stopped';

export function DisplayPage({ id }: { id: string }) {
  useLang();
  const identity = useMemo(() => resolveIdentity(id, 'display'), [id]);
  if (!identity) {
    return (
      <Layout title={t('noSeat.title')}>
        <NoSeatMessage />
      </Layout>
    );
  }
  return <ConnectedDisplay id={id} identity={identity} />;
}

/** Keeps the projector's screen from going dark while the page is visible. */
function useWakeLock() {
  useEffect(() => {
    const nav = navigator as Navigator & {
      wakeLock?: { request(type: 'screen'): Promise<{ release(): Promise<void> }> };
    };
    if (!nav.wakeLock) return;
    let lock: { release(): Promise<void> } | null = null;
    const request = () => {
      if (document.visibilityState !== 'visible') return;
      nav.wakeLock?.request('screen').then((l) => (lock = l), () => {});
    };
    request();
    document.addEventListener('visibilitychange', request);
    return () => {
      document.removeEventListener('visibilitychange', request);
      lock?.release().catch(() => {});
    };
  }, []);
}

function ConnectedDisplay({ id, identity }: { id: string; identity: Identity }) {
  useLang();
  useWakeLock();
  const conn = useSession(id, 'display', identity);
  const state = useConnectionState(conn);
  const people = usePeople(conn);
  const meta = conn.doc.getMap('meta');
  const title = useYMapValue<string>(meta, 'title') || identity.title || t('session.untitled');
  const code = useYMapValue<string>(meta, 'join_code') ?? identity.joinCode;
  const notes = useYText(conn.doc.getText('notes'));

  if (state.status === 'stopped' && state.stopReason) {
    return (
      <Layout title={t(`stopped.${state.stopReason}.title`)}>
        <StoppedMessage reason={state.stopReason} />
      </Layout>
    );
  }
  return (
    <Layout title={title} variant="display" banner={<ConnectionBanner state={state} />}>
      <h1 class="display__title">{title}</h1>
      <div class="display-grid">
        <section class="display__join" aria-labelledby="display-join">
          <h2 id="display-join" class="display__label">
            {t('display.joinWith')}
          </h2>
          <p class="display__code" data-testid="display-code">
            {code ? formatJoinCode(code) : '…'}
          </p>
          <p class="display__host">{t('display.joinAt', { host: location.host })}</p>
          <p class="display__count">{tCount('people.count', people.length)}</p>
        </section>
        <section class="display__notes" aria-labelledby="display-notes">
          <h2 id="display-notes">{t('display.notesHeading')}</h2>
          {notes ? (
            <p class="display__notes-text" data-testid="display-notes">
              {notes}
            </p>
          ) : (
            <p class="muted">{t('notes.empty')}</p>
          )}
        </section>
      </div>
    </Layout>
  );
}
