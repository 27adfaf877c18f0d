//! S3, joining a big document: a seeder types a document of N operations (inserts at the
//! cursor, jumps, deletes) and stays connected; then 1 joiner, then J joiners at once. Measured:
//! from the start of each joiner's connect to the arrival of the server's whole step 2, which
//! must hold the whole document.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use yrs::{Doc, GetString, Text, Transact};

use super::{Ctx, round, wait_all};
use crate::client::{Cmd, Conn, ConnSpec, new_doc};
use crate::procfs::CpuMeter;
use crate::stats::{Summary, median};
use crate::target::Room;
use crate::verify::{self, Fingerprint};

/// Operations per seeding update.
const OPS_PER_UPDATE: usize = 1000;

pub struct S3 {
    pub ops: usize,
    pub joiners: usize,
}

/// Builds the document: returns it and the updates that build it, in order.
pub fn seed_document(client_id: u64, ops: usize) -> (Doc, Vec<Vec<u8>>) {
    let doc = new_doc(client_id);
    let text = doc.get_or_insert_text("t");
    let mut rng = StdRng::seed_from_u64(6);
    let mut updates = Vec::new();
    let mut cursor = 0u32;
    let mut done = 0;
    while done < ops {
        let mut txn = doc.transact_mut();
        for _ in 0..OPS_PER_UPDATE.min(ops - done) {
            let len = text.len(&txn);
            let roll: f64 = rng.random();
            if roll < 0.1 && len > 0 {
                text.remove_range(&mut txn, rng.random_range(0..len), 1);
                cursor = cursor.min(len - 1);
            } else {
                if roll < 0.2 {
                    cursor = rng.random_range(0..=len);
                }
                let c = char::from(b'a' + rng.random_range(0..26u8));
                text.insert(&mut txn, cursor.min(len), c.encode_utf8(&mut [0; 4]));
                cursor = cursor.min(len) + 1;
            }
            done += 1;
        }
        updates.push(txn.encode_update_v1());
    }
    (doc, updates)
}

pub async fn run(ctx: &Ctx, p: &S3) -> anyhow::Result<Value> {
    anyhow::ensure!(
        ctx.kind().keeps_state(),
        "S3 needs a server that keeps the document"
    );
    let seeder_id = ctx.client_id();
    let (seed, updates) = seed_document(seeder_id, p.ops);
    let seed_bytes = verify::full_state(&seed).len();
    let expected = verify::replica(Some(&seed), None, [])?;
    let room = ctx.target.create_room().await?;
    let seeder = ctx.spawn(&room, false, None);
    wait_all([&seeder], Duration::from_secs(30), "seeder sync", |l| {
        l.synced.is_some()
    })
    .await?;
    for update in updates {
        seeder.send(Cmd::Send(update));
    }
    // The server answers a step 1 after everything sent before it: then it holds the document.
    seeder.send(Cmd::Resync);
    wait_all([&seeder], Duration::from_secs(120), "seeding", |l| {
        l.step2_count >= 2
    })
    .await?;

    let rss_before = ctx.rss_kib();
    let one = join(ctx, &room, 1, &expected).await?;
    let many = join(ctx, &room, p.joiners, &expected).await?;
    let rss_after = ctx.rss_kib();
    let (_, seeder_log) = seeder.close().await;
    let error = one
        .error
        .clone()
        .or(many.error.clone())
        .or(seeder_log.failed());
    Ok(json!({
        "ok": error.is_none(),
        "error": error,
        "ops": p.ops,
        "document_bytes": seed_bytes,
        "document_chars": seed.get_or_insert_text("t").get_string(&seed.transact()).len(),
        "join1_ms": round(one.max_ms),
        "joiners": p.joiners,
        "join_many_max_ms": round(many.max_ms),
        "join_many_ms": Summary::of(many.times.clone()),
        "join_many_median_ms": round(median(&many.times)),
        "loadgen_cpu": many.loadgen_cpu,
        "server_cpu": many.server_cpu,
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_after,
    }))
}

struct Joins {
    times: Vec<f64>,
    /// While the joiners connected and synced.
    loadgen_cpu: Option<f64>,
    server_cpu: Option<f64>,
    max_ms: f64,
    error: Option<String>,
}

/// Connects `n` joiners at once; waits for all their step 2s; checks each holds the document.
async fn join(ctx: &Ctx, room: &Room, n: usize, expected: &Fingerprint) -> anyhow::Result<Joins> {
    let loadgen = CpuMeter::start(None);
    let server = CpuMeter::start(ctx.server_pid);
    let conns: Vec<Conn> = (0..n)
        .map(|_| {
            let spec = ConnSpec {
                room: room.clone(),
                client_id: ctx.client_id(),
                awareness: false,
                clock_probe: false,
                read_only: false,
                watch_carousel: false,
            };
            Conn::spawn(spec, None, None)
        })
        .collect();
    wait_all(&conns, Duration::from_secs(120), "initial sync", |l| {
        l.synced.is_some()
    })
    .await?;
    let (loadgen_cpu, server_cpu) = (loadgen.cores(), server.cores());
    let first = conns.iter().map(|c| c.started).min().expect("one joiner");
    let mut times = Vec::new();
    let mut last = first;
    let mut error = None;
    for conn in conns {
        let started = conn.started;
        let (_, log) = conn.close().await;
        let synced = log.synced.expect("waited for sync");
        last = last.max(synced);
        times.push(synced.duration_since(started).as_secs_f64() * 1e3);
        match verify::replica(None, log.step2.as_ref(), []) {
            // The server may hold more than the seeder wrote (Werkplaats creates its workshop
            // containers in other roots): the joiner must have all of the seeder's document.
            Ok(r)
                if r.text == expected.text
                    && expected
                        .state_vector
                        .iter()
                        .all(|e| r.state_vector.contains(e)) => {}
            Ok(_) => {
                error.get_or_insert("a joiner's initial sync is not the whole document".into());
            }
            Err(e) => {
                error.get_or_insert(format!("joiner replica: {e}"));
            }
        }
    }
    Ok(Joins {
        times,
        loadgen_cpu,
        server_cpu,
        max_ms: last.duration_since(first).as_secs_f64() * 1e3,
        error,
    })
}
