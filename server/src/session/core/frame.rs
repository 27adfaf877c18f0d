//! What a session sends, and to whom: every frame says what it is, so delivery decides by the
//! kind it was made as and never looks at its own bytes.

use bytes::Bytes;
use werkplaats_protocol::control::{Event, ServerEnvelope};
use werkplaats_protocol::message::Message;

use crate::session::ConnId;

/// Who a produced frame goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    One(ConnId),
    AllExcept(ConnId),
    All,
    /// Facilitators and co-facilitators.
    Steering,
    /// Everyone else (participants and the display).
    NotSteering,
    /// Every connection of one person.
    Participant(String),
}

/// What a frame is: decides which connections may receive it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// Sync step 1: the sender's state vector.
    SyncStep1,
    /// Sync step 2: everything the receiver missed.
    SyncStep2,
    /// A document update: only for connections past their sync step 2.
    Update,
    Awareness,
    /// A refusal on the auth channel (a read-only connection's edit).
    PermissionDenied,
    /// A control event: only for connections that said `hello`.
    Control,
}

/// An encoded frame, encoded once and shared as `Bytes` by every recipient.
#[derive(Debug, Clone)]
pub struct Frame {
    pub kind: FrameKind,
    pub bytes: Bytes,
}

impl Frame {
    fn encoded(kind: FrameKind, message: Message<'_>) -> Self {
        Self {
            kind,
            bytes: Bytes::from(message.encode()),
        }
    }

    pub fn sync_step1(state_vector: &[u8]) -> Self {
        Self::encoded(FrameKind::SyncStep1, Message::SyncStep1(state_vector))
    }

    pub fn sync_step2(diff: &[u8]) -> Self {
        Self::encoded(FrameKind::SyncStep2, Message::SyncStep2(diff))
    }

    pub fn update(update: &[u8]) -> Self {
        Self::encoded(FrameKind::Update, Message::Update(update))
    }

    pub fn awareness(update: &[u8]) -> Self {
        Self::encoded(FrameKind::Awareness, Message::Awareness(update))
    }

    pub fn permission_denied(reason: &str) -> Self {
        Self::encoded(
            FrameKind::PermissionDenied,
            Message::PermissionDenied(reason),
        )
    }

    pub fn control(reply_to: Option<u64>, event: Event) -> Self {
        let json = ServerEnvelope { reply_to, event }.to_json();
        Self::encoded(FrameKind::Control, Message::Control(&json))
    }
}
