// /s/ID/display: the projector in the room. Read-only, very large type, high contrast: the
// phase, one view per kind of activity (views/display/), the join code with a QR code. No
// cursors, no fields, nothing to click; on a wide screen nothing ever scrolls.
import { useEffect, useMemo } from 'preact/hooks';
import { t, useLang } from '../i18n';
import { type Identity, resolveIdentity } from '../state/identity';
import { SessionContext } from '../ui/session-context';
import { useWorkshopSession } from '../ui/use-workshop-session';
import { ConnectionBanner } from './connection-banner';
import { DisplayBody } from './display/display-body';
import { Layout } from './layout';
import { NoSeatPage, StoppedMessage } from './stopped';
import { EndSignal } from './workshop/end-signal';
import { ReadyCount } from './workshop/ready-count';

export function DisplayPage({ id }: { id: string }) {
  useLang();
  const identity = useMemo(() => resolveIdentity(id, 'display'), [id]);
  if (!identity) return <NoSeatPage />;
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
  const { state, workshop, context } = useWorkshopSession(id, 'display', identity);
  const title = workshop?.title || identity.title || t('session.untitled');

  if (state.status === 'stopped' && state.stopReason) {
    return (
      <Layout title={t(`stopped.${state.stopReason}.title`)}>
        <StoppedMessage reason={state.stopReason} />
      </Layout>
    );
  }
  return (
    <Layout title={title} variant="display" banner={<ConnectionBanner state={state} />}>
      {context && workshop ? (
        <SessionContext.Provider value={context}>
          <DisplayBody ready={<ReadyCount large />} />
          {/* Off until someone at the projector turns the sound on: a browser plays sound
              only after a click on the page itself. */}
          <EndSignal place="display" />
        </SessionContext.Provider>
      ) : (
        <>
          <h1 class="display__title">{title}</h1>
          <p class="display__big muted">{t('session.connecting')}</p>
        </>
      )}
    </Layout>
  );
}
