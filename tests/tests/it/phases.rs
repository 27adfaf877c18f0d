//! Moving between phases (issue 13, item 2): the guided visualisation ends with its phase, for
//! the projector, the question-asker and any client that connects later.

use werkplaats_protocol::control::{Command, Event};
use werkplaats_tests::YClient;

use crate::boards::Room;

fn stopped(event: &Event) -> bool {
    matches!(
        event,
        Event::Visualisation {
            visualisation: None
        }
    )
}

async fn start_visualisation(room: &Room, asker: &str) {
    let answer = room
        .fac
        .request(Command::VisualisationStart {
            activity_id: "ido-over-5-jaar".into(),
            asker_id: Some(asker.into()),
        })
        .await;
    assert_eq!(answer, Event::Ack);
    for client in [&room.screen, room.person(0)] {
        client
            .wait_event(|e| {
                matches!(
                    e,
                    Event::Visualisation {
                        visualisation: Some(_)
                    }
                )
            })
            .await;
        client.clear_events();
    }
}

#[tokio::test]
async fn the_visualisation_stops_when_the_phase_changes() {
    let room = Room::open(&["Ans", "Bram"]).await;
    let asker = room.id_of(0);
    for (n, step) in [
        Command::PhaseNext,
        Command::PhaseGoto { index: 4 },
        Command::PhasePrevious,
    ]
    .into_iter()
    .enumerate()
    {
        if n > 0 {
            // Back to the visualisation's phase first.
            assert_eq!(
                room.fac.request(Command::PhaseGoto { index: 0 }).await,
                Event::Ack
            );
        }
        if matches!(step, Command::PhasePrevious) {
            // Phase 1 has no previous phase: the visualisation may run from phase 2 too.
            assert_eq!(room.fac.request(Command::PhaseNext).await, Event::Ack);
        }
        start_visualisation(&room, &asker).await;
        assert_eq!(room.fac.request(step.clone()).await, Event::Ack, "{step:?}");
        // The projector and the asker both hear that it stopped.
        room.screen.wait_event(stopped).await;
        room.person(0).wait_event(stopped).await;
        // A client that connects afterwards finds none.
        let fresh = YClient::connect(
            &room
                .server
                .ws_url(&room.session.id, &room.session.display_token),
        )
        .await
        .unwrap();
        let view = fresh.hello().await;
        assert_eq!(view.visualisation, None, "after {step:?}");
        // The asker's commands now find nothing running.
        assert!(matches!(
            room.person(0).request(Command::VisualisationNext).await,
            Event::Error { .. }
        ));
    }
    // Going to the phase the session is already in changes nothing.
    start_visualisation(&room, &asker).await;
    assert_eq!(
        room.fac.request(Command::PhaseGoto { index: 0 }).await,
        Event::Ack
    );
    let view = room
        .server
        .view(&room.session.id, &room.session.display_token)
        .await;
    assert!(view.visualisation.is_some());
}
