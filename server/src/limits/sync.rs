//! Limits on the sync between a client's document and the session's: how much a connection may
//! keep waiting for its dependencies. (The document's own limits are in `doc.rs`.)

use clap::Args;

/// Defaults of the flags below. A client that edits while its sync step 2 is still on the way
/// sends a handful; 64 updates and 4 MiB leave room for a reconnect's offline edits.
pub const MAX_PARKED_UPDATES: u32 = 64;
pub const MAX_PARKED_BYTES: u32 = 4 * 1024 * 1024;

#[derive(Debug, Clone, Args)]
pub struct SyncLimits {
    /// Updates from one connection that may wait for their dependencies (kept outside the
    /// document until what they build on arrives); one more closes the connection with 1008.
    #[arg(long, env = "WERKPLAATS_MAX_PARKED_UPDATES", default_value_t = MAX_PARKED_UPDATES,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_parked_updates: u32,

    /// Bytes of those waiting updates, per connection; beyond, 1008.
    #[arg(long, env = "WERKPLAATS_MAX_PARKED_BYTES", default_value_t = MAX_PARKED_BYTES,
          value_parser = clap::value_parser!(u32).range(1024..=(1 << 30)))]
    pub max_parked_bytes: u32,
}
