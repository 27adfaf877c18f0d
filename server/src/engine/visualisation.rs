//! The guided visualisation's question-asker mode: one question at a time, read aloud by the
//! question-asker, then a silence of at least the template's seconds on the server's clock.

use serde::{Deserialize, Serialize};
use werkplaats_protocol::workshop::VisualisationView;

use super::CommandError;
use super::clock::Countdown;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visualisation {
    pub activity_id: String,
    pub asker_id: Option<String>,
    pub question_index: usize,
    pub question_count: usize,
    pub silence_ms: f64,
    /// Idle while the question is read; running during the silence; done after it.
    pub silence: Countdown,
    pub seq: u64,
}

impl Visualisation {
    pub fn new(
        activity_id: String,
        asker_id: Option<String>,
        question_count: usize,
        silence_seconds: u32,
    ) -> Self {
        Self {
            activity_id,
            asker_id,
            question_index: 0,
            question_count,
            silence_ms: f64::from(silence_seconds) * 1000.0,
            silence: Countdown::Idle,
            seq: 1,
        }
    }

    pub fn read_done(&mut self, now: f64) -> Result<(), CommandError> {
        if self.silence != Countdown::Idle {
            return Err(CommandError::Conflict("the silence has already started"));
        }
        self.silence = Countdown::start(now, self.silence_ms);
        self.seq += 1;
        Ok(())
    }

    /// The next question, once the silence after this one is over: the method asks for at
    /// least that much quiet.
    pub fn next_question(&mut self) -> Result<(), CommandError> {
        if self.silence != Countdown::Done {
            return Err(CommandError::Conflict("wait until the silence is over"));
        }
        if self.question_index + 1 >= self.question_count {
            return Err(CommandError::Conflict("this was the last question"));
        }
        self.question_index += 1;
        self.silence = Countdown::Idle;
        self.seq += 1;
        Ok(())
    }

    pub fn previous_question(&mut self) -> Result<(), CommandError> {
        if self.question_index == 0 {
            return Err(CommandError::Conflict("this is the first question"));
        }
        self.question_index -= 1;
        self.silence = Countdown::Idle;
        self.seq += 1;
        Ok(())
    }

    pub fn next_deadline(&self) -> Option<f64> {
        self.silence.deadline()
    }

    pub fn tick(&mut self, now: f64) -> bool {
        if self.silence.expired(now) {
            self.silence = Countdown::Done;
            self.seq += 1;
            return true;
        }
        false
    }

    pub fn view(&self, now: f64) -> VisualisationView {
        VisualisationView {
            activity_id: self.activity_id.clone(),
            seq: self.seq,
            asker_id: self.asker_id.clone(),
            question_index: self.question_index,
            question_count: self.question_count,
            silence: self.silence.view(),
            server_time: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_is_followed_by_its_silence_before_the_next() {
        let mut v = Visualisation::new("vis".into(), Some("p1".into()), 8, 15);
        assert!(v.next_question().is_err(), "not before the silence");
        v.read_done(1_000.0).unwrap();
        assert_eq!(v.next_deadline(), Some(16_000.0));
        assert!(!v.tick(15_999.0));
        assert!(v.next_question().is_err(), "not during the silence");
        assert!(v.tick(16_000.0));
        v.next_question().unwrap();
        assert_eq!((v.question_index, v.silence), (1, Countdown::Idle));
        v.previous_question().unwrap();
        assert!(v.previous_question().is_err());
    }
}
