//! Making batches durable, then delivering them: the session's commit pipeline.
//!
//! A batch's frames (the `outbox`) reach clients only after the batch's updates, metadata and
//! engine state are in the store. One batch at a time is *in flight* (its writes on their way
//! to the store) while the session goes on applying the next one; so the session's CPU works
//! during the store's fsync instead of waiting for it. The next batch's writes start when the
//! flight lands, which keeps appends in order and lets everything that arrived during one fsync
//! share the next one (group commit).
//!
//! Batches are numbered. A connection's `updates_from` and `joined_batch` are positions in that
//! numbering, so a batch delivered late never hands a connection an update its sync step 2
//! already held, or anything from before it joined.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tracing::{Instrument, error, info, warn};
use werkplaats_protocol::close;

use super::{COMPACT_AFTER, COMPACT_ALWAYS_AFTER, ConnId, Frame, Recipient, SessionTask};
use crate::metrics::Metrics;
use crate::session::core::frame::FrameKind;
use crate::session::document::SessionDocument;
use crate::session::{NewParticipant, Refused};
use crate::store::StoreError;

/// The store writes of one batch: its appended updates (the new last sequence number, if it
/// had any), then its metadata and engine state.
type Writes = Pin<Box<dyn Future<Output = Result<Option<u64>, StoreError>> + Send>>;

type ParticipantReply = (
    oneshot::Sender<Result<NewParticipant, Refused>>,
    NewParticipant,
);

/// A batch whose writes are under way; its frames and replies wait for them.
pub(super) struct Flight {
    batch: u64,
    outbox: Vec<(Recipient, Frame)>,
    replies: Vec<ParticipantReply>,
    updates: usize,
    update_bytes: usize,
    saves_state: bool,
    writes: Writes,
}

impl Flight {
    /// Resolves when the batch's writes are done; the session then calls [`SessionTask::land`].
    pub(super) async fn written(&mut self) -> Result<Option<u64>, StoreError> {
        (&mut self.writes).await
    }
}

impl SessionTask {
    /// Ends the open batch: starts its writes, or delivers it at once if it has nothing to
    /// write. With a batch already in flight it does nothing: the open batch keeps growing and
    /// goes when the flight lands.
    pub(super) fn flush(&mut self) {
        if self.handle.deleted.is_cancelled() {
            // Deleted meanwhile: deliver nothing (not even a sync reply from this copy).
            self.outbox.clear();
            self.unlogged.clear();
            return;
        }
        if self.flight.is_some() {
            return;
        }
        self.open_commands = 0;
        // Delivering can drop slow connections, whose removals form a new batch.
        loop {
            self.push_participants_if_changed();
            if self.outbox.is_empty() && !self.has_writes() {
                return;
            }
            let batch = self.next_batch();
            let outbox = std::mem::take(&mut self.outbox);
            if self.has_writes() {
                self.take_off(batch, outbox);
                return;
            }
            self.deliver(batch, outbox);
        }
    }

    /// Waits until everything handled so far is stored and delivered.
    pub(super) async fn settle(&mut self) {
        self.flush();
        while let Some(flight) = self.flight.as_mut() {
            let written = flight.written().await;
            self.land(written).await;
        }
    }

    /// Drops the flight unlanded (the session is gone): nothing of it is delivered.
    pub(super) fn abandon_flight(&mut self, code: u16, reason: &'static str) {
        if let Some(flight) = self.flight.take() {
            for (reply, _) in flight.replies {
                let _ = reply.send(Err(Refused { code, reason }));
            }
        }
    }

    fn has_writes(&self) -> bool {
        !self.unlogged.is_empty() || self.meta_dirty || self.state_dirty
    }

    fn next_batch(&mut self) -> u64 {
        let batch = self.batch;
        self.batch += 1;
        batch
    }

    fn take_off(&mut self, batch: u64, outbox: Vec<(Recipient, Frame)>) {
        let updates = std::mem::take(&mut self.unlogged);
        let update_count = updates.len();
        let update_bytes = updates.update_bytes();
        let state = (self.meta_dirty || self.state_dirty).then(|| {
            let engine =
                serde_json::to_vec(&self.engine.state).expect("engine state always serializes");
            (self.meta.to_json(), engine)
        });
        self.meta_dirty = false;
        self.state_dirty = false;
        let saves_state = state.is_some();
        let store = Arc::clone(&self.ctx.store);
        let id = Arc::clone(&self.handle.id);
        let writes: Writes = Box::pin(
            async move {
                let seq = if updates.is_empty() {
                    None
                } else {
                    Some(store.append_updates(&id, updates).await?)
                };
                if let Some((meta, engine)) = state {
                    store.save_state(&id, meta, engine).await?;
                }
                Ok(seq)
            }
            .in_current_span(),
        );
        self.flight = Some(Flight {
            batch,
            outbox,
            replies: std::mem::take(&mut self.participant_replies),
            updates: update_count,
            update_bytes,
            saves_state,
            writes,
        });
    }

    /// The flight's writes are done: on success its frames and replies go out and the next
    /// batch takes off; on failure nothing of it (or of the open batch) reaches anyone.
    pub(super) async fn land(&mut self, written: Result<Option<u64>, StoreError>) {
        let Some(flight) = self.flight.take() else {
            return;
        };
        match written {
            Ok(seq) => {
                if let Some(seq) = seq {
                    self.last_seq = seq;
                    self.logged_since_snapshot += flight.updates;
                    self.logged_bytes_since_snapshot += flight.update_bytes;
                }
                for (reply, participant) in flight.replies {
                    let _ = reply.send(Ok(participant));
                }
                if self.handle.deleted.is_cancelled() {
                    return;
                }
                self.deliver(flight.batch, flight.outbox);
                self.maybe_compact();
                self.flush();
            }
            Err(err) => {
                for (reply, _) in flight.replies {
                    let _ = reply.send(Err(Refused {
                        code: close::TRY_AGAIN_LATER,
                        reason: "storage unavailable",
                    }));
                }
                if flight.saves_state {
                    // Still unsaved: the next batch tries again.
                    self.state_dirty = true;
                }
                self.storage_failed(err).await;
            }
        }
    }

    /// The store refused a write. Nothing of this batch may reach anyone: drop its frames,
    /// rebuild the document from what *is* stored, and close every connection so clients
    /// reconnect and resend what the store lacks (a Yjs client keeps its own edits).
    async fn storage_failed(&mut self, err: StoreError) {
        self.outbox.clear();
        self.unlogged.clear();
        if let StoreError::NotFound(_) = err {
            // Deleted behind our back (expired, or by another node): end like an eviction.
            warn!("session no longer in the store; ending it");
            self.handle.deleted.cancel();
            return;
        }
        Metrics::inc(&self.ctx.metrics.store_errors);
        error!(%err, "store write failed; refusing this batch");
        for (reply, _) in self.participant_replies.drain(..) {
            let _ = reply.send(Err(Refused {
                code: close::TRY_AGAIN_LATER,
                reason: "storage unavailable",
            }));
        }
        if let Ok(Some(loaded)) = self.ctx.store.load_session(&self.handle.id).await {
            if let Ok(meta) = serde_json::from_slice(&loaded.meta) {
                self.meta = meta;
            }
            self.meta_dirty = false;
            match SessionDocument::from_stored(&loaded) {
                Ok(doc) => self.doc = doc,
                Err(err) => error!(%err, "could not rebuild the document after a store failure"),
            }
        }
        for conn in self.conns.values() {
            conn.link
                .closer
                .close(close::TRY_AGAIN_LATER, "storage unavailable; reconnecting");
        }
        let conns: Vec<ConnId> = self.conns.keys().copied().collect();
        for conn in conns {
            self.leave(conn);
        }
        self.outbox.clear();
    }

    /// Rebuilds the document from the store after yrs panicked on it. Call after [`settle`],
    /// so the store holds every update accepted before the panic.
    ///
    /// [`settle`]: Self::settle
    pub(super) async fn reload_document(&mut self) {
        self.poisoned = false;
        match self.ctx.store.load_session(&self.handle.id).await {
            Ok(Some(loaded)) => match SessionDocument::from_stored(&loaded) {
                Ok(doc) => {
                    self.doc = doc;
                    info!("document reloaded from its last good state");
                }
                Err(err) => error!(%err, "reload failed; keeping the document"),
            },
            other => error!(?other, "reload failed; keeping the document"),
        }
    }

    /// Sends a durable batch's frames to their recipients.
    pub(super) fn deliver(&mut self, batch: u64, outbox: Vec<(Recipient, Frame)>) {
        let mut dropped = Vec::new();
        for (position, (recipient, frame)) in outbox.into_iter().enumerate() {
            // Control events only after `hello`; updates only after the sync step 2.
            let is_control = frame.kind == FrameKind::Control;
            let is_update = frame.kind == FrameKind::Update;
            let targets: Vec<ConnId> = match recipient {
                Recipient::One(conn) => vec![conn],
                Recipient::AllExcept(except) => self
                    .conns
                    .keys()
                    .copied()
                    .filter(|c| *c != except)
                    .collect(),
                Recipient::All => self.conns.keys().copied().collect(),
                Recipient::Steering => self.conns_where(|c| c.joined.role.steers()),
                Recipient::NotSteering => self.conns_where(|c| !c.joined.role.steers()),
                Recipient::Participant(ref pid) => {
                    self.conns_where(|c| &c.joined.participant_id == pid)
                }
            };
            for conn_id in targets {
                let Some(conn) = self.conns.get(&conn_id) else {
                    continue;
                };
                // What it was told when it joined already reflects earlier batches.
                if conn.joined_batch > batch {
                    continue;
                }
                if is_control && !conn.control {
                    continue;
                }
                if is_update
                    && conn
                        .updates_from
                        .is_none_or(|from| (batch, position) < from)
                {
                    continue;
                }
                match conn.link.outbound.try_send(frame.bytes.clone()) {
                    Ok(()) => {}
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        Metrics::inc(&self.ctx.metrics.slow_client_disconnects);
                        warn!(
                            conn = conn_id,
                            "client too slow; disconnecting so it resyncs"
                        );
                        conn.link
                            .closer
                            .close(close::TOO_SLOW, "too slow; reconnect to resync");
                        dropped.push(conn_id);
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => dropped.push(conn_id),
                }
            }
        }
        // Their awareness removals join the open batch.
        for conn in dropped {
            self.leave(conn);
        }
    }

    pub(super) fn maybe_compact(&mut self) {
        let running = self.compaction.as_ref().is_some_and(|c| !c.is_finished());
        let due = self.logged_since_snapshot >= COMPACT_ALWAYS_AFTER
            || (self.logged_since_snapshot >= COMPACT_AFTER
                && self.logged_bytes_since_snapshot >= self.snapshot_bytes);
        // A poisoned document waits for its reload; it must never become a snapshot.
        if running || !due || self.poisoned {
            return;
        }
        // The document may already hold updates of the batch after `last_seq`: the snapshot
        // then holds more than the log it replaces, never less, and replaying those updates
        // again later changes nothing.
        let snapshot = match self.doc.snapshot() {
            Ok(snapshot) => snapshot,
            Err(err) => {
                error!(%err, "snapshot failed");
                return;
            }
        };
        self.logged_since_snapshot = 0;
        self.logged_bytes_since_snapshot = 0;
        self.snapshot_bytes = snapshot.len();
        let store = Arc::clone(&self.ctx.store);
        let id = Arc::clone(&self.handle.id);
        let upto = self.last_seq;
        // The store call runs beside the session so editing never waits for it; only one runs
        // at a time, so an older snapshot can never replace a newer one.
        self.compaction = Some(tokio::spawn(
            async move {
                if let Err(err) = store.compact(&id, snapshot, upto).await {
                    warn!(%err, "compaction failed; the log stays as it is");
                }
            }
            .in_current_span(),
        ));
    }

    pub(super) async fn final_compaction(&mut self) {
        if let Some(running) = self.compaction.take() {
            let _ = running.await;
        }
        if self.logged_since_snapshot > 0 {
            self.logged_since_snapshot = COMPACT_ALWAYS_AFTER;
            self.maybe_compact();
            if let Some(running) = self.compaction.take() {
                let _ = running.await;
            }
        }
    }
}
