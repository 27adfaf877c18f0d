//! A session task in-process, with channel "connections" instead of sockets: for tests under
//! `tokio::time::pause()`, where virtual time must drive the session's timers exactly (real
//! sockets and paused time do not mix: tokio jumps the clock whenever everything waits on IO).

use std::sync::Arc;

use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use werkplaats_protocol::control::{ClientEnvelope, Command, Event, Role, ServerEnvelope};
use werkplaats_protocol::message::Message;
use werkplaats_server::Config;
use werkplaats_server::clock::ServerClock;
use werkplaats_server::metrics::Metrics;
use werkplaats_server::session::meta::{SessionMeta, builtin_template};
use werkplaats_server::session::registry::{Registry, SessionContext};
use werkplaats_server::session::{
    ClientMsg, Closer, ConnLink, SessionCmd, SessionHandle, outbound,
};
use werkplaats_server::store::memory::MemoryStore;
use werkplaats_server::store::{LoadedSession, SessionRow, Store, StoreFuture, UpdateBatch};

pub struct InProcessConn {
    pub id: u64,
    pub participant_id: String,
    /// The token it joined with (a second device may join with it too).
    pub token: String,
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
        self.send(ClientMsg::Control(Box::new(ClientEnvelope {
            id: None,
            command,
        })))
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
    session_with_store(Arc::new(MemoryStore::new()), people).await
}

/// [`session_with`] on a store of the caller's (e.g. a [`GatedStore`]).
pub async fn session_with_store(
    store: Arc<dyn Store>,
    people: &[(Role, &str)],
) -> (Arc<Registry>, Vec<InProcessConn>) {
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
        template: builtin_template(),
        join_locked: false,
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
                token: token.clone(),
                link,
                reply,
            })
            .await
            .expect("session running");
        joined.await.expect("answered").expect("joined");
        let conn = InProcessConn {
            id: n as u64,
            participant_id: meta.credentials[n].participant_id.clone(),
            token,
            handle,
            frames,
            closer,
        };
        conn.command(Command::Hello { version: 1 }).await;
        conns.push(conn);
    }
    (registry, conns)
}

/// A memory store whose appends, once the gate is closed, wait for the test's permission: to
/// see what the session does while a batch's writes are under way. Every append is recorded
/// (how many updates it carried) before it waits.
pub struct GatedStore {
    inner: MemoryStore,
    closed: std::sync::atomic::AtomicBool,
    gate: tokio::sync::Semaphore,
    appends: std::sync::Mutex<Vec<usize>>,
}

impl Default for GatedStore {
    fn default() -> Self {
        Self {
            inner: MemoryStore::new(),
            closed: std::sync::atomic::AtomicBool::new(false),
            gate: tokio::sync::Semaphore::new(0),
            appends: std::sync::Mutex::new(Vec::new()),
        }
    }
}

impl GatedStore {
    /// From now on every append waits for [`GatedStore::allow`].
    pub fn close(&self) {
        self.closed.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Lets `n` more appends finish.
    pub fn allow(&self, n: usize) {
        self.gate.add_permits(n);
    }

    /// The appends asked for so far: how many updates each carried.
    pub fn appends(&self) -> Vec<usize> {
        self.appends.lock().expect("not poisoned").clone()
    }
}

impl Store for GatedStore {
    fn create_session(&self, row: SessionRow, meta: Vec<u8>) -> StoreFuture<'_, ()> {
        self.inner.create_session(row, meta)
    }
    fn session_by_join_code<'a>(&'a self, join_code: &'a str) -> StoreFuture<'a, Option<String>> {
        self.inner.session_by_join_code(join_code)
    }
    fn set_join_code<'a>(&'a self, id: &'a str, join_code: &'a str) -> StoreFuture<'a, ()> {
        self.inner.set_join_code(id, join_code)
    }
    fn load_session<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<LoadedSession>> {
        self.inner.load_session(id)
    }
    fn append_updates<'a>(&'a self, id: &'a str, updates: UpdateBatch) -> StoreFuture<'a, u64> {
        self.appends
            .lock()
            .expect("not poisoned")
            .push(updates.len());
        let gated = self.closed.load(std::sync::atomic::Ordering::SeqCst);
        Box::pin(async move {
            if gated {
                self.gate.acquire().await.expect("gate open").forget();
            }
            self.inner.append_updates(id, updates).await
        })
    }
    fn save_state<'a>(&'a self, id: &'a str, meta: Vec<u8>, state: Vec<u8>) -> StoreFuture<'a, ()> {
        self.inner.save_state(id, meta, state)
    }
    fn compact<'a>(&'a self, id: &'a str, snapshot: Vec<u8>, upto_seq: u64) -> StoreFuture<'a, ()> {
        self.inner.compact(id, snapshot, upto_seq)
    }
    fn delete_session<'a>(&'a self, id: &'a str) -> StoreFuture<'a, bool> {
        self.inner.delete_session(id)
    }
    fn expire_before(&self, cutoff_ms: i64) -> StoreFuture<'_, Vec<String>> {
        self.inner.expire_before(cutoff_ms)
    }
}
