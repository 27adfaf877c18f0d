// Who is here, from the awareness states. Everything in another client's state is that
// client's claim: checked for shape here, and only ever rendered as text.
import type { Awareness } from 'y-protocols/awareness';
import type { Role } from '../net/control';

/** What each client publishes about itself. */
export interface PresenceState {
  user?: { id: string; name: string; color: string; role: Role };
  /** The field the person is typing in, or null. */
  field?: string | null;
}

export interface Person {
  clientId: number;
  id: string;
  name: string;
  color: string;
  role: Role;
  field: string | null;
  isSelf: boolean;
}

const MAX_NAME = 60;
const ROLES: Role[] = ['facilitator', 'co_facilitator', 'participant', 'display'];

// Dark enough for 4.5:1 on white, and apart enough to tell neighbours on the list apart.
const PALETTE = [
  '#1d5f8a', '#8a3b12', '#2e6b30', '#7b2d7f', '#a0283c', '#4a4f9e', '#6b5a12', '#0f6b66',
];

/** A stable colour for a participant id. */
export function colorFor(id: string): string {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0;
  return PALETTE[hash % PALETTE.length] as string;
}

function readPerson(clientId: number, state: unknown, selfId: number): Person | null {
  const user = (state as PresenceState | null)?.user;
  if (!user || typeof user.name !== 'string' || typeof user.id !== 'string') return null;
  const name = user.name.trim().slice(0, MAX_NAME);
  if (!name) return null;
  const role = ROLES.includes(user.role) ? user.role : 'participant';
  const field = (state as PresenceState).field;
  return {
    clientId,
    id: user.id.slice(0, 64),
    name,
    // Our palette only: a colour from the wire never reaches a style attribute.
    color: colorFor(user.id),
    role,
    field: typeof field === 'string' ? field.slice(0, 160) : null,
    isSelf: clientId === selfId,
  };
}

/**
 * The people present: one entry per person (two tabs of one person count once), ourselves
 * first, then by name. The projector display does not publish a state, so it is not listed.
 */
export function peopleFrom(awareness: Awareness): Person[] {
  const selfId = awareness.clientID;
  const byPerson = new Map<string, Person>();
  for (const [clientId, state] of awareness.getStates()) {
    const person = readPerson(clientId, state, selfId);
    if (!person || person.role === 'display') continue;
    const seen = byPerson.get(person.id);
    // Keep the tab that is ours, else the one that is typing somewhere.
    if (!seen || person.isSelf || (!seen.isSelf && person.field && !seen.field)) {
      byPerson.set(person.id, person);
    }
  }
  return [...byPerson.values()].sort((a, b) =>
    a.isSelf !== b.isSelf ? (a.isSelf ? -1 : 1) : a.name.localeCompare(b.name),
  );
}
