//! The running server: shared state, start-up and graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::listener::LimitedListener;
use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;
use crate::session::registry::{Registry, SessionContext};
use crate::store::Store;

/// How long shutdown waits for sessions to flush and sockets to close.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// State shared by every handler.
pub struct App {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub registry: Arc<Registry>,
    pub metrics: Arc<Metrics>,
    pub join_limiter: RateLimiter,
    /// Session creations per address (`--create-per-minute`).
    pub create_limiter: RateLimiter,
    /// Websockets per address refused for an unknown session or a wrong token
    /// (`--join-per-minute`): guessing a token or a session id costs like guessing a code.
    pub auth_failure_limiter: RateLimiter,
    pub frame_limits: crate::ws::FrameLimits,
    /// Cancelled at shutdown: sessions flush, connections close with 1001.
    pub shutdown: CancellationToken,
    /// Session and connection tasks, so shutdown can wait for them.
    pub tasks: TaskTracker,
    pub next_conn: AtomicU64,
}

/// A server listening on a socket; dropped or shut down, it stops.
pub struct Server {
    addr: SocketAddr,
    app: Arc<App>,
    stop_accepting: CancellationToken,
    serving: JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Binds `config.bind` and starts serving in the background.
    pub async fn start(config: Config, store: Arc<dyn Store>) -> anyhow::Result<Server> {
        let listener = TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let addr = listener.local_addr()?;
        tracing::info!(%addr, "listening on http://{addr}");
        let metrics = Arc::new(Metrics::default());
        let shutdown = CancellationToken::new();
        let tasks = TaskTracker::new();
        let registry = Registry::new(SessionContext {
            store: Arc::clone(&store),
            config: config.clone(),
            metrics: Arc::clone(&metrics),
            shutdown: shutdown.clone(),
            tasks: tasks.clone(),
            clock: crate::clock::ServerClock::new(),
        });
        let frame_limits = crate::ws::FrameLimits::from_config(&config);
        let app = Arc::new(App {
            join_limiter: RateLimiter::per_minute(config.join_per_minute),
            create_limiter: RateLimiter::per_minute(config.net.create_per_minute),
            auth_failure_limiter: RateLimiter::per_minute(config.join_per_minute),
            config: config.clone(),
            store,
            registry,
            metrics,
            frame_limits,
            shutdown,
            tasks,
            next_conn: AtomicU64::new(1),
        });
        // Tracked, so shutdown waits for a running expiry instead of cutting it off.
        app.tasks.spawn(crate::retention::run(
            Arc::clone(&app.store),
            Arc::clone(&app.registry),
            config.retention_days,
            app.shutdown.clone(),
        ));
        let router = crate::http::router(Arc::clone(&app));
        let stop_accepting = CancellationToken::new();
        let stop = stop_accepting.clone();
        let listener = LimitedListener::new(listener, config.max_connections);
        let metrics = Arc::clone(&app.metrics);
        let serving = tokio::spawn(async move {
            crate::serve::serve(listener, router, &config.net, metrics, stop).await
        });
        Ok(Server {
            addr,
            app,
            stop_accepting,
            serving,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// Stops accepting, closes every socket with 1001 so clients reconnect elsewhere or later,
    /// and waits for every session to flush to the store.
    pub async fn shutdown(self) {
        tracing::info!("shutting down");
        self.stop_accepting.cancel();
        self.app.shutdown.cancel();
        self.app.tasks.close();
        if tokio::time::timeout(SHUTDOWN_GRACE, self.app.tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!("some sessions or connections did not finish in time");
        }
        match tokio::time::timeout(SHUTDOWN_GRACE, self.serving).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(err))) => tracing::warn!(%err, "server ended with an error"),
            Ok(Err(err)) => tracing::warn!(%err, "server task failed"),
            Err(_) => tracing::warn!("HTTP connections did not close in time"),
        }
        tracing::info!("stopped");
    }
}
