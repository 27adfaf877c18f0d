// One post-it: its text (always as text), who wrote it, its votes, a tick box for grouping,
// and for facilitators a hide button.
import { t, tCount, useLang } from '../../i18n';
import { steers } from '../../net/control';
import type { IdeaView } from '../../net/workshop-types';
import { useSessionContext } from '../../ui/session-context';
import { useCommand } from '../../ui/use-command';

interface Props {
  idea: IdeaView;
  selected: boolean;
  onSelect: (id: string, on: boolean) => void;
  votesLeft: number;
  voted: boolean;
}

export function IdeaCard({ idea, selected, onSelect, votesLeft, voted }: Props) {
  useLang();
  const { welcome, outbox } = useSessionContext();
  const { run, busy, error } = useCommand();
  const mine = outbox.isMine(idea.client_ref) || idea.author_id === welcome.participant_id;
  const lead = steers(welcome.role);
  const textId = `idea-${idea.id}`;
  const author = mine ? t('idea.byMe') : idea.author_name ? t('idea.by', { name: idea.author_name }) : t('idea.anonymous');
  return (
    <li class={`idea${idea.hidden ? ' idea--hidden' : ''}${selected ? ' idea--selected' : ''}`} data-testid="idea" data-idea-id={idea.id}>
      <p id={textId} class="idea__text">
        {idea.text}
      </p>
      <p class="idea__meta">
        {author}
        {idea.hidden && <strong class="idea__flag"> · {t('idea.hidden')}</strong>}
      </p>
      <div class="idea__actions">
        <span class="check check--small">
          <input
            id={`${textId}-pick`}
            type="checkbox"
            class="check__box"
            checked={selected}
            onChange={(e) => onSelect(idea.id, e.currentTarget.checked)}
            aria-describedby={textId}
          />
          <label for={`${textId}-pick`} class="check__label">
            {t('idea.pick')}
          </label>
        </span>
        <button
          type="button"
          class={`button button--quiet vote${voted ? ' vote--on' : ''}`}
          aria-pressed={voted ? 'true' : 'false'}
          aria-describedby={textId}
          disabled={busy || (!voted && votesLeft === 0)}
          onClick={() => run({ type: voted ? 'unvote' : 'vote', idea_id: idea.id }, voted ? t('idea.unvoted') : t('idea.voted'))}
        >
          <span aria-hidden="true">{voted ? '★' : '☆'}</span> {t('idea.vote')}{' '}
          <span class="vote__count">({tCount('idea.votes', idea.votes)})</span>
        </button>
        {idea.group_id && (
          <button type="button" class="button button--quiet" aria-describedby={textId} disabled={busy} onClick={() => run({ type: 'ungroup', idea_id: idea.id }, t('idea.ungrouped'))}>
            {t('idea.ungroup')}
          </button>
        )}
        {lead && (
          <button
            type="button"
            class="button button--quiet"
            aria-describedby={textId}
            disabled={busy}
            onClick={() => run({ type: 'hide_idea', idea_id: idea.id, hidden: !idea.hidden }, idea.hidden ? t('idea.shown') : t('idea.hiddenDone'))}
          >
            {idea.hidden ? t('idea.unhide') : t('idea.hide')}
          </button>
        )}
      </div>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
