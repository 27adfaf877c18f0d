// /s/ID: the session for a facilitator or a participant (the role comes from `welcome`). The
// current phase with its activities and the board; facilitators also get the controls.
import { useMemo } from 'preact/hooks';
import { t, useLang } from '../i18n';
import { steers } from '../net/control';
import { type Identity, resolveIdentity } from '../state/identity';
import { useFocusKeeper } from '../ui/focus-keeper';
import { useFocusHeadingOnMount } from '../ui/hooks';
import { SessionContext, useSessionContext } from '../ui/session-context';
import { useWorkshopSession } from '../ui/use-workshop-session';
import { ConnectionBanner } from './connection-banner';
import { FacilitatorControls } from './facilitator/facilitator-controls';
import { FacilitatorSide } from './facilitator/facilitator-side';
import { Layout } from './layout';
import { PeopleList } from './people-list';
import { NoSeatPage, StoppedMessage } from './stopped';
import { UndoBar } from './undo-bar';
import { Board } from './workshop/board';
import { EndSignal } from './workshop/end-signal';
import { PhoneClockBar } from './workshop/phone-clock-bar';
import { PhasePanel } from './workshop/phase-panel';
import { ReadyToggle } from './workshop/ready-toggle';
import { useWorkshopAnnouncements } from './workshop/use-announcements';

export function SessionPage({ id }: { id: string }) {
  useLang();
  // Read once per session: this takes the token out of the address bar.
  const identity = useMemo(() => resolveIdentity(id, 'member'), [id]);
  if (!identity) return <NoSeatPage />;
  return <ConnectedSession id={id} identity={identity} />;
}

function ConnectedSession({ id, identity }: { id: string; identity: Identity }) {
  useLang();
  const { state, workshop, context } = useWorkshopSession(id, 'member', identity);
  const heading = useFocusHeadingOnMount([id]);
  useFocusKeeper();
  const title = workshop?.title || identity.title || t('session.untitled');


  if (state.status === 'stopped' && state.stopReason) {
    return (
      <Layout title={t(`stopped.${state.stopReason}.title`)}>
        <StoppedMessage reason={state.stopReason} />
      </Layout>
    );
  }

  return (
    <Layout title={title} banner={<ConnectionBanner state={state} />} wide>
      <h1 ref={heading} tabIndex={-1} class="page-title">
        {title}
      </h1>
      {context && workshop ? (
        <SessionContext.Provider value={context}>
          <SessionBody />
        </SessionContext.Provider>
      ) : (
        <p class="lead muted" role="status">
          {t('session.connecting')}
        </p>
      )}
    </Layout>
  );
}

function SessionBody() {
  useLang();
  const { welcome, people } = useSessionContext();
  const lead = steers(welcome.role);
  useWorkshopAnnouncements();
  if (lead) {
    // Controls and the live view side by side on a wide screen (styles/facilitator.css);
    // on a narrow one the controls come first, the secondary panels last.
    return (
      <>
        <p class="lead" data-testid="you-are">
          {t('session.youLead')}
        </p>
        <PhoneClockBar />
        <div class="lead-grid" data-testid="lead-grid">
          <div class="lead-grid__controls" data-testid="lead-controls">
            <FacilitatorControls />
          </div>
          <div class="lead-grid__live" data-testid="lead-live">
            <PhasePanel />
            <section class="card my-tools" aria-label={t('phone.toolsLabel')} data-testid="my-tools">
              <EndSignal />
            </section>
            <Board />
          </div>
          <div class="lead-grid__panels" data-testid="lead-panels">
            <FacilitatorSide />
          </div>
        </div>
        <UndoBar />
      </>
    );
  }
  return (
    <>
      <p class="lead" data-testid="you-are">
        {t('session.youAre', { name: welcome.name })}
      </p>
      <PhoneClockBar />
      <div class="session-grid">
        <div class="session-grid__main">
          <PhasePanel />
          <section class="card my-tools" aria-label={t('phone.toolsLabel')} data-testid="my-tools">
            <ReadyToggle />
            <EndSignal />
          </section>
          <Board />
        </div>
        <div class="session-grid__side">
          <PeopleList people={people} />
        </div>
      </div>
      <UndoBar />
    </>
  );
}
