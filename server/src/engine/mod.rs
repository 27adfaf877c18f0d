//! The workshop engine: phases, settings, the board, the carousel and the visualisation, as a
//! pure state machine.
//!
//! No IO and no clock of its own: the session task passes the time in and carries out what a
//! command changed (events to clients, saving). That keeps every rule testable with plain
//! numbers, and keeps the one owner of a session's state the session task.

pub mod board;
pub mod carousel;
pub mod clock;
pub mod ready;
pub mod visualisation;

use serde::{Deserialize, Serialize};
use std::sync::Arc;
use thiserror::Error;
use werkplaats_protocol::control::{Command, ErrorCode, Role};

use werkplaats_protocol::template::{Activity, Template};
use werkplaats_protocol::workshop::{NextStep, PhaseView, Settings};

pub use board::BoardLimits;
use board::{Board, Stamp, clean_text};
use carousel::Carousel;
use ready::{Ready, ReadyLimits};
use visualisation::Visualisation;

/// Why a command was refused. Messages are for the facilitator's screen and the log.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CommandError {
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    BadRequest(&'static str),
    #[error("{0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(&'static str),
    #[error("{0}")]
    RateLimited(&'static str),
}

impl CommandError {
    pub fn code(&self) -> ErrorCode {
        match self {
            CommandError::Forbidden(_) => ErrorCode::Forbidden,
            CommandError::BadRequest(_) => ErrorCode::BadRequest,
            CommandError::NotFound(_) => ErrorCode::NotFound,
            CommandError::Conflict(_) => ErrorCode::Conflict,
            CommandError::RateLimited(_) => ErrorCode::RateLimited,
        }
    }
}

/// Who sent a command.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub participant_id: &'a str,
    pub name: &'a str,
    pub role: Role,
    /// Recognises the actor's anonymous post-its (`ids::author_key`).
    pub author_key: &'a [u8; 32],
}

impl Actor<'_> {
    pub fn writer(&self) -> board::Writer<'_> {
        board::Writer {
            participant_id: self.participant_id,
            author_key: self.author_key,
        }
    }
}

/// What a command or a tick changed, so the session task sends exactly those parts.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Changes {
    pub phase: bool,
    pub settings: bool,
    pub carousel: bool,
    pub visualisation: bool,
    /// The current board (where new post-its go) changed.
    pub board: bool,
    pub groups: bool,
    /// Post-its added or changed.
    pub ideas: Vec<String>,
    /// Post-its deleted.
    pub removed: Vec<String>,
    /// This participant's own votes changed.
    pub votes_of: Option<String>,
    /// This participant's personal note for this activity changed.
    pub note_of: Option<(String, String)>,
    /// Who said "klaar" changed (someone toggled, or the moment moved on and it emptied).
    pub ready: bool,
}

impl Changes {
    pub fn any(&self) -> bool {
        *self != Changes::default()
    }
}

/// Everything of the engine that is stored.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EngineState {
    pub phase: usize,
    pub settings: Settings,
    pub board: Board,
    pub carousel: Option<Carousel>,
    pub visualisation: Option<Visualisation>,
    /// The last visualisation's `seq`, so a restarted one continues above it and clients never
    /// take it for an older view.
    #[serde(default)]
    pub visualisation_seq: u64,
    /// Personal notes: participant id → activity id → text. Seen only by their writer.
    #[serde(default)]
    pub personal_notes:
        std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    /// Who said "klaar" for the current stage or assignment.
    #[serde(default)]
    pub ready: Ready,
}

pub struct Engine {
    pub state: EngineState,
    pub template: Arc<Template>,
    /// Length of one template minute; 60,000 except in demos and tests.
    pub minute_ms: f64,
    pub board_limits: BoardLimits,
    /// Most rounds a carousel may have (`--max-carousel-rounds`).
    pub max_rounds: usize,
    /// How often one participant may toggle "klaar".
    pub ready_limits: ReadyLimits,
}

/// Longest carousel topic and next step, in characters.
const MAX_TOPIC_CHARS: usize = 200;
/// Longest personal note, in characters: a page of writing.
pub const MAX_NOTE_CHARS: usize = 5_000;

impl Engine {
    pub fn new(template: Arc<Template>, state: EngineState, minute_ms: f64) -> Self {
        Self {
            state,
            template,
            minute_ms,
            board_limits: BoardLimits::default(),
            max_rounds: carousel::MAX_ROUNDS,
            ready_limits: ReadyLimits::default(),
        }
    }

    pub fn with_ready_limits(mut self, limits: ReadyLimits) -> Self {
        self.ready_limits = limits;
        self
    }

    pub fn with_board_limits(mut self, limits: BoardLimits) -> Self {
        self.board_limits = limits;
        self
    }

    pub fn with_max_rounds(mut self, max_rounds: usize) -> Self {
        self.max_rounds = max_rounds;
        self
    }

    pub fn phase_view(&self) -> PhaseView {
        let index = self
            .state
            .phase
            .min(self.template.phases.len().saturating_sub(1));
        PhaseView {
            index,
            phase_id: self.template.phases[index].id.clone(),
            count: self.template.phases.len(),
        }
    }

    /// The board new post-its go to and participants see: the carousel's current round while
    /// the session is in the carousel's phase, else the phase's own board.
    pub fn current_board(&self) -> String {
        let phase = &self.template.phases[self.phase_view().index];
        let round = self.current_round_here();
        werkplaats_protocol::workshop::board_of(&phase.id, round)
    }

    /// The moment "klaar" belongs to: the phase, and in the carousel's phase the round and its
    /// stage. Pausing or adding time is the same moment; another stage is not.
    pub fn ready_context(&self) -> String {
        let phase = self.phase_view().phase_id;
        match (self.current_round_here(), &self.state.carousel) {
            // A round whose last stage ended is a moment of its own (the owner's next step).
            (Some(round), Some(carousel)) if carousel.clock == clock::Countdown::Done => {
                format!("{phase}/{round}/done")
            }
            (Some(round), Some(carousel)) => format!("{phase}/{round}/{}", carousel.stage),
            _ => phase,
        }
    }

    /// The carousel's current round, if the session is in the carousel's phase.
    fn current_round_here(&self) -> Option<&str> {
        let phase = &self.template.phases[self.phase_view().index];
        let carousel = self.state.carousel.as_ref()?;
        if !phase
            .activities
            .iter()
            .any(|a| a.id() == carousel.activity_id)
        {
            return None;
        }
        carousel.current_round().map(|r| r.id.as_str())
    }

    /// The earliest moment something happens by itself (a stage or a silence ends).
    pub fn next_deadline(&self) -> Option<f64> {
        let carousel = self
            .state
            .carousel
            .as_ref()
            .and_then(Carousel::next_deadline);
        let silence = self
            .state
            .visualisation
            .as_ref()
            .and_then(Visualisation::next_deadline);
        match (carousel, silence) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Advances every clock whose deadline has passed.
    pub fn tick(&mut self, now: f64) -> Changes {
        let auto = self.state.settings.auto_next_round;
        let board_before = self.current_board();
        let mut changes = Changes {
            carousel: self
                .state
                .carousel
                .as_mut()
                .is_some_and(|c| c.tick(now, auto)),
            visualisation: self
                .state
                .visualisation
                .as_mut()
                .is_some_and(|v| v.tick(now)),
            ..Changes::default()
        };
        changes.board = self.current_board() != board_before;
        changes.ready = self.state.ready.follow(self.ready_context());
        changes
    }

    /// Carries out a command, or refuses it and changes nothing. `new_id` draws fresh ids;
    /// `name_of` says who a participant id is (`None`: nobody in this session).
    pub fn apply(
        &mut self,
        actor: Actor<'_>,
        command: &Command,
        now: f64,
        new_id: &mut dyn FnMut() -> String,
        name_of: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Changes, CommandError> {
        let board_before = self.current_board();
        let mut changes = self.apply_inner(actor, command, now, new_id, name_of)?;
        changes.board = self.current_board() != board_before;
        changes.ready |= self.state.ready.follow(self.ready_context());
        Ok(changes)
    }

    fn apply_inner(
        &mut self,
        actor: Actor<'_>,
        command: &Command,
        now: f64,
        new_id: &mut dyn FnMut() -> String,
        name_of: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Changes, CommandError> {
        let steering = actor.role.steers();
        let require_steering = || {
            if steering {
                Ok(())
            } else {
                Err(CommandError::Forbidden("only the facilitator can do this"))
            }
        };
        let require_editing = || {
            if actor.role.may_edit_document() {
                Ok(())
            } else {
                Err(CommandError::Forbidden("this screen is read-only"))
            }
        };
        let mut changes = Changes::default();
        match command {
            Command::Hello { .. }
            | Command::Ping { .. }
            | Command::AddCoFacilitator { .. }
            | Command::RemoveParticipant { .. }
            | Command::SetJoinLocked { .. }
            | Command::RotateJoinCode
            | Command::AddFormat { .. }
            | Command::RemoveFormat { .. }
            | Command::CarouselTopics { .. } => {
                return Err(CommandError::BadRequest("not an engine command"));
            }
            Command::PhaseNext | Command::PhasePrevious | Command::PhaseGoto { .. } => {
                require_steering()?;
                let last = self.template.phases.len() - 1;
                let target = match command {
                    Command::PhaseNext if self.state.phase < last => self.state.phase + 1,
                    Command::PhasePrevious if self.state.phase > 0 => self.state.phase - 1,
                    Command::PhaseGoto { index } if *index <= last => *index,
                    Command::PhaseGoto { .. } => {
                        return Err(CommandError::NotFound("no such phase"));
                    }
                    _ => {
                        return Err(CommandError::Conflict(
                            "there is no phase in that direction",
                        ));
                    }
                };
                // The visualisation belongs to its phase: left running, the projector and
                // the asker's screen kept showing it in every later phase.
                if target != self.state.phase {
                    if let Some(stopped) = self.state.visualisation.take() {
                        self.state.visualisation_seq = stopped.seq;
                        changes.visualisation = true;
                    }
                }
                self.state.phase = target;
                changes.phase = true;
            }
            Command::SetSettings {
                anonymous_posting,
                votes_per_participant,
                auto_next_round,
            } => {
                require_steering()?;
                if votes_per_participant.is_some_and(|v| v > 100) {
                    return Err(CommandError::BadRequest("at most 100 votes each"));
                }
                let settings = &mut self.state.settings;
                settings.anonymous_posting =
                    anonymous_posting.unwrap_or(settings.anonymous_posting);
                settings.votes_per_participant =
                    votes_per_participant.unwrap_or(settings.votes_per_participant);
                settings.auto_next_round = auto_next_round.unwrap_or(settings.auto_next_round);
                changes.settings = true;
            }
            Command::PostIdea { text, client_ref } => {
                require_editing()?;
                // A round's post-its are those posted while it runs in the carousel's phase;
                // after a move to another phase they go to that phase's board.
                let round_id = self.current_round_here().map(str::to_owned);
                let stage_id = round_id
                    .as_ref()
                    .and_then(|_| self.state.carousel.as_ref()?.current_stage())
                    .map(|s| s.id.clone());
                let id = new_id();
                let stamp = Stamp {
                    author_tag: crate::ids::author_tag(actor.author_key, &id),
                    author_id: actor.participant_id.to_owned(),
                    author_name: actor.name.to_owned(),
                    anonymous: self.state.settings.anonymous_posting,
                    now_ms: now as i64,
                    phase_id: self.phase_view().phase_id,
                    round_id,
                    stage_id,
                };
                let (id, _) =
                    self.state
                        .board
                        .post(id, text, client_ref, stamp, &self.board_limits)?;
                changes.ideas.push(id);
            }
            Command::Vote { idea_id } | Command::Unvote { idea_id } => {
                require_editing()?;
                let limit = self.state.settings.votes_per_participant;
                if matches!(command, Command::Vote { .. }) {
                    self.state
                        .board
                        .vote(actor.participant_id, idea_id, limit)?;
                } else {
                    self.state.board.unvote(actor.participant_id, idea_id)?;
                }
                changes.ideas.push(idea_id.clone());
                changes.votes_of = Some(actor.participant_id.to_owned());
            }
            Command::GroupIdeas {
                idea_ids,
                group_id,
                label,
            } => {
                require_editing()?;
                self.state.board.group(
                    idea_ids,
                    group_id.as_deref(),
                    label.as_deref(),
                    new_id(),
                    &self.board_limits,
                )?;
                changes.ideas.extend(idea_ids.iter().cloned());
                changes.groups = true;
            }
            Command::Ungroup { idea_id } => {
                require_editing()?;
                self.state.board.ungroup(idea_id)?;
                changes.ideas.push(idea_id.clone());
                changes.groups = true;
            }
            Command::RenameGroup { group_id, label } => {
                require_editing()?;
                self.state.board.rename_group(group_id, label)?;
                changes.groups = true;
            }
            Command::SetPersonalNote { activity_id, text } => {
                require_editing()?;
                if !matches!(
                    self.template.activity(activity_id),
                    Some((_, Activity::Notes(notes))) if notes.personal
                ) {
                    return Err(CommandError::NotFound("no such personal note"));
                }
                if text.chars().count() > MAX_NOTE_CHARS {
                    return Err(CommandError::BadRequest("the note is too long"));
                }
                // Line breaks stay (it is a page of writing); other control characters go.
                let text: String = text
                    .chars()
                    .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
                    .collect();
                let notes = self
                    .state
                    .personal_notes
                    .entry(actor.participant_id.to_owned())
                    .or_default();
                if text.is_empty() {
                    notes.remove(activity_id);
                } else {
                    notes.insert(activity_id.clone(), text);
                }
                changes.note_of = Some((actor.participant_id.to_owned(), activity_id.clone()));
            }
            Command::SetReady { ready } => {
                if actor.role != Role::Participant {
                    return Err(CommandError::Forbidden(
                        "only participants say they are done",
                    ));
                }
                // A set that still belongs to an earlier moment empties first.
                changes.ready = self.state.ready.follow(self.ready_context());
                changes.ready |=
                    self.state
                        .ready
                        .set(actor.participant_id, *ready, now, &self.ready_limits)?;
            }
            Command::DeleteIdea { idea_id } => {
                require_editing()?;
                let voters = self
                    .state
                    .board
                    .idea(idea_id)
                    .map(|i| i.voters.contains(actor.participant_id));
                changes.groups = self.state.board.delete(idea_id, actor.writer(), steering)?;
                changes.removed.push(idea_id.clone());
                if voters == Some(true) {
                    changes.votes_of = Some(actor.participant_id.to_owned());
                }
            }
            Command::EditIdea { idea_id, text } => {
                require_editing()?;
                self.state
                    .board
                    .edit(idea_id, text, actor.writer(), &self.board_limits)?;
                changes.ideas.push(idea_id.clone());
            }
            Command::HideIdea { idea_id, hidden } => {
                require_steering()?;
                self.state.board.hide(idea_id, *hidden)?;
                changes.ideas.push(idea_id.clone());
            }
            Command::CarouselAddRound {
                topic,
                owner_id,
                activity_id,
            } => {
                require_steering()?;
                let topic = clean_text(topic, MAX_TOPIC_CHARS)?;
                if name_of(owner_id).is_none() {
                    return Err(CommandError::NotFound("the owner is not in this session"));
                }
                let max_rounds = self.max_rounds;
                let carousel = self.carousel_for(activity_id.as_deref())?;
                carousel.add_round(new_id(), topic, owner_id.clone(), max_rounds)?;
                changes.carousel = true;
            }
            Command::CarouselSetOwner { round_id, owner_id } => {
                require_steering()?;
                if name_of(owner_id).is_none() {
                    return Err(CommandError::NotFound("the owner is not in this session"));
                }
                self.carousel()?.set_owner(round_id, owner_id.clone())?;
                changes.carousel = true;
            }
            Command::CarouselStart { round_id } => {
                require_steering()?;
                self.carousel()?.start(round_id.as_deref(), now)?;
                changes.carousel = true;
            }
            Command::CarouselPause => {
                require_steering()?;
                self.carousel()?.pause(now)?;
                changes.carousel = true;
            }
            Command::CarouselResume => {
                require_steering()?;
                self.carousel()?.resume(now)?;
                changes.carousel = true;
            }
            Command::CarouselAddTime { seconds } => {
                require_steering()?;
                self.carousel()?.add_time(now, *seconds)?;
                changes.carousel = true;
            }
            Command::CarouselNextStage => {
                require_steering()?;
                self.carousel()?.next_stage(now)?;
                changes.carousel = true;
            }
            Command::CarouselPreviousStage => {
                require_steering()?;
                self.carousel()?.previous_stage(now)?;
                changes.carousel = true;
            }
            Command::CarouselRestartStage => {
                require_steering()?;
                self.carousel()?.restart_stage(now)?;
                changes.carousel = true;
            }
            Command::CarouselNextRound => {
                require_steering()?;
                self.carousel()?.next_round(now)?;
                changes.carousel = true;
            }
            Command::CarouselEnd => {
                require_steering()?;
                self.carousel()?.end()?;
                changes.carousel = true;
            }
            Command::SetNextStep {
                round_id,
                text,
                owner,
                date,
            } => {
                require_editing()?;
                let carousel = self.carousel()?;
                let round = carousel
                    .round(round_id)
                    .ok_or(CommandError::NotFound("no such round"))?;
                if !steering && round.owner_id != actor.participant_id {
                    return Err(CommandError::Forbidden(
                        "only the round's owner or the facilitator can do this",
                    ));
                }
                let owner = match owner {
                    Some(owner) => clean_text(owner, 80)?,
                    None => name_of(&round.owner_id).unwrap_or_default(),
                };
                let date = match date {
                    Some(date) if is_iso_date(date) => date.clone(),
                    Some(_) => {
                        return Err(CommandError::BadRequest(
                            "the date must look like 2026-11-30",
                        ));
                    }
                    None => iso_date(now),
                };
                let step = NextStep {
                    text: clean_text(text, MAX_TOPIC_CHARS * 5)?,
                    owner,
                    date,
                };
                carousel.set_next_step(round_id, step)?;
                changes.carousel = true;
            }
            Command::VisualisationStart {
                activity_id,
                asker_id,
            } => {
                require_steering()?;
                let Some((_, Activity::GuidedVisualisation(activity))) =
                    self.template.activity(activity_id)
                else {
                    return Err(CommandError::NotFound("no such visualisation"));
                };
                if asker_id.as_deref().is_some_and(|id| name_of(id).is_none()) {
                    return Err(CommandError::NotFound(
                        "the question-asker is not in this session",
                    ));
                }
                let previous_seq = self
                    .state
                    .visualisation
                    .as_ref()
                    .map_or(self.state.visualisation_seq, |v| v.seq);
                let mut visualisation = Visualisation::new(
                    activity.id.clone(),
                    asker_id.clone(),
                    activity.questions.len(),
                    activity.silence_seconds,
                );
                visualisation.seq = previous_seq + 1;
                self.state.visualisation = Some(visualisation);
                changes.visualisation = true;
            }
            Command::VisualisationReadDone
            | Command::VisualisationNext
            | Command::VisualisationPrevious => {
                let visualisation = self
                    .state
                    .visualisation
                    .as_mut()
                    .ok_or(CommandError::Conflict("no visualisation is running"))?;
                if !steering && visualisation.asker_id.as_deref() != Some(actor.participant_id) {
                    return Err(CommandError::Forbidden(
                        "only the question-asker or the facilitator can do this",
                    ));
                }
                match command {
                    Command::VisualisationReadDone => visualisation.read_done(now)?,
                    Command::VisualisationNext => visualisation.next_question()?,
                    _ => visualisation.previous_question()?,
                }
                changes.visualisation = true;
            }
            Command::VisualisationStop => {
                require_steering()?;
                let Some(stopped) = self.state.visualisation.take() else {
                    return Err(CommandError::Conflict("no visualisation is running"));
                };
                self.state.visualisation_seq = stopped.seq;
                changes.visualisation = true;
            }
        }
        Ok(changes)
    }

    fn carousel(&mut self) -> Result<&mut Carousel, CommandError> {
        self.carousel_for(None)
    }

    /// The session's carousel, created for the named (or the first) carousel activity.
    fn carousel_for(&mut self, activity_id: Option<&str>) -> Result<&mut Carousel, CommandError> {
        if let Some(existing) = &self.state.carousel {
            if activity_id.is_some_and(|id| id != existing.activity_id) {
                return Err(CommandError::Conflict(
                    "another carousel is in use in this session",
                ));
            }
        } else {
            let activity = self
                .template
                .activities()
                .find_map(|a| match a {
                    Activity::BrainstormCarousel(c) if activity_id.is_none_or(|id| id == c.id) => {
                        Some(c)
                    }
                    _ => None,
                })
                .ok_or(CommandError::NotFound("this workshop has no such carousel"))?;
            self.state.carousel = Some(Carousel::new(activity, self.minute_ms));
        }
        Ok(self.state.carousel.as_mut().expect("set above"))
    }
}

fn is_iso_date(date: &str) -> bool {
    let bytes = date.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
}

/// The UTC date of a server time, as `YYYY-MM-DD` (civil-from-days, Howard Hinnant).
pub fn iso_date(now_ms: f64) -> String {
    let days = (now_ms / 86_400_000.0).floor() as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests;
