//! The limits that keep one client from taking a session or the server away from everyone,
//! grouped per area, each a flag with a `WERKPLAATS_*` twin and a line in `SECURITY.md`.

pub mod doc;
pub mod net;
pub mod session;
pub mod sync;
