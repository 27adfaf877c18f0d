//! The scenarios of the benchmark, and what they share: connecting rooms full of clients and
//! waiting for them.
//!
//! - [`fleet`]: rooms of clients that all edit; deliveries, latencies and convergence (S1, S5).
//! - [`s1`] fan-out latency, [`s2`] idle memory, [`s3`] joining a big document,
//!   [`s4`] stage-change skew, [`s5`] capacity.

pub mod fleet;
pub mod s1;
pub mod s2;
pub mod s3;
pub mod s4;
pub mod s5;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::client::{Conn, ConnSpec, Log};
use crate::target::{Kind, Room, Target};

/// Handshakes in flight at once while a scenario connects its clients.
const CONNECT_CONCURRENCY: usize = 64;

pub struct Ctx {
    pub target: Target,
    /// The server's process, for its memory and CPU.
    pub server_pid: Option<u32>,
    next_id: AtomicU64,
    connecting: Arc<Semaphore>,
}

impl Ctx {
    pub fn new(target: Target, server_pid: Option<u32>) -> Self {
        Self {
            target,
            server_pid,
            next_id: AtomicU64::new(1),
            connecting: Arc::new(Semaphore::new(CONNECT_CONCURRENCY)),
        }
    }

    pub fn kind(&self) -> Kind {
        self.target.kind
    }

    /// A client id unique in this process (Yjs client ids must be unique per document).
    pub fn client_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Starts `n` clients in `room`, at most [`CONNECT_CONCURRENCY`] handshakes at a time.
    pub async fn connect(&self, room: &Room, n: usize, clock_probe: bool) -> Vec<Conn> {
        self.connect_each(std::iter::repeat_n(room, n), clock_probe)
            .await
    }

    /// Starts one client in each of `rooms` (a room per token), at most
    /// [`CONNECT_CONCURRENCY`] handshakes at a time.
    pub async fn connect_each<'a>(
        &self,
        rooms: impl IntoIterator<Item = &'a Room>,
        clock_probe: bool,
    ) -> Vec<Conn> {
        let mut conns = Vec::new();
        for room in rooms {
            let permit = Arc::clone(&self.connecting)
                .acquire_owned()
                .await
                .expect("semaphore open");
            conns.push(self.spawn(room, clock_probe, Some(permit)));
        }
        conns
    }

    /// Starts one client now.
    pub fn spawn(
        &self,
        room: &Room,
        clock_probe: bool,
        permit: Option<tokio::sync::OwnedSemaphorePermit>,
    ) -> Conn {
        Conn::spawn(self.spec(room, clock_probe), None, permit)
    }

    /// What [`Ctx::spawn`] starts: a client with awareness and a fresh id, which edits.
    pub fn spec(&self, room: &Room, clock_probe: bool) -> ConnSpec {
        ConnSpec {
            room: room.clone(),
            client_id: self.client_id(),
            awareness: true,
            clock_probe,
            read_only: false,
            watch_carousel: false,
        }
    }

    pub fn rss_kib(&self) -> Option<u64> {
        self.server_pid.and_then(crate::procfs::rss_kib)
    }
}

/// Waits until `done` holds for every connection; fails at once if one fails, or at the
/// deadline.
pub async fn wait_all<'a>(
    conns: impl IntoIterator<Item = &'a Conn> + Clone,
    within: Duration,
    what: &str,
    done: impl Fn(&Log) -> bool,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + within;
    loop {
        let mut pending = 0;
        for conn in conns.clone() {
            let (ok, failed) = conn.with_log(|l| (done(l), l.failed()));
            if let Some(failed) = failed {
                anyhow::bail!(
                    "client {} failed while waiting for {what}: {failed}",
                    conn.id
                );
            }
            if !ok {
                pending += 1;
            }
        }
        if pending == 0 {
            return Ok(());
        }
        if Instant::now() > deadline {
            anyhow::bail!("{pending} clients still waiting for {what} after {within:?}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until no client has received an update for `quiet` (at most `within`).
pub async fn wait_quiet(conns: &[&Conn], quiet: Duration, within: Duration) {
    let deadline = Instant::now() + within;
    let mut last = usize::MAX;
    let mut since = Instant::now();
    while Instant::now() < deadline {
        let count: usize = conns.iter().map(|c| c.with_log(|l| l.updates.len())).sum();
        if count != last {
            last = count;
            since = Instant::now();
        } else if since.elapsed() >= quiet {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Rounds to a tenth of a millisecond (or unit), for readable JSON.
pub fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
