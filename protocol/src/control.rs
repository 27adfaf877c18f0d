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
    /// Runs the session: the only one who may add co-facilitators.
    Facilitator,
    /// Steers the session with the facilitator, through a link the facilitator made.
    CoFacilitator,
    /// Takes part: posts, votes, writes in the shared document.
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
/// A command as it arrives: the command's fields and `type`, plus the client's optional `id`.
pub struct ClientEnvelope {
    /// The client's number for this command, sent back as `reply_to` in the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// The command itself (its fields sit next to `id` in the JSON).
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
        /// The control protocol version the client speaks ([`CONTROL_VERSION`]).
        version: u32,
    },
    /// Clock-offset probe (anyone); the server answers with `pong` at once.
    Ping {
        /// The client's clock when it sent the ping, echoed in `pong`.
        client_time: f64,
    },

    // Phases (facilitators).
    /// Facilitators: to the next phase.
    PhaseNext,
    /// Facilitators: back to the previous phase.
    PhasePrevious,
    /// Facilitators: to the phase at `index`.
    PhaseGoto {
        /// The phase's position in the template, from 0.
        index: usize,
    },

    // Roles and settings.
    /// Facilitator only: a co-facilitator link, answered by `co_facilitator_added`.
    AddCoFacilitator {
        /// The co-facilitator's name, as the others see it.
        name: String,
    },
    /// Facilitator only: takes a participant or co-facilitator out of the session. Their token
    /// stops working, their connections close with 4403; their post-its stay (a facilitator
    /// may hide them). Answered by `ack`, then `participants`.
    RemoveParticipant {
        /// Whom to remove.
        participant_id: String,
    },
    /// Facilitators: a locked session takes no new joins (`POST /api/join` answers 403);
    /// whoever already has a token keeps it. Answered by `ack`, then `join_locked`.
    SetJoinLocked {
        /// Whether new joins are refused.
        locked: bool,
    },
    /// Facilitators: a fresh join code replaces the old one, which from then on is unknown
    /// (`POST /api/join` answers 404, as for a code that never existed); the old link and QR
    /// code stop working, whoever has a token stays. Answered by `ack`, then `join_code`.
    RotateJoinCode,
    /// Facilitators: fields left out stay as they are.
    SetSettings {
        /// New post-its carry no author for anyone but their writer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        anonymous_posting: Option<bool>,
        /// Votes each participant may spend on each board.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        votes_per_participant: Option<u32>,
        /// The next carousel round starts by itself when one ends.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        auto_next_round: Option<bool>,
    },

    /// Anyone who edits: one more connection format, answered by `format_added`.
    AddFormat {
        /// The connection format activity to add a copy of.
        activity_id: String,
    },
    /// Facilitators: removes a connection format (clients cannot delete the server's
    /// containers). The last format of an activity stays. Answered by `ack`; everyone sees the
    /// format go through the document.
    RemoveFormat {
        /// The format copy to remove.
        format_id: String,
    },

    // The board (participants and facilitators; the display only watches).
    /// `client_ref` is the writer's own random id for this post-it: sending the same one twice
    /// (a retry after a reconnect) posts once.
    PostIdea {
        /// The post-it's text.
        text: String,
        /// The writer's own random id for this post-it.
        client_ref: String,
    },
    /// A vote for a post-it (within the votes per board).
    Vote {
        /// The post-it to vote for.
        idea_id: String,
    },
    /// Takes back a vote.
    Unvote {
        /// The post-it to take the vote from.
        idea_id: String,
    },
    /// Puts post-its in a group: an existing one (`group_id`) or a new one (`label`).
    GroupIdeas {
        /// The post-its to put in the group.
        idea_ids: Vec<String>,
        /// An existing group to put them in.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group_id: Option<String>,
        /// The label of a new group, when `group_id` is absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Takes a post-it out of its group.
    Ungroup {
        /// The post-it to take out.
        idea_id: String,
    },
    /// Gives a group another label.
    RenameGroup {
        /// The group to rename.
        group_id: String,
        /// Its new label.
        label: String,
    },
    /// Participants and facilitators: their own note for a personal notes activity (at most
    /// 5,000 characters; empty clears it). Only the writer's own connections hear of it
    /// (`personal_note`); sharing it is posting it (`post_idea`).
    SetPersonalNote {
        /// The personal notes activity.
        activity_id: String,
        /// The whole note; empty clears it.
        text: String,
    },
    /// Participants: "Ik ben klaar" for the current stage or assignment (`ready: false` takes
    /// it back). It resets for everyone when the phase, the carousel round or its stage
    /// changes. Everyone gets `ready`.
    SetReady {
        /// True for ready, false to take it back.
        ready: bool,
    },
    /// Facilitators.
    HideIdea {
        /// The post-it to hide or show.
        idea_id: String,
        /// True hides it from participants and the display.
        hidden: bool,
    },
    /// The post-it's author (anonymous ones too) or a facilitator: takes it off the board for
    /// good, with its votes. Everyone gets `idea_removed`.
    DeleteIdea {
        /// The post-it to delete.
        idea_id: String,
    },
    /// The post-it's author: new text (the same limits as `post_idea`). Everyone gets `idea`.
    EditIdea {
        /// The post-it to change.
        idea_id: String,
        /// Its new text.
        text: String,
    },

    // The brainstorm carousel (facilitators, except `set_next_step`).
    /// A new carousel round about `topic`, owned by `owner_id`.
    CarouselAddRound {
        /// The opportunity or challenge the round is about.
        topic: String,
        /// The participant who owns the round.
        owner_id: String,
        /// The carousel activity, when the template has more than one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        activity_id: Option<String>,
    },
    /// Gives a round another owner.
    CarouselSetOwner {
        /// The round to change.
        round_id: String,
        /// Its new owner.
        owner_id: String,
    },
    /// Starts a round (the next one that has not run, unless `round_id` says which).
    CarouselStart {
        /// The round to start; absent means the next one that has not run.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        round_id: Option<String>,
    },
    /// Stops the running stage's clock, keeping the time left.
    CarouselPause,
    /// Restarts a paused clock with the time it had left.
    CarouselResume,
    /// Adds (or with a negative number, takes away) time from the running stage.
    CarouselAddTime {
        /// Seconds to add; negative takes time away.
        seconds: i32,
    },
    /// Ends the stage now and starts the next one.
    CarouselNextStage,
    /// Back to the previous stage, with its full time.
    CarouselPreviousStage,
    /// Starts the current stage again, with its full time.
    CarouselRestartStage,
    /// Ends the round and starts the next one that has not run.
    CarouselNextRound,
    /// Ends the carousel.
    CarouselEnd,
    /// The round's owner or a facilitator: the owner's next step, which becomes an action.
    SetNextStep {
        /// The round whose owner takes the step.
        round_id: String,
        /// What will be done.
        text: String,
        /// Who does it, when not the round's owner.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
        /// When it was undertaken (`YYYY-MM-DD`), when not today.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        date: Option<String>,
    },

    /// Facilitators: the opportunities and challenges written in the connection formats, as
    /// topics for new rounds (one per line), answered by `carousel_topics`.
    CarouselTopics {
        /// The carousel activity whose formats to read; absent means the first.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        activity_id: Option<String>,
    },

    // The guided visualisation (facilitators; the question-asker for read_done/next/previous).
    /// Starts the guided visualisation, optionally with a question-asker.
    VisualisationStart {
        /// The guided visualisation activity.
        activity_id: String,
        /// The participant who reads the questions aloud.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        asker_id: Option<String>,
    },
    /// The asker finished reading: the silence starts.
    VisualisationReadDone,
    /// The asker moves on to the next question.
    VisualisationNext,
    /// The asker goes back to the previous question.
    VisualisationPrevious,
    /// Ends the guided visualisation.
    VisualisationStop,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
/// An event as it is sent: the event's fields and `type`, plus `reply_to` when it answers a command.
pub struct ServerEnvelope {
    /// The `id` of the command this event answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<u64>,
    /// The event itself (its fields sit next to `reply_to` in the JSON).
    #[serde(flatten)]
    pub event: Event,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
/// Events from the server. The comment on each says who gets it, when that is not everyone.
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The answer to `hello`: who this connection is.
    Welcome {
        /// The control protocol version the server speaks.
        version: u32,
        /// The session's id.
        session_id: String,
        /// This connection's role.
        role: Role,
        /// This person's id in the session.
        participant_id: String,
        /// This person's name.
        name: String,
        /// Server time in milliseconds since the Unix epoch.
        server_time: f64,
    },
    /// The answer to `ping`, for the client's clock offset.
    Pong {
        /// The client's time from the ping.
        client_time: f64,
        /// The server's time when it answered, in milliseconds since the Unix epoch.
        server_time: f64,
    },
    /// A command was refused or failed.
    Error {
        /// Why, for machines.
        code: ErrorCode,
        /// Why, in words (English).
        message: String,
    },
    /// A command was carried out (its effects arrive as the events below).
    Ack,
    /// Everything for this client's role, after `welcome` and after each reconnect.
    Session {
        /// The session as this client's role may see it.
        session: Box<crate::workshop::SessionView>,
    },
    /// The session moved to another phase.
    Phase {
        /// The phase it is in now.
        phase: crate::workshop::PhaseView,
    },
    /// The facilitator changed the settings.
    Settings {
        /// The settings now.
        settings: crate::workshop::Settings,
    },
    /// Someone joined, left, came online or went offline.
    Participants {
        /// Everyone in the session.
        participants: Vec<crate::workshop::ParticipantView>,
    },
    /// The carousel changed (a clock, a stage, a round).
    Carousel {
        /// The carousel now; absent when it does not run.
        carousel: Option<crate::workshop::CarouselView>,
    },
    /// The guided visualisation changed.
    Visualisation {
        /// The visualisation now; absent when it does not run.
        visualisation: Option<crate::workshop::VisualisationView>,
    },
    /// The board new post-its go to changed (a phase or a carousel round began or ended):
    /// participants and the display show this one.
    Board {
        /// The board's name (see [`crate::workshop::board_of`]).
        board: String,
    },
    /// A post-it was added or changed.
    Idea {
        /// The post-it as this client may see it.
        idea: crate::workshop::IdeaView,
    },
    /// A post-it is no longer visible to this client: deleted, or hidden by a facilitator
    /// (its author still sees a hidden one, marked `hidden`).
    IdeaRemoved {
        /// The post-it's id.
        id: String,
    },
    /// The groups on the board changed.
    Groups {
        /// Every group.
        groups: Vec<crate::workshop::GroupView>,
    },
    /// This person's own note for a personal notes activity, to their own connections only.
    PersonalNote {
        /// The personal notes activity.
        activity_id: String,
        /// The whole note.
        text: String,
    },
    /// Who said "klaar" for the current stage or assignment, to everyone, when it changes
    /// (also when it resets to nobody).
    Ready {
        /// The participants who said they are ready.
        ready: crate::workshop::ReadyView,
    },
    /// The post-its this participant voted for.
    MyVotes {
        /// The post-its voted for.
        idea_ids: Vec<String>,
    },
    /// The answer to `add_co_facilitator`: the new co-facilitator's link.
    CoFacilitatorAdded {
        /// The co-facilitator's id in the session.
        participant_id: String,
        /// Their token (only in this answer; the server keeps just its hash).
        token: String,
        /// Their link, a path: `/s/{session}#token={token}`.
        link: String,
    },
    /// To facilitators, after `hello` and when it changes: whether the session takes new joins.
    JoinLocked {
        /// Whether new joins are refused.
        locked: bool,
    },
    /// To everyone who said `hello` (the session view carries the code for every role), after
    /// `rotate_join_code`: the session's new join code; the old one no longer works.
    JoinCode {
        /// The new join code.
        join_code: String,
    },
    /// The answer to `add_format`: the new format copy.
    FormatAdded {
        /// The new format copy's id, a key under `formats` in the document.
        format_id: String,
    },
    /// The answer to `carousel_topics`, in the formats' order.
    CarouselTopics {
        /// One suggestion per line.
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
    /// The command is malformed or its values are out of bounds.
    BadRequest,
    /// This role may not send this command.
    Forbidden,
    /// What the command names does not exist.
    NotFound,
    /// The command does not fit the current state (e.g. pausing a paused clock).
    Conflict,
    /// Too many commands or post-its in a short time.
    RateLimited,
    /// The server does not speak the client's control protocol version.
    UnsupportedVersion,
    /// The store failed; the command had no effect and may be sent again.
    StoreUnavailable,
    /// Something went wrong in the server.
    Internal,
}

#[derive(Debug, Error)]
/// Why a control message could not be read.
pub enum ControlError {
    #[error("control message of {len} bytes is larger than {max}")]
    /// Longer than the limit; refused before parsing.
    TooLarge {
        /// The message's length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    #[error("control message is not a valid command: {0}")]
    /// It is not JSON, or not a command this crate knows.
    Invalid(#[from] serde_json::Error),
}

impl ClientEnvelope {
    /// Parses a command of at most [`MAX_CONTROL_BYTES`].
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

    /// The command as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("commands always serialize")
    }
}

impl ServerEnvelope {
    /// Parses an event.
    pub fn parse(json: &str) -> Result<Self, ControlError> {
        Ok(serde_json::from_str(json)?)
    }

    /// The event as JSON.
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
