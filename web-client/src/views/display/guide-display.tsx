// Phase 5 on the projector: the conversation guide's questions, the ones already asked ticked.
import { loc, t, useLang } from '../../i18n';
import type { GuideActivity } from '../../net/workshop-types';
import { readGuide } from '../../state/doc-read';
import { useSessionContext } from '../../ui/session-context';
import { FitBox } from './fit-box';
import { useDocVersion } from './use-doc-version';

export function GuideDisplay({ activity }: { activity: GuideActivity }) {
  useLang();
  const { conn } = useSessionContext();
  const version = useDocVersion(conn.doc);
  const questions = readGuide(conn.doc, activity);
  const asked = questions.filter((q) => q.asked).length;
  return (
    <section class="display-view display-view--guide" aria-labelledby="display-guide" data-testid="display-guide">
      <h2 id="display-guide" class="display__label">
        {loc(activity.title)} <span class="display__wall-count">({t('guide.asked', { n: asked, count: questions.length })})</span>
      </h2>
      <FitBox count={questions.length} signature={`${version}`}>
        {(shown) => (
          <ol class="display-guide">
            {questions.slice(0, shown).map((q, i) => (
              <li key={i} class={`display-guide__item${q.asked ? ' display-guide__item--asked' : ''}`} data-fit-item>
                <span class="display-guide__mark" aria-hidden="true">
                  {q.asked ? '✓' : ''}
                </span>
                <span>
                  {q.question}
                  {q.asked && <span class="sr-only"> ({t('display.asked')})</span>}
                </span>
              </li>
            ))}
          </ol>
        )}
      </FitBox>
    </section>
  );
}
