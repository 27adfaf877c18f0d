// Turning a textarea's edit into one Y.Text change, and moving a cursor over someone else's
// change. Offsets are UTF-16 code units, as in both the DOM and Yjs.

export interface TextChange {
  index: number;
  remove: number;
  insert: string;
}

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * The single replacement that turns `before` into `after`: common prefix and suffix kept,
 * the middle replaced. Never splits a surrogate pair (an emoji stays whole).
 */
export function diffText(before: string, after: string): TextChange {
  const max = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  if (prefix > 0 && isHigh(before.charCodeAt(prefix - 1))) prefix--;
  let suffix = 0;
  while (
    suffix < max - prefix &&
    before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
  ) {
    suffix++;
  }
  if (suffix > 0 && isLow(before.charCodeAt(before.length - suffix))) suffix--;
  return {
    index: prefix,
    remove: before.length - prefix - suffix,
    insert: after.slice(prefix, after.length - suffix),
  };
}

/** A Yjs text delta: what a Y.Text observer's event.delta holds. */
export type Delta = Array<{ retain?: number; insert?: unknown; delete?: number }>;

/**
 * Where offset `index` of the old text is in the new text after `delta`. Text inserted exactly
 * at the offset goes after it, so a cursor stays where its owner left it.
 */
export function transformIndex(index: number, delta: Delta): number {
  let oldPos = 0;
  let result = index;
  for (const op of delta) {
    if (oldPos > index) break;
    if (op.retain !== undefined) {
      oldPos += op.retain;
    } else if (op.insert !== undefined) {
      const length = typeof op.insert === 'string' ? op.insert.length : 1;
      if (oldPos < index) result += length;
    } else if (op.delete !== undefined) {
      if (oldPos < index) result -= Math.min(op.delete, index - oldPos);
      oldPos += op.delete;
    }
  }
  return result;
}
