//! How anyone (the connection itself, its session, shutdown) ends a connection with a reason.
//!
//! The first close wins: its code and reason are what the client sees. The connection's task
//! waits on the token and sends the close frame, since it owns the socket.

use std::sync::OnceLock;

use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseReason {
    pub code: u16,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Closer {
    token: CancellationToken,
    reason: OnceLock<CloseReason>,
}

/// Websocket close reasons are at most 123 bytes.
const MAX_REASON_BYTES: usize = 123;

impl Closer {
    pub fn new(token: CancellationToken) -> Self {
        Self {
            token,
            reason: OnceLock::new(),
        }
    }

    pub fn close(&self, code: u16, reason: impl Into<String>) {
        if self.token.is_cancelled() {
            // Already closing (perhaps by shutdown, which leaves no reason): first one wins.
            return;
        }
        let mut reason = reason.into();
        if reason.len() > MAX_REASON_BYTES {
            let mut cut = MAX_REASON_BYTES;
            while !reason.is_char_boundary(cut) {
                cut -= 1;
            }
            reason.truncate(cut);
        }
        let _ = self.reason.set(CloseReason { code, reason });
        self.token.cancel();
    }

    pub fn is_closed(&self) -> bool {
        self.token.is_cancelled()
    }

    pub async fn closed(&self) {
        self.token.cancelled().await
    }

    /// The reason the connection is closing. Without one, the token was cancelled by its
    /// parent, the server's shutdown: "going away", so clients reconnect.
    pub fn reason(&self) -> CloseReason {
        self.reason.get().cloned().unwrap_or(CloseReason {
            code: werkplaats_protocol::close::GOING_AWAY,
            reason: "server is restarting".to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_close_wins_and_reasons_are_bounded() {
        let closer = Closer::default();
        closer.close(4408, "é".repeat(100));
        closer.close(1000, "later");
        let reason = closer.reason();
        assert_eq!(reason.code, 4408);
        assert!(reason.reason.len() <= MAX_REASON_BYTES);
        assert!(closer.is_closed());
    }

    #[test]
    fn a_close_by_the_parent_token_means_going_away() {
        let shutdown = CancellationToken::new();
        let closer = Closer::new(shutdown.child_token());
        shutdown.cancel();
        assert!(closer.is_closed());
        assert_eq!(closer.reason().code, werkplaats_protocol::close::GOING_AWAY);
    }
}
