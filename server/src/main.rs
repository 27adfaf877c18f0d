//! `werkplaats`: the session server binary.

use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use tracing_subscriber::EnvFilter;
use werkplaats_server::config::StoreKind;
use werkplaats_server::store::Store;
use werkplaats_server::store::memory::MemoryStore;
use werkplaats_server::store::sqlite::SqliteStore;
use werkplaats_server::{Config, Server};

/// Worker-thread stack. yrs walks nested shared types recursively; with the per-document bound
/// on shared types this leaves a wide margin, which the 2 MiB default does not.
const WORKER_STACK_BYTES: usize = 32 * 1024 * 1024;

fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(WORKER_STACK_BYTES)
        .build()
        .context("cannot start the async runtime")?
        .block_on(serve(config))
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let store = open_store(&config).await?;
    let server = Server::start(config, store).await?;
    shutdown_signal().await;
    server.shutdown().await;
    Ok(())
}

async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    match config.store {
        StoreKind::Memory => {
            tracing::warn!("memory store: sessions are lost when the server stops");
            Ok(Arc::new(MemoryStore::new()))
        }
        StoreKind::Sqlite => {
            let dir = config.data.clone();
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
            let path = dir.join("werkplaats.sqlite3");
            let durability = config.sqlite_sync.into();
            let store =
                tokio::task::spawn_blocking(move || SqliteStore::open_durable(&path, durability))
                    .await?
                    .context("cannot open the store")?;
            Ok(Arc::new(store))
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
