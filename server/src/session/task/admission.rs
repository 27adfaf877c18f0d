//! Who may still come in: the session's join rate, the facilitator's lock, the join code
//! (which facilitators may replace), and removing someone who is already in.

use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;
use tracing::{error, info};
use werkplaats_protocol::close;
use werkplaats_protocol::control::{ErrorCode, Event, Role};

use super::{ConnId, Recipient, SessionTask, control::control_frame};
use crate::ids;
use crate::metrics::Metrics;
use crate::session::{NewParticipant, Refused};
use crate::store::StoreError;

/// A token bucket: `burst` at once, `per_second` refilled evenly. The session's joins use it
/// (kept per session, not per address, so a script on many addresses is held to it too), and
/// each connection's awareness updates.
#[derive(Debug)]
pub(super) struct RateBucket {
    burst: f64,
    per_second: f64,
    tokens: f64,
    at: Instant,
}

impl RateBucket {
    pub(super) fn new(per_minute: u32, now: Instant) -> Self {
        Self::with_rate(f64::from(per_minute), f64::from(per_minute) / 60.0, now)
    }

    /// A full bucket at `now`.
    pub(super) fn with_rate(burst: f64, per_second: f64, now: Instant) -> Self {
        Self {
            burst,
            per_second,
            tokens: burst,
            at: now,
        }
    }

    /// Takes one if there is one left.
    pub(super) fn take(&mut self, now: Instant) -> bool {
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

/// The answer a join gets when the session is locked.
pub const LOCKED: &str = "the session is locked";
/// The answer a join gets when the session's join rate is spent.
pub const TOO_MANY_JOINS: &str = "too many people are joining this session; try again shortly";

impl SessionTask {
    pub(super) fn add_participant(
        &mut self,
        name: String,
        code: &str,
        reply: oneshot::Sender<Result<NewParticipant, Refused>>,
    ) {
        // The code was looked up before this command queued; a rotation in between wins.
        let refused = if code != self.join_code {
            Some(Refused {
                code: close::SESSION_NOT_FOUND,
                reason: "unknown join code",
            })
        } else if self.meta.join_locked {
            Some(Refused {
                code: close::UNAUTHORIZED,
                reason: LOCKED,
            })
        } else if self.meta.credentials.len() >= self.ctx.config.session.max_participants as usize {
            Some(Refused {
                code: close::TRY_AGAIN_LATER,
                reason: "session is full",
            })
        } else if !self.join_bucket.take(self.now.at) {
            Some(Refused {
                code: close::RATE_LIMITED,
                reason: TOO_MANY_JOINS,
            })
        } else {
            None
        };
        if let Some(refused) = refused {
            crate::metrics::Metrics::inc(&self.ctx.metrics.rejected_inputs);
            let _ = reply.send(Err(refused));
            return;
        }
        let (credential, token) =
            self.meta
                .add_credential(Role::Participant, name, self.now.ms as i64);
        self.meta_dirty = true;
        self.broadcast_participants();
        self.participant_replies.push((
            reply,
            NewParticipant {
                participant_id: credential.participant_id,
                token,
            },
        ));
    }

    /// The facilitator takes someone out: their token is gone with their credential, their
    /// connections close with 4403 (clients do not reconnect on it). Their post-its stay on
    /// the board: they are the workshop's material, and the facilitator can hide any of them.
    pub(super) fn remove_participant(&mut self, participant_id: &str) -> Result<(), &'static str> {
        let Some(removed) = self.meta.remove_credential(participant_id) else {
            return Err("no such participant or co-facilitator");
        };
        self.meta_dirty = true;
        info!(participant = %removed.participant_id, role = ?removed.role, "removed by the facilitator");
        for conn in self.conns_where(|c| c.joined.participant_id == removed.participant_id) {
            if let Some(state) = self.conns.get(&conn) {
                state
                    .link
                    .closer
                    .close(close::REMOVED, "removed by the facilitator".to_owned());
            }
            self.leave(conn);
        }
        // Someone who is gone is not "klaar" any more (nor counted as not).
        if self.engine.state.ready.forget(&removed.participant_id) {
            let changes = crate::engine::Changes {
                ready: true,
                ..Default::default()
            };
            self.publish(&changes);
        }
        self.broadcast_participants();
        Ok(())
    }

    /// Locks or unlocks the session for new joins and tells the facilitators.
    pub(super) fn set_join_locked(&mut self, locked: bool) {
        if self.meta.join_locked != locked {
            self.meta.join_locked = locked;
            self.meta_dirty = true;
            info!(locked, "join lock changed");
        }
        self.outbox.push((
            Recipient::Steering,
            control_frame(None, Event::JoinLocked { locked }),
        ));
    }
}

impl SessionTask {
    /// A facilitator asked for a new join code; it is drawn when the batch has been handed on
    /// ([`Self::rotate_join_code`]). Several asks in one batch share one new code.
    pub(super) fn request_join_code_rotation(&mut self, conn: ConnId, reply_to: Option<u64>) {
        self.rotation_requests.push((conn, reply_to));
    }

    /// Draws a fresh join code and stores it in place of the old one, which from then on finds
    /// no session (`POST /api/join` answers it as it answers a code that never existed). Runs
    /// between batches, like a delete: the store's answer is awaited, and only then do the
    /// askers get their `ack` and everyone the new code, so nobody is shown a code that a
    /// crash could take back. The code itself is never logged.
    pub(super) async fn rotate_join_code(&mut self) {
        let asked = std::mem::take(&mut self.rotation_requests);
        if asked.is_empty() {
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
        match outcome {
            Ok(code) => {
                info!("join code rotated");
                self.join_code = code.clone();
                for (conn, reply_to) in asked {
                    self.reply(conn, reply_to, Event::Ack);
                }
                self.outbox.push((
                    Recipient::All,
                    control_frame(None, Event::JoinCode { join_code: code }),
                ));
            }
            Err(err) => {
                Metrics::inc(&self.ctx.metrics.store_errors);
                error!(%err, "could not store a new join code; the old one stays");
                for (conn, reply_to) in asked {
                    self.reply(
                        conn,
                        reply_to,
                        Event::Error {
                            code: ErrorCode::StoreUnavailable,
                            message: "the join code could not be changed; try again".to_owned(),
                        },
                    );
                }
            }
        }
        self.flush();
    }
}

/// How long a client should wait after [`TOO_MANY_JOINS`]: one join's refill at most.
pub fn join_retry_after(per_minute: u32) -> Duration {
    Duration::from_secs(60)
        .div_f64(f64::from(per_minute.max(1)))
        .max(Duration::from_secs(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_rate_bucket_takes_a_burst_then_refills_evenly() {
        let start = Instant::now();
        let mut bucket = RateBucket::new(60, start);
        assert_eq!((0..100).filter(|_| bucket.take(start)).count(), 60);
        tokio::time::advance(Duration::from_secs(10)).await;
        let later = Instant::now();
        assert_eq!((0..100).filter(|_| bucket.take(later)).count(), 10);
        assert_eq!(join_retry_after(60), Duration::from_secs(1));
    }
}
