// A personal note (the write-up after the visualisation): each person's own, kept by the
// server and sent only to their own connections, so it follows them to another device but
// nobody else reads it. Saved a moment after typing stops; "Deel op het bord" posts it as a
// post-it through the outbox (which retries after a reconnect).
import { useEffect, useRef, useState } from 'preact/hooks';
import { loc, t, useLang } from '../../i18n';
import type { NotesActivity } from '../../net/workshop-types';
import { announce } from '../../ui/live-region';
import { useSessionContext, useWorkshop } from '../../ui/session-context';
import { commandErrorText } from '../command-errors';

const SAVE_AFTER_MS = 700;
/** The server's default longest post-it (`--max-post-it-chars`). */
const MAX_POST_IT_CHARS = 500;

export function PersonalNote({ activity }: { activity: NotesActivity }) {
  useLang();
  const { conn, outbox, welcome } = useSessionContext();
  const state = useWorkshop();
  const saved = state.myNotes[activity.id] ?? '';
  const [text, setText] = useState(saved);
  const [status, setStatus] = useState<'idle' | 'saving' | 'saved'>('idle');
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const focused = useRef(false);
  const id = `note-${activity.id}`;

  // The server's copy (from another device of the same person) replaces the text, but never
  // while this one is being typed in.
  useEffect(() => {
    if (!focused.current && timer.current === null) setText(saved);
  }, [saved]);

  async function save(value: string) {
    timer.current = null;
    setStatus('saving');
    try {
      await conn.command({ type: 'set_personal_note', activity_id: activity.id, text: value });
      setStatus('saved');
      setError(null);
    } catch (err) {
      setStatus('idle');
      setError(commandErrorText(err));
    }
  }

  function onInput(value: string) {
    setText(value);
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = setTimeout(() => void save(value), SAVE_AFTER_MS);
  }

  function share() {
    const clean = text.trim();
    if (!clean) return setError(t('note.empty'));
    if ([...clean].length > MAX_POST_IT_CHARS) return setError(t('note.tooLong', { n: MAX_POST_IT_CHARS }));
    if (outbox.post(clean.replace(/\s+/g, ' '))) {
      setError(null);
      announce(t('note.shared'));
    }
  }

  const headingId = `activity-${activity.id}`;
  const readOnly = welcome.role === 'display';
  return (
    <section class="card" aria-labelledby={headingId} data-testid={`personal-note-${activity.id}`}>
      <h2 id={headingId}>{loc(activity.title)}</h2>
      {activity.intro && <p>{loc(activity.intro)}</p>}
      <label for={id} class="shared-text__label">
        {t('note.label')}
      </label>
      <p class="hint" id={`${id}-hint`}>
        {t('note.private')}
      </p>
      <textarea
        id={id}
        class="input"
        rows={8}
        value={text}
        readOnly={readOnly}
        aria-describedby={`${id}-hint`}
        onFocus={() => {
          focused.current = true;
        }}
        onBlur={() => {
          focused.current = false;
          if (timer.current !== null) {
            clearTimeout(timer.current);
            void save(text);
          }
        }}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
      <p class="hint" role="status" data-testid="note-status">
        {status === 'saving' ? t('note.saving') : status === 'saved' ? t('note.saved') : ''}
      </p>
      {!readOnly && (
        <button type="button" class="button button--secondary" onClick={share}>
          {t('note.share')}
        </button>
      )}
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
