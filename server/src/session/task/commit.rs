//! The commit pipeline's IO: the store writes of the batch in flight, delivery after them,
//! store failure, compaction. What a batch holds and when it may go out is the core's
//! (`core/batch.rs`); here the writes are awaited and the frames put on the sockets.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::mpsc;
use tracing::{Instrument, error, info, warn};
use werkplaats_protocol::close;

use super::{Frame, ParticipantReply, Recipient, SessionTask};
use crate::metrics::Metrics;
use crate::session::Refused;
use crate::session::core::{Compaction, Ended, StoreWrite};
use crate::store::StoreError;

/// The store writes of one batch: its appended updates (the new last sequence number, if it
/// had any), then its metadata and engine state.
type Writes = Pin<Box<dyn Future<Output = Result<Option<u64>, StoreError>> + Send>>;

/// A batch whose writes are under way; its replies wait for them (its frames wait in the core).
pub(super) struct Flight {
    replies: Vec<ParticipantReply>,
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
        self.sync_links();
        if self.handle.deleted.is_cancelled() {
            // Deleted meanwhile: deliver nothing (not even a sync reply from this copy).
            self.core.discard_open();
            return;
        }
        // Delivering can drop slow connections, whose removals form a new batch.
        while let Some(ended) = self.core.end_batch() {
            match ended {
                Ended::Deliver(batch, outbox) => self.deliver(batch, outbox),
                Ended::Write(write) => {
                    self.take_off(write);
                    return;
                }
            }
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
        self.core.abandon_flight();
        if let Some(flight) = self.flight.take() {
            for (reply, _) in flight.replies {
                let _ = reply.send(Err(Refused { code, reason }));
            }
        }
    }

    fn take_off(&mut self, write: StoreWrite) {
        let StoreWrite { updates, state } = write;
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
            replies: std::mem::take(&mut self.participant_replies),
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
                let landed = self.core.landed(seq);
                for (reply, participant) in flight.replies {
                    let _ = reply.send(Ok(participant));
                }
                if self.handle.deleted.is_cancelled() {
                    return;
                }
                if let Some((batch, outbox)) = landed {
                    self.deliver(batch, outbox);
                }
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
                self.core.write_failed();
                self.storage_failed(err).await;
            }
        }
    }

    /// The store refused a write. Nothing of this batch may reach anyone: drop its frames,
    /// rebuild the document from what *is* stored, and close every connection so clients
    /// reconnect and resend what the store lacks (a Yjs client keeps its own edits).
    async fn storage_failed(&mut self, err: StoreError) {
        self.core.discard_open();
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
            self.core.restore(&loaded, true);
        }
        self.core.storage_unavailable();
        self.sync_links();
    }

    /// Rebuilds the document from the store after yrs panicked on it. Call after [`settle`],
    /// so the store holds every update accepted before the panic.
    ///
    /// [`settle`]: Self::settle
    pub(super) async fn reload_document(&mut self) {
        self.core.poisoned = false;
        match self.ctx.store.load_session(&self.handle.id).await {
            Ok(Some(loaded)) => {
                if self.core.restore(&loaded, false) {
                    info!("document reloaded from its last good state");
                }
            }
            other => error!(?other, "reload failed; keeping the document"),
        }
    }

    /// Sends a durable batch's frames to the connections the core addresses them to. A
    /// connection whose queue is full is closed (4408: it resyncs on reconnect).
    pub(super) fn deliver(&mut self, batch: u64, outbox: Vec<(Recipient, Frame)>) {
        let mut dropped = Vec::new();
        let links = &self.links;
        let metrics = &self.ctx.metrics;
        self.core.route(batch, &outbox, |conn_id, frame| {
            let Some(link) = links.get(&conn_id) else {
                return;
            };
            match link.outbound.try_send(frame.bytes.clone()) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => {
                    Metrics::inc(&metrics.slow_client_disconnects);
                    warn!(
                        conn = conn_id,
                        "client too slow; disconnecting so it resyncs"
                    );
                    link.closer
                        .close(close::TOO_SLOW, "too slow; reconnect to resync");
                    dropped.push(conn_id);
                }
                Err(mpsc::error::TrySendError::Closed(_)) => dropped.push(conn_id),
            }
        });
        // Their awareness removals join the open batch.
        for conn in dropped {
            self.core.leave(conn);
        }
        self.sync_links();
    }

    /// Starts a compaction beside the session if one is due and none runs: editing never
    /// waits for it, and an older snapshot can never replace a newer one.
    pub(super) fn maybe_compact(&mut self) {
        if self.compaction.as_ref().is_some_and(|c| !c.is_finished()) {
            return;
        }
        if let Some(compaction) = self.core.compaction(false) {
            self.start_compaction(compaction);
        }
    }

    fn start_compaction(&mut self, compaction: Compaction) {
        let Compaction { snapshot, upto_seq } = compaction;
        let store = Arc::clone(&self.ctx.store);
        let id = Arc::clone(&self.handle.id);
        self.compaction = Some(tokio::spawn(
            async move {
                if let Err(err) = store.compact(&id, snapshot, upto_seq).await {
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
        if let Some(compaction) = self.core.compaction(true) {
            self.start_compaction(compaction);
            if let Some(running) = self.compaction.take() {
                let _ = running.await;
            }
        }
    }
}
