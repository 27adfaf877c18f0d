//! Carousel topics from the formats (issue 13, item 5): what participants wrote under
//! opportunities and challenges in phase 3 is offered, line by line, as round topics.

use std::time::Duration;

use werkplaats_protocol::control::{Command, ErrorCode, Event};
use werkplaats_protocol::workshop::schema;
use werkplaats_tests::{YClient, eventually};
use yrs::{GetString, Map, Out, Text, TextRef, Transact};

use crate::boards::Room;

fn follow_up(client: &YClient, block: &str) -> Option<TextRef> {
    let formats = client.doc.get_or_insert_map(schema::FORMATS);
    let txn = client.doc.transact();
    let (_, format) = formats.iter(&txn).next()?;
    let Out::YMap(format) = format else {
        return None;
    };
    match format.get(&txn, &schema::follow_up_key(block)) {
        Some(Out::YText(text)) => Some(text),
        _ => None,
    }
}

async fn write(client: &YClient, block: &str, text: &str) {
    let target = follow_up(client, block).expect("block exists");
    client.edit(|txn| target.insert(txn, 0, text)).await;
}

#[tokio::test]
async fn opportunities_and_challenges_are_offered_as_round_topics() {
    let room = Room::open(&["Ans"]).await;
    let ans = room.person(0);
    assert!(ans.wait_synced().await);
    write(
        ans,
        "kansen",
        "- Samen een spreekuur\n\n• Koffie-ochtend met het Taalhuis\n",
    )
    .await;
    write(ans, "uitdagingen", "Weinig tijd\nSamen een spreekuur").await;
    write(ans, "notities", "Geen onderwerp").await;
    let fac_sees = || {
        follow_up(&room.fac, "notities")
            .is_some_and(|t| t.get_string(&room.fac.doc.transact()) == "Geen onderwerp")
    };
    assert!(eventually(Duration::from_secs(5), fac_sees).await);

    let answer = room
        .fac
        .request(Command::CarouselTopics { activity_id: None })
        .await;
    let Event::CarouselTopics { topics } = answer else {
        panic!("{answer:?}")
    };
    let texts: Vec<(&str, &str)> = topics
        .iter()
        .map(|t| (t.text.as_str(), t.block_id.as_str()))
        .collect();
    assert_eq!(
        texts,
        [
            ("Samen een spreekuur", "kansen"),
            ("Koffie-ochtend met het Taalhuis", "kansen"),
            ("Weinig tijd", "uitdagingen"),
        ]
    );
    // A topic picked from them makes a round like any other.
    assert_eq!(
        room.fac
            .request(Command::CarouselAddRound {
                topic: topics[1].text.clone(),
                owner_id: room.id_of(0),
                activity_id: None,
            })
            .await,
        Event::Ack
    );
    assert!(matches!(
        ans.request(Command::CarouselTopics { activity_id: None })
            .await,
        Event::Error {
            code: ErrorCode::Forbidden,
            ..
        }
    ));
    assert!(matches!(
        room.fac
            .request(Command::CarouselTopics {
                activity_id: Some("nope".into())
            })
            .await,
        Event::Error {
            code: ErrorCode::NotFound,
            ..
        }
    ));
}
