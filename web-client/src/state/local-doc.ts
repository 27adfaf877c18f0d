// A copy of the session's document on this device, so what someone typed while offline
// survives the tab being closed or a phone's browser dropping it from memory. On the next
// visit the copy is merged into the fresh document before the socket opens; the sync then
// sends the server whatever it missed (merging is idempotent, so a stale copy is harmless).
import * as Y from 'yjs';
import { fromBase64, toBase64 } from 'lib0/buffer';

const PREFIX = 'werkplaats.doc.';
/** Bigger documents are not copied: localStorage is small and shared by the whole site. */
const MAX_BYTES = 1_000_000;
const SAVE_AFTER_MS = 400;
/** The local copy is only a safety net for unsent typing; after a week it is just a risk. */
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;

interface Stored {
  savedAt: number;
  update: string;
}

/** A new Y.Doc holding the local copy of the session, if there is one. */
export function restoreDoc(sessionId: string): Y.Doc {
  const doc = new Y.Doc();
  try {
    const raw = localStorage.getItem(PREFIX + sessionId);
    if (raw) {
      const stored = JSON.parse(raw) as Stored;
      if (Date.now() - stored.savedAt < MAX_AGE_MS) {
        Y.applyUpdate(doc, fromBase64(stored.update), 'local-copy');
      } else {
        localStorage.removeItem(PREFIX + sessionId);
      }
    }
  } catch {
    // A damaged copy is dropped; the server has everything that was sent.
    forgetDoc(sessionId);
  }
  return doc;
}

/** Keeps the local copy up to date until the returned function is called. */
export function persistDoc(sessionId: string, doc: Y.Doc): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const save = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const update = Y.encodeStateAsUpdate(doc);
    if (update.length > MAX_BYTES) return;
    try {
      const stored: Stored = { savedAt: Date.now(), update: toBase64(update) };
      localStorage.setItem(PREFIX + sessionId, JSON.stringify(stored));
    } catch {
      // Storage full or refused: the document still syncs; only the safety net is missing.
    }
  };
  const onUpdate = () => {
    if (!timer) timer = setTimeout(save, SAVE_AFTER_MS);
  };
  // A phone going to sleep or a tab being closed: save now, not in 400 ms.
  const onHide = () => {
    if (document.visibilityState === 'hidden' && timer) save();
  };
  const onPageHide = () => {
    if (timer) save();
  };
  doc.on('update', onUpdate);
  document.addEventListener('visibilitychange', onHide);
  window.addEventListener('pagehide', onPageHide);
  return () => {
    if (timer) save();
    doc.off('update', onUpdate);
    document.removeEventListener('visibilitychange', onHide);
    window.removeEventListener('pagehide', onPageHide);
  };
}

export function forgetDoc(sessionId: string): void {
  try {
    localStorage.removeItem(PREFIX + sessionId);
  } catch {
    // nothing stored, nothing to forget
  }
}
