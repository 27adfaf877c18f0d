//! A countdown that runs, pauses and resumes against the server's clock.
//!
//! Stored as a deadline while running and as the remaining time while paused, never as "time
//! left" ticking down: every client computes the remaining time from the deadline and its
//! estimate of the server's clock, so no screen drifts and nothing needs a per-second event.

use serde::{Deserialize, Serialize};
use werkplaats_protocol::workshop::ClockView;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Countdown {
    Idle,
    Running { deadline: f64 },
    Paused { remaining_ms: f64 },
    Done,
}

impl Countdown {
    pub fn start(now: f64, duration_ms: f64) -> Self {
        Countdown::Running {
            deadline: now + duration_ms,
        }
    }

    /// Pauses a running countdown; anything else stays as it is.
    pub fn pause(self, now: f64) -> Option<Self> {
        match self {
            Countdown::Running { deadline } => Some(Countdown::Paused {
                remaining_ms: (deadline - now).max(0.0),
            }),
            _ => None,
        }
    }

    pub fn resume(self, now: f64) -> Option<Self> {
        match self {
            Countdown::Paused { remaining_ms } => Some(Countdown::Running {
                deadline: now + remaining_ms,
            }),
            _ => None,
        }
    }

    /// Adds time (negative takes away, down to zero left).
    pub fn add(self, now: f64, delta_ms: f64) -> Option<Self> {
        match self {
            Countdown::Running { deadline } => Some(Countdown::Running {
                deadline: (deadline + delta_ms).max(now),
            }),
            Countdown::Paused { remaining_ms } => Some(Countdown::Paused {
                remaining_ms: (remaining_ms + delta_ms).max(0.0),
            }),
            _ => None,
        }
    }

    pub fn deadline(self) -> Option<f64> {
        match self {
            Countdown::Running { deadline } => Some(deadline),
            _ => None,
        }
    }

    pub fn expired(self, now: f64) -> bool {
        self.deadline().is_some_and(|deadline| deadline <= now)
    }

    pub fn view(self) -> ClockView {
        match self {
            Countdown::Idle => ClockView::Idle,
            Countdown::Running { deadline } => ClockView::Running { deadline },
            Countdown::Paused { remaining_ms } => ClockView::Paused { remaining_ms },
            Countdown::Done => ClockView::Done,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pause_resume_and_add_time_keep_the_arithmetic() {
        let running = Countdown::start(1_000.0, 120_000.0);
        assert_eq!(running.deadline(), Some(121_000.0));
        let paused = running.pause(31_000.0).unwrap();
        assert_eq!(
            paused,
            Countdown::Paused {
                remaining_ms: 90_000.0
            }
        );
        let longer = paused.add(40_000.0, 60_000.0).unwrap();
        assert_eq!(
            longer,
            Countdown::Paused {
                remaining_ms: 150_000.0
            }
        );
        let resumed = longer.resume(500_000.0).unwrap();
        assert_eq!(resumed.deadline(), Some(650_000.0));
        let shorter = resumed.add(600_000.0, -120_000.0).unwrap();
        assert_eq!(shorter.deadline(), Some(600_000.0), "never before now");
        assert!(shorter.expired(600_000.0));
        assert_eq!(Countdown::Idle.pause(0.0), None);
        assert_eq!(running.resume(0.0), None);
    }
}
