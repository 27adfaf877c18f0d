// The current board (this carousel round's, or this phase's): an input line "in de chat" that
// posts a post-it, everyone's post-its appearing live, voting (a budget per board), and
// grouping without dragging (tick post-its, then put them in a new or existing group).
// Facilitators can also hide a post-it, and look back at earlier boards.
import { useState } from 'preact/hooks';
import { t, tCount, useLang } from '../../i18n';
import { steers } from '../../net/control';
import type { IdeaView } from '../../net/workshop-types';
import { boardLabel, ideasOn, knownBoards } from '../../state/boards';
import { useSessionContext, useWorkshop } from '../../ui/session-context';
import { useBoardView } from '../../ui/board-view';
import { isPendingRemoval, usePendingRemovals } from '../../ui/undo';
import { BoardViewToggle } from './board-view-toggle';
import { ChatStream } from './chat-stream';
import { Composer } from './composer';
import { GroupBar } from './group-bar';
import { GroupHeading } from './group-heading';
import { IdeaCard } from './idea-card';

export function Board() {
  useLang();
  const { welcome } = useSessionContext();
  const state = useWorkshop();
  const lead = steers(welcome.role);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  // Facilitators may look back at another board; everyone else sees the current one.
  const [lookBack, setLookBack] = useState<string | null>(null);
  // "Chat / Wand": the chat shows the current board as a stream (chat-stream.tsx).
  const [view, setView] = useBoardView();
  const boards = knownBoards(state);
  const shown = lead && lookBack && boards.some((b) => b.id === lookBack) ? lookBack : state.board;
  const current = shown === state.board;
  const removals = usePendingRemovals();
  const ideas = ideasOn(state, shown).filter((idea) => !isPendingRemoval(removals, `idea:${idea.id}`));
  const ideaIds = new Set(ideas.map((i) => i.id));
  const spent = state.myVotes.filter((id) => ideaIds.has(id)).length;
  const left = Math.max(0, state.settings.votes_per_participant - spent);
  const visibleIds = new Set(ideas.map((i) => i.id));
  const chosen = [...selected].filter((id) => visibleIds.has(id));

  function toggle(id: string, on: boolean) {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  }

  const groups = state.groups
    .map((group) => ({ group, ideas: ideas.filter((i) => i.group_id === group.id) }))
    .filter((g) => g.ideas.length > 0);
  const loose = ideas.filter((i) => !i.group_id || !state.groups.some((g) => g.id === i.group_id));
  const card = (idea: IdeaView) => (
    <IdeaCard key={idea.id} idea={idea} selected={selected.has(idea.id)} onSelect={toggle} votesLeft={left} voted={state.myVotes.includes(idea.id)} />
  );

  // In the chat the board is always the current one (the wall may look back).
  const chatIdeas = view === 'chat' && !current ? ideasOn(state, state.board) : ideas;
  const chatLeft =
    view === 'chat' && !current
      ? Math.max(0, state.settings.votes_per_participant - state.myVotes.filter((id) => chatIdeas.some((i) => i.id === id)).length)
      : left;
  const meta = (
    <p class="board__meta">
      {tCount('board.count', chatIdeas.length)}
      {' · '}
      <span data-testid="votes-left">{tCount('board.votesLeft', chatLeft)}</span>
      {lead && state.settings.anonymous_posting && <> · {t('board.anonymousOn')}</>}
    </p>
  );

  return (
    <section class="card board" aria-labelledby="board-heading" data-testid="board">
      <h2 id="board-heading">{t('board.heading')}</h2>
      <p class="board__name" data-testid="board-name">
        {boardLabel(state, view === 'chat' ? state.board : shown)}
      </p>
      <BoardViewToggle view={view} onChange={setView} />
      {view === 'chat' ? (
        <>
          {meta}
          <ChatStream />
        </>
      ) : (
        <>
      {lead && boards.length > 1 && (
        <p class="field">
          <label for="board-pick">{t('board.pick')}</label>{' '}
          <select id="board-pick" class="input" data-testid="board-pick" value={shown} onChange={(e) => setLookBack(e.currentTarget.value)}>
            {boards.map((b) => (
              <option key={b.id} value={b.id}>
                {b.id === state.board ? t('board.currentOption', { name: b.label }) : b.label}
              </option>
            ))}
          </select>
        </p>
      )}
      {current ? (
        <Composer />
      ) : (
        <p class="notice" role="status">
          {t('board.lookingBack')}{' '}
          <button type="button" class="button button--quiet" onClick={() => setLookBack(null)}>
            {t('board.backToCurrent')}
          </button>
        </p>
      )}
      {meta}
      {ideas.length > 0 && <GroupBar chosen={chosen} onDone={() => setSelected(new Set())} />}
      {groups.map(({ group, ideas: inGroup }) => (
        <section key={group.id} class="idea-group" aria-label={group.label}>
          <GroupHeading group={group} count={inGroup.length} />
          <ul class="plain-list ideas">{inGroup.map(card)}</ul>
        </section>
      ))}
      {loose.length > 0 && (
        <section class="idea-group idea-group--loose" aria-labelledby="loose-heading">
          {groups.length > 0 && (
            <h3 id="loose-heading" class="idea-group__title">
              {t('board.loose')}
            </h3>
          )}
          {groups.length === 0 && (
            <h3 id="loose-heading" class="sr-only">
              {t('board.all')}
            </h3>
          )}
          <ul class="plain-list ideas" data-testid="ideas">
            {loose.map(card)}
          </ul>
        </section>
      )}
      {ideas.length === 0 && <p class="muted">{t('board.empty')}</p>}
        </>
      )}
    </section>
  );
}
