//! A board per carousel round and per phase (issue 13, item 1): each round starts empty on
//! every screen, votes are a budget per board, and the exports keep every round's post-its in
//! that round's entry.

use serde_json::Value;
use werkplaats_protocol::control::{Command, ErrorCode, Event};
use werkplaats_protocol::workshop::IdeaView;
use werkplaats_tests::{TestServer, YClient};

/// Phase indexes of the built-in route.
const PHASE_FORMATS: usize = 2;
const PHASE_CAROUSEL: usize = 3;

/// A session with a facilitator, three participants and the display, all said hello.
pub(crate) struct Room {
    pub server: TestServer,
    pub session: werkplaats_tests::CreatedSession,
    pub fac: YClient,
    pub people: Vec<(YClient, String)>,
    /// The participants' tokens, in the order of `people`.
    pub tokens: Vec<String>,
    pub screen: YClient,
}

impl Room {
    pub async fn open(names: &[&str]) -> Room {
        let server = TestServer::start().await;
        let session = server.create_session().await;
        let fac = YClient::connect(&server.ws_url(&session.id, &session.facilitator_token))
            .await
            .unwrap();
        fac.hello().await;
        let mut people = Vec::new();
        let mut tokens = Vec::new();
        for name in names {
            let joined = server.join(&session.join_code, name).await;
            let client = YClient::connect(&server.ws_url(&session.id, &joined.participant_token))
                .await
                .unwrap();
            client.hello().await;
            people.push((client, joined.participant_id));
            tokens.push(joined.participant_token);
        }
        let screen = YClient::connect(&server.ws_url(&session.id, &session.display_token))
            .await
            .unwrap();
        screen.hello().await;
        Room {
            server,
            session,
            fac,
            people,
            tokens,
            screen,
        }
    }

    pub fn person(&self, n: usize) -> &YClient {
        &self.people[n].0
    }

    pub fn id_of(&self, n: usize) -> String {
        self.people[n].1.clone()
    }

    pub async fn export(&self, format: &str) -> reqwest::Response {
        self.server
            .http
            .get(self.server.url(&format!(
                "/api/sessions/{}/export?format={format}",
                self.session.id
            )))
            .bearer_auth(&self.session.facilitator_token)
            .send()
            .await
            .unwrap()
    }
}

/// Posts a post-it and returns it as the poster's own connection received it.
pub(crate) async fn post(client: &YClient, text: &str) -> IdeaView {
    let answer = client
        .request(Command::PostIdea {
            text: text.into(),
            client_ref: format!("ref-{text}"),
        })
        .await;
    assert_eq!(answer, Event::Ack, "posting {text:?}");
    match client
        .wait_event(|e| matches!(e, Event::Idea { idea } if idea.text == text))
        .await
    {
        Event::Idea { idea } => idea,
        _ => unreachable!(),
    }
}

fn is_code(event: &Event, expected: ErrorCode) -> bool {
    matches!(event, Event::Error { code, .. } if *code == expected)
}

/// Waits for a `board` event that `pred` accepts and returns its board.
async fn board_event(client: &YClient, pred: impl Fn(&str) -> bool) -> String {
    match client
        .wait_event(|e| matches!(e, Event::Board { board } if pred(board)))
        .await
    {
        Event::Board { board } => board,
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn each_round_and_each_phase_is_a_board_with_its_own_votes() {
    let room = Room::open(&["Ans", "Bram", "Cem"]).await;
    let (ans, bram) = (room.person(0), room.person(1));
    let ack = |e: Event| assert_eq!(e, Event::Ack);
    room.fac
        .request(Command::SetSettings {
            anonymous_posting: None,
            votes_per_participant: Some(1),
            auto_next_round: None,
        })
        .await;

    // Phase 3 (formats) has a board of its own.
    ack(room
        .fac
        .request(Command::PhaseGoto {
            index: PHASE_FORMATS,
        })
        .await);
    board_event(ans, |b| b == "phase:verbindingen").await;
    let in_phase = post(ans, "Een idee bij de formats").await;
    assert_eq!(in_phase.board, "phase:verbindingen");
    ack(bram
        .request(Command::Vote {
            idea_id: in_phase.id.clone(),
        })
        .await);

    // The carousel: two rounds, each its own board.
    ack(room
        .fac
        .request(Command::PhaseGoto {
            index: PHASE_CAROUSEL,
        })
        .await);
    for (topic, owner) in [("Samen met het Taalhuis", 0), ("Meer bezoekers", 2)] {
        ack(room
            .fac
            .request(Command::CarouselAddRound {
                topic: topic.into(),
                owner_id: room.id_of(owner),
                activity_id: None,
            })
            .await);
    }
    let before_rounds = post(ans, "Voor de rondes").await;
    assert_eq!(before_rounds.board, "phase:uitvoeren");
    ack(room
        .fac
        .request(Command::CarouselStart { round_id: None })
        .await);
    let round1 = board_event(&room.screen, |b| b.starts_with("round:")).await;
    assert_eq!(board_event(bram, |b| b.starts_with("round:")).await, round1);
    let r1_idea = post(ans, "Ronde 1: koffie-ochtend").await;
    assert_eq!(r1_idea.board, round1);
    assert!(r1_idea.round_id.is_some());
    // The budget of one vote per board: spent in phase 3, still whole in round 1.
    ack(bram
        .request(Command::Vote {
            idea_id: r1_idea.id.clone(),
        })
        .await);
    let r1_second = post(room.person(2), "Ronde 1: flyers").await;
    assert!(is_code(
        &bram
            .request(Command::Vote {
                idea_id: r1_second.id.clone(),
            })
            .await,
        ErrorCode::Conflict
    ));

    // Round 2 starts empty, with a fresh budget.
    ack(room.fac.request(Command::CarouselNextRound).await);
    let round2 = board_event(&room.screen, |b| b.starts_with("round:") && b != round1).await;
    assert!(round2.starts_with("round:") && round2 != round1);
    let r2_idea = post(bram, "Ronde 2: bibliotheekbus").await;
    assert_eq!(r2_idea.board, round2);
    ack(bram
        .request(Command::Vote {
            idea_id: r2_idea.id.clone(),
        })
        .await);

    // A fresh client's session says which board is current; its post-its keep their boards.
    let late = room.server.join(&room.session.join_code, "Dewi").await;
    let dewi = YClient::connect(
        &room
            .server
            .ws_url(&room.session.id, &late.participant_token),
    )
    .await
    .unwrap();
    let view = dewi.hello().await;
    assert_eq!(view.board, round2);
    let on = |board: &str| {
        view.ideas
            .iter()
            .filter(|i| i.board == board)
            .map(|i| i.text.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(on(&round2), ["Ronde 2: bibliotheekbus"]);
    assert_eq!(on(&round1), ["Ronde 1: koffie-ochtend", "Ronde 1: flyers"]);

    // Ending the carousel, and leaving its phase, goes back to a phase board.
    ack(room.fac.request(Command::CarouselEnd).await);
    room.screen
        .wait_event(|e| matches!(e, Event::Board { board } if board == "phase:uitvoeren"))
        .await;
    ack(room.fac.request(Command::PhaseNext).await);
    room.screen
        .wait_event(|e| matches!(e, Event::Board { board } if board == "phase:borging"))
        .await;

    // Post-its of two rounds share no group.
    assert!(is_code(
        &room
            .fac
            .request(Command::GroupIdeas {
                idea_ids: vec![r1_idea.id.clone(), r2_idea.id.clone()],
                group_id: None,
                label: Some("Samen".into()),
            })
            .await,
        ErrorCode::BadRequest
    ));
    ack(room
        .fac
        .request(Command::GroupIdeas {
            idea_ids: vec![r1_idea.id.clone(), r1_second.id.clone()],
            group_id: None,
            label: Some("Samenwerken".into()),
        })
        .await);

    // The export: each round holds its own post-its, votes, groups and next step.
    ack(ans
        .request(Command::SetNextStep {
            round_id: r1_idea.round_id.clone().unwrap(),
            text: "Ik bel het Taalhuis".into(),
            owner: None,
            date: Some("2026-12-02".into()),
        })
        .await);
    let json: Value = room.export("json").await.json().await.unwrap();
    let rounds = json["carousel"].as_array().unwrap();
    assert_eq!(rounds.len(), 2);
    assert_eq!(rounds[0]["topic"], "Samen met het Taalhuis");
    assert_eq!(rounds[0]["owner"], "Ans");
    assert_eq!(rounds[0]["next_step"]["text"], "Ik bel het Taalhuis");
    let group = &rounds[0]["board"]["groups"][0];
    assert_eq!(group["label"], "Samenwerken");
    assert_eq!(group["ideas"][0]["text"], "Ronde 1: koffie-ochtend");
    assert_eq!(group["ideas"][0]["votes"], 1);
    assert_eq!(group["ideas"].as_array().unwrap().len(), 2);
    assert_eq!(rounds[0]["board"]["ungrouped"].as_array().unwrap().len(), 0);
    assert_eq!(
        rounds[1]["board"]["ungrouped"][0]["text"],
        "Ronde 2: bibliotheekbus"
    );
    assert_eq!(rounds[1]["board"]["ungrouped"][0]["votes"], 1);
    assert!(rounds[1]["next_step"].is_null());
    let boards = json["boards"].as_array().unwrap();
    let titles: Vec<&str> = boards
        .iter()
        .map(|b| b["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 2, "phases 3 and 4 have post-its: {titles:?}");
    assert_eq!(boards[0]["ungrouped"][0]["text"], "Een idee bij de formats");
    assert_eq!(boards[1]["ungrouped"][0]["text"], "Voor de rondes");

    let md = room.export("md").await.text().await.unwrap();
    // The actions table at the top lists the next step too; look inside the carousel.
    let md = &md[md.find("## Brainstormcarrousel").expect("carousel section")..];
    let at = |needle: &str| md.find(needle).unwrap_or_else(|| panic!("{needle}:\n{md}"));
    assert!(at("### Samen met het Taalhuis") < at("Ronde 1: koffie-ochtend"));
    assert!(at("Ronde 1: koffie-ochtend") < at("Ik bel het Taalhuis"));
    assert!(at("Ik bel het Taalhuis") < at("### Meer bezoekers"));
    assert!(at("### Meer bezoekers") < at("Ronde 2: bibliotheekbus"));
    let html = room.export("html").await.text().await.unwrap();
    let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{needle}"));
    assert!(at("<h3>Samen met het Taalhuis</h3>") < at("Ronde 1: flyers"));
    assert!(at("Ronde 1: flyers") < at("<h3>Meer bezoekers</h3>"));
    assert!(at("<h3>Meer bezoekers</h3>") < at("Ronde 2: bibliotheekbus"));
}

#[tokio::test]
async fn an_untouched_session_exports_empty_boards() {
    let room = Room::open(&["Ans"]).await;
    let json: Value = room.export("json").await.json().await.unwrap();
    assert_eq!(json["boards"], Value::Array(vec![]));
    assert_eq!(json["carousel"], Value::Array(vec![]));
    assert!(json.get("board").is_none(), "the old single board is gone");
    let md = room.export("md").await.text().await.unwrap();
    assert!(!md.contains("## Post-its") && !md.contains("Brainstormcarrousel"));
    let html = room.export("html").await;
    assert_eq!(html.status(), 200);
}
