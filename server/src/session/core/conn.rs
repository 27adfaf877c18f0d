//! What the session knows of one connection, and the token bucket its awareness updates (and
//! the session's joins) are held to.

use bytes::Bytes;
use tokio::time::Instant;
use werkplaats_protocol::update::UpdateSummary;

use crate::session::Joined;
use crate::session::byte_rate::ByteBucket;

pub struct Conn {
    pub joined: Joined,
    /// The client said `hello` on the control channel and may receive control events.
    pub control: bool,
    /// A read-only client was told once that its edits are refused.
    pub told_read_only: bool,
    /// Updates whose dependencies have not arrived yet, oldest first. Kept here, outside yrs,
    /// so the document never holds pending structs; bounded, and dropped with the connection
    /// (the client still has them and sends them again in its next sync step 2).
    pub parked: Vec<(Bytes, UpdateSummary)>,
    pub parked_bytes: usize,
    /// Bytes of updates this connection may still send now (`--conn-update-bytes-per-second`).
    pub update_bytes: ByteBucket,
    /// Document updates reach this connection only from this (batch, outbox position) on: the
    /// one after its sync step 2 (`None`: not synced yet). A client then never receives an
    /// update whose dependencies it lacks, so it never holds pending structs; yrs, at least,
    /// can integrate such pending state differently depending on arrival order.
    pub updates_from: Option<(u64, usize)>,
    /// The batch it joined in: what it is told on joining already reflects earlier batches.
    pub joined_batch: u64,
    /// Awareness updates it may still send now (`--awareness-per-second`): each one goes to
    /// every connection of the session, so a flood multiplies.
    pub awareness_rate: RateBucket,
}

/// A token bucket: `burst` at once, `per_second` refilled evenly. The session's joins use it
/// (kept per session, not per address, so a script on many addresses is held to it too), and
/// each connection's awareness updates. Time is passed in: it reads no clock.
#[derive(Debug)]
pub struct RateBucket {
    burst: f64,
    per_second: f64,
    tokens: f64,
    at: Instant,
}

impl RateBucket {
    pub fn new(per_minute: u32, now: Instant) -> Self {
        Self::with_rate(f64::from(per_minute), f64::from(per_minute) / 60.0, now)
    }

    /// A full bucket at `now`.
    pub fn with_rate(burst: f64, per_second: f64, now: Instant) -> Self {
        Self {
            burst,
            per_second,
            tokens: burst,
            at: now,
        }
    }

    /// Takes one if there is one left.
    pub fn take(&mut self, now: Instant) -> bool {
        let refill = now.saturating_duration_since(self.at).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_rate_bucket_takes_a_burst_then_refills_evenly() {
        let start = Instant::now();
        let mut bucket = RateBucket::new(60, start);
        assert_eq!((0..100).filter(|_| bucket.take(start)).count(), 60);
        let later = start + Duration::from_secs(10);
        assert_eq!((0..100).filter(|_| bucket.take(later)).count(), 10);
    }
}
