//! Attacks through the document: updates built to cost the server CPU, or to grow a session's
//! document past what its clients can sync.

use std::time::{Duration, Instant};

use werkplaats_protocol::close;
use werkplaats_protocol::control::{Command, Event};
use werkplaats_protocol::message::Message;
use werkplaats_tests::{Launch, ServerProcess, YClient};
use yrs::{Text, Transact};

fn write_var(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn write_string(out: &mut Vec<u8>, text: &str) {
    write_var(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

/// One Yjs v1 update in which each of `clients` new client ids sets one key of the root map
/// `m` (an item with no origins, parent `m`, key, string content), and no deletions: the
/// cheapest way to bring many client ids at once.
fn update_with_new_clients(clients: std::ops::Range<u64>) -> Vec<u8> {
    let mut out = Vec::new();
    write_var(&mut out, clients.end - clients.start);
    for client in clients.rev() {
        write_var(&mut out, 1); // structs
        write_var(&mut out, client);
        write_var(&mut out, 0); // clock
        out.push(0x20 | 4); // parentSub, ContentString
        write_var(&mut out, 1); // the parent is a root type, by name
        write_string(&mut out, "m");
        write_string(&mut out, &format!("k{client}"));
        write_string(&mut out, "x");
    }
    write_var(&mut out, 0); // delete set
    out
}

/// Updates of 10,000 new client ids each. Before: the dependency check rebuilt the document's
/// state vector for every client id of the update, so the n-th such update cost n × 10,000 ×
/// 10,000 lookups (0.02 s, then seconds, 25 s of CPU by the fifth) on a runtime worker, and
/// other sessions stalled. Now the check is linear, a large update is applied off the async
/// workers, and a session takes at most `--max-document-clients` client ids: the update that
/// would pass it is refused with 1008.
/// The timings printed are for the note; the assertions are about behaviour.
#[tokio::test]
async fn updates_full_of_new_client_ids_are_cheap_and_capped() {
    let data = tempfile::tempdir().unwrap();
    // Room for two such updates (and the server's own client id), so the second shows what
    // an update of 10,000 new ids costs against a document that already holds 10,000.
    let launch = Launch {
        args: vec!["--max-document-clients=25000".into()],
        ..Launch::default()
    };
    let server = ServerProcess::start_with(&data.path().join("data"), launch)
        .await
        .unwrap();
    let session = server.create_session("Veel klanten").await;
    let joined = server.join(&session.join_code, "Mallory").await;
    let attacker = YClient::connect(&server.ws_url(&session.id, &joined.participant_token))
        .await
        .unwrap();
    attacker.wait_synced().await;

    let other = server.create_session("Een andere sessie").await;
    let bystander = YClient::connect(&server.ws_url(&other.id, &other.facilitator_token))
        .await
        .unwrap();
    bystander.wait_synced().await;

    let mut accepted = 0;
    for round in 0..5u64 {
        let first = 1_000_000 + round * 10_000;
        let update = update_with_new_clients(first..first + 10_000);
        let started = Instant::now();
        attacker.send_frame(Message::Update(&update).encode()).await;
        // The session answers in order: its answer comes after the update was handled.
        attacker
            .control(Some(round + 1), Command::Hello { version: 1 })
            .await;
        let answered = werkplaats_tests::eventually(Duration::from_secs(60), || {
            attacker.closed().is_some()
                || attacker
                    .events()
                    .iter()
                    .any(|e| e.reply_to == Some(round + 1))
        })
        .await;
        eprintln!(
            "update {} with 10,000 new client ids: handled in {:?} (closed: {:?})",
            round + 1,
            started.elapsed(),
            attacker.closed().map(|c| c.code)
        );
        assert!(answered, "update {} was never handled", round + 1);
        // Meanwhile another session answers at once.
        assert!(matches!(
            bystander.request(Command::Hello { version: 1 }).await,
            Event::Welcome { .. }
        ));
        if attacker.closed().is_some() {
            break;
        }
        accepted += 1;
    }
    let closed = attacker.wait_closed().await.expect("refused at the cap");
    assert_eq!(closed.code, close::POLICY_VIOLATION, "{}", closed.reason);
    assert!(closed.reason.contains("client ids"), "{}", closed.reason);
    assert_eq!(accepted, 2, "a cap of 25,000 takes two such updates");
}

/// Inserts `bytes` characters at the start of the root text `t` and waits until the session
/// has handled the update (its answer to a hello comes after it).
async fn insert_text(client: &YClient, bytes: usize, request: u64) {
    let text = "w".repeat(bytes);
    client
        .edit_text("t", |shared, txn| shared.insert(txn, 0, &text))
        .await;
    client
        .control(Some(request), Command::Hello { version: 1 })
        .await;
    werkplaats_tests::eventually(Duration::from_secs(30), || {
        client.closed().is_some() || client.events().iter().any(|e| e.reply_to == Some(request))
    })
    .await;
}

/// The length of the root text `t` a fresh client gets when it syncs, or `None` if it never
/// syncs.
async fn newcomer_text_len(server: &ServerProcess, session_id: &str, token: &str) -> Option<u32> {
    let newcomer = YClient::connect(&server.ws_url(session_id, token))
        .await
        .unwrap();
    if !newcomer.wait_synced().await {
        return None;
    }
    let doc = newcomer.disconnect().await;
    let text = doc.get_or_insert_text("t");
    Some(text.len(&doc.transact()))
}

/// Three text inserts of 0.9 MB each. Before: the document passed 2 MiB and no client could
/// sync any more (the sync step 2 did not fit the websocket's write buffer: "Write buffer is
/// full"). Now every document within the budget syncs, and the update that would take it past
/// the budget is refused with 1009 while the session stays syncable.
#[tokio::test]
async fn a_document_grows_to_its_budget_and_stays_syncable() {
    let data = tempfile::tempdir().unwrap();
    let launch = Launch {
        args: vec!["--max-document-bytes=4000000".into()],
        ..Launch::default()
    };
    let server = ServerProcess::start_with(&data.path().join("data"), launch)
        .await
        .unwrap();
    let session = server.create_session("Groot").await;
    let joined = server.join(&session.join_code, "Mallory").await;
    let writer = YClient::connect(&server.ws_url(&session.id, &joined.participant_token))
        .await
        .unwrap();
    writer.wait_synced().await;
    for request in 1..=3 {
        insert_text(&writer, 900_000, request).await;
    }
    assert!(writer.closed().is_none(), "2.7 MB is within the budget");
    assert_eq!(
        newcomer_text_len(&server, &session.id, &session.facilitator_token).await,
        Some(2_700_000),
        "a 2.7 MB document must sync to a new client"
    );

    insert_text(&writer, 900_000, 4).await;
    assert!(writer.closed().is_none(), "3.6 MB is within the budget");
    insert_text(&writer, 900_000, 5).await;
    let closed = writer.wait_closed().await.expect("refused at the budget");
    assert_eq!(closed.code, close::MESSAGE_TOO_BIG, "{}", closed.reason);
    assert!(closed.reason.contains("size budget"), "{}", closed.reason);
    assert_eq!(
        newcomer_text_len(&server, &session.id, &session.facilitator_token).await,
        Some(3_600_000),
        "the session stays syncable with what it accepted"
    );
}

/// Inserts `bytes` characters into the root text `t` and deletes them again, then waits until
/// the session has handled both (its answer to a hello comes after them). The document stays
/// small; only the bytes flowing through it grow.
async fn churn_text(client: &YClient, bytes: usize, request: u64) {
    let text = "w".repeat(bytes);
    client
        .edit_text("t", |shared, txn| shared.insert(txn, 0, &text))
        .await;
    client
        .edit_text("t", |shared, txn| shared.remove_range(txn, 0, bytes as u32))
        .await;
    client
        .control(Some(request), Command::Hello { version: 1 })
        .await;
    werkplaats_tests::eventually(Duration::from_secs(30), || {
        client.closed().is_some() || client.events().iter().any(|e| e.reply_to == Some(request))
    })
    .await;
}

/// Limits small enough for a test to reach: a burst of 200 KB, messages up to 150 KB.
fn small_rates(rate: &str) -> Launch {
    Launch {
        args: vec![
            "--max-message-bytes=150000".into(),
            "--update-burst-bytes=200000".into(),
            rate.into(),
        ],
        ..Launch::default()
    }
}

/// Insert 50 KB, delete it, again and again. Before: every update was taken, the document
/// stayed within its budget and the bytes through it (store, every peer) grew without bound
/// (40 MB in 6 s). Now the connection's byte rate is spent after the burst and it is closed
/// with 4429; the session stays syncable.
#[tokio::test]
async fn churning_one_connection_is_closed_at_its_byte_rate() {
    let data = tempfile::tempdir().unwrap();
    let launch = small_rates("--conn-update-bytes-per-second=10000");
    let server = ServerProcess::start_with(&data.path().join("data"), launch)
        .await
        .unwrap();
    let session = server.create_session("Kolken").await;
    let joined = server.join(&session.join_code, "Mallory").await;
    let churner = YClient::connect(&server.ws_url(&session.id, &joined.participant_token))
        .await
        .unwrap();
    churner.wait_synced().await;
    let mut rounds = 0;
    while churner.closed().is_none() && rounds < 20 {
        rounds += 1;
        churn_text(&churner, 50_000, rounds).await;
    }
    let closed = churner
        .wait_closed()
        .await
        .expect("closed at the byte rate");
    assert_eq!(closed.code, close::RATE_LIMITED, "{}", closed.reason);
    assert!(
        closed.reason.contains("this connection") && closed.reason.contains("byte rate"),
        "{}",
        closed.reason
    );
    // A deletion is a few bytes: the 200 KB burst holds four inserts of 50 KB, and 10 KB/s
    // refills a fifth only after seconds.
    assert!(rounds <= 6, "the burst is four rounds, not {rounds}");
    assert_eq!(
        newcomer_text_len(&server, &session.id, &session.facilitator_token).await,
        Some(0),
        "the session stays syncable"
    );
}

/// The same churn spread over connections, each within its own rate: the session's byte rate
/// closes the connection whose update passes it.
#[tokio::test]
async fn churning_many_connections_is_closed_at_the_sessions_byte_rate() {
    let data = tempfile::tempdir().unwrap();
    let launch = small_rates("--session-update-bytes-per-second=10000");
    let server = ServerProcess::start_with(&data.path().join("data"), launch)
        .await
        .unwrap();
    let session = server.create_session("Samen kolken").await;
    let mut churners = Vec::new();
    for name in ["Mallory", "Trudy", "Eve"] {
        let joined = server.join(&session.join_code, name).await;
        let churner = YClient::connect(&server.ws_url(&session.id, &joined.participant_token))
            .await
            .unwrap();
        churner.wait_synced().await;
        churners.push(churner);
    }
    let mut closed = None;
    'rounds: for round in 1..=10 {
        for churner in &churners {
            churn_text(churner, 40_000, round).await;
            if let Some(c) = churner.closed() {
                closed = Some(c);
                break 'rounds;
            }
        }
    }
    let closed = closed.expect("closed at the session's byte rate");
    assert_eq!(closed.code, close::RATE_LIMITED, "{}", closed.reason);
    assert!(
        closed.reason.contains("session") && closed.reason.contains("byte rate"),
        "{}",
        closed.reason
    );
}

/// A client that echoes back every update it receives (pycrdt's `Provider` does) pays no rate
/// for the echoes: they change nothing, so the bytes are given back. Without that, its echoes
/// charge the session's traffic twice and a busy session closes its legitimate clients.
#[tokio::test]
async fn echoed_updates_cost_no_rate() {
    let data = tempfile::tempdir().unwrap();
    let launch = small_rates("--session-update-bytes-per-second=10000");
    let server = ServerProcess::start_with(&data.path().join("data"), launch)
        .await
        .unwrap();
    let session = server.create_session("Echo").await;
    let writer = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap();
    let joined = server.join(&session.join_code, "Echo").await;
    let echo = YClient::connect(&server.ws_url(&session.id, &joined.participant_token))
        .await
        .unwrap();
    writer.wait_synced().await;
    echo.wait_synced().await;
    // 4 × 30 KB from the writer and the same again echoed: 240 KB against a 200 KB burst.
    for request in 1..=4 {
        let before = writer.state_vector();
        insert_text(&writer, 30_000, request).await;
        let delta = {
            use yrs::ReadTxn;
            writer.doc.transact().encode_state_as_update_v1(&before)
        };
        echo.send_frame(Message::Update(&delta).encode()).await;
        echo.control(Some(request), Command::Hello { version: 1 })
            .await;
        werkplaats_tests::eventually(Duration::from_secs(30), || {
            echo.closed().is_some() || echo.events().iter().any(|e| e.reply_to == Some(request))
        })
        .await;
    }
    assert!(echo.closed().is_none(), "{:?}", echo.closed());
    assert!(writer.closed().is_none(), "{:?}", writer.closed());
}
