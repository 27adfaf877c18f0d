//! The session task: the only code that reads or writes a session's document and state.
//!
//! It works in batches: it takes every command already queued (up to [`MAX_BATCH`]), applies
//! them, appends the accepted updates to the store in one call (group commit), and only then
//! delivers what the batch produced. So no client ever sees an update that a crash could lose.
//! While one batch's writes are under way the next one is applied ([`commit`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};
use tracing::{Instrument, debug, error, info, info_span, warn};
use werkplaats_protocol::close;
use werkplaats_protocol::control::{Event, Role};
use werkplaats_protocol::update::UpdateSummary;

mod admission;
mod commit;
mod control;

pub use admission::join_retry_after;

use super::awareness::{AwarenessTable, Refusal};
use super::byte_rate::ByteBucket;
use super::core::Now;
use super::core::frame::{Frame, Recipient};
use super::document::{DocumentError, SessionDocument};
use super::meta::SessionMeta;
use super::registry::{Registry, SessionContext};
use super::schema;
use super::{
    ClientMsg, ConnId, ConnLink, Joined, NewParticipant, Refused, SessionCmd, SessionHandle,
};
use crate::clock::ServerClock;
use crate::engine::{Engine, EngineState};
use crate::metrics::Metrics;
use crate::store::{LoadedSession, UpdateBatch};

/// Most commands in one batch. Large, so a busy session hands the store big group commits:
/// what arrives while a batch's fsync is under way forms the next one. Capped at half the
/// outbound queue, so the batch in flight and the one behind it cannot fill a healthy client's
/// queue by themselves.
const MAX_BATCH: usize = 256;
/// How often awareness expiry and the idle check run.
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(5);
/// Log entries after which the document is compacted into a snapshot, once the log since the
/// last snapshot also holds at least as many bytes as that snapshot: a large document is not
/// rewritten in full for a few hundred keystrokes. A compaction writes the new snapshot and
/// zeroes the old one (secure delete): twice the snapshot's bytes. With half the snapshot's
/// bytes as the trigger (as before), compactions were two thirds of what the store wrote under
/// sustained typing (tests/README.md, *Benchmark*).
const COMPACT_AFTER: usize = 500;
/// Log entries after which the document is compacted whatever their size: bounds the replay at
/// load.
const COMPACT_ALWAYS_AFTER: usize = 10_000;

struct Conn {
    joined: Joined,
    link: ConnLink,
    /// The client said `hello` on the control channel and may receive control events.
    control: bool,
    /// A read-only client was told once that its edits are refused.
    told_read_only: bool,
    /// Updates whose dependencies have not arrived yet, oldest first. Kept here, outside yrs,
    /// so the document never holds pending structs; bounded, and dropped with the connection
    /// (the client still has them and sends them again in its next sync step 2).
    parked: Vec<(Bytes, UpdateSummary)>,
    parked_bytes: usize,
    /// Bytes of updates this connection may still send now (`--conn-update-bytes-per-second`).
    update_bytes: ByteBucket,
    /// Document updates reach this connection only from this (batch, outbox position) on: the
    /// one after its sync step 2 (`None`: not synced yet). A client then never receives an
    /// update whose dependencies it lacks, so it never holds pending structs; yrs, at least,
    /// can integrate such pending state differently depending on arrival order.
    updates_from: Option<(u64, usize)>,
    /// The batch it joined in: what it is told on joining already reflects earlier batches.
    joined_batch: u64,
    /// Awareness updates it may still send now (`--awareness-per-second`): each one goes to
    /// every connection of the session, so a flood multiplies.
    awareness_rate: admission::RateBucket,
}

pub(super) struct SessionTask {
    registry: Arc<Registry>,
    ctx: Arc<SessionContext>,
    handle: SessionHandle,
    meta: SessionMeta,
    meta_dirty: bool,
    doc: SessionDocument,
    awareness: AwarenessTable,
    conns: HashMap<ConnId, Conn>,
    /// Frames produced by the open batch, delivered after it is durable.
    outbox: Vec<(Recipient, Frame)>,
    /// The open batch's number (see [`commit`]).
    batch: u64,
    /// Commands handled in the open batch.
    open_commands: usize,
    /// The batch whose writes are under way.
    flight: Option<commit::Flight>,
    /// Someone came or went in the open batch: the participant list goes out when it ends.
    participants_changed: bool,
    /// Accepted updates of this batch, not yet in the store.
    unlogged: UpdateBatch,
    /// Replies waiting for the metadata to be stored.
    participant_replies: Vec<(
        oneshot::Sender<Result<NewParticipant, Refused>>,
        NewParticipant,
    )>,
    /// The document must be rebuilt from the store (yrs panicked on it).
    poisoned: bool,
    last_seq: u64,
    logged_since_snapshot: usize,
    /// Bytes of those entries, and the size of the last snapshot (see [`COMPACT_AFTER`]).
    logged_bytes_since_snapshot: usize,
    snapshot_bytes: usize,
    compaction: Option<JoinHandle<()>>,
    idle_since: Option<Instant>,
    engine: Engine,
    /// The engine state changed and must be saved with this batch.
    state_dirty: bool,
    join_code: String,
    clock: ServerClock,
    /// The time of the input being handled, read once per input ([`Self::tick_clock`]): the
    /// session's rules read no clock themselves.
    now: Now,
    /// Bytes of updates all connections together may still send now
    /// (`--session-update-bytes-per-second`).
    update_bytes: ByteBucket,
    /// Joins this session may still take now (`--session-joins-per-minute`).
    join_bucket: admission::RateBucket,
    /// The facilitator asked to delete the session; carried out after the batch.
    delete_requested: Option<oneshot::Sender<Result<(), Refused>>>,
    /// Facilitators asked for a new join code (who, and the command's id); carried out after
    /// the batch ([`admission`]).
    rotation_requests: Vec<(ConnId, Option<u64>)>,
}

impl SessionTask {
    pub(super) fn spawn(
        registry: Arc<Registry>,
        handle: SessionHandle,
        rx: mpsc::Receiver<SessionCmd>,
    ) {
        let ctx = Arc::clone(&registry.ctx);
        let span = info_span!("session", id = %handle.id);
        ctx.tasks.clone().spawn(
            async move {
                let metrics = Arc::clone(&ctx.metrics);
                Metrics::inc(&metrics.sessions_live);
                Metrics::inc(&metrics.sessions_loaded_total);
                let run = std::panic::AssertUnwindSafe(Self::load_and_run(
                    Arc::clone(&registry),
                    handle.clone(),
                    rx,
                ));
                if let Err(panic) = run.catch_unwind().await {
                    // Connections see their queue close and reconnect to a fresh load.
                    Metrics::inc(&metrics.session_panics);
                    error!(
                        ?panic,
                        "session task panicked; it will be reloaded on next use"
                    );
                }
                registry.remove(&handle);
                Metrics::dec(&metrics.sessions_live);
            }
            .instrument(span),
        );
    }

    async fn load_and_run(
        registry: Arc<Registry>,
        handle: SessionHandle,
        mut rx: mpsc::Receiver<SessionCmd>,
    ) {
        let ctx = Arc::clone(&registry.ctx);
        let loaded = match ctx.store.load_session(&handle.id).await {
            Ok(Some(loaded)) => loaded,
            Ok(None) => {
                debug!("no such session");
                registry.remove(&handle);
                refuse_queued(&mut rx, close::SESSION_NOT_FOUND, "session not found").await;
                return;
            }
            Err(err) => {
                Metrics::inc(&ctx.metrics.store_errors);
                error!(%err, "could not load session");
                registry.remove(&handle);
                refuse_queued(&mut rx, close::TRY_AGAIN_LATER, "storage unavailable").await;
                return;
            }
        };
        let Some(task) = Self::from_loaded(registry.clone(), handle.clone(), loaded) else {
            registry.remove(&handle);
            refuse_queued(
                &mut rx,
                close::INTERNAL_ERROR,
                "session could not be loaded",
            )
            .await;
            return;
        };
        info!(updates = task.last_seq, "session loaded");
        task.run(rx).await;
    }

    fn from_loaded(
        registry: Arc<Registry>,
        handle: SessionHandle,
        loaded: LoadedSession,
    ) -> Option<Box<Self>> {
        let meta: SessionMeta = match serde_json::from_slice(&loaded.meta) {
            Ok(meta) => meta,
            Err(err) => {
                error!(%err, "stored metadata is unreadable");
                return None;
            }
        };
        let doc = match SessionDocument::from_stored(&loaded) {
            Ok(doc) => doc,
            Err(err) => {
                error!(%err, "stored document is unreadable");
                return None;
            }
        };
        let ctx = Arc::clone(&registry.ctx);
        let engine_state = if loaded.state.is_empty() {
            EngineState::default()
        } else {
            match serde_json::from_slice(&loaded.state) {
                Ok(state) => state,
                Err(err) => {
                    error!(%err, "stored engine state is unreadable");
                    return None;
                }
            }
        };
        let engine = Engine::new(
            meta.template.clone(),
            engine_state,
            ctx.config.minute_ms as f64,
        )
        .with_board_limits(ctx.config.session.board())
        .with_max_rounds(ctx.config.session.max_carousel_rounds as usize)
        .with_ready_limits(ctx.config.session.ready());
        let clock = ctx.clock;
        let now = Now::read(&clock);
        let update_bytes = ByteBucket::new(
            ctx.config.doc.session_update_bytes_per_second,
            update_burst(&ctx),
            now.at,
        );
        let joins_per_minute = ctx.config.session.session_joins_per_minute;
        let awareness = AwarenessTable::new(ctx.config.session.awareness());
        // On the heap once: the task's futures hold a pointer to it, not copies of it (an
        // async fn that takes `self` by value keeps its own copy in its state, and `run`'s
        // rare endings, delete and unload, would each add one: 8 KiB per session, not 3).
        let mut task = Box::new(Self {
            registry,
            ctx,
            handle,
            meta,
            meta_dirty: false,
            doc,
            awareness,
            conns: HashMap::new(),
            outbox: Vec::new(),
            batch: 1,
            open_commands: 0,
            flight: None,
            participants_changed: false,
            unlogged: UpdateBatch::new(),
            participant_replies: Vec::new(),
            poisoned: false,
            last_seq: loaded
                .updates
                .last()
                .map(|(seq, _)| *seq)
                .unwrap_or_default(),
            logged_since_snapshot: loaded.updates.len(),
            logged_bytes_since_snapshot: loaded.updates.iter().map(|(_, u)| u.len()).sum(),
            snapshot_bytes: loaded.snapshot.as_ref().map_or(0, Vec::len),
            compaction: None,
            idle_since: Some(now.at),
            engine,
            state_dirty: false,
            join_code: loaded.join_code,
            clock,
            now,
            update_bytes,
            join_bucket: admission::RateBucket::new(joins_per_minute, now.at),
            delete_requested: None,
            rotation_requests: Vec::new(),
        });
        let mut new_id = crate::ids::participant_id;
        if let Some(update) =
            schema::ensure_structure(task.doc.doc(), &task.engine.template, &mut new_id, now.ms)
        {
            task.server_update(update);
        }
        // Deadlines that passed while the session was not loaded (a restart, an unload) are
        // caught up at once, from the stored deadlines, not replayed second by second.
        let caught_up = task.engine.tick(now.ms);
        task.publish(&caught_up);
        Some(task)
    }

    /// A change the server made to the document itself: logged and sent like any other.
    fn server_update(&mut self, update: Vec<u8>) {
        self.doc.record_local(&update);
        let frame = Frame::update(&update);
        self.unlogged.push(&update);
        self.outbox.push((Recipient::All, frame));
    }

    async fn run(mut self: Box<Self>, mut rx: mpsc::Receiver<SessionCmd>) {
        let mut housekeeping = tokio::time::interval(HOUSEKEEPING_EVERY);
        housekeeping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let shutdown = self.ctx.shutdown.clone();
        let deleted = self.handle.deleted.clone();
        let max_batch = (self.ctx.config.outbound_queue / 2).clamp(1, MAX_BATCH);
        loop {
            if deleted.is_cancelled() {
                self.end_deleted(rx).await;
                return;
            }
            let deadline = self
                .engine
                .next_deadline()
                .map(|ms| self.clock.instant_at(ms));
            // With a full open batch behind the one in flight, new commands wait in the queue.
            let room = self.open_commands < max_batch;
            tokio::select! {
                written = async { self.flight.as_mut().expect("checked").written().await }, if self.flight.is_some() => {
                    self.tick_clock();
                    self.land(written).await;
                }
                _ = async { tokio::time::sleep_until(deadline.expect("checked")).await }, if deadline.is_some() => {
                    self.tick_clock();
                    let changes = self.engine.tick(self.now.ms);
                    self.publish(&changes);
                    self.flush();
                }
                Some(cmd) = rx.recv(), if room => {
                    self.tick_clock();
                    self.handle(cmd);
                    self.open_commands += 1;
                    while self.open_commands < max_batch && !self.poisoned {
                        match rx.try_recv() {
                            Ok(cmd) => self.handle(cmd),
                            Err(_) => break,
                        }
                        self.open_commands += 1;
                    }
                    if self.poisoned {
                        // Store what was accepted before the panic, then rebuild from it.
                        self.settle().await;
                        self.reload_document().await;
                    }
                    self.flush();
                    if !self.rotation_requests.is_empty() {
                        self.rotate_join_code().await;
                    }
                    if self.delete_requested.is_some() {
                        self.delete(rx).await;
                        return;
                    }
                }
                _ = housekeeping.tick() => {
                    self.tick_clock();
                    if let Some(removal) = self.awareness.expire(self.now.at) {
                        self.outbox.push((Recipient::All, awareness_frame(&removal)));
                    }
                    self.flush();
                    if self.idle_for_too_long() {
                        self.unload(rx).await;
                        return;
                    }
                }
                // Checked at the top of the loop.
                _ = deleted.cancelled() => {}
                _ = shutdown.cancelled() => {
                    self.tick_clock();
                    self.settle().await;
                    self.final_compaction().await;
                    for conn in self.conns.values() {
                        conn.link.closer.close(close::GOING_AWAY, "server is restarting");
                    }
                    info!("session flushed for shutdown");
                    return;
                }
            }
        }
    }

    /// Reads the clock for the input about to be handled.
    fn tick_clock(&mut self) {
        self.now = Now::read(&self.clock);
    }

    fn conns_where(&self, keep: impl Fn(&Conn) -> bool) -> Vec<ConnId> {
        self.conns
            .iter()
            .filter(|(_, c)| keep(c))
            .map(|(id, _)| *id)
            .collect()
    }

    /// Deletes everything of the session, tells its clients, and ends the task.
    async fn delete(mut self: Box<Self>, mut rx: mpsc::Receiver<SessionCmd>) {
        let Some(reply) = self.delete_requested.take() else {
            return;
        };
        self.settle().await;
        if let Some(running) = self.compaction.take() {
            let _ = running.await;
        }
        match self.ctx.store.delete_session(&self.handle.id).await {
            Ok(_) => {
                info!("session deleted");
                self.outbox
                    .push((Recipient::All, Frame::control(None, Event::SessionDeleted)));
                let farewell = std::mem::take(&mut self.outbox);
                self.deliver(self.batch, farewell);
                for conn in self.conns.values() {
                    conn.link
                        .closer
                        .close(close::SESSION_DELETED, "session deleted");
                }
                self.registry.remove(&self.handle);
                let _ = reply.send(Ok(()));
                refuse_queued(&mut rx, close::SESSION_NOT_FOUND, "session deleted").await;
            }
            Err(err) => {
                Metrics::inc(&self.ctx.metrics.store_errors);
                error!(%err, "delete failed; the session stays");
                let _ = reply.send(Err(Refused {
                    code: close::TRY_AGAIN_LATER,
                    reason: "storage unavailable",
                }));
                Box::pin(self.run(rx)).await;
            }
        }
    }

    fn idle_for_too_long(&self) -> bool {
        self.conns.is_empty()
            && self.idle_since.is_some_and(|since| {
                self.now.at.saturating_duration_since(since) >= self.ctx.config.session_idle()
            })
    }

    /// The session was deleted from the store: drop everything unsent, close every connection
    /// for good and end without writing (a compaction or save now would fail anyway, and
    /// nothing of this copy may reach anyone again).
    async fn end_deleted(mut self: Box<Self>, mut rx: mpsc::Receiver<SessionCmd>) {
        if let Some(compaction) = self.compaction.take() {
            compaction.abort();
        }
        self.abandon_flight(close::SESSION_DELETED, "session deleted");
        self.outbox.clear();
        self.unlogged.clear();
        for (reply, _) in self.participant_replies.drain(..) {
            let _ = reply.send(Err(Refused {
                code: close::SESSION_DELETED,
                reason: "session deleted",
            }));
        }
        // Deleted elsewhere (retention, another node): the farewell goes straight into each
        // connection's queue, since nothing else of this copy may be delivered.
        let farewell = Frame::control(None, Event::SessionDeleted);
        for conn in self.conns.values() {
            let _ = conn.link.outbound.try_send(farewell.bytes.clone());
            conn.link
                .closer
                .close(close::SESSION_DELETED, "session deleted");
        }
        self.registry.remove(&self.handle);
        refuse_queued(&mut rx, close::SESSION_DELETED, "session deleted").await;
        info!("session deleted; its task ended");
    }

    /// Flushes, leaves the registry and lets queued joins retry against a fresh task.
    async fn unload(mut self: Box<Self>, mut rx: mpsc::Receiver<SessionCmd>) {
        self.settle().await;
        self.final_compaction().await;
        self.registry.remove(&self.handle);
        rx.close();
        // Dropping a queued join's reply tells its connection to look the session up again.
        while rx.recv().await.is_some() {}
        info!("idle session unloaded");
    }

    fn handle(&mut self, cmd: SessionCmd) {
        match cmd {
            SessionCmd::Join {
                conn,
                token,
                link,
                reply,
            } => self.join(conn, &token, link, reply),
            SessionCmd::Client { conn, msg } => {
                if self.conns.contains_key(&conn) {
                    self.client_message(conn, msg);
                }
            }
            SessionCmd::Leave { conn } => self.leave(conn),
            SessionCmd::AddParticipant { name, code, reply } => {
                self.add_participant(name, &code, reply)
            }
            SessionCmd::Export {
                token,
                language,
                reply,
            } => {
                let allowed = self
                    .meta
                    .credential_for_token(&token)
                    .is_some_and(|c| c.role.steers());
                let result = if allowed {
                    Ok(crate::export::collect(
                        &self.engine,
                        &self.meta,
                        self.doc.doc(),
                        language,
                        self.now.ms,
                    ))
                } else {
                    Err(Refused {
                        code: close::UNAUTHORIZED,
                        reason: "only facilitators can export",
                    })
                };
                let _ = reply.send(result);
            }
            SessionCmd::Delete { token, reply } => {
                let allowed = self
                    .meta
                    .credential_for_token(&token)
                    .is_some_and(|c| c.role == Role::Facilitator);
                if allowed {
                    self.delete_requested = Some(reply);
                } else {
                    let _ = reply.send(Err(Refused {
                        code: close::UNAUTHORIZED,
                        reason: "only the facilitator can delete",
                    }));
                }
            }
        }
    }

    fn join(
        &mut self,
        conn: ConnId,
        token: &str,
        link: ConnLink,
        reply: oneshot::Sender<Result<Joined, Refused>>,
    ) {
        let Some(credential) = self.meta.credential_for_token(token) else {
            Metrics::inc(&self.ctx.metrics.rejected_inputs);
            warn!(conn, "connection refused: unknown token");
            let _ = reply.send(Err(Refused {
                code: close::UNAUTHORIZED,
                reason: "unknown token",
            }));
            return;
        };
        let joined = Joined {
            role: credential.role,
            participant_id: credential.participant_id.clone(),
            name: credential.name.clone(),
            author_key: crate::ids::author_key(token),
        };
        if reply.send(Ok(joined.clone())).is_err() {
            return;
        }
        debug!(conn, role = ?joined.role, participant = %joined.participant_id, "joined");
        let was_online = self
            .conns
            .values()
            .any(|c| c.joined.participant_id == joined.participant_id);
        self.conns.insert(
            conn,
            Conn {
                joined,
                link,
                control: false,
                told_read_only: false,
                updates_from: None,
                joined_batch: self.batch,
                parked: Vec::new(),
                parked_bytes: 0,
                update_bytes: self.update_bucket(self.ctx.config.doc.conn_update_bytes_per_second),
                awareness_rate: admission::RateBucket::with_rate(
                    2.0 * f64::from(self.ctx.config.session.awareness_per_second),
                    f64::from(self.ctx.config.session.awareness_per_second),
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
                .push((Recipient::One(conn), awareness_frame(&everyone)));
        }
        if !was_online {
            self.broadcast_participants();
        }
    }

    fn leave(&mut self, conn: ConnId) {
        let Some(left) = self.conns.remove(&conn) else {
            return;
        };
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
                .push((Recipient::All, awareness_frame(&removal)));
        }
        if self.conns.is_empty() {
            self.idle_since = Some(self.now.at);
        }
    }

    fn client_message(&mut self, conn: ConnId, msg: ClientMsg) {
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
                    self.outbox.push((Recipient::All, awareness_frame(&update)));
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
                        .push((Recipient::One(conn), awareness_frame(&everyone)));
                }
            }
            ClientMsg::Control(envelope) => self.control(conn, *envelope),
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
        let clocks = self.doc.clocks();
        if let Err(missing) = summary.check_dependencies(|client| clocks.get(client)) {
            self.park(conn, update, summary, &missing.to_string());
            return;
        }
        if self.integrate(conn, &update, &summary) {
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

    /// Applies an update whose dependencies are met; returns whether the document changed.
    fn integrate(&mut self, conn: ConnId, update: &[u8], summary: &UpdateSummary) -> bool {
        if !self.doc.has_room_for_types(summary.type_count) {
            self.refuse(
                conn,
                close::POLICY_VIOLATION,
                "update refused: the document holds too many shared types".into(),
            );
            return false;
        }
        let limits = &self.ctx.config.doc;
        let clocks = self.doc.clocks();
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
            self.integrate(conn, &update, &summary);
        }
    }

    /// Closes one connection for bad input; the rest of the session carries on.
    fn refuse(&mut self, conn: ConnId, code: u16, reason: String) {
        Metrics::inc(&self.ctx.metrics.rejected_inputs);
        warn!(conn, code, %reason, "connection closed for bad input");
        if let Some(state) = self.conns.get(&conn) {
            state.link.closer.close(code, reason);
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

/// The burst of both update byte rates: never less than one message, or a client could never
/// send its largest update.
fn update_burst(ctx: &SessionContext) -> u64 {
    let config = &ctx.config;
    (config.doc.update_burst_bytes).max(config.max_message_bytes as u64)
}

fn awareness_frame(update: &[u8]) -> Frame {
    Frame::awareness(update)
}

/// Answers everything queued for a session that could not start.
async fn refuse_queued(rx: &mut mpsc::Receiver<SessionCmd>, code: u16, reason: &'static str) {
    rx.close();
    while let Some(cmd) = rx.recv().await {
        match cmd {
            SessionCmd::Join { reply, .. } => {
                let _ = reply.send(Err(Refused { code, reason }));
            }
            SessionCmd::AddParticipant { reply, .. } => {
                let _ = reply.send(Err(Refused { code, reason }));
            }
            SessionCmd::Export { reply, .. } => {
                let _ = reply.send(Err(Refused { code, reason }));
            }
            SessionCmd::Delete { reply, .. } => {
                let _ = reply.send(Err(Refused { code, reason }));
            }
            SessionCmd::Client { .. } | SessionCmd::Leave { .. } => {}
        }
    }
}

#[cfg(test)]
mod sizes {
    //! Memory per session is mostly fixed-size state; these guard the two places where it
    //! grew unnoticed before (S2 in BENCHMARKS.md): the command queue's slots, allocated in
    //! blocks of 32, and the session future, allocated once per session.
    use super::*;

    fn future_size<A, B, C, F>(_: impl FnOnce(A, B, C) -> F) -> usize {
        std::mem::size_of::<F>()
    }

    #[test]
    fn a_session_command_stays_small() {
        let size = std::mem::size_of::<SessionCmd>();
        assert!(
            size <= 72,
            "SessionCmd is {size} bytes: box the large variant"
        );
    }

    #[test]
    fn the_session_future_holds_the_task_by_pointer() {
        let task = std::mem::size_of::<SessionTask>();
        let future = future_size(SessionTask::load_and_run);
        // With the task by value it was 7,904 bytes (the task, 1,400, in it three times).
        assert!(
            future < task + 512,
            "the session future is {future} bytes for a {task}-byte task: take `self: Box<Self>`"
        );
    }
}
