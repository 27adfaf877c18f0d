//! Results ("opbrengsten") out of a session: everything filled in, as one [`Results`] value,
//! rendered to JSON, Markdown or a print-ready HTML page.
//!
//! Collected by the session task (the only reader of its document and state), rendered by the
//! HTTP handler: rendering is pure and needs no access to the session.

mod collect;
mod html;
mod markdown;

pub use collect::collect;
pub use html::render_html;
pub use markdown::render_markdown;

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub title: String,
    pub workshop: String,
    pub exported_at: String,
    pub current_phase: String,
    pub participants: Vec<String>,
    pub phases: Vec<PhaseResult>,
    pub formats: Vec<FormatResult>,
    pub lists: Vec<ListResult>,
    /// The post-its of each phase outside the carousel, in workshop order (phases without
    /// post-its are left out). A carousel round's post-its are in its entry in `carousel`.
    pub boards: Vec<BoardResult>,
    pub carousel: Vec<RoundResult>,
    /// Every action: from the formats and from each carousel round's next step.
    pub actions: Vec<ActionResult>,
    pub conversation_guides: Vec<GuideResult>,
    pub communication_plans: Vec<TableResult>,
    pub notes: Vec<NoteResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhaseResult {
    pub title: String,
    pub result: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Block {
    pub label: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SideResult {
    pub label: String,
    pub name: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FormatResult {
    pub title: String,
    pub sides: Vec<SideResult>,
    pub connections: Vec<Block>,
    pub follow_up: Vec<Block>,
    pub actions: Vec<ActionResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionResult {
    pub text: String,
    pub owner: String,
    pub date: String,
    /// Where it comes from (a format's title or a carousel round's topic).
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableResult {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

pub type ListResult = TableResult;

#[derive(Debug, Clone, Serialize)]
pub struct IdeaResult {
    pub text: String,
    pub author: String,
    pub votes: u32,
    pub hidden: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupResult {
    pub label: String,
    pub ideas: Vec<IdeaResult>,
}

/// One board's post-its, most votes first.
#[derive(Debug, Clone, Serialize, Default)]
pub struct BoardResult {
    /// The phase's title (a round's board is inside its round and has none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
    pub groups: Vec<GroupResult>,
    pub ungrouped: Vec<IdeaResult>,
}

impl BoardResult {
    pub fn is_empty(&self) -> bool {
        self.ungrouped.is_empty() && self.groups.iter().all(|g| g.ideas.is_empty())
    }
}

/// One carousel round with everything in it: topic, owner, its own post-its, next step.
#[derive(Debug, Clone, Serialize)]
pub struct RoundResult {
    pub topic: String,
    pub owner: String,
    pub board: BoardResult,
    pub next_step: Option<ActionResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GuideItem {
    pub question: String,
    pub checked: bool,
    pub notes: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct GuideResult {
    pub title: String,
    pub items: Vec<GuideItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoteResult {
    pub title: String,
    pub text: String,
}

impl GuideResult {
    /// The questions someone ticked or wrote about: what the documents show (JSON keeps all).
    pub fn answered(&self) -> impl Iterator<Item = &GuideItem> {
        self.items
            .iter()
            .filter(|i| i.checked || !i.notes.trim().is_empty())
    }
}

impl Results {
    /// The notes with text in them: what the documents show (JSON keeps all).
    pub fn written_notes(&self) -> impl Iterator<Item = &NoteResult> {
        self.notes.iter().filter(|n| !n.text.trim().is_empty())
    }
}
