//! Websocket connections: `GET /ws/{session_id}?token=...` (or the token in a header or the
//! subprotocol; see [`admission`]).
//!
//! Each connection is one task on the unsplit socket: it decodes and validates every frame and
//! forwards it to the session, and writes what the session queues for it (the bounded
//! [`outbound`](crate::session::outbound) queue), flushing once per burst. See [`connection`].

pub mod admission;
pub(crate) mod bad_input;
pub mod connection;
mod decode;

pub use bad_input::BadControlKind;
pub use decode::FrameLimits;
