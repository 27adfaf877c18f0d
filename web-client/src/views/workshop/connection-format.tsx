// The connection format ("verbindingsformat"): every format of this activity in the session,
// one shown at a time, and a button for another one (the IDO against another programme).
import { useState } from 'preact/hooks';
import * as Y from 'yjs';
import { loc, t, useLang } from '../../i18n';
import type { ConnectionFormatActivity } from '../../net/workshop-types';
import { FORMAT_ACTIVITY, FORMAT_CREATED, FORMATS, sideNameKey, textAt } from '../../state/doc-schema';
import { useYText, useYVersion } from '../../ui/hooks';
import { announce } from '../../ui/live-region';
import { steers } from '../../net/control';
import { useSessionContext } from '../../ui/session-context';
import { busyAttrs } from '../../ui/use-command';
import { isPendingRemoval, scheduleRemoval, usePendingRemovals } from '../../ui/undo';
import { commandErrorText } from '../command-errors';
import { PrintLinks } from '../print/print-links';
import { FormatEditor } from './format-editor';

export function ConnectionFormatPanel({ activity }: { activity: ConnectionFormatActivity }) {
  useLang();
  const { conn, welcome } = useSessionContext();
  const formats = conn.doc.getMap<unknown>(FORMATS);
  const removals = usePendingRemovals();
  useYVersion(formats);
  const [selected, setSelected] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const list = [...formats.entries()]
    .filter((entry): entry is [string, Y.Map<unknown>] => entry[1] instanceof Y.Map)
    .filter(([, map]) => map.get(FORMAT_ACTIVITY) === activity.id)
    .filter(([id]) => !isPendingRemoval(removals, `format:${id}`))
    .sort(([a, x], [b, y]) => Number(x.get(FORMAT_CREATED) ?? 0) - Number(y.get(FORMAT_CREATED) ?? 0) || a.localeCompare(b));
  const current = list.find(([id]) => id === selected) ?? list[0];
  const editable = activity.sides.find((side) => side.name_editable);

  async function addFormat() {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const reply = await conn.command({ type: 'add_format', activity_id: activity.id });
      setSelected(reply.format_id);
      announce(t('format.added'));
    } catch (err) {
      setError(commandErrorText(err));
    } finally {
      setBusy(false);
    }
  }

  // Only the server deletes a format (clients may not remove the server's containers), and
  // only for facilitators; the last one stays.
  function removeFormat(formatId: string, n: number) {
    const what = t('format.number', { n });
    scheduleRemoval(`format:${formatId}`, what, () => {
      conn.command({ type: 'remove_format', format_id: formatId }).catch((err) => setError(commandErrorText(err)));
    });
    setSelected(null);
    announce(t('undo.removed', { what }));
  }
  const currentIndex = current ? list.indexOf(current) : -1;

  const headingId = `activity-${activity.id}`;
  return (
    <section class="card format" aria-labelledby={headingId} data-testid="connection-format">
      <h2 id={headingId}>{loc(activity.title)}</h2>
      {activity.intro && <p>{loc(activity.intro)}</p>}
      {list.length > 1 && (
        <nav class="format-tabs" aria-label={t('format.choose')}>
          <ul class="plain-list format-tabs__list">
            {list.map(([id, map], i) => (
              <li key={id}>
                <button
                  type="button"
                  class="button button--quiet"
                  aria-current={current?.[0] === id ? 'true' : undefined}
                  onClick={() => setSelected(id)}
                >
                  <FormatName n={i + 1} text={editable ? textAt(map, sideNameKey(editable.id)) : null} />
                </button>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {current ? (
        <FormatEditor key={current[0]} formatId={current[0]} map={current[1]} activity={activity} />
      ) : (
        <p class="muted" role="status">
          {t('common.loading')}
        </p>
      )}
      {current && <PrintLinks only={['format', 'blank']} formatId={current[0]} name={t('print.linksFormat')} />}
      {current && steers(welcome.role) && list.length > 1 && (
        <p>
          <button type="button" class="button button--quiet" data-testid="remove-format" onClick={() => removeFormat(current[0], currentIndex + 1)}>
            {t('format.remove')}
          </button>
        </p>
      )}
      {(activity.repeatable ?? false) && (
        <div class="format__add">
          <button type="button" class="button button--secondary" onClick={addFormat} {...busyAttrs(busy)}>
            {t('format.add')}
          </button>
          <p class="hint">{t('format.addHint')}</p>
          {error && (
            <p class="error-text" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </section>
  );
}

function FormatName({ n, text }: { n: number; text: Y.Text | null }) {
  return text ? <FormatNameLive n={n} text={text} /> : <>{t('format.number', { n })}</>;
}

function FormatNameLive({ n, text }: { n: number; text: Y.Text }) {
  const name = useYText(text).trim();
  return <>{name ? t('format.numberNamed', { n, name }) : t('format.number', { n })}</>;
}
