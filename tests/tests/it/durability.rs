//! Durability through the real `werkplaats` binary (see `werkplaats_tests::process`): restarts
//! after SIGTERM and SIGKILL, a crash test with random kill points, store failures (read-only
//! file, full disk), start-up failures, retention and deletion down to the bytes of the file.
//!
//! The crash test prints its seed; replay a run with `WERKPLAATS_CRASH_SEED=<seed>`.
//!
//! What a restart must keep is captured as an [`Observed`]: the document as a fresh client
//! receives it, who every token is, and the stored metadata. When the workshop engine stores
//! its state (phase, clock, board), add what clients can see of it there and to the edit
//! script of [`a_restart_keeps_every_field`], and every restart test checks it too.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use werkplaats_protocol::close;
use werkplaats_protocol::control::{Command, Event, Role};
use werkplaats_server::Config;
use werkplaats_server::store::sqlite::SqliteStore;
use werkplaats_server::store::{Store, now_ms};
use werkplaats_tests::process::run_to_exit;
use werkplaats_tests::{Launch, ServerProcess, TestServer, YClient, eventually};
use yrs::types::ToJson;
use yrs::{
    Any, Array, ArrayPrelim, Doc, GetString, Map, MapPrelim, Text, Transact, XmlElementPrelim,
    XmlFragment, XmlTextPrelim,
};

const DB_FILE: &str = "werkplaats.sqlite3";
const WAIT: Duration = Duration::from_secs(10);
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

fn db_file(data: &Path) -> PathBuf {
    data.join(DB_FILE)
}

fn data_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

async fn connect(server: &ServerProcess, session: &str, token: &str) -> YClient {
    connect_with(server, session, token, Doc::new()).await
}

async fn connect_with(server: &ServerProcess, session: &str, token: &str, doc: Doc) -> YClient {
    let client = YClient::connect_with_doc(&server.ws_url(session, token), doc)
        .await
        .expect("websocket connects");
    assert!(
        client.wait_synced().await,
        "no sync: {:?}\n{}",
        client.closed(),
        server.log()
    );
    client
}

/// The update in which the server creates the workshop's containers when a session first loads.
const STRUCTURE_ENTRIES: i64 = 1;

/// Who the server says a token belongs to.
#[derive(Debug, Clone, PartialEq)]
struct Identity {
    role: Role,
    participant_id: String,
    name: String,
}

async fn identity(server: &ServerProcess, session: &str, token: &str) -> Identity {
    let client = connect(server, session, token).await;
    client.control(Some(1), Command::Hello { version: 1 }).await;
    assert!(eventually(WAIT, || !client.events().is_empty()).await);
    let identity = match &client.events()[0].event {
        Event::Welcome {
            role,
            participant_id,
            name,
            session_id,
            ..
        } => {
            assert_eq!(session_id, session);
            Identity {
                role: *role,
                participant_id: participant_id.clone(),
                name: name.clone(),
            }
        }
        other => panic!("expected welcome, got {other:?}"),
    };
    client.disconnect().await;
    identity
}

fn any_json(any: Any) -> Value {
    let mut out = String::new();
    any.to_json(&mut out);
    serde_json::from_str(&out).expect("yrs writes valid JSON")
}

/// Every root of the restart test's document, as JSON.
fn document(doc: &Doc) -> Value {
    let notes = doc.get_or_insert_text("scratch");
    let log = doc.get_or_insert_text("log");
    let postits = doc.get_or_insert_map("postits");
    let agenda = doc.get_or_insert_array("agenda");
    let summary = doc.get_or_insert_xml_fragment("summary");
    let txn = doc.transact();
    json!({
        "notes": notes.get_string(&txn),
        "log": log.get_string(&txn),
        "postits": any_json(postits.to_json(&txn)),
        "agenda": any_json(agenda.to_json(&txn)),
        "summary": summary.get_string(&txn),
    })
}

/// What the stored row of a session holds, read straight from the file (read-only).
#[derive(Debug)]
struct Stored {
    meta: Value,
    state: Vec<u8>,
    has_snapshot: bool,
    log_entries: i64,
}

fn stored(data: &Path, session: &str) -> Option<Stored> {
    let conn = rusqlite::Connection::open_with_flags(
        db_file(data),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the store file");
    let row = conn.query_row(
        "SELECT meta, state, snapshot IS NOT NULL FROM session_data WHERE session_id = ?1",
        [session],
        |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, bool>(2)?,
            ))
        },
    );
    let (meta, state, has_snapshot) = match row {
        Ok(row) => row,
        Err(rusqlite::Error::QueryReturnedNoRows) => return None,
        Err(e) => panic!("reading the store: {e}"),
    };
    let log_entries = conn
        .query_row(
            // A log row holds `count` updates.
            "SELECT coalesce(sum(count), 0) FROM updates WHERE session_id = ?1",
            [session],
            |r| r.get(0),
        )
        .expect("count log entries");
    Some(Stored {
        meta: serde_json::from_slice(&meta).expect("metadata is JSON"),
        state,
        has_snapshot,
        log_entries,
    })
}

/// What a restart must keep, as clients and the file see it.
#[derive(Debug, PartialEq)]
struct Observed {
    /// The document a fresh client receives.
    document: Value,
    /// Who each token is, in the order given.
    identities: Vec<Identity>,
}

impl Observed {
    async fn capture(server: &ServerProcess, session: &str, tokens: &[&str]) -> Self {
        let fresh = connect(server, session, tokens[0]).await;
        let document = document(&fresh.doc);
        fresh.disconnect().await;
        let mut identities = Vec::new();
        for token in tokens {
            identities.push(identity(server, session, token).await);
        }
        Observed {
            document,
            identities,
        }
    }
}

/// Waits until every client holds the same state.
async fn settle(clients: &[&YClient]) {
    let converged = eventually(WAIT, || {
        let first = clients[0].state_vector();
        clients.iter().all(|c| c.state_vector() == first)
    })
    .await;
    assert!(converged, "clients did not converge");
}

#[derive(Clone, Copy, Debug)]
enum Stop {
    Term,
    Kill,
}

async fn stop(server: ServerProcess, how: Stop) {
    match how {
        Stop::Term => {
            let status = server.stop().await;
            assert!(status.success(), "graceful stop failed: {status:?}");
        }
        Stop::Kill => {
            server.kill().await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_after_sigterm_keeps_every_field() {
    a_restart_keeps_every_field(Stop::Term).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_after_sigkill_keeps_every_field() {
    a_restart_keeps_every_field(Stop::Kill).await;
}

/// More log entries than the session's compaction threshold (500), then a few more once the
/// snapshot is stored, so the restored document is a snapshot plus a log tail (after SIGKILL)
/// or one final snapshot (after SIGTERM).
const LOG_EDITS: usize = 620;
const TAIL_EDITS: usize = 30;

async fn a_restart_keeps_every_field(how: Stop) {
    let data = data_dir();
    let server = ServerProcess::start(data.path()).await;
    let session = server.create_session("Retro Q3 — zaal 2").await;
    let ans = server.join(&session.join_code, "Ans").await;
    let bram = server.join(&session.join_code, "Bram").await;

    let fac = connect(&server, &session.id, &session.facilitator_token).await;
    let a = connect(&server, &session.id, &ans.participant_token).await;
    let b = connect(&server, &session.id, &bram.participant_token).await;
    let all = [&fac, &a, &b];

    // One step at a time, each seen by all before the next: the result is deterministic.
    fac.edit_text("scratch", |t, txn| {
        t.insert(txn, 0, "Doel: betere vergaderingen.")
    })
    .await;
    settle(&all).await;
    a.edit_text("scratch", |t, txn| {
        let end = t.len(txn);
        t.insert(txn, end, " Idee van Ans.");
    })
    .await;
    settle(&all).await;
    b.edit_text("scratch", |t, txn| t.insert(txn, 0, "[B] "))
        .await;
    settle(&all).await;
    fac.edit_text("scratch", |t, txn| t.remove_range(txn, 0, 4))
        .await;
    settle(&all).await;

    let postit = |text: &str, author: &str, color: &str| {
        MapPrelim::from([
            ("text", yrs::In::from(text)),
            ("author", yrs::In::from(author)),
            ("color", yrs::In::from(color)),
            ("votes", yrs::In::from(ArrayPrelim::default())),
        ])
    };
    for (client, key, text, author, color) in [
        (&a, "p1", "Meer pauzes", &ans.participant_id, "geel"),
        (&b, "p2", "Kortere rondes", &bram.participant_id, "blauw"),
        (&b, "p3", "Weggooien", &bram.participant_id, "rood"),
    ] {
        let postits = client.doc.get_or_insert_map("postits");
        client
            .edit(|txn| {
                postits.insert(txn, key, postit(text, author, color));
            })
            .await;
        settle(&all).await;
    }
    let postits = b.doc.get_or_insert_map("postits");
    b.edit(|txn| {
        postits.remove(txn, "p3");
    })
    .await;
    settle(&all).await;
    for (client, key, voter) in [
        (&fac, "p1", &session.facilitator_participant_id),
        (&b, "p1", &bram.participant_id),
        (&a, "p2", &ans.participant_id),
    ] {
        let postits = client.doc.get_or_insert_map("postits");
        client
            .edit(|txn| {
                let Some(yrs::Out::YMap(postit)) = postits.get(txn, key) else {
                    panic!("post-it {key} missing");
                };
                let Some(yrs::Out::YArray(votes)) = postit.get(txn, "votes") else {
                    panic!("votes of {key} missing");
                };
                votes.push_back(txn, voter.as_str());
            })
            .await;
        settle(&all).await;
    }

    let agenda = fac.doc.get_or_insert_array("agenda");
    fac.edit(|txn| {
        for item in ["Opening", "Ronde 1", "Ronde 2", "Afsluiting"] {
            agenda.push_back(txn, item);
        }
    })
    .await;
    fac.edit(|txn| agenda.remove(txn, 2)).await;
    fac.edit(|txn| {
        agenda.insert(txn, 1, "Kennismaking");
    })
    .await;
    let summary = fac.doc.get_or_insert_xml_fragment("summary");
    fac.edit(|txn| {
        summary.push_back(
            txn,
            XmlElementPrelim::new("p", [XmlTextPrelim::new("Samenvatting volgt").into()]),
        );
    })
    .await;
    settle(&all).await;

    // Many small updates, one log entry each; then a tail after the snapshot.
    let type_digits = |range: std::ops::Range<usize>| {
        let a = &a;
        async move {
            for i in range {
                let digit = char::from(b'0' + (i % 10) as u8).to_string();
                a.edit_text("log", |t, txn| {
                    let end = t.len(txn);
                    t.insert(txn, end, &digit);
                })
                .await;
            }
        }
    };
    type_digits(0..LOG_EDITS).await;
    settle(&all).await;
    assert!(
        eventually(WAIT, || stored(data.path(), &session.id)
            .is_some_and(|s| s.has_snapshot))
        .await,
        "{LOG_EDITS} updates should have been compacted"
    );
    type_digits(LOG_EDITS..LOG_EDITS + TAIL_EDITS).await;
    settle(&all).await;

    let expected_log: String = (0..LOG_EDITS + TAIL_EDITS)
        .map(|i| char::from(b'0' + (i % 10) as u8))
        .collect();
    let expected = json!({
        "notes": "Doel: betere vergaderingen. Idee van Ans.",
        "log": expected_log,
        "postits": {
            "p1": {
                "text": "Meer pauzes", "author": ans.participant_id, "color": "geel",
                "votes": [session.facilitator_participant_id, bram.participant_id],
            },
            "p2": {
                "text": "Kortere rondes", "author": bram.participant_id, "color": "blauw",
                "votes": [ans.participant_id],
            },
        },
        "agenda": ["Opening", "Kennismaking", "Ronde 1", "Afsluiting"],
        "summary": "<p>Samenvatting volgt</p>",
    });
    let tokens = [
        session.facilitator_token.as_str(),
        session.display_token.as_str(),
        ans.participant_token.as_str(),
        bram.participant_token.as_str(),
    ];
    let before = Observed::capture(&server, &session.id, &tokens).await;
    assert_eq!(before.document, expected, "the script did what it says");
    assert_eq!(
        before.identities,
        vec![
            Identity {
                role: Role::Facilitator,
                participant_id: session.facilitator_participant_id.clone(),
                name: "Begeleider".into(),
            },
            Identity {
                role: Role::Display,
                participant_id: before.identities[1].participant_id.clone(),
                name: "Scherm".into(),
            },
            Identity {
                role: Role::Participant,
                participant_id: ans.participant_id.clone(),
                name: "Ans".into(),
            },
            Identity {
                role: Role::Participant,
                participant_id: bram.participant_id.clone(),
                name: "Bram".into(),
            },
        ]
    );

    stop(server, how).await;
    for client in all {
        assert!(client.wait_closed().await.is_some());
    }
    let stored_before = stored(data.path(), &session.id).expect("session stored");
    assert_eq!(stored_before.meta["title"], "Retro Q3 — zaal 2");
    assert_eq!(
        stored_before.meta["credentials"].as_array().unwrap().len(),
        4
    );
    assert!(stored_before.has_snapshot);
    match how {
        // The final compaction at shutdown leaves nothing to replay.
        Stop::Term => assert_eq!(stored_before.log_entries, 0),
        // A snapshot plus the tail after it: both restore paths at once.
        Stop::Kill => assert!(
            (TAIL_EDITS as i64..LOG_EDITS as i64).contains(&stored_before.log_entries),
            "log entries after the snapshot: {}",
            stored_before.log_entries
        ),
    }
    // Tokens are stored as hashes only.
    let file = std::fs::read(db_file(data.path())).unwrap();
    for token in tokens {
        assert!(
            !contains(&file, token.as_bytes()),
            "a clear token is stored"
        );
    }

    let server = ServerProcess::start(data.path()).await;
    let after = Observed::capture(&server, &session.id, &tokens).await;
    assert_eq!(after, before);

    // Reconnecting clients get only what they miss, and nothing doubles.
    let fresh = connect(&server, &session.id, &session.display_token).await;
    let full = fresh.step2_sizes()[0];
    let mut again = Vec::new();
    for (client, token) in [
        (fac, &session.facilitator_token),
        (a, &ans.participant_token),
        (b, &bram.participant_token),
    ] {
        let doc = client.disconnect().await;
        let client = connect_with(&server, &session.id, token, doc).await;
        let caught_up = client.step2_sizes()[0];
        assert!(
            caught_up * 20 < full,
            "a reconnect received {caught_up} bytes, a fresh client {full}"
        );
        again.push(client);
    }
    settle(&[&again[0], &again[1], &again[2], &fresh]).await;
    for client in again.iter().chain([&fresh]) {
        assert_eq!(document(&client.doc), expected);
    }
    // The join code still works and new participants are stored as before.
    let cor = server.join(&session.join_code, "Cor").await;
    assert_eq!(cor.session_id, session.id);
    assert_eq!(
        identity(&server, &session.id, &cor.participant_token)
            .await
            .name,
        "Cor"
    );
    let unknown = YClient::connect(&server.ws_url(&session.id, "not-a-token"))
        .await
        .unwrap();
    assert_eq!(
        unknown.wait_closed().await.map(|c| c.code),
        Some(close::UNAUTHORIZED)
    );

    server.stop().await;
    let stored_after = stored(data.path(), &session.id).expect("session stored");
    assert_eq!(stored_after.state, stored_before.state);
    let mut meta = stored_after.meta.clone();
    let credentials = meta["credentials"].as_array_mut().unwrap();
    assert_eq!(credentials.pop().unwrap()["name"], "Cor");
    assert_eq!(meta, stored_before.meta);
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------
// Crash test

const WRITERS: usize = 4;
/// Kill points per run; `WERKPLAATS_CRASH_ROUNDS` overrides it for a longer soak by hand. A
/// SIGKILL loses only what the server had not yet handed to SQLite (the page cache survives),
/// so a server that broadcast before storing is caught in a few rounds, not every one: with
/// delivery moved before the append, runs of this test failed in about a third of the cases.
const ROUNDS: usize = 8;

/// One writer's own array holds `w{j}-0, w{j}-1, ...` in order; in the same transaction it sets
/// `latest[w{j}]` to the index, and now and then it inserts a `[j:n]` token into a shared text
/// between two tokens (so tokens stay whole under concurrent inserts).
struct Writer {
    index: usize,
    token: String,
    /// Items written so far (the next index).
    written: usize,
}

fn item(writer: usize, n: usize) -> String {
    format!("w{writer}-{n}")
}

fn writer_key(writer: usize) -> String {
    format!("w{writer}")
}

/// What one replica holds of writer `j`'s work.
#[derive(Debug, Default, Clone, PartialEq)]
struct Holds {
    items: Vec<String>,
    latest: Option<i64>,
    tokens: BTreeSet<String>,
}

fn holds(doc: &Doc, writer: usize) -> Holds {
    let array = doc.get_or_insert_array(writer_key(writer).as_str());
    let latest = doc.get_or_insert_map("latest");
    let text = doc.get_or_insert_text("shared");
    let txn = doc.transact();
    let items = array
        .iter(&txn)
        .map(|v| v.to_string(&txn))
        .collect::<Vec<_>>();
    let latest = match latest.get(&txn, &writer_key(writer)) {
        Some(yrs::Out::Any(Any::Number(n))) => Some(n.as_i64().expect("an integer")),
        None => None,
        Some(other) => panic!("unexpected latest value {other:?}"),
    };
    let prefix = format!("[{writer}:");
    let tokens = all_tokens(&text.get_string(&txn))
        .into_iter()
        .filter(|t| t.starts_with(&prefix))
        .collect();
    Holds {
        items,
        latest,
        tokens,
    }
}

/// The `[j:n]` tokens of the shared text, in order (duplicates kept).
fn all_tokens(text: &str) -> Vec<String> {
    text.split_inclusive(']').map(str::to_owned).collect()
}

/// One edit of writer `j`: item `n`, `latest`, and sometimes a token.
async fn write_one(client: &YClient, writer: usize, n: usize, rng: &mut StdRng) {
    let array = client.doc.get_or_insert_array(writer_key(writer).as_str());
    let latest = client.doc.get_or_insert_map("latest");
    let text = client.doc.get_or_insert_text("shared");
    let with_token = rng.random_bool(0.3);
    let pick = rng.random::<u64>();
    client
        .edit(|txn| {
            array.push_back(txn, item(writer, n));
            latest.insert(txn, writer_key(writer), n as i64);
            if with_token {
                let current = text.get_string(txn);
                // Offsets between tokens, in UTF-16 units (all ASCII here).
                let mut bounds = vec![0u32];
                let mut at = 0u32;
                for token in all_tokens(&current) {
                    at += token.len() as u32;
                    bounds.push(at);
                }
                let at = bounds[(pick % bounds.len() as u64) as usize];
                text.insert(txn, at, &format!("[{writer}:{n}]"));
            }
        })
        .await;
}

/// The default, `--sqlite-sync normal`: delivered once the WAL is written to the OS, which a
/// killed process cannot take back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_while_clients_write_loses_nothing_anyone_received() {
    sigkill_while_clients_write(&[]).await;
}

/// `--sqlite-sync full`: delivered once the WAL is fsynced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_with_full_sync_loses_nothing_anyone_received() {
    sigkill_while_clients_write(&["--sqlite-sync=full"]).await;
}

async fn sigkill_while_clients_write(args: &[&str]) {
    let launch = Launch {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        ..Launch::default()
    };
    let start = |data: &Path| {
        let launch = launch.clone();
        let data = data.to_owned();
        async move {
            ServerProcess::start_with(&data, launch)
                .await
                .expect("server starts")
        }
    };
    let seed: u64 = std::env::var("WERKPLAATS_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    println!("crash test seed: {seed} (replay with WERKPLAATS_CRASH_SEED={seed})");
    let mut rng = StdRng::seed_from_u64(seed);
    let rounds: usize = std::env::var("WERKPLAATS_CRASH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(ROUNDS);

    let data = data_dir();
    let mut server = start(data.path()).await;
    let session = server.create_session("Crash").await;
    let mut writers = Vec::new();
    for index in 0..WRITERS {
        let joined = server
            .join(&session.join_code, &format!("Schrijver {index}"))
            .await;
        writers.push(Writer {
            index,
            token: joined.participant_token,
            written: 0,
        });
    }
    let mut docs: Vec<Doc> = (0..WRITERS).map(|_| Doc::new()).collect();
    let mut checked_items = 0usize;
    let mut checked_tokens = 0usize;

    for round in 1..=rounds {
        let mut clients = Vec::new();
        for (writer, doc) in writers.iter().zip(docs.drain(..)) {
            clients.push(Arc::new(
                connect_with(&server, &session.id, &writer.token, doc).await,
            ));
        }
        let stop_writing = Arc::new(AtomicBool::new(false));
        let mut tasks = Vec::new();
        for (writer, client) in writers.iter().zip(&clients) {
            let client = Arc::clone(client);
            let stop_writing = Arc::clone(&stop_writing);
            let (index, start) = (writer.index, writer.written);
            let mut rng = StdRng::seed_from_u64(rng.random());
            tasks.push(tokio::spawn(async move {
                let mut n = start;
                while !stop_writing.load(Ordering::Relaxed) {
                    write_one(&client, index, n, &mut rng).await;
                    n += 1;
                    let pause = rng.random_range(0..=2);
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
                n
            }));
        }

        let kill_after = Duration::from_millis(rng.random_range(100..=700));
        tokio::time::sleep(kill_after).await;
        server.kill().await;
        // The sockets are dead: what each client holds from the others is all it received.
        for client in &clients {
            assert!(client.wait_closed().await.is_some());
        }
        stop_writing.store(true, Ordering::Relaxed);
        for (writer, task) in writers.iter_mut().zip(tasks) {
            writer.written = task.await.expect("writer task");
        }
        let mut received: Vec<Holds> = vec![Holds::default(); WRITERS];
        for (i, client) in clients.iter().enumerate() {
            for (j, seen) in received.iter_mut().enumerate() {
                if i == j {
                    continue;
                }
                let held = holds(&client.doc, j);
                let expected: Vec<String> = (0..held.items.len()).map(|n| item(j, n)).collect();
                assert_eq!(
                    held.items, expected,
                    "client {i} holds writer {j}'s items in order"
                );
                if held.items.len() > seen.items.len() {
                    seen.items = held.items;
                    seen.latest = held.latest;
                }
                seen.tokens.extend(held.tokens);
            }
        }
        let own: Vec<Holds> = clients
            .iter()
            .enumerate()
            .map(|(j, c)| holds(&c.doc, j))
            .collect();

        server = start(data.path()).await;
        let observer = connect(&server, &session.id, &session.facilitator_token).await;
        let mut restored_total = 0;
        for j in 0..WRITERS {
            let restored = holds(&observer.doc, j);
            let seen = &received[j];
            assert!(
                restored.items.len() >= seen.items.len(),
                "seed {seed}, round {round}: writer {j} had {} items received by others, \
                 only {} restored",
                seen.items.len(),
                restored.items.len()
            );
            assert_eq!(
                restored.items,
                own[j].items[..restored.items.len()],
                "seed {seed}, round {round}: restored items of writer {j} are its own, in order"
            );
            // A transaction is restored whole or not at all.
            let last = restored.items.len() as i64 - 1;
            assert_eq!(
                restored.latest,
                (last >= 0).then_some(last),
                "seed {seed}, round {round}: latest of writer {j}"
            );
            let missing: Vec<_> = seen.tokens.difference(&restored.tokens).collect();
            assert!(
                missing.is_empty(),
                "seed {seed}, round {round}: tokens received but not restored: {missing:?}"
            );
            checked_items += seen.items.len();
            checked_tokens += seen.tokens.len();
            restored_total += restored.items.len();
        }
        let written: usize = writers.iter().map(|w| w.written).sum();
        println!(
            "round {round}: killed after {kill_after:?}; {written} items written, \
             {} received by another client, {restored_total} restored",
            received.iter().map(|r| r.items.len()).sum::<usize>()
        );

        // Everyone reconnects with what they have; the server takes back what it lost, once.
        let mut again = Vec::new();
        for (writer, client) in writers.iter().zip(clients) {
            let client = Arc::into_inner(client).expect("writer task ended");
            let doc = client.abort();
            again.push(connect_with(&server, &session.id, &writer.token, doc).await);
        }
        let mut everyone: Vec<&YClient> = again.iter().collect();
        everyone.push(&observer);
        settle(&everyone).await;
        for client in &everyone {
            let text = client.doc.get_or_insert_text("shared");
            let tokens = all_tokens(&text.get_string(&client.doc.transact()));
            let unique: BTreeSet<_> = tokens.iter().collect();
            assert_eq!(unique.len(), tokens.len(), "a token was duplicated");
            for writer in &writers {
                let held = holds(&client.doc, writer.index);
                let expected: Vec<String> =
                    (0..writer.written).map(|n| item(writer.index, n)).collect();
                assert_eq!(held.items, expected, "seed {seed}, round {round}");
                assert_eq!(held.tokens, own[writer.index].tokens);
            }
        }
        observer.disconnect().await;
        for client in again {
            docs.push(client.disconnect().await);
        }
    }
    server.stop().await;
    println!(
        "crash test: {rounds} rounds, {checked_items} received items and {checked_tokens} \
         received text tokens checked against the restored documents"
    );
    assert!(checked_items > 0, "the test checked nothing");
}

// ---------------------------------------------------------------------------------------------
// Store failures

/// Pushes `value` to the array "items".
async fn push_item(client: &YClient, value: &str) {
    let items = client.doc.get_or_insert_array("items");
    client
        .edit(|txn| {
            items.push_back(txn, value);
        })
        .await;
}

fn items_of(doc: &Doc) -> Vec<String> {
    let items = doc.get_or_insert_array("items");
    let txn = doc.transact();
    items.iter(&txn).map(|v| v.to_string(&txn)).collect()
}

/// The items a fresh client receives.
async fn served_items(server: &ServerProcess, session: &str, token: &str) -> Vec<String> {
    let fresh = connect(server, session, token).await;
    let items = items_of(&fresh.doc);
    fresh.disconnect().await;
    items
}

fn numbered(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}-{i}")).collect()
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// The connection was closed because the store refused the write: reconnect later.
async fn assert_refused_for_storage(client: &YClient, server: &ServerProcess) {
    let closed = client.wait_closed().await.expect("closed");
    assert_eq!(closed.code, close::TRY_AGAIN_LATER, "{}", server.log());
    assert!(closed.reason.contains("storage"), "{closed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_and_never_loses_what_was_stored() {
    let data = data_dir();
    let launch = Launch {
        survive_file_size_limit: true,
        ..Launch::default()
    };
    let server = ServerProcess::start_with(data.path(), launch.clone())
        .await
        .unwrap();
    let session = server.create_session("Vol").await;
    let token = session.facilitator_token.clone();
    let writer = connect(&server, &session.id, &token).await;
    let reader = connect(&server, &session.id, &session.display_token).await;
    for value in numbered("before", 20) {
        push_item(&writer, &value).await;
    }
    assert!(eventually(WAIT, || items_of(&reader.doc).len() == 20).await);

    // The disk is full: no file of the process may grow any more.
    let wal = data.path().join(format!("{DB_FILE}-wal"));
    let cap = file_len(&wal).max(file_len(&db_file(data.path()))) + 100;
    server.limit_file_size(Some(cap)).unwrap();
    push_item(&writer, "during-0").await;
    assert_refused_for_storage(&writer, &server).await;
    // Everyone is told, and nobody saw the refused update.
    assert_refused_for_storage(&reader, &server).await;
    assert_eq!(items_of(&reader.doc), numbered("before", 20));
    assert!(server.metric("werkplaats_store_errors_total").await >= 1);
    assert!(
        server.log().contains("store write failed"),
        "{}",
        server.log()
    );
    // The session serves what is stored: not empty, not the refused update.
    assert_eq!(
        served_items(&server, &session.id, &token).await,
        numbered("before", 20)
    );
    // The writer comes back with its edit; still no room, still refused (before its sync
    // completes: the refusal drops the whole batch, the sync answer included).
    let doc = writer.abort();
    let writer = YClient::connect_with_doc(&server.ws_url(&session.id, &token), doc)
        .await
        .unwrap();
    assert_refused_for_storage(&writer, &server).await;

    // Room again: the same client's edit gets in without a restart.
    server.limit_file_size(None).unwrap();
    let doc = writer.abort();
    let writer = connect_with(&server, &session.id, &token, doc).await;
    let mut expected = numbered("before", 20);
    expected.push("during-0".into());
    let check = connect(&server, &session.id, &session.display_token).await;
    assert!(
        eventually(WAIT, || items_of(&check.doc) == expected).await,
        "{:?}",
        items_of(&check.doc)
    );
    check.disconnect().await;

    // Full again, and a graceful shutdown in that state: its final compaction fails too, and
    // must not leave an empty or partial document behind.
    let cap = file_len(&wal).max(file_len(&db_file(data.path()))) + 100;
    server.limit_file_size(Some(cap)).unwrap();
    push_item(&writer, "during-1").await;
    assert_refused_for_storage(&writer, &server).await;
    server.stop().await;

    let server = ServerProcess::start(data.path()).await;
    assert_eq!(served_items(&server, &session.id, &token).await, expected);
    // The writer still has its refused edit and hands it in now.
    let writer = connect_with(&server, &session.id, &token, writer.abort()).await;
    expected.push("during-1".into());
    let check = connect(&server, &session.id, &session.display_token).await;
    assert!(eventually(WAIT, || items_of(&check.doc) == expected).await);
    writer.disconnect().await;
    check.disconnect().await;
    server.kill().await;
    let server = ServerProcess::start(data.path()).await;
    assert_eq!(served_items(&server, &session.id, &token).await, expected);
    server.stop().await;
}

/// Makes `data` usable by `nobody` when we are root, who ignores file modes: the server then
/// runs as `nobody` so the read-only mode counts. Returns whom to run as.
fn unprivileged(data: &Path) -> Option<(u32, u32)> {
    use std::os::unix::fs::PermissionsExt;
    if !werkplaats_sys::is_root() {
        return None;
    }
    const NOBODY: u32 = 65534;
    std::os::unix::fs::chown(data, Some(NOBODY), Some(NOBODY)).expect("chown data dir");
    // The temp dir holding `data` is private to its owner.
    let mut dir = data.parent();
    while let Some(d) = dir {
        let mode = std::fs::metadata(d).unwrap().permissions().mode();
        if mode & 0o001 == 0 {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(mode | 0o055)).unwrap();
        }
        dir = d.parent();
    }
    Some((NOBODY, NOBODY))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_database_serves_sessions_but_refuses_writes() {
    use std::os::unix::fs::PermissionsExt;
    let temp = data_dir();
    let data = temp.path().join("data");
    let server = ServerProcess::start(&data).await;
    let session = server.create_session("Alleen lezen").await;
    let token = session.facilitator_token.clone();
    let writer = connect(&server, &session.id, &token).await;
    for value in numbered("stored", 10) {
        push_item(&writer, &value).await;
    }
    assert!(
        eventually(WAIT, || stored(&data, &session.id)
            .is_some_and(|s| s.log_entries == STRUCTURE_ENTRIES + 10))
        .await
    );
    let doc = writer.disconnect().await;
    server.stop().await;

    let db = db_file(&data);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let run_as = unprivileged(&data);
    let bytes_before = std::fs::read(&db).unwrap();
    let launch = Launch {
        run_as,
        ..Launch::default()
    };
    let server = ServerProcess::start_with(&data, launch).await.unwrap();
    assert!(
        server.log().contains("opened read-only"),
        "{}",
        server.log()
    );

    // The stored document is served.
    assert_eq!(
        served_items(&server, &session.id, &token).await,
        numbered("stored", 10)
    );
    // An edit is refused with a clear close, and reaches nobody.
    let reader = connect(&server, &session.id, &session.display_token).await;
    let writer = connect_with(&server, &session.id, &token, doc).await;
    push_item(&writer, "refused").await;
    assert_refused_for_storage(&writer, &server).await;
    assert_refused_for_storage(&reader, &server).await;
    assert_eq!(items_of(&reader.doc), numbered("stored", 10));
    assert!(
        server.log().contains("readonly"),
        "the log names the cause: {}",
        server.log()
    );
    // New sessions are refused with the reason.
    let response = server
        .http
        .post(server.url("/api/sessions"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("readonly"),
        "{body}"
    );
    server.stop().await;
    assert!(
        std::fs::read(&db).unwrap() == bytes_before,
        "the read-only file was changed"
    );

    // Writable again: everything is there and the refused edit gets in.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let server = ServerProcess::start(&data).await;
    let writer = connect_with(&server, &session.id, &token, writer.abort()).await;
    let mut expected = numbered("stored", 10);
    expected.push("refused".into());
    let check = connect(&server, &session.id, &session.display_token).await;
    assert!(eventually(WAIT, || items_of(&check.doc) == expected).await);
    writer.disconnect().await;
    server.stop().await;
}

#[tokio::test]
async fn a_store_that_cannot_be_opened_stops_the_server_with_a_message() {
    let temp = data_dir();
    let timeout = Duration::from_secs(20);

    // --data names a file: no directory can be made there.
    let not_a_dir = temp.path().join("plain-file");
    std::fs::write(&not_a_dir, b"not a directory").unwrap();
    let (status, stderr) = run_to_exit(
        &["--bind=127.0.0.1:0", "--data", not_a_dir.to_str().unwrap()],
        timeout,
    )
    .await;
    assert!(!status.success(), "{status:?}");
    assert!(
        stderr.contains("cannot create the data directory"),
        "{stderr}"
    );
    assert!(
        stderr.contains(not_a_dir.to_str().unwrap()),
        "names the path: {stderr}"
    );
    assert!(!stderr.contains("listening on"), "{stderr}");

    // A file that is not a database.
    let data = temp.path().join("garbage");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(db_file(&data), vec![b'x'; 8192]).unwrap();
    let (status, stderr) = run_to_exit(
        &["--bind=127.0.0.1:0", "--data", data.to_str().unwrap()],
        timeout,
    )
    .await;
    assert!(!status.success(), "{status:?}");
    assert!(stderr.contains("cannot open the store"), "{stderr}");
    assert!(stderr.contains("not a database"), "{stderr}");
    assert!(
        stderr.contains(db_file(&data).to_str().unwrap()),
        "names the file: {stderr}"
    );
    assert!(!stderr.contains("listening on"), "{stderr}");
    // And the file was left alone.
    assert_eq!(std::fs::read(db_file(&data)).unwrap(), vec![b'x'; 8192]);
}

// ---------------------------------------------------------------------------------------------
// Retention and deletion

const MARKER: &str = "PERSOONSGEGEVENS-MARKER-51c0ffee";

/// The data files of the store that contain `needle`.
fn files_containing(data: &Path, needle: &str) -> Vec<PathBuf> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| data.join(format!("{DB_FILE}{suffix}")))
        .filter(|path| std::fs::read(path).is_ok_and(|bytes| contains(&bytes, needle.as_bytes())))
        .collect()
}

/// A session whose document, log, snapshot and metadata all carry `marker`.
async fn marked_session(server: &ServerProcess, marker: &str) -> werkplaats_tests::CreatedSession {
    let session = server.create_session(&format!("titel {marker}")).await;
    server
        .join(&session.join_code, &format!("naam {marker}"))
        .await;
    let client = connect(server, &session.id, &session.facilitator_token).await;
    client
        .edit_text("scratch", |t, txn| t.insert(txn, 0, &marker.repeat(50)))
        .await;
    for i in 0..20 {
        push_item(&client, &format!("{marker} {i}")).await;
    }
    assert!(
        eventually(WAIT, || stored(&server.data, &session.id)
            .is_some_and(|s| s.log_entries == STRUCTURE_ENTRIES + 21))
        .await
    );
    client.disconnect().await;
    session
}

fn age_session(data: &Path, session: &str, days: i64) {
    let conn = rusqlite::Connection::open(db_file(data)).expect("open store file");
    let changed = conn
        .execute(
            "UPDATE sessions SET last_active_ms = ?2 WHERE id = ?1",
            rusqlite::params![session, now_ms() - days * DAY_MS],
        )
        .expect("age session");
    assert_eq!(changed, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_deleted_at_start_and_gone_from_the_file() {
    let data = data_dir();
    let server = ServerProcess::start(data.path()).await;
    let old = marked_session(&server, MARKER).await;
    let keep = server.create_session("Blijft").await;
    let keeper = connect(&server, &keep.id, &keep.facilitator_token).await;
    push_item(&keeper, "blijft").await;
    assert!(
        eventually(WAIT, || stored(data.path(), &keep.id)
            .is_some_and(|s| s.log_entries == STRUCTURE_ENTRIES + 1))
        .await
    );
    keeper.disconnect().await;
    server.stop().await;

    age_session(data.path(), &old.id, 3);
    assert!(
        !files_containing(data.path(), MARKER).is_empty(),
        "the marker must be in the file first, or this test proves nothing"
    );
    let server = ServerProcess::start_with(
        data.path(),
        Launch {
            args: vec!["--retention-days=2".into()],
            ..Launch::default()
        },
    )
    .await
    .unwrap();
    assert!(
        server
            .wait_for_log("retention: removed 1 session(s)", WAIT)
            .await,
        "{}",
        server.log()
    );
    assert_eq!(files_containing(data.path(), MARKER), Vec::<PathBuf>::new());
    let gone = YClient::connect(&server.ws_url(&old.id, &old.facilitator_token))
        .await
        .unwrap();
    assert_eq!(
        gone.wait_closed().await.map(|c| c.code),
        Some(close::SESSION_NOT_FOUND)
    );
    let response = server
        .http
        .post(server.url("/api/join"))
        .json(&json!({ "code": old.join_code, "name": "Laat" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(
        served_items(&server, &keep.id, &keep.facilitator_token).await,
        vec!["blijft".to_owned()]
    );
    server.stop().await;
    assert_eq!(files_containing(data.path(), MARKER), Vec::<PathBuf>::new());
    assert!(stored(data.path(), &keep.id).is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_session_that_expires_is_closed_and_not_written_back() {
    let data = data_dir();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db_file(data.path())).unwrap());
    let server = TestServer::start_with(Config::for_tests(), Arc::clone(&store)).await;
    let session = server.create_session().await;
    let url = server.ws_url(&session.id, &session.facilitator_token);
    let writer = Arc::new(YClient::connect(&url).await.unwrap());
    assert!(writer.wait_synced().await);
    let reader = YClient::connect(&url).await.unwrap();
    assert!(reader.wait_synced().await);

    // The writer keeps writing while the session expires.
    let writing = {
        let writer = Arc::clone(&writer);
        tokio::spawn(async move {
            for i in 0..400 {
                push_item(&writer, &format!("item {i}")).await;
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
    };
    assert!(eventually(WAIT, || items_of(&reader.doc).len() >= 20).await);
    let app = server.server.app();
    let expired = werkplaats_server::retention::expire_once(
        store.as_ref(),
        &app.registry,
        30,
        now_ms() + 31 * DAY_MS,
    )
    .await
    .unwrap();
    assert_eq!(expired, vec![session.id.clone()]);
    for client in [&*writer, &reader] {
        let closed = client.wait_closed().await.expect("closed");
        assert_eq!(closed.code, close::SESSION_DELETED);
    }
    writing.await.unwrap();
    // Whatever the task still had in memory stays out of the store.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(store.load_session(&session.id).await.unwrap().is_none());
    assert!(
        store
            .session_by_join_code(&session.join_code)
            .await
            .unwrap()
            .is_none()
    );
    let again = YClient::connect(&url).await.unwrap();
    assert_eq!(
        again.wait_closed().await.map(|c| c.code),
        Some(close::SESSION_NOT_FOUND)
    );
    assert_eq!(server.metric("werkplaats_sessions_live").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_removes_a_live_session_from_the_file_at_once() {
    let data = data_dir();
    let server = ServerProcess::start(data.path()).await;
    let victim = marked_session(&server, MARKER).await;
    let neighbour_marker = MARKER.replace("MARKER", "BUURMAN");
    let neighbour = marked_session(&server, &neighbour_marker).await;
    let participant = server.join(&victim.join_code, "Deelnemer").await;
    let connected = connect(&server, &victim.id, &victim.display_token).await;
    assert!(!files_containing(data.path(), MARKER).is_empty());

    let delete = |token: &str| {
        server
            .http
            .delete(server.url(&format!("/api/sessions/{}", victim.id)))
            .bearer_auth(token)
            .send()
    };
    // Only the facilitator may delete.
    assert_eq!(delete("wrong").await.unwrap().status(), 401);
    assert_eq!(
        delete(&participant.participant_token)
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(delete(&victim.display_token).await.unwrap().status(), 401);
    assert!(stored(data.path(), &victim.id).is_some());

    assert_eq!(
        delete(&victim.facilitator_token).await.unwrap().status(),
        204
    );
    // Gone from the files when the answer arrives, while the server still runs.
    assert_eq!(files_containing(data.path(), MARKER), Vec::<PathBuf>::new());
    let closed = connected.wait_closed().await.expect("closed");
    assert_eq!(closed.code, close::SESSION_DELETED);
    let again = YClient::connect(&server.ws_url(&victim.id, &victim.facilitator_token))
        .await
        .unwrap();
    assert_eq!(
        again.wait_closed().await.map(|c| c.code),
        Some(close::SESSION_NOT_FOUND)
    );
    assert_eq!(
        delete(&victim.facilitator_token).await.unwrap().status(),
        404
    );

    server.kill().await;
    assert_eq!(files_containing(data.path(), MARKER), Vec::<PathBuf>::new());
    // The neighbour is whole.
    let server = ServerProcess::start(data.path()).await;
    assert_eq!(
        served_items(&server, &neighbour.id, &neighbour.facilitator_token).await,
        (0..20)
            .map(|i| format!("{neighbour_marker} {i}"))
            .collect::<Vec<_>>()
    );
    server.stop().await;
}
