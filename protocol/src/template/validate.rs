//! The rules a parsed template must follow, checked after serde has done the typing.
//!
//! Serde already rejects wrong types, missing fields and unknown fields (with a line and
//! column). What is left are rules serde cannot express: ids unique and well-formed, texts
//! present and bounded, numbers in range, lists neither empty nor huge. Every problem is
//! reported with its field path, and all of them are collected so the author sees them at once.

use std::collections::HashMap;

use super::limits::*;
use super::{
    Activity, Assignment, BrainstormCarousel, Column, CommunicationPlan, ConnectionFormat,
    ConversationGuide, FormatBlock, GuidedVisualisation, Language, ListActivity, LocalizedText,
    Phase, Problem, Template, TemplateError,
};

pub(super) fn validate(template: &Template) -> Result<(), TemplateError> {
    let mut v = Validator::new(template);
    v.template(template);
    if v.problems.is_empty() {
        Ok(())
    } else {
        Err(TemplateError::Invalid(v.problems))
    }
}

struct Validator {
    problems: Vec<Problem>,
    /// English must be present everywhere when the template says it is translated.
    english_required: bool,
    /// Activity ids seen so far, with the path of their first use.
    activity_ids: HashMap<String, String>,
}

#[derive(Clone, Copy)]
enum Size {
    Short,
    Long,
}

impl Validator {
    fn new(template: &Template) -> Self {
        Self {
            problems: Vec::new(),
            english_required: template.languages.contains(&Language::En),
            activity_ids: HashMap::new(),
        }
    }

    fn problem(&mut self, path: impl Into<String>, message: impl Into<String>) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Problem::new(path, message));
        }
    }

    fn template(&mut self, t: &Template) {
        self.id("id", &t.id);
        if t.version == 0 {
            self.problem("version", "must be 1 or higher");
        }
        self.text("title", &t.title, Size::Short);
        if !t.languages.contains(&Language::Nl) {
            self.problem("languages", "must contain \"nl\": Dutch is required");
        }
        for (i, language) in t.languages.iter().enumerate() {
            if t.languages[..i].contains(language) {
                self.problem(format!("languages[{i}]"), "is listed twice");
            }
        }

        if t.phases.is_empty() {
            self.problem("phases", "a template needs at least one phase");
        }
        if !self.count("phases", t.phases.len(), MAX_PHASES) {
            // Do not walk thousands of phases just to report more of the same.
            return;
        }
        let total: usize = t.phases.iter().map(|p| p.activities.len()).sum();
        if total > MAX_ACTIVITIES {
            self.problem(
                "phases",
                format!("{total} activities in all; at most {MAX_ACTIVITIES} are allowed"),
            );
        }

        let mut phase_ids = HashMap::new();
        for (i, phase) in t.phases.iter().enumerate() {
            let path = format!("phases[{i}]");
            self.unique(&mut phase_ids, &path, &phase.id);
            self.phase(&path, phase);
        }
    }

    fn phase(&mut self, path: &str, p: &Phase) {
        self.id(&format!("{path}.id"), &p.id);
        self.text(&format!("{path}.title"), &p.title, Size::Short);
        self.text(&format!("{path}.text"), &p.text, Size::Long);
        self.text(&format!("{path}.result"), &p.result, Size::Long);
        self.range(
            &format!("{path}.duration_minutes"),
            p.duration_minutes,
            1,
            MAX_PHASE_MINUTES,
        );
        let assignments = format!("{path}.assignments");
        if self.count(&assignments, p.assignments.len(), MAX_ASSIGNMENTS_PER_PHASE) {
            for (i, Assignment { title, instruction }) in p.assignments.iter().enumerate() {
                self.text(&format!("{assignments}[{i}].title"), title, Size::Short);
                self.text(
                    &format!("{assignments}[{i}].instruction"),
                    instruction,
                    Size::Long,
                );
            }
        }
        let activities = format!("{path}.activities");
        if self.count(&activities, p.activities.len(), MAX_ACTIVITIES_PER_PHASE) {
            for (i, activity) in p.activities.iter().enumerate() {
                self.activity(&format!("{activities}[{i}]"), activity);
            }
        }
    }

    fn activity(&mut self, path: &str, a: &Activity) {
        let id_path = format!("{path}.id");
        self.id(&id_path, a.id());
        if let Some(first) = self.activity_ids.get(a.id()) {
            let message = format!("\"{}\" is already used by {first}", truncate(a.id()));
            self.problem(&id_path, message);
        } else {
            self.activity_ids.insert(a.id().to_owned(), path.to_owned());
        }
        self.text(&format!("{path}.title"), a.title(), Size::Short);
        self.optional(&format!("{path}.intro"), a.intro(), Size::Long);

        match a {
            Activity::ConnectionFormat(f) => self.connection_format(path, f),
            Activity::BrainstormCarousel(c) => self.carousel(path, c),
            Activity::GuidedVisualisation(g) => self.visualisation(path, g),
            Activity::List(l) => self.list(path, l),
            Activity::ConversationGuide(g) => self.guide(path, g),
            Activity::CommunicationPlan(c) => self.plan(path, c),
            Activity::Notes(_) => {}
        }
    }

    fn connection_format(&mut self, path: &str, f: &ConnectionFormat) {
        // Side ids and block ids share one namespace: they name the fields the session stores.
        let mut ids: HashMap<&str, String> = HashMap::new();
        let sides = format!("{path}.sides");
        if f.sides.len() != 2 {
            self.problem(
                &sides,
                format!("needs exactly 2 programmes, found {}", f.sides.len()),
            );
        }
        if self.count(&sides, f.sides.len(), 2) {
            for (i, side) in f.sides.iter().enumerate() {
                let side_path = format!("{sides}[{i}]");
                self.unique_id(&mut ids, &side_path, &side.id);
                self.text(&format!("{side_path}.label"), &side.label, Size::Short);
                self.optional(&format!("{side_path}.help"), side.help.as_ref(), Size::Long);
            }
        }
        let groups: [(&str, &[FormatBlock], usize); 3] = [
            ("side_blocks", &f.side_blocks, 1),
            ("connections", &f.connections, 0),
            ("follow_up", &f.follow_up, 0),
        ];
        for (name, blocks, min) in groups {
            let group = format!("{path}.{name}");
            if blocks.len() < min {
                self.problem(&group, "needs at least one block");
            }
            if !self.count(&group, blocks.len(), MAX_BLOCKS) {
                continue;
            }
            for (i, block) in blocks.iter().enumerate() {
                let block_path = format!("{group}[{i}]");
                self.unique_id(&mut ids, &block_path, &block.id);
                self.text(&format!("{block_path}.label"), &block.label, Size::Short);
                self.optional(
                    &format!("{block_path}.help"),
                    block.help.as_ref(),
                    Size::Long,
                );
            }
        }
    }

    fn carousel(&mut self, path: &str, c: &BrainstormCarousel) {
        let stages = format!("{path}.stages");
        if c.stages.is_empty() {
            self.problem(&stages, "a carousel needs at least one stage");
        }
        if !self.count(&stages, c.stages.len(), MAX_STAGES) {
            return;
        }
        let mut ids = HashMap::new();
        for (i, stage) in c.stages.iter().enumerate() {
            let stage_path = format!("{stages}[{i}]");
            self.unique_id(&mut ids, &stage_path, &stage.id);
            self.text(&format!("{stage_path}.label"), &stage.label, Size::Short);
            self.text(
                &format!("{stage_path}.instruction"),
                &stage.instruction,
                Size::Long,
            );
            self.range(
                &format!("{stage_path}.minutes"),
                stage.minutes,
                1,
                MAX_STAGE_MINUTES,
            );
        }
    }

    fn visualisation(&mut self, path: &str, g: &GuidedVisualisation) {
        self.texts(&format!("{path}.tips"), &g.tips, 0, MAX_TIPS);
        self.texts(&format!("{path}.questions"), &g.questions, 1, MAX_QUESTIONS);
        self.range(
            &format!("{path}.silence_seconds"),
            g.silence_seconds,
            MIN_SILENCE_SECONDS,
            MAX_SILENCE_SECONDS,
        );
    }

    fn list(&mut self, path: &str, l: &ListActivity) {
        let columns = format!("{path}.columns");
        if l.columns.is_empty() {
            self.problem(&columns, "a list needs at least one column");
        }
        if !self.count(&columns, l.columns.len(), MAX_COLUMNS) {
            return;
        }
        let mut ids = HashMap::new();
        for (
            i,
            Column {
                id,
                label,
                help,
                options,
            },
        ) in l.columns.iter().enumerate()
        {
            let column = format!("{columns}[{i}]");
            self.unique_id(&mut ids, &column, id);
            self.text(&format!("{column}.label"), label, Size::Short);
            self.optional(&format!("{column}.help"), help.as_ref(), Size::Long);
            if self.count(&format!("{column}.options"), options.len(), MAX_OPTIONS) {
                for (j, option) in options.iter().enumerate() {
                    self.text(&format!("{column}.options[{j}]"), option, Size::Short);
                }
            }
        }
    }

    fn guide(&mut self, path: &str, g: &ConversationGuide) {
        self.texts(&format!("{path}.tips"), &g.tips, 0, MAX_TIPS);
        self.texts(&format!("{path}.questions"), &g.questions, 1, MAX_QUESTIONS);
    }

    fn plan(&mut self, path: &str, c: &CommunicationPlan) {
        for (name, heading) in [
            ("audience", &c.audience),
            ("knowledge", &c.knowledge),
            ("approach", &c.approach),
        ] {
            self.text(&format!("{path}.{name}.label"), &heading.label, Size::Short);
            self.optional(
                &format!("{path}.{name}.help"),
                heading.help.as_ref(),
                Size::Long,
            );
        }
    }

    // --- building blocks ---

    /// Reports a list that is too long; returns whether it is short enough to look inside.
    fn count(&mut self, path: &str, len: usize, max: usize) -> bool {
        if len > max {
            self.problem(
                path,
                format!("has {len} entries; at most {max} are allowed"),
            );
            false
        } else {
            true
        }
    }

    fn range(&mut self, path: &str, value: u32, min: u32, max: u32) {
        if !(min..=max).contains(&value) {
            self.problem(
                path,
                format!("must be between {min} and {max} (found {value})"),
            );
        }
    }

    /// Ids become keys in stored session data and in URLs: keep them plain ASCII.
    fn id(&mut self, path: &str, id: &str) {
        let well_formed = id.len() <= MAX_ID_LEN
            && id.starts_with(|c: char| c.is_ascii_lowercase())
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !well_formed {
            self.problem(
                path,
                format!(
                    "\"{}\" is not a valid id: use 1 to {MAX_ID_LEN} lowercase letters, digits, \
                     '-' or '_', starting with a letter",
                    truncate(id)
                ),
            );
        }
    }

    /// Checks an id within one scope (stages of a carousel, blocks of a format, ...).
    fn unique_id<'a>(&mut self, seen: &mut HashMap<&'a str, String>, path: &str, id: &'a str) {
        self.id(&format!("{path}.id"), id);
        self.unique(seen, path, id);
    }

    /// Reports `path.id` when `id` is already in `seen`, naming the first user; the first use
    /// stays recorded so every later duplicate points at the same original.
    fn unique<'a>(&mut self, seen: &mut HashMap<&'a str, String>, path: &str, id: &'a str) {
        if let Some(first) = seen.get(id) {
            let message = format!("\"{}\" is already used by {first}", truncate(id));
            self.problem(format!("{path}.id"), message);
        } else {
            seen.insert(id, path.to_owned());
        }
    }

    fn texts(&mut self, path: &str, texts: &[LocalizedText], min: usize, max: usize) {
        if texts.len() < min {
            self.problem(path, format!("needs at least {min} entries"));
        }
        if self.count(path, texts.len(), max) {
            for (i, text) in texts.iter().enumerate() {
                self.text(&format!("{path}[{i}]"), text, Size::Long);
            }
        }
    }

    fn optional(&mut self, path: &str, text: Option<&LocalizedText>, size: Size) {
        if let Some(text) = text {
            self.text(path, text, size);
        }
    }

    fn text(&mut self, path: &str, text: &LocalizedText, size: Size) {
        self.one_text(&format!("{path}.nl"), &text.nl, size);
        match &text.en {
            Some(en) if self.english_required || !en.is_empty() => {
                self.one_text(&format!("{path}.en"), en, size);
            }
            None if self.english_required => self.problem(
                format!("{path}.en"),
                "English text is missing (the template lists \"en\" in languages)",
            ),
            _ => {}
        }
    }

    fn one_text(&mut self, path: &str, text: &str, size: Size) {
        if text.trim().is_empty() {
            self.problem(path, "must not be empty");
            return;
        }
        let (max, multiline) = match size {
            Size::Short => (MAX_SHORT_TEXT_CHARS, false),
            Size::Long => (MAX_LONG_TEXT_CHARS, true),
        };
        let chars = text.chars().count();
        if chars > max {
            self.problem(
                path,
                format!("is {chars} characters long; at most {max} are allowed"),
            );
        }
        // Control characters can hide text or break a screen reader; line breaks are only
        // meaningful in longer texts.
        let bad = text
            .chars()
            .find(|&c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')));
        if let Some(c) = bad {
            let what = if matches!(c, '\n' | '\r') {
                "must be a single line".to_owned()
            } else {
                format!("contains a control character (U+{:04X})", c as u32)
            };
            self.problem(path, what);
        }
    }
}

/// Keeps error messages short when an id is absurdly long.
fn truncate(text: &str) -> String {
    const SHOWN: usize = 40;
    if text.chars().count() <= SHOWN {
        text.to_owned()
    } else {
        format!("{}...", text.chars().take(SHOWN).collect::<String>())
    }
}
