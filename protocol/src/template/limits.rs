//! Upper bounds for templates.
//!
//! A template may come from anyone with facilitator rights, so it is untrusted input. These
//! bounds keep one template from filling memory or a screen, and are far above what a real
//! workshop needs (the built-in one uses about a tenth of each).

/// Size of the TOML or JSON text, checked before parsing.
pub const MAX_TEMPLATE_BYTES: usize = 256 * 1024;
/// Phases in a template.
pub const MAX_PHASES: usize = 20;
/// Assignments in one phase.
pub const MAX_ASSIGNMENTS_PER_PHASE: usize = 12;
/// Activities in one phase.
pub const MAX_ACTIVITIES_PER_PHASE: usize = 10;
/// Activities in the whole template.
pub const MAX_ACTIVITIES: usize = 60;
/// Questions of one visualisation or conversation guide.
pub const MAX_QUESTIONS: usize = 40;
/// Tips of one visualisation or conversation guide.
pub const MAX_TIPS: usize = 12;
/// Stages of one carousel round.
pub const MAX_STAGES: usize = 12;
/// Blocks in one group (green, blue or page 2) of a connection format.
pub const MAX_BLOCKS: usize = 12;
/// Columns of one list.
pub const MAX_COLUMNS: usize = 8;
/// Options of one choice column.
pub const MAX_OPTIONS: usize = 20;
/// Length of an id, in bytes (ids are ASCII).
pub const MAX_ID_LEN: usize = 48;
/// Titles and labels: must fit a button or a heading on a small phone.
pub const MAX_SHORT_TEXT_CHARS: usize = 160;
/// Introductions, instructions, questions and help texts.
pub const MAX_LONG_TEXT_CHARS: usize = 1200;
/// Suggested duration of a phase: a working day.
pub const MAX_PHASE_MINUTES: u32 = 480;
/// One carousel stage.
pub const MAX_STAGE_MINUTES: u32 = 120;
/// The method asks for at least 15 seconds of silence after each visualisation question.
pub const MIN_SILENCE_SECONDS: u32 = 15;
/// At most five minutes of silence after a question.
pub const MAX_SILENCE_SECONDS: u32 = 300;
/// Entries in one [`DurationOverrides`](super::DurationOverrides).
pub const MAX_OVERRIDES: usize = 200;
/// Problems reported for one template; after this many, the author has enough to fix.
pub const MAX_PROBLEMS: usize = 50;
