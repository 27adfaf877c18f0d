//! y-websocket framing, byte for byte, plus the Werkplaats control tag.
//!
//! One websocket binary frame carries exactly one message (the y-websocket client reads only the
//! first message of a frame, so a server that batched several would lose them):
//!
//! ```text
//! message   := varUint(tag) payload
//! tag 0     sync:            varUint(0) varBytes(state vector)   step 1
//!                            varUint(1) varBytes(update v1)      step 2
//!                            varUint(2) varBytes(update v1)      update
//! tag 1     awareness:       varBytes(awareness update)
//! tag 2     auth:            varUint(0) varString(reason)        permission denied
//! tag 3     query-awareness: (nothing)
//! tag 87    control:         varString(JSON)                     see [`crate::control`]
//! ```
//!
//! The control tag is below 128 because yrs decodes custom tags of 128 and above wrongly, and
//! well away from the tags y-protocols and Hocuspocus use.

use thiserror::Error;

use crate::lib0::{DecodeError, MAX_SAFE_INTEGER, Reader, Writer};

/// Tag of a sync message (step 1, step 2 or update).
pub const TAG_SYNC: u64 = 0;
/// Tag of an awareness update.
pub const TAG_AWARENESS: u64 = 1;
/// Tag of an auth message.
pub const TAG_AUTH: u64 = 2;
/// Tag of a request for everyone's awareness.
pub const TAG_QUERY_AWARENESS: u64 = 3;
/// Werkplaats control messages ('W'). Sent only to clients that said hello on it.
pub const TAG_CONTROL: u64 = 87;

/// Sync kind: the sender's state vector.
pub const SYNC_STEP1: u64 = 0;
/// Sync kind: what the receiver missed.
pub const SYNC_STEP2: u64 = 1;
/// Sync kind: an incremental update.
pub const SYNC_UPDATE: u64 = 2;

const AUTH_PERMISSION_DENIED: u64 = 0;

/// One decoded frame, borrowing from the frame's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message<'a> {
    /// The sender's state vector: "send me what I miss".
    SyncStep1(&'a [u8]),
    /// An answer to step 1: everything the receiver missed, as one update.
    SyncStep2(&'a [u8]),
    /// An incremental document update.
    Update(&'a [u8]),
    /// An encoded awareness update (see [`AwarenessUpdate`]).
    Awareness(&'a [u8]),
    /// The auth message of y-protocols; the only defined kind is "permission denied".
    PermissionDenied(&'a str),
    /// A request for everyone's awareness states.
    QueryAwareness,
    /// A control message: JSON text, parsed by [`crate::control`].
    Control(&'a str),
}

/// Why a frame could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MessageError {
    /// A lib0 value in it is malformed.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A message tag this server does not speak.
    #[error("unknown message tag {0}")]
    UnknownTag(u64),
    /// A sync kind other than step 1, step 2 and update.
    #[error("unknown sync message kind {0}")]
    UnknownSyncKind(u64),
    /// An auth kind other than "permission denied".
    #[error("unknown auth message kind {0}")]
    UnknownAuthKind(u64),
    /// Bytes left over after the message.
    #[error("{0} bytes after the end of the message")]
    TrailingBytes(usize),
}

impl<'a> Message<'a> {
    /// Decodes one frame. Refuses unknown tags and trailing bytes, so nothing a client sends is
    /// silently half-read.
    pub fn decode(frame: &'a [u8]) -> Result<Self, MessageError> {
        let mut r = Reader::new(frame);
        let message = match r.read_var_u64()? {
            TAG_SYNC => match r.read_var_u64()? {
                SYNC_STEP1 => Message::SyncStep1(r.read_var_bytes()?),
                SYNC_STEP2 => Message::SyncStep2(r.read_var_bytes()?),
                SYNC_UPDATE => Message::Update(r.read_var_bytes()?),
                other => return Err(MessageError::UnknownSyncKind(other)),
            },
            TAG_AWARENESS => Message::Awareness(r.read_var_bytes()?),
            TAG_AUTH => match r.read_var_u64()? {
                AUTH_PERMISSION_DENIED => Message::PermissionDenied(r.read_var_string()?),
                other => return Err(MessageError::UnknownAuthKind(other)),
            },
            TAG_QUERY_AWARENESS => Message::QueryAwareness,
            TAG_CONTROL => Message::Control(r.read_var_string()?),
            other => return Err(MessageError::UnknownTag(other)),
        };
        if !r.is_empty() {
            return Err(MessageError::TrailingBytes(r.remaining()));
        }
        Ok(message)
    }

    /// The frame's bytes, as a peer expects them.
    pub fn encode(&self) -> Vec<u8> {
        let payload_len = match self {
            Message::SyncStep1(b)
            | Message::SyncStep2(b)
            | Message::Update(b)
            | Message::Awareness(b) => b.len(),
            Message::PermissionDenied(s) | Message::Control(s) => s.len(),
            Message::QueryAwareness => 0,
        };
        let mut w = Writer::with_capacity(payload_len + 8);
        match self {
            Message::SyncStep1(sv) => w
                .write_var_u64(TAG_SYNC)
                .write_var_u64(SYNC_STEP1)
                .write_var_bytes(sv),
            Message::SyncStep2(u) => w
                .write_var_u64(TAG_SYNC)
                .write_var_u64(SYNC_STEP2)
                .write_var_bytes(u),
            Message::Update(u) => w
                .write_var_u64(TAG_SYNC)
                .write_var_u64(SYNC_UPDATE)
                .write_var_bytes(u),
            Message::Awareness(a) => w.write_var_u64(TAG_AWARENESS).write_var_bytes(a),
            Message::PermissionDenied(reason) => w
                .write_var_u64(TAG_AUTH)
                .write_var_u64(AUTH_PERMISSION_DENIED)
                .write_var_string(reason),
            Message::QueryAwareness => w.write_var_u64(TAG_QUERY_AWARENESS),
            Message::Control(json) => w.write_var_u64(TAG_CONTROL).write_var_string(json),
        };
        w.into_bytes()
    }
}

/// Decodes an encoded state vector (`varUint(n) n × (varUint client, varUint clock)`), checking
/// that every client id fits in 53 bits and every clock in 32, as yrs requires.
pub fn decode_state_vector(bytes: &[u8]) -> Result<Vec<(u64, u32)>, MessageError> {
    let mut r = Reader::new(bytes);
    let count = r.read_len(2)?;
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        let at = r.position();
        let client = r.read_var_u64()?;
        if client > MAX_SAFE_INTEGER {
            return Err(
                DecodeError::Invalid(format!("client id at byte {at} exceeds 53 bits")).into(),
            );
        }
        let clock = r.read_var_u32()?;
        entries.push((client, clock));
    }
    if !r.is_empty() {
        return Err(MessageError::TrailingBytes(r.remaining()));
    }
    Ok(entries)
}

/// One client's entry in an awareness update. `state` is JSON text; `"null"` means the client
/// left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwarenessEntry<'a> {
    /// The client's Yjs client id.
    pub client_id: u64,
    /// Grows with each change of the client's state; the higher one wins.
    pub clock: u32,
    /// The state, as JSON text.
    pub state: &'a str,
}

impl AwarenessEntry<'_> {
    /// Whether this entry says the client left (its state is `null`).
    pub fn is_removal(&self) -> bool {
        self.state == "null"
    }
}

/// The y-protocols awareness update: `varUint(n) n × (varUint id, varUint clock, varString json)`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AwarenessUpdate<'a> {
    /// One entry per client.
    pub entries: Vec<AwarenessEntry<'a>>,
}

impl<'a> AwarenessUpdate<'a> {
    /// Decodes the frame; JSON validity of each state is the caller's check (it knows its limits).
    pub fn decode(bytes: &'a [u8]) -> Result<Self, MessageError> {
        let mut r = Reader::new(bytes);
        // each entry takes at least three bytes: id, clock, empty string length
        let count = r.read_len(3)?;
        let mut entries = Vec::with_capacity(count);
        for _ in 0..count {
            let at = r.position();
            let client_id = r.read_var_u64()?;
            if client_id > MAX_SAFE_INTEGER {
                return Err(DecodeError::Invalid(format!(
                    "client id at byte {at} exceeds 53 bits"
                ))
                .into());
            }
            let clock = r.read_var_u32()?;
            let state = r.read_var_string()?;
            entries.push(AwarenessEntry {
                client_id,
                clock,
                state,
            });
        }
        if !r.is_empty() {
            return Err(MessageError::TrailingBytes(r.remaining()));
        }
        Ok(Self { entries })
    }

    /// The update's bytes, as a peer expects them.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.write_var_u64(self.entries.len() as u64);
        for entry in &self.entries {
            w.write_var_u64(entry.client_id)
                .write_var_u64(u64::from(entry.clock))
                .write_var_string(entry.state);
        }
        w.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_step1_matches_y_protocols_bytes() {
        // y-protocols: writeVarUint(0) writeVarUint(0) writeVarUint8Array(sv) with an empty sv [0]
        let frame = [0x00, 0x00, 0x01, 0x00];
        assert_eq!(Message::decode(&frame), Ok(Message::SyncStep1(&[0x00])));
        assert_eq!(Message::SyncStep1(&[0x00]).encode(), frame);
    }

    #[test]
    fn update_and_step2_round_trip() {
        let update = [0x01, 0x02, 0x03];
        for msg in [Message::SyncStep2(&update), Message::Update(&update)] {
            assert_eq!(Message::decode(&msg.encode()), Ok(msg.clone()));
        }
        assert_eq!(
            Message::Update(&update).encode(),
            [0x00, 0x02, 0x03, 0x01, 0x02, 0x03]
        );
    }

    #[test]
    fn awareness_round_trips_and_matches_known_bytes() {
        let update = AwarenessUpdate {
            entries: vec![AwarenessEntry {
                client_id: 300,
                clock: 2,
                state: "{}",
            }],
        };
        let bytes = update.encode();
        assert_eq!(bytes, [0x01, 0xac, 0x02, 0x02, 0x02, b'{', b'}']);
        assert_eq!(AwarenessUpdate::decode(&bytes), Ok(update.clone()));
        let frame = Message::Awareness(&bytes).encode();
        assert_eq!(frame[0], 0x01);
        assert_eq!(Message::decode(&frame), Ok(Message::Awareness(&bytes)));
    }

    #[test]
    fn query_awareness_and_control_and_auth() {
        assert_eq!(Message::decode(&[0x03]), Ok(Message::QueryAwareness));
        let ctl = Message::Control(r#"{"type":"ping"}"#);
        assert_eq!(ctl.encode()[0], 87);
        assert_eq!(Message::decode(&ctl.encode()), Ok(ctl));
        let denied = Message::PermissionDenied("read-only");
        assert_eq!(&denied.encode()[..2], &[0x02, 0x00]);
        assert_eq!(Message::decode(&denied.encode()), Ok(denied));
    }

    #[test]
    fn refuses_unknown_tags_kinds_and_trailing_bytes() {
        assert_eq!(Message::decode(&[0x09]), Err(MessageError::UnknownTag(9)));
        // tag 128 as a two-byte varUint: refused, not misread as tag 0
        assert_eq!(
            Message::decode(&[0x80, 0x01]),
            Err(MessageError::UnknownTag(128))
        );
        assert_eq!(
            Message::decode(&[0x00, 0x05, 0x00]),
            Err(MessageError::UnknownSyncKind(5))
        );
        assert_eq!(
            Message::decode(&[0x03, 0x00]),
            Err(MessageError::TrailingBytes(1))
        );
        assert!(Message::decode(&[]).is_err());
        assert!(matches!(
            Message::decode(&[0x00, 0x02, 0xff, 0xff, 0xff, 0x7f]),
            Err(MessageError::Decode(DecodeError::LengthExceedsInput { .. }))
        ));
    }

    #[test]
    fn awareness_refuses_huge_counts_and_big_ids() {
        // promises 2^30 entries in 4 bytes
        assert!(AwarenessUpdate::decode(&[0x80, 0x80, 0x80, 0x80, 0x04]).is_err());
        let mut w = Writer::new();
        w.write_var_u64(1)
            .write_var_u64(1 << 60)
            .write_var_u64(0)
            .write_var_string("{}");
        assert!(AwarenessUpdate::decode(&w.into_bytes()).is_err());
    }

    #[test]
    fn state_vector_decodes_and_checks_ranges() {
        assert_eq!(decode_state_vector(&[0x01, 0x05, 0x0a]), Ok(vec![(5, 10)]));
        let mut w = Writer::new();
        w.write_var_u64(1).write_var_u64(1).write_var_u64(1 << 33);
        assert!(decode_state_vector(&w.into_bytes()).is_err());
    }
}
