//! Sessions: one tokio task per live workshop session owns its document, awareness and state.
//!
//! Connections never touch a session's data; they send [`SessionCmd`]s over a bounded channel
//! and receive encoded frames over their own bounded outbound queue. The [`registry`] finds or
//! starts the task for a session id.

pub mod awareness;
pub mod byte_rate;
pub mod closer;
pub mod core;
pub mod document;
pub mod meta;
pub mod outbound;
pub mod registry;
pub mod schema;
mod task;
pub mod topics;

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use werkplaats_protocol::control::{ClientEnvelope, Role};
use werkplaats_protocol::update::UpdateSummary;

pub use closer::Closer;
use std::sync::Arc;
pub use task::join_retry_after;

/// A connection's number within this process, for logs and ownership.
pub type ConnId = u64;

/// A message from a client, already decoded and validated by its connection task (so a
/// hostile client burns its own task's CPU, not the session's).
///
/// Kept small (large parts boxed): every session's command queue allocates its slots in blocks
/// of 32, so each byte here is 32 to 64 bytes of every live session's memory.
#[derive(Debug)]
pub enum ClientMsg {
    /// Sync step 1: the client's encoded state vector.
    SyncStep1(Bytes),
    /// Sync step 2 or an update: a validated v1 update.
    Update {
        update: Bytes,
        summary: Box<UpdateSummary>,
    },
    Awareness(Vec<awareness::OwnedEntry>),
    QueryAwareness,
    Control(Box<ClientEnvelope>),
}

/// What a connection needs to be reached by the session.
pub struct ConnLink {
    pub outbound: outbound::Sender,
    pub closer: Arc<Closer>,
}

/// The identity a token resolved to.
#[derive(Debug, Clone)]
pub struct Joined {
    pub role: Role,
    pub participant_id: String,
    pub name: String,
    /// Recognises this person's anonymous post-its (`ids::author_key`); memory only.
    pub author_key: [u8; 32],
}

/// Why a session turned a request away; carries a websocket close code.
#[derive(Debug, Clone)]
pub struct Refused {
    pub code: u16,
    pub reason: &'static str,
}

/// A participant added through `POST /api/join`.
#[derive(Debug, Clone)]
pub struct NewParticipant {
    pub participant_id: String,
    pub token: String,
}

pub enum SessionCmd {
    Join {
        conn: ConnId,
        token: String,
        link: ConnLink,
        reply: oneshot::Sender<Result<Joined, Refused>>,
    },
    Client {
        conn: ConnId,
        msg: ClientMsg,
    },
    Leave {
        conn: ConnId,
    },
    AddParticipant {
        name: String,
        /// The join code the session was found by: a code rotated away since is refused.
        code: String,
        reply: oneshot::Sender<Result<NewParticipant, Refused>>,
    },
    /// The results, for a facilitator's token.
    Export {
        token: String,
        language: werkplaats_protocol::template::Language,
        reply: oneshot::Sender<Result<crate::export::Results, Refused>>,
    },
    /// Deletes everything of the session, for the facilitator's token.
    Delete {
        token: String,
        reply: oneshot::Sender<Result<(), Refused>>,
    },
}

/// A cheap, cloneable address of a running session task.
#[derive(Clone)]
pub struct SessionHandle {
    pub id: Arc<str>,
    generation: u64,
    tx: mpsc::Sender<SessionCmd>,
    /// Cancelled when the session was deleted from the store (retention, `DELETE`): the task
    /// must close its connections and end without writing or serving anything more.
    deleted: CancellationToken,
}

/// The session task is gone (unloaded, or crashed): look it up again.
#[derive(Debug)]
pub struct SessionGone;

impl SessionHandle {
    pub async fn send(&self, cmd: SessionCmd) -> Result<(), SessionGone> {
        self.tx.send(cmd).await.map_err(|_| SessionGone)
    }

    /// Sends if the session's queue has room, without waiting.
    #[allow(
        clippy::result_large_err,
        reason = "a full queue hands the command back, to be sent with `send`"
    )]
    pub fn try_send(&self, cmd: SessionCmd) -> Result<(), mpsc::error::TrySendError<SessionCmd>> {
        self.tx.try_send(cmd)
    }
}
