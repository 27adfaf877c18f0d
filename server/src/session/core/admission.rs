//! Who may still come in: the session's join rate, the facilitator's lock, the join code
//! (which facilitators may replace), and removing someone who is already in.

use tracing::info;
use werkplaats_protocol::close;
use werkplaats_protocol::control::{ErrorCode, Event, Role};

use super::frame::{Frame, Recipient};
use super::{Now, SessionCore};
use crate::metrics::Metrics;
use crate::session::{ConnId, NewParticipant, Refused};

/// The answer a join gets when the session is locked.
pub const LOCKED: &str = "the session is locked";
/// The answer a join gets when the session's join rate is spent.
pub const TOO_MANY_JOINS: &str = "too many people are joining this session; try again shortly";

impl SessionCore {
    /// `POST /api/join`: a new participant, whose token may be handed out once the open batch
    /// (which saves it) is in the store.
    pub fn add_participant(
        &mut self,
        now: Now,
        name: String,
        code: &str,
    ) -> Result<NewParticipant, Refused> {
        self.set_now(now);
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
            Metrics::inc(&self.ctx.metrics.rejected_inputs);
            return Err(refused);
        }
        let (credential, token) =
            self.meta
                .add_credential(Role::Participant, name, self.now.ms as i64);
        self.meta_dirty = true;
        self.broadcast_participants();
        Ok(NewParticipant {
            participant_id: credential.participant_id,
            token,
        })
    }

    /// The facilitator takes someone out: their token is gone with their credential, their
    /// connections close with 4403 (clients do not reconnect on it). Their post-its stay on
    /// the board: they are the workshop's material, and the facilitator can hide any of them.
    pub(crate) fn remove_participant(&mut self, participant_id: &str) -> Result<(), &'static str> {
        let Some(removed) = self.meta.remove_credential(participant_id) else {
            return Err("no such participant or co-facilitator");
        };
        self.meta_dirty = true;
        info!(participant = %removed.participant_id, role = ?removed.role, "removed by the facilitator");
        for conn in self.conns_where(|c| c.joined.participant_id == removed.participant_id) {
            self.close(
                conn,
                close::REMOVED,
                "removed by the facilitator".to_owned(),
            );
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
    pub(crate) fn set_join_locked(&mut self, locked: bool) {
        if self.meta.join_locked != locked {
            self.meta.join_locked = locked;
            self.meta_dirty = true;
            info!(locked, "join lock changed");
        }
        self.outbox.push((
            Recipient::Steering,
            Frame::control(None, Event::JoinLocked { locked }),
        ));
    }

    /// A facilitator asked for a new join code; the task draws and stores it when the batch
    /// has been handed on, then calls [`Self::join_code_rotated`]. Several asks in one batch
    /// share one new code.
    pub(crate) fn request_join_code_rotation(&mut self, conn: ConnId, reply_to: Option<u64>) {
        self.rotation_requests.push((conn, reply_to));
    }

    /// Whether facilitators are waiting for a new join code.
    pub fn rotation_requested(&self) -> bool {
        !self.rotation_requests.is_empty()
    }

    /// The store took the new join code (`Some`), or could not (`None`): the askers get their
    /// answer and, on success, everyone the new code. The code itself is never logged.
    pub fn join_code_rotated(&mut self, stored: Option<String>) {
        let asked = std::mem::take(&mut self.rotation_requests);
        match stored {
            Some(code) => {
                info!("join code rotated");
                self.join_code = code.clone();
                for (conn, reply_to) in asked {
                    self.reply(conn, reply_to, Event::Ack);
                }
                self.outbox.push((
                    Recipient::All,
                    Frame::control(None, Event::JoinCode { join_code: code }),
                ));
            }
            None => {
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
    }
}
