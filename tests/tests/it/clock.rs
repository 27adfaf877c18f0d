//! The carousel clock under tokio's paused time: the session task runs in-process with
//! channel "connections", so virtual time drives its deadlines exactly.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use werkplaats_protocol::control::{ClientEnvelope, Command, Event, Role, ServerEnvelope};
use werkplaats_protocol::message::Message;
use werkplaats_protocol::template::builtin_probiblio;
use werkplaats_protocol::workshop::{CarouselView, ClockView};
use werkplaats_server::Config;
use werkplaats_server::clock::ServerClock;
use werkplaats_server::metrics::Metrics;
use werkplaats_server::session::meta::SessionMeta;
use werkplaats_server::session::registry::{Registry, SessionContext};
use werkplaats_server::session::{ClientMsg, Closer, ConnLink, SessionCmd, SessionHandle};
use werkplaats_server::store::memory::MemoryStore;
use werkplaats_server::store::{SessionRow, Store};

const MINUTE: Duration = Duration::from_secs(60);

struct Conn {
    id: u64,
    handle: SessionHandle,
    frames: mpsc::Receiver<Bytes>,
}

impl Conn {
    async fn command(&self, command: Command) {
        let msg = ClientMsg::Control(ClientEnvelope { id: None, command });
        self.handle
            .send(SessionCmd::Client { conn: self.id, msg })
            .await
            .unwrap();
    }

    /// The next carousel view, with the virtual time it arrived.
    async fn next_carousel(&mut self) -> (Instant, CarouselView) {
        loop {
            let frame = self.frames.recv().await.expect("connection open");
            if let Ok(Message::Control(json)) = Message::decode(&frame) {
                if let Event::Carousel {
                    carousel: Some(view),
                } = ServerEnvelope::parse(json).unwrap().event
                {
                    return (Instant::now(), view);
                }
            }
        }
    }
}

async fn session_with_three_people() -> (Vec<Conn>, String) {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let registry = Registry::new(SessionContext {
        store: Arc::clone(&store),
        config: Config::for_tests(),
        metrics: Arc::new(Metrics::default()),
        shutdown: CancellationToken::new(),
        tasks: TaskTracker::new(),
        clock: ServerClock::new(),
    });
    let mut meta = SessionMeta {
        title: "Klok".into(),
        credentials: Vec::new(),
        template: builtin_probiblio(),
    };
    let mut tokens = Vec::new();
    for (role, name) in [
        (Role::Facilitator, "Fa"),
        (Role::Participant, "Owner"),
        (Role::Display, "Scherm"),
    ] {
        tokens.push(meta.add_credential(role, name.into(), 0).1);
    }
    let owner_id = meta.credentials[1].participant_id.clone();
    let id = "AAAAAAAAAAAAAAAAAAAAAA".to_owned();
    store
        .create_session(
            SessionRow {
                id: id.clone(),
                join_code: "ACDEFG".into(),
                created_at_ms: 0,
            },
            meta.to_json(),
        )
        .await
        .unwrap();
    let mut conns = Vec::new();
    for (n, token) in tokens.into_iter().enumerate() {
        let handle = registry.get_or_start(&id);
        let (outbound, frames) = mpsc::channel(1024);
        let link = ConnLink {
            outbound,
            closer: Arc::new(Closer::default()),
        };
        let (reply, joined) = oneshot::channel();
        handle
            .send(SessionCmd::Join {
                conn: n as u64,
                token,
                link,
                reply,
            })
            .await
            .unwrap();
        joined.await.unwrap().unwrap();
        let conn = Conn {
            id: n as u64,
            handle,
            frames,
        };
        conn.command(Command::Hello { version: 1 }).await;
        conns.push(conn);
    }
    (conns, owner_id)
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
        conn.next_carousel().await;
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
            let (_, view) = conn.next_carousel().await;
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
    fac.next_carousel().await;
    fac.command(Command::CarouselStart { round_id: None }).await;
    let (_, started) = fac.next_carousel().await;
    let ClockView::Running { deadline } = started.clock else {
        panic!()
    };
    assert!(
        (deadline - started.server_time - 120_000.0).abs() < 1.0,
        "a two-minute first stage"
    );

    tokio::time::sleep(Duration::from_secs(30)).await;
    fac.command(Command::CarouselPause).await;
    let (_, paused) = fac.next_carousel().await;
    assert!(
        matches!(paused.clock, ClockView::Paused { remaining_ms } if (remaining_ms - 90_000.0).abs() < 1.0)
    );
    // a paused clock does not advance, however long the pause
    tokio::time::sleep(10 * MINUTE).await;
    fac.command(Command::CarouselAddTime { seconds: 60 }).await;
    let (_, longer) = fac.next_carousel().await;
    assert!(
        matches!(longer.clock, ClockView::Paused { remaining_ms } if (remaining_ms - 150_000.0).abs() < 1.0)
    );
    let resumed_at = Instant::now();
    fac.command(Command::CarouselResume).await;
    fac.next_carousel().await;
    let (at, next_stage) = fac.next_carousel().await;
    assert_eq!(next_stage.stage_index, 1);
    assert_eq!(
        (at - resumed_at).as_millis(),
        150_000,
        "advances exactly when the remaining time is up"
    );
}
