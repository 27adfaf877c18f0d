//! The Werkplaats session server.
//!
//! - [`app`]: start-up, shared state, graceful shutdown.
//! - [`http`]: the JSON API and static files; [`ws`]: websocket connections.
//! - [`session`]: one task per live session, which alone owns its document.
//! - [`store`]: the storage seam and its implementations; [`retention`]: expiry of idle sessions.

pub mod app;
pub mod clock;
pub mod config;
pub mod engine;
pub mod export;
pub mod http;
pub mod ids;
pub mod limits;
pub mod listener;
pub mod metrics;
pub mod pending;
pub mod rate_limit;
pub mod retention;
pub mod serve;
pub mod session;
pub mod store;
pub mod ws;

pub use app::Server;
pub use config::Config;
