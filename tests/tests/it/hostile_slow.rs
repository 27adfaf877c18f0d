//! Slow and silent clients: half requests, trickled bodies, idle keep-alive connections,
//! websockets that never speak or never answer a ping. Each held its connection slot for good
//! before, so a few dozen sockets took a server with a small `--max-connections` down.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::Message as WsMessage;
use werkplaats_protocol::close;
use werkplaats_protocol::message::Message;
use werkplaats_server::Config;
use werkplaats_server::store::memory::MemoryStore;
use werkplaats_tests::TestServer;

/// Generous: the server's own timeouts in these tests are a second or two.
const DEADLINE: Duration = Duration::from_secs(15);

async fn server_with(adjust: impl FnOnce(&mut Config)) -> TestServer {
    let mut config = Config::for_tests();
    adjust(&mut config);
    TestServer::start_with(config, Arc::new(MemoryStore::new())).await
}

/// A TCP connection to `server` from the loopback address `from` (127.0.0.0/8 is all ours),
/// so a test can be two different client addresses.
async fn connect_from(from: &str, server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket
        .bind(SocketAddr::new(from.parse::<IpAddr>().unwrap(), 0))
        .unwrap();
    socket.connect(server).await.unwrap()
}

/// Whether the server closes `stream` (end of file or reset) before `DEADLINE`. Whatever the
/// server sends first (an error response) is read and dropped.
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 4096];
    tokio::time::timeout(DEADLINE, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// `GET /healthz` from `from` over a fresh connection: whether a 200 came back in time.
async fn healthz_from(from: &str, server: SocketAddr) -> bool {
    tokio::time::timeout(DEADLINE, async {
        let mut stream = connect_from(from, server).await;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: werkplaats\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        answer.starts_with(b"HTTP/1.1 200")
    })
    .await
    .unwrap_or(false)
}

/// Slowloris: every connection slot taken by a socket that sent half a request line. Before:
/// they held their slots for good and `/healthz` never answered. Now the header-read timeout
/// closes them and the waiting request is served.
#[tokio::test]
async fn half_requests_time_out_and_free_their_slots() {
    let server = server_with(|config| {
        config.max_connections = 8;
        config.net.header_read_timeout_secs = 1;
    })
    .await;
    let mut loris = Vec::new();
    for _ in 0..8 {
        let mut stream = connect_from("127.0.0.1", server.addr()).await;
        stream.write_all(b"GET /healthz HT").await.unwrap();
        loris.push(stream);
    }
    assert!(
        healthz_from("127.0.0.2", server.addr()).await,
        "/healthz never answered while half requests held every slot"
    );
    for stream in &mut loris {
        assert!(closed_by_server(stream).await, "a half request stayed open");
    }
}

/// One address opens more silent connections than its share. Before: they took every slot.
/// Now: beyond `--max-pending-per-address` they are closed at once, and another address is
/// served at once, long before any timeout.
#[tokio::test]
async fn one_address_cannot_hold_every_slot_with_silent_sockets() {
    let server = server_with(|config| {
        config.max_connections = 32;
        config.net.max_pending_per_address = 4;
        // Long, so only the per-address cap can explain what happens.
        config.net.header_read_timeout_secs = 600;
    })
    .await;
    let mut silent = Vec::new();
    for _ in 0..40 {
        silent.push(connect_from("127.0.0.1", server.addr()).await);
    }
    assert!(
        healthz_from("127.0.0.2", server.addr()).await,
        "another address was locked out"
    );
    let mut closed = 0;
    for stream in &mut silent[4..] {
        if closed_by_server(stream).await {
            closed += 1;
        }
    }
    assert_eq!(
        closed, 36,
        "every connection beyond the cap is closed at once"
    );
}

/// A keep-alive connection that sends one request and then nothing is closed after the
/// header-read timeout. Before: it stayed open for good.
#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let server = server_with(|config| config.net.header_read_timeout_secs = 1).await;
    let mut stream = connect_from("127.0.0.1", server.addr()).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: werkplaats\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let read = stream.read(&mut buf).await.unwrap();
    assert!(buf[..read].starts_with(b"HTTP/1.1 200"));
    assert!(
        closed_by_server(&mut stream).await,
        "idle keep-alive stayed open"
    );
}

/// A body announced at 1,000 bytes of which 10 arrive. Before: the request waited for the
/// rest for good. Now the body timeout ends it and the connection closes.
#[tokio::test]
async fn a_trickled_body_times_out() {
    let server = server_with(|config| config.net.body_timeout_secs = 1).await;
    let mut stream = connect_from("127.0.0.1", server.addr()).await;
    stream
        .write_all(
            b"POST /api/sessions HTTP/1.1\r\nHost: werkplaats\r\n\
              Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"title\":",
        )
        .await
        .unwrap();
    assert!(
        closed_by_server(&mut stream).await,
        "the request waited for good"
    );
}

/// Connects a websocket as a participant and returns it without sending anything.
async fn participant_socket(
    server: &TestServer,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>> {
    let session = server.create_session().await;
    let joined = server.join(&session.join_code, "Stil").await;
    let url = server.ws_url(&session.id, &joined.participant_token);
    let (socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    socket
}

/// Reads until the server's close frame and returns its code (pings are answered meanwhile,
/// as every websocket library does).
async fn close_code(
    socket: &mut tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>,
) -> Option<u16> {
    tokio::time::timeout(DEADLINE, async {
        while let Some(Ok(message)) = socket.next().await {
            if let WsMessage::Close(frame) = message {
                return frame.map(|frame| u16::from(frame.code));
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
}

/// A websocket that connects and then only answers pings. Before: its pongs reset the idle
/// timer and it stayed open for good. Now: no sync step 1 or hello in time is a 1008.
#[tokio::test]
async fn a_websocket_that_never_speaks_is_closed() {
    let server = server_with(|config| {
        config.net.ws_first_message_secs = 1;
        config.net.ws_ping_secs = 1;
    })
    .await;
    let mut socket = participant_socket(&server).await;
    assert_eq!(close_code(&mut socket).await, Some(close::POLICY_VIOLATION));
}

/// A websocket that synced and then stopped reading (so it answers no ping). Before: closed
/// only after 75 s without any frame. Now: after the pong timeout.
#[tokio::test]
async fn a_websocket_that_answers_no_ping_is_closed() {
    let server = server_with(|config| {
        config.net.ws_ping_secs = 1;
        config.net.ws_pong_timeout_secs = 1;
    })
    .await;
    let mut socket = participant_socket(&server).await;
    let empty_state_vector = [0u8];
    socket
        .send(WsMessage::Binary(
            Message::SyncStep1(&empty_state_vector).encode().into(),
        ))
        .await
        .unwrap();
    // Not reading: tungstenite answers a ping only while the stream is read.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(close_code(&mut socket).await, Some(close::GOING_AWAY));
}

/// A client that keeps answering pings and has synced stays: liveness is not activity, and a
/// participant who only watches is a participant.
#[tokio::test]
async fn a_synced_quiet_websocket_that_answers_pings_stays_open() {
    let server = server_with(|config| {
        config.net.ws_first_message_secs = 1;
        config.net.ws_ping_secs = 1;
        config.net.ws_pong_timeout_secs = 1;
    })
    .await;
    let mut socket = participant_socket(&server).await;
    let empty_state_vector = [0u8];
    socket
        .send(WsMessage::Binary(
            Message::SyncStep1(&empty_state_vector).encode().into(),
        ))
        .await
        .unwrap();
    let quiet = tokio::time::timeout(Duration::from_secs(4), async {
        while let Some(Ok(message)) = socket.next().await {
            if let WsMessage::Close(frame) = message {
                return frame;
            }
        }
        None
    })
    .await;
    assert!(quiet.is_err(), "closed while answering pings: {quiet:?}");
}
