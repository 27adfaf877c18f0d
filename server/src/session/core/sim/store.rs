//! The simulation's store side: ending batches, the store's answers (success or failure),
//! delivery into the clients' inboxes, compaction, and a crash that reloads from the store.

use std::sync::Arc;

use yrs::updates::decoder::Decode;
use yrs::{ReadTxn, Transact, Update};

use super::driver::{Sim, block};
use crate::session::core::frame::{Frame, Recipient};
use crate::session::core::{Ended, SessionCore};
use crate::store::Store;

impl Sim {
    /// Ends the open batch and, some of the time, lets the store answer the flight.
    pub(super) fn flush_and_land(&mut self) {
        self.flush();
        if self.flight.is_some() && self.rng.percent(70) {
            self.land();
        }
    }

    pub(super) fn flush(&mut self) {
        while let Some(ended) = self.core.end_batch() {
            match ended {
                Ended::Deliver(batch, outbox) => self.deliver(batch, &outbox),
                Ended::Write(write) => {
                    assert!(self.flight.is_none(), "two batches in flight");
                    self.flight = Some(write);
                    self.removals_in_flight = std::mem::take(&mut self.removals_open);
                    break;
                }
            }
        }
        if self.core.rotation_requested() {
            let code = format!("C{:05}", self.rng.below(100_000));
            let stored = block(self.store.set_join_code(&self.id, &code))
                .ok()
                .map(|()| code);
            self.core.join_code_rotated(stored);
        }
    }

    pub(super) fn land(&mut self) {
        let Some(write) = self.flight.take() else {
            return;
        };
        if std::mem::take(&mut self.fail_next) {
            self.log.push("the store fails".into());
            self.removals_open.clear();
            self.removals_in_flight.clear();
            self.core.write_failed();
            let loaded = block(self.store.load_session(&self.id)).unwrap().unwrap();
            self.core.restore(&loaded, true);
            self.core.storage_unavailable();
            self.settle_gone();
            return;
        }
        let mut acked = Vec::new();
        for update in write.updates.iter() {
            acked.push(
                Update::decode_v1(update)
                    .expect("stored update")
                    .state_vector(),
            );
        }
        let seq = if write.updates.is_empty() {
            None
        } else {
            Some(block(self.store.append_updates(&self.id, write.updates)).expect("appended"))
        };
        if let Some((meta, state)) = write.state {
            block(self.store.save_state(&self.id, meta, state)).expect("saved");
        }
        for pid in std::mem::take(&mut self.removals_in_flight) {
            for person in &mut self.people {
                if person.participant_id == pid {
                    person.removed = true;
                }
            }
            self.log.push(format!("removal of {pid} stored"));
        }
        let people = &self.people;
        self.offline.retain(|(p, _)| !people[*p].removed);
        for sv in acked {
            for (client, clock) in sv.iter() {
                let entry = self.acked.entry(*client).or_default();
                *entry = (*entry).max(*clock);
            }
        }
        if let Some((batch, outbox)) = self.core.landed(seq) {
            self.deliver(batch, &outbox);
        }
        self.flush();
    }

    /// Puts a durable batch's frames in the inboxes the core addresses; a full inbox is a
    /// slow client, closed as the task closes it.
    pub(super) fn deliver(&mut self, batch: u64, outbox: &[(Recipient, Frame)]) {
        let mut dropped = Vec::new();
        let clients = &mut self.clients;
        let inbox_cap = self.inbox_cap;
        self.core.route(batch, outbox, |conn, frame| {
            if let Some(client) = clients.iter_mut().find(|c| c.conn == conn) {
                if client.inbox.len() >= inbox_cap {
                    dropped.push(conn);
                } else {
                    client.inbox.push_back(frame.clone());
                }
            }
        });
        dropped.sort_unstable();
        dropped.dedup();
        for conn in dropped {
            self.log.push(format!("conn {conn} too slow"));
            self.core.leave(conn);
        }
        self.settle_gone();
    }

    pub(super) fn compact(&mut self) {
        if let Some(compaction) = self.core.compaction(self.rng.percent(50)) {
            block(
                self.store
                    .compact(&self.id, compaction.snapshot, compaction.upto_seq),
            )
            .expect("compacted");
        }
    }

    /// The process dies: the open batch and the flight are lost (never acknowledged), the
    /// session is loaded again from the store, and every client reconnects later.
    pub(super) fn crash_and_reload(&mut self) {
        self.log.push("crash".into());
        self.flight = None;
        self.removals_open.clear();
        self.removals_in_flight.clear();
        self.fail_next = false;
        let loaded = block(self.store.load_session(&self.id)).unwrap().unwrap();
        self.core = SessionCore::from_loaded(
            Arc::clone(&self.ctx),
            Arc::clone(&self.id),
            loaded,
            self.now,
        )
        .expect("what the store holds loads");
        for client in std::mem::take(&mut self.clients) {
            self.offline.push((client.person, client.doc));
        }
        let sv = self.core.doc.doc().transact().state_vector();
        for (client, clock) in &self.acked {
            assert!(
                sv.get(client) >= *clock,
                "an acknowledged update of client {client} is lost: {} < {clock}",
                sv.get(client)
            );
        }
    }
}
