//! The servers under test, and how a benchmark gets a room (session, document) on each.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use serde::Deserialize;

use crate::wire::Framing;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Werkplaats: `POST /api/sessions`, `POST /api/join`, `/ws/{id}?token=`.
    Ours,
    /// `@y/websocket-server`: the document name is the URL path.
    YWebsocket,
    /// y-sweet: `POST /doc/new {"docId"}`, then `/d/{id}/ws/{id}`.
    YSweet,
    /// Hocuspocus: one URL, the document name prefixed to every message, auth first.
    Hocuspocus,
    /// The bare relay of this crate: no CRDT, no state.
    Relay,
}

impl Kind {
    /// Whether the server keeps the document (and so can serve a late joiner).
    pub fn keeps_state(self) -> bool {
        self != Kind::Relay
    }
}

/// Where clients of one room connect, and how they speak.
#[derive(Debug, Clone)]
pub struct Room {
    pub url: String,
    pub framing: Framing,
    /// Sent in the Hocuspocus auth message.
    pub auth_token: String,
}

pub struct Target {
    pub kind: Kind,
    pub addr: SocketAddr,
    http: reqwest::Client,
    counter: AtomicU64,
    prefix: String,
}

#[derive(Deserialize)]
struct Created {
    id: String,
    join_code: String,
    facilitator_token: String,
    facilitator_participant_id: String,
    display_token: String,
}

#[derive(Deserialize)]
struct Joined {
    participant_token: String,
}

/// A Werkplaats session as its creator gets it: the facilitator's and the display's rooms,
/// and the join code participants type.
#[derive(Debug, Clone)]
pub struct Workshop {
    pub session_id: String,
    pub join_code: String,
    pub facilitator: Room,
    pub facilitator_id: String,
    pub display: Room,
}

impl Target {
    pub fn new(kind: Kind, addr: SocketAddr) -> Self {
        assert!(
            addr.ip().is_loopback(),
            "the load generator only targets loopback addresses"
        );
        Self {
            kind,
            addr,
            http: reqwest::Client::new(),
            counter: AtomicU64::new(0),
            prefix: format!("bench{}", rand::random::<u32>()),
        }
    }

    fn next_name(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("{}-{n}", self.prefix)
    }

    /// Creates a fresh, empty room.
    pub async fn create_room(&self) -> anyhow::Result<Room> {
        let addr = self.addr;
        let name = self.next_name();
        let plain = |url: String| Room {
            url,
            framing: Framing::Plain,
            auth_token: String::new(),
        };
        Ok(match self.kind {
            Kind::Ours => {
                let workshop = self.create_workshop().await?;
                self.join(&workshop, "Bench").await?
            }
            Kind::YWebsocket | Kind::Relay => plain(format!("ws://{addr}/{name}")),
            Kind::YSweet => {
                self.http
                    .post(format!("http://{addr}/doc/new"))
                    .json(&serde_json::json!({ "docId": name }))
                    .send()
                    .await?
                    .error_for_status()
                    .context("y-sweet /doc/new")?;
                plain(format!("ws://{addr}/d/{name}/ws/{name}"))
            }
            Kind::Hocuspocus => Room {
                url: format!("ws://{addr}/"),
                framing: Framing::Hocuspocus { doc: name },
                auth_token: "bench".to_owned(),
            },
        })
    }

    /// Creates a Werkplaats session (`POST /api/sessions`), as the web client's create form
    /// does.
    pub async fn create_workshop(&self) -> anyhow::Result<Workshop> {
        anyhow::ensure!(self.kind == Kind::Ours, "only Werkplaats has workshops");
        let addr = self.addr;
        let created: Created = self
            .http
            .post(format!("http://{addr}/api/sessions"))
            .json(&serde_json::json!({ "title": self.next_name() }))
            .send()
            .await?
            .error_for_status()
            .context("create session")?
            .json()
            .await?;
        let room = |token: &str| Room {
            url: format!("ws://{addr}/ws/{}?token={token}", created.id),
            framing: Framing::Plain,
            auth_token: String::new(),
        };
        Ok(Workshop {
            facilitator: room(&created.facilitator_token),
            display: room(&created.display_token),
            facilitator_id: created.facilitator_participant_id,
            session_id: created.id,
            join_code: created.join_code,
        })
    }

    /// Joins a session with its code (`POST /api/join`), as the web client's join form does;
    /// every call is a new participant with its own token.
    pub async fn join(&self, workshop: &Workshop, name: &str) -> anyhow::Result<Room> {
        let addr = self.addr;
        let joined: Joined = self
            .http
            .post(format!("http://{addr}/api/join"))
            .json(&serde_json::json!({ "code": workshop.join_code, "name": name }))
            .send()
            .await?
            .error_for_status()
            .context("join (raise --join-per-minute and --session-joins-per-minute)")?
            .json()
            .await?;
        Ok(Room {
            url: format!(
                "ws://{addr}/ws/{}?token={}",
                workshop.session_id, joined.participant_token
            ),
            framing: Framing::Plain,
            auth_token: String::new(),
        })
    }
}
