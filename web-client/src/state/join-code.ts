// Join codes as people type them. Mirrors ids::normalize_join_code on the server: case,
// spaces and dashes do not matter, and 0/O (never handed out) read as Q.

export const JOIN_CODE_LENGTH = 12;
/** Codes of sessions created before codes grew to 12; they end with their session. */
const LEGACY_JOIN_CODE_LENGTH = 6;
const ALPHABET = 'ACDEFGHJKMNPQRTWXY34679';

export function normalizeJoinCode(input: string): string {
  return input
    .replace(/[\s-]/g, '')
    .toUpperCase()
    .replace(/[0O]/g, 'Q');
}

export function isValidJoinCode(code: string): boolean {
  return (code.length === JOIN_CODE_LENGTH || code.length === LEGACY_JOIN_CODE_LENGTH) && [...code].every((c) => ALPHABET.includes(c));
}

/** "ABCD-EFGH-JKMN" (old codes "ABC DEF"): groups are easier to read aloud and to copy from a projector. */
export function formatJoinCode(code: string): string {
  if (code.length === JOIN_CODE_LENGTH) return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
  if (code.length === LEGACY_JOIN_CODE_LENGTH) return `${code.slice(0, 3)} ${code.slice(3)}`;
  return code;
}
