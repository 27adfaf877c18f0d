//! Websocket close codes the server uses, so clients can tell "reconnect" from "give up".
//!
//! Standard codes where one fits; 4xxx mirrors the HTTP status of the same meaning.

/// Server shutting down: reconnect (to this or another node).
pub const GOING_AWAY: u16 = 1001;
/// A text frame where binary is expected.
pub const UNSUPPORTED_DATA: u16 = 1003;
/// Malformed or forbidden input (invalid update, forged awareness, unknown tag).
pub const POLICY_VIOLATION: u16 = 1008;
/// A message above the size limit.
pub const MESSAGE_TOO_BIG: u16 = 1009;
/// The session hit an internal error and was reloaded: reconnect and resync.
pub const INTERNAL_ERROR: u16 = 1011;
/// The server is overloaded: reconnect later.
pub const TRY_AGAIN_LATER: u16 = 1013;
/// The token is missing or wrong: do not retry with it.
pub const UNAUTHORIZED: u16 = 4401;
/// A facilitator removed this participant from the session: do not retry.
pub const REMOVED: u16 = 4403;
/// No such session: do not retry.
pub const SESSION_NOT_FOUND: u16 = 4404;
/// The client could not keep up with the session's updates: reconnect and resync.
pub const TOO_SLOW: u16 = 4408;
/// The session was deleted: do not retry.
pub const SESSION_DELETED: u16 = 4410;
/// The client sent more than its rate allows.
pub const RATE_LIMITED: u16 = 4429;

/// Whether a client should reconnect after this close code.
pub fn should_reconnect(code: u16) -> bool {
    !matches!(
        code,
        UNAUTHORIZED | REMOVED | SESSION_NOT_FOUND | SESSION_DELETED
    )
}
