// Phase 3 on the projector: the connection format, its fields filling live. The two
// programmes left and right, the connections between them, then what follows from it. With
// more than one format, each stays up a while in turn.
import { useEffect, useState } from 'preact/hooks';
import { loc, t, useLang } from '../../i18n';
import type { ConnectionFormatActivity } from '../../net/workshop-types';
import { type LabelledText, readFormats } from '../../state/doc-read';
import { useSessionContext } from '../../ui/session-context';
import { FitBox } from './fit-box';
import { useDocVersion } from './use-doc-version';

const TURN_MS = 20_000;

function Blocks({ blocks }: { blocks: LabelledText[] }) {
  return (
    <dl class="display-format__blocks">
      {blocks.map((block) => (
        <div key={block.label} class="display-format__block">
          <dt>{block.label}</dt>
          <dd>{block.text.trim() || '…'}</dd>
        </div>
      ))}
    </dl>
  );
}

export function FormatDisplay({ activity }: { activity: ConnectionFormatActivity }) {
  useLang();
  const { conn } = useSessionContext();
  const version = useDocVersion(conn.doc);
  const formats = readFormats(conn.doc, activity);
  const [turn, setTurn] = useState(0);
  useEffect(() => {
    if (formats.length < 2) return;
    const timer = setInterval(() => setTurn((n) => n + 1), TURN_MS);
    return () => clearInterval(timer);
  }, [formats.length]);
  const index = formats.length ? turn % formats.length : 0;
  const format = formats[index];
  const [left, right] = format?.sides ?? [];
  return (
    <section class="display-view display-view--format" aria-labelledby="display-format" data-testid="display-format">
      <h2 id="display-format" class="display__label">
        {loc(activity.title)}
        {formats.length > 1 && <span class="display__wall-count"> ({t('display.formatOf', { n: index + 1, count: formats.length })})</span>}
      </h2>
      {format ? (
        <FitBox count={0} signature={`${version}:${index}`}>
          {() => (
            <div class="display-format">
              <div class="display-format__grid">
                {left && (
                  <section class="display-format__col display-format__col--green" aria-label={left.name}>
                    <h3>{left.name}</h3>
                    <Blocks blocks={left.blocks} />
                  </section>
                )}
                {format.connections.length > 0 && (
                  <section class="display-format__col display-format__col--blue" aria-label={t('format.connections')}>
                    <h3>{t('format.connections')}</h3>
                    <Blocks blocks={format.connections} />
                  </section>
                )}
                {right && (
                  <section class="display-format__col display-format__col--green" aria-label={right.name}>
                    <h3>{right.name}</h3>
                    <Blocks blocks={right.blocks} />
                  </section>
                )}
              </div>
              {format.followUp.length > 0 && (
                <dl class="display-format__follow">
                  {format.followUp.map((block) => (
                    <div key={block.label} class="display-format__block">
                      <dt>{block.label}</dt>
                      <dd>
                        {block.text === null
                          ? block.actions.length === 0
                            ? '…'
                            : block.actions.map((a, i) => (
                                <span key={i} class="display-format__action">
                                  {a.text}
                                  {a.owner && ` (${a.owner}${a.date ? `, ${a.date}` : ''})`}
                                </span>
                              ))
                          : block.text.trim() || '…'}
                      </dd>
                    </div>
                  ))}
                </dl>
              )}
            </div>
          )}
        </FitBox>
      ) : (
        <p class="display__big muted">{t('common.loading')}</p>
      )}
    </section>
  );
}
