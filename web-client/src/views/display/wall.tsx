// The post-its of the current board (this round's or this phase's) on the projector: grouped,
// the most votes first, always fitted to the screen. The type shrinks as the wall fills; when
// even the smallest type does not fit, the wall shows a page at a time ("nog N" says how many
// are not on the screen now) and turns the page every few seconds. Text only: never markup.
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, tCount, useLang } from '../../i18n';
import type { IdeaView } from '../../net/workshop-types';
import { ideasOn } from '../../state/boards';
import type { WorkshopState } from '../../state/workshop-reducer';
import { useWorkshop } from '../../ui/session-context';
import { useFit } from './use-fit';

/** How long one page of post-its stays up when they do not all fit. */
const PAGE_MS = 15_000;

export interface WallIdea {
  idea: IdeaView;
  /** The group's name, or null for post-its in no group. */
  group: string | null;
  groupId: string;
}

function byVotes(a: IdeaView, b: IdeaView): number {
  return b.votes - a.votes || a.created_at - b.created_at || (a.id < b.id ? -1 : 1);
}

/** A board's visible post-its in wall order: groups (most votes first), then the loose ones. */
export function wallOrder(state: WorkshopState, board: string = state.board): WallIdea[] {
  const ideas = ideasOn(state, board).filter((idea) => !idea.hidden);
  const known = new Set(state.groups.map((g) => g.id));
  const groups = state.groups
    .map((group) => ({ group, ideas: ideas.filter((i) => i.group_id === group.id).sort(byVotes) }))
    .filter((g) => g.ideas.length > 0)
    .map((g) => ({ ...g, votes: g.ideas.reduce((sum, i) => sum + i.votes, 0) }))
    .sort((a, b) => b.votes - a.votes);
  const loose = ideas.filter((i) => !i.group_id || !known.has(i.group_id)).sort(byVotes);
  return [
    ...groups.flatMap((g) => g.ideas.map((idea) => ({ idea, group: g.group.label, groupId: g.group.id }))),
    ...loose.map((idea) => ({ idea, group: null, groupId: '' })),
  ];
}

export function Wall() {
  useLang();
  const state = useWorkshop();
  const all = wallOrder(state);
  const [start, setStart] = useState(0);
  const from = start < all.length ? start : 0;
  const rest = all.slice(from);
  const box = useRef<HTMLDivElement>(null);
  const signature = rest.map(({ idea, groupId }) => `${idea.id}:${idea.votes}:${groupId}:${idea.text.length}`).join(',');
  // Never smaller than about 20 px on a 1080p projector: a page more is better than unreadable.
  const { scale, shown } = useFit(box, rest.length, signature, { min: 0.65 });
  const page = shown === null ? rest : rest.slice(0, shown);
  const notShown = shown === null ? 0 : all.length - page.length;
  const grouped = all.some((w) => w.group !== null);

  // Turns the page while some post-its are not on the screen.
  useEffect(() => {
    if (shown === null || notShown === 0) return;
    const timer = setTimeout(() => setStart(from + shown >= all.length ? 0 : from + shown), PAGE_MS);
    return () => clearTimeout(timer);
  }, [from, shown, notShown, all.length]);

  return (
    <section class="display__wall" aria-labelledby="wall-heading">
      <h2 id="wall-heading" class="display__label">
        {t('display.wall')} <span class="display__wall-count">({all.length})</span>
        {all.length > 1 && <span class="display__wall-order"> · {t('display.wallOrder')}</span>}
      </h2>
      {all.length === 0 ? (
        <p class="display__big muted">{t('display.wallEmpty')}</p>
      ) : (
        <>
          <div ref={box} class="wall-box" style={{ '--fit': String(scale) }}>
            <ul class="plain-list wall" data-testid="wall" data-measuring={shown === null ? 'true' : undefined}>
              {page.map(({ idea, group, groupId }, i) => {
                const heading = grouped && (i === 0 || page[i - 1]?.groupId !== groupId);
                return [
                  heading && (
                    <li key={`g-${groupId || 'loose'}`} class="wall__group" aria-hidden="true">
                      {group ?? t('board.loose')}
                    </li>
                  ),
                  <li key={idea.id} class="wall__item" data-fit-item data-testid="wall-item">
                    {grouped && <span class="sr-only">{group ?? t('board.loose')}: </span>}
                    <p class="wall__text">{idea.text}</p>
                    {idea.votes > 0 && <p class="wall__votes">{tCount('idea.votes', idea.votes)}</p>}
                  </li>,
                ];
              })}
            </ul>
          </div>
          <p class="wall-more" data-testid="wall-more" aria-live="off">
            {notShown > 0 ? t('display.wallMore', { n: notShown }) : '\u00a0'}
          </p>
        </>
      )}
    </section>
  );
}
