//! "Ik ben klaar": who said they are done with the current stage or assignment.
//!
//! The set belongs to one moment of the workshop (its `context`: the phase, and inside the
//! carousel's phase the round and its stage); when that moment changes, the set empties. It
//! holds only participant ids the session knows, so it is bounded by the session's
//! participants; each participant's toggles are rate limited, because every toggle is stored
//! and sent to everyone.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use werkplaats_protocol::workshop::ReadyView;

use super::CommandError;

/// Defaults of [`ReadyLimits`] (and of their flags, `limits/session.rs`): a participant who
/// changes their mind a few times is never held back, a script is.
pub const READY_BURST: u32 = 6;
pub const READY_PER_MINUTE: u32 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadyLimits {
    /// Toggles one participant may make at once, then `per_minute`.
    pub burst: u32,
    pub per_minute: u32,
}

impl Default for ReadyLimits {
    fn default() -> Self {
        Self {
            burst: READY_BURST,
            per_minute: READY_PER_MINUTE,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Ready {
    /// The moment the set belongs to (`Engine::ready_context`).
    pub context: String,
    pub participants: BTreeSet<String>,
    /// Toggle allowance per participant (tokens, last refill); not worth storing.
    #[serde(skip)]
    allowance: HashMap<String, (f64, f64)>,
}

impl Ready {
    /// Empties the set when the workshop moved on; says whether it changed.
    pub fn follow(&mut self, context: String) -> bool {
        if self.context == context {
            return false;
        }
        self.context = context;
        !std::mem::take(&mut self.participants).is_empty()
    }

    /// Sets or clears one participant's "klaar"; says whether the set changed.
    pub fn set(
        &mut self,
        participant_id: &str,
        ready: bool,
        now_ms: f64,
        limits: &ReadyLimits,
    ) -> Result<bool, CommandError> {
        if ready == self.participants.contains(participant_id) {
            return Ok(false);
        }
        let burst = f64::from(limits.burst);
        let per_minute = f64::from(limits.per_minute);
        let (tokens, last) = self
            .allowance
            .entry(participant_id.to_owned())
            .or_insert((burst, now_ms));
        *tokens = (*tokens + (now_ms - *last).max(0.0) / 60_000.0 * per_minute).min(burst);
        *last = now_ms;
        if *tokens < 1.0 {
            return Err(CommandError::RateLimited(
                "you changed this very often; wait a moment",
            ));
        }
        *tokens -= 1.0;
        if ready {
            self.participants.insert(participant_id.to_owned());
        } else {
            self.participants.remove(participant_id);
        }
        Ok(true)
    }

    /// Takes someone out (removed from the session).
    pub fn forget(&mut self, participant_id: &str) -> bool {
        self.allowance.remove(participant_id);
        self.participants.remove(participant_id)
    }

    pub fn view(&self) -> ReadyView {
        ReadyView {
            participant_ids: self.participants.iter().cloned().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_moment_empties_the_set() {
        let mut ready = Ready::default();
        assert!(!ready.follow("phase:a".into()));
        let limits = ReadyLimits::default();
        assert_eq!(ready.set("p1", true, 0.0, &limits), Ok(true));
        assert_eq!(ready.set("p1", true, 0.0, &limits), Ok(false));
        assert!(!ready.follow("phase:a".into()));
        assert!(ready.follow("phase:b".into()));
        assert!(ready.view().participant_ids.is_empty());
        // Nobody was ready: nothing to tell.
        assert!(!ready.follow("phase:c".into()));
    }

    #[test]
    fn toggling_is_rate_limited_per_participant() {
        let mut ready = Ready::default();
        let limits = ReadyLimits {
            burst: 2,
            per_minute: 6,
        };
        assert_eq!(ready.set("p1", true, 0.0, &limits), Ok(true));
        assert_eq!(ready.set("p1", false, 0.0, &limits), Ok(true));
        assert!(matches!(
            ready.set("p1", true, 0.0, &limits),
            Err(CommandError::RateLimited(_))
        ));
        // Someone else is not held back, and ten seconds give one toggle back.
        assert_eq!(ready.set("p2", true, 0.0, &limits), Ok(true));
        assert_eq!(ready.set("p1", true, 10_000.0, &limits), Ok(true));
        assert_eq!(ready.view().participant_ids, vec!["p1", "p2"]);
    }
}
