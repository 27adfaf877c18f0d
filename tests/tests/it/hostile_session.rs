//! Attacks with a valid join code: filling a session's board and its view so that the
//! facilitator can no longer steer, flooding it with joins, and a code that got out (which the
//! facilitator replaces).

use std::sync::Arc;

use werkplaats_protocol::control::{Command, ErrorCode, Event};
use werkplaats_server::Config;
use werkplaats_server::store::memory::MemoryStore;
use werkplaats_tests::{ServerProcess, TestServer, YClient};

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
    // Its code went with it: answered like a code that never existed.
    werkplaats_tests::assert_api_error(
        join_request(&server, &session.join_code, "Laat").await,
        404,
        "not_found",
    )
    .await;
}

async fn join_request(server: &TestServer, code: &str, name: &str) -> reqwest::Response {
    server
        .http
        .post(server.url("/api/join"))
        .json(&serde_json::json!({ "code": code, "name": name }))
        .send()
        .await
        .expect("join request")
}

/// A script with the join code, on as many addresses as it likes (the per-address limit is
/// lifted here), joins 200 times. Before: all 200 got in (500 filled the session). Now the
/// session adds at most `--session-joins-per-minute` (60) a minute, whoever asks; the rest get
/// 429.
#[tokio::test]
async fn a_join_flood_is_held_to_the_session_join_rate() {
    let mut config = Config::for_tests();
    config.join_per_minute = 100_000;
    let server = TestServer::start_with(config, Arc::new(MemoryStore::new())).await;
    let session = server.create_session().await;
    let (mut admitted, mut limited) = (0, 0);
    for n in 0..200 {
        let response = join_request(&server, &session.join_code, &format!("Bot {n}")).await;
        match response.status().as_u16() {
            200 => admitted += 1,
            429 => {
                limited += 1;
                assert!(response.headers().contains_key("retry-after"));
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!(admitted, 60, "the session's join rate");
    assert_eq!(limited, 140);
}

/// Before: the facilitator could not stop a flood. Now `set_join_locked` shuts the door
/// (403 `forbidden` for every join, right code or not) until it is unlocked; co-facilitators
/// may lock too, participants may not.
#[tokio::test]
async fn a_locked_session_takes_no_new_joins() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let joined = server.join(&session.join_code, "Deelnemer").await;
    let participant = YClient::connect(&server.ws_url(&session.id, &joined.participant_token))
        .await
        .unwrap();
    participant.hello().await;
    assert!(matches!(
        participant
            .request(Command::SetJoinLocked { locked: true })
            .await,
        Event::Error {
            code: ErrorCode::Forbidden,
            ..
        }
    ));
    let facilitator = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap();
    facilitator.hello().await;
    assert_eq!(
        facilitator
            .request(Command::SetJoinLocked { locked: true })
            .await,
        Event::Ack
    );
    werkplaats_tests::assert_api_error(
        join_request(&server, &session.join_code, "Bot").await,
        403,
        "forbidden",
    )
    .await;
    // Whoever is in stays in.
    assert!(participant.closed().is_none());
    facilitator
        .request(Command::SetJoinLocked { locked: false })
        .await;
    server.join(&session.join_code, "Laatkomer").await;
}

/// Before: a participant (or a co-facilitator link) could not be taken out. Now
/// `remove_participant` revokes the token: the connection closes with 4403, the token gets
/// 4401 from then on, and the post-its stay on the board.
#[tokio::test]
async fn the_facilitator_removes_a_participant_and_a_co_facilitator() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let facilitator = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap();
    facilitator.hello().await;
    let joined = server.join(&session.join_code, "Stoorzender").await;
    let url = server.ws_url(&session.id, &joined.participant_token);
    let troll = YClient::connect(&url).await.unwrap();
    troll.hello().await;
    assert_eq!(
        troll
            .request(Command::PostIdea {
                text: "spam".into(),
                client_ref: "r1".into(),
            })
            .await,
        Event::Ack
    );
    let Event::CoFacilitatorAdded {
        participant_id: co_id,
        token: co_token,
        ..
    } = facilitator
        .request(Command::AddCoFacilitator { name: "Co".into() })
        .await
    else {
        panic!("no co-facilitator link");
    };
    let co = YClient::connect(&server.ws_url(&session.id, &co_token))
        .await
        .unwrap();
    co.hello().await;
    // A co-facilitator may not remove anyone.
    assert!(matches!(
        co.request(Command::RemoveParticipant {
            participant_id: joined.participant_id.clone(),
        })
        .await,
        Event::Error {
            code: ErrorCode::Forbidden,
            ..
        }
    ));
    for (id, client) in [(&joined.participant_id, &troll), (&co_id, &co)] {
        assert_eq!(
            facilitator
                .request(Command::RemoveParticipant {
                    participant_id: id.clone(),
                })
                .await,
            Event::Ack
        );
        let closed = client.wait_closed().await.expect("closed");
        assert_eq!(closed.code, werkplaats_protocol::close::REMOVED);
    }
    for token in [&joined.participant_token, &co_token] {
        let again = YClient::connect(&server.ws_url(&session.id, token))
            .await
            .unwrap();
        assert_eq!(
            again.wait_closed().await.map(|c| c.code),
            Some(werkplaats_protocol::close::UNAUTHORIZED)
        );
    }
    // The facilitator cannot remove themself.
    let own_id = session.facilitator_participant_id.clone();
    assert!(matches!(
        facilitator
            .request(Command::RemoveParticipant {
                participant_id: own_id,
            })
            .await,
        Event::Error {
            code: ErrorCode::NotFound,
            ..
        }
    ));
    let view = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap()
        .hello()
        .await;
    assert_eq!(
        view.ideas.len(),
        1,
        "the removed participant's post-it stays"
    );
    assert!(
        !view
            .participants
            .iter()
            .any(|p| p.id == joined.participant_id || p.id == co_id)
    );
}

/// Before: codes were 6 letters from 23 (2^27), guessable across many addresses. Now they are
/// 12 (2^54; the arithmetic is in SECURITY.md), and still typed as people read them aloud:
/// in groups, in lower case, with or without dashes.
#[tokio::test]
async fn join_codes_are_long_and_typeable() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let code = &session.join_code;
    assert_eq!(code.len(), 12);
    let spoken = format!(
        "{}-{} {}",
        code[..4].to_lowercase(),
        &code[4..8],
        code[8..].to_lowercase()
    );
    let joined = server.join(&spoken, "Telefoon").await;
    assert_eq!(joined.session_id, session.id);
    // Six letters of it are not a code.
    werkplaats_tests::assert_api_error(
        join_request(&server, &code[..6], "Gok").await,
        404,
        "not_found",
    )
    .await;
}

/// Before: a connection could send awareness updates as fast as it liked, and each went to
/// every connection of the session. Now beyond `--awareness-per-second` (30, burst 60) it is
/// closed with 4429; the others stay.
#[tokio::test]
async fn an_awareness_flood_is_closed() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let bystander = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap();
    bystander.wait_synced().await;
    let joined = server.join(&session.join_code, "Cursor").await;
    let flooder = YClient::connect(&server.ws_url(&session.id, &joined.participant_token))
        .await
        .unwrap();
    flooder.wait_synced().await;
    for clock in 1..=1_000 {
        if flooder.closed().is_some() {
            break;
        }
        flooder.set_awareness(4242, clock, r#"{"cursor":1}"#).await;
    }
    let closed = flooder.wait_closed().await.expect("closed");
    assert_eq!(closed.code, werkplaats_protocol::close::RATE_LIMITED);
    assert!(bystander.closed().is_none());
}

/// Before: an anonymous post-it kept its author's id and name in the stored state, hidden only
/// on screen. Now the store holds no author for it.
#[tokio::test]
async fn anonymous_post_its_leave_no_author_in_the_store() {
    use werkplaats_server::store::Store;
    let store = Arc::new(MemoryStore::new());
    let server = TestServer::start_with(Config::for_tests(), store.clone()).await;
    let session = server.create_session().await;
    let facilitator = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap();
    facilitator.hello().await;
    facilitator
        .request(Command::SetSettings {
            anonymous_posting: Some(true),
            votes_per_participant: None,
            auto_next_round: None,
        })
        .await;
    let joined = server.join(&session.join_code, "Geheimhouder").await;
    let writer = YClient::connect(&server.ws_url(&session.id, &joined.participant_token))
        .await
        .unwrap();
    writer.hello().await;
    assert_eq!(
        writer
            .request(Command::PostIdea {
                text: "anoniem".into(),
                client_ref: "r1".into(),
            })
            .await,
        Event::Ack
    );
    let loaded = store.load_session(&session.id).await.unwrap().unwrap();
    let state = String::from_utf8_lossy(&loaded.state);
    assert!(state.contains("anoniem"), "the post-it is stored");
    let idea_start = state.find("anoniem").unwrap();
    let idea_end = state[idea_start..].find('}').unwrap() + idea_start;
    let idea_open = state[..idea_start].rfind('{').unwrap();
    let idea = &state[idea_open..idea_end];
    assert!(
        !idea.contains(&joined.participant_id) && !idea.contains("Geheimhouder"),
        "{idea}"
    );
}

/// The body of a 404 for a code no session ever had, to compare a rotated-away code with.
async fn unknown_code_answer(server: &TestServer) -> serde_json::Value {
    let response = join_request(server, "ACDE-FGHJ-KMNP", "Gok").await;
    assert_eq!(response.status(), 404);
    response.json().await.unwrap()
}

fn new_code(event: &Event) -> Option<String> {
    match event {
        Event::JoinCode { join_code } => Some(join_code.clone()),
        _ => None,
    }
}

/// Before: a code that got out (a photo of the projector on social media) worked until the
/// session ended; the facilitator could only lock everyone out. Now `rotate_join_code` (the
/// facilitator or a co-facilitator; not a participant) replaces it: the old code answers as a
/// code that never existed, the new one joins, and everyone on the control channel (the
/// facilitators' share panel, the room display) gets the new code at once.
#[tokio::test]
async fn the_facilitators_rotate_the_join_code() {
    let server = TestServer::start().await;
    let session = server.create_session().await;
    let old = session.join_code.clone();
    let facilitator = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap();
    facilitator.hello().await;
    let display = YClient::connect(&server.ws_url(&session.id, &session.display_token))
        .await
        .unwrap();
    display.hello().await;
    let joined = server.join(&old, "Deelnemer").await;
    let participant = YClient::connect(&server.ws_url(&session.id, &joined.participant_token))
        .await
        .unwrap();
    participant.hello().await;
    assert!(matches!(
        participant.request(Command::RotateJoinCode).await,
        Event::Error {
            code: ErrorCode::Forbidden,
            ..
        }
    ));
    assert!(matches!(
        display.request(Command::RotateJoinCode).await,
        Event::Error {
            code: ErrorCode::Forbidden,
            ..
        }
    ));
    // Refused: the code is what it was.
    server.join(&old, "Nog welkom").await;

    assert_eq!(
        facilitator.request(Command::RotateJoinCode).await,
        Event::Ack
    );
    let code = new_code(&facilitator.wait_event(|e| new_code(e).is_some()).await).unwrap();
    assert_ne!(code, old);
    assert_eq!(code.len(), 12);
    assert_eq!(
        new_code(&display.wait_event(|e| new_code(e).is_some()).await),
        Some(code.clone()),
        "the room display shows the new code"
    );
    let unknown = unknown_code_answer(&server).await;
    let refused = join_request(&server, &old, "Oude code").await;
    assert_eq!(refused.status(), 404);
    assert_eq!(
        refused.json::<serde_json::Value>().await.unwrap(),
        unknown,
        "the old code answers exactly as an unknown one"
    );
    assert_eq!(
        server.join(&code, "Nieuwe code").await.session_id,
        session.id
    );
    // Whoever is in stays in, and a fresh view carries the new code.
    assert!(participant.closed().is_none());
    let view = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap()
        .hello()
        .await;
    assert_eq!(view.join_code, code);

    // A co-facilitator may rotate too (as they may lock the session).
    let Event::CoFacilitatorAdded { token, .. } = facilitator
        .request(Command::AddCoFacilitator { name: "Co".into() })
        .await
    else {
        panic!("no co-facilitator link");
    };
    let co = YClient::connect(&server.ws_url(&session.id, &token))
        .await
        .unwrap();
    co.hello().await;
    facilitator.clear_events();
    assert_eq!(co.request(Command::RotateJoinCode).await, Event::Ack);
    let third = new_code(&facilitator.wait_event(|e| new_code(e).is_some()).await).unwrap();
    assert_ne!(third, code);
    werkplaats_tests::assert_api_error(
        join_request(&server, &code, "Te laat").await,
        404,
        "not_found",
    )
    .await;
    server.join(&third, "Derde").await;
}

/// The new code is in the store, not only in the running session: after a restart the old
/// code is still unknown and the new one still joins.
#[tokio::test]
async fn a_rotated_join_code_survives_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(data.path()).await;
    let session = server.create_session("Rotatie").await;
    let facilitator = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap();
    facilitator.hello().await;
    assert_eq!(
        facilitator.request(Command::RotateJoinCode).await,
        Event::Ack
    );
    let code = new_code(&facilitator.wait_event(|e| new_code(e).is_some()).await).unwrap();
    server.stop().await;

    let server = ServerProcess::start(data.path()).await;
    let old = server
        .http
        .post(server.url("/api/join"))
        .json(&serde_json::json!({ "code": session.join_code, "name": "Oude code" }))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 404);
    assert_eq!(
        server.join(&code, "Nieuwe code").await.session_id,
        session.id
    );
    let view = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap()
        .hello()
        .await;
    assert_eq!(view.join_code, code);
    server.stop().await;
}

fn refused(event: Event, code: ErrorCode) -> bool {
    matches!(event, Event::Error { code: got, .. } if got == code)
}

/// The limits on what goes into a session are flags (`--max-post-it-chars`,
/// `--post-it-burst`, `--max-groups`, `--max-carousel-rounds`, `--max-participants`,
/// `--max-name-chars`, `--max-awareness-state-bytes`): a server with small ones holds each.
#[tokio::test]
async fn the_session_limits_follow_their_flags() {
    let mut config = Config::for_tests();
    let limits = &mut config.session;
    limits.max_post_it_chars = 10;
    limits.post_it_burst = 2;
    limits.max_groups = 1;
    limits.max_carousel_rounds = 1;
    // The facilitator, the display and two more.
    limits.max_participants = 4;
    limits.max_name_chars = 5;
    limits.max_awareness_state_bytes = 256;
    let server = TestServer::start_with(config, Arc::new(MemoryStore::new())).await;
    let session = server.create_session().await;
    let joined = server.join(&session.join_code, "Annemarie").await;
    server.join(&session.join_code, "Bram").await;
    werkplaats_tests::assert_api_error(
        join_request(&server, &session.join_code, "Vijfde").await,
        503,
        "unavailable",
    )
    .await;

    let facilitator = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap();
    let view = facilitator.hello().await;
    let annemarie = view
        .participants
        .iter()
        .find(|p| p.id == joined.participant_id)
        .unwrap();
    assert_eq!(annemarie.name, "Annem", "names are cut at --max-name-chars");

    let writer = YClient::connect(&server.ws_url(&session.id, &joined.participant_token))
        .await
        .unwrap();
    writer.hello().await;
    let post = |text: &str, client_ref: &str| Command::PostIdea {
        text: text.into(),
        client_ref: client_ref.into(),
    };
    assert!(refused(
        writer.request(post("elf tekens!", "r0")).await,
        ErrorCode::BadRequest
    ));
    assert_eq!(writer.request(post("een", "r1")).await, Event::Ack);
    assert_eq!(writer.request(post("twee", "r2")).await, Event::Ack);
    assert!(refused(
        writer.request(post("drie", "r3")).await,
        ErrorCode::RateLimited
    ));

    facilitator.clear_events();
    let ids: Vec<String> = facilitator
        .hello()
        .await
        .ideas
        .iter()
        .map(|i| i.id.clone())
        .collect();
    let group = |id: &str, label: &str| Command::GroupIdeas {
        idea_ids: vec![id.to_owned()],
        group_id: None,
        label: Some(label.into()),
    };
    assert_eq!(facilitator.request(group(&ids[0], "A")).await, Event::Ack);
    assert!(refused(
        facilitator.request(group(&ids[1], "B")).await,
        ErrorCode::Conflict
    ));

    facilitator.request(Command::PhaseGoto { index: 3 }).await;
    let round = |topic: &str| Command::CarouselAddRound {
        topic: topic.into(),
        owner_id: joined.participant_id.clone(),
        activity_id: None,
    };
    assert_eq!(facilitator.request(round("Eerste")).await, Event::Ack);
    assert!(refused(
        facilitator.request(round("Tweede")).await,
        ErrorCode::Conflict
    ));

    let state = format!(r#"{{"name":"{}"}}"#, "x".repeat(300));
    writer.set_awareness(4242, 1, &state).await;
    let closed = writer.wait_closed().await.expect("closed");
    assert_eq!(closed.code, werkplaats_protocol::close::POLICY_VIOLATION);
}
