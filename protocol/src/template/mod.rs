//! Workshop templates: the content of a workshop as editable data.
//!
//! A template says which phases a session goes through and what happens in each: the texts
//! people read, the assignments, the expected result ("opbrengst"), a suggested duration and the
//! activities (a connection format, a timed brainstorm carousel, a guided visualisation, ...).
//! The engine knows the activity *kinds*; the template holds every word and number, so a
//! facilitator can change questions, durations and phases, or run another workshop, without a
//! new release.
//!
//! Templates are written by hand in TOML (or sent as JSON) and are untrusted input: they are
//! size-checked before parsing, parsed strictly (unknown fields are errors, so typos are caught)
//! and then validated; see [`parse_template_toml`], [`parse_template_json`] and [`limits`].
//! `protocol/templates/README.md` describes the format for authors.
//!
//! # Shape
//!
//! ```
//! use werkplaats_protocol::template::parse_template_toml;
//!
//! let template = parse_template_toml(r#"
//! id = "mijn-workshop"          # lowercase letters, digits, '-' and '_'
//! version = 1                   # raise it when you change the template
//! title = { nl = "Mijn workshop", en = "My workshop" }
//! languages = ["nl", "en"]      # "nl" is required; every listed language must be complete
//!
//! [[phases]]
//! id = "start"
//! title = { nl = "Beginnen", en = "Getting started" }
//! text = { nl = "Je maakt kennis.", en = "You get to know each other." }
//! result = { nl = "Een lijst met namen.", en = "A list of names." }
//! duration_minutes = 20
//!
//! [[phases.assignments]]
//! title = { nl = "Stel je voor", en = "Introduce yourself" }
//! instruction = { nl = "Vertel wie je bent.", en = "Say who you are." }
//!
//! [[phases.activities]]
//! kind = "notes"
//! id = "namen"
//! title = { nl = "Wie is er?", en = "Who is here?" }
//! "#).unwrap();
//! assert_eq!(template.phases[0].activities[0].kind(), "notes");
//! ```
//!
//! The built-in workshop is [`builtin_probiblio`].

mod activity;
mod error;
pub mod limits;
mod overrides;
mod validate;

#[cfg(test)]
mod tests;

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

pub use activity::{
    Activity, BlockInput, BrainstormCarousel, CarouselStage, Column, CommunicationPlan,
    ConnectionFormat, ConversationGuide, FormatBlock, FormatSide, GuidedVisualisation, Heading,
    ListActivity, Notes, StageRole,
};
pub use error::{Problem, TemplateError};
pub use overrides::DurationOverrides;

/// A text in every language of the template. Dutch is required; English is the second language.
///
/// In TOML: `{ nl = "Welkom", en = "Welcome" }`. When the template lists `"en"` in
/// [`Template::languages`], every text must have an English version too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct LocalizedText {
    /// Dutch, B1 level: short sentences, common words. Never empty.
    pub nl: String,
    /// English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl LocalizedText {
    /// A text in Dutch and English.
    pub fn new(nl: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            nl: nl.into(),
            en: Some(en.into()),
        }
    }

    /// A Dutch-only text.
    pub fn nl(nl: impl Into<String>) -> Self {
        Self {
            nl: nl.into(),
            en: None,
        }
    }

    /// The text in `language`, falling back to Dutch when there is no translation.
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::Nl => &self.nl,
            Language::En => self.en.as_deref().unwrap_or(&self.nl),
        }
    }
}

/// A language a template can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Dutch.
    Nl,
    /// English.
    En,
}

/// A whole workshop: its phases, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Stable name of the workshop, e.g. `probiblio-digitale-inclusie`. Sessions refer to it.
    pub id: String,
    /// Revision of this template, from 1. Raise it on every change, so a session can say which
    /// version it ran.
    pub version: u32,
    /// The workshop's name, as people see it.
    pub title: LocalizedText,
    /// The languages every text is written in. Must contain `nl`.
    pub languages: Vec<Language>,
    /// The route, in order. At least one.
    pub phases: Vec<Phase>,
}

/// One step of the route. The facilitator moves the session from phase to phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Stable id, unique in the template. Session data is stored under it, so do not rename it
    /// once sessions have used the template.
    pub id: String,
    /// The phase's title.
    pub title: LocalizedText,
    /// A short introduction: what this phase is about.
    pub text: LocalizedText,
    /// What the participants do, in order.
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    /// The result of the phase ("opbrengst").
    pub result: LocalizedText,
    /// Suggested length of the phase. A hint for planning; the facilitator decides.
    pub duration_minutes: u32,
    /// The shared work areas of the phase.
    #[serde(default)]
    pub activities: Vec<Activity>,
}

/// A task within a phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The assignment's title.
    pub title: LocalizedText,
    /// What to do, step by step.
    pub instruction: LocalizedText,
}

impl Template {
    /// Checks every rule of the format. The parse functions call this; call it yourself on a
    /// template built or changed in code.
    pub fn validate(&self) -> Result<(), TemplateError> {
        validate::validate(self)
    }

    /// The phase with this id.
    pub fn phase(&self, id: &str) -> Option<&Phase> {
        self.phases.iter().find(|phase| phase.id == id)
    }

    /// The activity with this id, wherever it is, with its phase.
    pub fn activity(&self, id: &str) -> Option<(&Phase, &Activity)> {
        self.phases.iter().find_map(|phase| {
            phase
                .activities
                .iter()
                .find(|activity| activity.id() == id)
                .map(|activity| (phase, activity))
        })
    }

    /// All activities, in route order.
    pub fn activities(&self) -> impl Iterator<Item = &Activity> {
        self.phases.iter().flat_map(|phase| phase.activities.iter())
    }

    /// Sum of the suggested phase durations.
    pub fn total_minutes(&self) -> u32 {
        self.phases.iter().map(|phase| phase.duration_minutes).sum()
    }

    /// The template as TOML, e.g. for a facilitator to download, edit and upload again.
    pub fn to_toml_string(&self) -> Result<String, TemplateError> {
        toml::to_string(self).map_err(|err| TemplateError::Serialize(err.to_string()))
    }

    /// The template as pretty-printed JSON.
    pub fn to_json_string(&self) -> String {
        // Only strings, integers, sequences and structs with string keys: cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Reads and validates a template written in TOML.
pub fn parse_template_toml(text: &str) -> Result<Template, TemplateError> {
    check_size(text)?;
    let template: Template =
        toml::from_str(text).map_err(|err| TemplateError::from_toml(text, &err))?;
    template.validate()?;
    Ok(template)
}

/// Reads and validates a template sent as JSON (same fields as the TOML form).
pub fn parse_template_json(text: &str) -> Result<Template, TemplateError> {
    check_size(text)?;
    let template: Template =
        serde_json::from_str(text).map_err(|err| TemplateError::from_json(&err))?;
    template.validate()?;
    Ok(template)
}

fn check_size(text: &str) -> Result<(), TemplateError> {
    if text.len() > limits::MAX_TEMPLATE_BYTES {
        return Err(TemplateError::TooLarge {
            size: text.len(),
            limit: limits::MAX_TEMPLATE_BYTES,
        });
    }
    Ok(())
}

/// Source of the built-in workshop: the route of the Probiblio workbook "Digitale inclusie en de
/// maatschappelijk-educatieve bibliotheek" (June 2022), with texts of our own.
pub const PROBIBLIO_TOML: &str = include_str!("../../templates/probiblio.toml");

/// Id of the built-in workshop.
pub const PROBIBLIO_ID: &str = "probiblio-digitale-inclusie";

/// The built-in workshop, parsed and validated once.
pub fn builtin_probiblio() -> Template {
    static PARSED: OnceLock<Template> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            // The tests parse this exact text, so a broken file fails CI, not a session.
            parse_template_toml(PROBIBLIO_TOML).expect("built-in template is valid")
        })
        .clone()
}

/// A built-in template by id.
pub fn builtin(id: &str) -> Option<Template> {
    (id == PROBIBLIO_ID).then(builtin_probiblio)
}
