// One post-it: its text (always as text), who wrote it, its votes, a tick box for grouping,
// for its author edit and delete, and for facilitators hide and delete. Deleting waits a few
// seconds for "ongedaan maken" (`ui/undo.ts`).
import { useState } from 'preact/hooks';
import { t, tCount, useLang } from '../../i18n';
import { steers } from '../../net/control';
import type { IdeaView } from '../../net/workshop-types';
import { announce } from '../../ui/live-region';
import { scheduleRemoval } from '../../ui/undo';
import { busyAttrs, useCommand } from '../../ui/use-command';
import { useSessionContext, useWorkshop } from '../../ui/session-context';

interface Props {
  idea: IdeaView;
  selected: boolean;
  onSelect: (id: string, on: boolean) => void;
  votesLeft: number;
  voted: boolean;
  /** In the chat view (chat-stream.tsx): one's own marked, no grouping tick box. */
  chat?: boolean;
}

export function IdeaCard({ idea, selected, onSelect, votesLeft, voted, chat = false }: Props) {
  useLang();
  const { welcome, outbox, conn } = useSessionContext();
  const state = useWorkshop();
  const { run, busy, error } = useCommand();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(idea.text);
  const mine =
    outbox.isMine(idea.client_ref) || idea.author_id === welcome.participant_id || state.myIdeas.includes(idea.id);
  const lead = steers(welcome.role);
  const canEdit = mine && welcome.role !== 'display';

  function remove() {
    scheduleRemoval(`idea:${idea.id}`, t('idea.what'), () => {
      // Sent after the undo time; a refusal (already gone) needs no words.
      conn.command({ type: 'delete_idea', idea_id: idea.id }).catch(() => undefined);
    });
    announce(t('undo.removed', { what: t('idea.what') }));
  }

  async function save(e: Event) {
    e.preventDefault();
    if (await run({ type: 'edit_idea', idea_id: idea.id, text: draft }, t('idea.saved'))) setEditing(false);
  }
  const textId = `idea-${idea.id}`;
  const author = mine ? t('idea.byMe') : idea.author_name ? t('idea.by', { name: idea.author_name }) : t('idea.anonymous');
  return (
    <li
      class={`idea${idea.hidden ? ' idea--hidden' : ''}${selected ? ' idea--selected' : ''}${chat ? ' idea--chat' : ''}${chat && mine ? ' idea--mine' : ''}`}
      data-testid="idea"
      data-idea-id={idea.id}
      data-mine={mine ? 'true' : undefined}
    >
      {editing ? (
        <form class="idea__edit" onSubmit={save}>
          <label for={`${textId}-edit`} class="sr-only">
            {t('idea.editLabel')}
          </label>
          <textarea id={`${textId}-edit`} class="input" rows={2} value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
          <span class="button-row">
            <button type="submit" class="button button--primary" {...busyAttrs(busy)}>
              {t('idea.save')}
            </button>
            <button type="button" class="button button--quiet" onClick={() => setEditing(false)}>
              {t('idea.cancel')}
            </button>
          </span>
        </form>
      ) : (
        <p id={textId} class="idea__text">
          {idea.text}
        </p>
      )}
      <p class="idea__meta">
        {author}
        {idea.hidden && <strong class="idea__flag"> · {lead ? t('idea.hidden') : t('idea.hiddenForYou')}</strong>}
      </p>
      <div class="idea__actions">
        {!chat && (
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
        )}
        <button
          type="button"
          class={`button button--quiet vote${voted ? ' vote--on' : ''}`}
          aria-pressed={voted ? 'true' : 'false'}
          aria-describedby={textId}
          disabled={!voted && votesLeft === 0}
          {...busyAttrs(busy)}
          onClick={() => run({ type: voted ? 'unvote' : 'vote', idea_id: idea.id }, voted ? t('idea.unvoted') : t('idea.voted'))}
        >
          <span aria-hidden="true">{voted ? '★' : '☆'}</span> {t('idea.vote')}{' '}
          <span class="vote__count">({tCount('idea.votes', idea.votes)})</span>
        </button>
        {idea.group_id && (
          <button type="button" class="button button--quiet" aria-describedby={textId} {...busyAttrs(busy)} onClick={() => run({ type: 'ungroup', idea_id: idea.id }, t('idea.ungrouped'))}>
            {t('idea.ungroup')}
          </button>
        )}
        {canEdit && !editing && (
          <button
            type="button"
            class="button button--quiet"
            aria-describedby={textId}
            onClick={() => {
              setDraft(idea.text);
              setEditing(true);
            }}
          >
            {t('idea.edit')}
          </button>
        )}
        {(canEdit || lead) && (
          <button type="button" class="button button--quiet" aria-describedby={textId} data-testid="delete-idea" onClick={remove}>
            {t('idea.delete')}
          </button>
        )}
        {lead && (
          <button
            type="button"
            class="button button--quiet"
            aria-describedby={textId}
            {...busyAttrs(busy)}
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
