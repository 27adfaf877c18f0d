// Websocket close codes, mirrored from protocol/src/close.rs.

export const GOING_AWAY = 1001;
export const POLICY_VIOLATION = 1008;
export const UNAUTHORIZED = 4401;
/** A facilitator removed this participant: the token no longer works. */
export const REMOVED = 4403;
export const SESSION_NOT_FOUND = 4404;
export const TOO_SLOW = 4408;
export const SESSION_DELETED = 4410;
export const RATE_LIMITED = 4429;

/** Why the connection gave up for good. */
export type StopReason = 'unauthorized' | 'not_found' | 'deleted';

/** The close codes after which reconnecting cannot help: the token or session is gone. */
export function stopReasonFor(code: number): StopReason | null {
  switch (code) {
    case UNAUTHORIZED:
    case REMOVED:
      return 'unauthorized';
    case SESSION_NOT_FOUND:
      return 'not_found';
    case SESSION_DELETED:
      return 'deleted';
    default:
      return null;
  }
}
