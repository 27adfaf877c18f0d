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

/// The largest control message the server reads, unless told otherwise
/// ([`ClientEnvelope::parse_within`]; the server's `--max-control-bytes`).
pub const MAX_CONTROL_BYTES: usize = 64 * 1024;

/// Who a connection is, decided by its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
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
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ClientEnvelope {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    #[serde(flatten)]
    pub command: Command,
}

/// Commands. The comment on each says who may send it; the server checks every time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Opt in to the control channel (anyone). Answered by `welcome`, then `session`.
    Hello {
        version: u32,
    },
    /// Clock-offset probe (anyone); the server answers with `pong` at once.
    Ping {
        client_time: f64,
    },

    // Phases (facilitators).
    PhaseNext,
    PhasePrevious,
    PhaseGoto {
        index: usize,
    },

    // Roles and settings.
    /// Facilitator only: a co-facilitator link, answered by `co_facilitator_added`.
    AddCoFacilitator {
        name: String,
    },
    /// Facilitator only: takes a participant or co-facilitator out of the session. Their token
    /// stops working, their connections close with 4403; their post-its stay (a facilitator
    /// may hide them). Answered by `ack`, then `participants`.
    RemoveParticipant {
        participant_id: String,
    },
    /// Facilitators: a locked session takes no new joins (`POST /api/join` answers 403);
    /// whoever already has a token keeps it. Answered by `ack`, then `join_locked`.
    SetJoinLocked {
        locked: bool,
    },
    /// Facilitators: a fresh join code replaces the old one, which from then on is unknown
    /// (`POST /api/join` answers 404, as for a code that never existed); the old link and QR
    /// code stop working, whoever has a token stays. Answered by `ack`, then `join_code`.
    RotateJoinCode,
    /// Facilitators: fields left out stay as they are.
    SetSettings {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        anonymous_posting: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        votes_per_participant: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        auto_next_round: Option<bool>,
    },

    /// Anyone who edits: one more connection format, answered by `format_added`.
    AddFormat {
        activity_id: String,
    },
    /// Facilitators: removes a connection format (clients cannot delete the server's
    /// containers). The last format of an activity stays. Answered by `ack`; everyone sees the
    /// format go through the document.
    RemoveFormat {
        format_id: String,
    },

    // The board (participants and facilitators; the display only watches).
    /// `client_ref` is the writer's own random id for this post-it: sending the same one twice
    /// (a retry after a reconnect) posts once.
    PostIdea {
        text: String,
        client_ref: String,
    },
    Vote {
        idea_id: String,
    },
    Unvote {
        idea_id: String,
    },
    /// Puts post-its in a group: an existing one (`group_id`) or a new one (`label`).
    GroupIdeas {
        idea_ids: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    Ungroup {
        idea_id: String,
    },
    RenameGroup {
        group_id: String,
        label: String,
    },
    /// Participants and facilitators: their own note for a personal notes activity (at most
    /// 5,000 characters; empty clears it). Only the writer's own connections hear of it
    /// (`personal_note`); sharing it is posting it (`post_idea`).
    SetPersonalNote {
        activity_id: String,
        text: String,
    },
    /// Participants: "Ik ben klaar" for the current stage or assignment (`ready: false` takes
    /// it back). It resets for everyone when the phase, the carousel round or its stage
    /// changes. Everyone gets `ready`.
    SetReady {
        ready: bool,
    },
    /// Facilitators.
    HideIdea {
        idea_id: String,
        hidden: bool,
    },
    /// The post-it's author (anonymous ones too) or a facilitator: takes it off the board for
    /// good, with its votes. Everyone gets `idea_removed`.
    DeleteIdea {
        idea_id: String,
    },
    /// The post-it's author: new text (the same limits as `post_idea`). Everyone gets `idea`.
    EditIdea {
        idea_id: String,
        text: String,
    },

    // The brainstorm carousel (facilitators, except `set_next_step`).
    CarouselAddRound {
        topic: String,
        owner_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        activity_id: Option<String>,
    },
    CarouselSetOwner {
        round_id: String,
        owner_id: String,
    },
    /// Starts a round (the next one that has not run, unless `round_id` says which).
    CarouselStart {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        round_id: Option<String>,
    },
    CarouselPause,
    CarouselResume,
    /// Adds (or with a negative number, takes away) time from the running stage.
    CarouselAddTime {
        seconds: i32,
    },
    CarouselNextStage,
    CarouselPreviousStage,
    CarouselRestartStage,
    CarouselNextRound,
    CarouselEnd,
    /// The round's owner or a facilitator: the owner's next step, which becomes an action.
    SetNextStep {
        round_id: String,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        date: Option<String>,
    },

    /// Facilitators: the opportunities and challenges written in the connection formats, as
    /// topics for new rounds (one per line), answered by `carousel_topics`.
    CarouselTopics {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        activity_id: Option<String>,
    },

    // The guided visualisation (facilitators; the question-asker for read_done/next/previous).
    VisualisationStart {
        activity_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        asker_id: Option<String>,
    },
    /// The asker finished reading: the silence starts.
    VisualisationReadDone,
    VisualisationNext,
    VisualisationPrevious,
    VisualisationStop,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ServerEnvelope {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<u64>,
    #[serde(flatten)]
    pub event: Event,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
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
    /// A command was carried out (its effects arrive as the events below).
    Ack,
    /// Everything for this client's role, after `welcome` and after each reconnect.
    Session {
        session: Box<crate::workshop::SessionView>,
    },
    Phase {
        phase: crate::workshop::PhaseView,
    },
    Settings {
        settings: crate::workshop::Settings,
    },
    Participants {
        participants: Vec<crate::workshop::ParticipantView>,
    },
    Carousel {
        carousel: Option<crate::workshop::CarouselView>,
    },
    Visualisation {
        visualisation: Option<crate::workshop::VisualisationView>,
    },
    /// The board new post-its go to changed (a phase or a carousel round began or ended):
    /// participants and the display show this one.
    Board {
        board: String,
    },
    /// A post-it was added or changed.
    Idea {
        idea: crate::workshop::IdeaView,
    },
    /// A post-it is no longer visible to this client: deleted, or hidden by a facilitator
    /// (its author still sees a hidden one, marked `hidden`).
    IdeaRemoved {
        id: String,
    },
    Groups {
        groups: Vec<crate::workshop::GroupView>,
    },
    /// This person's own note for a personal notes activity, to their own connections only.
    PersonalNote {
        activity_id: String,
        text: String,
    },
    /// Who said "klaar" for the current stage or assignment, to everyone, when it changes
    /// (also when it resets to nobody).
    Ready {
        ready: crate::workshop::ReadyView,
    },
    /// The post-its this participant voted for.
    MyVotes {
        idea_ids: Vec<String>,
    },
    CoFacilitatorAdded {
        participant_id: String,
        token: String,
        link: String,
    },
    /// To facilitators, after `hello` and when it changes: whether the session takes new joins.
    JoinLocked {
        locked: bool,
    },
    /// To everyone who said `hello` (the session view carries the code for every role), after
    /// `rotate_join_code`: the session's new join code; the old one no longer works.
    JoinCode {
        join_code: String,
    },
    FormatAdded {
        format_id: String,
    },
    /// The answer to `carousel_topics`, in the formats' order.
    CarouselTopics {
        topics: Vec<crate::workshop::TopicSuggestion>,
    },
    /// The session was deleted; the connection closes next.
    SessionDeleted,
}

/// Machine-readable reasons for an `error` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Forbidden,
    NotFound,
    /// The command does not fit the current state (e.g. pausing a paused clock).
    Conflict,
    RateLimited,
    UnsupportedVersion,
    StoreUnavailable,
    Internal,
}

#[derive(Debug, Error)]
pub enum ControlError {
    #[error("control message of {len} bytes is larger than {max}")]
    TooLarge { len: usize, max: usize },
    #[error("control message is not a valid command: {0}")]
    Invalid(#[from] serde_json::Error),
}

impl ClientEnvelope {
    pub fn parse(json: &str) -> Result<Self, ControlError> {
        Self::parse_within(json, MAX_CONTROL_BYTES)
    }

    /// Parses a command of at most `max_bytes`; a longer one is refused before any parsing.
    pub fn parse_within(json: &str, max_bytes: usize) -> Result<Self, ControlError> {
        if json.len() > max_bytes {
            return Err(ControlError::TooLarge {
                len: json.len(),
                max: max_bytes,
            });
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
    fn session_control_commands_have_a_stable_shape() {
        let remove = ClientEnvelope {
            id: Some(7),
            command: Command::RemoveParticipant {
                participant_id: "p1".into(),
            },
        };
        assert_eq!(
            remove.to_json(),
            r#"{"id":7,"type":"remove_participant","participant_id":"p1"}"#
        );
        assert_eq!(ClientEnvelope::parse(&remove.to_json()).unwrap(), remove);
        let lock = ClientEnvelope::parse(r#"{"type":"set_join_locked","locked":true}"#).unwrap();
        assert_eq!(lock.command, Command::SetJoinLocked { locked: true });
        let locked = ServerEnvelope {
            reply_to: None,
            event: Event::JoinLocked { locked: false },
        };
        assert_eq!(locked.to_json(), r#"{"type":"join_locked","locked":false}"#);
    }

    #[test]
    fn rotating_the_join_code_has_a_stable_shape() {
        let rotate = ClientEnvelope {
            id: Some(8),
            command: Command::RotateJoinCode,
        };
        assert_eq!(rotate.to_json(), r#"{"id":8,"type":"rotate_join_code"}"#);
        assert_eq!(ClientEnvelope::parse(&rotate.to_json()).unwrap(), rotate);
        let parsed = ClientEnvelope::parse(r#"{"type":"rotate_join_code"}"#).unwrap();
        assert_eq!(parsed.command, Command::RotateJoinCode);
        let code = ServerEnvelope {
            reply_to: None,
            event: Event::JoinCode {
                join_code: "ACDEFGHJKMNP".into(),
            },
        };
        let json = code.to_json();
        assert_eq!(json, r#"{"type":"join_code","join_code":"ACDEFGHJKMNP"}"#);
        assert_eq!(ServerEnvelope::parse(&json).unwrap(), code);
    }

    #[test]
    fn ready_has_a_stable_shape() {
        let set = ClientEnvelope::parse(r#"{"id":4,"type":"set_ready","ready":true}"#).unwrap();
        assert_eq!(set.command, Command::SetReady { ready: true });
        let event = ServerEnvelope {
            reply_to: None,
            event: Event::Ready {
                ready: crate::workshop::ReadyView {
                    participant_ids: vec!["p1".into()],
                },
            },
        };
        let json = event.to_json();
        assert_eq!(
            json,
            r#"{"type":"ready","ready":{"participant_ids":["p1"]}}"#
        );
        assert_eq!(ServerEnvelope::parse(&json).unwrap(), event);
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
            Err(ControlError::TooLarge { .. })
        ));
        let ping = r#"{"type":"ping","client_time":1}"#;
        assert!(matches!(
            ClientEnvelope::parse_within(ping, ping.len() - 1),
            Err(ControlError::TooLarge { len, max }) if len == ping.len() && max == len - 1
        ));
        assert!(ClientEnvelope::parse_within(ping, ping.len()).is_ok());
    }
}
