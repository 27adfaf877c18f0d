//! Rooms of clients that all type: every client edits at a fixed rate, every other client of
//! its room must receive every edit. Used by S1 (one step at 1/s) and S5 (a ramp of steps).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rand::Rng;
use serde::Serialize;

use super::{Ctx, wait_all, wait_quiet};
use crate::client::{Cmd, Conn};
use crate::procfs::CpuMeter;
use crate::stats::Summary;
use crate::verify::{self, Progress};

/// How long the fleet waits for stragglers after the last edit of a step.
const DRAIN_QUIET: Duration = Duration::from_millis(300);
const DRAIN_MAX: Duration = Duration::from_secs(10);

struct Member {
    conn: Conn,
    progress: Progress,
    kept: Vec<Bytes>,
}

pub struct Fleet {
    rooms: Vec<Vec<Member>>,
}

/// One measured window of edits.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Edits per second per client.
    pub rate: f64,
    pub seconds: f64,
    pub latency_ms: Summary,
    /// Edits that should have reached a receiver, and those that did.
    pub expected: u64,
    pub delivered: u64,
    pub deliveries_per_sec: f64,
    /// Fraction of one core the load generator used while sending.
    pub loadgen_cpu: f64,
    pub server_cpu: Option<f64>,
    /// The server's CPU seconds per million deliveries, from its own accounting
    /// (`/proc/PID/task/*/schedstat`) over the step and its drain.
    pub server_cpu_secs_per_million: Option<f64>,
    pub failures: Vec<String>,
    #[serde(skip)]
    pub latencies: Vec<f64>,
}

impl Step {
    pub fn lossless(&self) -> bool {
        self.failures.is_empty() && self.delivered == self.expected
    }
}

impl Fleet {
    /// Creates `sessions` rooms of `clients` clients each and waits until all are synced.
    pub async fn connect(ctx: &Ctx, sessions: usize, clients: usize) -> anyhow::Result<Fleet> {
        let mut rooms = Vec::with_capacity(sessions);
        for _ in 0..sessions {
            let room = ctx.target.create_room().await?;
            let conns = ctx.connect(&room, clients, false).await;
            rooms.push(
                conns
                    .into_iter()
                    .map(|conn| Member {
                        conn,
                        progress: Progress::default(),
                        kept: Vec::new(),
                    })
                    .collect(),
            );
        }
        let fleet = Fleet { rooms };
        wait_all(fleet.conns(), Duration::from_secs(120), "sync", |l| {
            l.synced.is_some()
        })
        .await?;
        Ok(fleet)
    }

    pub fn conns(&self) -> impl Iterator<Item = &Conn> + Clone {
        self.rooms.iter().flatten().map(|m| &m.conn)
    }

    pub fn clients(&self) -> usize {
        self.rooms.iter().map(Vec::len).sum()
    }

    /// Every client edits `rate` times a second for `seconds` (each with its own phase);
    /// then waits for the last deliveries and accounts for every edit.
    pub async fn step(&mut self, ctx: &Ctx, rate: f64, seconds: f64) -> Step {
        self.step_with_writers(ctx, rate, seconds, usize::MAX).await
    }

    /// [`step`](Self::step) with only the first `writers` clients of each room editing; the
    /// others only receive.
    pub async fn step_with_writers(
        &mut self,
        ctx: &Ctx,
        rate: f64,
        seconds: f64,
        writers_per_room: usize,
    ) -> Step {
        let per_client = (rate * seconds).round().max(1.0) as usize;
        let period = Duration::from_secs_f64(1.0 / rate);
        let loadgen = CpuMeter::start(None);
        let server = CpuMeter::start(ctx.server_pid);
        let start = tokio::time::Instant::now() + Duration::from_millis(20);
        let mut writers = Vec::new();
        let editing = self
            .rooms
            .iter()
            .flat_map(|room| room.iter().take(writers_per_room).map(|m| &m.conn));
        for conn in editing {
            let tx = conn.sender();
            let phase = period.mul_f64(rand::rng().random::<f64>());
            writers.push(tokio::spawn(async move {
                let mut next = start + phase;
                for _ in 0..per_client {
                    tokio::time::sleep_until(next).await;
                    if tx.send(Cmd::Edit).is_err() {
                        return;
                    }
                    next += period;
                }
            }));
        }
        for w in writers {
            let _ = w.await;
        }
        let loadgen_cpu = loadgen.cores().unwrap_or(f64::NAN);
        let server_cpu = server.cores();
        let all: Vec<&Conn> = self.conns().collect();
        wait_quiet(&all, DRAIN_QUIET, DRAIN_MAX).await;
        let server_cpu_secs = server.used_secs();
        let mut step = self.account(rate, seconds);
        step.loadgen_cpu = loadgen_cpu;
        step.server_cpu = server_cpu;
        // This step's deliveries (`delivered` counts those of earlier steps too).
        let deliveries = step.latencies.len();
        step.server_cpu_secs_per_million = server_cpu_secs
            .filter(|_| deliveries > 0)
            .map(|secs| secs / deliveries as f64 * 1e6);
        step
    }

    /// Reads what arrived since the last step: latencies, losses, failures.
    fn account(&mut self, rate: f64, seconds: f64) -> Step {
        let mut latencies = Vec::new();
        let mut expected = 0u64;
        let mut failures = Vec::new();
        for room in &mut self.rooms {
            let sent: HashMap<u64, Vec<Instant>> = room
                .iter()
                .map(|m| (m.conn.id, m.conn.with_log(|l| l.sent.clone())))
                .collect();
            for m in room.iter_mut() {
                let (updates, failed) = {
                    let mut log = m.conn.log.lock().unwrap();
                    (std::mem::take(&mut log.updates), log.failed())
                };
                if let Some(f) = failed {
                    failures.push(format!("client {}: {f}", m.conn.id));
                }
                let fed = m.progress.feed(m.conn.id, &updates, |w, k, at| {
                    if let Some(sent_at) = sent.get(&w).and_then(|s| s.get(k as usize)) {
                        latencies.push(at.duration_since(*sent_at).as_secs_f64() * 1e3);
                    }
                });
                if let Err(err) = fed {
                    failures.push(format!("client {}: undecodable update: {err}", m.conn.id));
                }
                m.kept.extend(updates.into_iter().map(|(_, b)| b));
                for (w, s) in &sent {
                    if *w != m.conn.id {
                        expected += s.len() as u64;
                    }
                }
            }
        }
        // `expected` counts all edits so far; so must `delivered`.
        let delivered: u64 = self
            .rooms
            .iter()
            .flat_map(|room| {
                room.iter().map(move |m| {
                    room.iter()
                        .filter(|o| o.conn.id != m.conn.id)
                        .map(|o| u64::from(m.progress.delivered(o.conn.id)))
                        .sum::<u64>()
                })
            })
            .sum();
        failures.truncate(20);
        Step {
            rate,
            seconds,
            latency_ms: Summary::of(latencies.clone()),
            expected,
            delivered,
            deliveries_per_sec: latencies.len() as f64 / seconds,
            loadgen_cpu: f64::NAN,
            server_cpu: None,
            server_cpu_secs_per_million: None,
            failures,
            latencies,
        }
    }

    /// Closes every client and checks that the replicas of each room agree and hold every edit.
    pub async fn finish(self) -> Result<(), String> {
        let mut result = Ok(());
        for room in self.rooms {
            let mut expected = HashMap::new();
            let mut replicas = Vec::new();
            for m in room {
                let id = m.conn.id;
                let (doc, log) = m.conn.close().await;
                expected.insert(id, log.sent.len() as u32);
                let r = verify::replica(doc.as_ref(), log.step2.as_ref(), &m.kept);
                match r {
                    Ok(r) => replicas.push(r),
                    Err(err) => result = Err(format!("client {id}: replica: {err}")),
                }
            }
            if result.is_ok() {
                result = verify::converged(&replicas, &expected);
            }
        }
        result
    }
}
