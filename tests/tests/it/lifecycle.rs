//! Session lifecycle: single-flight loading, idle unload and reload, graceful shutdown,
//! slow clients.

use std::sync::Arc;
use std::time::Duration;

use werkplaats_protocol::close;
use werkplaats_server::Config;
use werkplaats_server::store::memory::MemoryStore;
use werkplaats_tests::{TestServer, YClient, eventually};
use yrs::{GetString, Text, Transact};

#[tokio::test]
async fn many_simultaneous_first_connections_load_the_session_once() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let url = server.ws_url(&session.id, &session.facilitator_token);
    let clients = futures_util::future::join_all((0..30).map(|_| YClient::connect(&url))).await;
    for client in &clients {
        assert!(client.as_ref().unwrap().wait_synced().await);
    }
    assert_eq!(server.metric("werkplaats_sessions_loaded_total").await, 1);
    assert_eq!(server.metric("werkplaats_sessions_live").await, 1);
}

#[tokio::test]
async fn an_idle_session_unloads_and_comes_back_whole() {
    let mut config = Config::for_tests();
    config.session_idle_secs = 0;
    let server = TestServer::start_with(config, Arc::new(MemoryStore::new())).await;
    let session = server.create_session().await;
    let url = server.ws_url(&session.id, &session.facilitator_token);
    let writer = YClient::connect(&url).await.unwrap();
    writer.wait_synced().await;
    writer
        .edit_text("scratch", |t, txn| t.insert(txn, 0, "blijft bewaard"))
        .await;
    assert!(eventually(Duration::from_secs(5), || writer.frames_received() >= 1).await);
    tokio::time::sleep(Duration::from_millis(200)).await;
    writer.disconnect().await;
    // housekeeping runs every 5 s
    let unloaded = async {
        for _ in 0..100 {
            if server.metric("werkplaats_sessions_live").await == 0 {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    };
    assert!(unloaded.await, "session did not unload");
    let reader = YClient::connect(&url).await.unwrap();
    let text = reader.doc.get_or_insert_text("scratch");
    assert!(
        eventually(Duration::from_secs(5), || text
            .get_string(&reader.doc.transact())
            == "blijft bewaard")
        .await
    );
    assert_eq!(server.metric("werkplaats_sessions_loaded_total").await, 2);
}

#[tokio::test]
async fn shutdown_closes_sockets_with_going_away() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let client = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap();
    client.wait_synced().await;
    server.server.shutdown().await;
    let closed = client.wait_closed().await.expect("closed");
    assert_eq!(closed.code, close::GOING_AWAY);
}

#[tokio::test]
async fn a_client_that_does_not_read_is_disconnected_and_others_carry_on() {
    let mut config = Config::for_tests();
    config.outbound_queue = 128;
    // The writer below puts 12.8 MB into the document; this test is about the slow client,
    // not the document budget (8 MiB by default).
    config.doc.max_document_bytes = 64 << 20;
    let server = TestServer::start_with(config, Arc::new(MemoryStore::new())).await;
    let session = server.create_session().await;
    let url = server.ws_url(&session.id, &session.facilitator_token);

    // A raw socket that sends its sync step 1 (so the server starts sending it updates) and
    // then never reads: its kernel buffers fill, the writer blocks, the outbound queue runs full.
    let (mut stuck, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .unwrap();
    let step1 = werkplaats_protocol::message::Message::SyncStep1(&[0]).encode();
    futures_util::SinkExt::send(
        &mut stuck,
        tokio_tungstenite::tungstenite::Message::Binary(step1.into()),
    )
    .await
    .unwrap();
    let writer = YClient::connect(&url).await.unwrap();
    let reader = YClient::connect(&url).await.unwrap();
    writer.wait_synced().await;
    reader.wait_synced().await;
    let chunk = "x".repeat(16 * 1024);
    for i in 0..800 {
        writer
            .edit_text("scratch", |t, txn| t.insert(txn, 0, &chunk))
            .await;
        if i % 32 == 0 {
            tokio::task::yield_now().await;
        }
    }
    let text = reader.doc.get_or_insert_text("scratch");
    assert!(
        eventually(Duration::from_secs(20), || text.len(&reader.doc.transact())
            as usize
            == 800 * chunk.len())
        .await,
        "a healthy reader received every update"
    );
    assert!(
        server
            .metric("werkplaats_slow_client_disconnects_total")
            .await
            >= 1
    );
    drop(stuck);
}
