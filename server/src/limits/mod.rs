//! Limits on what clients may cost the server, grouped by where they are enforced. Each group is
//! a set of flags (with `WERKPLAATS_*` twins) flattened into [`crate::Config`]; every limit has a
//! line in `SECURITY.md`.

mod doc;
mod net;
mod session;

pub use doc::DocLimits;
pub use net::NetLimits;
pub use session::SessionLimits;
