//! S4, stage-change skew: a carousel stage changes for N clients in one session. Per change,
//! the skew of a client is when it shows the new stage minus when the first client did (p50,
//! p99 over all clients and changes); the spread is last minus first.
//!
//! Werkplaats ([`run_carousel`]) runs its real carousel. The session is created as the web
//! client creates it; the clients are the facilitator (its token from the creation), the
//! display (the room view) and N − 2 participants, each joined with the join code
//! (`POST /api/join`, a token each, as many as a session holds). Every client says `hello` on
//! the control channel and estimates the server's clock with five `ping`s, keeping the shortest
//! round trip, as `web-client/src/net/clock.ts` does. Two kinds of change are measured:
//!
//! - **server-driven** (the figure of the floor): the facilitator adds rounds, turns on
//!   "next round by itself" and starts the first; from then on the server's clock advances
//!   every stage at its deadline, round after round, until the last round is done. Stage
//!   lengths are the template's minutes times the server's `--minute-ms`.
//! - **facilitator-driven**: the facilitator sends `carousel_next_stage` (or
//!   `carousel_next_round` after a round's end), each `interval_ms` after it saw the previous
//!   change, but at most a third of the shortest stage, so that no stage expires in between
//!   (checked: one event per command).
//!
//! The web client shows the next stage at the ending stage's deadline, on its estimate of the
//! server's clock (`web-client/src/state/carousel-projection.ts`), or when the `carousel`
//! event arrives, whichever is first. So for a server-driven change a client shows it at
//! `min(arrival, deadline - offset)`; a facilitator's command has no deadline known in
//! advance, and is shown on arrival. Also reported, for server-driven changes: the arrival
//! skew alone (`arrival_skew_ms`), the moment each client's countdown of the ending stage
//! showed zero (`countdown_skew_ms`), and how long after that the event arrived (`late_ms`: the
//! server's tick, its store commit and the fan-out, plus the client's clock error).
//!
//! The peers ([`run_emulated`]) have no carousel and no clock: a facilitator writes `m.stage`
//! into the document every `interval_ms`, and a client shows the stage when the write arrives.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use werkplaats_protocol::control::Command;

use super::{Ctx, wait_all, wait_quiet};
use crate::client::{CarouselMark, Cmd, Conn, ConnSpec, PINGS, ms};
use crate::stats::{Summary, percentile};
use crate::target::{Kind, Room};
use crate::verify::{self, Progress};

/// Credentials one Werkplaats session holds (`MAX_CREDENTIALS` in
/// `server/src/session/meta.rs`), the facilitator's and the display's included. Clients beyond
/// it share participants' tokens (one person, two devices).
const MAX_CREDENTIALS: usize = 500;
/// Stage changes in one carousel round: four to the next stage, and the end of the round (or,
/// with "next round by itself", the start of the next one).
const CHANGES_PER_ROUND: usize = 5;
/// Joins in flight at once.
const JOIN_CONCURRENCY: usize = 16;

pub struct S4 {
    pub clients: usize,
    /// Changes of each kind (server-driven ones are rounded up to whole rounds).
    pub changes: usize,
    /// Between two facilitator-driven changes (the peers' writes; ours: after the previous
    /// change arrived, at most a third of the shortest stage).
    pub interval_ms: u64,
    /// Peers only: how far ahead the emulated deadline written into `m.stage` lies.
    pub lead_ms: f64,
}

pub async fn run(ctx: &Ctx, p: &S4) -> anyhow::Result<Value> {
    if ctx.kind() == Kind::Ours {
        run_carousel(ctx, p).await
    } else {
        run_emulated(ctx, p).await
    }
}

/// Werkplaats: real carousel stage changes, see the module documentation.
pub async fn run_carousel(ctx: &Ctx, p: &S4) -> anyhow::Result<Value> {
    anyhow::ensure!(
        p.clients >= 2,
        "S4 needs at least the facilitator and the display"
    );
    let workshop = ctx.target.create_workshop().await?;
    let participants = p.clients - 2;
    let joins = participants.min(MAX_CREDENTIALS - 2);
    let tokens: Vec<Room> = futures_util::stream::iter(0..joins)
        .map(|i| {
            let workshop = &workshop;
            async move { ctx.target.join(workshop, &format!("Deelnemer {i}")).await }
        })
        .buffered(JOIN_CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let facilitator = Conn::spawn(
        ConnSpec {
            watch_carousel: true,
            ..ctx.spec(&workshop.facilitator, true)
        },
        None,
        None,
    );
    let display = Conn::spawn(
        ConnSpec {
            read_only: true,
            ..ctx.spec(&workshop.display, true)
        },
        None,
        None,
    );
    let others = ctx
        .connect_each(tokens.iter().cycle().take(participants), true)
        .await;
    let everyone: Vec<&Conn> = [&facilitator, &display]
        .into_iter()
        .chain(&others)
        .collect();
    wait_all(
        everyone.iter().copied(),
        Duration::from_secs(120),
        "sync and the clock probes",
        |l| l.synced.is_some() && l.pongs >= PINGS,
    )
    .await?;
    // The web client probes once, after its hello. Here 500 clients share one load generator,
    // whose connection storm stretches those round trips (to tens of milliseconds) where 500
    // devices would not: probe again once it is over, a few clients at a time, and keep the
    // best round trip of all. Only the countdown figures use the clock.
    tokio::time::sleep(Duration::from_millis(300)).await;
    for batch in everyone.chunks(25) {
        for c in batch {
            c.send(Cmd::Probe);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    wait_all(
        everyone.iter().copied(),
        Duration::from_secs(30),
        "the second clock probes",
        |l| l.pongs >= 2 * PINGS,
    )
    .await?;

    let command = |c: Command| facilitator.send(Cmd::Control(c));
    let auto_next_round = |on: bool| Command::SetSettings {
        anonymous_posting: None,
        votes_per_participant: None,
        auto_next_round: Some(on),
    };
    let add_rounds = |from: usize, n: usize| {
        for i in from..from + n {
            command(Command::CarouselAddRound {
                topic: format!("Kans {}", i + 1),
                owner_id: workshop.facilitator_id.clone(),
                activity_id: None,
            });
        }
    };
    let within = Duration::from_secs(10);

    // Server-driven: whole rounds that follow each other by themselves.
    let rounds = p.changes.div_ceil(CHANGES_PER_ROUND).max(1);
    command(auto_next_round(true));
    add_rounds(0, rounds);
    let (ready, _) = wait_carousel(&facilitator, within, |m| m.rounds == rounds).await?;
    settle(&everyone, ready, within).await;
    let loadgen = crate::procfs::CpuMeter::start(None);
    command(Command::CarouselStart { round_id: None });
    let (started, first) = wait_carousel(&facilitator, within, |m| m.round.is_some()).await?;
    let round_ms: f64 = first.stage_ms.iter().sum();
    let shortest_ms = first.stage_ms.iter().copied().fold(f64::INFINITY, f64::min);
    let all_rounds = Duration::from_secs_f64(round_ms * rounds as f64 / 1e3);
    let (done, _) = wait_carousel(&facilitator, all_rounds + within, |m| m.done()).await?;
    settle(&everyone, done, within).await;

    // Facilitator-driven: next stage (or next round after a round's end) on command.
    let command_rounds = p.changes.div_ceil(CHANGES_PER_ROUND + 1);
    command(auto_next_round(false));
    add_rounds(rounds, command_rounds);
    let (ready, mut last) = wait_carousel(&facilitator, within, |m| {
        m.rounds == rounds + command_rounds
    })
    .await?;
    settle(&everyone, ready, within).await;
    let gap = Duration::from_millis(p.interval_ms).min(Duration::from_secs_f64(shortest_ms / 3e3));
    let mut command_changes = Vec::with_capacity(p.changes);
    for _ in 0..p.changes {
        command(if last.done() {
            Command::CarouselNextRound
        } else {
            Command::CarouselNextStage
        });
        let seq = last.seq;
        (_, last) = wait_carousel(&facilitator, within, |m| m.seq > seq).await?;
        command_changes.push(last.seq);
        tokio::time::sleep(gap).await;
    }
    command(Command::CarouselEnd);
    let (end, _) = wait_carousel(&facilitator, within, |m| {
        m.round.is_none() && m.seq > last.seq
    })
    .await?;
    settle(&everyone, end, within).await;
    let loadgen_cpu = loadgen.cores();

    let mut error = None;
    let (seen, event_bytes) = facilitator.with_log(|l| {
        let size = l.carousel_events.get(started).map(|(_, json)| json.len());
        (l.carousel.clone(), size)
    });
    let end_seq = seen[end - 1].1.seq;
    // The events from the start to the end of the last round: every deadline makes one (a
    // late tick that caught up two deadlines would make one for both).
    let server_changes: Vec<u64> = seen[started..done].iter().map(|(_, m)| m.seq).collect();
    if server_changes.len() != rounds * CHANGES_PER_ROUND {
        error.get_or_insert(format!(
            "{} server-driven changes for {} deadlines",
            server_changes.len(),
            rounds * CHANGES_PER_ROUND
        ));
    }
    // The deadline that ended the stage before each server-driven change.
    let ended: Vec<Option<f64>> = seen[started - 1..done - 1]
        .iter()
        .map(|(_, m)| m.deadline())
        .collect();
    // One event per command: no stage expired between two commands.
    if end - ready != p.changes + 1 {
        error.get_or_insert(format!(
            "{} carousel events for {} facilitator-driven changes and the end: a stage \
             expired in between (lower --interval-ms)",
            end - ready,
            p.changes
        ));
    }

    // [change][client], in load-generator milliseconds
    let mut server_shown = vec![Vec::with_capacity(p.clients); server_changes.len()];
    let mut server_arrived = vec![Vec::with_capacity(p.clients); server_changes.len()];
    let mut countdown_zero = vec![Vec::with_capacity(p.clients); server_changes.len()];
    let mut late = Vec::new();
    let mut command_shown = vec![Vec::with_capacity(p.clients); command_changes.len()];
    let mut rtts = Vec::new();
    let mut missed = 0;
    for c in &everyone {
        let (marks, failed, refused, clock) = c.with_log(|l| {
            (
                l.carousel_marks(),
                l.failed(),
                l.control_errors.first().cloned(),
                l.clock,
            )
        });
        let marks = marks?;
        if let Some(f) = failed {
            error.get_or_insert(format!("client {}: {f}", c.id));
        }
        if let Some(r) = refused {
            error.get_or_insert(format!("client {}: command refused: {r}", c.id));
        }
        if marks.last().map(|(_, m)| m.seq) != Some(end_seq) {
            error.get_or_insert(format!("client {} ends on another carousel state", c.id));
        }
        let arrived: HashMap<u64, f64> = marks.iter().map(|(at, m)| (m.seq, ms(*at))).collect();
        let offset = clock.map_or(f64::NAN, |s| s.offset_ms);
        rtts.push(clock.map_or(f64::NAN, |s| s.rtt_ms));
        for (i, seq) in server_changes.iter().enumerate() {
            let Some(&at) = arrived.get(seq) else {
                missed += 1;
                continue;
            };
            server_arrived[i].push(at);
            if let Some(deadline) = ended[i] {
                let zero = deadline - offset;
                countdown_zero[i].push(zero);
                late.push(at - zero);
                server_shown[i].push(at.min(zero));
            } else {
                server_shown[i].push(at);
            }
        }
        for (i, seq) in command_changes.iter().enumerate() {
            match arrived.get(seq) {
                Some(&at) => command_shown[i].push(at),
                None => missed += 1,
            }
        }
    }
    if missed > 0 {
        error.get_or_insert(format!("{missed} stage changes did not reach a client"));
    }
    for c in [facilitator, display].into_iter().chain(others) {
        c.close().await;
    }
    let shown = skew(&server_shown);
    let late = Summary::of(late);
    let rtt = Summary::of(rtts);
    Ok(json!({
        "ok": error.is_none(),
        "error": error,
        "driven_by": "carousel",
        "shown": "at the deadline on the client's estimate of the server's clock, or on arrival if earlier, as the web client does",
        "clients": p.clients,
        "participants_joined": joins,
        "stage_ms": first.stage_ms,
        "changes": server_changes.len(),
        "command_changes": command_changes.len(),
        "command_interval_ms": gap.as_secs_f64() * 1e3,
        "event_bytes": event_bytes,
        "loadgen_cpu": loadgen_cpu,
        "skew_ms": shown,
        "arrival_skew_ms": skew(&server_arrived),
        "command_skew_ms": skew(&command_shown),
        "countdown_skew_ms": skew(&countdown_zero),
        "late_ms": {
            "p50": round2(late.p50),
            "p99": round2(late.p99),
            "max": round2(late.max),
        },
        "clock_rtt_ms": { "p50": round2(rtt.p50), "p99": round2(rtt.p99) },
    }))
}

/// Waits until the facilitator has seen a carousel event for which `want` holds; returns how
/// many events it had seen up to that one, and the event. Fails if the connection fails or a
/// command of ours was refused.
async fn wait_carousel(
    conn: &Conn,
    within: Duration,
    want: impl Fn(&CarouselMark) -> bool,
) -> anyhow::Result<(usize, CarouselMark)> {
    let deadline = Instant::now() + within;
    loop {
        let (found, failed, refused) = conn.with_log(|l| {
            (
                l.carousel
                    .iter()
                    .position(|(_, m)| want(m))
                    .map(|i| (i + 1, l.carousel[i].1.clone())),
                l.failed(),
                l.control_errors.first().cloned(),
            )
        });
        if let Some(failed) = failed {
            anyhow::bail!("facilitator: {failed}");
        }
        if let Some(refused) = refused {
            anyhow::bail!("facilitator's command refused: {refused}");
        }
        if let Some(found) = found {
            return Ok(found);
        }
        if Instant::now() > deadline {
            anyhow::bail!("the carousel did not get where it should within {within:?}");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Waits (at most `within`) until every client has `count` carousel events, so that one
/// change's fan-out is over before the next is measured. Every client said hello before the
/// first, so all receive the same events; losses are counted afterwards.
async fn settle(conns: &[&Conn], count: usize, within: Duration) {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        let behind = conns
            .iter()
            .any(|c| c.with_log(|l| l.failed().is_none() && l.carousel_events.len() < count));
        if !behind {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The peers: a facilitator writes `m.stage` every `interval_ms`; a client shows the stage when
/// the write arrives.
pub async fn run_emulated(ctx: &Ctx, p: &S4) -> anyhow::Result<Value> {
    let room = ctx.target.create_room().await?;
    let facilitator = ctx.spawn(&room, false, None);
    let clients = ctx.connect(&room, p.clients, false).await;
    let everyone: Vec<&Conn> = std::iter::once(&facilitator).chain(&clients).collect();
    wait_all(
        everyone.iter().copied(),
        Duration::from_secs(120),
        "sync",
        |l| l.synced.is_some(),
    )
    .await?;
    let loadgen = crate::procfs::CpuMeter::start(None);
    for stage in 1..=p.changes {
        // The deadline is written as before the carousel existed; no peer client reads it.
        let deadline = ms(std::time::Instant::now()) + p.lead_ms;
        facilitator.send(Cmd::SetStage {
            stage: stage as u32,
            deadline_ms: deadline,
        });
        tokio::time::sleep(Duration::from_millis(p.interval_ms)).await;
    }
    wait_quiet(
        &everyone,
        Duration::from_millis(300),
        Duration::from_secs(10),
    )
    .await;
    let loadgen_cpu = loadgen.cores();

    // shown[change][client] in load-generator milliseconds
    let mut shown = vec![Vec::with_capacity(p.clients); p.changes];
    let mut error = None;
    for c in &clients {
        let (updates, failed) = c.with_log(|l| (l.updates.clone(), l.failed()));
        if let Some(f) = failed {
            error.get_or_insert(format!("client {}: {f}", c.id));
        }
        let mut progress = Progress::default();
        progress.feed(c.id, &updates, |w, k, at| {
            if w == facilitator.id && (k as usize) < p.changes {
                shown[k as usize].push(ms(at));
            }
        })?;
        if (progress.delivered(facilitator.id) as usize) < p.changes {
            error.get_or_insert(format!("client {} missed stage changes", c.id));
        }
    }
    // Every replica must end on the last stage.
    let (fac_doc, fac_log) = facilitator.close().await;
    let want = verify::replica(fac_doc.as_ref(), fac_log.step2.as_ref(), [])?;
    for c in clients {
        let id = c.id;
        let (doc, log) = c.close().await;
        let updates: Vec<_> = log.updates.iter().map(|(_, b)| b.clone()).collect();
        let r = verify::replica(doc.as_ref(), log.step2.as_ref(), &updates)?;
        if r.stage != want.stage {
            error.get_or_insert(format!("client {id} ends on another stage"));
        }
    }
    let shown = skew(&shown);
    Ok(json!({
        "ok": error.is_none(),
        "error": error,
        "driven_by": "map write",
        "shown": "on arrival of the write",
        "clients": p.clients,
        "changes": p.changes,
        "loadgen_cpu": loadgen_cpu,
        "skew_ms": shown,
        "arrival_skew_ms": shown,
    }))
}

/// Skews (time minus the first client's, per change) pooled, and the spread of each change.
fn skew(times: &[Vec<f64>]) -> Value {
    let mut pooled = Vec::new();
    let mut spreads = Vec::new();
    for change in times.iter().filter(|c| !c.is_empty()) {
        let first = change.iter().copied().fold(f64::INFINITY, f64::min);
        let last = change.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        pooled.extend(change.iter().map(|t| t - first));
        spreads.push(last - first);
    }
    let s = Summary::of(pooled);
    spreads.sort_by(f64::total_cmp);
    json!({
        "p50": round2(s.p50),
        "p99": round2(s.p99),
        "spread_median": round2(percentile(&spreads, 50.0)),
        "spread_p99": round2(percentile(&spreads, 99.0)),
        "spread_max": round2(spreads.last().copied().unwrap_or(f64::NAN)),
    })
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
