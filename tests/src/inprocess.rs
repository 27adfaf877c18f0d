//! A session task in-process, with channel "connections" instead of sockets: for tests under
//! `tokio::time::pause()`, where virtual time must drive the session's timers exactly (real
//! sockets and paused time do not mix: tokio jumps the clock whenever everything waits on IO).

use std::sync::Arc;

use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use werkplaats_protocol::control::{ClientEnvelope, Command, Event, Role, ServerEnvelope};
use werkplaats_protocol::message::Message;
use werkplaats_protocol::template::builtin_probiblio;
use werkplaats_server::Config;
use werkplaats_server::clock::ServerClock;
use werkplaats_server::metrics::Metrics;
use werkplaats_server::session::meta::SessionMeta;
use werkplaats_server::session::registry::{Registry, SessionContext};
use werkplaats_server::session::{
    ClientMsg, Closer, ConnLink, SessionCmd, SessionHandle, outbound,
};
use werkplaats_server::store::memory::MemoryStore;
use werkplaats_server::store::{SessionRow, Store};

pub struct InProcessConn {
    pub id: u64,
    pub participant_id: String,
    pub handle: SessionHandle,
    pub frames: outbound::Receiver,
    pub closer: Arc<Closer>,
}

impl InProcessConn {
    pub async fn send(&self, msg: ClientMsg) {
        self.handle
            .send(SessionCmd::Client { conn: self.id, msg })
            .await
            .expect("session running");
    }

    pub async fn command(&self, command: Command) {
        self.send(ClientMsg::Control(ClientEnvelope { id: None, command }))
            .await;
    }

    /// The next frame the session sent, decoded.
    pub async fn next_message(&mut self) -> Vec<u8> {
        self.frames.recv().await.expect("connection open").to_vec()
    }

    /// The next control event matching `matches` (others are skipped).
    pub async fn next_event(&mut self, matches: impl Fn(&Event) -> bool) -> Event {
        loop {
            let frame = self.next_message().await;
            if let Ok(Message::Control(json)) = Message::decode(&frame) {
                let event = ServerEnvelope::parse(json).expect("valid event").event;
                if matches(&event) {
                    return event;
                }
            }
        }
    }
}

/// Starts a session with one connection per role given, each having said hello.
pub async fn session_with(people: &[(Role, &str)]) -> (Arc<Registry>, Vec<InProcessConn>) {
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
        title: "In-process".into(),
        credentials: Vec::new(),
        template: builtin_probiblio(),
    };
    let tokens: Vec<String> = people
        .iter()
        .map(|(role, name)| meta.add_credential(*role, (*name).into(), 0).1)
        .collect();
    let id = "AAAAAAAAAAAAAAAAAAAAAA".to_owned();
    let row = SessionRow {
        id: id.clone(),
        join_code: "ACDEFG".into(),
        created_at_ms: 0,
    };
    store
        .create_session(row, meta.to_json())
        .await
        .expect("created");
    let mut conns = Vec::new();
    for (n, token) in tokens.into_iter().enumerate() {
        let handle = registry.get_or_start(&id);
        let (outbound, frames) = outbound::channel(1024);
        let closer = Arc::new(Closer::default());
        let link = ConnLink {
            outbound,
            closer: Arc::clone(&closer),
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
            .expect("session running");
        joined.await.expect("answered").expect("joined");
        let conn = InProcessConn {
            id: n as u64,
            participant_id: meta.credentials[n].participant_id.clone(),
            handle,
            frames,
            closer,
        };
        conn.command(Command::Hello { version: 1 }).await;
        conns.push(conn);
    }
    (registry, conns)
}
