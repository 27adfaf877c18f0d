//! S5, capacity: raise the edit rate step by step until p99 passes 100 ms or anything is lost;
//! capacity is the deliveries per second of the last step that passed. A step in which the load
//! generator used more than [`SATURATED`] of its core ends the ramp: beyond it the load
//! generator, not the server, is measured (`loadgen_bound`).

use serde_json::{Value, json};

use super::Ctx;
use super::fleet::{Fleet, Step};

/// p99 latency a step may have and pass.
pub const P99_LIMIT_MS: f64 = 100.0;
/// Load-generator CPU (fraction of one core) above which a measurement is not trusted.
pub const SATURATED: f64 = 0.9;

pub struct S5 {
    pub sessions: usize,
    pub clients: usize,
    /// Edits per second per client, one step each.
    pub rates: Vec<f64>,
    pub step_seconds: f64,
}

pub async fn run(ctx: &Ctx, p: &S5) -> anyhow::Result<Value> {
    let mut fleet = Fleet::connect(ctx, p.sessions, p.clients).await?;
    let mut steps: Vec<Step> = Vec::new();
    let mut capacity = 0.0;
    let mut capacity_rate = 0.0;
    let mut stop = "ramp ended";
    let mut loadgen_bound = false;
    for &rate in &p.rates {
        let step = fleet.step(ctx, rate, p.step_seconds).await;
        let passed = step.lossless() && step.latency_ms.p99 <= P99_LIMIT_MS;
        let saturated = step.loadgen_cpu > SATURATED;
        if passed && !saturated {
            capacity = step.deliveries_per_sec;
            capacity_rate = rate;
        }
        steps.push(step);
        if saturated {
            stop = "load generator saturated";
            loadgen_bound = true;
            break;
        }
        if !passed {
            stop = if steps.last().is_some_and(Step::lossless) {
                "p99 above the limit"
            } else {
                "loss or disconnect"
            };
            break;
        }
    }
    // Convergence only means something if nothing was lost.
    let all_lossless = steps.iter().all(Step::lossless);
    let converged = if all_lossless {
        fleet.finish().await
    } else {
        drop(fleet);
        Ok(())
    };
    Ok(json!({
        "ok": converged.is_ok(),
        "error": converged.err().map(|e| format!("not converged: {e}")),
        "sessions": p.sessions,
        "clients": p.clients,
        "capacity_deliveries_per_sec": capacity,
        "capacity_rate": capacity_rate,
        "stopped_by": stop,
        "loadgen_bound": loadgen_bound,
        "steps": steps,
    }))
}
