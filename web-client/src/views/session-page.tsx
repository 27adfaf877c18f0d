// /s/ID: the session for a facilitator or a participant (the role comes from `welcome`).
// Until the workshop engine lands, the session is one shared notes field.
import { t, useLang } from '../i18n';
import { steers } from '../net/control';
import { type Identity, loadIdentity, resolveIdentity } from '../state/identity';
import { useConnectionState, useFocusHeadingOnMount, usePeople, useYMapValue } from '../ui/hooks';
import { useSession } from '../ui/use-session';
import { ConnectionBanner } from './connection-banner';
import { Layout } from './layout';
import { NotesField } from './notes-field';
import { PeopleList } from './people-list';
import { SharePanel } from './share-panel';
import { NoSeatMessage, StoppedMessage } from './stopped';
import { useMemo } from 'preact/hooks';

export function SessionPage({ id }: { id: string }) {
  useLang();
  // Read once per session: this takes the token out of the address bar.
  const identity = useMemo(() => resolveIdentity(id, 'member'), [id]);
  if (!identity) {
    return (
      <Layout title={t('noSeat.title')}>
        <NoSeatMessage />
      </Layout>
    );
  }
  return <ConnectedSession id={id} identity={identity} />;
}

function ConnectedSession({ id, identity }: { id: string; identity: Identity }) {
  useLang();
  const conn = useSession(id, 'member', identity);
  const state = useConnectionState(conn);
  const people = usePeople(conn);
  const meta = conn.doc.getMap('meta');
  const sharedTitle = useYMapValue<string>(meta, 'title');
  const sharedCode = useYMapValue<string>(meta, 'join_code');
  const heading = useFocusHeadingOnMount([id]);
  const title = sharedTitle || identity.title || t('session.untitled');
  const welcome = state.welcome;

  if (state.status === 'stopped' && state.stopReason) {
    return (
      <Layout title={t(`stopped.${state.stopReason}.title`)}>
        <StoppedMessage reason={state.stopReason} />
      </Layout>
    );
  }

  // The stored identity may have learned more since mount (title, code).
  const stored = loadIdentity(id, 'member') ?? identity;
  return (
    <Layout title={title} banner={<ConnectionBanner state={state} />}>
      <h1 ref={heading} tabIndex={-1} class="page-title">
        {title}
      </h1>
      {welcome ? (
        <p class="lead" data-testid="you-are">
          {steers(welcome.role) ? t('session.youLead') : t('session.youAre', { name: welcome.name })}
        </p>
      ) : (
        <p class="lead muted" role="status">
          {t('session.connecting')}
        </p>
      )}
      <div class="session-grid">
        <div class="session-grid__main">
          <NotesField conn={conn} people={people} />
        </div>
        <div class="session-grid__side">
          {welcome && steers(welcome.role) && (
            <SharePanel
              sessionId={id}
              joinCode={stored.joinCode ?? sharedCode}
              displayToken={stored.displayToken}
            />
          )}
          <PeopleList people={people} />
        </div>
      </div>
    </Layout>
  );
}
