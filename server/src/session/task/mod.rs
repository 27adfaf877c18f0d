//! The session task: the IO around one session's [`SessionCore`].
//!
//! It reads the clock once per input, hands the core what arrives (commands, timer firings,
//! the store's answers), writes the core's batches to the store and delivers them after
//! ([`commit`]), and carries out on the sockets what the core decided about connections. All
//! the rules live in the core ([`crate::session::core`]); this is the loop that does the IO.
//!
//! It works in batches: it takes every command already queued (up to [`MAX_BATCH`]), applies
//! them, appends the accepted updates to the store in one call (group commit), and only then
//! delivers what the batch produced. So no client ever sees an update that a crash could lose.
//! While one batch's writes are under way the next one is applied ([`commit`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;
use tracing::{Instrument, debug, error, info, info_span};
use werkplaats_protocol::close;
use werkplaats_protocol::control::{Event, Role};

mod admission;
mod commit;

pub use admission::join_retry_after;

use super::core::frame::{Frame, Recipient};
use super::core::{Now, SessionCore};
use super::registry::{Registry, SessionContext};
use super::{ConnId, ConnLink, NewParticipant, Refused, SessionCmd, SessionHandle};
use crate::clock::ServerClock;
use crate::metrics::Metrics;
use crate::store::LoadedSession;

/// Most commands in one batch. Large, so a busy session hands the store big group commits:
/// what arrives while a batch's fsync is under way forms the next one. Capped at half the
/// outbound queue, so the batch in flight and the one behind it cannot fill a healthy client's
/// queue by themselves.
const MAX_BATCH: usize = 256;
/// How often awareness expiry and the idle check run.
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(5);
type ParticipantReply = (
    oneshot::Sender<Result<NewParticipant, Refused>>,
    NewParticipant,
);

pub(super) struct SessionTask {
    registry: Arc<Registry>,
    ctx: Arc<SessionContext>,
    handle: SessionHandle,
    core: SessionCore,
    /// How each connection in the core is reached: its outbound queue and its closer.
    links: HashMap<ConnId, ConnLink>,
    /// The batch whose writes are under way.
    flight: Option<commit::Flight>,
    /// Replies waiting for the open batch (which stores their credentials) to be stored.
    participant_replies: Vec<ParticipantReply>,
    compaction: Option<JoinHandle<()>>,
    clock: ServerClock,
    /// The facilitator asked to delete the session; carried out after the batch.
    delete_requested: Option<oneshot::Sender<Result<(), Refused>>>,
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
        info!(updates = task.core.last_seq, "session loaded");
        task.run(rx).await;
    }

    fn from_loaded(
        registry: Arc<Registry>,
        handle: SessionHandle,
        loaded: LoadedSession,
    ) -> Option<Box<Self>> {
        let ctx = Arc::clone(&registry.ctx);
        let clock = ctx.clock;
        let core = SessionCore::from_loaded(
            Arc::clone(&ctx),
            Arc::clone(&handle.id),
            loaded,
            Now::read(&clock),
        )?;
        // On the heap once: the task's futures hold a pointer to it, not copies of it (an
        // async fn that takes `self` by value keeps its own copy in its state, and `run`'s
        // rare endings, delete and unload, would each add one: 8 KiB per session, not 3).
        Some(Box::new(Self {
            registry,
            ctx,
            handle,
            core,
            links: HashMap::new(),
            flight: None,
            participant_replies: Vec::new(),
            compaction: None,
            clock,
            delete_requested: None,
        }))
    }

    /// Reads the clock for the input about to be handled: the core reads none.
    fn now(&self) -> Now {
        Now::read(&self.clock)
    }

    /// Carries out what the core decided about connections: closes those it closed, and lets
    /// go of every one it removed.
    fn sync_links(&mut self) {
        for (conn, close) in self.core.gone.drain(..) {
            if let Some((code, reason)) = close
                && let Some(link) = self.links.get(&conn)
            {
                link.closer.close(code, reason);
            }
            self.links.remove(&conn);
        }
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
                .core
                .next_deadline()
                .map(|ms| self.clock.instant_at(ms));
            // With a full open batch behind the one in flight, new commands wait in the queue.
            let room = self.core.open_commands < max_batch;
            tokio::select! {
                written = async { self.flight.as_mut().expect("checked").written().await }, if self.flight.is_some() => {
                    self.core.set_now(self.now());
                    self.land(written).await;
                }
                _ = async { tokio::time::sleep_until(deadline.expect("checked")).await }, if deadline.is_some() => {
                    let now = self.now();
                    self.core.timer(now);
                    self.flush();
                }
                Some(cmd) = rx.recv(), if room => {
                    self.handle(cmd);
                    self.core.open_commands += 1;
                    while self.core.open_commands < max_batch && !self.core.poisoned {
                        match rx.try_recv() {
                            Ok(cmd) => self.handle(cmd),
                            Err(_) => break,
                        }
                        self.core.open_commands += 1;
                    }
                    if self.core.poisoned {
                        // Store what was accepted before the panic, then rebuild from it.
                        self.settle().await;
                        self.reload_document().await;
                    }
                    self.flush();
                    if self.core.rotation_requested() {
                        self.rotate_join_code().await;
                    }
                    if self.delete_requested.is_some() {
                        self.delete(rx).await;
                        return;
                    }
                }
                _ = housekeeping.tick() => {
                    let now = self.now();
                    self.core.housekeeping(now);
                    self.flush();
                    if self.core.idle_for(self.ctx.config.session_idle()) {
                        self.unload(rx).await;
                        return;
                    }
                }
                // Checked at the top of the loop.
                _ = deleted.cancelled() => {}
                _ = shutdown.cancelled() => {
                    self.core.set_now(self.now());
                    self.settle().await;
                    self.final_compaction().await;
                    for link in self.links.values() {
                        link.closer.close(close::GOING_AWAY, "server is restarting");
                    }
                    info!("session flushed for shutdown");
                    return;
                }
            }
        }
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
                self.core
                    .outbox
                    .push((Recipient::All, Frame::control(None, Event::SessionDeleted)));
                let farewell = std::mem::take(&mut self.core.outbox);
                self.deliver(self.core.batch, farewell);
                for link in self.links.values() {
                    link.closer.close(close::SESSION_DELETED, "session deleted");
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

    /// The session was deleted from the store: drop everything unsent, close every connection
    /// for good and end without writing (a compaction or save now would fail anyway, and
    /// nothing of this copy may reach anyone again).
    async fn end_deleted(mut self: Box<Self>, mut rx: mpsc::Receiver<SessionCmd>) {
        if let Some(compaction) = self.compaction.take() {
            compaction.abort();
        }
        self.abandon_flight(close::SESSION_DELETED, "session deleted");
        self.core.discard_open();
        for (reply, _) in self.participant_replies.drain(..) {
            let _ = reply.send(Err(Refused {
                code: close::SESSION_DELETED,
                reason: "session deleted",
            }));
        }
        // Deleted elsewhere (retention, another node): the farewell goes straight into each
        // connection's queue, since nothing else of this copy may be delivered.
        let farewell = Frame::control(None, Event::SessionDeleted);
        for link in self.links.values() {
            let _ = link.outbound.try_send(farewell.bytes.clone());
            link.closer.close(close::SESSION_DELETED, "session deleted");
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
        let now = self.now();
        self.core.set_now(now);
        match cmd {
            SessionCmd::Join {
                conn,
                token,
                link,
                reply,
            } => match self.core.admit(conn, &token) {
                Err(refused) => {
                    let _ = reply.send(Err(refused));
                }
                Ok(joined) => {
                    if reply.send(Ok(joined.clone())).is_ok() {
                        self.links.insert(conn, link);
                        self.core.join(now, conn, joined);
                    }
                }
            },
            SessionCmd::Client { conn, msg } => self.core.client(now, conn, msg),
            SessionCmd::Leave { conn } => self.core.leave(conn),
            SessionCmd::AddParticipant { name, code, reply } => {
                match self.core.add_participant(now, name, &code) {
                    Ok(participant) => self.participant_replies.push((reply, participant)),
                    Err(refused) => {
                        let _ = reply.send(Err(refused));
                    }
                }
            }
            SessionCmd::Export {
                token,
                language,
                reply,
            } => {
                let core = &self.core;
                let allowed = core
                    .meta
                    .credential_for_token(&token)
                    .is_some_and(|c| c.role.steers());
                let result = if allowed {
                    Ok(crate::export::collect(
                        &core.engine,
                        &core.meta,
                        core.doc.doc(),
                        language,
                        now.ms,
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
                    .core
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
        self.sync_links();
    }
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
