//! The carousel clock under tokio's paused time: the session task runs in-process with
//! channel "connections", so virtual time drives its deadlines exactly.

use std::time::Duration;

use tokio::time::Instant;
use werkplaats_protocol::control::{Command, Event, Role};
use werkplaats_protocol::message::Message;
use werkplaats_protocol::workshop::{CarouselView, ClockView};
use werkplaats_tests::inprocess::{InProcessConn, session_with};

const MINUTE: Duration = Duration::from_secs(60);

async fn next_carousel(conn: &mut InProcessConn) -> (Instant, CarouselView) {
    match conn
        .next_event(|e| matches!(e, Event::Carousel { carousel: Some(_) }))
        .await
    {
        Event::Carousel {
            carousel: Some(view),
        } => (Instant::now(), view),
        _ => unreachable!(),
    }
}

async fn session_with_three_people() -> (Vec<InProcessConn>, String) {
    let (_registry, conns) = session_with(&[
        (Role::Facilitator, "Fa"),
        (Role::Participant, "Owner"),
        (Role::Display, "Scherm"),
    ])
    .await;
    let owner = conns[1].participant_id.clone();
    (conns, owner)
}

#[tokio::test(start_paused = true)]
async fn stages_advance_at_their_deadlines_once_and_everyone_sees_the_same() {
    let (mut conns, owner) = session_with_three_people().await;
    conns[0]
        .command(Command::CarouselAddRound {
            topic: "Kans".into(),
            owner_id: owner,
            activity_id: None,
        })
        .await;
    for conn in &mut conns {
        next_carousel(conn).await;
    }
    conns[0]
        .command(Command::CarouselStart { round_id: None })
        .await;

    // Frames are read after the fact for all but the first connection, so the time of each
    // event is the server time it carries (stamped when it was sent).
    let mut sequences = Vec::new();
    for conn in &mut conns {
        let mut seen = Vec::new();
        let mut start = None;
        loop {
            let (_, view) = next_carousel(conn).await;
            let start = *start.get_or_insert(view.server_time);
            let minutes = (view.server_time - start) / 60_000.0;
            seen.push((
                view.stage_index,
                format!("{:?}", view.clock)
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .to_owned(),
                minutes.round() as u32,
            ));
            if view.clock == ClockView::Done {
                break;
            }
        }
        sequences.push(seen);
    }
    // stage 0 at minute 0, then one advance at each deadline: 2, 5, 10, 13; done at 15
    let expected: Vec<(usize, String, u32)> = vec![
        (0, "Running".into(), 0),
        (1, "Running".into(), 2),
        (2, "Running".into(), 5),
        (3, "Running".into(), 10),
        (4, "Running".into(), 13),
        (4, "Done".into(), 15),
    ];
    for seen in &sequences {
        assert_eq!(seen, &expected);
    }
    // and nothing more: no second advance for any deadline
    tokio::time::sleep(10 * MINUTE).await;
    for conn in &mut conns {
        assert!(conn.frames.try_recv().map(|f| !matches!(Message::decode(&f), Ok(Message::Control(j)) if j.contains("\"carousel\""))).unwrap_or(true));
    }
}

#[tokio::test(start_paused = true)]
async fn pause_resume_and_add_time_move_the_deadline_by_exactly_that_much() {
    let (mut conns, owner) = session_with_three_people().await;
    let fac = &mut conns[0];
    fac.command(Command::CarouselAddRound {
        topic: "Kans".into(),
        owner_id: owner,
        activity_id: None,
    })
    .await;
    next_carousel(fac).await;
    fac.command(Command::CarouselStart { round_id: None }).await;
    let (_, started) = next_carousel(fac).await;
    let ClockView::Running { deadline } = started.clock else {
        panic!()
    };
    assert!(
        (deadline - started.server_time - 120_000.0).abs() < 1.0,
        "a two-minute first stage"
    );

    tokio::time::sleep(Duration::from_secs(30)).await;
    fac.command(Command::CarouselPause).await;
    let (_, paused) = next_carousel(fac).await;
    assert!(
        matches!(paused.clock, ClockView::Paused { remaining_ms } if (remaining_ms - 90_000.0).abs() < 1.0)
    );
    // a paused clock does not advance, however long the pause
    tokio::time::sleep(10 * MINUTE).await;
    fac.command(Command::CarouselAddTime { seconds: 60 }).await;
    let (_, longer) = next_carousel(fac).await;
    assert!(
        matches!(longer.clock, ClockView::Paused { remaining_ms } if (remaining_ms - 150_000.0).abs() < 1.0)
    );
    let resumed_at = Instant::now();
    fac.command(Command::CarouselResume).await;
    next_carousel(fac).await;
    let (at, next_stage) = next_carousel(fac).await;
    assert_eq!(next_stage.stage_index, 1);
    assert_eq!(
        (at - resumed_at).as_millis(),
        150_000,
        "advances exactly when the remaining time is up"
    );
}

#[tokio::test(start_paused = true)]
async fn silent_awareness_expires_after_thirty_seconds() {
    use werkplaats_protocol::message::AwarenessUpdate;
    use werkplaats_server::session::ClientMsg;
    use werkplaats_server::session::awareness::OwnedEntry;

    let (_registry, mut conns) =
        session_with(&[(Role::Participant, "Stil"), (Role::Participant, "Kijker")]).await;
    let entry = OwnedEntry {
        client_id: 42,
        clock: 1,
        state: r#"{"user":{"name":"Stil"}}"#.into(),
    };
    conns[0].send(ClientMsg::Awareness(vec![entry])).await;
    let watcher = &mut conns[1];
    let seen_at = loop {
        let frame = watcher.next_message().await;
        if let Ok(Message::Awareness(bytes)) = Message::decode(&frame) {
            let update = AwarenessUpdate::decode(bytes).unwrap();
            assert!(!update.entries[0].is_removal());
            break Instant::now();
        }
    };
    let removed_at = loop {
        let frame = watcher.next_message().await;
        if let Ok(Message::Awareness(bytes)) = Message::decode(&frame) {
            let update = AwarenessUpdate::decode(bytes).unwrap();
            assert_eq!(update.entries[0].client_id, 42);
            assert!(update.entries[0].is_removal());
            break Instant::now();
        }
    };
    let silent_for = removed_at - seen_at;
    // expiry is checked every 5 s: removed between 30 and 35 s after the last renewal
    assert!(
        silent_for >= Duration::from_secs(30) && silent_for <= Duration::from_secs(35),
        "{silent_for:?}"
    );
}
