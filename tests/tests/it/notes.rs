//! Personal notes (issue 13, item 4): the write-up after the visualisation is each person's
//! own, kept by the server, heard only by its writer's connections, and shared by posting it.

use werkplaats_protocol::control::{Command, ErrorCode, Event};
use werkplaats_tests::YClient;

use crate::boards::{Room, post};

const PERSONAL: &str = "beelden";

fn note(text: &str) -> Command {
    Command::SetPersonalNote {
        activity_id: PERSONAL.into(),
        text: text.into(),
    }
}

fn is_code(event: &Event, expected: ErrorCode) -> bool {
    matches!(event, Event::Error { code, .. } if *code == expected)
}

#[tokio::test]
async fn each_person_writes_their_own_note_and_shares_it_by_posting() {
    let room = Room::open(&["Ans", "Bram"]).await;
    let (ans, bram) = (room.person(0), room.person(1));
    let ans_phone = YClient::connect(&room.server.ws_url(&room.session.id, &room.tokens[0]))
        .await
        .unwrap();
    ans_phone.hello().await;

    assert_eq!(
        ans.request(note("Ik zag een volle leestafel.\nEn kinderen."))
            .await,
        Event::Ack
    );
    assert_eq!(bram.request(note("Een bus vol boeken")).await, Event::Ack);
    // Ans's other device hears of hers; Bram never does, nor the display.
    ans_phone
        .wait_event(|e| matches!(e, Event::PersonalNote { activity_id, text } if activity_id == PERSONAL && text.ends_with("En kinderen.")))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    for (client, own) in [(bram, "Een bus vol boeken"), (&room.screen, "")] {
        let heard: Vec<String> = client
            .events_snapshot()
            .into_iter()
            .filter_map(|e| match e {
                Event::PersonalNote { text, .. } => Some(text),
                _ => None,
            })
            .collect();
        assert!(heard.iter().all(|t| t == own), "{heard:?}");
    }

    // A fresh connection finds its own note only.
    let view = room.server.view(&room.session.id, &room.tokens[1]).await;
    assert_eq!(
        view.my_notes.get(PERSONAL).map(String::as_str),
        Some("Een bus vol boeken")
    );
    assert_eq!(view.my_notes.len(), 1);
    let fac_view = room
        .server
        .view(&room.session.id, &room.session.facilitator_token)
        .await;
    assert!(fac_view.my_notes.is_empty());

    // Limits and rights.
    assert!(is_code(
        &room.screen.request(note("x")).await,
        ErrorCode::Forbidden
    ));
    assert!(is_code(
        &ans.request(Command::SetPersonalNote {
            activity_id: "gespreksnotities".into(),
            text: "x".into()
        })
        .await,
        ErrorCode::NotFound
    ));
    assert!(is_code(
        &ans.request(note(&"x".repeat(5_001))).await,
        ErrorCode::BadRequest
    ));

    // Not in the export: what is shared is on the board.
    let md = room.export("md").await.text().await.unwrap();
    assert!(
        !md.contains("leestafel") && !md.contains("bus vol boeken"),
        "{md}"
    );
    let shared = post(ans, "Ik zag een volle leestafel. En kinderen.").await;
    bram.wait_event(|e| matches!(e, Event::Idea { idea } if idea.id == shared.id))
        .await;
    let md = room.export("md").await.text().await.unwrap();
    assert!(md.contains("leestafel"));

    // Empty clears it.
    assert_eq!(ans.request(note("")).await, Event::Ack);
    let view = room.server.view(&room.session.id, &room.tokens[0]).await;
    assert!(view.my_notes.is_empty());
}
