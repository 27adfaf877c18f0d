//! Limits on documents and the updates that change them.

use clap::Args;

/// Limits on documents and the updates that change them.
#[derive(Debug, Clone, Args)]
pub struct DocLimits {}
