//! Session metadata: the title and who may connect with which role.
//!
//! Stored as JSON through the store's `meta` blob. Only token hashes are kept.

use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use werkplaats_protocol::control::Role;
use werkplaats_protocol::template::{Template, builtin_probiblio};

use crate::ids;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SessionMeta {
    pub title: String,
    pub credentials: Vec<Credential>,
    /// The workshop this session runs, with the session's durations applied. Fixed when the
    /// session is created. Shared with the engine, and with every other session that runs the
    /// built-in route unchanged ([`share_template`]).
    #[serde(
        default = "builtin_template",
        serialize_with = "serialize_template",
        deserialize_with = "deserialize_template"
    )]
    pub template: Arc<Template>,
    /// The facilitator locked the session: `POST /api/join` adds nobody.
    #[serde(default)]
    pub join_locked: bool,
}

/// The built-in route, parsed once for the whole process.
pub fn builtin_template() -> Arc<Template> {
    static BUILTIN: OnceLock<Arc<Template>> = OnceLock::new();
    Arc::clone(BUILTIN.get_or_init(|| Arc::new(builtin_probiblio())))
}

/// The process's one copy of `template` if it is the built-in route unchanged, which most
/// sessions run. A parsed route is about 30 KB; each session held two copies of its own, which
/// in a benchmark of 1,000 sessions of 10 people was 9 KB of every connection's memory.
pub fn share_template(template: Template) -> Arc<Template> {
    let builtin = builtin_template();
    if *builtin == template {
        builtin
    } else {
        Arc::new(template)
    }
}

fn serialize_template<S: Serializer>(template: &Arc<Template>, out: S) -> Result<S::Ok, S::Error> {
    template.as_ref().serialize(out)
}

fn deserialize_template<'de, D: Deserializer<'de>>(input: D) -> Result<Arc<Template>, D::Error> {
    Template::deserialize(input).map(share_template)
}

/// One person (or the room display) who may connect.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Credential {
    pub participant_id: String,
    pub role: Role,
    pub name: String,
    pub token_hash: String,
    pub created_at_ms: i64,
}

/// Most credentials one session hands out; a bound on what a join flood can grow. The default
/// of `--max-participants`.
pub const MAX_CREDENTIALS: usize = 500;

/// Longest display name, in characters: the default of `--max-name-chars`.
pub const MAX_NAME_CHARS: usize = 60;

impl SessionMeta {
    pub fn credential(&self, participant_id: &str) -> Option<&Credential> {
        self.credentials
            .iter()
            .find(|c| c.participant_id == participant_id)
    }

    pub fn credential_for_token(&self, token: &str) -> Option<&Credential> {
        let hash = ids::hash_token(token);
        self.credentials.iter().find(|c| c.token_hash == hash)
    }

    /// Adds a credential and returns its secret token (the only time it exists in clear).
    pub fn add_credential(
        &mut self,
        role: Role,
        name: String,
        now_ms: i64,
    ) -> (Credential, String) {
        let token = ids::secret_token();
        let credential = Credential {
            participant_id: ids::participant_id(),
            role,
            name,
            token_hash: ids::hash_token(&token),
            created_at_ms: now_ms,
        };
        self.credentials.push(credential.clone());
        (credential, token)
    }

    /// Takes a credential out: its token stops working. The facilitator's own cannot go.
    pub fn remove_credential(&mut self, participant_id: &str) -> Option<Credential> {
        let at = self.credentials.iter().position(|c| {
            c.participant_id == participant_id
                && matches!(c.role, Role::Participant | Role::CoFacilitator)
        })?;
        Some(self.credentials.remove(at))
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("metadata always serializes")
    }
}

/// Cleans a display name: trims, drops control characters, keeps at most `max_chars`
/// characters. `None` if nothing is left.
pub fn clean_name(raw: &str, max_chars: usize) -> Option<String> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !c.is_control())
        .take(max_chars)
        .collect::<String>()
        .trim()
        .to_owned();
    (!cleaned.is_empty()).then_some(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_found_by_hash_only() {
        let mut meta = SessionMeta {
            title: "t".into(),
            credentials: vec![],
            template: builtin_template(),
            join_locked: false,
        };
        let (cred, token) = meta.add_credential(Role::Participant, "Ans".into(), 0);
        assert_ne!(cred.token_hash, token);
        assert_eq!(meta.credential_for_token(&token), Some(&cred));
        assert_eq!(meta.credential_for_token("wrong"), None);
    }

    #[test]
    fn sessions_running_the_builtin_route_share_one_copy() {
        let meta = SessionMeta {
            title: "t".into(),
            credentials: vec![],
            template: Arc::new(builtin_probiblio()),
            join_locked: false,
        };
        let json = meta.to_json();
        let first: SessionMeta = serde_json::from_slice(&json).unwrap();
        let second: SessionMeta = serde_json::from_slice(&json).unwrap();
        assert!(Arc::ptr_eq(&first.template, &second.template));
        assert_eq!(first, meta, "the same route, only shared");
        // A changed route is a copy of its own.
        let mut changed = builtin_probiblio();
        changed.phases.pop();
        let own = share_template(changed.clone());
        assert!(!Arc::ptr_eq(&own, &builtin_template()));
        assert_eq!(*own, changed);
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(
            clean_name("  Ans\u{0}\n ", MAX_NAME_CHARS),
            Some("Ans".into())
        );
        assert_eq!(clean_name(" \t ", MAX_NAME_CHARS), None);
        assert_eq!(
            clean_name(&"x".repeat(100), MAX_NAME_CHARS)
                .unwrap()
                .chars()
                .count(),
            MAX_NAME_CHARS
        );
    }
}
