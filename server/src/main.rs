//! `werkplaats`: the session server binary.

use std::sync::Arc;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use werkplaats_server::config::StoreKind;
use werkplaats_server::store::Store;
use werkplaats_server::store::memory::MemoryStore;
use werkplaats_server::{Config, Server};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let store = open_store(&config)?;
    let server = Server::start(config, store).await?;
    shutdown_signal().await;
    server.shutdown().await;
    Ok(())
}

fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    match config.store {
        StoreKind::Memory => {
            tracing::warn!("memory store: sessions are lost when the server stops");
            Ok(Arc::new(MemoryStore::new()))
        }
        StoreKind::Sqlite => {
            anyhow::bail!("the SQLite store is not built in yet; run with --store memory")
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
