//! The Werkplaats session server.

pub mod store;
