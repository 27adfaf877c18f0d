//! Random identifiers, join codes and secret tokens.
//!
//! Tokens are bearer secrets: the store keeps only their SHA-256, so a copy of the database does
//! not let anyone into a session.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use sha2::{Digest, Sha256};

/// Join-code alphabet: upper-case letters and digits without look-alikes (0/O, 1/I/L, 2/Z, 5/S,
/// 8/B, U/V), easy to say aloud and to type on a phone.
const JOIN_ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTWXY34679";
/// 12 characters: 23^12 ≈ 2^54 codes (the arithmetic is in `SECURITY.md`), read and typed as
/// three groups of four (`ACDE-FGHJ-KMNP`).
pub const JOIN_CODE_LEN: usize = 12;
/// Codes of sessions created before codes grew; they end with their session (or when the
/// facilitator rotates the code).
const LEGACY_JOIN_CODE_LEN: usize = 6;
/// Draws of a join code not held by a live session before giving up (creating a session,
/// rotating a code). With 2^54 codes a second draw is already rare.
pub const JOIN_CODE_ATTEMPTS: usize = 20;

fn random_b64(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill(&mut buf[..]);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A session id: 128 random bits, URL-safe (22 characters).
pub fn session_id() -> String {
    random_b64(16)
}

/// A participant id: public within the session, so 96 bits is plenty.
pub fn participant_id() -> String {
    random_b64(12)
}

/// A secret token: 256 random bits.
pub fn secret_token() -> String {
    random_b64(32)
}

pub fn join_code() -> String {
    let mut rng = rand::rng();
    (0..JOIN_CODE_LEN)
        .map(|_| JOIN_ALPHABET[rng.random_range(0..JOIN_ALPHABET.len())] as char)
        .collect()
}

/// Normalises what a person typed: case, spaces and dashes do not matter, and the look-alikes
/// we never hand out are read as the character they resemble.
pub fn normalize_join_code(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            '0' | 'O' => 'Q',
            other => other,
        })
        .collect();
    let valid = matches!(code.len(), JOIN_CODE_LEN | LEGACY_JOIN_CODE_LEN)
        && code.bytes().all(|b| JOIN_ALPHABET.contains(&b));
    valid.then_some(code)
}

/// Whether a string looks like a session id (so random paths never reach the store).
pub fn is_session_id(id: &str) -> bool {
    id.len() == 22
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub fn hash_token(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// A connection's key for recognising its holder's anonymous post-its, derived from the raw
/// token and kept in memory only. The store holds `hash_token` (a different hash of the
/// token), so whoever reads the store, or a facilitator, cannot derive it.
pub fn author_key(token: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"werkplaats anonymous author\0");
    hasher.update(token.as_bytes());
    hasher.finalize().into()
}

/// What an anonymous post-it stores instead of its author: a hash of the author's key and the
/// post-it's id. Only a connection with the author's token can recompute it; two post-its of
/// one author have unrelated tags, so they cannot be linked to each other either.
pub fn author_tag(author_key: &[u8; 32], idea_id: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(author_key);
    hasher.update(idea_id.as_bytes());
    URL_SAFE_NO_PAD.encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_promised_entropy_and_shape() {
        assert_eq!(session_id().len(), 22);
        assert!(is_session_id(&session_id()));
        assert_eq!(secret_token().len(), 43);
        assert_ne!(secret_token(), secret_token());
    }

    #[test]
    fn author_tags_need_the_token_and_link_nothing() {
        let key = author_key("token-a");
        assert_ne!(key, author_key("token-b"));
        assert_eq!(author_tag(&key, "i1"), author_tag(&key, "i1"));
        assert_ne!(author_tag(&key, "i1"), author_tag(&key, "i2"));
        assert_ne!(
            author_tag(&key, "i1"),
            author_tag(&author_key("token-b"), "i1")
        );
        // The stored token hash is not the key.
        assert_ne!(hash_token("token-a").as_bytes(), &key[..]);
    }

    #[test]
    fn join_codes_normalise() {
        let code = join_code();
        assert_eq!(normalize_join_code(&code).as_deref(), Some(code.as_str()));
        assert_eq!(code.len(), 12);
        let spaced = format!(
            " {}-{} {} ",
            &code[..4],
            code[4..8].to_lowercase(),
            &code[8..]
        );
        assert_eq!(normalize_join_code(&spaced).as_deref(), Some(code.as_str()));
        assert_eq!(normalize_join_code(&code[..4]), None);
        assert_eq!(normalize_join_code(&"B".repeat(12)), None);
        // Sessions from before keep their six-character codes until they end.
        assert_eq!(normalize_join_code("acd-efg").as_deref(), Some("ACDEFG"));
    }
}
