//! Byte-rate limits on document updates: a token bucket of bytes per connection and one per
//! session, so no client (and no group of clients) can churn a session's document and store
//! faster than people type and paste. The document budget bounds the document's size; this
//! bounds the bytes that flow through it (insert, delete, insert again: 40 MB in 6 s before).
//!
//! The session task owns both buckets, so they need no lock.

use tokio::time::Instant;

/// A token bucket of bytes: fills at `per_second` up to `capacity`.
#[derive(Debug, Clone)]
pub struct ByteBucket {
    tokens: f64,
    capacity: f64,
    per_second: f64,
    updated: Instant,
}

impl ByteBucket {
    /// A full bucket. `capacity` is the burst: a reconnecting client's sync step 2 (its offline
    /// edits, at most a whole document) must fit it.
    pub fn new(per_second: u64, capacity: u64, now: Instant) -> Self {
        let capacity = capacity.max(1) as f64;
        Self {
            tokens: capacity,
            capacity,
            per_second: per_second.max(1) as f64,
            updated: now,
        }
    }

    /// Takes `bytes` if the bucket holds them; otherwise takes nothing and says no.
    pub fn take(&mut self, bytes: usize, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        self.updated = now;
        let bytes = bytes as f64;
        if self.tokens >= bytes {
            self.tokens -= bytes;
            true
        } else {
            false
        }
    }

    /// Gives back bytes taken for something that was then refused for another reason.
    pub fn give_back(&mut self, bytes: usize) {
        self.tokens = (self.tokens + bytes as f64).min(self.capacity);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn refuses_past_the_burst_and_refills_at_the_rate() {
        let start = Instant::now();
        let mut bucket = ByteBucket::new(1000, 5000, start);
        assert!(bucket.take(3000, start));
        assert!(bucket.take(2000, start));
        assert!(!bucket.take(1, start), "the burst is spent");
        let later = start + Duration::from_secs(2);
        assert!(bucket.take(2000, later), "two seconds refill 2,000 bytes");
        assert!(!bucket.take(100, later));
        let much_later = later + Duration::from_secs(3600);
        assert!(!bucket.take(5001, much_later), "never more than the burst");
        assert!(bucket.take(5000, much_later));
    }

    #[test]
    fn a_refused_take_costs_nothing() {
        let start = Instant::now();
        let mut bucket = ByteBucket::new(1, 100, start);
        assert!(!bucket.take(101, start));
        assert!(bucket.take(100, start));
        bucket.give_back(40);
        assert!(bucket.take(40, start));
    }
}
