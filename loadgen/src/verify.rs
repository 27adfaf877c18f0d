//! What arrived, when, and whether the replicas agree: computed after the measured window.
//!
//! Every writer's document holds only its own edits, each one Yjs operation long, so writer
//! `w`'s `k`-th edit has clock `k`. An update that arrives carrying clocks up to `c` for `w`
//! (its state vector) delivers all of `w`'s edits below `c` that had not arrived yet: servers
//! that merge several updates into one message (Hocuspocus does) are measured correctly.

use std::collections::HashMap;
use std::time::Instant;

use bytes::Bytes;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, GetString, Map, ReadTxn, StateVector, Transact, Update};

/// How far one receiver has got with each writer.
#[derive(Debug, Default)]
pub struct Progress {
    /// Next clock expected from each writer.
    upto: HashMap<u64, u32>,
    /// Edits of each writer that actually arrived (a gap, skipped by a lossy server, is not).
    delivered: HashMap<u64, u32>,
}

impl Progress {
    /// Reads arrived updates in order; calls `on(writer, clock, arrival)` once per newly
    /// delivered edit. The receiver's own echoes (`own`) are skipped.
    pub fn feed<'a>(
        &mut self,
        own: u64,
        updates: impl IntoIterator<Item = &'a (Instant, Bytes)>,
        mut on: impl FnMut(u64, u32, Instant),
    ) -> anyhow::Result<()> {
        for (at, bytes) in updates {
            // Not `Update::state_vector`: it counts only blocks that start at clock 0.
            let inserted = Update::decode_v1(bytes)?.insertions(true);
            for (client, ranges) in inserted.iter() {
                let client = client.get();
                if client == own {
                    continue;
                }
                let from = self.upto.entry(client).or_insert(0);
                let delivered = self.delivered.entry(client).or_insert(0);
                for range in ranges.iter() {
                    for k in range.start.max(*from)..range.end {
                        on(client, k, *at);
                        *delivered += 1;
                    }
                    *from = (*from).max(range.end);
                }
            }
        }
        Ok(())
    }

    /// How many of `writer`'s edits have arrived.
    pub fn delivered(&self, writer: u64) -> u32 {
        self.delivered.get(&writer).copied().unwrap_or(0)
    }
}

/// What a replica holds, to compare replicas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub state_vector: Vec<(u64, u32)>,
    pub text: String,
    pub stage: Option<String>,
}

/// Rebuilds a client's replica: its own document, the server's step 2, then every update.
pub fn replica<'a>(
    own: Option<&Doc>,
    step2: Option<&'a Bytes>,
    updates: impl IntoIterator<Item = &'a Bytes>,
) -> anyhow::Result<Fingerprint> {
    let doc = Doc::new();
    let text = doc.get_or_insert_text("t");
    let map = doc.get_or_insert_map("m");
    {
        let mut txn = doc.transact_mut();
        if let Some(own) = own {
            let state = own
                .transact()
                .encode_state_as_update_v1(&StateVector::default());
            txn.apply_update(Update::decode_v1(&state)?)?;
        }
        for bytes in step2.into_iter().chain(updates) {
            txn.apply_update(Update::decode_v1(bytes)?)?;
        }
    }
    let txn = doc.transact();
    let mut state_vector: Vec<(u64, u32)> = txn
        .state_vector()
        .iter()
        .map(|(c, k)| (c.get(), *k))
        .collect();
    state_vector.sort_unstable();
    let stage = map.get(&txn, "stage").map(|v| v.to_string(&txn));
    Ok(Fingerprint {
        state_vector,
        text: text.get_string(&txn),
        stage,
    })
}

/// Checks that all replicas are equal and hold at least `expected` (writer → edits).
pub fn converged(replicas: &[Fingerprint], expected: &HashMap<u64, u32>) -> Result<(), String> {
    let Some(first) = replicas.first() else {
        return Ok(());
    };
    for (i, r) in replicas.iter().enumerate() {
        if r != first {
            return Err(format!("replica {i} differs from replica 0"));
        }
    }
    let have: HashMap<u64, u32> = first.state_vector.iter().copied().collect();
    for (writer, count) in expected {
        let got = have.get(writer).copied().unwrap_or(0);
        if got < *count {
            return Err(format!(
                "writer {writer}: replicas hold {got} of {count} edits"
            ));
        }
    }
    Ok(())
}

/// Encodes a document's whole state (to seed a server).
pub fn full_state(doc: &Doc) -> Vec<u8> {
    doc.transact()
        .encode_state_as_update_v1(&StateVector::default())
}

/// The encoded state vector of a document.
pub fn state_vector(doc: &Doc) -> Vec<u8> {
    doc.transact().state_vector().encode_v1()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::new_doc;
    use yrs::Text;

    fn edit(doc: &Doc) -> Bytes {
        let text = doc.get_or_insert_text("t");
        let mut txn = doc.transact_mut();
        text.push(&mut txn, "x");
        Bytes::from(txn.encode_update_v1())
    }

    #[test]
    fn merged_updates_deliver_every_edit_once() {
        let w = new_doc(7);
        let a = edit(&w);
        let b = edit(&w);
        let c = edit(&w);
        let merged = Bytes::from(yrs::merge_updates_v1([&b[..], &c[..]]).unwrap());
        let t0 = Instant::now();
        let mut seen = Vec::new();
        let mut p = Progress::default();
        p.feed(1, &[(t0, a.clone()), (t0, merged.clone())], |w, k, _| {
            seen.push((w, k))
        })
        .unwrap();
        assert_eq!(seen, [(7, 0), (7, 1), (7, 2)]);
        let mut separate = Vec::new();
        Progress::default()
            .feed(
                1,
                &[(t0, a.clone()), (t0, b.clone()), (t0, c.clone())],
                |w, k, _| separate.push((w, k)),
            )
            .unwrap();
        assert_eq!(separate, [(7, 0), (7, 1), (7, 2)]);
        // a lossy server skipped b: c does not count for it
        let mut gap = Progress::default();
        gap.feed(1, &[(t0, a.clone()), (t0, c.clone())], |_, _, _| {})
            .unwrap();
        assert_eq!(gap.delivered(7), 2);
        assert_eq!(p.delivered(7), 3);
        let r1 = replica(None, None, [&a, &merged]).unwrap();
        let r2 = replica(Some(&w), None, []).unwrap();
        assert_eq!(r1, r2);
        assert_eq!(r1.text, "xxx");
        let expected = HashMap::from([(7, 3)]);
        assert!(converged(&[r1.clone(), r2], &expected).is_ok());
        let short = replica(None, None, [&a]).unwrap();
        assert!(converged(&[r1, short], &expected).is_err());
    }
}
