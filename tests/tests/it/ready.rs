//! "Ik ben klaar" (issue 14, item 5): participants say they are done with the current stage or
//! assignment, everyone (the facilitator and the projector too) hears who, and it resets when
//! the stage, the round or the phase changes.

use werkplaats_protocol::control::{Command, ErrorCode, Event};
use werkplaats_protocol::workshop::ReadyView;

use crate::boards::Room;

const PHASE_CAROUSEL: usize = 3;

fn set_ready(ready: bool) -> Command {
    Command::SetReady { ready }
}

fn is_code(event: &Event, expected: ErrorCode) -> bool {
    matches!(event, Event::Error { code, .. } if *code == expected)
}

/// Waits for a `ready` event whose participants are `expected` (in any order).
async fn ready_event(client: &werkplaats_tests::YClient, expected: &[String]) {
    let mut expected = expected.to_vec();
    expected.sort();
    client
        .wait_event(|e| matches!(e, Event::Ready { ready } if ready.participant_ids == expected))
        .await;
}

#[tokio::test]
async fn participants_say_they_are_done_and_it_resets_on_the_next_stage() {
    let room = Room::open(&["Ans", "Bram", "Cem"]).await;
    let (ans, bram, cem) = (room.person(0), room.person(1), room.person(2));
    let ack = |e: Event| assert_eq!(e, Event::Ack);
    let (ans_id, bram_id) = (room.id_of(0), room.id_of(1));

    // In a phase: two say "klaar", everyone hears it, the display and the facilitator too.
    ack(ans.request(set_ready(true)).await);
    ack(bram.request(set_ready(true)).await);
    let both = [ans_id.clone(), bram_id.clone()];
    for client in [&room.fac, &room.screen, cem] {
        ready_event(client, &both).await;
    }
    // Saying it twice changes nothing; taking it back does.
    ack(ans.request(set_ready(true)).await);
    ack(ans.request(set_ready(false)).await);
    ready_event(&room.fac, std::slice::from_ref(&bram_id)).await;
    // A fresh connection finds it in the session view.
    let view = room
        .server
        .view(&room.session.id, &room.session.facilitator_token)
        .await;
    assert_eq!(
        view.ready,
        ReadyView {
            participant_ids: vec![bram_id.clone()]
        }
    );

    // Only participants say it.
    for client in [&room.fac, &room.screen] {
        assert!(is_code(
            &client.request(set_ready(true)).await,
            ErrorCode::Forbidden
        ));
    }

    // The carousel: a new phase empties it, and so does the next stage.
    ack(room
        .fac
        .request(Command::PhaseGoto {
            index: PHASE_CAROUSEL,
        })
        .await);
    ready_event(&room.screen, &[]).await;
    ack(room
        .fac
        .request(Command::CarouselAddRound {
            topic: "Samen met het Taalhuis".into(),
            owner_id: room.id_of(2),
            activity_id: None,
        })
        .await);
    ack(room
        .fac
        .request(Command::CarouselStart { round_id: None })
        .await);
    room.fac.clear_events();
    ack(ans.request(set_ready(true)).await);
    ack(cem.request(set_ready(true)).await);
    ready_event(&room.fac, &[ans_id.clone(), room.id_of(2)]).await;
    // Pausing is the same stage: it stays.
    ack(room.fac.request(Command::CarouselPause).await);
    ack(room.fac.request(Command::CarouselResume).await);
    let view = room.server.view(&room.session.id, &room.tokens[1]).await;
    assert_eq!(view.ready.participant_ids.len(), 2);
    ack(room.fac.request(Command::CarouselNextStage).await);
    ready_event(&room.fac, &[]).await;
    ready_event(bram, &[]).await;
    let view = room.server.view(&room.session.id, &room.tokens[0]).await;
    assert!(view.ready.participant_ids.is_empty());

    // Someone removed is no longer counted.
    ack(bram.request(set_ready(true)).await);
    ready_event(&room.fac, std::slice::from_ref(&bram_id)).await;
    ack(room
        .fac
        .request(Command::RemoveParticipant {
            participant_id: bram_id.clone(),
        })
        .await);
    ready_event(&room.screen, &[]).await;
}

#[tokio::test]
async fn toggling_klaar_is_rate_limited_per_participant() {
    let room = Room::open(&["Ans", "Bram"]).await;
    let (ans, bram) = (room.person(0), room.person(1));
    // The default burst is six toggles; the seventh within the same moment is refused.
    for n in 0..6 {
        assert_eq!(ans.request(set_ready(n % 2 == 0)).await, Event::Ack, "{n}");
    }
    assert!(is_code(
        &ans.request(set_ready(true)).await,
        ErrorCode::RateLimited
    ));
    // Bram is not held back by Ans.
    assert_eq!(bram.request(set_ready(true)).await, Event::Ack);
    ready_event(&room.fac, &[room.id_of(1)]).await;
}
