//! An in-memory [`Store`]: for tests and for running without a disk. Keeps the same contract as
//! the durable stores (sequence numbers, compaction, unique join codes), so tests that run
//! against it mean something for the others.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{LoadedSession, SessionRow, Store, StoreError, StoreFuture, UpdateBatch};

#[derive(Default)]
pub struct MemoryStore {
    sessions: Mutex<HashMap<String, Stored>>,
}

struct Stored {
    loaded: LoadedSession,
    next_seq: u64,
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn with_session<T>(&self, id: &str, f: impl FnOnce(&mut Stored) -> T) -> Result<T, StoreError> {
        let mut sessions = self.sessions.lock().expect("memory store poisoned");
        let stored = sessions
            .get_mut(id)
            .ok_or_else(|| StoreError::NotFound(id.to_owned()))?;
        stored.loaded.last_active_ms = now_ms();
        Ok(f(stored))
    }
}

impl Store for MemoryStore {
    fn held_bytes(&self) -> Option<u64> {
        // Summed when asked (only on session creation, which is rate-limited) rather than kept
        // as a running count that every write would have to adjust.
        let sessions = self.sessions.lock().expect("memory store poisoned");
        let bytes = sessions
            .values()
            .map(|s| {
                let loaded = &s.loaded;
                let log: usize = loaded.updates.iter().map(|(_, u)| u.len()).sum();
                loaded.meta.len()
                    + loaded.state.len()
                    + loaded.snapshot.as_ref().map_or(0, Vec::len)
                    + log
            })
            .sum::<usize>();
        Some(bytes as u64)
    }

    fn create_session(&self, row: SessionRow, mut meta: Vec<u8>) -> StoreFuture<'_, ()> {
        meta.shrink_to_fit();
        let result = (|| {
            let mut sessions = self.sessions.lock().expect("memory store poisoned");
            if sessions
                .values()
                .any(|s| s.loaded.join_code == row.join_code)
            {
                return Err(StoreError::JoinCodeTaken);
            }
            let loaded = LoadedSession {
                id: row.id.clone(),
                join_code: row.join_code,
                created_at_ms: row.created_at_ms,
                last_active_ms: now_ms(),
                meta,
                ..LoadedSession::default()
            };
            sessions.insert(
                row.id,
                Stored {
                    loaded,
                    next_seq: 1,
                },
            );
            Ok(())
        })();
        Box::pin(async move { result })
    }

    fn session_by_join_code<'a>(&'a self, join_code: &'a str) -> StoreFuture<'a, Option<String>> {
        let sessions = self.sessions.lock().expect("memory store poisoned");
        let found = sessions
            .values()
            .find(|s| s.loaded.join_code == join_code)
            .map(|s| s.loaded.id.clone());
        Box::pin(async move { Ok(found) })
    }

    fn set_join_code<'a>(&'a self, id: &'a str, join_code: &'a str) -> StoreFuture<'a, ()> {
        let result = (|| {
            let mut sessions = self.sessions.lock().expect("memory store poisoned");
            if sessions
                .values()
                .any(|s| s.loaded.join_code == join_code && s.loaded.id != id)
            {
                return Err(StoreError::JoinCodeTaken);
            }
            let stored = sessions
                .get_mut(id)
                .ok_or_else(|| StoreError::NotFound(id.to_owned()))?;
            stored.loaded.join_code = join_code.to_owned();
            stored.loaded.last_active_ms = now_ms();
            Ok(())
        })();
        Box::pin(async move { result })
    }

    fn load_session<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<LoadedSession>> {
        let sessions = self.sessions.lock().expect("memory store poisoned");
        let found = sessions.get(id).map(|s| s.loaded.clone());
        Box::pin(async move { Ok(found) })
    }

    fn append_updates<'a>(&'a self, id: &'a str, updates: UpdateBatch) -> StoreFuture<'a, u64> {
        let result = self.with_session(id, |stored| {
            for update in &updates {
                let seq = stored.next_seq;
                stored.next_seq += 1;
                stored.loaded.updates.push((seq, update.to_vec()));
            }
            stored.next_seq - 1
        });
        Box::pin(async move { result })
    }

    fn save_state<'a>(
        &'a self,
        id: &'a str,
        mut meta: Vec<u8>,
        mut state: Vec<u8>,
    ) -> StoreFuture<'a, ()> {
        // Kept for as long as the server runs: without the slack a growing serializer leaves
        // (the metadata, with its template, is about 20 KB in a 32 KB buffer; bench/NOTES.md, *S2*).
        meta.shrink_to_fit();
        state.shrink_to_fit();
        let result = self.with_session(id, |stored| {
            stored.loaded.meta = meta;
            stored.loaded.state = state;
        });
        Box::pin(async move { result })
    }

    fn compact<'a>(&'a self, id: &'a str, snapshot: Vec<u8>, upto_seq: u64) -> StoreFuture<'a, ()> {
        let result = self.with_session(id, |stored| {
            stored.loaded.snapshot = Some(snapshot);
            stored.loaded.updates.retain(|(seq, _)| *seq > upto_seq);
        });
        Box::pin(async move { result })
    }

    fn delete_session<'a>(&'a self, id: &'a str) -> StoreFuture<'a, bool> {
        let existed = self
            .sessions
            .lock()
            .expect("memory store poisoned")
            .remove(id)
            .is_some();
        Box::pin(async move { Ok(existed) })
    }

    fn expire_before(&self, cutoff_ms: i64) -> StoreFuture<'_, Vec<String>> {
        let mut sessions = self.sessions.lock().expect("memory store poisoned");
        let expired: Vec<String> = sessions
            .values()
            .filter(|s| s.loaded.last_active_ms < cutoff_ms)
            .map(|s| s.loaded.id.clone())
            .collect();
        for id in &expired {
            sessions.remove(id);
        }
        Box::pin(async move { Ok(expired) })
    }
}
