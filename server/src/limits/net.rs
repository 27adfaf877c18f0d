//! Limits on connections and HTTP requests (timeouts, origins, session creation).

use clap::Args;

/// Limits on connections and HTTP requests (timeouts, origins, session creation).
#[derive(Debug, Clone, Args)]
pub struct NetLimits {}
