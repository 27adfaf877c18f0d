//! Werkplaats wire protocol and domain types, sans IO.
//!
//! Pure encode/decode: nothing here knows about sockets, tasks or clocks. The server and the test
//! clients both build on it, and every decoder is tested with byte vectors.
//!
//! - [`lib0`]: the varint/string encoding Yjs uses.
//! - [`message`]: y-websocket framing (sync, awareness, auth, query-awareness) plus our control tag.
//! - [`update`]: the hostile-input validator for Yjs v1 updates (runs before yrs sees bytes).
//! - [`control`]: the JSON commands and events of the control channel.
//! - [`close`]: websocket close codes.
//! - [`template`]: workshop templates; [`workshop`]: engine state views and the document schema.
//! - [`template`]: workshop templates (phases, activities, texts) and the built-in workshop.

// The wire types are this crate's contract with every client: each item says what it is.
#![deny(missing_docs)]

pub mod close;
pub mod control;
pub mod lib0;
pub mod message;
pub mod placement;
pub mod template;
#[cfg(test)]
mod ts_export;
pub mod update;
#[cfg(test)]
mod vectors;
pub mod workshop;
