// Who this browser is in each session. The token arrives once, in the URL fragment
// (`#token=…`, never sent to the server nor written to its logs); we keep it in localStorage
// so a reload or a phone waking up comes back as the same person, and take it out of the
// visible URL so it does not end up in a screenshot, a shared link or the history list.

/** A browser may hold two seats in one session: the person's and the projector's. */
export type Seat = 'member' | 'display';

export interface Identity {
  token: string;
  /** Filled in from `welcome`, for the start page's "open again" list. */
  name?: string;
  role?: string;
  /** Known to the facilitator who created the session. */
  title?: string;
  joinCode?: string;
  displayToken?: string;
  savedAt: number;
}

const PREFIX = 'werkplaats.identity.';

function key(sessionId: string, seat: Seat): string {
  return `${PREFIX}${seat}.${sessionId}`;
}

// Private browsing modes may refuse storage; the session then lasts as long as the tab.
const memory = new Map<string, string>();

function read(k: string): string | null {
  try {
    return localStorage.getItem(k);
  } catch {
    return memory.get(k) ?? null;
  }
}

function write(k: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(k);
    else localStorage.setItem(k, value);
  } catch {
    if (value === null) memory.delete(k);
    else memory.set(k, value);
  }
}

export function loadIdentity(sessionId: string, seat: Seat): Identity | null {
  const raw = read(key(sessionId, seat));
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Identity;
    return typeof parsed.token === 'string' && parsed.token ? parsed : null;
  } catch {
    return null;
  }
}

export function saveIdentity(sessionId: string, seat: Seat, identity: Omit<Identity, 'savedAt'>): void {
  write(key(sessionId, seat), JSON.stringify({ ...identity, savedAt: Date.now() }));
}

/** Merges fields into a stored identity (no-op when there is none). */
export function updateIdentity(sessionId: string, seat: Seat, patch: Partial<Identity>): void {
  const current = loadIdentity(sessionId, seat);
  if (current) saveIdentity(sessionId, seat, { ...current, ...patch });
}

export function forgetIdentity(sessionId: string, seat: Seat): void {
  write(key(sessionId, seat), null);
}

/** Reads `token` from the fragment and removes the fragment from the address bar. */
export function takeTokenFromFragment(): string | null {
  const hash = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  if (!hash) return null;
  const token = new URLSearchParams(hash).get('token');
  if (token) {
    history.replaceState(history.state, '', location.pathname + location.search);
  }
  return token || null;
}

/**
 * The token for this page: a fresh one from the fragment wins (and is stored); otherwise the
 * one stored before.
 */
export function resolveIdentity(sessionId: string, seat: Seat): Identity | null {
  const fresh = takeTokenFromFragment();
  const stored = loadIdentity(sessionId, seat);
  if (fresh) {
    // A new token is a new seat: keep extra facts only when it is the same token.
    const identity = stored?.token === fresh ? stored : { token: fresh };
    saveIdentity(sessionId, seat, identity);
    return loadIdentity(sessionId, seat) ?? { ...identity, savedAt: Date.now() };
  }
  return stored;
}

/** Sessions this browser has a seat in, newest first, for the start page. */
export function knownSessions(): Array<{ sessionId: string; seat: Seat; identity: Identity }> {
  const found: Array<{ sessionId: string; seat: Seat; identity: Identity }> = [];
  let keys: string[] = [];
  try {
    keys = Object.keys(localStorage);
  } catch {
    keys = [...memory.keys()];
  }
  for (const k of keys) {
    if (!k.startsWith(PREFIX)) continue;
    const [seat, sessionId] = k.slice(PREFIX.length).split('.') as [Seat, string];
    const identity = loadIdentity(sessionId, seat);
    if (identity) found.push({ sessionId, seat, identity });
  }
  return found.sort((a, b) => b.identity.savedAt - a.identity.savedAt);
}
