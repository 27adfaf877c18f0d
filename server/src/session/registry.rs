//! The registry of live sessions: finds the task for a session id or starts one.
//!
//! Loading is single-flight by construction: the first lookup inserts a handle and spawns the
//! task under the map's entry lock, and the task loads its state itself, so every concurrent
//! first connection queues on the same channel and the session is read from the store once.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use dashmap::DashMap;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::task::SessionTask;
use super::{Refused, SessionCmd, SessionHandle};
use crate::config::Config;
use crate::metrics::Metrics;
use crate::store::Store;

/// How many times a request looks a session up again when it meets one that is unloading.
const REQUEST_ATTEMPTS: usize = 3;

/// Commands queued for one session before senders wait.
const SESSION_QUEUE: usize = 1024;

/// What every session task shares.
pub struct SessionContext {
    pub store: Arc<dyn Store>,
    pub config: Config,
    pub metrics: Arc<Metrics>,
    /// Cancelled when the server shuts down: sessions flush and close their connections.
    pub shutdown: CancellationToken,
    /// Lets shutdown wait for every session to flush.
    pub tasks: TaskTracker,
    pub clock: crate::clock::ServerClock,
}

pub struct Registry {
    sessions: DashMap<Arc<str>, SessionHandle>,
    next_generation: AtomicU64,
    pub ctx: Arc<SessionContext>,
}

impl Registry {
    pub fn new(ctx: SessionContext) -> Arc<Self> {
        Arc::new(Self {
            sessions: DashMap::new(),
            next_generation: AtomicU64::new(1),
            ctx: Arc::new(ctx),
        })
    }

    /// The handle of the session's task, starting the task if none runs.
    pub fn get_or_start(self: &Arc<Self>, id: &str) -> SessionHandle {
        if let Some(handle) = self.sessions.get(id) {
            return handle.clone();
        }
        self.sessions
            .entry(Arc::from(id))
            .or_insert_with(|| {
                let (tx, rx) = mpsc::channel(SESSION_QUEUE);
                let handle = SessionHandle {
                    id: Arc::from(id),
                    generation: self.next_generation.fetch_add(1, Ordering::Relaxed),
                    tx,
                    deleted: CancellationToken::new(),
                };
                SessionTask::spawn(Arc::clone(self), handle.clone(), rx);
                handle
            })
            .clone()
    }

    /// Sends a command that carries a reply to the session's task, starting the task if
    /// needed. A task that unloads while the command waits drops the reply; then the session is
    /// looked up again (a few times). `None`: it kept restarting.
    pub async fn request<T>(
        self: &Arc<Self>,
        id: &str,
        make: impl Fn(oneshot::Sender<Result<T, Refused>>) -> SessionCmd,
    ) -> Option<(SessionHandle, Result<T, Refused>)> {
        for _ in 0..REQUEST_ATTEMPTS {
            let handle = self.get_or_start(id);
            let (reply, answer) = oneshot::channel();
            if handle.send(make(reply)).await.is_err() {
                continue;
            }
            if let Ok(result) = answer.await {
                return Some((handle, result));
            }
        }
        None
    }

    /// Called by a task that is ending: removes its own entry, never a successor's.
    pub(super) fn remove(&self, handle: &SessionHandle) {
        self.sessions.remove_if(&handle.id, |_, current| {
            current.generation == handle.generation
        });
    }

    /// The session was deleted from the store: its task (if one runs) closes every connection
    /// with "session deleted" and ends, so its in-memory copy can never be served or written
    /// back. Later lookups start a fresh task, which finds nothing in the store.
    ///
    /// Call it after the store deletion has committed: a task that loads before that is
    /// evicted here, one that loads after finds no session.
    pub fn evict(&self, id: &str) -> bool {
        match self.sessions.remove(id) {
            Some((_, handle)) => {
                handle.deleted.cancel();
                true
            }
            None => false,
        }
    }

    pub fn live_sessions(&self) -> usize {
        self.sessions.len()
    }
}
