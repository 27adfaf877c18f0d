//! Websocket close codes the server uses, so clients can tell "reconnect" from "give up".
//!
//! Standard codes where one fits; 4xxx mirrors the HTTP status of the same meaning. The web
//! client's copy (`web-client/src/net/generated/protocol.ts`) is generated from [`ALL`].

/// Declares each close code as a constant and lists them all in [`ALL`], so the list cannot
/// miss one.
macro_rules! close_codes {
    ($($(#[$doc:meta])* $name:ident = $code:literal;)*) => {
        $($(#[$doc])* pub const $name: u16 = $code;)*

        /// Every close code above, by its constant's name.
        pub const ALL: &[(&str, u16)] = &[$((stringify!($name), $name)),*];
    };
}

close_codes! {
    /// Server shutting down: reconnect (to this or another node).
    GOING_AWAY = 1001;
    /// A text frame where binary is expected.
    UNSUPPORTED_DATA = 1003;
    /// Malformed or forbidden input (invalid update, forged awareness, unknown tag).
    POLICY_VIOLATION = 1008;
    /// A message above the size limit.
    MESSAGE_TOO_BIG = 1009;
    /// The session hit an internal error and was reloaded: reconnect and resync.
    INTERNAL_ERROR = 1011;
    /// The server is overloaded: reconnect later.
    TRY_AGAIN_LATER = 1013;
    /// The token is missing or wrong: do not retry with it.
    UNAUTHORIZED = 4401;
    /// A facilitator removed this participant from the session: do not retry.
    REMOVED = 4403;
    /// No such session: do not retry.
    SESSION_NOT_FOUND = 4404;
    /// The client could not keep up with the session's updates: reconnect and resync.
    TOO_SLOW = 4408;
    /// The session was deleted: do not retry.
    SESSION_DELETED = 4410;
    /// The client sent more than its rate allows.
    RATE_LIMITED = 4429;
}

/// Whether a client should reconnect after this close code.
pub fn should_reconnect(code: u16) -> bool {
    !matches!(
        code,
        UNAUTHORIZED | REMOVED | SESSION_NOT_FOUND | SESSION_DELETED
    )
}
