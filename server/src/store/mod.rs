//! The storage seam: everything a session needs to survive a restart.
//!
//! A session is stored as four things: its row (id, join code, times), its metadata and engine
//! state as opaque JSON blobs that the session task owns, and its shared document as a snapshot
//! plus an append-only log of accepted yrs updates. The session task is the only writer of a
//! session's data; the store never interprets a document.
//!
//! Implementations: [`memory::MemoryStore`] (tests, `--store memory`) and the embedded SQLite
//! store [`sqlite::SqliteStore`]. All methods are async and must never block an async worker
//! thread. The test-only `contract` module holds the suite every implementation must pass.

pub mod batch;
#[cfg(test)]
pub(crate) mod contract;
pub mod memory;
pub mod sqlite;

pub use batch::UpdateBatch;
pub use memory::now_ms;
pub use sqlite::StoreStats;

use std::future::Future;
use std::pin::Pin;

use thiserror::Error;

pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The join code is taken by another live session; the caller draws a new one.
    #[error("join code already in use")]
    JoinCodeTaken,
    #[error("session {0} does not exist")]
    NotFound(String),
    /// The database could not do what was asked (disk full, locked, read-only, corrupt).
    #[error("storage failed: {0}")]
    Backend(String),
}

/// The columns of a session that the store can search on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id: String,
    pub join_code: String,
    /// Milliseconds since the Unix epoch.
    pub created_at_ms: i64,
}

/// Everything stored for one session, as [`Store::load_session`] returns it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadedSession {
    pub id: String,
    pub join_code: String,
    pub created_at_ms: i64,
    pub last_active_ms: i64,
    /// Session metadata (title, roles, participant token hashes) as JSON.
    pub meta: Vec<u8>,
    /// Workshop engine state (phase, clock, board) as JSON; empty until first saved.
    pub state: Vec<u8>,
    /// The compacted document (a yrs v1 update), if the log was ever compacted.
    pub snapshot: Option<Vec<u8>>,
    /// Log entries after the snapshot, oldest first, with their sequence numbers.
    pub updates: Vec<(u64, Vec<u8>)>,
}

pub trait Store: Send + Sync + 'static {
    /// Creates a session. Fails with [`StoreError::JoinCodeTaken`] when a live session holds the
    /// code.
    fn create_session(&self, row: SessionRow, meta: Vec<u8>) -> StoreFuture<'_, ()>;

    /// The id of the live session with this join code.
    fn session_by_join_code<'a>(&'a self, join_code: &'a str) -> StoreFuture<'a, Option<String>>;

    /// Gives a session a new join code in place of its old one, which from then on finds no
    /// session (nothing remembers it). Fails with [`StoreError::JoinCodeTaken`] when another
    /// live session holds the new code, and with [`StoreError::NotFound`] when there is no
    /// such session; either way nothing changed.
    fn set_join_code<'a>(&'a self, id: &'a str, join_code: &'a str) -> StoreFuture<'a, ()>;

    fn load_session<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<LoadedSession>>;

    /// Appends updates to the log in one transaction (group commit) and returns the sequence
    /// number of the last one. Durable when the future resolves.
    fn append_updates<'a>(&'a self, id: &'a str, updates: UpdateBatch) -> StoreFuture<'a, u64>;

    /// Replaces metadata and engine state in one transaction.
    fn save_state<'a>(&'a self, id: &'a str, meta: Vec<u8>, state: Vec<u8>) -> StoreFuture<'a, ()>;

    /// Stores `snapshot` and drops the log entries up to and including `upto_seq`, atomically:
    /// a crash leaves either the old log or the new snapshot, never neither.
    fn compact<'a>(&'a self, id: &'a str, snapshot: Vec<u8>, upto_seq: u64) -> StoreFuture<'a, ()>;

    /// Removes everything of a session. Returns whether it existed.
    fn delete_session<'a>(&'a self, id: &'a str) -> StoreFuture<'a, bool>;

    /// Deletes every session whose last activity is before `cutoff_ms` and returns their ids.
    fn expire_before(&self, cutoff_ms: i64) -> StoreFuture<'_, Vec<String>>;

    /// Transactions and writes committed so far, for `/metrics` and the benchmark: a store
    /// without group commit (the memory store) has none.
    fn commit_stats(&self) -> Option<StoreStats> {
        None
    }

    /// Bytes held by a store that has no files to measure (the memory store), for
    /// `--max-store-bytes`; `None` for a store on disk, whose files are measured instead.
    fn held_bytes(&self) -> Option<u64> {
        None
    }
}
