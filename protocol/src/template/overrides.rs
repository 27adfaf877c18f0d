//! Per-session durations: a facilitator shortens or lengthens phases, carousel stages or the
//! visualisation's silence for one session, without editing the template.
//!
//! Overrides name things by id (not by position), so they survive a template edit that adds a
//! phase. The result is checked by the same validator as a parsed template: a zero-minute stage
//! is refused with the same path and message whether it came from a file or from an override.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::limits::MAX_OVERRIDES;
use super::{Activity, Problem, Template, TemplateError};

/// Duration changes for one session. Every field may be left out.
///
/// As JSON: `{"phases": {"verkenning": 40}, "stages": {"brainstormcarrousel": {"ideeen": 8}},
/// "silence_seconds": {"ido-over-5-jaar": 20}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DurationOverrides {
    /// Phase id → suggested duration in minutes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub phases: BTreeMap<String, u32>,
    /// Carousel activity id → stage id → minutes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stages: BTreeMap<String, BTreeMap<String, u32>>,
    /// Visualisation activity id → seconds of silence after each question.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub silence_seconds: BTreeMap<String, u32>,
}

impl DurationOverrides {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets phase `phase_id` to `minutes`.
    pub fn phase(mut self, phase_id: impl Into<String>, minutes: u32) -> Self {
        self.phases.insert(phase_id.into(), minutes);
        self
    }

    /// Sets stage `stage_id` of carousel `carousel_id` to `minutes`.
    pub fn stage(
        mut self,
        carousel_id: impl Into<String>,
        stage_id: impl Into<String>,
        minutes: u32,
    ) -> Self {
        self.stages
            .entry(carousel_id.into())
            .or_default()
            .insert(stage_id.into(), minutes);
        self
    }

    /// Sets the silence after each question of visualisation `visualisation_id`.
    pub fn silence(mut self, visualisation_id: impl Into<String>, seconds: u32) -> Self {
        self.silence_seconds
            .insert(visualisation_id.into(), seconds);
        self
    }

    /// Whether nothing is overridden.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of individual changes.
    pub fn len(&self) -> usize {
        self.phases.len()
            + self.stages.values().map(BTreeMap::len).sum::<usize>()
            + self.silence_seconds.len()
    }
}

impl Template {
    /// A copy of the template with the durations changed, validated like a parsed template.
    ///
    /// Unknown ids are errors (path `overrides.…`), so a typo is not silently ignored.
    pub fn with_durations(&self, overrides: &DurationOverrides) -> Result<Template, TemplateError> {
        let count = overrides.len();
        if count > MAX_OVERRIDES {
            return Err(TemplateError::Invalid(vec![Problem::new(
                "overrides",
                format!("has {count} entries; at most {MAX_OVERRIDES} are allowed"),
            )]));
        }
        let mut template = self.clone();
        let mut problems = Vec::new();

        for (phase_id, &minutes) in &overrides.phases {
            match template.phases.iter_mut().find(|p| &p.id == phase_id) {
                Some(phase) => phase.duration_minutes = minutes,
                None => problems.push(Problem::new(
                    format!("overrides.phases.{phase_id}"),
                    "there is no phase with this id",
                )),
            }
        }

        for (activity_id, stages) in &overrides.stages {
            let path = format!("overrides.stages.{activity_id}");
            match activity_mut(&mut template, activity_id) {
                Some(Activity::BrainstormCarousel(carousel)) => {
                    for (stage_id, &minutes) in stages {
                        match carousel.stages.iter_mut().find(|s| &s.id == stage_id) {
                            Some(stage) => stage.minutes = minutes,
                            None => problems.push(Problem::new(
                                format!("{path}.{stage_id}"),
                                "this carousel has no stage with this id",
                            )),
                        }
                    }
                }
                Some(other) => problems.push(Problem::new(
                    path,
                    format!("is a {}, not a brainstorm_carousel", other.kind()),
                )),
                None => problems.push(Problem::new(path, "there is no activity with this id")),
            }
        }

        for (activity_id, &seconds) in &overrides.silence_seconds {
            let path = format!("overrides.silence_seconds.{activity_id}");
            match activity_mut(&mut template, activity_id) {
                Some(Activity::GuidedVisualisation(visualisation)) => {
                    visualisation.silence_seconds = seconds;
                }
                Some(other) => problems.push(Problem::new(
                    path,
                    format!("is a {}, not a guided_visualisation", other.kind()),
                )),
                None => problems.push(Problem::new(path, "there is no activity with this id")),
            }
        }

        if !problems.is_empty() {
            return Err(TemplateError::Invalid(problems));
        }
        template.validate()?;
        Ok(template)
    }
}

fn activity_mut<'a>(template: &'a mut Template, id: &str) -> Option<&'a mut Activity> {
    template
        .phases
        .iter_mut()
        .flat_map(|phase| phase.activities.iter_mut())
        .find(|activity| activity.id() == id)
}
