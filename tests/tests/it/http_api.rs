//! The JSON API: creating and joining sessions, health, metrics, rate limits.

use serde_json::Value;
use werkplaats_tests::{TestServer, assert_api_error};

#[tokio::test]
async fn create_returns_ids_tokens_and_links() {
    let server = TestServer::start().await;
    let response = server
        .http
        .post(server.url("/api/sessions"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    let id = body["id"].as_str().unwrap();
    assert_eq!(id.len(), 22, "128 bits, URL-safe");
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    let code = body["join_code"].as_str().unwrap();
    assert_eq!(code.len(), 12, "23^12 ≈ 2^54 codes (SECURITY.md)");
    assert!(
        code.chars().all(|c| !"01OILSZB258UV".contains(c)),
        "no look-alikes in {code}"
    );
    assert!(body["facilitator_token"].as_str().unwrap().len() >= 22);
    assert!(body["links"]["facilitator"].as_str().unwrap().contains(id));
    assert!(
        body["links"]["participant"]
            .as_str()
            .unwrap()
            .contains(code)
    );
}

#[tokio::test]
async fn create_refuses_a_malformed_body() {
    let server = TestServer::start().await;
    let response = server
        .http
        .post(server.url("/api/sessions"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_api_error(response, 400, "bad_request").await;
}

#[tokio::test]
async fn join_by_code_is_forgiving_about_case_and_spaces() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let typed = format!(
        " {} {} ",
        &session.join_code[..3].to_lowercase(),
        &session.join_code[3..]
    );
    let joined = server.join(&typed, "  Bram ").await;
    assert_eq!(joined.session_id, session.id);
    assert_ne!(joined.participant_token, session.facilitator_token);
}

#[tokio::test]
async fn join_with_a_wrong_code_or_no_name_is_refused() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let wrong = server
        .http
        .post(server.url("/api/join"))
        .json(&serde_json::json!({ "code": "ACDEFG", "name": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);
    let nameless = server
        .http
        .post(server.url("/api/join"))
        .json(&serde_json::json!({ "code": session.join_code, "name": " \u{0007} " }))
        .send()
        .await
        .unwrap();
    assert_eq!(nameless.status(), 400);
}

#[tokio::test]
async fn join_attempts_are_rate_limited_per_address() {
    let server = TestServer::start().await; // 20 per minute
    let mut statuses = Vec::new();
    for _ in 0..25 {
        let response = server
            .http
            .post(server.url("/api/join"))
            .json(&serde_json::json!({ "code": "ACDEFG", "name": "guess" }))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            assert!(response.headers().contains_key("retry-after"));
        }
    }
    assert_eq!(statuses.iter().filter(|s| **s == 404).count(), 20);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 5);
    assert_eq!(
        server.metric("werkplaats_joins_rate_limited_total").await,
        5
    );
}

#[tokio::test]
async fn healthz_and_metrics_answer() {
    let server = TestServer::start().await;
    let health = server
        .http
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let metrics = server
        .http
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert!(
        metrics.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = metrics.text().await.unwrap();
    for name in [
        "werkplaats_connections",
        "werkplaats_sessions_live",
        "werkplaats_messages_in_total",
        "werkplaats_bytes_out_total",
        "werkplaats_slow_client_disconnects_total",
        "werkplaats_rejected_inputs_total",
    ] {
        assert!(text.contains(&format!("# TYPE {name} ")), "{name} missing");
    }
}
