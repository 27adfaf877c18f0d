//! The whole route end to end with Rust clients through the protocol: create a session, join,
//! phases, the connection format, the board, a carousel round, the conversation guide, the
//! communication plan, export, delete.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use werkplaats_protocol::close;
use werkplaats_protocol::control::{Command, ErrorCode, Event, Role};
use werkplaats_protocol::workshop::{ClockView, schema};
use werkplaats_server::Config;
use werkplaats_server::store::memory::MemoryStore;
use werkplaats_tests::{TestServer, YClient, eventually};
use yrs::types::ToJson;
use yrs::{
    Any, Array, Doc, GetString, Map, MapPrelim, MapRef, Out, Text, TextPrelim, TextRef, Transact,
};

/// Template minutes of 40 ms: a 2/3/5/3/2 round takes 600 ms.
const MINUTE_MS: u64 = 40;

async fn server() -> TestServer {
    let mut config = Config::for_tests();
    config.minute_ms = MINUTE_MS;
    TestServer::start_with(config, Arc::new(MemoryStore::new())).await
}

/// The map of the first connection format in a replica (the server creates it).
fn first_format(doc: &Doc) -> Option<MapRef> {
    let formats = doc.get_or_insert_map(schema::FORMATS);
    let txn = doc.transact();
    let mut all: Vec<(f64, MapRef)> = formats
        .iter(&txn)
        .filter_map(|(_, v)| match v {
            Out::YMap(m) => {
                let created = match m.get(&txn, schema::FORMAT_CREATED) {
                    Some(Out::Any(Any::Number(n))) => n.as_f64().unwrap_or(0.0),
                    _ => 0.0,
                };
                Some((created, m))
            }
            _ => None,
        })
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    all.into_iter().next().map(|(_, m)| m)
}

fn format_count(doc: &Doc) -> usize {
    let formats = doc.get_or_insert_map(schema::FORMATS);
    formats.len(&doc.transact()) as usize
}

fn field(doc: &Doc, key: &str) -> Option<TextRef> {
    let format = first_format(doc)?;
    match format.get(&doc.transact(), key) {
        Some(Out::YText(text)) => Some(text),
        _ => None,
    }
}

fn read(doc: &Doc, key: &str) -> String {
    field(doc, key)
        .map(|t| t.get_string(&doc.transact()))
        .unwrap_or_default()
}

async fn type_into(client: &YClient, key: &str, at_end: bool, text: &str) {
    let target = field(&client.doc, key).expect("field exists");
    client
        .edit(|txn| {
            let at = if at_end { target.len(txn) } else { 0 };
            target.insert(txn, at, text);
        })
        .await;
}

fn carousel_trace(client: &YClient) -> Vec<String> {
    let events = client.events_snapshot();
    let mut trace: Vec<String> = Vec::new();
    for event in events {
        if let Event::Carousel { carousel: Some(c) } = event {
            let step = match c.clock {
                ClockView::Running { .. } => format!("stage {}", c.stage_index),
                ClockView::Done => "done".to_owned(),
                ClockView::Paused { .. } => format!("paused {}", c.stage_index),
                ClockView::Idle => "idle".to_owned(),
            };
            if trace.last() != Some(&step) {
                trace.push(step);
            }
        }
    }
    trace
}

#[tokio::test]
async fn the_whole_route_runs_end_to_end() {
    let server = server().await;
    let session = server.create_session().await;
    let ans_joined = server.join(&session.join_code, "Ans").await;
    let bram_joined = server.join(&session.join_code, "Bram").await;
    let fac = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap();
    let ans = YClient::connect(&server.ws_url(&session.id, &ans_joined.participant_token))
        .await
        .unwrap();
    let bram = YClient::connect(&server.ws_url(&session.id, &bram_joined.participant_token))
        .await
        .unwrap();
    let screen = YClient::connect(&server.ws_url(&session.id, &session.display_token))
        .await
        .unwrap();

    // Everyone says hello and gets the session for their role.
    let view = fac.hello().await;
    assert_eq!(view.template.phases.len(), 6);
    assert_eq!(view.phase.index, 0);
    assert_eq!(view.join_code, session.join_code);
    let ans_view = ans.hello().await;
    bram.hello().await;
    screen.hello().await;
    assert!(
        ans_view
            .participants
            .iter()
            .any(|p| p.name == "Bram" && p.role == Role::Participant)
    );
    assert!(
        !ans_view
            .participants
            .iter()
            .any(|p| p.role == Role::Display),
        "the screen is not a person"
    );

    // Phases: only the facilitator moves them, and everyone follows.
    assert!(matches!(
        ans.request(Command::PhaseNext).await,
        Event::Error {
            code: ErrorCode::Forbidden,
            ..
        }
    ));
    assert_eq!(
        fac.request(Command::PhaseGoto { index: 2 }).await,
        Event::Ack
    );
    for client in [&ans, &bram, &screen] {
        let event = client
            .wait_event(|e| matches!(e, Event::Phase { phase } if phase.index == 2))
            .await;
        assert!(matches!(event, Event::Phase { phase } if phase.phase_id == "verbindingen"));
    }

    // The connection format: the server made one; two people type in it at once.
    assert!(
        eventually(Duration::from_secs(5), || first_format(&ans.doc).is_some()
            && first_format(&bram.doc).is_some())
        .await
    );
    let name_key = schema::side_name_key("programma-x");
    type_into(&ans, &name_key, false, "Taal").await;
    type_into(&bram, &name_key, true, "huis").await;
    let goals = schema::side_block_key("ido", "doelen");
    type_into(&bram, &goals, false, "Iedereen kan meedoen.").await;
    assert!(
        eventually(Duration::from_secs(5), || read(&ans.doc, &name_key)
            == read(&bram.doc, &name_key)
            && read(&ans.doc, &name_key).len() == 8)
        .await
    );
    assert!(
        eventually(Duration::from_secs(5), || read(&fac.doc, &goals)
            == "Iedereen kan meedoen.")
        .await
    );
    // An action with owner and date, added as a row.
    let actions_key = schema::follow_up_key("acties");
    let format = first_format(&ans.doc).unwrap();
    ans.edit(|txn| {
        let Some(Out::YArray(actions)) = format.get(txn, &actions_key) else {
            panic!("actions array")
        };
        let row: MapPrelim = [
            (schema::ROW_ID, yrs::In::from("a1")),
            (
                schema::ACTION_TEXT,
                TextPrelim::new("Samen een spreekuur in de bieb").into(),
            ),
            (schema::ACTION_OWNER, TextPrelim::new("Ans").into()),
            (schema::ACTION_DATE, yrs::In::from("2026-12-01")),
        ]
        .into_iter()
        .collect();
        actions.push_back(txn, row);
    })
    .await;
    // A second format for another programme.
    assert!(matches!(
        bram.request(Command::AddFormat {
            activity_id: "verbindingsformat".into()
        })
        .await,
        Event::FormatAdded { .. }
    ));
    assert!(eventually(Duration::from_secs(5), || format_count(&ans.doc) == 2).await);
    assert!(matches!(
        screen
            .request(Command::AddFormat {
                activity_id: "verbindingsformat".into()
            })
            .await,
        Event::Error {
            code: ErrorCode::Forbidden,
            ..
        }
    ));

    // The board: post, a retry posts once, vote, group, hide.
    fac.request(Command::PhaseGoto { index: 3 }).await;
    let post = Command::PostIdea {
        text: "  Koffie-ochtend met het Taalhuis ".into(),
        client_ref: "ans-1".into(),
    };
    assert_eq!(ans.request(post.clone()).await, Event::Ack);
    assert_eq!(ans.request(post).await, Event::Ack, "a retry is accepted");
    ans.request(Command::PostIdea {
        text: "<img src=x onerror=alert(1)>".into(),
        client_ref: "ans-2".into(),
    })
    .await;
    let idea = bram
        .wait_event(
            |e| matches!(e, Event::Idea { idea } if idea.text == "Koffie-ochtend met het Taalhuis"),
        )
        .await;
    let Event::Idea { idea } = idea else {
        unreachable!()
    };
    assert_eq!(idea.author_name.as_deref(), Some("Ans"));
    assert_eq!(
        bram.request(Command::Vote {
            idea_id: idea.id.clone()
        })
        .await,
        Event::Ack
    );
    assert!(matches!(
        bram.request(Command::Vote {
            idea_id: idea.id.clone()
        })
        .await,
        Event::Error {
            code: ErrorCode::Conflict,
            ..
        }
    ));
    bram.wait_event(|e| matches!(e, Event::MyVotes { idea_ids } if idea_ids.len() == 1))
        .await;
    let grouped = fac
        .request(Command::GroupIdeas {
            idea_ids: vec![idea.id.clone()],
            group_id: None,
            label: Some("Samen doen".into()),
        })
        .await;
    assert_eq!(grouped, Event::Ack);
    ans.wait_event(|e| matches!(e, Event::Groups { groups } if groups.len() == 1))
        .await;
    let xss = fac
        .wait_event(|e| matches!(e, Event::Idea { idea } if idea.text.starts_with("<img")))
        .await;
    let Event::Idea { idea: xss } = xss else {
        unreachable!()
    };
    assert!(matches!(
        ans.request(Command::HideIdea {
            idea_id: xss.id.clone(),
            hidden: true
        })
        .await,
        Event::Error {
            code: ErrorCode::Forbidden,
            ..
        }
    ));
    fac.request(Command::HideIdea {
        idea_id: xss.id.clone(),
        hidden: true,
    })
    .await;
    bram.wait_event(|e| matches!(e, Event::IdeaRemoved { id } if *id == xss.id))
        .await;
    fac.wait_event(|e| matches!(e, Event::Idea { idea } if idea.id == xss.id && idea.hidden))
        .await;
    // Anonymous posting: nobody learns the author.
    fac.request(Command::SetSettings {
        anonymous_posting: Some(true),
        votes_per_participant: None,
        auto_next_round: None,
    })
    .await;
    bram.request(Command::PostIdea {
        text: "Anoniem idee".into(),
        client_ref: "bram-1".into(),
    })
    .await;
    for client in [&ans, &fac] {
        let event = client
            .wait_event(|e| matches!(e, Event::Idea { idea } if idea.text == "Anoniem idee"))
            .await;
        assert!(
            matches!(event, Event::Idea { idea } if idea.author_id.is_none() && idea.author_name.is_none())
        );
    }

    // The carousel: a round owned by Ans runs through its five stages on the server's clock.
    for client in [&fac, &ans, &bram, &screen] {
        client.clear_events();
    }
    let round = fac
        .request(Command::CarouselAddRound {
            topic: "Meer mensen bereiken".into(),
            owner_id: ans_joined.participant_id.clone(),
            activity_id: None,
        })
        .await;
    assert_eq!(round, Event::Ack);
    assert_eq!(
        fac.request(Command::CarouselStart { round_id: None }).await,
        Event::Ack
    );
    let expected = [
        "idle", "stage 0", "stage 1", "stage 2", "stage 3", "stage 4", "done",
    ];
    for client in [&fac, &ans, &bram, &screen] {
        assert!(
            eventually(Duration::from_secs(10), || carousel_trace(client)
                .last()
                .map(String::as_str)
                == Some("done"))
            .await,
            "round did not finish: {:?}",
            carousel_trace(client)
        );
        assert_eq!(
            carousel_trace(client),
            expected,
            "every client sees the same sequence"
        );
    }
    let Some(Event::Carousel {
        carousel: Some(carousel),
    }) = fac.last_event(|e| matches!(e, Event::Carousel { .. }))
    else {
        panic!()
    };
    let round_id = carousel.rounds[0].id.clone();
    assert_eq!(carousel.rounds[0].owner_name, "Ans");
    let step = Command::SetNextStep {
        round_id: round_id.clone(),
        text: "Ik bel de coördinator van het Taalhuis".into(),
        owner: None,
        date: Some("2026-12-02".into()),
    };
    assert!(
        matches!(
            bram.request(step.clone()).await,
            Event::Error {
                code: ErrorCode::Forbidden,
                ..
            }
        ),
        "only the owner"
    );
    assert_eq!(ans.request(step).await, Event::Ack);

    // The conversation guide and the communication plan are shared text too.
    let guide_text = {
        let guides = ans.doc.get_or_insert_map(schema::GUIDES);
        let txn = ans.doc.transact();
        match guides.get(&txn, "verbindingsgesprek") {
            Some(Out::YMap(guide)) => match guide.get(&txn, &schema::guide_notes_key(0)) {
                Some(Out::YText(t)) => t,
                other => panic!("guide notes: {other:?}"),
            },
            other => panic!("guide: {other:?} in {:?}", guides.to_json(&txn)),
        }
    };
    ans.edit(|txn| guide_text.insert(txn, 0, "Mijn manager vindt digitale inclusie belangrijk"))
        .await;
    let plans = bram.doc.get_or_insert_map(schema::PLANS);
    let plan = match plans.get(&bram.doc.transact(), "communicatieplan") {
        Some(Out::YArray(plan)) => plan,
        other => panic!("plan: {other:?}"),
    };
    bram.edit(|txn| {
        let row: MapPrelim = [
            (schema::ROW_ID, yrs::In::from("r1")),
            (
                "audience",
                TextPrelim::new("Collega's van BoekStart").into(),
            ),
            ("knowledge", TextPrelim::new("De verbindingsformats").into()),
            ("approach", TextPrelim::new("Teamoverleg in januari").into()),
        ]
        .into_iter()
        .collect();
        plan.push_back(txn, row);
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Export: everything is in it, for the facilitator only.
    let export = |format: &'static str, token: &str| {
        server
            .http
            .get(server.url(&format!(
                "/api/sessions/{}/export?format={format}",
                session.id
            )))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(
        export("md", &ans_joined.participant_token)
            .await
            .unwrap()
            .status(),
        401
    );
    let md = export("md", &session.facilitator_token)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        "Taalhuis",
        "Iedereen kan meedoen.",
        "Samen een spreekuur in de bieb",
        "2026-12-01",
        "Koffie-ochtend met het Taalhuis",
        "Samen doen",
        "Ik bel de coördinator van het Taalhuis",
        "2026-12-02",
        "Mijn manager vindt digitale inclusie belangrijk",
        "Collega's van BoekStart",
        "anoniem",
    ] {
        assert!(md.contains(expected), "markdown lacks {expected:?}:\n{md}");
    }
    let json: Value = export("json", &session.facilitator_token)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let actions = json["actions"].as_array().unwrap();
    assert!(
        actions
            .iter()
            .any(|a| a["text"] == "Samen een spreekuur in de bieb"
                && a["owner"] == "Ans"
                && a["date"] == "2026-12-01")
    );
    assert!(
        actions
            .iter()
            .any(|a| a["text"] == "Ik bel de coördinator van het Taalhuis" && a["owner"] == "Ans")
    );
    assert_eq!(json["formats"].as_array().unwrap().len(), 2);
    assert_eq!(json["boards"][0]["groups"][0]["ideas"][0]["votes"], 1);
    let html = export("html", &session.facilitator_token)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;") && !html.contains("<img"),
        "participant text is escaped"
    );
    assert!(html.contains("@media print"));

    // Delete: the facilitator only; then the session is gone for everyone.
    let delete = |token: &str| {
        server
            .http
            .delete(server.url(&format!("/api/sessions/{}", session.id)))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(
        delete(&ans_joined.participant_token)
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        delete(&session.facilitator_token).await.unwrap().status(),
        204
    );
    for client in [&ans, &bram, &screen] {
        assert_eq!(
            client.wait_closed().await.map(|c| c.code),
            Some(close::SESSION_DELETED)
        );
    }
    assert_eq!(
        export("md", &session.facilitator_token)
            .await
            .unwrap()
            .status(),
        404
    );
    let rejoin = server
        .http
        .post(server.url("/api/join"))
        .json(&serde_json::json!({ "code": session.join_code, "name": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(rejoin.status(), 404);
}

#[tokio::test]
async fn a_participant_cannot_forge_facilitator_commands() {
    let server = server().await;
    let session = server.create_session().await;
    let joined = server.join(&session.join_code, "Mallory").await;
    let mallory = YClient::connect(&server.ws_url(&session.id, &joined.participant_token))
        .await
        .unwrap();
    mallory.hello().await;
    for command in [
        Command::PhaseNext,
        Command::PhaseGoto { index: 5 },
        Command::CarouselAddRound {
            topic: "x".into(),
            owner_id: joined.participant_id.clone(),
            activity_id: None,
        },
        Command::CarouselStart { round_id: None },
        Command::SetSettings {
            anonymous_posting: Some(true),
            votes_per_participant: Some(99),
            auto_next_round: None,
        },
        Command::AddCoFacilitator { name: "Ik".into() },
        Command::VisualisationStart {
            activity_id: "ido-over-5-jaar".into(),
            asker_id: None,
        },
    ] {
        let answer = mallory.request(command.clone()).await;
        assert!(
            matches!(
                answer,
                Event::Error {
                    code: ErrorCode::Forbidden,
                    ..
                }
            ),
            "{command:?} gave {answer:?}"
        );
    }
    let fresh = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap();
    let view = fresh.hello().await;
    assert_eq!(view.phase.index, 0);
    assert!(!view.settings.anonymous_posting);
    assert!(view.carousel.is_none());
}

#[tokio::test]
async fn co_facilitators_get_their_own_link_and_steer() {
    let server = server().await;
    let session = server.create_session().await;
    let fac = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
        .await
        .unwrap();
    fac.hello().await;
    let Event::CoFacilitatorAdded { token, link, .. } = fac
        .request(Command::AddCoFacilitator { name: "Co".into() })
        .await
    else {
        panic!("no co-facilitator link")
    };
    assert!(link.contains(&token));
    let co = YClient::connect(&server.ws_url(&session.id, &token))
        .await
        .unwrap();
    let view = co.hello().await;
    assert!(
        view.participants
            .iter()
            .any(|p| p.name == "Co" && p.role == Role::CoFacilitator)
    );
    assert_eq!(co.request(Command::PhaseNext).await, Event::Ack);
    assert!(matches!(
        co.request(Command::AddCoFacilitator {
            name: "Nog een".into()
        })
        .await,
        Event::Error {
            code: ErrorCode::Forbidden,
            ..
        }
    ));
}

#[tokio::test]
async fn post_its_are_validated_and_rate_limited() {
    let server = server().await;
    let session = server.create_session().await;
    let joined = server.join(&session.join_code, "Snel").await;
    let fast = YClient::connect(&server.ws_url(&session.id, &joined.participant_token))
        .await
        .unwrap();
    fast.hello().await;
    let post = |text: String, n: usize| Command::PostIdea {
        text,
        client_ref: format!("r{n}"),
    };
    assert!(matches!(
        fast.request(post("   ".into(), 0)).await,
        Event::Error {
            code: ErrorCode::BadRequest,
            ..
        }
    ));
    assert!(matches!(
        fast.request(post("x".repeat(501), 1)).await,
        Event::Error {
            code: ErrorCode::BadRequest,
            ..
        }
    ));
    let mut limited = false;
    for n in 2..20 {
        if matches!(
            fast.request(post(format!("idee {n}"), n)).await,
            Event::Error {
                code: ErrorCode::RateLimited,
                ..
            }
        ) {
            limited = true;
            break;
        }
    }
    assert!(limited, "a burst of post-its is rate-limited");
}

#[tokio::test]
async fn an_uploaded_template_with_an_error_is_refused_with_its_place() {
    let server = server().await;
    let broken = r#"
id = "kapot"
version = 1
title = { nl = "Kapot" }
languages = ["nl"]

[[phases]]
id = "een"
title = { nl = "Een" }
text = { nl = "Tekst" }
result = { nl = "Iets" }
duration_minutes = 0
"#;
    let response = server
        .http
        .post(server.url("/api/sessions"))
        .json(&serde_json::json!({ "template_toml": broken }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("phases[0].duration_minutes"), "{message}");

    let overrides = server
        .http
        .post(server.url("/api/sessions"))
        .json(&serde_json::json!({ "durations": { "stages": { "brainstormcarrousel": { "ideeen": 0 } } } }))
        .send()
        .await
        .unwrap();
    assert_eq!(overrides.status(), 400);
}

#[tokio::test]
async fn engine_state_survives_an_unload_and_deadlines_that_passed_are_caught_up() {
    let mut config = Config::for_tests();
    config.minute_ms = MINUTE_MS;
    config.session_idle_secs = 0;
    let server = TestServer::start_with(config, Arc::new(MemoryStore::new())).await;
    let session = server.create_session().await;
    let joined = server.join(&session.join_code, "Ans").await;
    let url = server.ws_url(&session.id, &session.facilitator_token);
    let fac = YClient::connect(&url).await.unwrap();
    fac.hello().await;
    fac.request(Command::PhaseGoto { index: 3 }).await;
    fac.request(Command::PostIdea {
        text: "Blijft staan".into(),
        client_ref: "f1".into(),
    })
    .await;
    fac.request(Command::CarouselAddRound {
        topic: "Kans".into(),
        owner_id: joined.participant_id,
        activity_id: None,
    })
    .await;
    fac.request(Command::CarouselStart { round_id: None }).await;
    fac.disconnect().await;
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

    let back = YClient::connect(&url).await.unwrap();
    let view = back.hello().await;
    assert_eq!(view.phase.index, 3);
    assert!(view.ideas.iter().any(|i| i.text == "Blijft staan"));
    let carousel = view.carousel.expect("carousel kept");
    assert_eq!(carousel.rounds[0].topic, "Kans");
    assert_eq!(
        carousel.clock,
        ClockView::Done,
        "the round ended while the session was unloaded"
    );
}
