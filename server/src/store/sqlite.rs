//! The embedded SQLite [`Store`]: one database file, one dedicated writer thread.
//!
//! # Why rusqlite on one thread, not sqlx
//!
//! SQLite allows one writer at a time per database file, whatever the client library. A pool of
//! connections (sqlx's model) would only add contention for that one write lock, plus busy
//! retries, plus a second layer of queueing we do not control. So the store owns exactly one
//! [`rusqlite::Connection`] on a dedicated OS thread ([`std::thread`]), and async callers talk to
//! it over a *bounded* [`tokio::sync::mpsc`] channel (back-pressure instead of unbounded memory
//! when the disk is slow), each awaiting a [`tokio::sync::oneshot`] reply. No database call ever
//! runs on a tokio worker thread, and a slow fsync stalls only the store thread.
//!
//! Having every write pass through one thread makes **group commit** natural: the thread takes
//! the first queued request, drains whatever else is already queued (up to [`MAX_BATCH`]), and
//! runs all writes in ONE transaction, so a burst of `append_updates` from many sessions costs a
//! single fsync. A request that can be refused (unknown session, taken join code) checks that
//! before it changes anything, so a refusal fails only that request; replies are sent only
//! after `COMMIT` succeeded, so a resolved future means the data is on disk. Any other failure
//! (a full disk, an I/O error, a corrupt row, a failed `COMMIT`) may have left part of a write
//! in the transaction, so the whole transaction is rolled back and its writes are run again one
//! by one, each in its own transaction: a write fails (with [`StoreError::Backend`]) only if it
//! fails on its own, so batching is invisible to callers, and on a nearly full disk the writes
//! that fit still get in. (Per-request savepoints would give the same isolation, but they copy
//! every page a request touches into a sub-journal first: for a compaction's snapshot that is a
//! temporary file, and it cost more than the write itself.)
//!
//! # The update log
//!
//! One `append_updates` call is one row of the `updates` table (split only above
//! [`MAX_ROW_BYTES`]), keyed by the sequence number of its last update, with a `count`: a
//! single update is stored as is, several as length-prefixed parts. A session appends a whole
//! batch per call, so a commit inserts one row per session instead of one per update: one
//! b-tree insert and a few WAL pages where there were dozens. The log is read back update by
//! update, so callers never see the grouping; compaction keeps the tail of a row it cuts.
//!
//! Reads (`load_session`, `session_by_join_code`) run on the same thread, in queue order, but
//! never inside an uncommitted write transaction: a pending write group is committed first, so a
//! read can never observe data whose commit later fails.
//!
//! A request that was queued is carried out even if its caller drops the future: the caller
//! then does not learn whether it happened. If the thread dies, every waiting and later call
//! fails with `Backend("store thread stopped")` instead of hanging.
//!
//! The SQL sticks to what PostgreSQL also understands (plain `INSERT`/`UPDATE`/`DELETE`,
//! `RETURNING`, no `INSERT OR REPLACE`, no rowid tricks) so the PostgreSQL store can reuse the
//! statements with `$n` placeholders. Only the pragmas and the `BLOB` column type are SQLite's.
//!
//! # Durability and personal data
//!
//! * `journal_mode=WAL`, with one of two [`Durability`] levels (`--sqlite-sync`):
//!   - `normal` (the default): `synchronous=NORMAL`. A commit writes its WAL frames into the
//!     operating system's page cache (`write`, no fsync) before the store answers, so an append
//!     whose future resolved survives SIGKILL, a panic, an out-of-memory kill: anything but the
//!     machine itself going down. A thread of its own fsyncs the WAL every
//!     [`WAL_SYNC_INTERVAL`] while commits come in, and SQLite fsyncs it before every
//!     checkpoint, so a power loss or kernel crash takes at most the commits of the last
//!     interval (the database stays consistent: SQLite drops a torn tail of the WAL). Frames no
//!     longer wait for an fsync: see `bench/NOTES.md`, *Durable and fast*.
//!   - `full`: `synchronous=FULL`, the WAL is fsynced at every commit, so an append whose future
//!     resolved also survives power loss (as far as SQLite and the disk keep their promises);
//!     every batch's frames wait for that fsync.
//! * `secure_delete=ON`: deleted rows are overwritten with zeros, not just unlinked from the
//!   b-tree. After a commit that deleted sessions, the thread also runs
//!   `wal_checkpoint(TRUNCATE)`, which copies the zeroed pages into the main file and truncates
//!   the WAL, so old frames holding the deleted data do not linger in the `-wal` file either.
//! * `foreign_keys=ON`, and deletes remove the log rows and the `session_data` row (metadata,
//!   engine state, snapshot) explicitly as well, so removal does not depend on the pragma.
//!
//! The blobs live in `session_data`, apart from the small `sessions` row that every append
//! updates: SQLite rebuilds a whole row to update it, and a snapshot in that row made every
//! append to a large document read and compare it.
//! * `busy_timeout` of 5 s: only another process (a backup, the sqlite3 shell) can hold a lock;
//!   the store thread waits that long before a write fails with "database is locked".

use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use thiserror::Error;
use tokio::sync::{mpsc, oneshot};

use super::batch::Entries;
use super::memory::now_ms;
use super::{LoadedSession, SessionRow, Store, StoreError, StoreFuture, UpdateBatch};

/// Requests that may wait for the store thread. Bounded so a stalled disk pushes back on the
/// sessions instead of growing memory without limit.
const QUEUE_CAPACITY: usize = 1024;

/// The most requests the thread takes into one group commit. Bounds the latency of the first
/// request in a batch and the size of one transaction.
pub const MAX_BATCH: usize = 256;

/// How long a statement waits for a lock held by another process (a backup tool, the sqlite3
/// shell) before failing with "database is locked". Only the store thread waits.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// WAL pages after which a commit copies the WAL back into the database file. SQLite's default
/// (1,000 pages, 4 MB) meant a checkpoint ten times a second under load, each with an fsync
/// of the database file, and each copying pages that the next commits change again (the log's
/// last leaf, the `sessions` row). At 10,000 the WAL stays below about 40 MB and a checkpoint
/// copies each hot page once for far more commits.
const WAL_AUTOCHECKPOINT_PAGES: i64 = 10_000;

/// How often, under [`Durability::Normal`], the WAL is fsynced while commits come in: the most
/// a power loss can take. PostgreSQL's `synchronous_commit = off` makes the same trade with
/// 0.2–0.6 s; a second keeps the fsyncs (each of which competes with the store thread's
/// writes for the disk) rare.
pub const WAL_SYNC_INTERVAL: Duration = Duration::from_secs(1);

/// What a resolved write has survived; see the module doc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `synchronous=NORMAL`: written to the OS before the answer, fsynced every
    /// [`WAL_SYNC_INTERVAL`]. Survives the process being killed; power loss may take the last
    /// interval.
    #[default]
    Normal,
    /// `synchronous=FULL`: fsynced before the answer. Survives power loss too.
    Full,
}

impl Durability {
    /// The value of SQLite's `synchronous` pragma.
    fn synchronous(self) -> i64 {
        match self {
            Durability::Normal => 1,
            Durability::Full => 2,
        }
    }
}

/// Schema migrations; entry `i` brings `user_version` from `i` to `i + 1`. Append only.
const MIGRATIONS: &[&str] = &[
    // 1: sessions and their update log. `last_seq` remembers the last sequence number handed
    // out, so numbering continues after compaction has emptied the log.
    "CREATE TABLE sessions (
        id             TEXT    NOT NULL PRIMARY KEY,
        join_code      TEXT    NOT NULL UNIQUE,
        created_at_ms  INTEGER NOT NULL,
        last_active_ms INTEGER NOT NULL,
        last_seq       INTEGER NOT NULL DEFAULT 0,
        meta           BLOB    NOT NULL,
        state          BLOB    NOT NULL,
        snapshot       BLOB
    );
    CREATE INDEX sessions_last_active ON sessions (last_active_ms);
    CREATE TABLE updates (
        session_id TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        seq        INTEGER NOT NULL,
        data       BLOB    NOT NULL,
        PRIMARY KEY (session_id, seq)
    );",
    // 2: a log row holds the `count` updates of one append (see "The update log" above), so
    // `seq` is the sequence number of its last update; old rows hold one update each. And the
    // blobs leave the `sessions` row, which every append updates (`last_seq`,
    // `last_active_ms`): SQLite rebuilds a whole row to update it, so a snapshot of a few
    // hundred kilobytes there was read and compared at every append, which made appends to a
    // large document several times dearer.
    "ALTER TABLE updates ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
    CREATE TABLE session_data (
        session_id TEXT NOT NULL PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
        meta       BLOB NOT NULL,
        state      BLOB NOT NULL,
        snapshot   BLOB
    );
    INSERT INTO session_data (session_id, meta, state, snapshot)
        SELECT id, meta, state, snapshot FROM sessions;
    ALTER TABLE sessions DROP COLUMN meta;
    ALTER TABLE sessions DROP COLUMN state;
    ALTER TABLE sessions DROP COLUMN snapshot;",
    // 3: no index on `last_active_ms`. Every append sets it, so the index cost a b-tree page in
    // every commit (one WAL frame in eight) to speed up the retention sweep, which runs once an
    // hour over a table of a few thousand short rows.
    "DROP INDEX sessions_last_active;",
    // 4: the log keyed by its primary key alone (`WITHOUT ROWID`). As a rowid table every
    // appended row went into two b-trees, the table and the index of its key, so every commit
    // wrote a WAL frame more (2 of 8 `pwrite`s per commit under S1 20x10) and the store
    // thread did the insert twice; the log is only ever read and deleted by that key.
    "CREATE TABLE updates_by_key (
        session_id TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        seq        INTEGER NOT NULL,
        data       BLOB    NOT NULL,
        count      INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (session_id, seq)
    ) WITHOUT ROWID;
    INSERT INTO updates_by_key (session_id, seq, data, count)
        SELECT session_id, seq, data, count FROM updates;
    DROP TABLE updates;
    ALTER TABLE updates_by_key RENAME TO updates;",
];

/// Largest log row the store writes; a bigger append is split over several rows. Keeps a row
/// (and what a load holds twice while splitting it) far below SQLite's 1 GB limit.
const MAX_ROW_BYTES: usize = 1024 * 1024;

/// Counters of the store thread's work, for tests and metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Write transactions committed (under [`Durability::Full`] each one fsync of the WAL).
    pub transactions: u64,
    /// Write requests that succeeded and were committed. `writes / transactions` is the average
    /// group-commit batch size.
    pub writes: u64,
    /// fsyncs of the WAL by the sync thread of [`Durability::Normal`] (at most one per
    /// [`WAL_SYNC_INTERVAL`]).
    pub wal_syncs: u64,
}

#[derive(Default)]
struct Counters {
    transactions: AtomicU64,
    writes: AtomicU64,
    /// fsyncs of the WAL by [`sync_wal_while_open`].
    wal_syncs: AtomicU64,
}

/// The SQLite store. Dropping it closes the request channel; the thread then finishes the
/// requests already queued, closes the database and exits. Use [`SqliteStore::close`] to wait
/// for that.
pub struct SqliteStore {
    requests: mpsc::Sender<Request>,
    counters: Arc<Counters>,
    path: PathBuf,
}

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

enum Request {
    Read(Read),
    Write(Write),
    /// Commit what is pending, close the connection and stop the thread.
    Close(Reply<()>),
    /// Runs SQL on the store's connection (to simulate a full disk, for instance).
    #[cfg(test)]
    Exec(String, Reply<()>),
    /// Makes the store thread panic, to test what callers see when it dies.
    #[cfg(test)]
    Crash,
    /// Holds the store thread until the sender is dropped, so a test can queue requests that
    /// are then taken into one transaction.
    #[cfg(test)]
    Pause(std::sync::mpsc::Receiver<()>),
}

enum Read {
    ByJoinCode {
        join_code: String,
        reply: Reply<Option<String>>,
    },
    Load {
        id: String,
        reply: Reply<Option<LoadedSession>>,
    },
}

enum Write {
    Create {
        row: SessionRow,
        meta: Vec<u8>,
        reply: Reply<()>,
    },
    Append {
        id: String,
        updates: UpdateBatch,
        reply: Reply<u64>,
    },
    SetJoinCode {
        id: String,
        join_code: String,
        reply: Reply<()>,
    },
    SaveState {
        id: String,
        meta: Vec<u8>,
        state: Vec<u8>,
        reply: Reply<()>,
    },
    Compact {
        id: String,
        snapshot: Vec<u8>,
        upto_seq: u64,
        reply: Reply<()>,
    },
    Delete {
        id: String,
        reply: Reply<bool>,
    },
    Expire {
        cutoff_ms: i64,
        reply: Reply<Vec<String>>,
    },
}

/// What went wrong inside one operation: a result the caller should see as is, or an SQLite
/// failure that still needs context.
#[derive(Debug, Error)]
enum OpError {
    /// Refused before the operation changed anything (unknown session, taken join code): the
    /// other writes of its transaction are unaffected.
    #[error(transparent)]
    Refused(StoreError),
    /// Failed, possibly after changing part of what it writes.
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
}

/// How a write ended badly, for its group ([`Worker::write`]).
enum Failure {
    /// It changed nothing; only this write fails.
    Refused(StoreError),
    /// It may have left part of itself in the open transaction.
    Failed(StoreError),
}

impl Failure {
    fn into_error(self) -> StoreError {
        match self {
            Failure::Refused(e) | Failure::Failed(e) => e,
        }
    }
}

fn stopped() -> StoreError {
    StoreError::Backend("store thread stopped".to_owned())
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, applies the pragmas and migrations,
    /// and starts the store thread.
    ///
    /// This blocks while the file is opened and migrated: call it before the runtime starts
    /// serving, or from `spawn_blocking`. Every later call is async.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        Self::open_durable(path, Durability::default())
    }

    /// [`open`](Self::open) with the given durability.
    pub fn open_durable(path: &Path, durability: Durability) -> Result<SqliteStore, StoreError> {
        // No SQLITE_OPEN_URI: a path is a path, even if it starts with "file:".
        Self::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            durability,
        )
    }

    fn open_with_flags(
        path: &Path,
        flags: OpenFlags,
        durability: Durability,
    ) -> Result<SqliteStore, StoreError> {
        let fail = |err: OpError| {
            StoreError::Backend(format!(
                "cannot open SQLite store at {}: {err}",
                path.display()
            ))
        };
        let conn = Connection::open_with_flags(path, flags).map_err(|e| fail(e.into()))?;
        configure(&conn, durability).map_err(fail)?;
        migrate(&conn).map_err(fail)?;
        let read_only = conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false);
        if read_only {
            tracing::warn!(
                path = %path.display(),
                "SQLite store opened read-only: every write will fail"
            );
        }

        let (requests, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let counters = Arc::new(Counters::default());
        let worker = Worker {
            conn,
            path: path.to_owned(),
            counters: Arc::clone(&counters),
        };
        std::thread::Builder::new()
            .name("werkplaats-sqlite".to_owned())
            .spawn(move || worker.serve(receiver))
            .map_err(|e| {
                StoreError::Backend(format!(
                    "cannot start the store thread for {}: {e}",
                    path.display()
                ))
            })?;
        if durability == Durability::Normal && !read_only {
            let wal = wal_path(path);
            let counters = Arc::downgrade(&counters);
            std::thread::Builder::new()
                .name("werkplaats-walsync".to_owned())
                .spawn(move || sync_wal_while_open(&wal, &counters))
                .map_err(|e| {
                    StoreError::Backend(format!(
                        "cannot start the WAL sync thread for {}: {e}",
                        path.display()
                    ))
                })?;
        }
        Ok(SqliteStore {
            requests,
            counters,
            path: path.to_owned(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the store thread has committed so far.
    pub fn stats(&self) -> StoreStats {
        StoreStats {
            transactions: self.counters.transactions.load(Ordering::Relaxed),
            writes: self.counters.writes.load(Ordering::Relaxed),
            wal_syncs: self.counters.wal_syncs.load(Ordering::Relaxed),
        }
    }

    /// Finishes the queued requests, closes the database (which checkpoints and removes the
    /// WAL) and stops the thread.
    pub async fn close(self) -> Result<(), StoreError> {
        self.call(Request::Close).await
    }

    /// Sends a request and waits for its reply. A dead thread shows up as a closed channel or a
    /// dropped reply sender, never as a hang.
    async fn call<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, StoreError> {
        let (reply, response) = oneshot::channel();
        self.requests
            .send(make(reply))
            .await
            .map_err(|_| stopped())?;
        response.await.map_err(|_| stopped())?
    }

    #[cfg(test)]
    fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
        Self::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            Durability::default(),
        )
    }

    #[cfg(test)]
    async fn exec(&self, sql: &str) -> Result<(), StoreError> {
        let sql = sql.to_owned();
        self.call(|reply| Request::Exec(sql, reply)).await
    }

    /// Holds the store thread until the returned sender is dropped. Only when the thread has
    /// taken the pause does this return, so whatever is sent afterwards queues behind it.
    #[cfg(test)]
    async fn pause(&self) -> std::sync::mpsc::Sender<()> {
        let (release, until) = std::sync::mpsc::channel();
        let _ = self.requests.send(Request::Pause(until)).await;
        while self.queued() > 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        release
    }

    /// Requests waiting for the store thread.
    #[cfg(test)]
    fn queued(&self) -> usize {
        self.requests.max_capacity() - self.requests.capacity()
    }

    #[cfg(test)]
    async fn crash(&self) {
        // The thread panics before it could reply; only the send matters.
        let _ = self.requests.send(Request::Crash).await;
    }
}

impl Store for SqliteStore {
    fn create_session(&self, row: SessionRow, meta: Vec<u8>) -> StoreFuture<'_, ()> {
        Box::pin(self.call(move |reply| Request::Write(Write::Create { row, meta, reply })))
    }

    fn session_by_join_code<'a>(&'a self, join_code: &'a str) -> StoreFuture<'a, Option<String>> {
        Box::pin(self.call(move |reply| {
            Request::Read(Read::ByJoinCode {
                join_code: join_code.to_owned(),
                reply,
            })
        }))
    }

    fn set_join_code<'a>(&'a self, id: &'a str, join_code: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(self.call(move |reply| {
            Request::Write(Write::SetJoinCode {
                id: id.to_owned(),
                join_code: join_code.to_owned(),
                reply,
            })
        }))
    }

    fn load_session<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<LoadedSession>> {
        Box::pin(self.call(move |reply| {
            Request::Read(Read::Load {
                id: id.to_owned(),
                reply,
            })
        }))
    }

    fn append_updates<'a>(&'a self, id: &'a str, updates: UpdateBatch) -> StoreFuture<'a, u64> {
        Box::pin(self.call(move |reply| {
            Request::Write(Write::Append {
                id: id.to_owned(),
                updates,
                reply,
            })
        }))
    }

    fn save_state<'a>(&'a self, id: &'a str, meta: Vec<u8>, state: Vec<u8>) -> StoreFuture<'a, ()> {
        Box::pin(self.call(move |reply| {
            Request::Write(Write::SaveState {
                id: id.to_owned(),
                meta,
                state,
                reply,
            })
        }))
    }

    fn compact<'a>(&'a self, id: &'a str, snapshot: Vec<u8>, upto_seq: u64) -> StoreFuture<'a, ()> {
        Box::pin(self.call(move |reply| {
            Request::Write(Write::Compact {
                id: id.to_owned(),
                snapshot,
                upto_seq,
                reply,
            })
        }))
    }

    fn delete_session<'a>(&'a self, id: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(self.call(move |reply| {
            Request::Write(Write::Delete {
                id: id.to_owned(),
                reply,
            })
        }))
    }

    fn expire_before(&self, cutoff_ms: i64) -> StoreFuture<'_, Vec<String>> {
        Box::pin(self.call(move |reply| Request::Write(Write::Expire { cutoff_ms, reply })))
    }

    fn commit_stats(&self) -> Option<StoreStats> {
        Some(self.stats())
    }
}

/// The WAL file SQLite keeps beside the database at `path`.
fn wal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Under [`Durability::Normal`]: fsyncs the WAL every [`WAL_SYNC_INTERVAL`] in which something
/// was committed, until the store is gone. On its own thread, so the store thread never waits
/// for the disk: an fsync flushes the file (its inode), whichever descriptor asks, while SQLite
/// goes on appending through its own. The file is opened anew each time, since a checkpoint
/// may truncate it and closing the database removes it.
fn sync_wal_while_open(wal: &Path, counters: &std::sync::Weak<Counters>) {
    let mut synced = 0;
    loop {
        std::thread::sleep(WAL_SYNC_INTERVAL);
        let Some(counters) = counters.upgrade() else {
            return;
        };
        let committed = counters.transactions.load(Ordering::Relaxed);
        if committed == synced {
            continue;
        }
        match std::fs::File::open(wal).and_then(|file| file.sync_data()) {
            Ok(()) => {
                synced = committed;
                counters.wal_syncs.fetch_add(1, Ordering::Relaxed);
            }
            // Closed meanwhile (the store was dropped): nothing left to sync.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(path = %wal.display(), "cannot fsync the WAL: {e}"),
        }
    }
}

/// Per-connection settings; see the module doc for why each one.
fn configure(conn: &Connection, durability: Durability) -> Result<(), OpError> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Every statement the store runs stays prepared (rusqlite keeps 16; there are about 25).
    conn.set_prepared_statement_cache_capacity(32);
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA synchronous = {};",
        durability.synchronous()
    ))?;
    conn.pragma_update_and_check(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES, |_| {
        Ok(())
    })?;
    // An unknown or unsupported pragma is silently ignored by SQLite, so check the ones that
    // matter for durability and personal data instead of trusting them.
    let secure_delete: i64 = conn.pragma_query_value(None, "secure_delete", |r| r.get(0))?;
    let foreign_keys: i64 = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
    let synchronous: i64 = conn.pragma_query_value(None, "synchronous", |r| r.get(0))?;
    if secure_delete != 1 || foreign_keys != 1 || synchronous != durability.synchronous() {
        return Err(StoreError::Backend(format!(
            "SQLite refused the required pragmas (secure_delete={secure_delete}, \
             foreign_keys={foreign_keys}, synchronous={synchronous})"
        ))
        .into());
    }
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") && !conn.is_readonly(rusqlite::MAIN_DB)? {
        return Err(
            StoreError::Backend(format!("cannot switch to WAL journal mode (got {mode})")).into(),
        );
    }
    Ok(())
}

fn user_version(conn: &Connection) -> Result<usize, OpError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let version = usize::try_from(version)
        .map_err(|_| StoreError::Backend(format!("invalid schema version {version}")))?;
    if version > MIGRATIONS.len() {
        return Err(StoreError::Backend(format!(
            "schema version {version} is newer than this server supports ({})",
            MIGRATIONS.len()
        ))
        .into());
    }
    Ok(version)
}

/// Brings the schema to the newest version in one transaction: a failed migration leaves the
/// file as it was.
fn migrate(conn: &Connection) -> Result<(), OpError> {
    // Checked outside a transaction first so an up-to-date (possibly read-only) file is never
    // written to.
    if user_version(conn)? == MIGRATIONS.len() {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| {
        // Read again under the write lock: another process may have migrated meanwhile.
        let from = user_version(conn)?;
        for sql in &MIGRATIONS[from..] {
            conn.execute_batch(sql)?;
        }
        conn.execute_batch(&format!("PRAGMA user_version = {}", MIGRATIONS.len()))?;
        conn.execute_batch("COMMIT")?;
        let path = conn.path().unwrap_or("(in memory)");
        if from == 0 {
            tracing::info!(
                path,
                version = MIGRATIONS.len(),
                "created the store's schema"
            );
        } else {
            tracing::info!(
                path,
                from,
                to = MIGRATIONS.len(),
                "migrated the store's schema"
            );
        }
        Ok(())
    })();
    if result.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    result
}

/// What a successful write returns, before it is sent to the caller in its own type.
enum Done {
    Unit,
    Seq(u64),
    Existed(bool),
    Ids(Vec<String>),
}

impl Done {
    /// Whether personal data was removed, so the WAL needs scrubbing.
    fn deleted(&self) -> bool {
        match self {
            Done::Existed(existed) => *existed,
            Done::Ids(ids) => !ids.is_empty(),
            Done::Unit | Done::Seq(_) => false,
        }
    }
}

impl Write {
    /// Sends the outcome to the caller. The caller may have stopped waiting; then there is
    /// nobody left to tell, so a failed send is ignored.
    fn respond(self, result: Result<Done, StoreError>) {
        fn wrong_kind() -> StoreError {
            StoreError::Backend("internal error: write returned the wrong kind of result".into())
        }
        match self {
            Write::Create { reply, .. }
            | Write::SetJoinCode { reply, .. }
            | Write::SaveState { reply, .. }
            | Write::Compact { reply, .. } => {
                let _ = reply.send(result.map(|_| ()));
            }
            Write::Append { reply, .. } => {
                let _ = reply.send(result.and_then(|done| match done {
                    Done::Seq(seq) => Ok(seq),
                    _ => Err(wrong_kind()),
                }));
            }
            Write::Delete { reply, .. } => {
                let _ = reply.send(result.and_then(|done| match done {
                    Done::Existed(existed) => Ok(existed),
                    _ => Err(wrong_kind()),
                }));
            }
            Write::Expire { reply, .. } => {
                let _ = reply.send(result.and_then(|done| match done {
                    Done::Ids(ids) => Ok(ids),
                    _ => Err(wrong_kind()),
                }));
            }
        }
    }
}

/// The writes of one open transaction, each with its result, answered only after `COMMIT`.
#[derive(Default)]
struct Group {
    applied: Vec<(Write, Result<Done, StoreError>)>,
}

struct Worker {
    conn: Connection,
    path: PathBuf,
    counters: Arc<Counters>,
}

impl Worker {
    fn serve(mut self, mut receiver: mpsc::Receiver<Request>) {
        // `blocking_recv` is fine here: this is our own OS thread, not a runtime worker.
        while let Some(first) = receiver.blocking_recv() {
            // Group commit: everything already queued joins this round.
            let mut batch = Vec::with_capacity(16);
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match receiver.try_recv() {
                    Ok(request) => batch.push(request),
                    Err(_) => break,
                }
            }

            let mut group = None;
            for request in batch {
                match request {
                    Request::Write(write) => self.write(&mut group, write),
                    Request::Read(read) => {
                        self.commit(group.take());
                        self.read(read);
                    }
                    Request::Close(reply) => {
                        self.commit(group.take());
                        let result = self.conn.close().map_err(|(_, e)| {
                            StoreError::Backend(format!("closing {}: {e}", self.path.display()))
                        });
                        let _ = reply.send(result);
                        return;
                    }
                    #[cfg(test)]
                    Request::Exec(sql, reply) => {
                        self.commit(group.take());
                        let result = self
                            .conn
                            .execute_batch(&sql)
                            .map_err(|e| StoreError::Backend(self.message(&sql, e)));
                        let _ = reply.send(result);
                    }
                    #[cfg(test)]
                    Request::Crash => panic!("store thread crash requested by a test"),
                    #[cfg(test)]
                    Request::Pause(until) => {
                        self.commit(group.take());
                        let _ = until.recv();
                    }
                }
            }
            self.commit(group.take());
        }
        // The store was dropped: dropping the connection closes the database.
    }

    /// "what was attempted, in which file: what SQLite said".
    fn message(&self, what: impl Display, err: impl Display) -> String {
        format!("{what} in {}: {err}", self.path.display())
    }

    /// Turns an operation's failure into what the caller sees, naming what was attempted.
    fn outcome<T>(
        &self,
        what: impl FnOnce() -> String,
        result: Result<T, OpError>,
    ) -> Result<T, Failure> {
        result.map_err(|e| match e {
            OpError::Refused(e) => Failure::Refused(e),
            OpError::Store(e) => Failure::Failed(e),
            OpError::Sql(e) => Failure::Failed(StoreError::Backend(self.message(what(), e))),
        })
    }

    fn read(&self, read: Read) {
        match read {
            Read::ByJoinCode { join_code, reply } => {
                let result = self
                    .outcome(
                        || format!("looking up join code {join_code}"),
                        session_by_join_code(&self.conn, &join_code),
                    )
                    .map_err(Failure::into_error);
                let _ = reply.send(result);
            }
            Read::Load { id, reply } => {
                let result = self
                    .outcome(
                        || format!("loading session {id}"),
                        load_session(&self.conn, &id),
                    )
                    .map_err(Failure::into_error);
                let _ = reply.send(result);
            }
        }
    }

    /// Runs one write inside the group's transaction (starting it if needed).
    ///
    /// No savepoint per write: a savepoint copies every page the write touches into a
    /// sub-journal (a temporary file once it passes 64 KiB, which a snapshot always does), and
    /// that cost more than the write itself. Instead, a write checks whatever can refuse it
    /// (unknown session, taken join code) before it changes anything, so a refusal leaves the
    /// group as it was; any other failure may have left part of the write behind, so the whole
    /// group is rolled back and its writes are run again one by one ([`Self::group_failed`]).
    fn write(&mut self, group: &mut Option<Group>, write: Write) {
        let open = match group {
            Some(open) => open,
            None => {
                if let Err(e) = run_cached(&self.conn, "BEGIN IMMEDIATE") {
                    let msg = self.message("starting a transaction", e);
                    write.respond(Err(StoreError::Backend(msg)));
                    return;
                }
                group.insert(Group::default())
            }
        };
        match self.apply(&write) {
            Ok(done) => open.applied.push((write, Ok(done))),
            Err(Failure::Refused(e)) => open.applied.push((write, Err(e))),
            Err(Failure::Failed(e)) => {
                let msg = e.to_string();
                self.group_failed(group.take(), Some(write), &msg);
            }
        }
    }

    fn apply(&self, write: &Write) -> Result<Done, Failure> {
        let conn = &self.conn;
        match write {
            Write::Create { row, meta, .. } => self
                .outcome(
                    || format!("creating session {}", row.id),
                    create_session(conn, row, meta),
                )
                .map(|()| Done::Unit),
            Write::Append { id, updates, .. } => self
                .outcome(
                    || format!("appending to session {id}"),
                    append_updates(conn, id, updates),
                )
                .map(Done::Seq),
            Write::SetJoinCode { id, join_code, .. } => self
                .outcome(
                    || format!("changing the join code of session {id}"),
                    set_join_code(conn, id, join_code),
                )
                .map(|()| Done::Unit),
            Write::SaveState {
                id, meta, state, ..
            } => self
                .outcome(
                    || format!("saving state of session {id}"),
                    save_state(conn, id, meta, state),
                )
                .map(|()| Done::Unit),
            Write::Compact {
                id,
                snapshot,
                upto_seq,
                ..
            } => self
                .outcome(
                    || format!("compacting session {id}"),
                    compact(conn, id, snapshot, *upto_seq),
                )
                .map(|()| Done::Unit),
            Write::Delete { id, .. } => self
                .outcome(
                    || format!("deleting session {id}"),
                    delete_session(conn, id),
                )
                .map(Done::Existed),
            Write::Expire { cutoff_ms, .. } => self
                .outcome(
                    || format!("expiring sessions idle since {cutoff_ms}"),
                    expire_before(conn, *cutoff_ms),
                )
                .map(Done::Ids),
        }
    }

    /// Commits the group and only then answers its writes.
    fn commit(&mut self, group: Option<Group>) {
        let Some(group) = group else { return };
        let succeeded = group.applied.iter().filter(|(_, r)| r.is_ok()).count();
        if succeeded == 0 {
            // Every write was refused before it changed anything: nothing to make durable, so
            // spare the fsync. The callers get their own errors.
            self.rollback();
            for (write, result) in group.applied {
                write.respond(result);
            }
            return;
        }
        if let Err(e) = run_cached(&self.conn, "COMMIT") {
            let msg = self.message("committing", e);
            self.group_failed(Some(group), None, &msg);
            return;
        }
        self.committed(succeeded);
        if group
            .applied
            .iter()
            .any(|(_, r)| r.as_ref().is_ok_and(Done::deleted))
        {
            // Before replying, so that "deleted" means "gone from the files".
            self.scrub_wal();
        }
        for (write, result) in group.applied {
            write.respond(result);
        }
    }

    fn committed(&self, writes: usize) {
        self.counters.transactions.fetch_add(1, Ordering::Relaxed);
        self.counters
            .writes
            .fetch_add(writes as u64, Ordering::Relaxed);
    }

    /// Rolls back the open transaction, unless SQLite already has.
    fn rollback(&self) {
        if !self.conn.is_autocommit() {
            if let Err(e) = run_cached(&self.conn, "ROLLBACK") {
                tracing::error!(path = %self.path.display(), "rollback failed: {e}");
            }
        }
    }

    /// The group's transaction is lost as a whole. Its writes (and `current`, the one running
    /// when it happened) are run again, each in a transaction of its own, so that a write fails
    /// only if it fails on its own: batching stays invisible to callers. With a full disk, say,
    /// the writes that still fit get in instead of all being refused with the one that did not.
    fn group_failed(&mut self, group: Option<Group>, current: Option<Write>, msg: &str) {
        self.rollback();
        let writes: Vec<Write> = group
            .into_iter()
            .flat_map(|g| g.applied)
            .map(|(write, _)| write)
            .chain(current)
            .collect();
        tracing::warn!(
            path = %self.path.display(),
            "a transaction of {} writes failed ({msg}); retrying them one by one",
            writes.len()
        );
        for write in writes {
            self.write_alone(write);
        }
    }

    /// Runs one write in its own transaction and answers it. No retry from here.
    fn write_alone(&mut self, write: Write) {
        if let Err(e) = run_cached(&self.conn, "BEGIN IMMEDIATE") {
            let msg = self.message("starting a transaction", e);
            write.respond(Err(StoreError::Backend(msg)));
            return;
        }
        let result = match self.apply(&write) {
            Ok(done) => match run_cached(&self.conn, "COMMIT") {
                Ok(()) => {
                    self.committed(1);
                    if done.deleted() {
                        self.scrub_wal();
                    }
                    Ok(done)
                }
                Err(e) => Err(StoreError::Backend(self.message("committing", e))),
            },
            Err(e) => Err(e.into_error()),
        };
        self.rollback();
        write.respond(result);
    }

    /// Copies the (zeroed) pages from the WAL into the database and truncates the WAL, so older
    /// frames holding deleted personal data do not stay in the `-wal` file.
    fn scrub_wal(&self) {
        let result = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            });
        match result {
            Ok(0) => {}
            // Another process is reading; the deletion is committed and the next checkpoint
            // (after the next delete, or SQLite's automatic one) will complete the job.
            Ok(_) => tracing::warn!(
                path = %self.path.display(),
                "WAL checkpoint after delete could not complete (database busy)"
            ),
            Err(e) => tracing::warn!(
                path = %self.path.display(),
                "WAL checkpoint after delete failed: {e}"
            ),
        }
    }
}

/// Runs a statement without parameters or rows (`BEGIN IMMEDIATE`, `COMMIT`, `ROLLBACK`) from
/// the statement cache: `execute_batch` parses its SQL anew every time, which cost about as
/// much as a small insert, twice per commit.
fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

fn seq_to_sql(seq: u64) -> Result<i64, OpError> {
    i64::try_from(seq)
        .map_err(|_| StoreError::Backend(format!("sequence number {seq} out of range")).into())
}

fn seq_from_sql(seq: i64) -> Result<u64, OpError> {
    u64::try_from(seq).map_err(|_| {
        StoreError::Backend(format!("stored sequence number {seq} is negative")).into()
    })
}

fn session_by_join_code(conn: &Connection, join_code: &str) -> Result<Option<String>, OpError> {
    let mut stmt = conn.prepare_cached("SELECT id FROM sessions WHERE join_code = ?1")?;
    Ok(stmt.query_row([join_code], |r| r.get(0)).optional()?)
}

fn load_session(conn: &Connection, id: &str) -> Result<Option<LoadedSession>, OpError> {
    // No read transaction needed: this thread is the only writer and never reads inside an
    // open write transaction, so nothing changes between the two queries.
    let mut stmt = conn.prepare_cached(
        "SELECT s.join_code, s.created_at_ms, s.last_active_ms, d.meta, d.state, d.snapshot
         FROM sessions s JOIN session_data d ON d.session_id = s.id
         WHERE s.id = ?1",
    )?;
    let found = stmt
        .query_row([id], |r| {
            Ok(LoadedSession {
                id: id.to_owned(),
                join_code: r.get(0)?,
                created_at_ms: r.get(1)?,
                last_active_ms: r.get(2)?,
                meta: r.get(3)?,
                state: r.get(4)?,
                snapshot: r.get(5)?,
                updates: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut session) = found else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT seq, count, data FROM updates WHERE session_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, Vec<u8>>(2)?,
        ))
    })?;
    for row in rows {
        let (seq, count, data) = row?;
        decode_row(seq, count, data, &mut session.updates)?;
    }
    Ok(Some(session))
}

fn create_session(conn: &Connection, row: &SessionRow, meta: &[u8]) -> Result<(), OpError> {
    if session_by_join_code(conn, &row.join_code)?.is_some() {
        return Err(OpError::Refused(StoreError::JoinCodeTaken));
    }
    let exists = conn
        .prepare_cached("SELECT 1 FROM sessions WHERE id = ?1")?
        .query_row([&row.id], |_| Ok(()))
        .optional()?
        .is_some();
    if exists {
        return Err(OpError::Refused(StoreError::Backend(format!(
            "session {} already exists",
            row.id
        ))));
    }
    conn.prepare_cached(
        "INSERT INTO sessions (id, join_code, created_at_ms, last_active_ms, last_seq)
         VALUES (?1, ?2, ?3, ?4, 0)",
    )?
    .execute(params![row.id, row.join_code, row.created_at_ms, now_ms()])?;
    let empty: &[u8] = &[];
    conn.prepare_cached("INSERT INTO session_data (session_id, meta, state) VALUES (?1, ?2, ?3)")?
        .execute(params![row.id, meta, empty])?;
    Ok(())
}

/// Checks both refusals (taken code, unknown session) before the one `UPDATE`, so a refusal
/// leaves the group's transaction as it was; the `UNIQUE` constraint would instead fail the
/// statement, and with it the whole group.
fn set_join_code(conn: &Connection, id: &str, join_code: &str) -> Result<(), OpError> {
    match session_by_join_code(conn, join_code)? {
        Some(holder) if holder != id => return Err(OpError::Refused(StoreError::JoinCodeTaken)),
        _ => {}
    }
    let changed = conn
        .prepare_cached("UPDATE sessions SET join_code = ?2, last_active_ms = ?3 WHERE id = ?1")?
        .execute(params![id, join_code, now_ms()])?;
    if changed == 0 {
        return Err(OpError::Refused(StoreError::NotFound(id.to_owned())));
    }
    Ok(())
}

/// Marks the session active now; `NotFound` if there is no such session.
fn touch(conn: &Connection, id: &str) -> Result<(), OpError> {
    let changed = conn
        .prepare_cached("UPDATE sessions SET last_active_ms = ?2 WHERE id = ?1")?
        .execute(params![id, now_ms()])?;
    if changed == 0 {
        return Err(OpError::Refused(StoreError::NotFound(id.to_owned())));
    }
    Ok(())
}

fn append_updates(conn: &Connection, id: &str, updates: &UpdateBatch) -> Result<u64, OpError> {
    // One statement finds the session, numbers the batch and marks the session active (it was
    // a SELECT and an UPDATE: a third of the store thread's instructions per append went to
    // running statements). An unknown session changes nothing, so the refusal leaves the
    // group as it was.
    let count = updates.len() as i64;
    let last: i64 = conn
        .prepare_cached(
            "UPDATE sessions SET last_seq = last_seq + ?2, last_active_ms = ?3 WHERE id = ?1
             RETURNING last_seq",
        )?
        .query_row(params![id, count, now_ms()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| OpError::Refused(StoreError::NotFound(id.to_owned())))?;
    let mut seq = last - count;
    let mut insert = conn.prepare_cached(
        "INSERT INTO updates (session_id, seq, count, data) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (count, run) in updates.runs(MAX_ROW_BYTES) {
        seq += count as i64;
        insert.execute(params![id, seq, count as i64, row_data(count, run)])?;
    }
    seq_from_sql(last)
}

fn save_state(conn: &Connection, id: &str, meta: &[u8], state: &[u8]) -> Result<(), OpError> {
    touch(conn, id)?;
    conn.prepare_cached("UPDATE session_data SET meta = ?2, state = ?3 WHERE session_id = ?1")?
        .execute(params![id, meta, state])?;
    Ok(())
}

fn compact(conn: &Connection, id: &str, snapshot: &[u8], upto_seq: u64) -> Result<(), OpError> {
    touch(conn, id)?;
    // The log goes first, the snapshot last: the new snapshot's pages are then taken from the
    // log pages just freed (and zeroed, see `secure_delete`), so each is written once with its
    // new content instead of once zeroed and later again. Writing the snapshot first put both
    // the old snapshot's and the log's pages on the freelist, all written out as zeros.
    // Beyond i64::MAX there is no stored sequence number anyway: drop the whole log.
    let upto = seq_to_sql(upto_seq).unwrap_or(i64::MAX);
    conn.prepare_cached("DELETE FROM updates WHERE session_id = ?1 AND seq <= ?2")?
        .execute(params![id, upto])?;
    // A row whose first update is covered by the snapshot but whose last is not keeps only
    // the updates after `upto`. (The session compacts at the end of an append, so this is
    // rare; the contract allows any `upto`.)
    let straddling = conn
        .prepare_cached(
            "SELECT seq, count, data FROM updates
             WHERE session_id = ?1 AND seq > ?2 AND seq - count < ?2",
        )?
        .query_row(params![id, upto], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })
        .optional()?;
    if let Some((seq, count, data)) = straddling {
        let mut updates = Vec::new();
        decode_row(seq, count, data, &mut updates)?;
        let kept: UpdateBatch = updates
            .iter()
            .filter(|(s, _)| *s > upto_seq)
            .map(|(_, u)| u)
            .collect();
        conn.prepare_cached(
            "UPDATE updates SET count = ?3, data = ?4 WHERE session_id = ?1 AND seq = ?2",
        )?
        .execute(params![
            id,
            seq,
            kept.len() as i64,
            row_data(kept.len(), kept.encoded())
        ])?;
    }
    conn.prepare_cached("UPDATE session_data SET snapshot = ?2 WHERE session_id = ?1")?
        .execute(params![id, snapshot])?;
    Ok(())
}

/// What a log row stores for `count` updates encoded as an [`UpdateBatch`] encodes them: one
/// update as is (as schema 1 stored every update), several in the batch encoding.
fn row_data(count: usize, encoded: &[u8]) -> &[u8] {
    if count == 1 { &encoded[4..] } else { encoded }
}

/// Appends the updates of a row (the last of which has sequence number `seq`) to `out`.
fn decode_row(
    seq: i64,
    count: i64,
    data: Vec<u8>,
    out: &mut Vec<(u64, Vec<u8>)>,
) -> Result<(), OpError> {
    let corrupt = |what: &str| -> OpError {
        StoreError::Backend(format!("log row {seq} is corrupt: {what}")).into()
    };
    let last = seq_from_sql(seq)?;
    let count = u64::try_from(count)
        .ok()
        .filter(|c| (1..=last).contains(c))
        .ok_or_else(|| corrupt("bad update count"))?;
    if count == 1 {
        out.push((last, data));
        return Ok(());
    }
    let entries = Entries::checked(&data).ok_or_else(|| corrupt("truncated"))?;
    if entries.len() as u64 != count {
        return Err(corrupt("wrong number of updates"));
    }
    out.extend((last + 1 - count..=last).zip(entries.into_iter().map(<[u8]>::to_vec)));
    Ok(())
}

fn delete_session(conn: &Connection, id: &str) -> Result<bool, OpError> {
    // Explicitly, not only through ON DELETE CASCADE: removing personal data must not depend
    // on a per-connection pragma.
    conn.prepare_cached("DELETE FROM updates WHERE session_id = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM session_data WHERE session_id = ?1")?
        .execute([id])?;
    let deleted = conn
        .prepare_cached("DELETE FROM sessions WHERE id = ?1")?
        .execute([id])?;
    Ok(deleted > 0)
}

fn expire_before(conn: &Connection, cutoff_ms: i64) -> Result<Vec<String>, OpError> {
    conn.prepare_cached(
        "DELETE FROM updates WHERE session_id IN
            (SELECT id FROM sessions WHERE last_active_ms < ?1)",
    )?
    .execute([cutoff_ms])?;
    conn.prepare_cached(
        "DELETE FROM session_data WHERE session_id IN
            (SELECT id FROM sessions WHERE last_active_ms < ?1)",
    )?
    .execute([cutoff_ms])?;
    let mut stmt =
        conn.prepare_cached("DELETE FROM sessions WHERE last_active_ms < ?1 RETURNING id")?;
    let ids = stmt
        .query_map([cutoff_ms], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(ids)
}

#[cfg(test)]
#[path = "sqlite_tests.rs"]
mod tests;
