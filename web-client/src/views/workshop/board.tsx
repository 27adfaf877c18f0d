// The board of this phase: an input line "in de chat" that posts a post-it, everyone's
// post-its appearing live, voting, and grouping without dragging (tick post-its, then put
// them in a new or existing group). Facilitators can also hide a post-it.
import { useState } from 'preact/hooks';
import { t, tCount, useLang } from '../../i18n';
import { steers } from '../../net/control';
import type { IdeaView } from '../../net/workshop-types';
import { currentPhase } from '../../state/template';
import { useSessionContext, useWorkshop } from '../../ui/session-context';
import { Composer } from './composer';
import { GroupBar } from './group-bar';
import { GroupHeading } from './group-heading';
import { IdeaCard } from './idea-card';

export function Board() {
  useLang();
  const { welcome } = useSessionContext();
  const state = useWorkshop();
  const phase = currentPhase(state);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const ideas = state.ideas.filter((idea) => idea.phase_id === phase?.id);
  const left = Math.max(0, state.settings.votes_per_participant - state.myVotes.length);
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

  return (
    <section class="card board" aria-labelledby="board-heading" data-testid="board">
      <h2 id="board-heading">{t('board.heading')}</h2>
      <Composer />
      <p class="board__meta">
        {tCount('board.count', ideas.length)}
        {' · '}
        <span data-testid="votes-left">{tCount('board.votesLeft', left)}</span>
        {steers(welcome.role) && state.settings.anonymous_posting && <> · {t('board.anonymousOn')}</>}
      </p>
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
    </section>
  );
}
