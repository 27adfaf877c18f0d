//! The contract every [`Store`] must keep, as checks that take any store.
//!
//! Each check is an async fn over `&dyn Store` and expects a fresh, empty store (expiry looks at
//! every session). [`store_contract_tests!`] turns them into one `#[tokio::test]` per check for
//! a given constructor, so a new implementation (PostgreSQL) runs the same suite with one line.

use std::time::Duration;

use super::memory::now_ms;
use super::{SessionRow, Store, StoreError, UpdateBatch};

/// Generates one test per contract check. `$make` is evaluated once per test and must yield
/// `(store, guard)`; the guard (a temp dir, say) is kept alive until the test ends.
macro_rules! store_contract_tests {
    ($make:expr) => {
        $crate::store::contract::store_contract_tests!(@each $make;
            create_and_duplicate_join_code
            a_new_join_code_replaces_the_old_one
            load_session
            append_assigns_increasing_seqs
            save_state_replaces_meta_and_state
            compact_keeps_later_updates_and_seq_continues
            delete_removes_everything
            expire_removes_only_idle_sessions
        );
    };
    (@each $make:expr; $($check:ident)*) => {
        $(
            #[tokio::test]
            async fn $check() {
                let (store, _guard) = $make;
                $crate::store::contract::$check(&store).await;
            }
        )*
    };
}
pub(crate) use store_contract_tests;

fn row(id: &str, join_code: &str) -> SessionRow {
    SessionRow {
        id: id.to_owned(),
        join_code: join_code.to_owned(),
        created_at_ms: 1_700_000_000_000,
    }
}

fn updates(items: &[&str]) -> UpdateBatch {
    items.iter().map(|s| s.as_bytes()).collect()
}

async fn create(store: &dyn Store, id: &str, join_code: &str) {
    store
        .create_session(row(id, join_code), format!("meta of {id}").into_bytes())
        .await
        .expect("create session");
}

async fn logged(store: &dyn Store, id: &str) -> Vec<(u64, Vec<u8>)> {
    store
        .load_session(id)
        .await
        .expect("load")
        .expect("session exists")
        .updates
}

pub(crate) async fn create_and_duplicate_join_code(store: &dyn Store) {
    create(store, "s1", "ABC123").await;
    let dup = store.create_session(row("s2", "ABC123"), Vec::new()).await;
    assert!(matches!(dup, Err(StoreError::JoinCodeTaken)), "{dup:?}");
    assert!(store.load_session("s2").await.expect("load").is_none());

    assert_eq!(
        store.session_by_join_code("ABC123").await.expect("lookup"),
        Some("s1".to_owned())
    );
    assert_eq!(
        store.session_by_join_code("ZZZ999").await.expect("lookup"),
        None
    );

    // Only a live session holds a code.
    assert!(store.delete_session("s1").await.expect("delete"));
    create(store, "s2", "ABC123").await;
    assert_eq!(
        store.session_by_join_code("ABC123").await.expect("lookup"),
        Some("s2".to_owned())
    );
}

pub(crate) async fn a_new_join_code_replaces_the_old_one(store: &dyn Store) {
    create(store, "s1", "OLD1").await;
    create(store, "s2", "CODE2").await;

    // Another session's code is refused, and nothing changes.
    let taken = store.set_join_code("s1", "CODE2").await;
    assert!(matches!(taken, Err(StoreError::JoinCodeTaken)), "{taken:?}");
    assert_eq!(
        store.session_by_join_code("OLD1").await.expect("lookup"),
        Some("s1".to_owned())
    );

    store.set_join_code("s1", "NEW1").await.expect("rotate");
    // The old code finds nothing, like a code that never existed.
    assert_eq!(
        store.session_by_join_code("OLD1").await.expect("lookup"),
        None
    );
    assert_eq!(
        store.session_by_join_code("NEW1").await.expect("lookup"),
        Some("s1".to_owned())
    );
    let loaded = store
        .load_session("s1")
        .await
        .expect("load")
        .expect("exists");
    assert_eq!(loaded.join_code, "NEW1");
    assert_eq!(loaded.meta, b"meta of s1", "only the code changes");
    // The neighbour keeps its code, and the old one is free for a new session.
    assert_eq!(
        store.session_by_join_code("CODE2").await.expect("lookup"),
        Some("s2".to_owned())
    );
    create(store, "s3", "OLD1").await;

    let missing = store.set_join_code("nope", "NEW9").await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
    assert_eq!(
        store.session_by_join_code("NEW9").await.expect("lookup"),
        None
    );

    // A deleted session's code, rotated or not, finds nothing.
    assert!(store.delete_session("s1").await.expect("delete"));
    assert_eq!(
        store.session_by_join_code("NEW1").await.expect("lookup"),
        None
    );
}

pub(crate) async fn load_session(store: &dyn Store) {
    let before = now_ms();
    create(store, "s1", "CODE1").await;
    let after = now_ms();

    let loaded = store
        .load_session("s1")
        .await
        .expect("load")
        .expect("exists");
    assert_eq!(loaded.id, "s1");
    assert_eq!(loaded.join_code, "CODE1");
    assert_eq!(loaded.created_at_ms, 1_700_000_000_000);
    assert!(
        (before..=after).contains(&loaded.last_active_ms),
        "last_active_ms {} not in {before}..={after}",
        loaded.last_active_ms
    );
    assert_eq!(loaded.meta, b"meta of s1");
    assert!(loaded.state.is_empty());
    assert_eq!(loaded.snapshot, None);
    assert!(loaded.updates.is_empty());

    assert!(store.load_session("nope").await.expect("load").is_none());
}

pub(crate) async fn append_assigns_increasing_seqs(store: &dyn Store) {
    create(store, "s1", "CODE1").await;
    create(store, "s2", "CODE2").await;

    assert_eq!(
        store
            .append_updates("s1", updates(&["a", "b"]))
            .await
            .expect("append"),
        2
    );
    assert_eq!(
        store
            .append_updates("s1", updates(&["c"]))
            .await
            .expect("append"),
        3
    );
    // Numbering is per session.
    assert_eq!(
        store
            .append_updates("s2", updates(&["x"]))
            .await
            .expect("append"),
        1
    );
    // An empty append stores nothing and reports the last number.
    assert_eq!(
        store
            .append_updates("s1", UpdateBatch::new())
            .await
            .expect("append"),
        3
    );

    assert_eq!(
        logged(store, "s1").await,
        vec![(1, b"a".to_vec()), (2, b"b".to_vec()), (3, b"c".to_vec())]
    );
    assert_eq!(logged(store, "s2").await, vec![(1, b"x".to_vec())]);

    let missing = store.append_updates("nope", updates(&["a"])).await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(ref id)) if id == "nope"),
        "{missing:?}"
    );
}

pub(crate) async fn save_state_replaces_meta_and_state(store: &dyn Store) {
    create(store, "s1", "CODE1").await;
    store
        .append_updates("s1", updates(&["a"]))
        .await
        .expect("append");
    store
        .save_state("s1", b"meta v2".to_vec(), b"{\"phase\":2}".to_vec())
        .await
        .expect("save");
    let loaded = store
        .load_session("s1")
        .await
        .expect("load")
        .expect("exists");
    assert_eq!(loaded.meta, b"meta v2");
    assert_eq!(loaded.state, b"{\"phase\":2}");
    // The document is not touched.
    assert_eq!(loaded.updates, vec![(1, b"a".to_vec())]);

    let missing = store.save_state("nope", Vec::new(), Vec::new()).await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
}

pub(crate) async fn compact_keeps_later_updates_and_seq_continues(store: &dyn Store) {
    create(store, "s1", "CODE1").await;
    store
        .append_updates("s1", updates(&["1", "2", "3", "4", "5"]))
        .await
        .expect("append");

    store
        .compact("s1", b"snapshot to 3".to_vec(), 3)
        .await
        .expect("compact");
    let loaded = store
        .load_session("s1")
        .await
        .expect("load")
        .expect("exists");
    assert_eq!(loaded.snapshot.as_deref(), Some(&b"snapshot to 3"[..]));
    assert_eq!(loaded.updates, vec![(4, b"4".to_vec()), (5, b"5".to_vec())]);

    assert_eq!(
        store
            .append_updates("s1", updates(&["6"]))
            .await
            .expect("append"),
        6
    );
    // Compacting everything empties the log; numbering still goes on.
    store
        .compact("s1", b"snapshot to 6".to_vec(), 6)
        .await
        .expect("compact");
    let loaded = store
        .load_session("s1")
        .await
        .expect("load")
        .expect("exists");
    assert_eq!(loaded.snapshot.as_deref(), Some(&b"snapshot to 6"[..]));
    assert!(loaded.updates.is_empty());
    assert_eq!(
        store
            .append_updates("s1", updates(&["7"]))
            .await
            .expect("append"),
        7
    );
    assert_eq!(logged(store, "s1").await, vec![(7, b"7".to_vec())]);

    let missing = store.compact("nope", Vec::new(), 1).await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
}

pub(crate) async fn delete_removes_everything(store: &dyn Store) {
    create(store, "s1", "CODE1").await;
    create(store, "s2", "CODE2").await;
    store
        .append_updates("s1", updates(&["a", "b"]))
        .await
        .expect("append");
    store
        .compact("s1", b"snap".to_vec(), 1)
        .await
        .expect("compact");
    store
        .append_updates("s2", updates(&["x"]))
        .await
        .expect("append");

    assert!(store.delete_session("s1").await.expect("delete"));
    assert!(store.load_session("s1").await.expect("load").is_none());
    assert_eq!(
        store.session_by_join_code("CODE1").await.expect("lookup"),
        None
    );
    let gone = store.append_updates("s1", updates(&["c"])).await;
    assert!(matches!(gone, Err(StoreError::NotFound(_))), "{gone:?}");
    assert!(!store.delete_session("s1").await.expect("delete again"));

    // The neighbour is untouched.
    assert_eq!(logged(store, "s2").await, vec![(1, b"x".to_vec())]);
}

pub(crate) async fn expire_removes_only_idle_sessions(store: &dyn Store) {
    for (id, code) in [
        ("idle", "C1"),
        ("appended", "C2"),
        ("saved", "C3"),
        ("compacted", "C4"),
    ] {
        create(store, id, code).await;
    }
    store
        .append_updates("idle", updates(&["a"]))
        .await
        .expect("append");
    tokio::time::sleep(Duration::from_millis(20)).await;
    let cutoff = now_ms();
    tokio::time::sleep(Duration::from_millis(20)).await;

    // Activity after the cutoff keeps a session alive, whatever kind of write it was.
    store
        .append_updates("appended", updates(&["b"]))
        .await
        .expect("append");
    store
        .save_state("saved", b"m".to_vec(), b"s".to_vec())
        .await
        .expect("save");
    store
        .compact("compacted", b"snap".to_vec(), 0)
        .await
        .expect("compact");
    create(store, "fresh", "C5").await;

    let expired = store.expire_before(cutoff).await.expect("expire");
    assert_eq!(expired, vec!["idle".to_owned()]);
    assert!(store.load_session("idle").await.expect("load").is_none());
    assert_eq!(
        store.session_by_join_code("C1").await.expect("lookup"),
        None
    );
    for id in ["appended", "saved", "compacted", "fresh"] {
        assert!(
            store.load_session(id).await.expect("load").is_some(),
            "{id} expired too early"
        );
    }
    assert!(
        store
            .expire_before(cutoff)
            .await
            .expect("expire")
            .is_empty()
    );
}

mod memory {
    use crate::store::memory::MemoryStore;

    store_contract_tests!((MemoryStore::new(), ()));
}
