//! The store's side of admission: drawing and storing a new join code. The rules (who may ask,
//! the join rate, the lock) are the core's (`core/admission.rs`).

use std::time::Duration;

use tracing::error;

use super::SessionTask;
use crate::ids;
use crate::metrics::Metrics;
use crate::store::StoreError;

impl SessionTask {
    /// Draws a fresh join code and stores it in place of the old one, which from then on finds
    /// no session (`POST /api/join` answers it as it answers a code that never existed). Runs
    /// between batches, like a delete: the store's answer is awaited, and only then do the
    /// askers get their `ack` and everyone the new code, so nobody is shown a code that a
    /// crash could take back. The code itself is never logged.
    pub(super) async fn rotate_join_code(&mut self) {
        if !self.core.rotation_requested() {
            return;
        }
        let mut outcome = Err(StoreError::JoinCodeTaken);
        for _ in 0..ids::JOIN_CODE_ATTEMPTS {
            let code = ids::join_code();
            outcome = self
                .ctx
                .store
                .set_join_code(&self.handle.id, &code)
                .await
                .map(|()| code);
            if !matches!(outcome, Err(StoreError::JoinCodeTaken)) {
                break;
            }
        }
        let stored = match outcome {
            Ok(code) => Some(code),
            Err(err) => {
                Metrics::inc(&self.ctx.metrics.store_errors);
                error!(%err, "could not store a new join code; the old one stays");
                None
            }
        };
        self.core.join_code_rotated(stored);
        self.flush();
    }
}

/// How long a client should wait after [`crate::session::core::TOO_MANY_JOINS`]: one join's
/// refill at most.
pub fn join_retry_after(per_minute: u32) -> Duration {
    Duration::from_secs(60)
        .div_f64(f64::from(per_minute.max(1)))
        .max(Duration::from_secs(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_join_waits_one_refill() {
        assert_eq!(join_retry_after(60), Duration::from_secs(1));
        assert_eq!(join_retry_after(6), Duration::from_secs(10));
    }
}
