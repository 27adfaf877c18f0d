//! Werkplaats load generator: one process, one monotonic clock, many websocket clients.
//!
//! - [`wire`]: y-websocket framing, plain or with the Hocuspocus document-name prefix.
//! - [`target`]: the servers under test and how each creates a room (session, document).
//! - [`client`]: one connection task: handshake, edits, and a log of what arrived when.
//! - [`verify`]: latencies, losses and convergence, computed after the measured window.
//! - [`stats`]: percentiles; [`procfs`]: memory and CPU of a process from `/proc`.
//! - [`scenario`]: the scenarios S1–S5 of the benchmark.
//! - [`relay`]: a bare websocket relay with no CRDT, the physical reference.

pub mod client;
pub mod procfs;
pub mod relay;
pub mod scenario;
pub mod stats;
pub mod target;
pub mod verify;
pub mod wire;
