//! Attacks on the connection and HTTP layer: log floods, slow and silent clients, foreign
//! origins, session creation.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use werkplaats_protocol::close;
use werkplaats_protocol::message::Message;
use werkplaats_server::Config;
use werkplaats_server::store::memory::MemoryStore;
use werkplaats_tests::{Launch, ServerProcess, TestServer, YClient, assert_api_error};

/// One participant sends malformed control messages in a loop, each with a newline followed
/// by a forged log line and 2 KB of padding. Before: every one was logged at WARN with the
/// text (399 MB in 2 s from one connection, forged lines included) and the connection stayed
/// open. Now: one escaped log line per kind, a counter per kind, and 1008 after a few
/// (`--max-bad-control-messages`, 5 here instead of 8; `--max-control-bytes` 4 KiB instead of
/// 64, so a 5 KB command counts as too large).
#[tokio::test]
async fn a_flood_of_bad_control_messages_is_logged_once_and_closed_with_1008() {
    let data = tempfile::tempdir().unwrap();
    let launch = Launch {
        args: vec![
            "--max-bad-control-messages=5".into(),
            "--max-control-bytes=4096".into(),
        ],
        ..Launch::default()
    };
    let server = ServerProcess::start_with(data.path(), launch)
        .await
        .unwrap();
    let session = server.create_session("Logboek").await;
    let joined = server.join(&session.join_code, "Mallory").await;
    let attacker = YClient::connect(&server.ws_url(&session.id, &joined.participant_token))
        .await
        .unwrap();
    attacker.wait_synced().await;
    let log_before = server.log().len();

    // Well-formed, but larger than this server's control messages may be.
    let large = format!(
        r#"{{"type":"post_idea","text":"{}","client_ref":"r1"}}"#,
        "x".repeat(5_000)
    );
    attacker.send_frame(Message::Control(&large).encode()).await;
    let padding = "x".repeat(2_000);
    for _ in 0..200 {
        let forged = format!(
            "{{\"type\":\"nope\nFORGED werkplaats: facilitator token accepted {padding}\"}}"
        );
        attacker
            .send_frame(Message::Control(&forged).encode())
            .await;
    }
    let closed = attacker.wait_closed().await.expect("closed by the server");
    assert_eq!(closed.code, close::POLICY_VIOLATION, "{}", closed.reason);

    assert!(
        server
            .wait_for_log("bad control message", Duration::from_secs(5))
            .await
    );
    // A raw newline inside a JSON string is a syntax error; count every kind.
    let mut counted = 0;
    for kind in ["syntax", "shape", "too_large"] {
        counted += server
            .metric(&format!("werkplaats_bad_control_{kind}_total"))
            .await;
    }
    assert_eq!(counted, 5, "counted per kind, then closed");
    assert_eq!(
        server
            .metric("werkplaats_bad_control_too_large_total")
            .await,
        1
    );
    let log = server.log();
    let written = &log[log_before..];
    assert_eq!(
        written.matches("bad control message").count(),
        2,
        "once per kind: {written}"
    );
    assert!(
        !written.lines().any(|line| line.starts_with("FORGED")),
        "a client forged a log line:\n{written}"
    );
    assert!(
        !written.contains(&padding[..100]),
        "the client's text reached the log"
    );
    assert!(written.len() < 4_096, "{} bytes of log", written.len());
}

/// Before: `POST /api/sessions` took `text/plain` (and no content type at all), which a form or
/// a no-cors fetch on any web page can send, so any site could create sessions through a
/// visitor's browser. Now: JSON only, 415 otherwise.
#[tokio::test]
async fn sessions_are_created_only_from_json_requests() {
    let server = TestServer::start().await;
    let create = |content_type: Option<&'static str>| {
        let mut request = server
            .http
            .post(server.url("/api/sessions"))
            .body(r#"{"title":"Van een andere site"}"#);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        request.send()
    };
    for refused in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let response = create(refused).await.unwrap();
        assert_api_error(response, 415, "unsupported_media_type").await;
    }
    let response = create(Some("application/json; charset=utf-8"))
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

/// Before: any unknown path under `/api/` answered 200 with the web client's page.
#[tokio::test]
async fn an_unknown_api_path_is_a_json_404() {
    let server = TestServer::start().await;
    let response = server.http.get(server.url("/api/nope")).send().await;
    assert_api_error(response.unwrap(), 404, "not_found").await;
}

/// Before: no `nosniff`, no Content-Security-Policy (any site could frame the pages, and a
/// script slipped into one could load more or send data anywhere), and the answers that carry
/// tokens could be cached.
#[tokio::test]
async fn responses_carry_security_headers_and_token_answers_are_not_cached() {
    let server = TestServer::start().await;
    let page = server.http.get(server.url("/")).send().await.unwrap();
    let headers = page.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let policy = headers["content-security-policy"].to_str().unwrap();
    for directive in [
        "frame-ancestors 'none'",
        "script-src 'self';",
        "connect-src 'self';",
    ] {
        assert!(policy.contains(directive), "{directive} missing: {policy}");
    }

    let created = server.create_request(serde_json::json!({})).await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["cache-control"], "no-store");
    assert_eq!(created.headers()["x-content-type-options"], "nosniff");
}

async fn server_with(adjust: impl FnOnce(&mut Config)) -> TestServer {
    let mut config = Config::for_tests();
    adjust(&mut config);
    TestServer::start_with(config, Arc::new(MemoryStore::new())).await
}

/// Before: one address could create sessions without limit. Now `--create-per-minute` per
/// address (IPv6: per /64); another address is not affected.
#[tokio::test]
async fn session_creation_is_rate_limited_per_address() {
    let server = server_with(|config| config.net.create_per_minute = 3).await;
    for _ in 0..3 {
        assert_eq!(server.create_request(json!({})).await.status(), 201);
    }
    let refused = server.create_request(json!({})).await;
    assert!(refused.headers().contains_key("retry-after"));
    assert_api_error(refused, 429, "rate_limited").await;

    let elsewhere = reqwest::Client::builder()
        .local_address("127.0.0.2".parse::<IpAddr>().unwrap())
        .build()
        .unwrap();
    let response = elsewhere
        .post(server.url("/api/sessions"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "another address creates as before");
}

/// Before: a template of up to 2 MB (the body limit) was stored with every session. Now
/// templates are capped at `--max-template-bytes` (64 KiB; the built-in route is 26 KB).
#[tokio::test]
async fn an_oversized_template_is_refused() {
    let server = TestServer::start().await;
    let padding = format!("# {}\n", "x".repeat(70 * 1024));
    let template = format!("{padding}{}", werkplaats_protocol::template::PROBIBLIO_TOML);
    let response = server
        .create_request(json!({ "template_toml": template }))
        .await;
    assert_api_error(response, 413, "too_large").await;
    let builtin = server
        .create_request(json!({ "template_toml": werkplaats_protocol::template::PROBIBLIO_TOML }))
        .await;
    assert_eq!(
        builtin.status(),
        201,
        "the built-in route is well within it"
    );
}

/// Before: sessions were created until the disk was full. Now the SQLite store has a budget
/// (`--max-store-bytes`): above it creation answers 507, and what exists goes on.
#[tokio::test]
async fn creation_stops_at_the_disk_budget() {
    let data = tempfile::tempdir().unwrap();
    let launch = Launch {
        args: vec!["--max-store-bytes=1024".into()],
        ..Launch::default()
    };
    let server = ServerProcess::start_with(data.path(), launch)
        .await
        .unwrap();
    let response = server
        .http
        .post(server.url("/api/sessions"))
        .json(&json!({ "title": "Te veel" }))
        .send()
        .await
        .unwrap();
    assert_api_error(response, 507, "storage_full").await;
}

/// Before: the memory store (`--store memory`) had no budget at all. Now it counts what it
/// holds against `--max-store-bytes`: once a session's metadata (its template, about 20 KB)
/// is in, a budget of 4 KiB refuses the next one.
#[tokio::test]
async fn the_memory_store_counts_against_the_budget() {
    let server = server_with(|config| config.net.max_store_bytes = 4096).await;
    assert_eq!(server.create_request(json!({})).await.status(), 201);
    let refused = server.create_request(json!({})).await;
    assert_api_error(refused, 507, "storage_full").await;
}

/// With `--create-key`, creating a session takes the key; joining does not change.
#[tokio::test]
async fn a_create_key_guards_session_creation() {
    let key = "een-lange-geheime-sleutel";
    let server = server_with(|config| config.net.create_key = Some(key.parse().unwrap())).await;
    let create = |authorization: Option<String>| {
        let mut request = server
            .http
            .post(server.url("/api/sessions"))
            .json(&json!({}));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        request.send()
    };
    assert_api_error(create(None).await.unwrap(), 401, "unauthorized").await;
    assert_api_error(
        create(Some("Bearer fout".into())).await.unwrap(),
        401,
        "unauthorized",
    )
    .await;
    let created = create(Some(format!("Bearer {key}"))).await.unwrap();
    assert_eq!(created.status(), 201);
    let created: werkplaats_tests::CreatedSession = created.json().await.unwrap();
    server.join(&created.join_code, "Deelnemer").await;
}

/// A websocket handshake request for `url` with extra headers.
fn ws_request(
    url: &str,
    headers: &[(&'static str, &str)],
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = url.into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(*name, value.parse().unwrap());
    }
    request
}

/// The HTTP status a refused handshake got (`None`: it was accepted).
async fn handshake_status(
    request: tokio_tungstenite::tungstenite::handshake::client::Request,
) -> Option<u16> {
    match tokio_tungstenite::connect_async(request).await {
        Ok(_) => None,
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Some(response.status().as_u16())
        }
        Err(other) => panic!("handshake failed: {other}"),
    }
}

/// Before: any page could open a websocket with a leaked link. Now a browser page must be of
/// our own origin or on `--allowed-origin`; clients without `Origin` (stock Yjs clients) pass.
#[tokio::test]
async fn websockets_from_foreign_origins_are_refused() {
    let server =
        server_with(|config| config.net.allowed_origins = vec!["https://intranet.example".into()])
            .await;
    let session = server.create_session().await;
    let url = server.ws_url(&session.id, &session.facilitator_token);
    let own = format!("http://{}", server.addr());
    assert_eq!(
        handshake_status(ws_request(&url, &[("origin", "https://evil.example")])).await,
        Some(403)
    );
    assert_eq!(
        handshake_status(ws_request(&url, &[("origin", &own)])).await,
        None
    );
    assert_eq!(
        handshake_status(ws_request(&url, &[("origin", "https://intranet.example")])).await,
        None
    );
    assert_eq!(handshake_status(ws_request(&url, &[])).await, None);
}

/// Before: the token could only travel in the URL's query (and so into access logs). Now also
/// as `Authorization: Bearer` or as the subprotocol `werkplaats-token.TOKEN` (what the web
/// client does); the server answers with the subprotocol `werkplaats`.
#[tokio::test]
async fn the_token_may_travel_in_a_header_or_the_subprotocol() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let bare = format!("ws://{}/ws/{}", server.addr(), session.id);
    let protocols = format!("werkplaats, werkplaats-token.{}", session.facilitator_token);
    let (mut socket, response) = tokio_tungstenite::connect_async(ws_request(
        &bare,
        &[("sec-websocket-protocol", &protocols)],
    ))
    .await
    .unwrap();
    assert_eq!(response.headers()["sec-websocket-protocol"], "werkplaats");
    assert_synced_or_answered(&mut socket).await;

    let bearer = format!("Bearer {}", session.facilitator_token);
    let (mut socket, _) =
        tokio_tungstenite::connect_async(ws_request(&bare, &[("authorization", &bearer)]))
            .await
            .unwrap();
    assert_synced_or_answered(&mut socket).await;
}

/// Sends a sync step 1 and expects the server's sync step 2 (a refused token would get a
/// close frame instead).
async fn assert_synced_or_answered(
    socket: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message as WsMessage;
    socket
        .send(WsMessage::Binary(Message::SyncStep1(&[0]).encode().into()))
        .await
        .unwrap();
    let first = tokio::time::timeout(Duration::from_secs(5), socket.next())
        .await
        .expect("an answer")
        .expect("a frame")
        .unwrap();
    assert!(
        matches!(first, WsMessage::Binary(_)),
        "refused instead of synced: {first:?}"
    );
}

/// Before: every websocket to a made-up session id started a session task and read the
/// store, without limit. Now failures (unknown session, wrong token) count per address like
/// join attempts, and once they are spent the handshake is refused (429) before anything is
/// looked up. Another address is not affected.
#[tokio::test]
async fn guessing_session_ids_is_rate_limited_per_address() {
    let server = server_with(|config| config.join_per_minute = 5).await;
    let mut refused_early = 0;
    for n in 0..8 {
        let url = format!(
            "ws://{}/ws/AAAAAAAAAAAAAAAAAAAAA{}?token=x",
            server.addr(),
            char::from(b'A' + n)
        );
        match handshake_status(ws_request(&url, &[])).await {
            Some(429) => refused_early += 1,
            Some(other) => panic!("unexpected status {other}"),
            None => {}
        }
    }
    assert_eq!(
        refused_early, 3,
        "five guesses, then refused before any lookup"
    );
    let loaded = server.metric("werkplaats_sessions_loaded_total").await;
    assert!(loaded <= 5, "{loaded} session loads for 8 guesses");
}

/// `/metrics` with `--metrics-key` takes the key; without one it is for loopback only.
#[tokio::test]
async fn metrics_take_their_key() {
    let key = "een-lange-metriek-sleutel";
    let server = server_with(|config| config.net.metrics_key = Some(key.parse().unwrap())).await;
    let plain = server
        .http
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_api_error(plain, 401, "unauthorized").await;
    let keyed = server
        .http
        .get(server.url("/metrics"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(keyed.status(), 200);
    assert!(
        keyed
            .text()
            .await
            .unwrap()
            .contains("werkplaats_connections")
    );
}
