//! What a connection brings: joining and leaving, document updates (checked, rate-limited,
//! parked until their dependencies arrive) and awareness.

use bytes::Bytes;
use tracing::{debug, error, warn};
use werkplaats_protocol::close;
use werkplaats_protocol::update::UpdateSummary;

use super::conn::{Conn, RateBucket};
use super::frame::{Frame, Recipient};
use super::{Now, SessionCore, update_burst};
use crate::metrics::Metrics;
use crate::session::awareness::Refusal;
use crate::session::byte_rate::ByteBucket;
use crate::session::document::{Clocks, DocumentError};
use crate::session::{ClientMsg, ConnId, Joined, Refused};

impl SessionCore {
    /// Who a token belongs to, or why the connection is turned away.
    pub fn admit(&mut self, conn: ConnId, token: &str) -> Result<Joined, Refused> {
        let Some(credential) = self.meta.credential_for_token(token) else {
            Metrics::inc(&self.ctx.metrics.rejected_inputs);
            warn!(conn, "connection refused: unknown token");
            return Err(Refused {
                code: close::UNAUTHORIZED,
                reason: "unknown token",
            });
        };
        Ok(Joined {
            role: credential.role,
            participant_id: credential.participant_id.clone(),
            name: credential.name.clone(),
            author_key: crate::ids::author_key(token),
        })
    }

    /// A connection admitted by [`Self::admit`] (and told so) comes in.
    pub fn join(&mut self, now: Now, conn: ConnId, joined: Joined) {
        self.set_now(now);
        debug!(conn, role = ?joined.role, participant = %joined.participant_id, "joined");
        let was_online = self
            .conns
            .values()
            .any(|c| c.joined.participant_id == joined.participant_id);
        let awareness_per_second = f64::from(self.ctx.config.session.awareness_per_second);
        self.conns.insert(
            conn,
            Conn {
                joined,
                control: false,
                told_read_only: false,
                updates_from: None,
                joined_batch: self.batch,
                parked: Vec::new(),
                parked_bytes: 0,
                update_bytes: self.update_bucket(self.ctx.config.doc.conn_update_bytes_per_second),
                awareness_rate: RateBucket::with_rate(
                    2.0 * awareness_per_second,
                    awareness_per_second,
                    self.now.at,
                ),
            },
        );
        self.idle_since = None;
        // y-websocket order: our state vector first, then who is here.
        self.outbox.push((
            Recipient::One(conn),
            Frame::sync_step1(&self.doc.state_vector()),
        ));
        if let Some(everyone) = self.awareness.full_update() {
            self.outbox
                .push((Recipient::One(conn), Frame::awareness(&everyone)));
        }
        if !was_online {
            self.broadcast_participants();
        }
    }

    /// A connection is gone (closed, or dropped by the task); its awareness goes with it.
    pub fn leave(&mut self, conn: ConnId) {
        let Some(left) = self.conns.remove(&conn) else {
            return;
        };
        self.gone.push((conn, None));
        debug!(conn, "left");
        let still_online = self
            .conns
            .values()
            .any(|c| c.joined.participant_id == left.joined.participant_id);
        if !still_online {
            self.broadcast_participants();
        }
        if let Some(removal) = self.awareness.remove_connection(conn) {
            self.outbox
                .push((Recipient::All, Frame::awareness(&removal)));
        }
        if self.conns.is_empty() {
            self.idle_since = Some(self.now.at);
        }
    }

    /// A message from a joined connection (ignored from any other).
    pub fn client(&mut self, now: Now, conn: ConnId, msg: ClientMsg) {
        self.set_now(now);
        if !self.conns.contains_key(&conn) {
            return;
        }
        match msg {
            ClientMsg::SyncStep1(state_vector) => match self.doc.diff(&state_vector) {
                Ok(diff) => {
                    self.outbox
                        .push((Recipient::One(conn), Frame::sync_step2(&diff)));
                    // Everything before this point is in the step 2; everything after follows it.
                    let from = (self.batch, self.outbox.len());
                    if let Some(state) = self.conns.get_mut(&conn) {
                        state.updates_from.get_or_insert(from);
                    }
                }
                Err(err) => self.document_failed(conn, err),
            },
            ClientMsg::Update { update, summary } => self.update(conn, update, *summary),
            ClientMsg::Awareness(entries) => {
                let Some(state) = self.conns.get_mut(&conn) else {
                    return;
                };
                if !state.awareness_rate.take(self.now.at) {
                    return self.refuse(
                        conn,
                        close::RATE_LIMITED,
                        "too many awareness updates".into(),
                    );
                }
                let participant = state.joined.participant_id.clone();
                let conns = &self.conns;
                // The same person reconnecting (a phone waking up) takes over their own ids
                // from a connection that has not noticed it is dead yet.
                let same_person = |owner: ConnId| {
                    conns
                        .get(&owner)
                        .is_none_or(|c| c.joined.participant_id == participant)
                };
                let (update, refused) =
                    self.awareness
                        .apply(conn, same_person, &entries, self.now.at);
                if let Some(update) = update {
                    self.outbox
                        .push((Recipient::All, Frame::awareness(&update)));
                }
                for refusal in refused {
                    Metrics::inc(&self.ctx.metrics.rejected_inputs);
                    match refusal {
                        Refusal::OwnedByOther(id) => warn!(
                            conn,
                            client_id = id,
                            "awareness for another connection's client id refused"
                        ),
                        Refusal::TooManyIds => {
                            warn!(conn, "awareness refused: too many client ids")
                        }
                    }
                }
            }
            ClientMsg::QueryAwareness => {
                if let Some(everyone) = self.awareness.full_update() {
                    self.outbox
                        .push((Recipient::One(conn), Frame::awareness(&everyone)));
                }
            }
            ClientMsg::Control(envelope) => self.command(conn, *envelope),
        }
    }

    fn update(&mut self, conn: ConnId, update: Bytes, summary: UpdateSummary) {
        let Some(sender) = self.conns.get_mut(&conn) else {
            return;
        };
        if !sender.joined.role.may_edit_document() {
            Metrics::inc(&self.ctx.metrics.rejected_inputs);
            if !std::mem::replace(&mut sender.told_read_only, true) {
                debug!(conn, "update from a read-only connection refused");
                self.outbox.push((
                    Recipient::One(conn),
                    Frame::permission_denied("read-only connection"),
                ));
            }
            return;
        }
        if !self.within_byte_rate(conn, update.len()) {
            return;
        }
        // One state vector per update, for the dependency check and the client-id budget
        // alike: computing it walks every client's blocks (callgrind: a third of the session's
        // instructions per update when it was taken three times).
        let clocks = self.doc.clocks();
        if let Err(missing) = summary.check_dependencies(|client| clocks.get(client)) {
            self.park(conn, update, summary, &missing.to_string());
            return;
        }
        if self.integrate(conn, &update, &summary, &clocks) {
            self.retry_parked(conn);
        } else {
            // It changed nothing (or was refused): nothing is stored or forwarded, so it costs
            // no rate. Clients that echo back everything they receive (pycrdt's `Provider`)
            // would otherwise pay for the whole session's traffic a second time.
            self.give_back_bytes(conn, update.len());
        }
    }

    fn give_back_bytes(&mut self, conn: ConnId, bytes: usize) {
        if let Some(sender) = self.conns.get_mut(&conn) {
            sender.update_bytes.give_back(bytes);
        }
        self.update_bytes.give_back(bytes);
    }

    /// A full bucket of update bytes at `per_second`.
    fn update_bucket(&self, per_second: u64) -> ByteBucket {
        ByteBucket::new(per_second, update_burst(&self.ctx), self.now.at)
    }

    /// Takes an update's bytes from its connection's bucket and the session's; refuses the
    /// update (4429) when either is spent. Taken on arrival, before any work on the update, and
    /// given back if it turns out to change nothing: what costs the server is the bytes it
    /// stores and forwards, which a delete costs as much as an insert.
    fn within_byte_rate(&mut self, conn: ConnId, bytes: usize) -> bool {
        let now = self.now.at;
        let Some(sender) = self.conns.get_mut(&conn) else {
            return false;
        };
        if !sender.update_bytes.take(bytes, now) {
            self.refuse(
                conn,
                close::RATE_LIMITED,
                "update refused: this connection sends updates faster than its byte rate".into(),
            );
            return false;
        }
        if !self.update_bytes.take(bytes, now) {
            if let Some(sender) = self.conns.get_mut(&conn) {
                sender.update_bytes.give_back(bytes);
            }
            self.refuse(
                conn,
                close::RATE_LIMITED,
                "update refused: the session receives updates faster than its byte rate".into(),
            );
            return false;
        }
        true
    }

    /// Applies an update whose dependencies are met (`clocks`: the document's, taken for that
    /// check); returns whether the document changed.
    fn integrate(
        &mut self,
        conn: ConnId,
        update: &[u8],
        summary: &UpdateSummary,
        clocks: &Clocks,
    ) -> bool {
        if !self.doc.has_room_for_types(summary.type_count) {
            self.refuse(
                conn,
                close::POLICY_VIOLATION,
                "update refused: the document holds too many shared types".into(),
            );
            return false;
        }
        let limits = &self.ctx.config.doc;
        let new_clients = summary
            .clients
            .iter()
            .filter(|section| section.end > section.start && !clocks.contains(section.client))
            .count();
        if clocks.len() + new_clients > limits.max_document_clients as usize {
            self.refuse(
                conn,
                close::POLICY_VIOLATION,
                "update refused: the document holds too many client ids".into(),
            );
            return false;
        }
        if !self
            .doc
            .has_room_for_bytes(update.len(), limits.max_document_bytes())
        {
            self.refuse(
                conn,
                close::MESSAGE_TOO_BIG,
                "update refused: the document would exceed its size budget".into(),
            );
            return false;
        }
        // Judged by what it would change: text in texts, rows in lists, ticks in guides, never
        // the server's own containers; and no type deeper than the limit.
        let admission = match self.doc.admit(summary, update, limits.max_type_depth) {
            Ok(admission) => admission,
            Err(violation) => {
                Metrics::inc(&self.ctx.metrics.schema_violations);
                self.refuse(
                    conn,
                    close::POLICY_VIOLATION,
                    format!("update refused: {violation}"),
                );
                return false;
            }
        };
        match self.doc.apply_admitted(update, admission) {
            Ok(Some(delta)) => {
                let frame = Frame::update(&delta);
                self.unlogged.push(&delta);
                self.outbox.push((Recipient::AllExcept(conn), frame));
                true
            }
            Ok(None) => false,
            Err(err) => {
                self.document_failed(conn, err);
                false
            }
        }
    }

    /// Keeps an update until what it builds on arrives, and asks the client for what we miss:
    /// a Yjs client answers a step 1 with a step 2 at any time.
    fn park(&mut self, conn: ConnId, update: Bytes, summary: UpdateSummary, missing: &str) {
        let Some(state) = self.conns.get_mut(&conn) else {
            return;
        };
        // Updates from one connection that may wait for their dependencies (a client that
        // edits while its sync step 2 is still on the way), and their total size.
        let limits = &self.ctx.config.sync;
        if state.parked.len() >= limits.max_parked_updates as usize
            || state.parked_bytes + update.len() > limits.max_parked_bytes as usize
        {
            self.refuse(
                conn,
                close::POLICY_VIOLATION,
                format!("update refused: {missing}"),
            );
            return;
        }
        debug!(conn, %missing, "update waits for its dependencies");
        let first = state.parked.is_empty();
        state.parked_bytes += update.len();
        state.parked.push((update, summary));
        if first {
            let step1 = Frame::sync_step1(&self.doc.state_vector());
            self.outbox.push((Recipient::One(conn), step1));
        }
    }

    /// Applies every parked update of `conn` whose dependencies are now met.
    fn retry_parked(&mut self, conn: ConnId) {
        loop {
            let Some(state) = self.conns.get_mut(&conn) else {
                return;
            };
            if state.parked.is_empty() {
                return;
            }
            let clocks = self.doc.clocks();
            let Some(ready) = state
                .parked
                .iter()
                .position(|(_, summary)| summary.check_dependencies(|c| clocks.get(c)).is_ok())
            else {
                return;
            };
            let (update, summary) = state.parked.remove(ready);
            state.parked_bytes -= update.len();
            self.integrate(conn, &update, &summary, &clocks);
        }
    }

    /// Closes one connection for bad input; the rest of the session carries on.
    pub(crate) fn refuse(&mut self, conn: ConnId, code: u16, reason: String) {
        Metrics::inc(&self.ctx.metrics.rejected_inputs);
        warn!(conn, code, %reason, "connection closed for bad input");
        self.close(conn, code, reason);
    }

    /// Closes one connection with a code and a reason.
    pub(crate) fn close(&mut self, conn: ConnId, code: u16, reason: String) {
        if self.conns.contains_key(&conn) {
            self.gone.push((conn, Some((code, reason))));
        }
        self.leave(conn);
    }

    fn document_failed(&mut self, conn: ConnId, err: DocumentError) {
        match err {
            DocumentError::Rejected(reason) => {
                // yrs integrated part of the update before it stopped: the placements no longer
                // match the document, so it is rebuilt from the store like after a panic.
                self.poisoned = true;
                self.refuse(conn, close::POLICY_VIOLATION, reason);
            }
            DocumentError::Panicked(reason) => {
                Metrics::inc(&self.ctx.metrics.session_panics);
                error!(conn, %reason, "yrs panicked; reloading the session's document from the store");
                self.poisoned = true;
                self.refuse(conn, close::POLICY_VIOLATION, "update refused".into());
            }
        }
    }
}
