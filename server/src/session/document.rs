//! The session's yrs document, behind a wall that turns yrs panics into errors.
//!
//! Every call into yrs that touches client-supplied data runs under `catch_unwind`. A panic
//! means the document may be inconsistent, so the caller throws this value away and rebuilds it
//! from the store (the last good state). Input is validated before it gets here; this is the
//! second line of defence, not the first.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use thiserror::Error;
use werkplaats_protocol::placement::{Admission, Placements, SchemaViolation, Writer};
use werkplaats_protocol::update::{UpdateLimits, UpdateSummary, validate_update_v1};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{ClientID, Doc, OffsetKind, Options, ReadTxn, StateVector, Transact, Update};

#[derive(Debug, Error)]
pub enum DocumentError {
    #[error("yrs refused the update: {0}")]
    Rejected(String),
    #[error("yrs panicked: {0}")]
    Panicked(String),
}

/// Most shared types (Y.Map, Y.Text, ...) one document may hold. yrs walks nested types
/// recursively, so this also bounds how deep a chain built over many updates can get, and with
/// it the stack yrs needs (the validator bounds nesting only within one update).
pub const MAX_DOCUMENT_TYPES: usize = 10_000;

/// Log entries replayed per transaction when a document is restored. yrs merges the blocks of
/// a transaction only when it commits, so one transaction over a long log integrates each
/// update against an ever longer run of unmerged blocks: 10,000 one-character updates took
/// 62 ms in one transaction and 5 ms committed every 256 (20,000: 175 ms against 11 ms).
const RESTORE_UPDATES_PER_TRANSACTION: usize = 256;

pub struct SessionDocument {
    doc: Doc,
    /// Shared types in the document, counted from what was integrated.
    type_count: usize,
    /// The whole document as one update, kept until the document changes: a joiner with an
    /// empty document (the usual case) gets it without another encoding, so fifty people
    /// joining at once cost one encoding, not fifty.
    full_state: Mutex<Option<Arc<Vec<u8>>>>,
    /// Set by the document itself after every transaction that changed it, whoever made it.
    changed: Arc<AtomicBool>,
    /// At least the size of the encoded state: exact after [`SessionDocument::measure`], then
    /// grown by every change's encoding. Deletions shrink the real size and not this, so it
    /// only overestimates, and is measured again before it refuses anything.
    size_estimate: usize,
    /// Where every clock range lives in the workshop's schema, to judge clients' updates by.
    /// Built from the whole document when the first client update arrives, and kept up to date
    /// from then on: a session that is only watched (most of a benchmark's idle sessions, a
    /// projector between phases) pays no memory for it.
    places: Option<Placements>,
}

/// The clocks a document has per client (its state vector), read once per update: looking each
/// client up in a freshly built state vector made an update of n new client ids cost n times
/// the document's client count (25 s of CPU for the fifth update of 10,000).
pub struct Clocks(StateVector);

impl Clocks {
    /// The clock the document knows for `client` (0: none of it).
    pub fn get(&self, client: u64) -> u32 {
        if client > werkplaats_protocol::lib0::MAX_SAFE_INTEGER {
            return 0;
        }
        self.0.get(&ClientID::new(client))
    }

    pub fn contains(&self, client: u64) -> bool {
        self.get(client) > 0
    }

    /// Client ids the document holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Reads an update the document already took (our own encodings, the store's log), so
/// generous limits are right.
fn summarize(update: &[u8]) -> Option<UpdateSummary> {
    let limits = UpdateLimits {
        max_bytes: usize::MAX,
        max_clients: usize::MAX,
        max_structs: usize::MAX,
        max_delete_ranges: usize::MAX,
        max_type_nesting: MAX_DOCUMENT_TYPES,
        ..UpdateLimits::default()
    };
    validate_update_v1(update, &limits).ok()
}

/// Counts the shared types an update creates.
fn count_types(update: &[u8]) -> usize {
    summarize(update).map_or(0, |s| s.type_count)
}

/// Takes what the document already holds into its placements (if they are built) and type
/// count: the server's own writes and restored updates are never refused.
fn record_trusted(places: Option<&mut Placements>, type_count: &mut usize, update: &[u8]) {
    let Some(summary) = summarize(update) else {
        return;
    };
    *type_count += summary.type_count;
    if let Some(places) = places {
        if let Ok(admission) = places.admit(&summary, update, Writer::Server) {
            places.record(admission);
        }
    }
}

/// Updates at least this large are integrated off the async workers. Typing is a few dozen
/// bytes an update; a pasted text or a sync step 2 after a long time offline is larger.
const HEAVY_UPDATE_BYTES: usize = 64 * 1024;

/// Runs `work` where it cannot stall other tasks when it is `heavy`: `block_in_place` hands
/// this worker's other tasks to another worker and runs `work` right here, so the session task
/// keeps its document (nothing moves to another thread, no transaction crosses an `.await`).
/// Only a multi-threaded runtime has workers to hand over to; elsewhere (tests on a current-
/// thread runtime) it runs inline.
fn off_the_workers<R>(heavy: bool, work: impl FnOnce() -> R) -> R {
    let multi_thread = tokio::runtime::Handle::try_current()
        .is_ok_and(|handle| handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if heavy && multi_thread {
        tokio::task::block_in_place(work)
    } else {
        work()
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

fn guarded<T>(f: impl FnOnce() -> Result<T, DocumentError>) -> Result<T, DocumentError> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|p| Err(DocumentError::Panicked(panic_message(p))))
}

impl Default for SessionDocument {
    fn default() -> Self {
        Self::new()
    }
}

impl SessionDocument {
    pub fn new() -> Self {
        // UTF-16 offsets, as Yjs counts: with yrs's default byte offsets, two well-formed
        // deletes that split an emoji panic (debug) or corrupt the text length (release).
        let options = Options {
            skip_gc: false,
            offset_kind: OffsetKind::Utf16,
            ..Options::default()
        };
        let doc = Doc::with_options(options);
        let changed = Arc::new(AtomicBool::new(true));
        let flag = Arc::clone(&changed);
        doc.observe_transaction_cleanup("full-state-cache", move |_, event| {
            if event.before_state != event.after_state || !event.delete_set.is_empty() {
                flag.store(true, Ordering::Relaxed);
            }
        })
        .expect("a new document has no transaction open");
        Self {
            doc,
            type_count: 0,
            full_state: Mutex::new(None),
            changed,
            size_estimate: 0,
            places: None,
        }
    }

    /// Rebuilds a document from a snapshot and the log after it. Replaying updates one by one is
    /// much faster than merging them first for long logs, and committing every
    /// [`RESTORE_UPDATES_PER_TRANSACTION`] updates much faster than one transaction for all.
    pub fn restore<'a>(
        snapshot: Option<&'a [u8]>,
        log: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Self, DocumentError> {
        let mut document = Self::new();
        let mut type_count = 0;
        guarded(|| {
            let mut updates = snapshot.into_iter().chain(log).peekable();
            while updates.peek().is_some() {
                let mut txn = document.doc.transact_mut();
                for update in updates.by_ref().take(RESTORE_UPDATES_PER_TRANSACTION) {
                    record_trusted(None, &mut type_count, update);
                    let update = Update::decode_v1(update)
                        .map_err(|e| DocumentError::Rejected(e.to_string()))?;
                    txn.apply_update(update)
                        .map_err(|e| DocumentError::Rejected(e.to_string()))?;
                }
            }
            Ok(())
        })?;
        document.type_count = type_count;
        document.measure();
        Ok(document)
    }

    /// Rebuilds a session's document from what the store holds.
    pub fn from_stored(stored: &crate::store::LoadedSession) -> Result<Self, DocumentError> {
        Self::restore(
            stored.snapshot.as_deref(),
            stored.updates.iter().map(|(_, u)| u.as_slice()),
        )
    }

    /// The clocks the document has per client, for an update's dependency check.
    pub fn clocks(&self) -> Clocks {
        Clocks(self.doc.transact().state_vector())
    }

    pub fn state_vector(&self) -> Vec<u8> {
        self.doc.transact().state_vector().encode_v1()
    }

    /// Counts what the server itself wrote into the document.
    pub fn record_local(&mut self, update: &[u8]) {
        record_trusted(self.places.as_mut(), &mut self.type_count, update);
        self.size_estimate = self.size_estimate.saturating_add(update.len());
    }

    /// Whether an update creating `new_types` shared types stays within the document's bound.
    /// The count only grows as types are created; deleted types give their room back when it
    /// says no: the document's live types are then counted again (in the encoded state, where
    /// a deleted type is no type any more), so churn cannot use the budget up for good.
    pub fn has_room_for_types(&mut self, new_types: usize) -> bool {
        if self.type_count.saturating_add(new_types) <= MAX_DOCUMENT_TYPES {
            return true;
        }
        self.type_count = count_types(&self.full_state());
        self.type_count.saturating_add(new_types) <= MAX_DOCUMENT_TYPES
    }

    /// The placements, built from the whole document the first time they are needed.
    fn placements(&mut self) -> &mut Placements {
        if self.places.is_none() {
            let mut places = Placements::new();
            // Encoded for this once, not through the full-state cache, which would then keep
            // a copy of every written-in session's document (it fills only for joiners with
            // an empty state).
            let state = self
                .doc
                .transact()
                .encode_state_as_update_v1(&StateVector::default());
            if let Some(summary) = summarize(&state) {
                if let Ok(admission) = places.admit(&summary, &state, Writer::Server) {
                    places.record(admission);
                }
            }
            self.places = Some(places);
        }
        self.places.as_mut().expect("just built")
    }

    /// Judges a client's update (validated, its dependencies met) by what it would change in
    /// the workshop's schema; see `werkplaats_protocol::placement`.
    pub fn admit(
        &mut self,
        summary: &UpdateSummary,
        update: &[u8],
        max_type_depth: u32,
    ) -> Result<Admission, SchemaViolation> {
        if summary.is_empty() {
            // Every joiner's first sync step 2: nothing to judge, and no reason to build the
            // placements of a session nobody writes in.
            return Ok(Admission::default());
        }
        self.placements().admit(
            summary,
            update,
            Writer::Client {
                max_depth: max_type_depth,
            },
        )
    }

    /// Applies an admitted update and returns what it changed (empty if it was all known).
    /// A large update is integrated with the worker thread handed over to the runtime's other
    /// tasks first ([`off_the_workers`]), so other sessions keep their thread meanwhile. After
    /// an error the placements no longer match the document: throw it away.
    pub fn apply_admitted(
        &mut self,
        update: &[u8],
        admission: Admission,
    ) -> Result<Option<Vec<u8>>, DocumentError> {
        let delta = off_the_workers(update.len() >= HEAVY_UPDATE_BYTES, || {
            self.apply_here(update)
        })?;
        self.placements().record(admission);
        Ok(delta)
    }

    /// Applies an update without judging it.
    #[cfg(test)]
    pub fn apply(&mut self, update: &[u8]) -> Result<Option<Vec<u8>>, DocumentError> {
        let Some(summary) = summarize(update) else {
            return Err(DocumentError::Rejected("not a valid update".into()));
        };
        let admission = self
            .placements()
            .admit(&summary, update, Writer::Server)
            .map_err(|e| DocumentError::Rejected(e.to_string()))?;
        self.apply_admitted(update, admission)
    }

    fn apply_here(&mut self, update: &[u8]) -> Result<Option<Vec<u8>>, DocumentError> {
        let delta = guarded(|| {
            let update =
                Update::decode_v1(update).map_err(|e| DocumentError::Rejected(e.to_string()))?;
            let mut txn = self.doc.transact_mut();
            txn.apply_update(update)
                .map_err(|e| DocumentError::Rejected(e.to_string()))?;
            let store = txn.store();
            if store.pending_update().is_some() || store.pending_ds().is_some() {
                // Validation should have made this impossible; a document with pending
                // structs later panics on sync, so treat it as poisoned.
                return Err(DocumentError::Panicked(
                    "update left pending structs".into(),
                ));
            }
            let delta = txn.encode_update_v1();
            // An update with no structs and no deletions encodes as [0, 0].
            Ok((delta.as_slice() != [0, 0]).then_some(delta))
        })?;
        if let Some(delta) = &delta {
            self.type_count += count_types(delta);
            self.size_estimate = self.size_estimate.saturating_add(delta.len());
        }
        Ok(delta)
    }

    /// Whether applying `update` keeps the encoded document within `budget` bytes. Counts the
    /// update whole (what it changes is not known before it is applied; a duplicate costs
    /// nothing and is small). Measures the document again only when the estimate says no.
    pub fn has_room_for_bytes(&mut self, update: usize, budget: usize) -> bool {
        if self.size_estimate.saturating_add(update) <= budget {
            return true;
        }
        self.measure();
        self.size_estimate.saturating_add(update) <= budget
    }

    /// Makes the size estimate exact: one encoding of the whole document, which the next
    /// joiner with an empty document gets without encoding it again.
    fn measure(&mut self) {
        self.size_estimate = self.full_state().len();
    }

    /// The encoded document's size as far as the budget knows (never less than the truth).
    pub fn size_estimate(&self) -> usize {
        self.size_estimate
    }

    /// Everything a peer with state vector `sv` misses (sync step 2).
    pub fn diff(&self, state_vector: &[u8]) -> Result<Vec<u8>, DocumentError> {
        guarded(|| {
            let sv = StateVector::decode_v1(state_vector)
                .map_err(|e| DocumentError::Rejected(e.to_string()))?;
            if sv.is_empty() {
                return Ok(self.full_state().as_ref().clone());
            }
            Ok(self.doc.transact().encode_state_as_update_v1(&sv))
        })
    }

    /// The whole document as one update, encoded at most once per change.
    fn full_state(&self) -> Arc<Vec<u8>> {
        let mut cached = self.full_state.lock().unwrap_or_else(|e| e.into_inner());
        if self.changed.swap(false, Ordering::Relaxed) || cached.is_none() {
            let state = self
                .doc
                .transact()
                .encode_state_as_update_v1(&StateVector::default());
            *cached = Some(Arc::new(state));
        }
        Arc::clone(cached.as_ref().expect("just filled"))
    }

    /// The whole document as one update, for compaction.
    pub fn snapshot(&self) -> Result<Vec<u8>, DocumentError> {
        guarded(|| {
            Ok(self
                .doc
                .transact()
                .encode_state_as_update_v1(&StateVector::default()))
        })
    }

    pub fn doc(&self) -> &Doc {
        &self.doc
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{GetString, Text};

    fn text_update(content: &str) -> Vec<u8> {
        let doc = Doc::new();
        let text = doc.get_or_insert_text("t");
        let mut txn = doc.transact_mut();
        text.insert(&mut txn, 0, content);
        txn.encode_update_v1()
    }

    #[test]
    fn applies_and_reports_delta_once() {
        let mut document = SessionDocument::new();
        let update = text_update("hallo");
        assert!(document.apply(&update).unwrap().is_some());
        assert!(
            document.apply(&update).unwrap().is_none(),
            "a repeat changes nothing"
        );
        let restored = SessionDocument::restore(Some(&document.snapshot().unwrap()), []).unwrap();
        let text = restored.doc().get_or_insert_text("t");
        assert_eq!(text.get_string(&restored.doc().transact()), "hallo");
    }

    #[test]
    fn a_log_longer_than_one_restore_transaction_restores_whole() {
        // Typing and deleting over three clients, across several restore transactions, on top
        // of a snapshot.
        let writers: Vec<Doc> = (1..=3).map(Doc::with_client_id).collect();
        let mut log = Vec::new();
        let mut reference = SessionDocument::new();
        for step in 0..(3 * RESTORE_UPDATES_PER_TRANSACTION + 7) {
            let writer = &writers[step % 3];
            let text = writer.get_or_insert_text("t");
            let update = {
                let missing = {
                    let txn = writer.transact();
                    reference.diff(&txn.state_vector().encode_v1()).unwrap()
                };
                let mut txn = writer.transact_mut();
                txn.apply_update(Update::decode_v1(&missing).unwrap())
                    .unwrap();
                let before = txn.state_vector();
                let len = text.len(&txn);
                if step % 5 == 4 {
                    text.remove_range(&mut txn, len / 2, 1);
                } else {
                    text.insert(&mut txn, len / 3, &step.to_string());
                }
                txn.encode_state_as_update_v1(&before)
            };
            reference.apply(&update).unwrap();
            log.push(update);
        }
        let (first, rest) = log.split_at(10);
        let snapshot = SessionDocument::restore(None, first.iter().map(Vec::as_slice))
            .unwrap()
            .snapshot()
            .unwrap();
        let restored =
            SessionDocument::restore(Some(&snapshot), rest.iter().map(Vec::as_slice)).unwrap();
        let text_of = |document: &SessionDocument| {
            let text = document.doc().get_or_insert_text("t");
            text.get_string(&document.doc().transact())
        };
        assert_eq!(text_of(&restored), text_of(&reference));
        assert_eq!(restored.state_vector(), reference.state_vector());
        assert!(text_of(&restored).len() > 3 * RESTORE_UPDATES_PER_TRANSACTION);
    }

    #[test]
    fn diff_against_empty_state_vector_is_everything() {
        let mut document = SessionDocument::new();
        document.apply(&text_update("x")).unwrap();
        let diff = document.diff(&StateVector::default().encode_v1()).unwrap();
        let copy = SessionDocument::restore(None, [diff.as_slice()]).unwrap();
        assert_eq!(copy.state_vector(), document.state_vector());
    }

    #[test]
    fn cached_full_state_follows_every_change() {
        let empty = StateVector::default().encode_v1();
        let text_of = |update: &[u8]| {
            let copy = SessionDocument::restore(None, [update]).unwrap();
            let text = copy.doc().get_or_insert_text("t");
            text.get_string(&copy.doc().transact())
        };
        let mut document = SessionDocument::new();
        document.apply(&text_update("abc")).unwrap();
        assert_eq!(text_of(&document.diff(&empty).unwrap()), "abc");
        assert_eq!(text_of(&document.diff(&empty).unwrap()), "abc");
        // a delete changes no state vector, and must still be seen
        let delete = {
            let doc = Doc::new();
            let text = doc.get_or_insert_text("t");
            let mut txn = doc.transact_mut();
            txn.apply_update(Update::decode_v1(&document.diff(&empty).unwrap()).unwrap())
                .unwrap();
            let before = txn.state_vector();
            text.remove_range(&mut txn, 1, 1);
            txn.encode_state_as_update_v1(&before)
        };
        document.apply(&delete).unwrap();
        assert_eq!(text_of(&document.diff(&empty).unwrap()), "ac");
        // and so must a change made straight on the yrs document
        let text = document.doc().get_or_insert_text("t");
        text.push(&mut document.doc().transact_mut(), "d");
        assert_eq!(text_of(&document.diff(&empty).unwrap()), "acd");
    }

    /// Types created and deleted again give their room back: before, the count only grew, and
    /// churn (add a row, remove it) used the budget up for good.
    #[test]
    fn deleted_types_give_their_room_back() {
        use yrs::{Array, MapPrelim};
        let client = Doc::new();
        let rows = client.get_or_insert_array("rows");
        let mut document = SessionDocument::new();
        let created = {
            let mut txn = client.transact_mut();
            for _ in 0..6000 {
                rows.push_back(&mut txn, MapPrelim::default());
            }
            txn.encode_update_v1()
        };
        assert!(document.has_room_for_types(6000));
        document.apply(&created).unwrap();
        assert!(
            !document.has_room_for_types(6000),
            "6,000 live types leave no room"
        );
        let deleted = {
            let mut txn = client.transact_mut();
            let before = txn.state_vector();
            rows.remove_range(&mut txn, 0, 6000);
            txn.encode_state_as_update_v1(&before)
        };
        document.apply(&deleted).unwrap();
        assert!(
            document.has_room_for_types(6000),
            "deleted types count no more"
        );
    }
}
