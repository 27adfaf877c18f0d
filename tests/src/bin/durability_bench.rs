//! `durability_bench`: sustained document updates per second through the real server, with the
//! SQLite store against `--store memory`, same scenario, same run. Not a test: it prints
//! numbers and the ratio (the floor is 0.8), and exits with status 2 when the ratio is below it.
//!
//! ```text
//! cargo run --release -p werkplaats-tests --bin durability_bench -- [--sessions 8]
//!     [--writers 3] [--window 1024] [--warmup 2] [--seconds 5] [--rounds 5]
//!     [--only memory|sqlite]
//! ```
//!
//! The scenario: `sessions` sessions, each with `writers` typists and one display. A typist
//! appends one character per update to its own text (the commonest sustained stream of updates
//! in a collaborative editor) and keeps at most `window` updates of its session in flight: an
//! update counts as done when the session's display has received it, which is also when it is
//! durable (the server delivers only after the store has committed). Every update reaches the
//! other typists and the display, so fan-out costs what it costs in a workshop.
//!
//! The window must cover what is in flight while an fsync is pending (rate x latency), or the
//! benchmark measures the fsync latency of the disk instead of the server's throughput: real
//! y-websocket clients do not wait for acknowledgements at all.
//!
//! The clients are deliberately thin (raw websockets, no document on the receiving side) so the
//! server, not the load generator, is what is measured on a small machine. Both servers get an
//! outbound queue large enough that a typist who falls behind while the machine is busy is not
//! disconnected (same setting for both). Each round starts a fresh server per store, one right
//! after the other, alternating which goes first; the ratio reported is the median of the
//! rounds' ratios, so drift in what else the machine is doing cancels out within a round.
//!
//! For the SQLite store it also reports what group commit achieved, from `/metrics`: updates
//! and session appends per transaction (each transaction is one fsync of the WAL).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use werkplaats_protocol::message::Message;
use werkplaats_tests::process::werkplaats_binary;
use werkplaats_tests::{Launch, ServerProcess};
use yrs::{Doc, Text, Transact};

const FLOOR: f64 = 0.8;

#[derive(Debug, Clone)]
struct Options {
    sessions: usize,
    writers: usize,
    window: usize,
    warmup: Duration,
    seconds: Duration,
    rounds: usize,
    /// Run one store only (for profiling the server under load); no ratio then.
    only: Option<Kind>,
}

fn options() -> Options {
    let mut options = Options {
        sessions: 8,
        writers: 3,
        window: 1024,
        warmup: Duration::from_secs(2),
        seconds: Duration::from_secs(5),
        rounds: 5,
        only: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let [flag, value] = pair else {
            usage(&format!("{} needs a value", pair[0]));
        };
        let number = || -> u64 {
            value
                .parse()
                .unwrap_or_else(|_| usage(&format!("{flag}: not a number: {value}")))
        };
        match flag.as_str() {
            "--sessions" => options.sessions = number() as usize,
            "--writers" => options.writers = number() as usize,
            "--window" => options.window = number() as usize,
            "--warmup" => options.warmup = Duration::from_secs(number()),
            "--seconds" => options.seconds = Duration::from_secs(number()),
            "--rounds" => options.rounds = number() as usize,
            "--only" => {
                options.only = Some(match value.as_str() {
                    "memory" => Kind::Memory,
                    "sqlite" => Kind::Sqlite,
                    _ => usage("--only takes memory or sqlite"),
                })
            }
            _ => usage(&format!("unknown flag {flag}")),
        }
    }
    if options.sessions == 0 || options.writers == 0 || options.window == 0 {
        usage("sessions, writers and window must be at least 1");
    }
    options
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "{problem}\nusage: durability_bench [--sessions N] [--writers N] [--window N] \
         [--warmup SECS] [--seconds SECS] [--rounds N] [--only memory|sqlite]"
    );
    std::process::exit(64);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Memory,
    Sqlite,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Memory => "memory",
            Kind::Sqlite => "sqlite",
        }
    }
}

/// What one run measured.
#[derive(Debug, Clone, Copy)]
struct Measured {
    updates_per_sec: f64,
    /// Server CPU seconds per second of wall time (2.0 = both cores busy).
    server_cpu: f64,
    /// The same for the store's thread alone (SQLite only) and for this load generator.
    store_thread_cpu: f64,
    client_cpu: f64,
    /// SQLite only: (transactions, writes) committed during the measurement.
    commits: Option<(u64, u64)>,
    updates: u64,
}

struct Session {
    /// Updates the display has received; each gives a permit back to the window.
    received: Arc<AtomicU64>,
}

fn main() {
    let options = options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let binary = werkplaats_binary();
    println!(
        "server: {}\nscenario: {} sessions x {} typists + 1 display, window {} per session, \
         {:?} warm-up + {:?} measured, {} rounds",
        binary.display(),
        options.sessions,
        options.writers,
        options.window,
        options.warmup,
        options.seconds,
        options.rounds
    );
    let mut results: HashMap<Kind, Vec<Measured>> = HashMap::new();
    for round in 0..options.rounds {
        // Alternate the order so drift (other load, thermal) hits both alike.
        let order = if round % 2 == 0 {
            [Kind::Memory, Kind::Sqlite]
        } else {
            [Kind::Sqlite, Kind::Memory]
        };
        for kind in order {
            if options.only.is_some_and(|only| only != kind) {
                continue;
            }
            let measured = runtime.block_on(run(kind, &options));
            print!(
                "round {}: {:>6}: {:>9.0} updates/s; CPU (cores): server {:.2}, store thread \
                 {:.2}, load generator {:.2}",
                round + 1,
                kind.name(),
                measured.updates_per_sec,
                measured.server_cpu,
                measured.store_thread_cpu,
                measured.client_cpu,
            );
            if let Some((transactions, writes)) = measured.commits {
                let secs = options.seconds.as_secs_f64();
                print!(
                    ", {:.0} commits/s (fsyncs), {:.1} updates and {:.2} appends per commit",
                    transactions as f64 / secs,
                    measured.updates as f64 / transactions.max(1) as f64,
                    writes as f64 / transactions.max(1) as f64,
                );
            }
            println!();
            results.entry(kind).or_default().push(measured);
        }
    }
    if options.only.is_some() {
        return;
    }
    let rate =
        |kind: Kind| -> Vec<f64> { results[&kind].iter().map(|m| m.updates_per_sec).collect() };
    let (memory, sqlite) = (median(rate(Kind::Memory)), median(rate(Kind::Sqlite)));
    let ratios: Vec<f64> = rate(Kind::Sqlite)
        .iter()
        .zip(rate(Kind::Memory))
        .map(|(s, m)| s / m)
        .collect();
    let shown: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
    let ratio = median(ratios);
    // Updates per CPU-second of server and load generator together: what the ratio would be
    // on a machine where both runs get all the CPU they can use.
    let efficiency = |kind: Kind| -> Vec<f64> {
        results[&kind]
            .iter()
            .map(|m| m.updates_per_sec / (m.server_cpu + m.client_cpu).max(1e-9))
            .collect()
    };
    let cpu_ratio = median(
        efficiency(Kind::Sqlite)
            .iter()
            .zip(efficiency(Kind::Memory))
            .map(|(s, m)| s / m)
            .collect(),
    );
    println!(
        "median: memory {memory:.0} updates/s, sqlite {sqlite:.0} updates/s\n\
         ratio sqlite/memory per round: {}; median {ratio:.2} (floor {FLOOR})\n\
         updates per CPU-second (server + load generator), sqlite/memory: median {cpu_ratio:.2}",
        shown.join(", ")
    );
    if ratio < FLOOR {
        println!("BELOW THE FLOOR");
        std::process::exit(2);
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 0 {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

async fn run(kind: Kind, options: &Options) -> Measured {
    let data = tempfile::tempdir().expect("temp dir");
    let launch = Launch {
        memory_store: kind == Kind::Memory,
        args: vec!["--outbound-queue=4096".into()],
        ..Launch::default()
    };
    let server = ServerProcess::start_with(data.path(), launch)
        .await
        .expect("server starts");
    let stop = Arc::new(AtomicBool::new(false));
    let mut sessions = Vec::new();
    let mut tasks = Vec::new();
    for s in 0..options.sessions {
        let created = server.create_session(&format!("bench {s}")).await;
        let window = Arc::new(Semaphore::new(options.window));
        let received = Arc::new(AtomicU64::new(0));
        let display_url = server.ws_url(&created.id, &created.display_token);
        tasks.push(tokio::spawn(display(
            display_url,
            Arc::clone(&window),
            Arc::clone(&received),
        )));
        for w in 0..options.writers {
            let url = server.ws_url(&created.id, &created.facilitator_token);
            tasks.push(tokio::spawn(typist(
                url,
                format!("t{w}"),
                Arc::clone(&window),
                Arc::clone(&stop),
            )));
        }
        sessions.push(Session { received });
    }
    let total = |sessions: &[Session]| -> u64 {
        sessions
            .iter()
            .map(|s| s.received.load(Ordering::Relaxed))
            .sum()
    };

    tokio::time::sleep(options.warmup).await;
    let pid = server.pid();
    let (count0, cpu0, store0, client0, commits0, t0) = (
        total(&sessions),
        cpu_seconds(&format!("/proc/{pid}/stat")),
        store_thread_cpu(pid),
        cpu_seconds("/proc/self/stat"),
        commits(&server, kind).await,
        Instant::now(),
    );
    tokio::time::sleep(options.seconds).await;
    let (count1, cpu1, store1, client1, commits1, elapsed) = (
        total(&sessions),
        cpu_seconds(&format!("/proc/{pid}/stat")),
        store_thread_cpu(pid),
        cpu_seconds("/proc/self/stat"),
        commits(&server, kind).await,
        t0.elapsed().as_secs_f64(),
    );
    stop.store(true, Ordering::Relaxed);
    let errors = server.metric("werkplaats_store_errors_total").await;
    let slow = server
        .metric("werkplaats_slow_client_disconnects_total")
        .await;
    assert_eq!(errors, 0, "store errors during the benchmark");
    assert_eq!(slow, 0, "clients were disconnected as too slow");
    server.stop().await;
    for task in tasks {
        task.abort();
    }
    let updates = count1 - count0;
    Measured {
        updates_per_sec: updates as f64 / elapsed,
        server_cpu: (cpu1 - cpu0) / elapsed,
        store_thread_cpu: (store1 - store0) / elapsed,
        client_cpu: (client1 - client0) / elapsed,
        commits: commits0
            .zip(commits1)
            .map(|((t0, w0), (t1, w1))| (t1 - t0, w1 - w0)),
        updates,
    }
}

/// Appends one character per update to its own text, within its session's window.
async fn typist(url: String, text_name: String, window: Arc<Semaphore>, stop: Arc<AtomicBool>) {
    let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .expect("typist connects");
    let (mut sink, mut stream) = ws.split();
    // Other typists' updates arrive here too: read and drop them, as a thin client.
    tokio::spawn(async move { while let Some(Ok(_)) = stream.next().await {} });
    let doc = Doc::new();
    let text = doc.get_or_insert_text(text_name.as_str());
    while !stop.load(Ordering::Relaxed) {
        match window.acquire().await {
            Ok(permit) => permit.forget(),
            Err(_) => return,
        }
        let update = {
            let mut txn = doc.transact_mut();
            text.push(&mut txn, "x");
            txn.encode_update_v1()
        };
        let frame = Message::Update(&update).encode();
        if sink.send(WsMessage::Binary(frame.into())).await.is_err() {
            return;
        }
    }
}

/// Counts the document updates the session delivers, giving their window slots back.
async fn display(url: String, window: Arc<Semaphore>, received: Arc<AtomicU64>) {
    let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .expect("display connects");
    let (mut sink, mut stream) = ws.split();
    // Like every Yjs client, it asks for the document first: the server sends updates to a
    // connection only after answering its sync step 1.
    let step1 = Message::SyncStep1(&[0]).encode();
    if sink.send(WsMessage::Binary(step1.into())).await.is_err() {
        return;
    }
    while let Some(Ok(message)) = stream.next().await {
        if let WsMessage::Binary(frame) = message {
            // [sync, update]: a document update broadcast by the session.
            if frame.starts_with(&[0, 2]) {
                received.fetch_add(1, Ordering::Relaxed);
                window.add_permits(1);
            }
        }
    }
}

/// SQLite's (transactions, writes) counters, from `/metrics`.
async fn commits(server: &ServerProcess, kind: Kind) -> Option<(u64, u64)> {
    if kind == Kind::Memory {
        return None;
    }
    Some((
        server.metric("werkplaats_store_transactions_total").await,
        server.metric("werkplaats_store_writes_total").await,
    ))
}

/// CPU time of the server's store thread (named `werkplaats-sqlite`), in seconds.
fn store_thread_cpu(pid: i32) -> f64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0.0;
    };
    tasks
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|name| name.trim() == "werkplaats-sqli")
        })
        .map(|task| cpu_seconds(task.path().join("stat").to_str().unwrap_or_default()))
        .sum()
}

/// User plus system CPU time of a process or thread (its `stat` file), in seconds.
fn cpu_seconds(stat_file: &str) -> f64 {
    let stat = std::fs::read_to_string(stat_file).unwrap_or_default();
    // Fields after the command name (which may contain spaces) closed by ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
    let per_sec = werkplaats_sys::clock_ticks_per_second();
    (ticks(11) + ticks(12)) / per_sec
}
