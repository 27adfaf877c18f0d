//! Seeded randomized multi-client test: random edits, disconnects and reconnects (with edits
//! made while offline), then every replica must converge with the server's.
//!
//! The seed is printed; replay a failure with `WERKPLAATS_SEED=<seed> cargo test convergence`.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use werkplaats_tests::{TestServer, YClient, eventually};
use yrs::types::ToJson;
use yrs::{
    Array, ArrayRef, Doc, GetString, Map, MapRef, ReadTxn, Text, TextRef, Transact, TransactionMut,
};

const CLIENTS: usize = 6;
const STEPS: usize = 400;

enum Replica {
    Online(YClient),
    Offline(Doc),
}

impl Replica {
    fn doc(&self) -> &Doc {
        match self {
            Replica::Online(c) => &c.doc,
            Replica::Offline(d) => d,
        }
    }
}

struct Roots {
    text: TextRef,
    board: MapRef,
    list: ArrayRef,
}

impl Roots {
    fn of(doc: &Doc) -> Self {
        Roots {
            text: doc.get_or_insert_text("format"),
            board: doc.get_or_insert_map("board"),
            list: doc.get_or_insert_array("actions"),
        }
    }
}

fn random_edit(rng: &mut StdRng, roots: &Roots, txn: &mut TransactionMut) {
    let Roots { text, board, list } = roots;
    match rng.random_range(0..10) {
        0..=4 => {
            let len = text.len(txn);
            let at = rng.random_range(0..=len);
            let word: String = (0..rng.random_range(1..6))
                .map(|_| rng.random_range(b'a'..=b'z') as char)
                .collect();
            text.insert(txn, at, &word);
        }
        5..=6 => {
            let len = text.len(txn);
            if len > 0 {
                let at = rng.random_range(0..len);
                let n = rng.random_range(1..=(len - at).min(4));
                text.remove_range(txn, at, n);
            }
        }
        7..=8 => {
            let key = format!("k{}", rng.random_range(0..8));
            board.insert(txn, key, rng.random_range(0..1000) as f64);
        }
        _ => {
            if list.len(txn) > 0 && rng.random_bool(0.3) {
                list.remove(txn, 0);
            } else {
                list.push_back(txn, format!("actie {}", rng.random_range(0..100)));
            }
        }
    }
}

/// The observable content of a replica, for comparing.
fn content(doc: &Doc) -> String {
    let roots = Roots::of(doc);
    let txn = doc.transact();
    let text = roots.text.get_string(&txn);
    let mut board: Vec<String> = roots
        .board
        .iter(&txn)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    board.sort();
    let list = roots.list.to_json(&txn);
    // sorted: the state vector's Debug output follows HashMap order
    let mut state: Vec<(u64, u32)> = txn
        .state_vector()
        .iter()
        .map(|(c, k)| (c.get(), *k))
        .collect();
    state.sort();
    format!("{text}|{board:?}|{list:?}|{state:?}")
}

#[tokio::test]
async fn random_edits_disconnects_and_reconnects_converge() {
    let seed: u64 = std::env::var("WERKPLAATS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    println!("convergence seed: {seed} (replay with WERKPLAATS_SEED={seed})");
    let mut rng = StdRng::seed_from_u64(seed);

    let server = TestServer::start().await;
    let session = server.create_session().await;
    let mut urls = vec![server.ws_url(&session.id, &session.facilitator_token)];
    for i in 1..CLIENTS {
        let joined = server.join(&session.join_code, &format!("p{i}")).await;
        urls.push(server.ws_url(&session.id, &joined.participant_token));
    }
    let mut replicas = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        let doc = Doc::with_client_id(1000 + i as u64);
        replicas.push(Replica::Online(
            YClient::connect_with_doc(url, doc).await.unwrap(),
        ));
    }

    for _ in 0..STEPS {
        let i = rng.random_range(0..CLIENTS);
        match rng.random_range(0..20) {
            0 => {
                // disconnect: cleanly or abruptly
                if matches!(replicas[i], Replica::Online(_)) {
                    let Replica::Online(client) =
                        std::mem::replace(&mut replicas[i], Replica::Offline(Doc::new()))
                    else {
                        unreachable!()
                    };
                    let doc = if rng.random_bool(0.5) {
                        client.disconnect().await
                    } else {
                        client.abort()
                    };
                    replicas[i] = Replica::Offline(doc);
                }
            }
            1 => {
                if let Replica::Offline(doc) = &replicas[i] {
                    let client = YClient::connect_with_doc(&urls[i], doc.clone())
                        .await
                        .unwrap();
                    replicas[i] = Replica::Online(client);
                }
            }
            2 => tokio::time::sleep(Duration::from_millis(rng.random_range(0..5))).await,
            _ => match &replicas[i] {
                Replica::Online(client) => {
                    let mut sub = StdRng::seed_from_u64(rng.random());
                    let roots = Roots::of(&client.doc);
                    client.edit(|txn| random_edit(&mut sub, &roots, txn)).await;
                }
                // offline edits sync on reconnect through the step 1 / step 2 exchange
                Replica::Offline(doc) => {
                    let roots = Roots::of(doc);
                    let mut txn = doc.transact_mut();
                    random_edit(&mut rng, &roots, &mut txn);
                }
            },
        }
    }

    // everyone comes back online
    for i in 0..CLIENTS {
        if let Replica::Offline(doc) = &replicas[i] {
            replicas[i] = Replica::Online(
                YClient::connect_with_doc(&urls[i], doc.clone())
                    .await
                    .unwrap(),
            );
        }
    }
    let fresh = YClient::connect(&urls[0]).await.unwrap();
    let converged = eventually(Duration::from_secs(20), || {
        let reference = content(&fresh.doc);
        replicas.iter().all(|r| content(r.doc()) == reference)
    })
    .await;
    if !converged {
        for (i, r) in replicas.iter().enumerate() {
            let closed = match r {
                Replica::Online(c) => c.closed(),
                Replica::Offline(_) => None,
            };
            eprintln!("replica {i} (closed: {closed:?}): {}", content(r.doc()));
        }
        eprintln!("server:    {}", content(&fresh.doc));
        panic!("replicas diverged (seed {seed})");
    }
    assert!(!content(&fresh.doc).is_empty());
    for (i, replica) in replicas.iter().enumerate() {
        if let Replica::Online(client) = replica {
            assert!(
                client.errors().is_empty(),
                "replica {i} could not apply: {:?}",
                client.errors()
            );
        }
    }
}
