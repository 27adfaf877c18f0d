//! Retention: sessions without activity for `--retention-days` are deleted with all their data.
//!
//! "Activity" is what the store records as `last_active_ms`: every accepted document update,
//! metadata save and compaction. A background task runs once at start-up (so a server that was
//! down for a month cleans up before anyone can load an expired session) and then every
//! [`RETENTION_EVERY`].
//!
//! The deletion happens in the store first (one transaction, scrubbed from the file), and only
//! then are the deleted sessions evicted from the registry. In that order, a session task that
//! loaded the session before the deletion is told to end, and one that starts afterwards finds
//! nothing; either way no in-memory copy can write the session back or serve it again.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::session::registry::Registry;
use crate::store::{Store, StoreError, now_ms};

/// How often expired sessions are looked for after the first run at start-up.
pub const RETENTION_EVERY: Duration = Duration::from_secs(60 * 60);

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Deletes every session whose last activity is more than `days` days before `now_ms`, evicts
/// their live tasks, and returns their ids.
///
/// `now_ms` is a parameter so tests can move the clock instead of waiting for a month.
pub async fn expire_once(
    store: &dyn Store,
    registry: &Registry,
    days: u32,
    now_ms: i64,
) -> Result<Vec<String>, StoreError> {
    let cutoff = now_ms.saturating_sub(i64::from(days).saturating_mul(DAY_MS));
    let expired = store.expire_before(cutoff).await?;
    for id in &expired {
        registry.evict(id);
    }
    Ok(expired)
}

/// Runs [`expire_once`] now and then every [`RETENTION_EVERY`] until `shutdown` is cancelled.
/// A failing run is logged and retried at the next tick: the data stays until a run succeeds.
pub async fn run(
    store: Arc<dyn Store>,
    registry: Arc<Registry>,
    days: u32,
    shutdown: CancellationToken,
) {
    let mut every = tokio::time::interval(RETENTION_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = shutdown.cancelled() => return,
        }
        match expire_once(store.as_ref(), &registry, days, now_ms()).await {
            Ok(expired) if expired.is_empty() => {
                tracing::debug!(days, "retention: no session expired");
            }
            Ok(expired) => tracing::info!(
                days,
                removed = expired.len(),
                "retention: removed {} session(s) idle for more than {days} day(s)",
                expired.len()
            ),
            Err(err) => tracing::error!(%err, "retention: expiring sessions failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::metrics::Metrics;
    use crate::session::registry::SessionContext;
    use crate::store::SessionRow;
    use crate::store::memory::MemoryStore;
    use tokio_util::task::TaskTracker;

    fn registry(store: Arc<dyn Store>) -> Arc<Registry> {
        Registry::new(SessionContext {
            store,
            config: Config::for_tests(),
            metrics: Arc::new(Metrics::default()),
            shutdown: CancellationToken::new(),
            tasks: TaskTracker::new(),
            clock: crate::clock::ServerClock::new(),
        })
    }

    #[tokio::test]
    async fn only_sessions_idle_longer_than_the_retention_go() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let registry = registry(Arc::clone(&store));
        let row = SessionRow {
            id: "s1".into(),
            join_code: "CODE1".into(),
            created_at_ms: now_ms(),
        };
        store.create_session(row, b"{}".to_vec()).await.unwrap();
        let now = now_ms();

        let kept = expire_once(store.as_ref(), &registry, 30, now + 29 * DAY_MS).await;
        assert_eq!(kept.unwrap(), Vec::<String>::new());
        assert!(store.load_session("s1").await.unwrap().is_some());

        let gone = expire_once(store.as_ref(), &registry, 30, now + 31 * DAY_MS).await;
        assert_eq!(gone.unwrap(), vec!["s1".to_owned()]);
        assert!(store.load_session("s1").await.unwrap().is_none());
    }
}
