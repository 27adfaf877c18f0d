//! The session's state and rules, without IO: no channels, no store calls, no clock reads.
//!
//! The session task ([`crate::session::task`]) owns one [`SessionCore`] and does the IO around
//! it: it reads the clock once per input and sets [`SessionCore::now`], hands it commands,
//! writes what a batch produced to the store, and sends the frames [`SessionCore::route`]
//! addresses. What the core decides about connections (who left, who is closed and why) it
//! leaves in [`SessionCore::gone`] for the task to carry out on the sockets.
//!
//! The task awaits the store; the core decides what to write ([`SessionCore::end_batch`]) and
//! what to deliver once it is written ([`SessionCore::landed`]).

mod admission;
mod batch;
mod client;
pub mod conn;
mod control;
mod events;
pub mod frame;
#[cfg(test)]
mod sim;

use std::collections::HashMap;
use std::sync::Arc;

use tokio::time::Instant;
use tracing::error;
use werkplaats_protocol::close;

pub use admission::{LOCKED, TOO_MANY_JOINS};
pub use batch::{COMPACT_ALWAYS_AFTER, Compaction, Ended, StoreWrite};
use conn::{Conn, RateBucket};
use frame::{Frame, FrameKind, Recipient};

use super::awareness::AwarenessTable;
use super::byte_rate::ByteBucket;
use super::document::SessionDocument;
use super::meta::SessionMeta;
use super::registry::SessionContext;
use super::{ConnId, schema};
use crate::clock::ServerClock;
use crate::engine::{Engine, EngineState};
use crate::store::{LoadedSession, UpdateBatch};

/// The time an input is handled at, read once by the task and passed in: the core reads no
/// clock. `at` drives the rate buckets and awareness expiry, `ms` (server time) the engine and
/// what clients are told; both come from the same reading.
#[derive(Debug, Clone, Copy)]
pub struct Now {
    pub at: Instant,
    pub ms: f64,
}

impl Now {
    /// Reads the clock: the task's job, never the core's.
    pub fn read(clock: &ServerClock) -> Self {
        let at = Instant::now();
        Self {
            at,
            ms: clock.ms_at(at),
        }
    }
}

/// A connection the core let go of, and the close it gets (none when it left by itself).
pub type Gone = (ConnId, Option<(u16, String)>);

/// One live session's state: document, awareness, engine, connections, the open batch.
pub struct SessionCore {
    /// Read for the limits (`config`) and counters (`metrics`) only; the core never touches
    /// its store, tasks or shutdown token.
    pub(crate) ctx: Arc<SessionContext>,
    pub(crate) id: Arc<str>,
    pub(crate) meta: SessionMeta,
    pub(crate) meta_dirty: bool,
    pub(crate) doc: SessionDocument,
    pub(crate) awareness: AwarenessTable,
    pub(crate) conns: HashMap<ConnId, Conn>,
    /// Frames produced by the open batch, delivered after it is durable.
    pub(crate) outbox: Vec<(Recipient, Frame)>,
    /// The open batch's number (see `task/commit.rs`).
    pub(crate) batch: u64,
    /// The batch whose writes are under way.
    pub(crate) in_flight: Option<batch::InFlight>,
    /// Commands handled in the open batch.
    pub(crate) open_commands: usize,
    /// Someone came or went in the open batch: the participant list goes out when it ends.
    pub(crate) participants_changed: bool,
    /// Accepted updates of this batch, not yet in the store.
    pub(crate) unlogged: UpdateBatch,
    /// The document must be rebuilt from the store (yrs panicked on it).
    pub(crate) poisoned: bool,
    pub(crate) last_seq: u64,
    pub(crate) logged_since_snapshot: usize,
    /// Bytes of those entries, and the size of the last snapshot (see `COMPACT_AFTER`).
    pub(crate) logged_bytes_since_snapshot: usize,
    pub(crate) snapshot_bytes: usize,
    pub(crate) idle_since: Option<Instant>,
    pub(crate) engine: Engine,
    /// The engine state changed and must be saved with this batch.
    pub(crate) state_dirty: bool,
    pub(crate) join_code: String,
    /// The time of the input being handled, set by the task before each input.
    pub(crate) now: Now,
    /// Bytes of updates all connections together may still send now
    /// (`--session-update-bytes-per-second`).
    pub(crate) update_bytes: ByteBucket,
    /// Joins this session may still take now (`--session-joins-per-minute`).
    pub(crate) join_bucket: RateBucket,
    /// Facilitators asked for a new join code (who, and the command's id); carried out by the
    /// task after the batch.
    pub(crate) rotation_requests: Vec<(ConnId, Option<u64>)>,
    /// Connections removed from [`Self::conns`] since the task last looked, in order.
    pub(crate) gone: Vec<Gone>,
}

impl SessionCore {
    /// The session as stored, with its structure ensured and the deadlines that passed while
    /// it was not loaded caught up; `None` (logged) if what is stored is unreadable.
    pub fn from_loaded(
        ctx: Arc<SessionContext>,
        id: Arc<str>,
        loaded: LoadedSession,
        now: Now,
    ) -> Option<Self> {
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
        let update_bytes = ByteBucket::new(
            ctx.config.doc.session_update_bytes_per_second,
            update_burst(&ctx),
            now.at,
        );
        let join_bucket = RateBucket::new(ctx.config.session.session_joins_per_minute, now.at);
        let awareness = AwarenessTable::new(ctx.config.session.awareness());
        let mut core = Self {
            ctx,
            id,
            meta,
            meta_dirty: false,
            doc,
            awareness,
            conns: HashMap::new(),
            outbox: Vec::new(),
            batch: 1,
            in_flight: None,
            open_commands: 0,
            participants_changed: false,
            unlogged: UpdateBatch::new(),
            poisoned: false,
            last_seq: loaded
                .updates
                .last()
                .map(|(seq, _)| *seq)
                .unwrap_or_default(),
            logged_since_snapshot: loaded.updates.len(),
            logged_bytes_since_snapshot: loaded.updates.iter().map(|(_, u)| u.len()).sum(),
            snapshot_bytes: loaded.snapshot.as_ref().map_or(0, Vec::len),
            idle_since: Some(now.at),
            engine,
            state_dirty: false,
            join_code: loaded.join_code,
            now,
            update_bytes,
            join_bucket,
            rotation_requests: Vec::new(),
            gone: Vec::new(),
        };
        let mut new_id = crate::ids::participant_id;
        if let Some(update) =
            schema::ensure_structure(core.doc.doc(), &core.engine.template, &mut new_id, now.ms)
        {
            core.server_update(update);
        }
        // Deadlines that passed while the session was not loaded (a restart, an unload) are
        // caught up at once, from the stored deadlines, not replayed second by second.
        core.timer(now);
        Some(core)
    }

    /// Sets the time of the input about to be handled. Server time never goes backwards.
    pub fn set_now(&mut self, now: Now) {
        self.now = Now {
            at: now.at.max(self.now.at),
            ms: now.ms.max(self.now.ms),
        };
    }

    /// The engine's next deadline, in server time.
    pub fn next_deadline(&self) -> Option<f64> {
        self.engine.next_deadline()
    }

    /// A deadline may have passed: advance the engine to `now`.
    pub fn timer(&mut self, now: Now) {
        self.set_now(now);
        let changes = self.engine.tick(self.now.ms);
        self.publish(&changes);
    }

    /// Expires silent awareness entries.
    pub fn housekeeping(&mut self, now: Now) {
        self.set_now(now);
        if let Some(removal) = self.awareness.expire(self.now.at) {
            self.outbox
                .push((Recipient::All, Frame::awareness(&removal)));
        }
    }

    /// No connection for at least `idle`.
    pub fn idle_for(&self, idle: std::time::Duration) -> bool {
        self.conns.is_empty()
            && self
                .idle_since
                .is_some_and(|since| self.now.at.saturating_duration_since(since) >= idle)
    }

    /// A change the server made to the document itself: logged and sent like any other.
    pub(crate) fn server_update(&mut self, update: Vec<u8>) {
        self.doc.record_local(&update);
        let frame = Frame::update(&update);
        self.unlogged.push(&update);
        self.outbox.push((Recipient::All, frame));
    }

    pub(crate) fn conns_where(&self, keep: impl Fn(&Conn) -> bool) -> Vec<ConnId> {
        self.conns
            .iter()
            .filter(|(_, c)| keep(c))
            .map(|(id, _)| *id)
            .collect()
    }

    /// Closes every connection (they reconnect and resend what the store lacks).
    pub fn close_all(&mut self, code: u16, reason: &str) {
        let conns: Vec<ConnId> = self.conns.keys().copied().collect();
        for conn in conns {
            self.gone.push((conn, Some((code, reason.to_owned()))));
            self.leave(conn);
        }
    }

    /// The open batch holds something the store must take before it is delivered.
    pub fn has_writes(&self) -> bool {
        !self.unlogged.is_empty() || self.meta_dirty || self.state_dirty
    }

    /// Drops what the open batch produced (the session was deleted, or the store failed).
    pub fn discard_open(&mut self) {
        self.outbox.clear();
        self.unlogged.clear();
    }

    /// Calls `send` for each connection that is to receive each frame of a durable batch, in
    /// order. Decided by the frame's kind and the connection's state, never by the bytes:
    /// control events only after `hello`, updates only after the connection's sync step 2,
    /// nothing from before the batch it joined in.
    pub fn route(
        &self,
        batch: u64,
        outbox: &[(Recipient, Frame)],
        mut send: impl FnMut(ConnId, &Frame),
    ) {
        for (position, (recipient, frame)) in outbox.iter().enumerate() {
            let admits = |conn: &Conn| {
                conn.joined_batch <= batch
                    && match frame.kind {
                        FrameKind::Control => conn.control,
                        FrameKind::Update => conn
                            .updates_from
                            .is_some_and(|from| (batch, position) >= from),
                        _ => true,
                    }
            };
            match recipient {
                Recipient::One(id) => {
                    if self.conns.get(id).is_some_and(admits) {
                        send(*id, frame);
                    }
                }
                _ => {
                    for (id, conn) in &self.conns {
                        let addressed = match recipient {
                            Recipient::One(_) => false,
                            Recipient::AllExcept(except) => id != except,
                            Recipient::All => true,
                            Recipient::Steering => conn.joined.role.steers(),
                            Recipient::NotSteering => !conn.joined.role.steers(),
                            Recipient::Participant(pid) => &conn.joined.participant_id == pid,
                        };
                        if addressed && admits(conn) {
                            send(*id, frame);
                        }
                    }
                }
            }
        }
    }

    /// The store failed under the session: every connection is closed, so clients reconnect
    /// and resend what the store lacks (a Yjs client keeps its own edits).
    pub fn storage_unavailable(&mut self) {
        self.close_all(close::TRY_AGAIN_LATER, "storage unavailable; reconnecting");
        self.outbox.clear();
    }

    /// Rebuilds the document (and with `meta`, the metadata) from what is stored: after a
    /// store failure, or after yrs panicked on the document.
    pub fn restore(&mut self, loaded: &LoadedSession, meta: bool) -> bool {
        if meta {
            if let Ok(stored) = serde_json::from_slice(&loaded.meta) {
                self.meta = stored;
            }
            self.meta_dirty = false;
        }
        self.poisoned = false;
        match SessionDocument::from_stored(loaded) {
            Ok(doc) => {
                self.doc = doc;
                // The containers may have been in the batch the store refused (a session's
                // first batch after its first load): without them nobody could type.
                let mut new_id = crate::ids::participant_id;
                if let Some(update) = schema::ensure_structure(
                    self.doc.doc(),
                    &self.engine.template,
                    &mut new_id,
                    self.now.ms,
                ) {
                    self.server_update(update);
                }
                true
            }
            Err(err) => {
                error!(%err, "could not rebuild the document from the store; keeping it");
                false
            }
        }
    }
}

/// The burst of both update byte rates: never less than one message, or a client could never
/// send its largest update.
pub(crate) fn update_burst(ctx: &SessionContext) -> u64 {
    let config = &ctx.config;
    (config.doc.update_burst_bytes).max(config.max_message_bytes as u64)
}
