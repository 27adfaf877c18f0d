// Websocket close codes: generated from protocol/src/close.rs into ./generated/protocol.ts.
// What a code means to this client (give up, and why) is behaviour and stays here.
import { REMOVED, SESSION_DELETED, SESSION_NOT_FOUND, UNAUTHORIZED } from './generated/protocol';

export {
  CLOSE_CODES_WITHOUT_RECONNECT,
  GOING_AWAY,
  INTERNAL_ERROR,
  MESSAGE_TOO_BIG,
  POLICY_VIOLATION,
  RATE_LIMITED,
  REMOVED,
  SESSION_DELETED,
  SESSION_NOT_FOUND,
  TOO_SLOW,
  TRY_AGAIN_LATER,
  UNAUTHORIZED,
  UNSUPPORTED_DATA,
} from './generated/protocol';

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
