//! The frames a client sends and reads, for both framings the servers speak.
//!
//! Plain y-websocket (Werkplaats, `@y/websocket-server`, y-sweet, the relay): one message per
//! frame, `varUint(tag) payload`, see [`werkplaats_protocol::message`].
//!
//! Hocuspocus: every message starts with `varString(documentName)`; the client sends an auth
//! message first (`tag 2, 0 = token, varString(token)`); the server answers its own step 1 with
//! tag 4 ("sync reply") and acknowledges updates with tag 8 ("sync status").

use anyhow::{Context, bail};
use werkplaats_protocol::lib0::{Reader, Writer};
use werkplaats_protocol::message::Message;

const HP_SYNC_REPLY: u64 = 4;
const HP_SYNC_STATUS: u64 = 8;
const HP_AUTH_TOKEN: u64 = 0;
const HP_AUTH_DENIED: u64 = 1;
const HP_AUTH_OK: u64 = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framing {
    Plain,
    Hocuspocus { doc: String },
}

/// One message from a server, borrowing the frame.
#[derive(Debug, PartialEq)]
pub enum Incoming<'a> {
    SyncStep1(&'a [u8]),
    SyncStep2(&'a [u8]),
    Update(&'a [u8]),
    Awareness(&'a [u8]),
    Control(&'a str),
    Authenticated,
    Denied(String),
    /// Anything a benchmark client may ignore (query-awareness, sync status, ...).
    Other,
}

impl Framing {
    /// Encodes `message` in this framing.
    pub fn encode(&self, message: &Message) -> Vec<u8> {
        let inner = message.encode();
        match self {
            Framing::Plain => inner,
            Framing::Hocuspocus { doc } => {
                let mut w = Writer::with_capacity(inner.len() + doc.len() + 2);
                w.write_var_string(doc).write_raw(&inner);
                w.into_bytes()
            }
        }
    }

    /// The message a client must send before anything else (Hocuspocus only).
    pub fn auth(&self, token: &str) -> Option<Vec<u8>> {
        match self {
            Framing::Plain => None,
            Framing::Hocuspocus { doc } => {
                let mut w = Writer::new();
                w.write_var_string(doc)
                    .write_var_u64(2)
                    .write_var_u64(HP_AUTH_TOKEN)
                    .write_var_string(token);
                Some(w.into_bytes())
            }
        }
    }

    /// Decodes one frame from the server.
    pub fn decode<'a>(&self, frame: &'a [u8]) -> anyhow::Result<Incoming<'a>> {
        let mut r = Reader::new(frame);
        if let Framing::Hocuspocus { doc } = self {
            let name = r.read_var_string().context("document name")?;
            // Session-aware Hocuspocus clients get `name\0session`; we never ask for that.
            if name != doc {
                bail!("message for document {name:?}, expected {doc:?}");
            }
        }
        let tag = r.read_var_u64()?;
        let hocuspocus = matches!(self, Framing::Hocuspocus { .. });
        Ok(match tag {
            0 => sync(&mut r)?,
            HP_SYNC_REPLY if hocuspocus => sync(&mut r)?,
            1 => Incoming::Awareness(r.read_var_bytes()?),
            2 if hocuspocus => match r.read_var_u64()? {
                HP_AUTH_OK => Incoming::Authenticated,
                HP_AUTH_DENIED => Incoming::Denied(r.read_var_string()?.to_owned()),
                _ => Incoming::Other,
            },
            2 => {
                r.read_var_u64()?;
                Incoming::Denied(r.read_var_string()?.to_owned())
            }
            87 if !hocuspocus => Incoming::Control(r.read_var_string()?),
            HP_SYNC_STATUS => Incoming::Other,
            _ => Incoming::Other,
        })
    }
}

fn sync<'a>(r: &mut Reader<'a>) -> anyhow::Result<Incoming<'a>> {
    Ok(match r.read_var_u64()? {
        0 => Incoming::SyncStep1(r.read_var_bytes()?),
        1 => Incoming::SyncStep2(r.read_var_bytes()?),
        2 => Incoming::Update(r.read_var_bytes()?),
        other => bail!("unknown sync message kind {other}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_frames_are_the_protocol_crates() {
        let f = Framing::Plain;
        let frame = f.encode(&Message::Update(&[1, 2]));
        assert_eq!(frame, [0, 2, 2, 1, 2]);
        assert_eq!(f.decode(&frame).unwrap(), Incoming::Update(&[1, 2]));
        assert!(f.auth("x").is_none());
    }

    #[test]
    fn hocuspocus_prefixes_the_document_and_reads_its_tags() {
        let f = Framing::Hocuspocus { doc: "d".into() };
        let frame = f.encode(&Message::SyncStep1(&[0]));
        assert_eq!(frame, [1, b'd', 0, 0, 1, 0]);
        assert_eq!(f.auth("t").unwrap(), [1, b'd', 2, 0, 1, b't']);
        // sync reply (4) carrying a step 1
        assert_eq!(
            f.decode(&[1, b'd', 4, 0, 1, 0]).unwrap(),
            Incoming::SyncStep1(&[0])
        );
        assert_eq!(
            f.decode(&[1, b'd', 2, 2, 2, b'r', b'w']).unwrap(),
            Incoming::Authenticated
        );
        assert_eq!(f.decode(&[1, b'd', 8, 1]).unwrap(), Incoming::Other);
        assert!(f.decode(&[1, b'e', 0, 0, 1, 0]).is_err());
    }
}
