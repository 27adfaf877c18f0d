//! What the simulation checks: invariants after every step, and at the end that every replica
//! equals the core's document.

use std::time::Duration;

use yrs::{ReadTxn, Transact};

use std::collections::HashMap;

use werkplaats_protocol::message::AwarenessUpdate;

use super::client::{SimClient, apply_awareness, present};
use super::driver::Sim;
use crate::session::core::Now;

impl Sim {
    /// Invariants after every step.
    pub(super) fn check(&mut self) {
        let sync = &self.ctx.config.sync;
        for (id, conn) in &self.core.conns {
            assert!(conn.parked.len() <= sync.max_parked_updates as usize);
            assert!(conn.parked_bytes <= sync.max_parked_bytes as usize);
            let credential = self
                .core
                .meta
                .credential(&conn.joined.participant_id)
                .unwrap_or_else(|| panic!("conn {id} has no credential"));
            assert_eq!(credential.role, conn.joined.role, "roles hold");
        }
        for owner in self.core.awareness.owners() {
            assert!(
                self.core.conns.contains_key(&owner),
                "an awareness entry outlived its connection {owner}"
            );
        }
        let sv = self.core.doc.doc().transact().state_vector();
        for id in &self.refused_ids {
            assert_eq!(sv.get(id), 0, "a read-only connection's edit got in");
        }
        let limits = &self.ctx.config.doc;
        assert!(sv.len() <= limits.max_document_clients as usize);
    }

    /// Everyone reconnects, the store answers everything, every client reads everything.
    pub(super) fn quiesce(&mut self) {
        self.fail_next = false;
        // A real queue holds thousands of frames; a tiny one could keep closing a client on
        // the burst its own join brings.
        self.inbox_cap = usize::MAX;
        self.now = Now {
            at: self.now.at + Duration::from_secs(120),
            ms: self.now.ms + 120_000.0,
        };
        self.core.timer(self.now);
        for (person, doc) in std::mem::take(&mut self.offline) {
            self.connect(person, Some(doc));
        }
        for _ in 0..1_000 {
            self.flush();
            self.land();
            let mut read = false;
            for at in 0..self.clients.len() {
                while let Some(client) = self.clients.get_mut(at) {
                    let conn = client.conn;
                    let Some(answers) = client.read_one() else {
                        break;
                    };
                    read = true;
                    for msg in answers {
                        self.send(conn, msg);
                    }
                }
            }
            if !read && self.flight.is_none() && self.core.outbox.is_empty() {
                if self.offline.is_empty() {
                    return;
                }
                for (person, doc) in std::mem::take(&mut self.offline) {
                    self.connect(person, Some(doc));
                }
            }
        }
        panic!("the session did not quiesce");
    }

    /// What the run did, for `SIM_VERBOSE`.
    pub(super) fn summary(&self) -> String {
        let count = |needle: &str| self.log.iter().filter(|l| l.contains(needle)).count();
        format!(
            "{} clients, {} acked client ids, {} chars, connects {}, closes {}, too slow {}, \
             store failures {}, crashes {}, commands {}, phase {:?}, carousel {}",
            self.clients.len(),
            self.acked.len(),
            SimClient::contents(self.core.doc.doc()).len(),
            count("connected as"),
            count("closed:"),
            count("too slow"),
            count("the store fails"),
            count("crash"),
            count(" command "),
            self.core.engine.state.phase,
            self.core.engine.state.carousel.is_some(),
        )
    }

    pub(super) fn check_converged(&self) {
        let server = self.core.doc.doc();
        let mut new_id = crate::ids::participant_id;
        let missing = crate::session::schema::ensure_structure(
            server,
            &self.core.engine.template,
            &mut new_id,
            0.0,
        );
        assert!(
            missing.is_none(),
            "the document lacks some of its containers"
        );
        let server_sv = server.transact().state_vector();
        let server_contents = SimClient::contents(server);
        let mut core_awareness = HashMap::new();
        if let Some(full) = self.core.awareness.full_update() {
            let update = AwarenessUpdate::decode(&full).expect("valid awareness");
            apply_awareness(&mut core_awareness, &update);
        }
        let core_awareness = present(&core_awareness);
        for client in &self.clients {
            assert!(client.synced, "conn {} never synced", client.conn);
            assert_eq!(
                present(&client.awareness),
                core_awareness,
                "conn {} sees other awareness than the core holds",
                client.conn
            );
            let sv = client.doc.transact().state_vector();
            assert_eq!(
                sv, server_sv,
                "conn {} (person {}) has another state than the core",
                client.conn, client.person
            );
            assert_eq!(
                SimClient::contents(&client.doc),
                server_contents,
                "conn {} has other contents than the core",
                client.conn
            );
        }
    }
}
