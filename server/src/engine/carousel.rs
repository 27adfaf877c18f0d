//! The brainstorm carousel: rounds, each an opportunity or challenge with an owner, run through
//! the template's timed stages (2/3/5/3/2 minutes in the built-in workshop).
//!
//! The server advances a stage at its deadline by itself, exactly once: the next stage's
//! deadline is the previous deadline plus its duration (not "now" plus it), so a late tick or a
//! restart never stretches the schedule, and a tick that finds nothing expired changes nothing.

use serde::{Deserialize, Serialize};
use werkplaats_protocol::template::{BrainstormCarousel, StageRole};
use werkplaats_protocol::workshop::{CarouselView, NextStep, RoundView, StageView};

use super::CommandError;
use super::clock::Countdown;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageDef {
    pub id: String,
    pub who: StageRole,
    pub duration_ms: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Round {
    pub id: String,
    pub topic: String,
    pub owner_id: String,
    pub next_step: Option<NextStep>,
    /// The round has been started at least once.
    pub ran: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Carousel {
    pub activity_id: String,
    pub stages: Vec<StageDef>,
    pub rounds: Vec<Round>,
    pub current: Option<usize>,
    pub stage: usize,
    pub clock: Countdown,
    /// Grows with every change, so clients can ignore stale views.
    pub seq: u64,
}

/// Most rounds in one carousel: the default of `--max-carousel-rounds`.
pub const MAX_ROUNDS: usize = 50;

impl Carousel {
    pub fn new(activity: &BrainstormCarousel, minute_ms: f64) -> Self {
        Self {
            activity_id: activity.id.clone(),
            stages: activity
                .stages
                .iter()
                .map(|s| StageDef {
                    id: s.id.clone(),
                    who: s.who,
                    duration_ms: f64::from(s.minutes) * minute_ms,
                })
                .collect(),
            rounds: Vec::new(),
            current: None,
            stage: 0,
            clock: Countdown::Idle,
            seq: 0,
        }
    }

    fn changed(&mut self) {
        self.seq += 1;
    }

    pub fn add_round(
        &mut self,
        id: String,
        topic: String,
        owner_id: String,
        max_rounds: usize,
    ) -> Result<(), CommandError> {
        if self.rounds.len() >= max_rounds {
            return Err(CommandError::Conflict(
                "the carousel has the most rounds it can have",
            ));
        }
        self.rounds.push(Round {
            id,
            topic,
            owner_id,
            next_step: None,
            ran: false,
        });
        self.changed();
        Ok(())
    }

    pub fn set_owner(&mut self, round_id: &str, owner_id: String) -> Result<(), CommandError> {
        self.round_mut(round_id)?.owner_id = owner_id;
        self.changed();
        Ok(())
    }

    pub fn set_next_step(&mut self, round_id: &str, step: NextStep) -> Result<(), CommandError> {
        self.round_mut(round_id)?.next_step = Some(step);
        self.changed();
        Ok(())
    }

    pub fn round(&self, round_id: &str) -> Option<&Round> {
        self.rounds.iter().find(|r| r.id == round_id)
    }

    fn round_mut(&mut self, round_id: &str) -> Result<&mut Round, CommandError> {
        self.rounds
            .iter_mut()
            .find(|r| r.id == round_id)
            .ok_or(CommandError::NotFound("no such round"))
    }

    pub fn current_round(&self) -> Option<&Round> {
        self.current.and_then(|i| self.rounds.get(i))
    }

    pub fn current_stage(&self) -> Option<&StageDef> {
        self.current.and(self.stages.get(self.stage))
    }

    /// Starts a round at its first stage: the one named, or the first that has not run.
    pub fn start(&mut self, round_id: Option<&str>, now: f64) -> Result<(), CommandError> {
        let index = match round_id {
            Some(id) => self
                .rounds
                .iter()
                .position(|r| r.id == id)
                .ok_or(CommandError::NotFound("no such round"))?,
            None => self
                .rounds
                .iter()
                .position(|r| !r.ran)
                .ok_or(CommandError::Conflict(
                    "there is no round left to start; add one first",
                ))?,
        };
        self.begin_round(index, now);
        Ok(())
    }

    fn begin_round(&mut self, index: usize, at: f64) {
        self.rounds[index].ran = true;
        self.current = Some(index);
        self.stage = 0;
        self.clock = Countdown::start(at, self.stages[0].duration_ms);
        self.changed();
    }

    fn require_round(&self) -> Result<(), CommandError> {
        if self.current.is_none() {
            return Err(CommandError::Conflict("no round is running"));
        }
        Ok(())
    }

    pub fn pause(&mut self, now: f64) -> Result<(), CommandError> {
        self.clock = self
            .clock
            .pause(now)
            .ok_or(CommandError::Conflict("the clock is not running"))?;
        self.changed();
        Ok(())
    }

    pub fn resume(&mut self, now: f64) -> Result<(), CommandError> {
        self.clock = self
            .clock
            .resume(now)
            .ok_or(CommandError::Conflict("the clock is not paused"))?;
        self.changed();
        Ok(())
    }

    pub fn add_time(&mut self, now: f64, seconds: i32) -> Result<(), CommandError> {
        if seconds.unsigned_abs() > 3600 {
            return Err(CommandError::BadRequest("add at most an hour at a time"));
        }
        self.clock = self
            .clock
            .add(now, f64::from(seconds) * 1000.0)
            .ok_or(CommandError::Conflict("the clock is not running or paused"))?;
        self.changed();
        Ok(())
    }

    /// Skips to the next stage, or ends the round after the last.
    pub fn next_stage(&mut self, now: f64) -> Result<(), CommandError> {
        self.require_round()?;
        if self.clock == Countdown::Done {
            return Err(CommandError::Conflict("the round is over"));
        }
        if self.stage + 1 < self.stages.len() {
            self.stage += 1;
            self.clock = Countdown::start(now, self.stages[self.stage].duration_ms);
        } else {
            self.clock = Countdown::Done;
        }
        self.changed();
        Ok(())
    }

    pub fn previous_stage(&mut self, now: f64) -> Result<(), CommandError> {
        self.require_round()?;
        if self.clock != Countdown::Done {
            if self.stage == 0 {
                return Err(CommandError::Conflict("this is the first stage"));
            }
            self.stage -= 1;
        }
        self.clock = Countdown::start(now, self.stages[self.stage].duration_ms);
        self.changed();
        Ok(())
    }

    pub fn restart_stage(&mut self, now: f64) -> Result<(), CommandError> {
        self.require_round()?;
        if self.clock == Countdown::Done {
            return Err(CommandError::Conflict("the round is over"));
        }
        self.clock = Countdown::start(now, self.stages[self.stage].duration_ms);
        self.changed();
        Ok(())
    }

    pub fn next_round(&mut self, now: f64) -> Result<(), CommandError> {
        let next = self
            .rounds
            .iter()
            .position(|r| !r.ran)
            .ok_or(CommandError::Conflict(
                "there is no round left; add one first",
            ))?;
        self.begin_round(next, now);
        Ok(())
    }

    pub fn end(&mut self) -> Result<(), CommandError> {
        self.require_round()?;
        self.current = None;
        self.stage = 0;
        self.clock = Countdown::Idle;
        self.changed();
        Ok(())
    }

    pub fn next_deadline(&self) -> Option<f64> {
        self.clock.deadline()
    }

    /// Advances past every deadline that has passed, each exactly once. Returns whether
    /// anything changed.
    pub fn tick(&mut self, now: f64, auto_next_round: bool) -> bool {
        let mut changed = false;
        while let Some(deadline) = self.clock.deadline().filter(|d| *d <= now) {
            changed = true;
            if self.stage + 1 < self.stages.len() {
                self.stage += 1;
                self.clock = Countdown::Running {
                    deadline: deadline + self.stages[self.stage].duration_ms,
                };
            } else if let Some(next) = auto_next_round
                .then(|| self.rounds.iter().position(|r| !r.ran))
                .flatten()
            {
                self.begin_round(next, deadline);
            } else {
                self.clock = Countdown::Done;
            }
        }
        if changed {
            self.changed();
        }
        changed
    }

    pub fn view(&self, now: f64, name_of: impl Fn(&str) -> String) -> CarouselView {
        CarouselView {
            activity_id: self.activity_id.clone(),
            seq: self.seq,
            rounds: self
                .rounds
                .iter()
                .map(|r| RoundView {
                    id: r.id.clone(),
                    topic: r.topic.clone(),
                    owner_id: r.owner_id.clone(),
                    owner_name: name_of(&r.owner_id),
                    next_step: r.next_step.clone(),
                    ran: r.ran,
                })
                .collect(),
            current_round: self.current,
            stage_index: self.stage,
            stages: self
                .stages
                .iter()
                .map(|s| StageView {
                    id: s.id.clone(),
                    who: s.who,
                    duration_ms: s.duration_ms,
                })
                .collect(),
            clock: self.clock.view(),
            server_time: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use werkplaats_protocol::template::builtin_probiblio;

    const MIN: f64 = 60_000.0;

    fn carousel() -> Carousel {
        let template = builtin_probiblio();
        let activity = template
            .activities()
            .find_map(|a| match a {
                werkplaats_protocol::template::Activity::BrainstormCarousel(c) => Some(c.clone()),
                _ => None,
            })
            .unwrap();
        let mut carousel = Carousel::new(&activity, MIN);
        carousel
            .add_round(
                "r1".into(),
                "Samen met Taalhuis".into(),
                "p1".into(),
                MAX_ROUNDS,
            )
            .unwrap();
        carousel
            .add_round(
                "r2".into(),
                "Meer bezoekers".into(),
                "p2".into(),
                MAX_ROUNDS,
            )
            .unwrap();
        carousel
    }

    #[test]
    fn the_stages_run_two_three_five_three_two_each_once() {
        let mut c = carousel();
        c.start(None, 0.0).unwrap();
        let mut seen = vec![(c.stage, c.clock.deadline().unwrap())];
        let mut now = 0.0;
        while let Some(deadline) = c.next_deadline() {
            assert!(
                !c.tick(deadline - 1.0, false),
                "nothing before the deadline"
            );
            now = deadline;
            assert!(c.tick(now, false));
            assert!(!c.tick(now, false), "one advance per deadline");
            if let Some(d) = c.clock.deadline() {
                seen.push((c.stage, d));
            }
        }
        let minutes: Vec<f64> = seen.iter().map(|(_, d)| d / MIN).collect();
        assert_eq!(minutes, vec![2.0, 5.0, 10.0, 13.0, 15.0]);
        assert_eq!(c.clock, Countdown::Done);
        assert_eq!(now, 15.0 * MIN);
        let who: Vec<StageRole> = c.stages.iter().map(|s| s.who).collect();
        assert_eq!(
            who,
            [
                StageRole::Owner,
                StageRole::Helpers,
                StageRole::Everyone,
                StageRole::Owner,
                StageRole::Owner
            ]
        );
    }

    #[test]
    fn a_late_tick_catches_up_without_stretching_the_schedule() {
        let mut c = carousel();
        c.start(None, 0.0).unwrap();
        // the server was down from minute 1 to minute 11
        assert!(c.tick(11.0 * MIN, false));
        assert_eq!(c.stage, 3, "in the fourth stage (10..13 min)");
        assert_eq!(c.clock.deadline(), Some(13.0 * MIN));
    }

    #[test]
    fn pause_resume_add_time_skip_back_and_restart() {
        let mut c = carousel();
        assert!(c.pause(0.0).is_err(), "nothing to pause");
        c.start(None, 0.0).unwrap();
        c.pause(30_000.0).unwrap();
        assert!(!c.tick(10.0 * MIN, false), "a paused clock never advances");
        c.add_time(0.0, 60).unwrap();
        c.resume(10.0 * MIN).unwrap();
        assert_eq!(c.clock.deadline(), Some(10.0 * MIN + 150_000.0));
        c.next_stage(11.0 * MIN).unwrap();
        assert_eq!((c.stage, c.clock.deadline()), (1, Some(14.0 * MIN)));
        c.previous_stage(12.0 * MIN).unwrap();
        assert_eq!((c.stage, c.clock.deadline()), (0, Some(14.0 * MIN)));
        c.restart_stage(13.0 * MIN).unwrap();
        assert_eq!(c.clock.deadline(), Some(15.0 * MIN));
        c.end().unwrap();
        assert_eq!(c.clock, Countdown::Idle);
    }

    #[test]
    fn rounds_follow_each_other_by_command_or_by_setting() {
        let mut c = carousel();
        c.start(None, 0.0).unwrap();
        assert!(c.tick(15.0 * MIN, false));
        assert_eq!(c.clock, Countdown::Done);
        c.next_round(16.0 * MIN).unwrap();
        assert_eq!(c.current_round().unwrap().id, "r2");
        assert!(c.next_round(17.0 * MIN).is_err(), "no third round");

        let mut auto = carousel();
        auto.start(None, 0.0).unwrap();
        auto.tick(15.0 * MIN, true);
        assert_eq!(auto.current_round().unwrap().id, "r2");
        assert_eq!(
            auto.clock.deadline(),
            Some(17.0 * MIN),
            "starts at the previous deadline"
        );
    }
}
