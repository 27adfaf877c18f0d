//! Limits on a session's document: how large it may grow, how many client ids it and one
//! update may bring, and how many bytes of updates may flow into it per second.

use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct DocLimits {
    /// Largest a session's document may grow, in bytes of its encoded state. An update that
    /// would take it past this is refused (close 1009) and the session stays syncable: every
    /// document within it fits a new client's sync step 2.
    #[arg(long, env = "WERKPLAATS_MAX_DOCUMENT_BYTES", default_value_t = 8 * 1024 * 1024,
          value_parser = clap::value_parser!(u64).range(1024..=(1 << 30)))]
    pub max_document_bytes: u64,

    /// Most client ids (Yjs peers that ever wrote) one session's document may hold. Every page
    /// load of a browser is a new client id; a day's workshop has hundreds.
    #[arg(long, env = "WERKPLAATS_MAX_DOCUMENT_CLIENTS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_document_clients: u32,

    /// Most client ids one update may carry (client sections and deletions, each counted).
    #[arg(long, env = "WERKPLAATS_MAX_UPDATE_CLIENTS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_update_clients: u32,

    /// Bytes of document updates one connection may send per second, on average. Typing is a
    /// few dozen bytes a keystroke; beyond this the connection is closed with 4429.
    #[arg(long, env = "WERKPLAATS_CONN_UPDATE_BYTES_PER_SECOND", default_value_t = 256 * 1024,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub conn_update_bytes_per_second: u64,

    /// Bytes of document updates all of a session's connections together may send per second,
    /// on average; the connection whose update passes it is closed with 4429.
    #[arg(long, env = "WERKPLAATS_SESSION_UPDATE_BYTES_PER_SECOND", default_value_t = 1024 * 1024,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub session_update_bytes_per_second: u64,

    /// The burst both byte rates allow at once: a reconnecting client's offline edits (at most
    /// a whole document) must fit. Never less than the largest websocket message.
    #[arg(long, env = "WERKPLAATS_UPDATE_BURST_BYTES", default_value_t = 16 * 1024 * 1024,
          value_parser = clap::value_parser!(u64).range(1024..=(1 << 32)))]
    pub update_burst_bytes: u64,

    /// How deeply a client may nest shared types in a session's document, counted from the
    /// root, over all updates together (the workshop's own layout is 4 deep). yrs deletes
    /// nested types recursively and Yjs peers walk them recursively: a chain of 9,900 built
    /// over many updates crashed stock clients that synced it.
    #[arg(long, env = "WERKPLAATS_MAX_TYPE_DEPTH", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(4..=1000))]
    pub max_type_depth: u32,
}

impl DocLimits {
    pub fn max_document_bytes(&self) -> usize {
        usize::try_from(self.max_document_bytes).unwrap_or(usize::MAX)
    }
}
