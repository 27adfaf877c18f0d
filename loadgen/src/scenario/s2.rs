//! S2, idle memory: S sessions of C clients, all synced, each with an awareness state and one
//! edit of its own; then the server's resident memory per connection and per session.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Ctx, wait_all, wait_quiet};
use crate::client::{Cmd, Conn};
use crate::verify::{self, Progress};

pub struct S2 {
    pub sessions: usize,
    pub clients: usize,
    pub settle_secs: f64,
}

pub async fn run(ctx: &Ctx, p: &S2) -> anyhow::Result<Value> {
    let rss_before = ctx.rss_kib();
    let started = Instant::now();
    let mut rooms: Vec<Vec<Conn>> = Vec::with_capacity(p.sessions);
    for _ in 0..p.sessions {
        let room = ctx.target.create_room().await?;
        rooms.push(ctx.connect(&room, p.clients, false).await);
    }
    let all = || rooms.iter().flatten();
    wait_all(all(), Duration::from_secs(300), "sync", |l| {
        l.synced.is_some()
    })
    .await?;
    if ctx.kind().keeps_state() {
        // The relay keeps no awareness: only those already there see a newcomer's state.
        let others = p.clients - 1;
        wait_all(all(), Duration::from_secs(120), "awareness", |l| {
            l.awareness_ids.len() >= others
        })
        .await?;
    }
    for conn in all() {
        conn.send(Cmd::Edit);
    }
    let refs: Vec<&Conn> = all().collect();
    wait_quiet(&refs, Duration::from_millis(1000), Duration::from_secs(120)).await;
    let connect_secs = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs_f64(p.settle_secs)).await;
    let rss_after = ctx.rss_kib();

    let mut error = None;
    for room in rooms {
        let closed = futures_util::future::join_all(
            room.into_iter()
                .map(|c| async move { (c.id, c.close().await) }),
        )
        .await;
        let expected: HashMap<u64, u32> = closed.iter().map(|(id, _)| (*id, 1)).collect();
        let mut replicas = Vec::new();
        for (id, (doc, log)) in &closed {
            let mut progress = Progress::default();
            let _ = progress.feed(*id, &log.updates, |_, _, _| {});
            let via_step2 = log.step2.as_ref().map(replica_ids).unwrap_or_default();
            for w in expected.keys().filter(|w| *w != id) {
                if progress.delivered(*w) < 1 && !via_step2.contains(w) {
                    error.get_or_insert(format!("client {id} missed the edit of {w}"));
                }
            }
            if let Some(f) = log.failed() {
                error.get_or_insert(format!("client {id}: {f}"));
            }
            let updates: Vec<_> = log.updates.iter().map(|(_, b)| b.clone()).collect();
            match verify::replica(doc.as_ref(), log.step2.as_ref(), &updates) {
                Ok(r) => replicas.push(r),
                Err(e) => {
                    error.get_or_insert(format!("client {id}: {e}"));
                }
            }
        }
        if error.is_none() {
            error = verify::converged(&replicas, &expected).err();
        }
    }
    let connections = (p.sessions * p.clients) as f64;
    let delta = match (rss_before, rss_after) {
        (Some(b), Some(a)) => Some((a as f64 - b as f64) * 1024.0),
        _ => None,
    };
    Ok(json!({
        "ok": error.is_none(),
        "error": error,
        "sessions": p.sessions,
        "clients": p.clients,
        "connections": connections,
        "connect_secs": connect_secs,
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_after,
        "bytes_per_connection": delta.map(|d| d / connections),
        "bytes_per_session": delta.map(|d| d / p.sessions as f64),
    }))
}

/// The writers whose edits a step 2 carried.
fn replica_ids(step2: &bytes::Bytes) -> Vec<u64> {
    use yrs::updates::decoder::Decode;
    yrs::Update::decode_v1(step2)
        .map(|u| u.insertions(true).client_ids().map(|c| c.get()).collect())
        .unwrap_or_default()
}
