//! `loadgen`: runs one scenario against one server and prints one JSON object.
//!
//! ```text
//! loadgen --target ours --addr 127.0.0.1:9001 --server-pid 1234 s1 --clients 50
//! ```

use std::net::SocketAddr;

use clap::{Parser, Subcommand};
use serde_json::json;
use werkplaats_loadgen::procfs::CpuMeter;
use werkplaats_loadgen::scenario::{Ctx, s1, s2, s3, s4, s5};
use werkplaats_loadgen::target::{Kind, Target};

#[derive(Parser)]
#[command(about = "Load generator for y-websocket servers; prints one JSON object")]
struct Args {
    #[arg(long, value_enum)]
    target: Kind,
    /// The server's address (loopback only).
    #[arg(long)]
    addr: SocketAddr,
    /// The server's process id, for its memory (VmRSS) and CPU.
    #[arg(long)]
    server_pid: Option<u32>,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// Fan-out latency: one session, every client typing.
    S1 {
        #[arg(long, default_value_t = 1)]
        sessions: usize,
        #[arg(long, default_value_t = 50)]
        clients: usize,
        /// Clients of each session that type (the first ones); the others only receive.
        /// Default: all.
        #[arg(long)]
        writers: Option<usize>,
        #[arg(long, default_value_t = 1.0)]
        rate: f64,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
    },
    /// Idle memory: many synced sessions with awareness.
    S2 {
        #[arg(long, default_value_t = 1000)]
        sessions: usize,
        #[arg(long, default_value_t = 10)]
        clients: usize,
        #[arg(long, default_value_t = 2.0)]
        settle_secs: f64,
    },
    /// Joining a document of many operations: one joiner, then many at once.
    S3 {
        #[arg(long, default_value_t = 100_000)]
        ops: usize,
        #[arg(long, default_value_t = 50)]
        joiners: usize,
    },
    /// Skew of a stage change across many clients (ours: the real carousel; run the server
    /// with a short `--minute-ms` so that stages last a fraction of a second).
    S4 {
        #[arg(long, default_value_t = 500)]
        clients: usize,
        /// Stage changes of each kind (ours: server-driven ones rounded up to whole rounds of
        /// five, and as many facilitator-driven ones).
        #[arg(long, default_value_t = 10)]
        changes: usize,
        /// Between two facilitator-driven changes (ours: at most a third of the shortest
        /// stage).
        #[arg(long, default_value_t = 500)]
        interval_ms: u64,
        /// Peers only: the deadline written into `m.stage` (which no peer client reads).
        #[arg(long, default_value_t = 150.0)]
        lead_ms: f64,
    },
    /// Capacity: a ramp of edit rates.
    S5 {
        #[arg(long, default_value_t = 1)]
        sessions: usize,
        #[arg(long, default_value_t = 50)]
        clients: usize,
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "1,2,5,10,20,50,100,200,400,800"
        )]
        rates: Vec<f64>,
        #[arg(long, default_value_t = 3.0)]
        step_seconds: f64,
    },
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    werkplaats_loadgen::client::epoch();
    let ctx = Ctx::new(Target::new(args.target, args.addr), args.server_pid);
    let cpu = CpuMeter::start(None);
    let started = std::time::Instant::now();
    let (name, result) = match &args.scenario {
        Scenario::S1 {
            sessions,
            clients,
            writers,
            rate,
            seconds,
        } => {
            let p = s1::S1 {
                sessions: *sessions,
                clients: *clients,
                writers: writers.unwrap_or(*clients),
                rate: *rate,
                seconds: *seconds,
            };
            ("s1", s1::run(&ctx, &p).await)
        }
        Scenario::S2 {
            sessions,
            clients,
            settle_secs,
        } => {
            let p = s2::S2 {
                sessions: *sessions,
                clients: *clients,
                settle_secs: *settle_secs,
            };
            ("s2", s2::run(&ctx, &p).await)
        }
        Scenario::S3 { ops, joiners } => {
            let p = s3::S3 {
                ops: *ops,
                joiners: *joiners,
            };
            ("s3", s3::run(&ctx, &p).await)
        }
        Scenario::S4 {
            clients,
            changes,
            interval_ms,
            lead_ms,
        } => {
            let p = s4::S4 {
                clients: *clients,
                changes: *changes,
                interval_ms: *interval_ms,
                lead_ms: *lead_ms,
            };
            ("s4", s4::run(&ctx, &p).await)
        }
        Scenario::S5 {
            sessions,
            clients,
            rates,
            step_seconds,
        } => {
            let p = s5::S5 {
                sessions: *sessions,
                clients: *clients,
                rates: rates.clone(),
                step_seconds: *step_seconds,
            };
            ("s5", s5::run(&ctx, &p).await)
        }
    };
    let mut out = result.unwrap_or_else(|err| json!({ "ok": false, "error": format!("{err:#}") }));
    out["scenario"] = json!(name);
    out["target"] = json!(args.target);
    out["wall_secs"] = json!(started.elapsed().as_secs_f64());
    out["loadgen_cpu_total"] = json!(cpu.cores());
    println!("{out}");
    Ok(())
}
