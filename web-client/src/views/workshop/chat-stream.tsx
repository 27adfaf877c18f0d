// The current board as a chat: every post-it in the order it was posted, newest at the
// bottom, one's own marked and on the right, the input line under it. The same post-its as
// the wall (the same cards, so edit, delete and "ongedaan maken" work the same), another view.
//
// It scrolls to the newest only when the reader is already at the bottom (or just posted);
// someone reading back is not pulled down, but sees a button to the new ones. It announces
// nothing itself: the page's announcements (use-announcements.ts) say what is new.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { t, tCount, useLang } from '../../i18n';
import type { IdeaView } from '../../net/workshop-types';
import { ideasOn } from '../../state/boards';
import { useSessionContext, useWorkshop } from '../../ui/session-context';
import { isPendingRemoval, usePendingRemovals } from '../../ui/undo';
import { Composer } from './composer';
import { IdeaCard } from './idea-card';

/** Within this many pixels of the end counts as "at the bottom". */
const BOTTOM_SLACK = 40;

export function ChatStream() {
  useLang();
  const { welcome, outbox } = useSessionContext();
  const state = useWorkshop();
  const removals = usePendingRemovals();
  const ideas = ideasOn(state, state.board).filter((idea) => !isPendingRemoval(removals, `idea:${idea.id}`));
  const ideaIds = new Set(ideas.map((i) => i.id));
  const spent = state.myVotes.filter((id) => ideaIds.has(id)).length;
  const left = Math.max(0, state.settings.votes_per_participant - spent);
  const list = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  const lastSeen = useRef<string | null>(null);
  const [newBelow, setNewBelow] = useState(0);
  const isMine = (idea: IdeaView) =>
    outbox.isMine(idea.client_ref) || idea.author_id === welcome.participant_id || state.myIdeas.includes(idea.id);
  const newest = ideas[ideas.length - 1];

  useLayoutEffect(() => {
    const el = list.current;
    const previous = lastSeen.current;
    lastSeen.current = newest?.id ?? null;
    if (!el || !newest || newest.id === previous) return;
    if (atBottom.current || previous === null || isMine(newest)) {
      el.scrollTop = el.scrollHeight;
      atBottom.current = true;
      setNewBelow(0);
    } else {
      setNewBelow((n) => n + 1);
    }
  }, [newest?.id]);

  function onScroll() {
    const el = list.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK;
    if (atBottom.current) setNewBelow(0);
  }

  function toNewest() {
    const el = list.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setNewBelow(0);
    el.focus();
  }

  return (
    <div class="chat" data-testid="chat">
      {ideas.length === 0 ? (
        <p class="muted chat__empty">{t('board.empty')}</p>
      ) : (
        <ol
          ref={list}
          class="plain-list chat__list"
          aria-label={t('chat.listLabel')}
          tabIndex={0}
          onScroll={onScroll}
          data-testid="chat-list"
        >
          {ideas.map((idea) => (
            <IdeaCard key={idea.id} idea={idea} selected={false} onSelect={() => undefined} votesLeft={left} voted={state.myVotes.includes(idea.id)} chat />
          ))}
        </ol>
      )}
      {newBelow > 0 && (
        <button type="button" class="button button--secondary chat__new" onClick={toNewest} data-testid="chat-new">
          {tCount('chat.newBelow', newBelow)} <span aria-hidden="true">↓</span>
        </button>
      )}
      <Composer />
    </div>
  );
}
