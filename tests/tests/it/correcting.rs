//! The right to correct (issue 13, item 3): deleting and editing one's own post-its (anonymous
//! ones too), a facilitator deleting anyone's, a hidden post-it shown to its author as hidden,
//! and removing a connection format through the server.

use werkplaats_protocol::control::{Command, ErrorCode, Event};
use werkplaats_protocol::workshop::schema;
use werkplaats_tests::YClient;
use yrs::{Map, Transact};

use crate::boards::{Room, post};

fn is_code(event: &Event, expected: ErrorCode) -> bool {
    matches!(event, Event::Error { code, .. } if *code == expected)
}

fn removed(id: &str) -> impl Fn(&Event) -> bool + '_ {
    move |e| matches!(e, Event::IdeaRemoved { id: gone } if gone == id)
}

#[tokio::test]
async fn authors_and_facilitators_delete_post_its_and_authors_edit_theirs() {
    let room = Room::open(&["Ans", "Bram"]).await;
    let (ans, bram) = (room.person(0), room.person(1));
    let idea = post(ans, "Koffie-ochtend").await;

    // Someone else may neither delete nor edit it.
    let delete = Command::DeleteIdea {
        idea_id: idea.id.clone(),
    };
    assert!(is_code(
        &bram.request(delete.clone()).await,
        ErrorCode::Forbidden
    ));
    assert!(is_code(
        &room.screen.request(delete.clone()).await,
        ErrorCode::Forbidden
    ));
    let edit = |text: &str| Command::EditIdea {
        idea_id: idea.id.clone(),
        text: text.into(),
    };
    assert!(is_code(
        &bram.request(edit("Van Bram")).await,
        ErrorCode::Forbidden
    ));
    assert!(is_code(
        &room.fac.request(edit("Van de begeleider")).await,
        ErrorCode::Forbidden
    ));
    assert!(is_code(
        &ans.request(edit("   ")).await,
        ErrorCode::BadRequest
    ));

    // The author edits: everyone sees the new text.
    assert_eq!(
        ans.request(edit("Koffie-ochtend met het Taalhuis")).await,
        Event::Ack
    );
    for client in [bram, &room.screen, &room.fac] {
        client
            .wait_event(|e| matches!(e, Event::Idea { idea: i } if i.id == idea.id && i.text == "Koffie-ochtend met het Taalhuis"))
            .await;
    }

    // The author deletes: everyone hears `idea_removed`, and it is gone for late-comers too.
    assert_eq!(
        bram.request(Command::Vote {
            idea_id: idea.id.clone()
        })
        .await,
        Event::Ack
    );
    assert_eq!(ans.request(delete.clone()).await, Event::Ack);
    for client in [bram, &room.screen, &room.fac, ans] {
        client.wait_event(removed(&idea.id)).await;
    }
    assert!(is_code(&ans.request(delete).await, ErrorCode::NotFound));
    let view = room
        .server
        .view(&room.session.id, &room.session.display_token)
        .await;
    assert!(view.ideas.is_empty());

    // A facilitator deletes anyone's.
    let other = post(bram, "Flyers").await;
    assert_eq!(
        room.fac
            .request(Command::DeleteIdea {
                idea_id: other.id.clone()
            })
            .await,
        Event::Ack
    );
    ans.wait_event(removed(&other.id)).await;
}

#[tokio::test]
async fn anonymous_post_its_are_their_authors_to_correct_and_nobody_elses() {
    let room = Room::open(&["Ans", "Bram"]).await;
    let (ans, bram) = (room.person(0), room.person(1));
    room.fac
        .request(Command::SetSettings {
            anonymous_posting: Some(true),
            votes_per_participant: None,
            auto_next_round: None,
        })
        .await;
    let secret = post(ans, "Anoniem idee").await;
    assert_eq!(secret.author_id, None);
    let theirs = post(bram, "Ook anoniem").await;

    // A second connection with Ans's link learns which are hers; Bram's learns nothing of hers.
    let again = YClient::connect(&room.server.ws_url(&room.session.id, &room.tokens[0]))
        .await
        .unwrap();
    let view = again.hello().await;
    assert_eq!(view.my_ideas, vec![secret.id.clone()]);
    let bram_view = room.server.view(&room.session.id, &room.tokens[1]).await;
    assert_eq!(bram_view.my_ideas, vec![theirs.id.clone()]);
    let fac_view = room
        .server
        .view(&room.session.id, &room.session.facilitator_token)
        .await;
    assert!(fac_view.my_ideas.is_empty());

    // A hidden anonymous post-it stays on its author's screens, marked; others lose it.
    assert_eq!(
        room.fac
            .request(Command::HideIdea {
                idea_id: secret.id.clone(),
                hidden: true
            })
            .await,
        Event::Ack
    );
    bram.wait_event(removed(&secret.id)).await;
    room.screen.wait_event(removed(&secret.id)).await;
    for client in [ans, &again] {
        client
            .wait_event(
                |e| matches!(e, Event::Idea { idea } if idea.id == secret.id && idea.hidden),
            )
            .await;
    }
    let after = room.server.view(&room.session.id, &room.tokens[0]).await;
    assert!(after.ideas.iter().any(|i| i.id == secret.id && i.hidden));
    assert!(!bram_view_has(&room, &secret.id).await);

    // Only Ans edits and deletes it; Bram cannot, though it is as anonymous as his own.
    let edit = Command::EditIdea {
        idea_id: secret.id.clone(),
        text: "Beter idee".into(),
    };
    assert!(is_code(
        &bram.request(edit.clone()).await,
        ErrorCode::Forbidden
    ));
    assert_eq!(again.request(edit).await, Event::Ack);
    let delete = Command::DeleteIdea {
        idea_id: secret.id.clone(),
    };
    assert!(is_code(
        &bram.request(delete.clone()).await,
        ErrorCode::Forbidden
    ));
    assert_eq!(ans.request(delete).await, Event::Ack);
    bram.wait_event(removed(&secret.id)).await;
}

async fn bram_view_has(room: &Room, id: &str) -> bool {
    let view = room.server.view(&room.session.id, &room.tokens[1]).await;
    view.ideas.iter().any(|i| i.id == id)
}

#[tokio::test]
async fn a_facilitator_removes_a_connection_format_but_not_the_last() {
    let room = Room::open(&["Ans"]).await;
    let ans = room.person(0);
    let count = |client: &YClient| {
        let formats = client.doc.get_or_insert_map(schema::FORMATS);
        formats.len(&client.doc.transact())
    };
    assert!(ans.wait_synced().await);
    let first = {
        let formats = ans.doc.get_or_insert_map(schema::FORMATS);
        let txn = ans.doc.transact();
        formats.keys(&txn).next().unwrap().to_owned()
    };
    let added = ans
        .request(Command::AddFormat {
            activity_id: "verbindingsformat".into(),
        })
        .await;
    let Event::FormatAdded { format_id } = added else {
        panic!("{added:?}")
    };
    assert!(
        werkplaats_tests::eventually(std::time::Duration::from_secs(5), || count(&room.fac) == 2)
            .await
    );

    let remove = |id: &str| Command::RemoveFormat {
        format_id: id.into(),
    };
    assert!(is_code(
        &ans.request(remove(&format_id)).await,
        ErrorCode::Forbidden
    ));
    assert!(is_code(
        &room.fac.request(remove("nope")).await,
        ErrorCode::NotFound
    ));
    assert_eq!(room.fac.request(remove(&format_id)).await, Event::Ack);
    for client in [ans, &room.fac] {
        assert!(
            werkplaats_tests::eventually(std::time::Duration::from_secs(5), || count(client) == 1)
                .await
        );
    }
    assert!(is_code(
        &room.fac.request(remove(&first)).await,
        ErrorCode::Conflict
    ));
}
