//! Integration tests: one binary, one module per area. Each test starts its own server on
//! `127.0.0.1:0`.

mod boards;
mod clock;
mod convergence;
mod correcting;
mod durability;
mod hostile;
mod hostile_doc;
mod hostile_net;
mod hostile_schema;
mod hostile_session;
mod hostile_slow;
mod http_api;
mod lifecycle;
mod notes;
mod phases;
mod pipeline;
mod ready;
mod sync;
mod topics;
mod workshop;
