//! Batches: what the core hands the store, and what it delivers once the store has it.
//!
//! A batch's frames (the `outbox`) reach clients only after the batch's updates, metadata and
//! engine state are in the store. One batch at a time is *in flight* (its writes on their way
//! to the store) while the session goes on applying the next one; the next batch's writes start
//! when the flight lands, which keeps appends in order and lets everything that arrived during
//! one fsync share the next one (group commit).
//!
//! Batches are numbered. A connection's `updates_from` and `joined_batch` are positions in that
//! numbering, so a batch delivered late never hands a connection an update its sync step 2
//! already held, or anything from before it joined.

use super::SessionCore;
use super::frame::{Frame, Recipient};
use crate::store::UpdateBatch;

/// Log entries after which the document is compacted into a snapshot, once the log since the
/// last snapshot also holds at least as many bytes as that snapshot: a large document is not
/// rewritten in full for a few hundred keystrokes. A compaction writes the new snapshot and
/// zeroes the old one (secure delete): twice the snapshot's bytes. With half the snapshot's
/// bytes as the trigger (as before), compactions were two thirds of what the store wrote under
/// sustained typing (tests/README.md, *Benchmark*).
pub const COMPACT_AFTER: usize = 500;
/// Log entries after which the document is compacted whatever their size: bounds the replay at
/// load.
pub const COMPACT_ALWAYS_AFTER: usize = 10_000;

/// What one batch asks of the store: append its updates (if any), then save the metadata and
/// engine state (if they changed), in that order.
#[derive(Debug)]
pub struct StoreWrite {
    pub updates: UpdateBatch,
    /// The metadata and engine state, as JSON.
    pub state: Option<(Vec<u8>, Vec<u8>)>,
}

/// What ending the open batch asks of the task.
#[derive(Debug)]
pub enum Ended {
    /// Nothing to store: deliver these frames now.
    Deliver(u64, Vec<(Recipient, Frame)>),
    /// Write this; its frames wait in the core until [`SessionCore::landed`].
    Write(StoreWrite),
}

/// A batch whose writes are under way.
pub(crate) struct InFlight {
    batch: u64,
    outbox: Vec<(Recipient, Frame)>,
    updates: usize,
    update_bytes: usize,
    saves_state: bool,
}

/// A compaction to run: the document's snapshot, replacing the log up to `upto_seq`.
#[derive(Debug)]
pub struct Compaction {
    pub snapshot: Vec<u8>,
    pub upto_seq: u64,
}

impl SessionCore {
    /// Ends the open batch: hands its writes to the store, or its frames for delivery if it
    /// has nothing to write. `None` with a batch already in flight (the open batch keeps
    /// growing and goes when the flight lands) or when the batch is empty. Call again after a
    /// delivery: dropping slow connections can start a new batch.
    pub fn end_batch(&mut self) -> Option<Ended> {
        if self.in_flight.is_some() {
            return None;
        }
        self.open_commands = 0;
        self.push_participants_if_changed();
        if self.outbox.is_empty() && !self.has_writes() {
            return None;
        }
        let batch = self.batch;
        self.batch += 1;
        let outbox = std::mem::take(&mut self.outbox);
        if !self.has_writes() {
            return Some(Ended::Deliver(batch, outbox));
        }
        let updates = std::mem::take(&mut self.unlogged);
        let state = (self.meta_dirty || self.state_dirty).then(|| {
            let engine =
                serde_json::to_vec(&self.engine.state).expect("engine state always serializes");
            (self.meta.to_json(), engine)
        });
        self.meta_dirty = false;
        self.state_dirty = false;
        self.in_flight = Some(InFlight {
            batch,
            outbox,
            updates: updates.len(),
            update_bytes: updates.update_bytes(),
            saves_state: state.is_some(),
        });
        Some(Ended::Write(StoreWrite { updates, state }))
    }

    /// A batch's writes are under way.
    pub fn in_flight(&self) -> bool {
        self.in_flight.is_some()
    }

    /// The flight's writes are in the store (`seq`: the log's new last sequence number, if it
    /// appended any): its frames may go out now.
    pub fn landed(&mut self, seq: Option<u64>) -> Option<(u64, Vec<(Recipient, Frame)>)> {
        let flight = self.in_flight.take()?;
        if let Some(seq) = seq {
            self.last_seq = seq;
            self.logged_since_snapshot += flight.updates;
            self.logged_bytes_since_snapshot += flight.update_bytes;
        }
        Some((flight.batch, flight.outbox))
    }

    /// The flight's writes failed: nothing of it, nor of the open batch, reaches anyone. The
    /// task rebuilds the document from the store ([`Self::restore`]) and closes every
    /// connection ([`Self::storage_unavailable`]).
    pub fn write_failed(&mut self) {
        if let Some(flight) = self.in_flight.take()
            && flight.saves_state
        {
            // Still unsaved: the next batch tries again.
            self.state_dirty = true;
        }
        self.discard_open();
    }

    /// Drops the flight unlanded (the session is gone).
    pub fn abandon_flight(&mut self) {
        self.in_flight = None;
    }

    /// A compaction, if one is due; `force` compacts whatever is in the log (unload, shutdown).
    /// A poisoned document waits for its reload: it must never become a snapshot.
    pub fn compaction(&mut self, force: bool) -> Option<Compaction> {
        let due = self.logged_since_snapshot >= COMPACT_ALWAYS_AFTER
            || (self.logged_since_snapshot >= COMPACT_AFTER
                && self.logged_bytes_since_snapshot >= self.snapshot_bytes)
            || (force && self.logged_since_snapshot > 0);
        if !due || self.poisoned {
            return None;
        }
        // The document may already hold updates of the batch after `last_seq`: the snapshot
        // then holds more than the log it replaces, never less, and replaying those updates
        // again later changes nothing.
        let snapshot = match self.doc.snapshot() {
            Ok(snapshot) => snapshot,
            Err(err) => {
                tracing::error!(%err, "snapshot failed");
                return None;
            }
        };
        self.logged_since_snapshot = 0;
        self.logged_bytes_since_snapshot = 0;
        self.snapshot_bytes = snapshot.len();
        Some(Compaction {
            snapshot,
            upto_seq: self.last_seq,
        })
    }
}
