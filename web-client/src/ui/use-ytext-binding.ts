// Binds a textarea or input to a Y.Text: each edit becomes one Y.Text change (the difference
// between the old and the new value); others' changes move our cursor along instead of
// throwing it to the end. While an input method is composing a word (phones do this for every
// word) both sides wait, so a remote change never breaks the word. Focus tells the others
// which field we are in (awareness `field`).
import type { RefObject } from 'preact';
import { useLayoutEffect } from 'preact/hooks';
import type * as Y from 'yjs';
import type { Connection } from '../net/connection';
import { type Delta, diffText, transformIndex } from './text-diff';

/** Marks our own transactions, so the observer skips them. */
const LOCAL = Symbol('text-binding');

type Editable = HTMLTextAreaElement | HTMLInputElement;

export function useYTextBinding(
  ref: RefObject<Editable | null>,
  conn: Connection,
  text: Y.Text | null,
  field: string,
): void {
  // A layout effect: the listeners are on the element before the browser paints it, so the
  // first keystrokes in a field that has just appeared (a new row) are not typed into an
  // element nobody listens to, and then wiped by `el.value = shadow` below.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !text) return;
    // What the element shows apart from a word being composed.
    let shadow = text.toString();
    let composing = false;
    let pending: Delta[] = [];
    el.value = shadow;

    const selection = () => [el.selectionStart ?? 0, el.selectionEnd ?? 0] as const;

    const showRemote = (deltas: Delta[]) => {
      const focused = document.activeElement === el;
      const [start, end] = selection();
      const direction = el.selectionDirection;
      shadow = text.toString();
      if (el.value === shadow) return;
      el.value = shadow;
      if (focused) {
        const move = (i: number) => deltas.reduce((at, delta) => transformIndex(at, delta), i);
        el.setSelectionRange(move(start), move(end), direction ?? 'none');
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
      const cursor = selection()[0] - change.index - change.insert.length;
      pending = [];
      text.doc?.transact(() => {
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
    const onFocus = () => conn.setPresence('field', field);
    const onBlur = () => conn.setPresence('field', null);

    text.observe(observer);
    el.addEventListener('input', onInput);
    el.addEventListener('compositionstart', onCompositionStart);
    el.addEventListener('compositionend', onCompositionEnd);
    el.addEventListener('focus', onFocus);
    el.addEventListener('blur', onBlur);
    if (document.activeElement === el) onFocus();
    return () => {
      text.unobserve(observer);
      el.removeEventListener('input', onInput);
      el.removeEventListener('compositionstart', onCompositionStart);
      el.removeEventListener('compositionend', onCompositionEnd);
      el.removeEventListener('focus', onFocus);
      el.removeEventListener('blur', onBlur);
    };
  }, [conn, text, field]);
}
