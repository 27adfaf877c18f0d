//! S4, stage-change skew: one facilitator and N clients in a session; the facilitator changes
//! the carousel stage K times (a write of `m.stage`). Per change, the skew of a client is when
//! it shows the new stage minus when the first client did (p50, p99 over all clients and
//! changes) and the spread is last minus first.
//!
//! Peers have no clock: a client shows a stage when the write arrives. Werkplaats carries the
//! server's clock: every client estimates its offset to it (control `ping`, best of several
//! round trips), the change names a deadline on the server's clock `lead` ahead, and a client
//! shows the stage at that deadline (or on arrival, if the write comes late). Until the
//! carousel commands exist (issue 3), the facilitator stamps the deadline from its own estimate
//! of the server's clock.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Ctx, wait_all, wait_quiet};
use crate::client::{Cmd, Conn, ms};
use crate::stats::{Summary, percentile};
use crate::target::Kind;
use crate::verify::{self, Progress};

pub struct S4 {
    pub clients: usize,
    pub changes: usize,
    pub interval_ms: u64,
    pub lead_ms: f64,
}

pub async fn run(ctx: &Ctx, p: &S4) -> anyhow::Result<Value> {
    let clocked = ctx.kind() == Kind::Ours;
    let room = ctx.target.create_room().await?;
    let facilitator = ctx.spawn(&room, clocked, None);
    let clients = ctx.connect(&room, p.clients, clocked).await;
    let everyone: Vec<&Conn> = std::iter::once(&facilitator).chain(&clients).collect();
    wait_all(
        everyone.iter().copied(),
        Duration::from_secs(120),
        "sync",
        |l| l.synced.is_some() && (!clocked || l.clock.is_some()),
    )
    .await?;
    if clocked {
        // Like a client that has settled: probe again once the connection storm is over, a
        // few clients at a time, and keep the best round trip of all probes.
        tokio::time::sleep(Duration::from_millis(300)).await;
        for batch in everyone.chunks(25) {
            for c in batch {
                c.send(Cmd::Probe);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let offset = |c: &Conn| c.with_log(|l| l.clock.map_or(0.0, |s| s.offset_ms));
    let fac_offset = offset(&facilitator);
    let mut deadlines = Vec::new();
    let loadgen = crate::procfs::CpuMeter::start(None);
    for stage in 1..=p.changes {
        let deadline = ms(std::time::Instant::now()) + fac_offset + p.lead_ms;
        deadlines.push(deadline);
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
    let mut arrival = vec![Vec::with_capacity(p.clients); p.changes];
    let mut shown = vec![Vec::with_capacity(p.clients); p.changes];
    let mut error = None;
    let mut late = 0;
    for c in &clients {
        let (updates, failed) = c.with_log(|l| (l.updates.clone(), l.failed()));
        if let Some(f) = failed {
            error.get_or_insert(format!("client {}: {f}", c.id));
        }
        let off = offset(c);
        let mut progress = Progress::default();
        progress.feed(c.id, &updates, |w, k, at| {
            if w == facilitator.id && (k as usize) < p.changes {
                let at = ms(at);
                arrival[k as usize].push(at);
                let local_deadline = deadlines[k as usize] - off;
                if clocked && at > local_deadline {
                    late += 1;
                }
                shown[k as usize].push(if clocked { at.max(local_deadline) } else { at });
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
    let arrival = skew(&arrival);
    let shown = skew(&shown);
    Ok(json!({
        "ok": error.is_none(),
        "error": error,
        "clients": p.clients,
        "changes": p.changes,
        "clocked": clocked,
        "lead_ms": p.lead_ms,
        "late_arrivals": late,
        "loadgen_cpu": loadgen_cpu,
        "skew_ms": shown,
        "arrival_skew_ms": arrival,
    }))
}

/// Skews (time minus the first client's, per change) pooled, and the spread of each change.
fn skew(times: &[Vec<f64>]) -> Value {
    let mut pooled = Vec::new();
    let mut spreads = Vec::new();
    for change in times {
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
        "spread_max": round2(spreads.last().copied().unwrap_or(f64::NAN)),
    })
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
