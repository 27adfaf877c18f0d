// The conversation guide: tips, then the questions as a checklist with notes per question.
// A tick is a plain value in the shared map (last one wins); the notes are co-edited.
import { loc, t, useLang } from '../../i18n';
import type { GuideActivity } from '../../net/workshop-types';
import { GUIDES, guideCheckedKey, guideNotesKey, mapAt, textAt } from '../../state/doc-schema';
import { useYVersion } from '../../ui/hooks';
import { useSessionContext } from '../../ui/session-context';
import { SharedText } from './shared-text';

export function GuidePanel({ activity }: { activity: GuideActivity }) {
  useLang();
  const { conn } = useSessionContext();
  const guides = conn.doc.getMap<unknown>(GUIDES);
  useYVersion(guides);
  const map = mapAt(guides, activity.id);
  useYVersion(map);
  const headingId = `activity-${activity.id}`;
  const asked = activity.questions.filter((_, n) => map?.get(guideCheckedKey(n)) === true).length;
  return (
    <section class="card" aria-labelledby={headingId} data-testid="guide">
      <h2 id={headingId}>{loc(activity.title)}</h2>
      {activity.intro && <p>{loc(activity.intro)}</p>}
      {activity.tips && activity.tips.length > 0 && (
        <>
          <h3>{t('guide.tips')}</h3>
          <ul class="tips">
            {activity.tips.map((tip, i) => (
              <li key={i}>{loc(tip)}</li>
            ))}
          </ul>
        </>
      )}
      <h3>{t('guide.questions')}</h3>
      <p class="muted">{t('guide.asked', { n: asked, count: activity.questions.length })}</p>
      <ol class="guide">
        {activity.questions.map((question, n) => {
          const checkId = `${activity.id}-q${n}`;
          return (
            <li key={n} class="guide__item">
              <div class="check">
                <input
                  id={checkId}
                  type="checkbox"
                  class="check__box"
                  checked={map?.get(guideCheckedKey(n)) === true}
                  disabled={!map}
                  onChange={(e) => map?.set(guideCheckedKey(n), e.currentTarget.checked)}
                />
                <label for={checkId} class="check__label">
                  {loc(question)}
                </label>
              </div>
              <SharedText
                text={textAt(map, guideNotesKey(n))}
                field={`${activity.id}/${guideNotesKey(n)}`}
                label={t('guide.notes')}
                labelSuffix={t('guide.questionN', { n: n + 1 })}
                rows={2}
              />
            </li>
          );
        })}
      </ol>
    </section>
  );
}
