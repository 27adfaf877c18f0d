// The connection format on paper, in the workbook's order: page 1 the two programmes (the
// green blocks: goals, primary and indirect target groups, who is involved) with the blue
// connection blocks between them; page 2 notes, opportunities, challenges and the actions
// with a date. Blank, it has room to write by hand; filled, it holds what was typed.
import { loc, t, useLang } from '../../i18n';
import type { ConnectionFormatActivity } from '../../net/workshop-types';
import type { FormatData, LabelledText } from '../../state/doc-read';

interface Props {
  activity: ConnectionFormatActivity;
  format: FormatData;
  blank?: boolean;
  /** "Format 2", when the session has several. */
  name?: string;
  /** The page's own title already says it: the format's title is for screen readers only. */
  quietTitle?: boolean;
}

function Box({ block, help, blank }: { block: LabelledText; help?: string; blank: boolean }) {
  return (
    <div class={`print-box${blank ? ' print-box--blank' : ''}`}>
      <h4 class="print-box__label">{block.label}</h4>
      {help && <p class="print-box__help">{help}</p>}
      {!blank && <p class="print-box__text">{block.text.trim() || '–'}</p>}
    </div>
  );
}

export function PrintFormat({ activity, format, blank = false, name, quietTitle = false }: Props) {
  useLang();
  const [left, right] = format.sides;
  const sideHelp = (i: number) => activity.side_blocks[i]?.help;
  return (
    <section class="print-format" data-testid={blank ? 'print-blank-format' : 'print-format'}>
      <div class="print-sheet">
        <h2 class={quietTitle ? 'sr-only' : 'print-sheet__title'}>
          {loc(activity.title)}
          {name && `: ${name}`}
        </h2>
        <h3 class="print-sheet__page">{t('format.page1')}</h3>
        <div class="print-format__grid">
          {[left, null, right].map((side, col) => {
            if (side) {
              const sideIndex = col === 0 ? 0 : 1;
              const unnamed = blank && activity.sides[sideIndex]?.name_editable;
              return (
                <section key={col} class="print-col print-col--green" aria-label={side.name}>
                  <h3 class="print-col__title">
                    {t('print.programme')} {unnamed ? <span class="print-line" aria-hidden="true" /> : side.name}
                  </h3>
                  {side.blocks.map((block, i) => (
                    <Box key={block.label} block={block} blank={blank} help={blank ? loc(sideHelp(i)) : undefined} />
                  ))}
                </section>
              );
            }
            if (format.connections.length === 0) return null;
            return (
              <section key={col} class="print-col print-col--blue" aria-label={t('format.connections')}>
                <h3 class="print-col__title">{t('format.connections')}</h3>
                {format.connections.map((block, i) => (
                  <Box key={block.label} block={block} blank={blank} help={loc(activity.connections?.[i]?.help)} />
                ))}
              </section>
            );
          })}
        </div>
      </div>
      {format.followUp.length > 0 && (
        <div class="print-sheet">
          <h3 class="print-sheet__page">{t('format.page2')}</h3>
          <div class="print-format__follow">
            {format.followUp.map((block, i) =>
              block.text === null ? (
                <div key={block.label} class="print-box print-box--actions">
                  <h4 class="print-box__label">{block.label}</h4>
                  {activity.follow_up?.[i]?.help && <p class="print-box__help">{loc(activity.follow_up[i]?.help)}</p>}
                  <table class="print-table">
                    <thead>
                      <tr>
                        <th scope="col">{t('actions.what')}</th>
                        <th scope="col">{t('actions.who')}</th>
                        <th scope="col">{t('actions.date')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {(blank ? [] : block.actions).map((a, n) => (
                        <tr key={n}>
                          <td>{a.text}</td>
                          <td>{a.owner}</td>
                          <td>{a.date}</td>
                        </tr>
                      ))}
                      {/* Empty lines to write on: on the blank format, and under the typed ones. */}
                      {Array.from({ length: blank ? 6 : Math.max(0, 2 - block.actions.length) }, (_, n) => (
                        <tr key={`empty-${n}`} class="print-table__empty">
                          <td>&nbsp;</td>
                          <td>&nbsp;</td>
                          <td>&nbsp;</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : (
                <Box key={block.label} block={{ label: block.label, text: block.text }} blank={blank} help={loc(activity.follow_up?.[i]?.help)} />
              ),
            )}
          </div>
        </div>
      )}
    </section>
  );
}
