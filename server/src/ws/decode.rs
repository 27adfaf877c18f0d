//! Turns a client's binary frame into a [`ClientMsg`], refusing anything malformed.
//!
//! Runs in the connection's task: validation of a large or hostile message costs the sender's
//! task, never the session's.

use bytes::Bytes;
use werkplaats_protocol::control::{ClientEnvelope, Command};
use werkplaats_protocol::message::{AwarenessUpdate, Message, decode_state_vector};
use werkplaats_protocol::update::{UpdateLimits, validate_update_v1};

use super::bad_input::BadControl;
use crate::config::Config;
use crate::session::ClientMsg;
use crate::session::awareness::{self, AwarenessLimits};

/// What a client's frame may hold, copied out of the flags once at start-up.
#[derive(Debug, Clone)]
pub struct FrameLimits {
    pub update: UpdateLimits,
    /// `--max-control-bytes`.
    pub max_control_bytes: usize,
    pub awareness: AwarenessLimits,
}

impl FrameLimits {
    pub fn from_config(config: &Config) -> Self {
        Self {
            update: UpdateLimits {
                max_bytes: config.max_message_bytes,
                max_clients: config.doc.max_update_clients as usize,
                ..UpdateLimits::default()
            },
            max_control_bytes: config.net.max_control_bytes as usize,
            awareness: config.session.awareness(),
        }
    }
}

pub enum Decoded {
    /// Forward to the session.
    Session(ClientMsg),
    /// A clock probe, answered by the connection itself at once.
    Ping { id: Option<u64>, client_time: f64 },
    /// A control message that did not parse: answered with an error event, and counted; the
    /// connection closes only after several.
    BadControl(BadControl),
    /// Nothing to do (a client's own permission-denied message).
    Nothing,
}

/// Why a frame was refused: the close code and a reason for the client and the log.
pub struct Refusal {
    pub code: u16,
    pub reason: String,
}

fn policy(reason: String) -> Refusal {
    Refusal {
        code: werkplaats_protocol::close::POLICY_VIOLATION,
        reason,
    }
}

pub fn decode(frame: &Bytes, limits: &FrameLimits) -> Result<Decoded, Refusal> {
    let message = Message::decode(frame).map_err(|e| policy(format!("malformed message: {e}")))?;
    Ok(match message {
        Message::SyncStep1(sv) => {
            decode_state_vector(sv).map_err(|e| policy(format!("malformed state vector: {e}")))?;
            Decoded::Session(ClientMsg::SyncStep1(frame.slice_ref(sv)))
        }
        Message::SyncStep2(update) | Message::Update(update) => {
            let summary = validate_update_v1(update, &limits.update)
                .map_err(|e| policy(format!("invalid update: {e}")))?;
            Decoded::Session(ClientMsg::Update {
                update: frame.slice_ref(update),
                summary: Box::new(summary),
            })
        }
        Message::Awareness(bytes) => {
            let update = AwarenessUpdate::decode(bytes)
                .map_err(|e| policy(format!("malformed awareness: {e}")))?;
            let entries = awareness::validate(&update, &limits.awareness).map_err(policy)?;
            Decoded::Session(ClientMsg::Awareness(entries))
        }
        Message::QueryAwareness => Decoded::Session(ClientMsg::QueryAwareness),
        Message::PermissionDenied(_) => Decoded::Nothing,
        Message::Control(json) => {
            match ClientEnvelope::parse_within(json, limits.max_control_bytes) {
                Ok(ClientEnvelope {
                    id,
                    command: Command::Ping { client_time },
                }) => Decoded::Ping { id, client_time },
                Ok(envelope) => Decoded::Session(ClientMsg::Control(Box::new(envelope))),
                Err(err) => Decoded::BadControl(BadControl::new(json, &err)),
            }
        }
    })
}
