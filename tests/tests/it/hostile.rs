//! Bad input: every kind gets a clear close code or error, is counted, and touches nobody else.

use std::time::Duration;

use tokio_tungstenite::tungstenite::Message as WsMessage;
use werkplaats_protocol::close;
use werkplaats_protocol::control::{ErrorCode, Event};
use werkplaats_protocol::lib0::Writer;
use werkplaats_protocol::message::Message;
use werkplaats_tests::{TestServer, YClient, eventually};
use yrs::{GetString, ReadTxn, Text, Transact};

struct Scene {
    server: TestServer,
    url: String,
    join_code: String,
    bystander: YClient,
}

/// A session with a bystander who has typed something; after each attack we check the
/// bystander is still connected, still has its text, and still receives edits.
async fn scene() -> Scene {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let url = server.ws_url(&session.id, &session.facilitator_token);
    let bystander = YClient::connect(&url).await.unwrap();
    bystander.wait_synced().await;
    bystander
        .edit_text("scratch", |t, txn| t.insert(txn, 0, "veilig"))
        .await;
    Scene {
        server,
        url,
        join_code: session.join_code,
        bystander,
    }
}

impl Scene {
    async fn other_participant_url(&self, session_id: &str) -> String {
        let joined = self.server.join(&self.join_code, "Mallory").await;
        self.server.ws_url(session_id, &joined.participant_token)
    }

    async fn attacker(&self) -> YClient {
        let attacker = YClient::connect(&self.url).await.unwrap();
        attacker.wait_synced().await;
        attacker
    }

    async fn assert_unharmed(&self) {
        assert!(
            self.bystander.closed().is_none(),
            "bystander was disconnected"
        );
        let check = YClient::connect(&self.url).await.unwrap();
        let text = check.doc.get_or_insert_text("scratch");
        assert!(
            eventually(Duration::from_secs(5), || text
                .get_string(&check.doc.transact())
                == "veilig")
            .await,
            "session state changed"
        );
        check
            .edit_text("other", |t, txn| t.insert(txn, 0, "!"))
            .await;
        let other = self.bystander.doc.get_or_insert_text("other");
        assert!(
            eventually(Duration::from_secs(5), || other
                .len(&self.bystander.doc.transact())
                > 0)
            .await
        );
        check
            .edit_text("other", |t, txn| t.remove_range(txn, 0, 1))
            .await;
    }
}

async fn expect_close(client: &YClient, code: u16) -> String {
    let closed = client
        .wait_closed()
        .await
        .expect("server closed the connection");
    assert_eq!(closed.code, code, "reason: {}", closed.reason);
    assert!(
        !closed.reason.is_empty(),
        "a close code comes with a reason"
    );
    closed.reason
}

#[tokio::test]
async fn a_text_frame_is_refused_with_1003() {
    let scene = scene().await;
    let attacker = scene.attacker().await;
    attacker.send_raw(WsMessage::Text("hello".into())).await;
    expect_close(&attacker, close::UNSUPPORTED_DATA).await;
    scene.assert_unharmed().await;
    assert!(
        scene
            .server
            .metric("werkplaats_rejected_inputs_total")
            .await
            >= 1
    );
}

#[tokio::test]
async fn unknown_tags_and_truncated_frames_are_refused_with_1008() {
    let scene = scene().await;
    for frame in [
        vec![0x09],
        vec![0x80, 0x01],
        vec![0x00, 0x07, 0x00],
        vec![0x00, 0x02, 0xff, 0xff, 0x7f],
        vec![],
    ] {
        let attacker = scene.attacker().await;
        attacker.send_frame(frame.clone()).await;
        expect_close(&attacker, close::POLICY_VIOLATION).await;
    }
    scene.assert_unharmed().await;
}

#[tokio::test]
async fn an_invalid_update_is_refused_and_changes_nothing() {
    let scene = scene().await;
    // one client section promising 2^40 structs in a few bytes
    let mut w = Writer::new();
    w.write_var_u64(1)
        .write_var_u64(1 << 40)
        .write_var_u64(7)
        .write_var_u64(0);
    let attacker = scene.attacker().await;
    attacker
        .send_frame(Message::Update(&w.into_bytes()).encode())
        .await;
    let reason = expect_close(&attacker, close::POLICY_VIOLATION).await;
    assert!(reason.contains("invalid update"), "{reason}");
    scene.assert_unharmed().await;
}

/// An update from a client whose earlier edits the server never saw: a gap.
fn gap_update(client_id: u64) -> Vec<u8> {
    let doc = yrs::Doc::with_client_id(client_id);
    let text = doc.get_or_insert_text("scratch");
    text.insert(&mut doc.transact_mut(), 0, "first");
    let sv = doc.transact().state_vector();
    text.insert(&mut doc.transact_mut(), 5, " second");
    doc.transact().encode_state_as_update_v1(&sv)
}

#[tokio::test]
async fn updates_whose_dependencies_never_arrive_are_bounded_and_refused() {
    let scene = scene().await;
    let attacker = scene.attacker().await;
    // A few wait for their dependencies (an honest client can edit while its sync is on the
    // way); past the bound, the connection is closed. None reaches the document.
    for client_id in 0..100 {
        attacker
            .send_frame(Message::Update(&gap_update(5000 + client_id)).encode())
            .await;
    }
    let reason = expect_close(&attacker, close::POLICY_VIOLATION).await;
    assert!(reason.contains("update refused"), "{reason}");
    scene.assert_unharmed().await;
}

/// The bound is `--max-parked-updates`: with 3, the fourth waiting update closes the
/// connection, and three are held (the connection stays open) as long as nothing more comes.
#[tokio::test]
async fn the_parking_bound_is_its_flag() {
    let mut config = werkplaats_server::Config::for_tests();
    config.sync.max_parked_updates = 3;
    let server = TestServer::start_with(
        config,
        std::sync::Arc::new(werkplaats_server::store::memory::MemoryStore::new()),
    )
    .await;
    let session = server.create_session().await;
    let url = server.ws_url(&session.id, &session.facilitator_token);
    let patient = YClient::connect(&url).await.unwrap();
    patient.wait_synced().await;
    for client_id in 0..3 {
        patient
            .send_frame(Message::Update(&gap_update(7000 + client_id)).encode())
            .await;
    }
    let attacker = YClient::connect(&url).await.unwrap();
    attacker.wait_synced().await;
    for client_id in 0..4 {
        attacker
            .send_frame(Message::Update(&gap_update(8000 + client_id)).encode())
            .await;
    }
    let reason = expect_close(&attacker, close::POLICY_VIOLATION).await;
    assert!(reason.contains("update refused"), "{reason}");
    assert!(patient.closed().is_none(), "three may wait");
}

#[tokio::test]
async fn an_update_that_waits_is_applied_once_its_dependencies_arrive() {
    let scene = scene().await;
    let doc = yrs::Doc::with_client_id(6000);
    let text = doc.get_or_insert_text("late");
    text.insert(&mut doc.transact_mut(), 0, "first");
    let before = doc.transact().state_vector();
    let first = doc
        .transact()
        .encode_state_as_update_v1(&yrs::StateVector::default());
    text.insert(&mut doc.transact_mut(), 5, " second");
    let second = doc.transact().encode_state_as_update_v1(&before);
    let sender = scene.attacker().await;
    sender.send_frame(Message::Update(&second).encode()).await;
    sender.send_frame(Message::Update(&first).encode()).await;
    let late = scene.bystander.doc.get_or_insert_text("late");
    assert!(
        eventually(Duration::from_secs(5), || late
            .get_string(&scene.bystander.doc.transact())
            == "first second")
        .await
    );
    assert!(sender.closed().is_none());
}

#[tokio::test]
async fn a_message_over_the_size_limit_is_refused_with_1009() {
    let scene = scene().await;
    let attacker = scene.attacker().await;
    let big = vec![0u8; 2 * 1024 * 1024];
    attacker.send_frame(Message::Update(&big).encode()).await;
    expect_close(&attacker, close::MESSAGE_TOO_BIG).await;
    scene.assert_unharmed().await;
}

#[tokio::test]
async fn forged_awareness_for_another_connection_is_refused() {
    let scene = scene().await;
    scene
        .bystander
        .set_awareness(777, 1, r#"{"user":{"name":"Echt"}}"#)
        .await;
    assert!(
        eventually(Duration::from_secs(5), || scene
            .bystander
            .awareness()
            .contains_key(&777))
        .await
    );
    // someone else in the session (the attacker above shares the bystander's token)
    let session_id = scene
        .url
        .split("/ws/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap();
    let other_url = scene.other_participant_url(session_id).await;
    let attacker = YClient::connect(&other_url).await.unwrap();
    attacker.wait_synced().await;
    attacker
        .set_awareness(777, 99, r#"{"user":{"name":"Nep"}}"#)
        .await;
    attacker.set_awareness(777, 100, "null").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        scene.bystander.awareness().get(&777).map(String::as_str),
        Some(r#"{"user":{"name":"Echt"}}"#)
    );
    // awareness that is not JSON closes the connection
    attacker.set_awareness(778, 1, "{nope").await;
    expect_close(&attacker, close::POLICY_VIOLATION).await;
    scene.assert_unharmed().await;
}

#[tokio::test]
async fn a_bad_control_message_gets_an_error_event_not_a_crash() {
    let scene = scene().await;
    let attacker = scene.attacker().await;
    attacker
        .send_frame(Message::Control(r#"{"type":"self_destruct"}"#).encode())
        .await;
    attacker.send_frame(Message::Control("][").encode()).await;
    assert!(eventually(Duration::from_secs(5), || attacker.events().len() >= 2).await);
    for event in attacker.events() {
        assert!(matches!(
            event.event,
            Event::Error {
                code: ErrorCode::BadRequest,
                ..
            }
        ));
    }
    assert!(attacker.closed().is_none());
    scene.assert_unharmed().await;
}

#[tokio::test]
async fn wrong_tokens_and_unknown_sessions_get_4401_and_4404() {
    let scene = scene().await;
    let session_id = scene
        .url
        .split("/ws/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let base = format!("ws://{}/ws", scene.server.addr());
    for (url, code) in [
        (
            format!("{base}/{session_id}?token=wrong"),
            close::UNAUTHORIZED,
        ),
        (format!("{base}/{session_id}"), close::UNAUTHORIZED),
        (
            format!("{base}/AAAAAAAAAAAAAAAAAAAAAA?token=x"),
            close::SESSION_NOT_FOUND,
        ),
        (
            format!("{base}/not-an-id?token=x"),
            close::SESSION_NOT_FOUND,
        ),
    ] {
        let client = YClient::connect(&url).await.unwrap();
        expect_close(&client, code).await;
    }
    scene.assert_unharmed().await;
}
