//! The session's awareness table (who is here, where their cursor is).
//!
//! Our own instead of yrs's `Awareness`: the server must know which connection owns which
//! client id (a connection speaks only for itself), drop a connection's entries when it closes,
//! and expire silent entries after 30 s, none of which yrs's type does for a server.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;
use werkplaats_protocol::message::{AwarenessEntry, AwarenessUpdate};

use super::ConnId;

/// Entries not renewed for this long are dropped (y-protocols' `outdatedTimeout`; clients renew
/// every 15 s).
pub const AWARENESS_TIMEOUT: Duration = Duration::from_secs(30);

/// Most client ids one connection may speak for (a page with a few documents): the default of
/// `--max-awareness-ids`.
pub const MAX_IDS_PER_CONNECTION: usize = 4;

/// Largest awareness state accepted, in bytes of JSON: the default of
/// `--max-awareness-state-bytes`.
pub const MAX_STATE_BYTES: usize = 16 * 1024;

/// What one connection's awareness may hold, from the flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwarenessLimits {
    /// Client ids one connection may speak for, and entries in one message.
    pub max_ids: usize,
    pub max_state_bytes: usize,
}

impl Default for AwarenessLimits {
    fn default() -> Self {
        Self {
            max_ids: MAX_IDS_PER_CONNECTION,
            max_state_bytes: MAX_STATE_BYTES,
        }
    }
}

/// An awareness entry as received, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedEntry {
    pub client_id: u64,
    pub clock: u32,
    pub state: String,
}

struct Entry {
    clock: u32,
    /// `None` after the client removed itself; the clock is kept so an old message cannot
    /// bring it back.
    state: Option<String>,
    owner: ConnId,
    renewed: Instant,
}

#[derive(Default)]
pub struct AwarenessTable {
    entries: HashMap<u64, Entry>,
    limits: AwarenessLimits,
}

/// Why an awareness entry was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    OwnedByOther(u64),
    TooManyIds,
}

impl AwarenessTable {
    pub fn new(limits: AwarenessLimits) -> Self {
        Self {
            entries: HashMap::new(),
            limits,
        }
    }

    /// Applies entries from `conn`; returns the encoded update of what changed (to broadcast
    /// to everyone, the sender included: its echo keeps y-websocket clients from timing out),
    /// and the entries refused.
    pub fn apply(
        &mut self,
        conn: ConnId,
        may_take_over: impl Fn(ConnId) -> bool,
        incoming: &[OwnedEntry],
        now: Instant,
    ) -> (Option<Vec<u8>>, Vec<Refusal>) {
        let mut accepted = Vec::new();
        let mut refused = Vec::new();
        for entry in incoming {
            let owned_by_conn = self
                .entries
                .values()
                .filter(|e| e.owner == conn && e.state.is_some())
                .count();
            match self.entries.get_mut(&entry.client_id) {
                Some(existing) if existing.owner != conn && !may_take_over(existing.owner) => {
                    refused.push(Refusal::OwnedByOther(entry.client_id));
                }
                Some(existing) => {
                    let removal = entry.state == "null";
                    let newer = entry.clock > existing.clock
                        || (entry.clock == existing.clock && removal && existing.state.is_some());
                    existing.owner = conn;
                    existing.renewed = now;
                    if newer {
                        existing.clock = entry.clock;
                        existing.state = (!removal).then(|| entry.state.clone());
                        accepted.push(entry);
                    }
                }
                None if owned_by_conn >= self.limits.max_ids => refused.push(Refusal::TooManyIds),
                None => {
                    let removal = entry.state == "null";
                    self.entries.insert(
                        entry.client_id,
                        Entry {
                            clock: entry.clock,
                            state: (!removal).then(|| entry.state.clone()),
                            owner: conn,
                            renewed: now,
                        },
                    );
                    accepted.push(entry);
                }
            }
        }
        let update = (!accepted.is_empty()).then(|| {
            encode(
                accepted
                    .iter()
                    .map(|e| (e.client_id, e.clock, e.state.as_str())),
            )
        });
        (update, refused)
    }

    /// Removes every entry of a closed connection; returns the removal update to broadcast.
    pub fn remove_connection(&mut self, conn: ConnId) -> Option<Vec<u8>> {
        self.remove_where(|_, e| e.owner == conn)
    }

    /// Removes entries not renewed within [`AWARENESS_TIMEOUT`].
    pub fn expire(&mut self, now: Instant) -> Option<Vec<u8>> {
        self.remove_where(|_, e| now.duration_since(e.renewed) >= AWARENESS_TIMEOUT)
    }

    fn remove_where(&mut self, mut doomed: impl FnMut(&u64, &Entry) -> bool) -> Option<Vec<u8>> {
        let ids: Vec<u64> = self
            .entries
            .iter()
            .filter(|(id, e)| doomed(id, e))
            .map(|(id, _)| *id)
            .collect();
        let mut removed = Vec::new();
        for id in ids {
            if let Some(entry) = self.entries.remove(&id) {
                if entry.state.is_some() {
                    removed.push((id, entry.clock.saturating_add(1)));
                }
            }
        }
        (!removed.is_empty())
            .then(|| encode(removed.into_iter().map(|(id, clock)| (id, clock, "null"))))
    }

    /// Every present state, for a new or asking client.
    pub fn full_update(&self) -> Option<Vec<u8>> {
        let present: Vec<_> = self
            .entries
            .iter()
            .filter_map(|(id, e)| e.state.as_deref().map(|s| (*id, e.clock, s)))
            .collect();
        (!present.is_empty()).then(|| encode(present.into_iter()))
    }

    /// The connection of every entry, present or removed by its client.
    pub fn owners(&self) -> impl Iterator<Item = ConnId> + '_ {
        self.entries.values().map(|e| e.owner)
    }

    pub fn len(&self) -> usize {
        self.entries.values().filter(|e| e.state.is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn encode<'a>(entries: impl Iterator<Item = (u64, u32, &'a str)>) -> Vec<u8> {
    AwarenessUpdate {
        entries: entries
            .map(|(client_id, clock, state)| AwarenessEntry {
                client_id,
                clock,
                state,
            })
            .collect(),
    }
    .encode()
}

/// Checks a decoded awareness update from a client: states must be JSON objects or `null`,
/// within the size limit. Runs in the connection's task, off the session's.
pub fn validate(
    update: &AwarenessUpdate<'_>,
    limits: &AwarenessLimits,
) -> Result<Vec<OwnedEntry>, String> {
    if update.entries.len() > limits.max_ids {
        return Err(format!(
            "{} awareness entries in one message",
            update.entries.len()
        ));
    }
    update
        .entries
        .iter()
        .map(|e| {
            if e.state.len() > limits.max_state_bytes {
                return Err(format!("awareness state of {} bytes", e.state.len()));
            }
            // serde_json bounds its own recursion, so deep nesting is an error, not a crash.
            serde_json::from_str::<serde::de::IgnoredAny>(e.state)
                .map_err(|err| format!("awareness state is not JSON: {err}"))?;
            Ok(OwnedEntry {
                client_id: e.client_id,
                clock: e.clock,
                state: e.state.to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: u64, clock: u32, state: &str) -> OwnedEntry {
        OwnedEntry {
            client_id: id,
            clock,
            state: state.into(),
        }
    }

    #[test]
    fn a_connection_cannot_speak_for_another() {
        let mut table = AwarenessTable::default();
        let now = Instant::now();
        let (update, refused) = table.apply(1, |_| false, &[entry(7, 1, "{}")], now);
        assert!(update.is_some() && refused.is_empty());
        let (update, refused) = table.apply(2, |_| false, &[entry(7, 2, r#"{"evil":1}"#)], now);
        assert!(update.is_none());
        assert_eq!(refused, vec![Refusal::OwnedByOther(7)]);
    }

    #[test]
    fn stale_clocks_are_ignored_and_removal_wins_at_equal_clock() {
        let mut table = AwarenessTable::default();
        let now = Instant::now();
        table.apply(1, |_| false, &[entry(7, 5, "{}")], now);
        assert!(
            table
                .apply(1, |_| false, &[entry(7, 4, "{}")], now)
                .0
                .is_none()
        );
        assert!(
            table
                .apply(1, |_| false, &[entry(7, 5, "null")], now)
                .0
                .is_some()
        );
        assert!(table.is_empty());
    }

    #[test]
    fn closing_and_expiry_remove_entries() {
        let mut table = AwarenessTable::default();
        let now = Instant::now();
        table.apply(1, |_| false, &[entry(7, 1, "{}")], now);
        table.apply(2, |_| false, &[entry(8, 1, "{}")], now);
        let removal = table.remove_connection(1).unwrap();
        let decoded = AwarenessUpdate::decode(&removal).unwrap();
        assert_eq!(decoded.entries[0].client_id, 7);
        assert!(decoded.entries[0].is_removal());
        assert_eq!(decoded.entries[0].clock, 2);
        assert!(table.expire(now + Duration::from_secs(29)).is_none());
        assert!(table.expire(now + AWARENESS_TIMEOUT).is_some());
        assert!(table.is_empty());
    }

    #[test]
    fn limits_ids_per_connection_and_validates_json() {
        let mut table = AwarenessTable::default();
        let now = Instant::now();
        for id in 0..MAX_IDS_PER_CONNECTION as u64 {
            table.apply(1, |_| false, &[entry(id, 1, "{}")], now);
        }
        let (_, refused) = table.apply(1, |_| false, &[entry(99, 1, "{}")], now);
        assert_eq!(refused, vec![Refusal::TooManyIds]);
        let bad = AwarenessUpdate {
            entries: vec![AwarenessEntry {
                client_id: 1,
                clock: 1,
                state: "{nope",
            }],
        };
        assert!(validate(&bad, &AwarenessLimits::default()).is_err());
        let deep = "[".repeat(10_000);
        let deep = AwarenessUpdate {
            entries: vec![AwarenessEntry {
                client_id: 1,
                clock: 1,
                state: &deep,
            }],
        };
        assert!(validate(&deep, &AwarenessLimits::default()).is_err());
    }

    #[test]
    fn the_limits_come_from_the_flags() {
        let limits = AwarenessLimits {
            max_ids: 1,
            max_state_bytes: 8,
        };
        let mut table = AwarenessTable::new(limits);
        let now = Instant::now();
        table.apply(1, |_| false, &[entry(1, 1, "{}")], now);
        let (_, refused) = table.apply(1, |_| false, &[entry(2, 1, "{}")], now);
        assert_eq!(refused, vec![Refusal::TooManyIds]);
        let update = |state| AwarenessUpdate {
            entries: vec![AwarenessEntry {
                client_id: 1,
                clock: 2,
                state,
            }],
        };
        assert!(validate(&update(r#"{"a":1}"#), &limits).is_ok());
        assert!(validate(&update(r#"{"a":123}"#), &limits).is_err());
    }
}
