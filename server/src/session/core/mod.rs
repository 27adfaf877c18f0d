//! The sans-IO parts of a session: what it sends and to whom, and the time it is told.

pub mod frame;

use tokio::time::Instant;

use crate::clock::ServerClock;

/// The time an input is handled at, read once by the task and passed in: the core reads no
/// clock. `at` drives the rate buckets and awareness expiry, `ms` (server time) the engine and
/// what clients are told; both come from the same reading.
#[derive(Debug, Clone, Copy)]
pub struct Now {
    pub at: Instant,
    pub ms: f64,
}

impl Now {
    /// Reads the clock: the task's job, never the core's.
    pub fn read(clock: &ServerClock) -> Self {
        let at = Instant::now();
        Self {
            at,
            ms: clock.ms_at(at),
        }
    }
}
