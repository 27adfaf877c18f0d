//! The control channel: commands from clients and events from the server, as JSON inside the
//! control tag of [`crate::message`].
//!
//! A client opts in by sending `hello`; until it does, the server sends it nothing on this tag,
//! so stock Yjs clients never see a message they cannot read. Every command may carry an `id`;
//! the server's answer (a result event or an `error`) carries it back as `reply_to`.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The control protocol version this crate speaks.
pub const CONTROL_VERSION: u32 = 1;

/// The largest control message the server reads.
pub const MAX_CONTROL_BYTES: usize = 64 * 1024;

/// Who a connection is, decided by its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Facilitator,
    CoFacilitator,
    Participant,
    /// The read-only room view on a projector.
    Display,
}

impl Role {
    /// Facilitators and co-facilitators steer the session.
    pub fn steers(self) -> bool {
        matches!(self, Role::Facilitator | Role::CoFacilitator)
    }

    /// Whether document updates from this role are accepted.
    pub fn may_edit_document(self) -> bool {
        !matches!(self, Role::Display)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientEnvelope {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    #[serde(flatten)]
    pub command: Command,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Opt in to the control channel.
    Hello { version: u32 },
    /// Clock-offset probe; the server answers with `pong` at once.
    Ping { client_time: f64 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerEnvelope {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<u64>,
    #[serde(flatten)]
    pub event: Event,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Welcome {
        version: u32,
        session_id: String,
        role: Role,
        participant_id: String,
        name: String,
        /// Server time in milliseconds since the Unix epoch.
        server_time: f64,
    },
    Pong {
        client_time: f64,
        server_time: f64,
    },
    Error {
        code: ErrorCode,
        message: String,
    },
}

/// Machine-readable reasons for an `error` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Forbidden,
    RateLimited,
    UnsupportedVersion,
    StoreUnavailable,
    Internal,
}

#[derive(Debug, Error)]
pub enum ControlError {
    #[error("control message of {0} bytes is larger than {MAX_CONTROL_BYTES}")]
    TooLarge(usize),
    #[error("control message is not a valid command: {0}")]
    Invalid(#[from] serde_json::Error),
}

impl ClientEnvelope {
    pub fn parse(json: &str) -> Result<Self, ControlError> {
        if json.len() > MAX_CONTROL_BYTES {
            return Err(ControlError::TooLarge(json.len()));
        }
        Ok(serde_json::from_str(json)?)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("commands always serialize")
    }
}

impl ServerEnvelope {
    pub fn parse(json: &str) -> Result<Self, ControlError> {
        Ok(serde_json::from_str(json)?)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("events always serialize")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_json_shape_is_stable() {
        let hello = ClientEnvelope {
            id: Some(1),
            command: Command::Hello { version: 1 },
        };
        assert_eq!(hello.to_json(), r#"{"id":1,"type":"hello","version":1}"#);
        assert_eq!(ClientEnvelope::parse(&hello.to_json()).unwrap(), hello);
        let ping = ClientEnvelope::parse(r#"{"type":"ping","client_time":12.5}"#).unwrap();
        assert_eq!(ping.command, Command::Ping { client_time: 12.5 });
        assert_eq!(ping.id, None);
    }

    #[test]
    fn event_json_shape_is_stable() {
        let err = ServerEnvelope {
            reply_to: Some(3),
            event: Event::Error {
                code: ErrorCode::Forbidden,
                message: "no".into(),
            },
        };
        assert_eq!(
            err.to_json(),
            r#"{"reply_to":3,"type":"error","code":"forbidden","message":"no"}"#
        );
    }

    #[test]
    fn refuses_unknown_and_oversized_commands() {
        assert!(ClientEnvelope::parse(r#"{"type":"format_disk"}"#).is_err());
        assert!(ClientEnvelope::parse("not json").is_err());
        let big = format!(
            r#"{{"type":"ping","client_time":1,"x":"{}"}}"#,
            "a".repeat(70_000)
        );
        assert!(matches!(
            ClientEnvelope::parse(&big),
            Err(ControlError::TooLarge(_))
        ));
    }
}
