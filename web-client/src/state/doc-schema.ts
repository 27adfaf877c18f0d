// Names in the shared document: generated from `werkplaats_protocol::workshop::schema` into
// ../net/generated/protocol.ts. The server creates every fixed container; clients only type into
// texts and add rows.
import * as Y from 'yjs';

export {
  ACTION_DATE,
  ACTION_OWNER,
  ACTION_TEXT,
  FORMAT_ACTIVITY,
  FORMAT_CREATED,
  FORMATS,
  GUIDES,
  LISTS,
  NOTES,
  PLAN_COLUMNS,
  PLANS,
  ROW_ID,
} from '../net/generated/protocol';
import { GUIDE_CHECKED_PREFIX, ROW_ID } from '../net/generated/protocol';

// The key builders are behaviour, written here as in Rust; tests/node/protocol-vectors.test.mjs
// checks them against SCHEMA_KEY_EXAMPLES, which the Rust builders made.
export const sideNameKey = (side: string) => `side.${side}.name`;
export const sideBlockKey = (side: string, block: string) => `side.${side}.${block}`;
export const connectionKey = (block: string) => `conn.${block}`;
export const followUpKey = (block: string) => `follow.${block}`;
export const guideCheckedKey = (n: number) => `${GUIDE_CHECKED_PREFIX}${n}`;
export const guideNotesKey = (n: number) => `notes.${n}`;

/** A random row id: rows are told apart by it, never by position. */
export function newRowId(): string {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The value under `key` if it is a Y.Text (a container the server made), else null. */
export function textAt(map: Y.Map<unknown> | null | undefined, key: string): Y.Text | null {
  const value = map?.get(key);
  return value instanceof Y.Text ? value : null;
}

export function mapAt(map: Y.Map<unknown> | null | undefined, key: string): Y.Map<unknown> | null {
  const value = map?.get(key);
  return value instanceof Y.Map ? value : null;
}

export function arrayAt(map: Y.Map<unknown> | null | undefined, key: string): Y.Array<unknown> | null {
  const value = map?.get(key);
  return value instanceof Y.Array ? value : null;
}

/** The rows (Y.Maps) of an array, in order. */
export function rowsOf(array: Y.Array<unknown> | null): Array<Y.Map<unknown>> {
  if (!array) return [];
  return array.toArray().filter((row): row is Y.Map<unknown> => row instanceof Y.Map);
}

/** Deletes the row with this id, wherever it is now (others may have added rows meanwhile). */
export function removeRow(array: Y.Array<unknown>, rowId: string): boolean {
  const index = array.toArray().findIndex((row) => row instanceof Y.Map && row.get(ROW_ID) === rowId);
  if (index < 0) return false;
  array.delete(index, 1);
  return true;
}

/**
 * Appends a row: an `id` and one fresh Y.Text per text column, plus plain values. Pushing a
 * new row is safe when two people add one at once: both rows stay.
 */
export function pushRow(
  array: Y.Array<unknown>,
  textColumns: readonly string[],
  values: Record<string, string> = {},
): string {
  const id = newRowId();
  const row = new Y.Map<unknown>();
  row.set(ROW_ID, id);
  for (const column of textColumns) row.set(column, new Y.Text());
  for (const [key, value] of Object.entries(values)) row.set(key, value);
  array.push([row]);
  return id;
}
