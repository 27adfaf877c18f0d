// /s/ID/print/{blank|format|plan|results}: pages made for paper (A4, see print.css). The
// workbook says the connection format "is digitaal in te vullen of uit te printen": here it
// is blank, to fill in by hand, or filled, as typed; also the communication plan and
// everything together in the workshop's order. A client route, not a server export: it reads
// the live session with this person's own seat (so a participant can print too, with their
// own personal note), and needs nothing the server does not already send them.
import { useMemo } from 'preact/hooks';
import { getLang, loc, t, useLang } from '../../i18n';
import type { ConnectionFormatActivity, PlanActivity } from '../../net/workshop-types';
import { onLinkClick } from '../../router';
import { blankFormat, readFormats, readPlan } from '../../state/doc-read';
import { type Identity, resolveIdentity } from '../../state/identity';
import { firstActivity } from '../../state/template';
import { SessionContext, useSessionContext, useWorkshop } from '../../ui/session-context';
import { useWorkshopSession } from '../../ui/use-workshop-session';
import { ConnectionBanner } from '../connection-banner';
import { useDocVersion } from '../display/use-doc-version';
import { Layout } from '../layout';
import { NoSeatPage, StoppedMessage } from '../stopped';
import { PrintFormat } from './print-format';
import { PrintPlan } from './print-plan';
import { PrintResults } from './print-results';

export type PrintWhat = 'blank' | 'format' | 'plan' | 'results';

const TITLES: Record<PrintWhat, 'print.title.blank' | 'print.title.format' | 'print.title.plan' | 'print.title.results'> = {
  blank: 'print.title.blank',
  format: 'print.title.format',
  plan: 'print.title.plan',
  results: 'print.title.results',
};

export function PrintPage({ id, what }: { id: string; what: PrintWhat }) {
  useLang();
  const identity = useMemo(() => resolveIdentity(id, 'member'), [id]);
  if (!identity) return <NoSeatPage />;
  return <ConnectedPrint id={id} what={what} identity={identity} />;
}

function ConnectedPrint({ id, what, identity }: { id: string; what: PrintWhat; identity: Identity }) {
  useLang();
  const { state, workshop, context } = useWorkshopSession(id, 'member', identity);
  if (state.status === 'stopped' && state.stopReason) {
    return (
      <Layout title={t(`stopped.${state.stopReason}.title`)}>
        <StoppedMessage reason={state.stopReason} />
      </Layout>
    );
  }
  const title = t(TITLES[what]);
  return (
    <Layout title={title} variant="print" banner={<ConnectionBanner state={state} />}>
      <div class="print-toolbar">
        <a href={`/s/${id}`} onClick={onLinkClick}>
          {t('print.back')}
        </a>
        <button type="button" class="button" onClick={() => window.print()} disabled={!workshop}>
          {t('print.print')}
        </button>
        <p class="hint">{t('print.hint')}</p>
      </div>
      {context && workshop ? (
        <SessionContext.Provider value={context}>
          <PrintBody what={what} title={title} />
        </SessionContext.Provider>
      ) : (
        <>
          <h1 class="print-title">{title}</h1>
          <p class="muted" role="status">
            {t('session.connecting')}
          </p>
        </>
      )}
    </Layout>
  );
}

function PrintBody({ what, title }: { what: PrintWhat; title: string }) {
  useLang();
  const { conn } = useSessionContext();
  useDocVersion(conn.doc);
  const state = useWorkshop();
  const format = firstActivity(state.template, 'connection_format');
  const plan = firstActivity(state.template, 'communication_plan');
  return (
    <article class={`print print--${what}`} data-testid="print" data-print={what}>
      <header class="print-head">
        <h1 class="print-title">{title}</h1>
        <p class="print-meta">
          {state.title || t('session.untitled')} · {loc(state.template.title)} · {new Date().toLocaleDateString(getLang() === 'nl' ? 'nl-NL' : 'en-GB')}
        </p>
      </header>
      {what === 'blank' && format && <PrintFormat activity={format} format={blankFormat(format)} blank quietTitle />}
      {what === 'format' && format && <Formats activity={format} />}
      {what === 'plan' && plan && <Plan activity={plan} />}
      {what === 'results' && <PrintResults state={state} doc={conn.doc} />}
      {((what !== 'results' && what !== 'plan' && !format) || (what === 'plan' && !plan)) && <p>{t('print.nothing')}</p>}
    </article>
  );
}

/** Every filled format, or the one asked for with ?f=ID (the participant's "Afdrukken"). */
function Formats({ activity }: { activity: ConnectionFormatActivity }) {
  const { conn } = useSessionContext();
  const all = readFormats(conn.doc, activity);
  const wanted = new URLSearchParams(location.search).get('f');
  const shown = wanted && all.some((f) => f.id === wanted) ? all.filter((f) => f.id === wanted) : all;
  if (shown.length === 0) return <p>{t('print.nothing')}</p>;
  return (
    <>
      {shown.map((format) => {
        const n = all.indexOf(format) + 1;
        const name = all.length > 1 ? t('format.number', { n }) : undefined;
        return <PrintFormat key={format.id} activity={activity} format={format} name={name} quietTitle={!name} />;
      })}
    </>
  );
}

function Plan({ activity }: { activity: PlanActivity }) {
  const { conn } = useSessionContext();
  return <PrintPlan activity={activity} data={readPlan(conn.doc, activity)} quietTitle />;
}
