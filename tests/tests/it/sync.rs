//! Yjs sync through the server: handshake, live updates, late joiners, awareness.

use std::time::Duration;

use werkplaats_protocol::control::{Command, Event, Role};
use werkplaats_tests::{TestServer, YClient, eventually};
use yrs::{GetString, Text, Transact};

fn text(client: &YClient) -> String {
    let text = client.doc.get_or_insert_text("scratch");
    text.get_string(&client.doc.transact())
}

#[tokio::test]
async fn two_clients_edit_concurrently_and_converge() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let joined = server.join(&session.join_code, "Ans").await;
    let a = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap();
    let b = YClient::connect(&server.ws_url(&session.id, &joined.participant_token))
        .await
        .unwrap();
    assert!(a.wait_synced().await && b.wait_synced().await);

    for i in 0..20 {
        a.edit_text("scratch", |t, txn| t.insert(txn, 0, &format!("a{i} ")))
            .await;
        b.edit_text("scratch", |t, txn| {
            let len = t.len(txn);
            t.insert(txn, len, &format!("b{i} "));
        })
        .await;
    }
    assert!(
        eventually(Duration::from_secs(5), || text(&a) == text(&b)
            && text(&a).len() > 100)
        .await
    );
    assert_eq!(a.snapshot(), b.snapshot());
    assert!(text(&a).contains("a19") && text(&a).contains("b19"));
}

#[tokio::test]
async fn a_late_joiner_receives_the_whole_document() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let url = server.ws_url(&session.id, &session.facilitator_token);
    let a = YClient::connect(&url).await.unwrap();
    a.wait_synced().await;
    a.edit_text("scratch", |t, txn| {
        t.insert(txn, 0, "kansen en uitdagingen")
    })
    .await;
    let b = YClient::connect(&url).await.unwrap();
    assert!(
        eventually(Duration::from_secs(5), || text(&b)
            == "kansen en uitdagingen")
        .await
    );
}

#[tokio::test]
async fn awareness_reaches_others_and_disappears_when_its_connection_closes() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let url = server.ws_url(&session.id, &session.facilitator_token);
    let a = YClient::connect(&url).await.unwrap();
    let b = YClient::connect(&url).await.unwrap();
    a.wait_synced().await;
    b.wait_synced().await;
    a.set_awareness(1111, 1, r#"{"user":{"name":"Ans"}}"#).await;
    assert!(eventually(Duration::from_secs(5), || b.awareness().contains_key(&1111)).await);
    // the sender hears its own echo: that keeps a y-websocket client's 30 s timer alive
    assert!(eventually(Duration::from_secs(5), || a.awareness().contains_key(&1111)).await);
    // a client that joins later gets the present states at once
    let c = YClient::connect(&url).await.unwrap();
    assert!(eventually(Duration::from_secs(5), || c.awareness().contains_key(&1111)).await);
    a.disconnect().await;
    assert!(
        eventually(Duration::from_secs(5), || !b
            .awareness()
            .contains_key(&1111))
        .await
    );
}

#[tokio::test]
async fn control_hello_gets_a_welcome_and_ping_a_pong() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let client = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap();
    client.wait_synced().await;
    client.control(Some(1), Command::Hello { version: 1 }).await;
    client
        .control(Some(2), Command::Ping { client_time: 42.0 })
        .await;
    assert!(eventually(Duration::from_secs(5), || client.events().len() >= 2).await);
    let events = client.events();
    let welcome = events
        .iter()
        .find(|e| e.reply_to == Some(1))
        .expect("welcome");
    match &welcome.event {
        Event::Welcome {
            role, session_id, ..
        } => {
            assert_eq!(*role, Role::Facilitator);
            assert_eq!(session_id, &session.id);
        }
        other => panic!("expected welcome, got {other:?}"),
    }
    let pong = events.iter().find(|e| e.reply_to == Some(2)).expect("pong");
    assert!(
        matches!(pong.event, Event::Pong { client_time, server_time } if client_time == 42.0 && server_time > 1.6e12)
    );
}

#[tokio::test]
async fn clients_that_never_said_hello_get_no_control_messages() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let url = server.ws_url(&session.id, &session.facilitator_token);
    let stock = YClient::connect(&url).await.unwrap();
    let modern = YClient::connect(&url).await.unwrap();
    stock.wait_synced().await;
    modern.control(None, Command::Hello { version: 1 }).await;
    assert!(eventually(Duration::from_secs(5), || !modern.events().is_empty()).await);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(stock.events().is_empty());
}

#[tokio::test]
async fn the_display_cannot_change_the_document() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let editor = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap();
    let display = YClient::connect(&server.ws_url(&session.id, &session.display_token))
        .await
        .unwrap();
    editor.wait_synced().await;
    display.wait_synced().await;
    display
        .edit_text("scratch", |t, txn| t.insert(txn, 0, "vandalism"))
        .await;
    assert!(
        eventually(Duration::from_secs(5), || !display
            .permission_denied()
            .is_empty())
        .await
    );
    editor
        .edit_text("scratch", |t, txn| t.insert(txn, 0, "ok"))
        .await;
    assert!(eventually(Duration::from_secs(5), || text(&display).contains("ok")).await);
    assert_eq!(text(&editor), "ok");
    // the display stays connected: it is read-only, not hostile
    assert!(display.closed().is_none());
}
