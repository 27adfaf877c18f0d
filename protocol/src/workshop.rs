//! The workshop engine's state as clients see it, and the shared document's schema.
//!
//! Two kinds of state, kept apart on purpose:
//!
//! - **Server state** (phase, carousel clock, visualisation, board, roles): changed only by
//!   validated commands on the control channel, sent as the events in [`crate::control`]. No
//!   client can write it through the shared document.
//! - **Collaborative text** (the connection formats, lists, conversation notes, communication
//!   plan, notes): Yjs shared types in the session's document, laid out as [`schema`] says.

use serde::{Deserialize, Serialize};

use crate::template::StageRole;

/// Server time in milliseconds since the Unix epoch (a float, as JavaScript's `Date.now()`).
pub type ServerMillis = f64;

/// A person in the session, with whether any of their connections is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ParticipantView {
    /// The person's id in the session.
    pub id: String,
    /// The name they joined with.
    pub name: String,
    /// What they may do.
    pub role: crate::control::Role,
    /// Whether any of their connections is open.
    pub online: bool,
}

/// Session settings the facilitator controls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Settings {
    /// New post-its carry no author for anyone but their writer.
    pub anonymous_posting: bool,
    /// Votes each participant may spend on each board (each carousel round, each phase).
    pub votes_per_participant: u32,
    /// The next carousel round starts by itself when one ends.
    pub auto_next_round: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            anonymous_posting: false,
            votes_per_participant: 3,
            auto_next_round: false,
        }
    }
}

/// The phase the session is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PhaseView {
    /// The phase's position in the template, from 0.
    pub index: usize,
    /// The phase's id in the template.
    pub phase_id: String,
    /// How many phases the template has.
    pub count: usize,
}

/// How a clock stands: running toward a deadline, paused with time left, or not running.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ClockView {
    /// Not started.
    Idle,
    /// Counting down.
    Running {
        /// When the time is up, on the server's clock.
        deadline: ServerMillis,
    },
    /// Stopped, with time left.
    Paused {
        /// The time left, in milliseconds.
        remaining_ms: f64,
    },
    /// The round's last stage ended.
    Done,
}

/// One round of the brainstorm carousel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RoundView {
    /// The round's id.
    pub id: String,
    /// The opportunity or challenge.
    pub topic: String,
    /// The participant who owns the round.
    pub owner_id: String,
    /// The owner's name.
    pub owner_name: String,
    /// The owner's next step, said in the last stage.
    pub next_step: Option<NextStep>,
    /// The round has been started (a facilitator's "next round" skips it).
    #[serde(default)]
    pub ran: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
/// The action a round's owner takes away from it.
pub struct NextStep {
    /// What will be done.
    pub text: String,
    /// Who does it (the round's owner unless someone else is named).
    pub owner: String,
    /// The date it was undertaken (ISO 8601, `YYYY-MM-DD`).
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
/// One stage of a carousel round, as clients need it to run the clock.
pub struct StageView {
    /// The stage's id in the template.
    pub id: String,
    /// Who has the floor.
    pub who: StageRole,
    /// The stage's length, in milliseconds (durations may be overridden per session).
    pub duration_ms: f64,
}

/// The carousel as every client sees it. `seq` grows with every change, so a client can drop
/// an event older than one it already has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CarouselView {
    /// The carousel activity.
    pub activity_id: String,
    /// Grows with every change; the higher one wins.
    pub seq: u64,
    /// Every round, in order.
    pub rounds: Vec<RoundView>,
    /// The round that runs or ran last, by position in `rounds`.
    pub current_round: Option<usize>,
    /// The current stage's position in `stages`.
    pub stage_index: usize,
    /// The stages of each round.
    pub stages: Vec<StageView>,
    /// The current stage's clock.
    pub clock: ClockView,
    /// The server's time when this view was made.
    pub server_time: ServerMillis,
}

/// The guided visualisation's question-asker mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct VisualisationView {
    /// The guided visualisation activity.
    pub activity_id: String,
    /// Grows with every change; the higher one wins.
    pub seq: u64,
    /// The participant who reads the questions aloud, if one was chosen.
    pub asker_id: Option<String>,
    /// The current question's position, from 0.
    pub question_index: usize,
    /// How many questions there are.
    pub question_count: usize,
    /// Reading: the asker reads the question. Silence: everyone is quiet until the deadline.
    pub silence: ClockView,
    /// The server's time when this view was made.
    pub server_time: ServerMillis,
}

/// A line from a connection format offered as a carousel round's topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct TopicSuggestion {
    /// The line, as written.
    pub text: String,
    /// The format it was written in, and the follow-up block (e.g. `kansen`).
    pub format_id: String,
    /// The follow-up block's id.
    pub block_id: String,
}

/// A post-it on the board, as one audience sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct IdeaView {
    /// The post-it's id.
    pub id: String,
    /// Its text.
    pub text: String,
    /// `None` for anonymous post-its.
    pub author_id: Option<String>,
    /// The author's name; `None` for anonymous post-its.
    pub author_name: Option<String>,
    /// The writer's own reference (a random id), so the writer recognises it after a
    /// reconnect; says nothing about who wrote it.
    pub client_ref: String,
    /// When it was posted, in milliseconds since the Unix epoch.
    pub created_at: i64,
    /// The phase it was posted in.
    pub phase_id: String,
    /// The carousel round it was posted in, if any.
    pub round_id: Option<String>,
    /// The carousel stage it was posted in, if any.
    pub stage_id: Option<String>,
    /// The board it is on: `round:{round_id}` for a carousel round, else `phase:{phase_id}`
    /// (see [`board_of`]).
    pub board: String,
    /// How many votes it has.
    pub votes: u32,
    /// The group it is in, if any.
    pub group_id: Option<String>,
    /// Facilitators, and the post-it's own author, see hidden post-its (with this set).
    pub hidden: bool,
}

/// Who said "klaar" for the current stage or assignment (participants only). A client counts
/// them against the participants who are online or ready.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ReadyView {
    /// Their ids.
    pub participant_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
/// A group of post-its on a board.
pub struct GroupView {
    /// The group's id.
    pub id: String,
    /// Its label.
    pub label: String,
}

/// Everything a client needs after `hello`, for its role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SessionView {
    /// The session's title.
    pub title: String,
    /// The code people join with.
    pub join_code: String,
    /// The workshop the session runs.
    pub template: crate::template::Template,
    /// The phase it is in.
    pub phase: PhaseView,
    /// The facilitator's settings.
    pub settings: Settings,
    /// Everyone in the session.
    pub participants: Vec<ParticipantView>,
    /// The carousel, when it runs.
    pub carousel: Option<CarouselView>,
    /// The guided visualisation, when it runs.
    pub visualisation: Option<VisualisationView>,
    /// The post-its this client may see.
    pub ideas: Vec<IdeaView>,
    /// The groups on the boards.
    pub groups: Vec<GroupView>,
    /// Post-its this participant voted for.
    pub my_votes: Vec<String>,
    /// Post-its this participant wrote, anonymous ones included (nobody else learns those),
    /// so that their own device, or another with the same link, may edit and delete them.
    #[serde(default)]
    pub my_ideas: Vec<String>,
    /// This person's own notes for the template's personal notes activities, by activity id.
    #[serde(default)]
    pub my_notes: std::collections::BTreeMap<String, String>,
    /// The board new post-its go to, and the one participants and the display show.
    pub board: String,
    /// Who said "klaar" for the current stage or assignment.
    #[serde(default)]
    pub ready: ReadyView,
}

/// The board a post-it posted in `phase_id`, during carousel round `round_id` (if any), is on.
/// Each carousel round is a board of its own, so that round 2 starts empty and has its own
/// votes; outside the carousel each phase is one board.
pub fn board_of(phase_id: &str, round_id: Option<&str>) -> String {
    match round_id {
        Some(round) => format!("round:{round}"),
        None => format!("phase:{phase_id}"),
    }
}

/// Names in the shared document. The web client mirrors these constants.
///
/// ```text
/// formats : Y.Map  formatId → Y.Map {
///             "activity": string (template activity id), "created": number,
///             "side.{sideId}.name": Y.Text,            (each side's programme name)
///             "side.{sideId}.{blockId}": Y.Text,       (the green blocks)
///             "conn.{blockId}": Y.Text,                (the blue connection blocks)
///             "follow.{blockId}": Y.Text               (notes, opportunities, challenges)
///             "follow.{blockId}": Y.Array<Y.Map { "id": string, "text": Y.Text,
///                                  "owner": Y.Text, "date": string }>  (input = actions)
///           }
/// lists   : Y.Map  activityId → Y.Array<Y.Map { "id": string, "{columnId}": Y.Text, … }>
/// guides  : Y.Map  activityId → Y.Map { "checked.{n}": bool, "notes.{n}": Y.Text }
/// plans   : Y.Map  activityId → Y.Array<Y.Map { "id": string, "audience": Y.Text,
///                                  "knowledge": Y.Text, "approach": Y.Text }>
/// notes   : Y.Map  activityId → Y.Text
/// ```
///
/// The server creates every fixed container (one per activity, and each format's fields)
/// before any client edits, so two clients never create the same key at once (in Yjs the last
/// such write would win and the other's text would vanish). Clients only add rows to arrays
/// and type into texts.
pub mod schema {
    /// Root map: connection format copies by id.
    pub const FORMATS: &str = "formats";
    /// Root map: list rows by activity id.
    pub const LISTS: &str = "lists";
    /// Root map: conversation guide ticks and notes by activity id.
    pub const GUIDES: &str = "guides";
    /// Root map: communication plan rows by activity id.
    pub const PLANS: &str = "plans";
    /// Root map: shared notes texts by activity id.
    pub const NOTES: &str = "notes";

    /// A format copy's key for its template activity id.
    pub const FORMAT_ACTIVITY: &str = "activity";
    /// A format copy's key for when it was made.
    pub const FORMAT_CREATED: &str = "created";
    /// A row's key for its random id.
    pub const ROW_ID: &str = "id";
    /// An action row's key for its text.
    pub const ACTION_TEXT: &str = "text";
    /// An action row's key for who does it.
    pub const ACTION_OWNER: &str = "owner";
    /// An action row's key for its date.
    pub const ACTION_DATE: &str = "date";
    /// The text columns of a communication plan row.
    pub const PLAN_COLUMNS: [&str; 3] = ["audience", "knowledge", "approach"];

    /// The key of a format side's programme name.
    pub fn side_name_key(side: &str) -> String {
        format!("side.{side}.name")
    }

    /// The key of a format side's green block.
    pub fn side_block_key(side: &str, block: &str) -> String {
        format!("side.{side}.{block}")
    }

    /// The key of a blue connection block.
    pub fn connection_key(block: &str) -> String {
        format!("conn.{block}")
    }

    /// The key of a follow-up block.
    pub fn follow_up_key(block: &str) -> String {
        format!("follow.{block}")
    }

    /// What every key a client may set in a conversation guide starts with.
    pub const GUIDE_CHECKED_PREFIX: &str = "checked.";

    /// The key of a conversation guide question's tick.
    pub fn guide_checked_key(question: usize) -> String {
        format!("{GUIDE_CHECKED_PREFIX}{question}")
    }

    /// The key of a conversation guide question's notes.
    pub fn guide_notes_key(question: usize) -> String {
        format!("notes.{question}")
    }
}
