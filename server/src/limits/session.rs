//! Limits on sessions, boards and join codes.

use clap::Args;

/// Limits on sessions, boards and join codes.
#[derive(Debug, Clone, Args)]
pub struct SessionLimits {}
