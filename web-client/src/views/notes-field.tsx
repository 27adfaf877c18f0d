// The shared notes: a plain textarea bound to the Y.Text `notes`. Each edit becomes one
// Y.Text change (the difference between the old and the new value); others' changes move our
// cursor along instead of throwing it to the end. While an input method is composing a word
// (phones do this for every word) both sides wait, so a remote change never breaks the word.
import { useEffect, useId, useRef } from 'preact/hooks';
import type * as Y from 'yjs';
import { t, useLang } from '../i18n';
import type { Connection } from '../net/connection';
import type { Person } from '../state/presence';
import { type Delta, diffText, transformIndex } from '../ui/text-diff';

const FIELD = 'notes';
/** Marks our own transactions, so the observer skips them. */
const LOCAL = Symbol('notes-field');

interface Props {
  conn: Connection;
  people: Person[];
  readOnly?: boolean;
}

export function NotesField({ conn, people, readOnly = false }: Props) {
  useLang();
  const id = useId();
  const ref = useRef<HTMLTextAreaElement>(null);
  const text = conn.doc.getText(FIELD);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // What the textarea shows apart from a word being composed.
    let shadow = text.toString();
    let composing = false;
    let pending: Delta[] = [];
    el.value = shadow;

    const showRemote = (deltas: Delta[]) => {
      const focused = document.activeElement === el;
      const { selectionStart, selectionEnd, selectionDirection } = el;
      shadow = text.toString();
      if (el.value === shadow) return;
      el.value = shadow;
      if (focused) {
        const move = (i: number) => deltas.reduce((at, delta) => transformIndex(at, delta), i);
        el.setSelectionRange(move(selectionStart), move(selectionEnd), selectionDirection ?? 'none');
      }
    };

    const observer = (event: Y.YTextEvent, transaction: Y.Transaction) => {
      if (transaction.origin === LOCAL) return;
      const delta = event.delta as Delta;
      if (composing) pending.push(delta);
      else showRemote([delta]);
    };

    const commit = () => {
      const value = el.value;
      const change = diffText(shadow, value);
      if (change.remove === 0 && change.insert === '') return;
      // Map the edit through remote changes that arrived while composing.
      const start = pending.reduce((at, delta) => transformIndex(at, delta), change.index);
      const end = pending.reduce((at, delta) => transformIndex(at, delta), change.index + change.remove);
      const hadPending = pending.length > 0;
      const cursor = el.selectionStart - change.index - change.insert.length;
      pending = [];
      conn.doc.transact(() => {
        if (end > start) text.delete(start, end - start);
        if (change.insert) text.insert(start, change.insert);
      }, LOCAL);
      shadow = text.toString();
      if (hadPending && el.value !== shadow) {
        el.value = shadow;
        const at = start + change.insert.length + Math.max(0, cursor);
        el.setSelectionRange(at, at);
      }
    };

    const onInput = (event: Event) => {
      if ((event as InputEvent).isComposing || composing) return;
      commit();
    };
    const onCompositionStart = () => {
      composing = true;
    };
    const onCompositionEnd = () => {
      composing = false;
      commit();
      if (pending.length) showRemote(pending.splice(0));
    };
    const onFocus = () => conn.setPresence('field', FIELD);
    const onBlur = () => conn.setPresence('field', null);

    text.observe(observer);
    el.addEventListener('input', onInput);
    el.addEventListener('compositionstart', onCompositionStart);
    el.addEventListener('compositionend', onCompositionEnd);
    el.addEventListener('focus', onFocus);
    el.addEventListener('blur', onBlur);
    return () => {
      text.unobserve(observer);
      el.removeEventListener('input', onInput);
      el.removeEventListener('compositionstart', onCompositionStart);
      el.removeEventListener('compositionend', onCompositionEnd);
      el.removeEventListener('focus', onFocus);
      el.removeEventListener('blur', onBlur);
    };
  }, [conn, text]);

  const others = people.filter((p) => !p.isSelf && p.field === FIELD);
  const hintId = `${id}-hint`;
  const presenceId = `${id}-presence`;
  return (
    <section class="card notes" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{t('notes.heading')}</h2>
      <label for={id}>{t('notes.label')}</label>
      <p id={hintId} class="hint">
        {t('notes.hint')}
      </p>
      <textarea
        ref={ref}
        id={id}
        class="input notes__text"
        rows={10}
        readOnly={readOnly}
        aria-describedby={`${hintId} ${presenceId}`}
        spellcheck
      />
      <p id={presenceId} class="notes__presence" data-testid="notes-presence">
        {others.length > 0 && (
          <>
            {t('notes.alsoHere')}{' '}
            {others.map((person, i) => (
              <span key={person.id} class="person person--inline">
                <span class="person__dot" style={{ backgroundColor: person.color }} aria-hidden="true" />
                {person.name}
                {i < others.length - 1 ? ', ' : ''}
              </span>
            ))}
          </>
        )}
      </p>
    </section>
  );
}
