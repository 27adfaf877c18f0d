//! Attacks with a valid join code: filling a session's board and its view so that the
//! facilitator can no longer steer.

use std::sync::Arc;

use werkplaats_protocol::control::{Command, ErrorCode, Event};
use werkplaats_server::Config;
use werkplaats_server::store::memory::MemoryStore;
use werkplaats_tests::{TestServer, YClient};

/// Sixty scripted participants post ten post-its of 500 emoji (2,000 bytes) each. Before: the
/// board took 1,000 such post-its, the `session` event grew past 2 MiB and a facilitator's
/// `hello` got no session at all. Now the board takes at most `--max-board-text-bytes` of text
/// (512 KiB), the rest is refused with `conflict`, and the session view stays small enough to
/// reach the facilitator.
#[tokio::test]
async fn a_board_full_of_emoji_keeps_the_session_view_small() {
    let mut config = Config::for_tests();
    config.join_per_minute = 100_000;
    let server = TestServer::start_with(config, Arc::new(MemoryStore::new())).await;
    let session = server.create_session().await;
    let emoji = "😀".repeat(500);
    let (mut accepted, mut refused) = (0, 0);
    for person in 0..60 {
        let joined = server
            .join(&session.join_code, &format!("Bot {person}"))
            .await;
        let bot = YClient::connect(&server.ws_url(&session.id, &joined.participant_token))
            .await
            .unwrap();
        bot.hello().await;
        for n in 0..10 {
            let answer = bot
                .request(Command::PostIdea {
                    text: emoji.clone(),
                    client_ref: format!("r{n}"),
                })
                .await;
            match answer {
                Event::Ack => accepted += 1,
                Event::Error {
                    code: ErrorCode::Conflict,
                    ..
                } => refused += 1,
                other => panic!("unexpected answer {other:?}"),
            }
        }
        bot.disconnect().await;
    }
    assert_eq!(accepted, 512 * 1024 / 2_000, "the board's text budget");
    assert_eq!(refused, 600 - accepted);

    let facilitator = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap();
    let view = facilitator.hello().await;
    assert_eq!(view.ideas.len(), accepted);
    let bytes = serde_json::to_vec(&view).unwrap().len();
    assert!(bytes < 1024 * 1024, "the session view is {bytes} bytes");
}

/// Before: the session queued `session_deleted` and closed every connection in the same
/// breath, and the connection stopped writing at once, so clients saw only the 4410. Now the
/// farewell is written before the close frame.
#[tokio::test]
async fn session_deleted_reaches_clients_before_the_4410() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let joined = server.join(&session.join_code, "Deelnemer").await;
    let participant = YClient::connect(&server.ws_url(&session.id, &joined.participant_token))
        .await
        .unwrap();
    participant.hello().await;
    let response = server
        .http
        .delete(server.url(&format!("/api/sessions/{}", session.id)))
        .bearer_auth(&session.facilitator_token)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let closed = participant.wait_closed().await.expect("closed");
    assert_eq!(closed.code, werkplaats_protocol::close::SESSION_DELETED);
    assert!(
        participant
            .last_event(|e| matches!(e, Event::SessionDeleted))
            .is_some(),
        "no session_deleted before the close"
    );
}
