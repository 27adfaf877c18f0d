// The input line "in de chat". What you type is kept on this device until the server has the
// post-it, so a reconnect, a sleeping phone or a phase change never loses it.
import { useEffect, useId, useState } from 'preact/hooks';
import { t, useLang } from '../../i18n';
import type { OutboxState } from '../../state/post-outbox';
import { announce } from '../../ui/live-region';
import { useSessionContext, useWorkshop } from '../../ui/session-context';

const MAX_CHARS = 500;

export function Composer() {
  useLang();
  const { outbox } = useSessionContext();
  const state = useWorkshop();
  const id = useId();
  const [box, setBox] = useState<OutboxState>(outbox.state);
  const [draft, setDraft] = useState(outbox.state.draft);
  useEffect(() => outbox.subscribe(setBox), [outbox]);
  // A refused post-it comes back into the line.
  useEffect(() => {
    if (box.draft && !draft) setDraft(box.draft);
  }, [box.draft]);

  function onInput(value: string) {
    setDraft(value);
    outbox.setDraft(value);
  }
  function submit(event: Event) {
    event.preventDefault();
    if (outbox.post(draft)) {
      setDraft('');
      announce(t('board.sent'));
    }
  }
  const hintId = `${id}-hint`;
  const over = draft.trim().length > MAX_CHARS;
  return (
    <form class="composer" onSubmit={submit}>
      <label for={id} class="composer__label">
        {t('board.inputLabel')}
      </label>
      <p id={hintId} class="hint">
        {state.settings.anonymous_posting ? t('board.inputHintAnon') : t('board.inputHint')}
      </p>
      <div class="composer__line">
        <input
          id={id}
          type="text"
          class="input composer__input"
          value={draft}
          maxLength={MAX_CHARS}
          autocomplete="off"
          enterkeyhint="send"
          aria-describedby={hintId}
          onInput={(e) => onInput(e.currentTarget.value)}
          data-testid="composer-input"
        />
        <button type="submit" class="button button--primary" disabled={!draft.trim() || over}>
          {t('board.send')}
        </button>
      </div>
      {box.pending.length > 0 && (
        <ul class="plain-list pending" aria-label={t('board.pending')}>
          {box.pending.map((post) => (
            <li key={post.client_ref} class="pending__item">
              <span class="pending__label">{t('board.sending')}</span> {post.text}
            </li>
          ))}
        </ul>
      )}
      {box.error && (
        <p class="error-text" role="alert">
          {box.error.code === 'rate_limited' ? t('board.rateLimited') : t('board.refused')}
        </p>
      )}
    </form>
  );
}
