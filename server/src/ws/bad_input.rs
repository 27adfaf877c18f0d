//! Bad input from one connection: counted per kind, logged at most once per kind, and the
//! connection closed after a few.
//!
//! A client that sends malformed control messages in a loop must not flood the log (one
//! connection once wrote 399 MB in 2 s) nor forge log lines (serde's messages copy the client's
//! text, newlines included). So the log gets the kind, the length and a short escaped prefix,
//! never the text itself, and only for the first message of each kind on a connection.

use werkplaats_protocol::control::ControlError;

/// Malformed control messages one connection may send before it is closed with 1008. A few,
/// not one: a client of an older or newer protocol version may send a command we do not know
/// and should get the error event, not a disconnect. The default of
/// `--max-bad-control-messages`.
pub const MAX_BAD_CONTROL: u8 = 8;

/// Characters of the client's text that a log line may show, escaped.
const LOG_PREFIX_CHARS: usize = 24;

/// Characters of the parser's message that go back to the client in its `error` event.
const CLIENT_MESSAGE_CHARS: usize = 200;

/// What was wrong with a control message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadControlKind {
    /// Not JSON at all, or cut off.
    Syntax,
    /// JSON, but not a command we know (unknown command, missing or mistyped field).
    Shape,
    /// Larger than a control message may be.
    TooLarge,
}

impl BadControlKind {
    pub fn name(self) -> &'static str {
        match self {
            BadControlKind::Syntax => "syntax",
            BadControlKind::Shape => "shape",
            BadControlKind::TooLarge => "too_large",
        }
    }

    fn bit(self) -> u8 {
        match self {
            BadControlKind::Syntax => 1,
            BadControlKind::Shape => 2,
            BadControlKind::TooLarge => 4,
        }
    }
}

/// A control message that did not parse, described without keeping the client's text.
#[derive(Debug)]
pub struct BadControl {
    pub kind: BadControlKind,
    /// Length of the client's text in bytes.
    pub len: usize,
    /// Its first characters, escaped (`\n`, `\u{1b}`, ...), for the log.
    pub prefix: String,
    /// The parser's message, shortened, for the client's own `error` event.
    pub client_message: String,
}

impl BadControl {
    pub fn new(json: &str, error: &ControlError) -> Self {
        let kind = match error {
            ControlError::TooLarge { .. } => BadControlKind::TooLarge,
            ControlError::Invalid(err) => match err.classify() {
                serde_json::error::Category::Data => BadControlKind::Shape,
                _ => BadControlKind::Syntax,
            },
        };
        let message = error.to_string();
        let client_message = match message.char_indices().nth(CLIENT_MESSAGE_CHARS) {
            Some((cut, _)) => format!("{}…", &message[..cut]),
            None => message,
        };
        BadControl {
            kind,
            len: json.len(),
            prefix: escaped_prefix(json, LOG_PREFIX_CHARS),
            client_message,
        }
    }
}

/// The first `max_chars` characters of `text` with every control character, quote and
/// backslash escaped, so the result is one harmless line.
pub fn escaped_prefix(text: &str, max_chars: usize) -> String {
    text.chars()
        .take(max_chars)
        .flat_map(char::escape_debug)
        .collect()
}

/// What to do with one more piece of bad input.
#[derive(Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The first of its kind on this connection: log it.
    pub log: bool,
    /// Too many: close the connection with 1008.
    pub close: bool,
}

/// The tally of one connection: two bytes, since every idle connection holds it.
#[derive(Debug, Default)]
pub struct BadInputTally {
    bad_control: u8,
    logged_kinds: u8,
}

impl BadInputTally {
    /// Counts one more; `max` is `--max-bad-control-messages`.
    pub fn record(&mut self, kind: BadControlKind, max: u8) -> Verdict {
        self.bad_control = self.bad_control.saturating_add(1);
        let log = self.logged_kinds & kind.bit() == 0;
        self.logged_kinds |= kind.bit();
        Verdict {
            log,
            close: self.bad_control >= max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use werkplaats_protocol::control::ClientEnvelope;

    fn bad(json: &str) -> BadControl {
        BadControl::new(json, &ClientEnvelope::parse(json).unwrap_err())
    }

    #[test]
    fn a_forged_log_line_stays_on_one_line() {
        let attack = "{\"type\":\"x\nINFO werkplaats: facilitator logged in\"}";
        let described = bad(attack);
        // A raw newline inside a JSON string is a syntax error.
        assert_eq!(described.kind, BadControlKind::Syntax);
        assert!(!described.prefix.contains('\n'));
        assert!(described.prefix.chars().count() <= 2 * LOG_PREFIX_CHARS);
        assert_eq!(described.len, attack.len());
    }

    #[test]
    fn kinds_are_told_apart() {
        assert_eq!(bad("{not json").kind, BadControlKind::Syntax);
        assert_eq!(bad("{\"type\":\"nope\"}").kind, BadControlKind::Shape);
        let huge = format!("{{\"type\":\"{}\"}}", "a".repeat(1 << 20));
        assert_eq!(bad(&huge).kind, BadControlKind::TooLarge);
    }

    #[test]
    fn the_client_message_is_bounded() {
        let long = format!("{{\"type\":\"{}\"}}", "é".repeat(5_000));
        assert!(bad(&long).client_message.chars().count() <= CLIENT_MESSAGE_CHARS + 1);
    }

    #[test]
    fn each_kind_is_logged_once_and_the_connection_closes_after_a_few() {
        let mut tally = BadInputTally::default();
        let verdicts: Vec<Verdict> = (0..MAX_BAD_CONTROL)
            .map(|i| {
                let kind = if i % 2 == 0 {
                    BadControlKind::Shape
                } else {
                    BadControlKind::Syntax
                };
                tally.record(kind, MAX_BAD_CONTROL)
            })
            .collect();
        let logged = verdicts.iter().filter(|v| v.log).count();
        assert_eq!(logged, 2);
        assert!(verdicts[..verdicts.len() - 1].iter().all(|v| !v.close));
        assert!(verdicts.last().unwrap().close);
    }
}
