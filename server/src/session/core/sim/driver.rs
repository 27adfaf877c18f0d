//! The simulation's world: the core, its store (the real [`MemoryStore`], whose futures are
//! ready at once), the clients, the clock, and the steps that change them.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use werkplaats_protocol::close;
use werkplaats_protocol::control::{Command, Role};
use werkplaats_protocol::template::Activity;
use yrs::{ClientID, Doc, ReadTxn, StateVector, Text, Transact};

use super::client::{SimClient, client_doc, control, update_msg};
use super::rng::Rng;
use crate::clock::ServerClock;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::session::core::{Now, SessionCore, StoreWrite};
use crate::session::meta::{SessionMeta, builtin_template};
use crate::session::registry::SessionContext;
use crate::session::{ClientMsg, ConnId};
use crate::store::memory::MemoryStore;
use crate::store::{SessionRow, Store};

const PEOPLE: [(Role, &str); 6] = [
    (Role::Facilitator, "Fenna"),
    (Role::CoFacilitator, "Cas"),
    (Role::Participant, "Pim"),
    (Role::Participant, "Noor"),
    (Role::Participant, "Sam"),
    (Role::Display, "Beamer"),
];

pub(super) struct Person {
    pub(super) role: Role,
    pub(super) token: String,
    pub(super) participant_id: String,
    pub(super) removed: bool,
}

pub struct Sim {
    pub(super) rng: Rng,
    pub(super) ctx: Arc<SessionContext>,
    pub(super) store: Arc<MemoryStore>,
    pub(super) id: Arc<str>,
    pub(super) core: SessionCore,
    pub(super) people: Vec<Person>,
    pub(super) clients: Vec<SimClient>,
    /// Documents of people who are not connected, kept as a Yjs client keeps them.
    pub(super) offline: Vec<(usize, Doc)>,
    /// The batch whose writes the store has not answered yet.
    pub(super) flight: Option<StoreWrite>,
    /// Removals in the open batch and in the flight: a removal holds once the store has it.
    pub(super) removals_open: Vec<String>,
    pub(super) removals_in_flight: Vec<String>,
    /// The next store answer is a failure.
    pub(super) fail_next: bool,
    /// Frames a client holds unread before it counts as too slow: per seed, from often to never.
    pub(super) inbox_cap: usize,
    pub(super) now: Now,
    pub(super) next_conn: ConnId,
    /// Per client id, the clock up to which the store acknowledged its updates.
    pub(super) acked: HashMap<ClientID, u32>,
    /// Client ids of edits that read-only connections tried.
    pub(super) refused_ids: Vec<ClientID>,
    pub(super) log: Vec<String>,
}

pub(super) fn block<T>(future: impl std::future::Future<Output = T>) -> T {
    future
        .now_or_never()
        .expect("the memory store answers at once")
}

impl Sim {
    /// Runs one seed: `steps` random steps, invariants after each, convergence at the end.
    pub fn run(seed: u64, steps: usize) {
        let mut sim = Self::new(seed);
        let run = catch_unwind(AssertUnwindSafe(|| {
            for step in 0..steps {
                sim.step(step);
                sim.check();
            }
            sim.quiesce();
            sim.check_converged();
            if std::env::var_os("SIM_VERBOSE").is_some() {
                eprintln!("seed {seed}: {}", sim.summary());
            }
        }));
        if let Err(panic) = run {
            let lines = std::env::var("SIM_LOG_LINES")
                .ok()
                .and_then(|n| n.parse().ok());
            let from = sim.log.len().saturating_sub(lines.unwrap_or(40));
            eprintln!(
                "seed {seed}, the last steps:\n{}",
                sim.log[from..].join("\n")
            );
            resume_unwind(panic);
        }
    }

    fn new(seed: u64) -> Self {
        let mut config = Config::for_tests();
        config.minute_ms = 1_000;
        let store = Arc::new(MemoryStore::new());
        let ctx = Arc::new(SessionContext {
            store: Arc::clone(&store) as Arc<dyn Store>,
            config,
            metrics: Arc::new(Metrics::default()),
            shutdown: CancellationToken::new(),
            tasks: TaskTracker::new(),
            clock: ServerClock::new(),
        });
        let mut meta = SessionMeta {
            title: "Simulation".into(),
            credentials: Vec::new(),
            template: builtin_template(),
            join_locked: false,
        };
        let mut people = Vec::new();
        for (role, name) in PEOPLE {
            let (credential, token) = meta.add_credential(role, name.into(), 0);
            people.push(Person {
                role,
                token,
                participant_id: credential.participant_id.clone(),
                removed: false,
            });
        }
        let id: Arc<str> = Arc::from("SIMULATEDSESSION000000");
        let row = SessionRow {
            id: id.to_string(),
            join_code: "ACDEFG".into(),
            created_at_ms: 0,
        };
        block(store.create_session(row, meta.to_json())).expect("created");
        let now = Now {
            at: Instant::now(),
            ms: 1_700_000_000_000.0,
        };
        let loaded = block(store.load_session(&id)).unwrap().unwrap();
        let core = SessionCore::from_loaded(Arc::clone(&ctx), Arc::clone(&id), loaded, now)
            .expect("loads");
        let mut sim = Self {
            rng: Rng::new(seed),
            ctx,
            store,
            id,
            core,
            people,
            clients: Vec::new(),
            offline: Vec::new(),
            flight: None,
            removals_open: Vec::new(),
            removals_in_flight: Vec::new(),
            fail_next: false,
            inbox_cap: 0,
            now,
            next_conn: 1,
            acked: HashMap::new(),
            refused_ids: Vec::new(),
            log: Vec::new(),
        };
        sim.inbox_cap = [6, 12, 1_000][sim.rng.below(3)];
        for person in 0..sim.people.len() {
            sim.connect(person, None);
        }
        sim
    }

    fn step(&mut self, step: usize) {
        let roll = self.rng.below(100);
        self.log.push(format!("step {step}: roll {roll}"));
        match roll {
            0..=29 => self.edit(),
            30..=49 => self.read(),
            50..=61 => self.flush_and_land(),
            62..=71 => self.command(),
            72..=77 => self.advance_clock(),
            78..=81 => self.disconnect(),
            82..=88 => self.reconnect(),
            89..=91 => self.fail_next = true,
            92 => self.crash_and_reload(),
            93..=94 => self.compact(),
            95 => self.move_cursor(),
            96..=97 => self.read_only_edit(),
            _ => {
                self.core.housekeeping(self.now);
                self.settle_gone();
            }
        }
    }

    pub(super) fn send(&mut self, conn: ConnId, msg: ClientMsg) {
        self.core.client(self.now, conn, msg);
        self.settle_gone();
    }

    /// Carries out what the core decided about connections, as the task does on sockets.
    pub(super) fn settle_gone(&mut self) {
        for (conn, closed) in std::mem::take(&mut self.core.gone) {
            if let Some((code, reason)) = &closed {
                self.log
                    .push(format!("conn {conn} closed: {code} {reason}"));
                assert!(
                    ![close::POLICY_VIOLATION, close::MESSAGE_TOO_BIG].contains(code),
                    "a well-behaved client was refused: {code} {reason}"
                );
            }
            if let Some(at) = self.clients.iter().position(|c| c.conn == conn) {
                let client = self.clients.remove(at);
                self.offline.push((client.person, client.doc));
            }
        }
        // The core lets go of connections in its table's order, which differs from run to run;
        // the simulation's own order must not, or a seed would not replay.
        self.offline
            .sort_by_key(|(person, doc)| (*person, doc.client_id().get()));
    }

    pub(super) fn connect(&mut self, person: usize, doc: Option<Doc>) {
        let conn = self.next_conn;
        self.next_conn += 1;
        let joined = match self.core.admit(conn, &self.people[person].token) {
            Ok(joined) => joined,
            Err(_) => {
                let pid = &self.people[person].participant_id;
                assert!(
                    self.people[person].removed
                        || self.removals_open.contains(pid)
                        || self.removals_in_flight.contains(pid),
                    "a valid token was refused"
                );
                return;
            }
        };
        assert!(
            !self.people[person].removed,
            "the token of person {person}, removed, was taken"
        );
        assert_eq!(joined.role, self.people[person].role, "the token's role");
        self.core.join(self.now, conn, joined);
        let doc = doc.unwrap_or_else(|| client_doc((self.rng.next_u64() >> 33) + 1));
        let client = SimClient::new(conn, person, doc);
        let greeting = client.greeting();
        self.clients.push(client);
        self.log
            .push(format!("person {person} connected as {conn}"));
        for msg in greeting {
            self.send(conn, msg);
        }
    }

    fn edit(&mut self) {
        let people = &self.people;
        let editors: Vec<usize> = (0..self.clients.len())
            .filter(|&at| {
                let client = &self.clients[at];
                client.synced && people[client.person].role.may_edit_document()
            })
            .collect();
        if editors.is_empty() {
            return self.read();
        }
        let client = &mut self.clients[editors[self.rng.below(editors.len())]];
        let conn = client.conn;
        if let Some(msg) = client.edit(&mut self.rng) {
            self.send(conn, msg);
        }
    }

    fn move_cursor(&mut self) {
        if self.clients.is_empty() {
            return;
        }
        let at = self.rng.below(self.clients.len());
        let conn = self.clients[at].conn;
        let msg = self.clients[at].move_cursor(&mut self.rng);
        self.send(conn, msg);
    }

    /// A read-only connection sends an edit anyway: it must never reach the document.
    fn read_only_edit(&mut self) {
        let Some(client) = self
            .clients
            .iter()
            .find(|c| !self.people[c.person].role.may_edit_document())
        else {
            return;
        };
        let conn = client.conn;
        let scratch = client_doc((self.rng.next_u64() >> 33) + 1);
        self.refused_ids.push(scratch.client_id());
        let text = scratch.get_or_insert_text("sneaky");
        text.push(&mut scratch.transact_mut(), "edit");
        let update = scratch
            .transact()
            .encode_state_as_update_v1(&StateVector::default());
        if let Some(msg) = update_msg(update) {
            self.send(conn, msg);
        }
    }

    /// Clients read some of what reached them, and answer: one client, or all of them.
    fn read(&mut self) {
        if self.rng.percent(50) {
            for at in (0..self.clients.len()).rev() {
                self.read_from(at, 8);
            }
        } else if !self.clients.is_empty() {
            let at = self.rng.below(self.clients.len());
            let frames = self.rng.below(8) + 1;
            self.read_from(at, frames);
        }
    }

    fn read_from(&mut self, at: usize, frames: usize) {
        for _ in 0..frames {
            let Some(client) = self.clients.get_mut(at) else {
                return;
            };
            let conn = client.conn;
            let Some(answers) = client.read_one() else {
                return;
            };
            for msg in answers {
                self.send(conn, msg);
            }
        }
    }

    fn command(&mut self) {
        if self.clients.is_empty() {
            return;
        }
        let conn = self.clients[self.rng.below(self.clients.len())].conn;
        let some_person = self.rng.below(self.people.len());
        let owner_id = self.people[some_person].participant_id.clone();
        let formats: Vec<String> = self
            .core
            .engine
            .template
            .activities()
            .filter_map(|a| match a {
                Activity::ConnectionFormat(f) => Some(f.id.clone()),
                _ => None,
            })
            .collect();
        let command = match self.rng.below(16) {
            0 => Command::Ping { client_time: 1.0 },
            1 => Command::PhaseNext,
            2 => Command::PhasePrevious,
            3 => Command::SetJoinLocked {
                locked: self.rng.percent(50),
            },
            4 if !formats.is_empty() => Command::AddFormat {
                activity_id: formats[self.rng.below(formats.len())].clone(),
            },
            5 => Command::CarouselAddRound {
                topic: "Samen lezen".into(),
                owner_id,
                activity_id: None,
            },
            6 | 7 => Command::CarouselStart { round_id: None },
            8 => Command::CarouselPause,
            9 => Command::CarouselResume,
            10 => Command::CarouselNextStage,
            11 => Command::CarouselAddTime { seconds: 30 },
            12 => Command::PostIdea {
                text: "Een leesclub".into(),
                client_ref: format!("ref{}", self.rng.below(1000)),
            },
            13 => Command::RotateJoinCode,
            14 if self.rng.percent(10) && self.people[some_person].role != Role::Facilitator => {
                Command::RemoveParticipant {
                    participant_id: owner_id,
                }
            }
            _ => Command::CarouselEnd,
        };
        self.log.push(format!("conn {conn} command {command:?}"));
        // Participants and co-facilitators can be removed; the display cannot.
        let removable = matches!(
            self.people[some_person].role,
            Role::Participant | Role::CoFacilitator
        );
        let removes = match &command {
            Command::RemoveParticipant { participant_id } if removable => {
                Some(participant_id.clone())
            }
            _ => None,
        };
        let by_facilitator = self
            .clients
            .iter()
            .find(|c| c.conn == conn)
            .is_some_and(|c| self.people[c.person].role == Role::Facilitator);
        self.send(conn, control(command));
        if let Some(pid) = removes.filter(|_| by_facilitator) {
            self.removals_open.push(pid);
        }
    }

    fn advance_clock(&mut self) {
        let jump_ms = [100.0, 5_000.0, 61_000.0, 600_000.0][self.rng.below(4)];
        self.now = Now {
            at: self.now.at + Duration::from_secs_f64(jump_ms / 1000.0),
            ms: self.now.ms + jump_ms,
        };
        let before = self.core.next_deadline();
        self.core.timer(self.now);
        let after = self.core.next_deadline();
        self.log.push(format!(
            "clock +{jump_ms} ms: deadline {before:?} -> {after:?}"
        ));
        if let Some(after) = after {
            assert!(after > self.now.ms, "a passed deadline is still pending");
        }
        if let (Some(before), Some(after)) = (before, after)
            && before <= self.now.ms
        {
            assert!(after > before, "a stage's deadline did not move on");
        }
        self.settle_gone();
    }

    fn disconnect(&mut self) {
        if self.clients.is_empty() {
            return;
        }
        let conn = self.clients[self.rng.below(self.clients.len())].conn;
        self.log.push(format!("conn {conn} leaves"));
        self.core.leave(conn);
        self.settle_gone();
    }

    fn reconnect(&mut self) {
        if self.rng.percent(40) {
            for (person, doc) in std::mem::take(&mut self.offline) {
                self.connect(person, Some(doc));
            }
        } else if !self.offline.is_empty() && self.rng.percent(80) {
            let (person, doc) = self.offline.swap_remove(self.rng.below(self.offline.len()));
            self.connect(person, Some(doc));
        } else {
            let person = self.rng.below(self.people.len());
            self.connect(person, None);
        }
    }
}
