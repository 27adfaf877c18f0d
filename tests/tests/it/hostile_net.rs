//! Attacks on the connection and HTTP layer: log floods, slow and silent clients, foreign
//! origins, session creation.

use std::time::Duration;

use werkplaats_protocol::close;
use werkplaats_protocol::message::Message;
use werkplaats_tests::{ServerProcess, TestServer, YClient, assert_api_error};

/// One participant sends malformed control messages in a loop, each with a newline followed
/// by a forged log line and 2 KB of padding. Before: every one was logged at WARN with the
/// text (399 MB in 2 s from one connection, forged lines included) and the connection stayed
/// open. Now: one escaped log line per kind, a counter per kind, and 1008 after a few.
#[tokio::test]
async fn a_flood_of_bad_control_messages_is_logged_once_and_closed_with_1008() {
    let data = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(data.path()).await;
    let session = server.create_session("Logboek").await;
    let joined = server.join(&session.join_code, "Mallory").await;
    let attacker = YClient::connect(&server.ws_url(&session.id, &joined.participant_token))
        .await
        .unwrap();
    attacker.wait_synced().await;
    let log_before = server.log().len();

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
    assert_eq!(counted, 8, "counted per kind, then closed");
    let log = server.log();
    let written = &log[log_before..];
    assert_eq!(
        written.matches("bad control message").count(),
        1,
        "{written}"
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

/// Before: no `nosniff`, and the answers that carry tokens could be cached.
#[tokio::test]
async fn responses_carry_nosniff_and_token_answers_are_not_cached() {
    let server = TestServer::start().await;
    let page = server.http.get(server.url("/")).send().await.unwrap();
    let headers = page.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");

    let created = server.create_request(serde_json::json!({})).await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["cache-control"], "no-store");
    assert_eq!(created.headers()["x-content-type-options"], "nosniff");
}
