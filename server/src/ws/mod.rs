//! Websocket connections: `GET /ws/{session_id}?token=...`.
//!
//! Each connection is two tasks: the reader (decodes and validates every frame, then forwards
//! it to the session) and the writer (drains the bounded outbound queue, flushes once per
//! burst). See [`connection`].

pub mod connection;
mod decode;
