//! The server's clock: wall-clock milliseconds that never go backwards.
//!
//! Anchored to the system clock once at start and advanced by tokio's monotonic clock after
//! that, so a system-clock jump cannot make a stage end twice, and tests under
//! `tokio::time::pause()` see it advance with virtual time.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

#[derive(Debug, Clone, Copy)]
pub struct ServerClock {
    anchor_ms: f64,
    anchor: Instant,
}

impl Default for ServerClock {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerClock {
    pub fn new() -> Self {
        let anchor_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or_default();
        Self {
            anchor_ms,
            anchor: Instant::now(),
        }
    }

    /// Milliseconds since the Unix epoch, as clients see them in events.
    pub fn now_ms(&self) -> f64 {
        self.ms_at(Instant::now())
    }

    /// The server time at the tokio instant `at`.
    pub fn ms_at(&self, at: Instant) -> f64 {
        self.anchor_ms + at.saturating_duration_since(self.anchor).as_secs_f64() * 1000.0
    }

    /// The tokio instant at which the server time will be `ms`.
    pub fn instant_at(&self, ms: f64) -> Instant {
        let offset = (ms - self.anchor_ms).max(0.0);
        self.anchor + Duration::from_secs_f64(offset / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn advances_with_tokio_time() {
        let clock = ServerClock::new();
        let start = clock.now_ms();
        tokio::time::advance(Duration::from_secs(90)).await;
        assert!((clock.now_ms() - start - 90_000.0).abs() < 1.0);
        let at = clock.instant_at(start + 120_000.0);
        assert_eq!(at - Instant::now(), Duration::from_secs(30));
    }
}
