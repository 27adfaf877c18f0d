//! Tests of the SQLite store: the shared contract, plus what only a durable, file-backed store
//! has to get right (reopen, group commit, read-only files, secure deletion, failures).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tempfile::TempDir;

use super::{MIGRATIONS, SqliteStore, StoreStats};
use crate::store::{SessionRow, Store, StoreError, UpdateBatch};

fn temp_store() -> (SqliteStore, TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&db_path(&dir)).expect("open store");
    (store, dir)
}

fn db_path(dir: &TempDir) -> PathBuf {
    dir.path().join("werkplaats.db")
}

fn row(id: &str, join_code: &str) -> SessionRow {
    SessionRow {
        id: id.to_owned(),
        join_code: join_code.to_owned(),
        created_at_ms: 1_700_000_000_000,
    }
}

fn backend_message(result: Result<impl std::fmt::Debug, StoreError>) -> String {
    match result {
        Err(StoreError::Backend(msg)) => msg,
        other => panic!("expected a Backend error, got {other:?}"),
    }
}

mod contract {
    use super::temp_store;
    use crate::store::contract::store_contract_tests;

    store_contract_tests!(temp_store());
}

#[tokio::test]
async fn data_survives_drop_and_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = db_path(&dir);

    let store = SqliteStore::open(&path).expect("open");
    store
        .create_session(row("s1", "CODE1"), b"meta".to_vec())
        .await
        .expect("create");
    store
        .append_updates(
            "s1",
            vec![Bytes::from_static(b"u1"), Bytes::from_static(b"u2")].into(),
        )
        .await
        .expect("append");
    store
        .save_state("s1", b"meta2".to_vec(), b"state2".to_vec())
        .await
        .expect("save");
    store.set_join_code("s1", "CODE2").await.expect("rotate");
    // Compact everything, so only `last_seq` remembers where numbering stands.
    store
        .compact("s1", b"snap".to_vec(), 2)
        .await
        .expect("compact");
    let before = store.load_session("s1").await.expect("load");
    // Plain drop, no close: the thread finishes on its own.
    drop(store);

    let store = SqliteStore::open(&path).expect("reopen");
    let after = store.load_session("s1").await.expect("load");
    assert_eq!(after, before);
    let after = after.expect("session survived");
    assert_eq!(after.meta, b"meta2");
    assert_eq!(after.state, b"state2");
    assert_eq!(after.snapshot.as_deref(), Some(&b"snap"[..]));
    assert_eq!(
        store.session_by_join_code("CODE2").await.expect("lookup"),
        Some("s1".to_owned())
    );
    // The code it had before the rotation stays gone.
    assert_eq!(
        store.session_by_join_code("CODE1").await.expect("lookup"),
        None
    );
    // Numbering continues after compaction and reopen.
    assert_eq!(
        store
            .append_updates("s1", vec![Bytes::from_static(b"u3")].into())
            .await
            .expect("append"),
        3
    );
    store.close().await.expect("close");

    // And once more after a clean close.
    let store = SqliteStore::open(&path).expect("reopen");
    let loaded = store
        .load_session("s1")
        .await
        .expect("load")
        .expect("exists");
    assert_eq!(loaded.updates, vec![(3, b"u3".to_vec())]);
    store.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_appends_are_group_committed_in_order() {
    const CALLERS: usize = 200;
    const APPENDS_PER_CALLER: usize = 3;
    const SESSIONS: usize = 4;

    let (store, _dir) = temp_store();
    let store = Arc::new(store);
    for s in 0..SESSIONS {
        store
            .create_session(row(&format!("s{s}"), &format!("C{s}")), Vec::new())
            .await
            .expect("create");
    }
    let start = store.stats();

    let tasks: Vec<_> = (0..CALLERS)
        .map(|caller| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let session = format!("s{}", caller % SESSIONS);
                let mut seqs = Vec::new();
                for step in 0..APPENDS_PER_CALLER {
                    let update = Bytes::from(format!("{caller}:{step}"));
                    let seq = store
                        .append_updates(&session, vec![update].into())
                        .await
                        .expect("append");
                    seqs.push(seq);
                }
                (caller, seqs)
            })
        })
        .collect();
    let mut returned = Vec::new();
    for task in tasks {
        returned.push(task.await.expect("task"));
    }

    let stats = store.stats();
    let appends = (CALLERS * APPENDS_PER_CALLER) as u64;
    let transactions = stats.transactions - start.transactions;
    assert_eq!(stats.writes - start.writes, appends);
    println!(
        "group commit: {appends} appends from {CALLERS} concurrent callers in {transactions} \
         transactions ({:.1} appends per fsync)",
        appends as f64 / transactions as f64
    );
    assert!(
        transactions < appends,
        "no batching: {transactions} transactions for {appends} appends"
    );

    // Every append is stored under the number it was told, and each caller's appends are in
    // the order it made them.
    for s in 0..SESSIONS {
        let log = store
            .load_session(&format!("s{s}"))
            .await
            .expect("load")
            .expect("exists")
            .updates;
        let expected: Vec<u64> = (1..=(CALLERS / SESSIONS * APPENDS_PER_CALLER) as u64).collect();
        let seqs: Vec<u64> = log.iter().map(|(seq, _)| *seq).collect();
        assert_eq!(seqs, expected, "gap or duplicate in s{s}");
        for (caller, caller_seqs) in returned.iter().filter(|(c, _)| c % SESSIONS == s) {
            assert!(
                caller_seqs.windows(2).all(|w| w[0] < w[1]),
                "{caller_seqs:?}"
            );
            for (step, seq) in caller_seqs.iter().enumerate() {
                let (_, data) = &log[usize::try_from(*seq - 1).expect("index")];
                assert_eq!(data, format!("{caller}:{step}").as_bytes());
            }
        }
    }
}

/// A file this process cannot write to. Only root can still write through the permission bits;
/// then the connection is opened read-only instead, which is what SQLite does by itself for a
/// file it can only read.
fn reopen_read_only(path: &Path) -> SqliteStore {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let still_writable = std::fs::OpenOptions::new().write(true).open(path).is_ok();
    if still_writable {
        println!("running with privileges that ignore file modes: opening read-only instead");
        SqliteStore::open_read_only(path).expect("open read-only")
    } else {
        SqliteStore::open(path).expect("open a read-only file")
    }
}

#[tokio::test]
async fn read_only_file_fails_writes_but_serves_reads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = db_path(&dir);
    let store = SqliteStore::open(&path).expect("open");
    store
        .create_session(row("s1", "CODE1"), b"meta".to_vec())
        .await
        .expect("create");
    store
        .append_updates("s1", vec![Bytes::from_static(b"u1")].into())
        .await
        .expect("append");
    store.close().await.expect("close");

    let store = reopen_read_only(&path);
    let loaded = store.load_session("s1").await.expect("read works");
    assert_eq!(loaded.expect("exists").updates, vec![(1, b"u1".to_vec())]);

    let msg = backend_message(
        store
            .append_updates("s1", vec![Bytes::from_static(b"u2")].into())
            .await,
    );
    assert!(msg.contains("readonly"), "{msg}");
    assert!(
        msg.contains("werkplaats.db"),
        "message should name the file: {msg}"
    );
    let msg = backend_message(store.create_session(row("s2", "CODE2"), Vec::new()).await);
    assert!(msg.contains("readonly"), "{msg}");
    backend_message(store.delete_session("s1").await);

    // The thread keeps serving, and nothing changed.
    let loaded = store.load_session("s1").await.expect("read works");
    assert_eq!(
        loaded.expect("still there").updates,
        vec![(1, b"u1".to_vec())]
    );
    assert_eq!(store.stats(), StoreStats::default());
}

#[tokio::test]
async fn full_disk_fails_the_write_without_partial_state() {
    let (store, _dir) = temp_store();
    store
        .create_session(row("s1", "CODE1"), b"meta".to_vec())
        .await
        .expect("create");
    store
        .append_updates("s1", vec![Bytes::from_static(b"small")].into())
        .await
        .expect("append");

    // Cap the file at its current size: SQLite then fails like on a full disk.
    store
        .exec("PRAGMA max_page_count = 1")
        .await
        .expect("cap file");
    let big: Vec<Bytes> = (0..32).map(|i| Bytes::from(vec![i as u8; 8192])).collect();
    let msg = backend_message(store.append_updates("s1", big.clone().into()).await);
    assert!(msg.starts_with("appending to session s1 in "), "{msg}");
    assert!(msg.contains("werkplaats.db"), "{msg}");
    assert!(msg.contains("full"), "{msg}");

    // None of the 32 updates is there, and the store still answers.
    let loaded = store
        .load_session("s1")
        .await
        .expect("load")
        .expect("exists");
    assert_eq!(loaded.updates, vec![(1, b"small".to_vec())]);

    // Room again: the same append works and numbering has no gap.
    store
        .exec("PRAGMA max_page_count = 1000000")
        .await
        .expect("uncap");
    assert_eq!(
        store
            .append_updates("s1", big.into())
            .await
            .expect("append"),
        33
    );
    let loaded = store
        .load_session("s1")
        .await
        .expect("load")
        .expect("exists");
    assert_eq!(loaded.updates.len(), 33);
    assert_eq!(loaded.updates[1].0, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_callers_are_told_matches_what_is_stored_when_the_disk_fills() {
    let (store, _dir) = temp_store();
    let store = Arc::new(store);
    for id in ["s1", "s2"] {
        store
            .create_session(row(id, id), Vec::new())
            .await
            .expect("create");
    }
    // Leave room for a few pages only, so the disk fills in the middle of the burst.
    store
        .exec("PRAGMA max_page_count = 12")
        .await
        .expect("cap file");

    let tasks: Vec<_> = (0..60)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let id = if i % 2 == 0 { "s1" } else { "s2" };
                let mut data = vec![b'.'; 3000];
                data.extend_from_slice(format!("#{i}").as_bytes());
                let result = store
                    .append_updates(id, vec![Bytes::from(data.clone())].into())
                    .await;
                (id, data, result)
            })
        })
        .collect();
    let mut told_ok = Vec::new();
    let mut failed = 0;
    for task in tasks {
        let (id, data, result) = task.await.expect("task");
        match result {
            Ok(seq) => told_ok.push((id, seq, data)),
            Err(StoreError::Backend(msg)) => {
                assert!(msg.contains("full"), "{msg}");
                failed += 1;
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert!(failed > 0, "the cap never bit");
    assert!(!told_ok.is_empty(), "nothing fit at all");

    for id in ["s1", "s2"] {
        let stored = store
            .load_session(id)
            .await
            .expect("load")
            .expect("exists")
            .updates;
        let mut promised: Vec<(u64, Vec<u8>)> = told_ok
            .iter()
            .filter(|(owner, _, _)| *owner == id)
            .map(|(_, seq, data)| (*seq, data.clone()))
            .collect();
        promised.sort();
        assert_eq!(
            stored, promised,
            "{id}: stored log differs from the replies"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_failing_write_does_not_fail_its_batch() {
    let (store, _dir) = temp_store();
    let store = Arc::new(store);
    store
        .create_session(row("s1", "CODE1"), Vec::new())
        .await
        .expect("create");

    // Interleave good appends with ones to a missing session; they share transactions.
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let id = if i % 2 == 0 { "s1" } else { "missing" };
                store
                    .append_updates(id, vec![Bytes::from(format!("{i}"))].into())
                    .await
            })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        let result = task.await.expect("task");
        if i % 2 == 0 {
            result.expect("good append");
        } else {
            assert!(matches!(result, Err(StoreError::NotFound(_))), "{result:?}");
        }
    }
    let loaded = store
        .load_session("s1")
        .await
        .expect("load")
        .expect("exists");
    assert_eq!(loaded.updates.len(), 50);
}

const MARKER: &str = "WERKPLAATS-PERSONAL-DATA-MARKER-7f3a9c1e";

fn file_contains(path: &Path, needle: &[u8]) -> bool {
    match std::fs::read(path) {
        Ok(bytes) => bytes.windows(needle.len()).any(|w| w == needle),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => panic!("reading {}: {e}", path.display()),
    }
}

fn files_contain(db: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    let mut shm = db.as_os_str().to_owned();
    shm.push("-shm");
    [db.to_owned(), PathBuf::from(wal), PathBuf::from(shm)]
        .into_iter()
        .filter(|p| file_contains(p, needle))
        .collect()
}

/// Writes the marker into every place a session keeps data.
async fn fill_with_marker(store: &SqliteStore, id: &str, code: &str, marker: &str) {
    let text = |what: &str| format!("{what} {marker}").into_bytes();
    store
        .create_session(row(id, code), text("meta"))
        .await
        .expect("create");
    // Large enough to spill into overflow pages, plus small in-page ones.
    let mut large = marker.repeat(500).into_bytes();
    large.extend_from_slice(b" end");
    let log = vec![
        Bytes::from(text("update 1")),
        Bytes::from(large),
        Bytes::from(text("update 3")),
    ];
    store.append_updates(id, log.into()).await.expect("append");
    store
        .save_state(id, text("meta v2"), text("state"))
        .await
        .expect("save");
    store
        .compact(id, text("snapshot"), 1)
        .await
        .expect("compact");
    store
        .append_updates(id, vec![Bytes::from(text("update 4"))].into())
        .await
        .expect("append");
}

#[tokio::test]
async fn deleted_session_data_is_gone_from_the_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = db_path(&dir);
    let store = SqliteStore::open(&path).expect("open");

    // A neighbour whose data must stay, around the victim's.
    store
        .create_session(row("keep", "KEEP"), b"keep meta".to_vec())
        .await
        .expect("create");
    fill_with_marker(&store, "victim", "VICTIM", MARKER).await;
    let expired_marker = MARKER.replace("MARKER", "EXPIRED");
    fill_with_marker(&store, "idle", "IDLE", &expired_marker).await;
    store
        .append_updates("keep", vec![Bytes::from_static(b"keep update")].into())
        .await
        .expect("append");

    // Otherwise the test would prove nothing.
    assert!(!files_contain(&path, MARKER.as_bytes()).is_empty());
    assert!(!files_contain(&path, expired_marker.as_bytes()).is_empty());

    assert!(store.delete_session("victim").await.expect("delete"));
    // Gone as soon as delete returned, while the store is still open.
    assert_eq!(
        files_contain(&path, MARKER.as_bytes()),
        Vec::<PathBuf>::new()
    );

    // Expiry is a deletion too. "keep" was active after "idle"'s last write.
    tokio::time::sleep(Duration::from_millis(5)).await;
    store
        .append_updates("keep", vec![Bytes::from_static(b"keep 2")].into())
        .await
        .expect("append");
    let cutoff = store
        .load_session("keep")
        .await
        .expect("load")
        .expect("exists")
        .last_active_ms;
    assert_eq!(
        store.expire_before(cutoff).await.expect("expire"),
        vec!["idle".to_owned()]
    );
    assert_eq!(
        files_contain(&path, expired_marker.as_bytes()),
        Vec::<PathBuf>::new()
    );

    store.close().await.expect("close");
    assert_eq!(
        files_contain(&path, MARKER.as_bytes()),
        Vec::<PathBuf>::new()
    );
    assert_eq!(
        files_contain(&path, expired_marker.as_bytes()),
        Vec::<PathBuf>::new()
    );
    // The neighbour is intact.
    let store = SqliteStore::open(&path).expect("reopen");
    let keep = store
        .load_session("keep")
        .await
        .expect("load")
        .expect("kept");
    assert_eq!(keep.meta, b"keep meta");
    assert_eq!(keep.updates.len(), 2);
    store.close().await.expect("close");
}

fn open_error(path: &Path) -> String {
    match SqliteStore::open(path) {
        Ok(_) => panic!("opening {} should fail", path.display()),
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains(&path.display().to_string()),
                "message should name the path: {msg}"
            );
            msg
        }
    }
}

#[test]
fn open_fails_with_a_message_naming_the_path() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");

    let msg = open_error(&dir.path().join("missing").join("sub").join("werkplaats.db"));
    assert!(msg.contains("unable to open"), "{msg}");

    // A parent that is a file: no directory can be created there, whatever the privileges.
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"not a directory").expect("write");
    let msg = open_error(&file.join("werkplaats.db"));
    assert!(msg.contains("unable to open"), "{msg}");

    // A directory without write permission; root ignores the mode, so only check when the
    // permission actually holds.
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).expect("mkdir");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    if std::fs::write(locked.join("probe"), b"").is_err() {
        let msg = open_error(&locked.join("werkplaats.db"));
        assert!(msg.contains("unable to open"), "{msg}");
    } else {
        println!("running with privileges that ignore directory modes: skipping that case");
    }

    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, vec![b'x'; 8192]).expect("write");
    let msg = open_error(&garbage);
    assert!(msg.contains("not a database"), "{msg}");

    let newer = dir.path().join("newer.db");
    rusqlite::Connection::open(&newer)
        .and_then(|c| c.execute_batch("PRAGMA user_version = 99"))
        .expect("prepare newer file");
    let msg = open_error(&newer);
    assert!(msg.contains("newer"), "{msg}");
}

#[tokio::test]
async fn callers_get_an_error_not_a_hang_when_the_thread_dies() {
    let (store, _dir) = temp_store();
    store
        .create_session(row("s1", "CODE1"), Vec::new())
        .await
        .expect("create");

    store.crash().await;
    let result = tokio::time::timeout(
        Duration::from_secs(5),
        store.append_updates("s1", vec![Bytes::from_static(b"u")].into()),
    )
    .await
    .expect("no hang");
    assert_eq!(backend_message(result), "store thread stopped");
    let result = tokio::time::timeout(Duration::from_secs(5), store.load_session("s1"))
        .await
        .expect("no hang");
    assert_eq!(backend_message(result), "store thread stopped");
}

/// Rows of the log table, read with a second connection.
fn log_rows(path: &Path) -> Vec<(i64, i64)> {
    let conn = rusqlite::Connection::open(path).expect("open");
    let mut stmt = conn
        .prepare("SELECT seq, count FROM updates ORDER BY session_id, seq")
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn numbered(prefix: &str, n: usize) -> Vec<Bytes> {
    (0..n)
        .map(|i| Bytes::from(format!("{prefix}{i}")))
        .collect()
}

#[tokio::test]
async fn an_append_is_one_row_and_reads_back_update_by_update() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = db_path(&dir);
    let store = SqliteStore::open(&path).expect("open");
    store
        .create_session(row("s1", "CODE1"), Vec::new())
        .await
        .expect("create");
    assert_eq!(
        store
            .append_updates("s1", numbered("a", 5).into())
            .await
            .unwrap(),
        5
    );
    assert_eq!(
        store
            .append_updates("s1", numbered("b", 1).into())
            .await
            .unwrap(),
        6
    );
    assert_eq!(
        store
            .append_updates("s1", UpdateBatch::new())
            .await
            .unwrap(),
        6
    );
    assert_eq!(log_rows(&path), vec![(5, 5), (6, 1)]);
    let loaded = store.load_session("s1").await.unwrap().unwrap();
    let expected: Vec<(u64, Vec<u8>)> = numbered("a", 5)
        .into_iter()
        .chain(numbered("b", 1))
        .enumerate()
        .map(|(i, u)| (i as u64 + 1, u.to_vec()))
        .collect();
    assert_eq!(loaded.updates, expected);

    // A snapshot up to the middle of the first row keeps that row's tail.
    store.compact("s1", b"snap".to_vec(), 3).await.unwrap();
    assert_eq!(log_rows(&path), vec![(5, 2), (6, 1)]);
    let loaded = store.load_session("s1").await.unwrap().unwrap();
    assert_eq!(loaded.updates, expected[3..]);
    assert_eq!(
        store
            .append_updates("s1", numbered("c", 2).into())
            .await
            .unwrap(),
        8
    );
    store.close().await.unwrap();
}

#[tokio::test]
async fn a_large_append_is_split_over_rows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = db_path(&dir);
    let store = SqliteStore::open(&path).expect("open");
    store
        .create_session(row("s1", "CODE1"), Vec::new())
        .await
        .expect("create");
    let big: Vec<Bytes> = (0..3u8)
        .map(|i| Bytes::from(vec![i; super::MAX_ROW_BYTES * 3 / 5]))
        .collect();
    let mut updates = numbered("small", 2);
    updates.extend(big.iter().cloned());
    assert_eq!(
        store
            .append_updates("s1", updates.clone().into())
            .await
            .unwrap(),
        5
    );
    // Two small ones share a row with the first big one; each other big one has its own.
    assert_eq!(log_rows(&path), vec![(3, 3), (4, 1), (5, 1)]);
    let loaded = store.load_session("s1").await.unwrap().unwrap();
    let data: Vec<Vec<u8>> = loaded.updates.into_iter().map(|(_, u)| u).collect();
    let expected: Vec<Vec<u8>> = updates.iter().map(|u| u.to_vec()).collect();
    assert!(data == expected);
}

#[tokio::test]
async fn a_file_of_schema_version_1_is_migrated_and_keeps_its_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = db_path(&dir);
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(MIGRATIONS[0]).expect("schema 1");
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO sessions (id, join_code, created_at_ms, last_active_ms, last_seq,
                                   meta, state, snapshot)
             VALUES ('s1', 'CODE1', 1, 1, 2, x'7b7d', x'', NULL);
             INSERT INTO updates (session_id, seq, data) VALUES ('s1', 1, x'01'), ('s1', 2, x'02');",
        )
        .expect("old rows");
    }
    let store = SqliteStore::open(&path).expect("open and migrate");
    let loaded = store.load_session("s1").await.unwrap().unwrap();
    assert_eq!(loaded.updates, vec![(1, vec![1]), (2, vec![2])]);
    assert_eq!(loaded.meta, b"{}");
    assert_eq!(loaded.join_code, "CODE1");
    assert_eq!(
        store
            .append_updates("s1", numbered("n", 2).into())
            .await
            .unwrap(),
        4
    );
    assert_eq!(log_rows(&path), vec![(1, 1), (2, 1), (4, 2)]);
    // Schema 4: the log is one b-tree, without a separate index of its key.
    let conn = rusqlite::Connection::open(&path).expect("open");
    let indexes: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'updates'",
            [],
            |r| r.get(0),
        )
        .expect("count indexes");
    assert_eq!(indexes, 0);
    let without_rowid: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'updates' AND sql LIKE '%WITHOUT ROWID%'",
            [],
            |r| r.get(0),
        )
        .expect("read the schema");
    assert_eq!(without_rowid, 1);
}

#[tokio::test]
async fn a_corrupt_log_row_fails_the_load_instead_of_panicking() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = db_path(&dir);
    let store = SqliteStore::open(&path).expect("open");
    store
        .create_session(row("s1", "CODE1"), Vec::new())
        .await
        .expect("create");
    store
        .append_updates("s1", numbered("a", 3).into())
        .await
        .unwrap();
    store
        .exec("UPDATE updates SET data = substr(data, 1, 6)")
        .await
        .unwrap();
    let msg = backend_message(store.load_session("s1").await);
    assert!(msg.contains("corrupt"), "{msg}");
    store.exec("UPDATE updates SET count = 99").await.unwrap();
    let msg = backend_message(store.load_session("s1").await);
    assert!(msg.contains("corrupt"), "{msg}");
}

/// A write that fails after it changed part of what it writes (here a compaction that meets a
/// corrupt log row after it deleted the rows before it) leaves nothing of itself behind, and
/// the other writes of its transaction still succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_failing_halfway_leaves_nothing_and_fails_alone() {
    let (store, dir) = temp_store();
    let store = Arc::new(store);
    for id in ["s1", "s2"] {
        store.create_session(row(id, id), Vec::new()).await.unwrap();
    }
    for batch in [numbered("a", 1), numbered("b", 3)] {
        store.append_updates("s1", batch.into()).await.unwrap();
    }
    // The second row (updates 2..=4) straddles a compaction up to 2; cut it short.
    store
        .exec("UPDATE updates SET data = substr(data, 1, 6) WHERE seq = 4")
        .await
        .unwrap();

    // Queue the compaction among appends of another session while the store thread is held,
    // so that all of them are taken into one transaction.
    let release = store.pause().await;
    let append = |i: usize| {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            store
                .append_updates("s2", vec![Bytes::from(format!("{i}"))].into())
                .await
        })
    };
    let mut appends: Vec<_> = (0..20).map(append).collect();
    let compaction = {
        let store = Arc::clone(&store);
        tokio::spawn(async move { store.compact("s1", b"snapshot".to_vec(), 2).await })
    };
    while store.queued() < 21 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    appends.extend((20..40).map(append));
    while store.queued() < 41 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    drop(release);

    let msg = backend_message(compaction.await.expect("task"));
    assert!(msg.starts_with("log row 4 is corrupt"), "{msg}");
    for append in appends {
        append.await.expect("task").expect("append to s2");
    }

    // s1 is as it was: both rows (the first one was deleted, then rolled back), no snapshot.
    let conn = rusqlite::Connection::open(db_path(&dir)).expect("open");
    let rows: Vec<(String, i64, i64)> = conn
        .prepare("SELECT session_id, seq, count FROM updates WHERE session_id = 's1'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows, [("s1".into(), 1, 1), ("s1".into(), 4, 3)]);
    let snapshot: Option<Vec<u8>> = conn
        .query_row(
            "SELECT snapshot FROM session_data WHERE session_id = 's1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(snapshot, None);
    let s2 = store.load_session("s2").await.unwrap().unwrap();
    assert_eq!(s2.updates.len(), 40);
}

#[test]
fn each_durability_sets_its_synchronous_level() {
    use super::{Durability, configure};
    for (durability, level) in [(Durability::Normal, 1), (Durability::Full, 2)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let conn = rusqlite::Connection::open(db_path(&dir)).expect("open");
        configure(&conn, durability).expect("configure");
        let synchronous: i64 = conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .expect("read the pragma");
        assert_eq!(synchronous, level, "{durability:?}");
    }
}

/// Under `normal`, commits reach the disk within about a second, from the sync thread; under
/// `full` every commit is fsynced by SQLite itself and there is no sync thread.
#[tokio::test]
async fn normal_durability_fsyncs_the_wal_after_commits_and_full_needs_no_sync_thread() {
    use super::{Durability, WAL_SYNC_INTERVAL};
    for durability in [Durability::Normal, Durability::Full] {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open_durable(&db_path(&dir), durability).expect("open");
        store
            .create_session(row("s1", "CODE1"), b"meta".to_vec())
            .await
            .expect("create");
        store
            .append_updates("s1", vec![Bytes::from_static(b"u1")].into())
            .await
            .expect("append");
        tokio::time::sleep(WAL_SYNC_INTERVAL * 3).await;
        let syncs = store.stats().wal_syncs;
        match durability {
            Durability::Normal => assert!(syncs >= 1, "no WAL sync after the commits"),
            Durability::Full => assert_eq!(syncs, 0),
        }
        // Idle: nothing new to sync.
        if durability == Durability::Normal {
            tokio::time::sleep(WAL_SYNC_INTERVAL * 2).await;
            let idle = store.stats().wal_syncs;
            tokio::time::sleep(WAL_SYNC_INTERVAL * 2).await;
            assert_eq!(store.stats().wal_syncs, idle, "synced without commits");
        }
        store.close().await.expect("close");
    }
}
