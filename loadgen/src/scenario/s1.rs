//! S1, fan-out latency: one session of N clients, each typing at R edits a second; the time
//! from an edit leaving its writer to its arrival at each other client (p50, p99, p99.9).
//! `--sessions` and `--writers` make it many sessions in which only the first few clients
//! type (20 x 10 with one writer each: the load of many small workshops).

use serde_json::{Value, json};

use super::Ctx;
use super::fleet::Fleet;

pub struct S1 {
    pub sessions: usize,
    pub clients: usize,
    /// Clients of each session that type; the others only receive.
    pub writers: usize,
    pub rate: f64,
    pub seconds: f64,
}

pub async fn run(ctx: &Ctx, p: &S1) -> anyhow::Result<Value> {
    let rss_before = ctx.rss_kib();
    let mut fleet = Fleet::connect(ctx, p.sessions, p.clients).await?;
    let step = fleet
        .step_with_writers(ctx, p.rate, p.seconds, p.writers)
        .await;
    let rss_after = ctx.rss_kib();
    let converged = fleet.finish().await;
    let ok = step.lossless() && converged.is_ok();
    Ok(json!({
        "ok": ok,
        "error": error(&step.failures, &converged, step.expected, step.delivered),
        "loadgen_cpu": step.loadgen_cpu,
        "server_cpu": step.server_cpu,
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_after,
        "sessions": p.sessions,
        "clients": p.clients,
        "writers": p.writers.min(p.clients),
        "rate": p.rate,
        "seconds": p.seconds,
        "latency_ms": step.latency_ms,
        "expected": step.expected,
        "delivered": step.delivered,
        "server_cpu_secs_per_million": step.server_cpu_secs_per_million,
    }))
}

/// The first reason a trial failed, if any.
pub fn error(
    failures: &[String],
    converged: &Result<(), String>,
    expected: u64,
    delivered: u64,
) -> Option<String> {
    if let Some(f) = failures.first() {
        return Some(f.clone());
    }
    if delivered != expected {
        return Some(format!(
            "lost {} of {expected} deliveries",
            expected - delivered
        ));
    }
    converged
        .clone()
        .err()
        .map(|e| format!("not converged: {e}"))
}
