//! The activity kinds a phase can hold.
//!
//! Each kind is a shared work area the engine knows how to show and store (a form, a timed
//! carousel, a checklist, ...). The template only fills in the words and numbers. In TOML an
//! activity is a `[[phases.activities]]` table whose `kind` field picks the variant; every
//! activity has an `id` (unique in the whole template, because session data is stored under
//! it), a `title` and an optional `intro`.

use serde::{Deserialize, Serialize};

use super::LocalizedText;

/// One activity. The `kind` field in TOML/JSON selects the variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Activity {
    /// `kind = "connection_format"`: two programmes side by side, and what connects them.
    ConnectionFormat(ConnectionFormat),
    /// `kind = "brainstorm_carousel"`: an owner gets input in timed stages.
    BrainstormCarousel(BrainstormCarousel),
    /// `kind = "guided_visualisation"`: one person reads questions, with silence after each.
    GuidedVisualisation(GuidedVisualisation),
    /// `kind = "list"`: a list or overview with columns, filled in together.
    List(ListActivity),
    /// `kind = "conversation_guide"`: questions for a conversation, ticked off as a checklist.
    ConversationGuide(ConversationGuide),
    /// `kind = "communication_plan"`: who to tell what, and how and when.
    CommunicationPlan(CommunicationPlan),
    /// `kind = "notes"`: free notes.
    Notes(Notes),
}

impl Activity {
    /// The activity's id.
    pub fn id(&self) -> &str {
        match self {
            Activity::ConnectionFormat(a) => &a.id,
            Activity::BrainstormCarousel(a) => &a.id,
            Activity::GuidedVisualisation(a) => &a.id,
            Activity::List(a) => &a.id,
            Activity::ConversationGuide(a) => &a.id,
            Activity::CommunicationPlan(a) => &a.id,
            Activity::Notes(a) => &a.id,
        }
    }

    /// The activity's title.
    pub fn title(&self) -> &LocalizedText {
        match self {
            Activity::ConnectionFormat(a) => &a.title,
            Activity::BrainstormCarousel(a) => &a.title,
            Activity::GuidedVisualisation(a) => &a.title,
            Activity::List(a) => &a.title,
            Activity::ConversationGuide(a) => &a.title,
            Activity::CommunicationPlan(a) => &a.title,
            Activity::Notes(a) => &a.title,
        }
    }

    /// The activity's introduction, if it has one.
    pub fn intro(&self) -> Option<&LocalizedText> {
        match self {
            Activity::ConnectionFormat(a) => a.intro.as_ref(),
            Activity::BrainstormCarousel(a) => a.intro.as_ref(),
            Activity::GuidedVisualisation(a) => a.intro.as_ref(),
            Activity::List(a) => a.intro.as_ref(),
            Activity::ConversationGuide(a) => a.intro.as_ref(),
            Activity::CommunicationPlan(a) => a.intro.as_ref(),
            Activity::Notes(a) => a.intro.as_ref(),
        }
    }

    /// The `kind` value as written in a template.
    pub fn kind(&self) -> &'static str {
        match self {
            Activity::ConnectionFormat(_) => "connection_format",
            Activity::BrainstormCarousel(_) => "brainstorm_carousel",
            Activity::GuidedVisualisation(_) => "guided_visualisation",
            Activity::List(_) => "list",
            Activity::ConversationGuide(_) => "conversation_guide",
            Activity::CommunicationPlan(_) => "communication_plan",
            Activity::Notes(_) => "notes",
        }
    }
}

/// The connection format ("verbindingsformat"): two programmes compared block by block.
///
/// Page 1 has, for each of the two [`sides`](Self::sides), the same green blocks
/// ([`side_blocks`](Self::side_blocks): goals, primary and indirect target groups, colleagues
/// involved) and in the middle the blue [`connections`](Self::connections) blocks. Page 2 is
/// [`follow_up`](Self::follow_up): notes, opportunities, challenges and actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ConnectionFormat {
    /// Unique in the whole template (session data is stored under it).
    pub id: String,
    /// The activity's title.
    pub title: LocalizedText,
    /// Shown above the activity: what it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<LocalizedText>,
    /// A session may fill in several copies, e.g. the IDO against several programmes.
    #[serde(default)]
    pub repeatable: bool,
    /// Exactly two programmes.
    pub sides: Vec<FormatSide>,
    /// The green blocks, filled in once for each side.
    pub side_blocks: Vec<FormatBlock>,
    /// The blue blocks in the middle, about both programmes together.
    #[serde(default)]
    pub connections: Vec<FormatBlock>,
    /// Page 2: what you do with it.
    #[serde(default)]
    pub follow_up: Vec<FormatBlock>,
}

/// One programme in a connection format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct FormatSide {
    /// Unique within the format (together with the block ids).
    pub id: String,
    /// The programme's name, or a placeholder such as "Programma X".
    pub label: LocalizedText,
    /// A short explanation, shown with the side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<LocalizedText>,
    /// When true, participants type the programme's name in the session (the label is then the
    /// placeholder). Used for the side that changes with every copy of the format.
    #[serde(default)]
    pub name_editable: bool,
}

/// One block (field) of a connection format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct FormatBlock {
    /// Unique within the format (together with the side ids).
    pub id: String,
    /// The block's title.
    pub label: LocalizedText,
    /// A short explanation or guiding question, shown with the block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<LocalizedText>,
    /// Text (the default) or actions.
    #[serde(default, skip_serializing_if = "BlockInput::is_text")]
    pub input: BlockInput,
}

/// What participants put in a block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum BlockInput {
    /// Free text and post-its.
    #[default]
    Text,
    /// A list of actions, each with a text, an owner and a date.
    Actions,
}

impl BlockInput {
    fn is_text(&self) -> bool {
        *self == BlockInput::Text
    }
}

/// The brainstorm carousel ("brainstormcarrousel"): in each round one owner gets input on one
/// opportunity or challenge, in timed stages. Several rounds, each with another owner, make the
/// carousel. The server's clock runs the stages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct BrainstormCarousel {
    /// Unique in the whole template (session data is stored under it).
    pub id: String,
    /// The activity's title.
    pub title: LocalizedText,
    /// Shown above the activity: what it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<LocalizedText>,
    /// The stages of one round, in order. At least one.
    pub stages: Vec<CarouselStage>,
    /// Follow-up blocks of the connection formats whose lines are offered as round topics
    /// (`carousel_topics`), e.g. `["kansen", "uitdagingen"]`. Empty: every text follow-up block.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics_from: Vec<String>,
}

impl BrainstormCarousel {
    /// Length of one round.
    pub fn round_minutes(&self) -> u32 {
        self.stages.iter().map(|stage| stage.minutes).sum()
    }
}

/// One timed stage of a carousel round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CarouselStage {
    /// Unique within the carousel.
    pub id: String,
    /// The stage's title.
    pub label: LocalizedText,
    /// What to do in it, shown on every screen.
    pub instruction: LocalizedText,
    /// Length of the stage, 1 to 120 minutes.
    pub minutes: u32,
    /// Who has the floor.
    pub who: StageRole,
}

/// Who acts in a carousel stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StageRole {
    /// The owner of the opportunity or challenge of this round.
    Owner,
    /// The others: colleagues and partners who think along ("meedenkers").
    Helpers,
    /// Owner and helpers together.
    Everyone,
}

/// A guided visualisation: one person (the "vragensteller") reads the questions slowly, with
/// silence after each; the others listen, then write down what they experienced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct GuidedVisualisation {
    /// Unique in the whole template (session data is stored under it).
    pub id: String,
    /// The activity's title.
    pub title: LocalizedText,
    /// Shown above the activity: what it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<LocalizedText>,
    /// Practical tips for the group, shown before it starts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tips: Vec<LocalizedText>,
    /// Read aloud in order. At least one.
    pub questions: Vec<LocalizedText>,
    /// Silence after each question: at least 15 seconds, so people have time to picture it.
    pub silence_seconds: u32,
}

/// A list or overview with columns, e.g. all programmes and activities, or an inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ListActivity {
    /// Unique in the whole template (session data is stored under it).
    pub id: String,
    /// The activity's title.
    pub title: LocalizedText,
    /// Shown above the activity: what it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<LocalizedText>,
    /// Each row of the list has one cell per column. At least one column.
    pub columns: Vec<Column>,
}

/// A column of a [`ListActivity`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// Unique within the list.
    pub id: String,
    /// The column's title.
    pub label: LocalizedText,
    /// A prompt that helps people fill in the cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<LocalizedText>,
    /// When not empty, the cell is a choice from these options instead of free text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<LocalizedText>,
}

/// A conversation guide: questions to pick from, ticked off as they are asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ConversationGuide {
    /// Unique in the whole template (session data is stored under it).
    pub id: String,
    /// The activity's title.
    pub title: LocalizedText,
    /// Shown above the activity: what it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<LocalizedText>,
    /// Things to keep in mind during the conversation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tips: Vec<LocalizedText>,
    /// At least one.
    pub questions: Vec<LocalizedText>,
}

/// A communication plan: a table with one row per group of colleagues.
///
/// The three columns are fixed, so exports and the engine know what each one means; the
/// template only chooses their labels and help texts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CommunicationPlan {
    /// Unique in the whole template (session data is stored under it).
    pub id: String,
    /// The activity's title.
    pub title: LocalizedText,
    /// Shown above the activity: what it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<LocalizedText>,
    /// Column 1: which sub-group of colleagues.
    pub audience: Heading,
    /// Column 2: which knowledge and insights matter to them.
    pub knowledge: Heading,
    /// Column 3: how and when you involve them.
    pub approach: Heading,
}

/// Label and help text of a fixed column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Heading {
    /// The column's title.
    pub label: LocalizedText,
    /// A short explanation, shown with the heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<LocalizedText>,
}

/// Free notes, shared by everyone in the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Notes {
    /// Unique in the whole template (session data is stored under it).
    pub id: String,
    /// The activity's title.
    pub title: LocalizedText,
    /// A prompt: what to write down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<LocalizedText>,
    /// Each person writes their own note (kept by the server, seen only by its writer, who
    /// may share it to the board) instead of one text shared by everyone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub personal: bool,
}
