//! Command-line flags, each with an environment-variable twin (`WERKPLAATS_*`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use crate::limits::doc::DocLimits;
use crate::limits::net::NetLimits;
use crate::limits::session::SessionLimits;
use crate::limits::sync::SyncLimits;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreKind {
    /// Embedded SQLite database under `--data`.
    Sqlite,
    /// Nothing on disk: sessions are lost when the process ends (tests, demos).
    Memory,
}

/// What a stored batch has survived before its frames go out (`--sqlite-sync`); see
/// `store::sqlite::Durability`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SqliteSync {
    /// WAL written to the OS before delivery, fsynced every second: survives a killed
    /// process; a power loss may take the last second.
    Normal,
    /// WAL fsynced before delivery: survives power loss too; every batch waits for the disk.
    Full,
}

impl From<SqliteSync> for crate::store::sqlite::Durability {
    fn from(sync: SqliteSync) -> Self {
        match sync {
            SqliteSync::Normal => Self::Normal,
            SqliteSync::Full => Self::Full,
        }
    }
}

#[derive(Debug, Clone, Parser)]
#[command(
    name = "werkplaats",
    version,
    about = "Werkplaats session server for hybrid workshops"
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "WERKPLAATS_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Directory of the embedded store.
    #[arg(long, env = "WERKPLAATS_DATA", default_value = "./data")]
    pub data: PathBuf,

    /// Where sessions are stored.
    #[arg(long, env = "WERKPLAATS_STORE", value_enum, default_value = "sqlite")]
    pub store: StoreKind,

    /// When the SQLite store fsyncs: `normal` (every second; a batch is delivered once it is
    /// written to the OS, which survives a killed process) or `full` (before every batch is
    /// delivered, which also survives power loss).
    #[arg(
        long,
        env = "WERKPLAATS_SQLITE_SYNC",
        value_enum,
        default_value = "normal"
    )]
    pub sqlite_sync: SqliteSync,

    /// Directory with the built web client; served at `/`.
    #[arg(long, env = "WERKPLAATS_WEB", default_value = "web-client/dist")]
    pub web: PathBuf,

    /// Most simultaneous TCP connections; further ones wait in the kernel's backlog.
    #[arg(long, env = "WERKPLAATS_MAX_CONNECTIONS", default_value_t = 10_000)]
    pub max_connections: usize,

    /// Largest websocket message accepted, in bytes.
    #[arg(long, env = "WERKPLAATS_MAX_MESSAGE_BYTES", default_value_t = 1024 * 1024)]
    pub max_message_bytes: usize,

    /// Messages queued for one client before it counts as too slow and is disconnected.
    /// Allocated only while a client is behind. 512 was 26 ms of traffic for a client of a
    /// session of 50 typing fast (S5 at 980k deliveries/s), and clients were closed for a
    /// hiccup of the load generator; 2048 rides out about 100 ms (at most ~200 KB of small
    /// updates per lagging client).
    #[arg(long, env = "WERKPLAATS_OUTBOUND_QUEUE", default_value_t = 2048)]
    pub outbound_queue: usize,

    /// Seconds a session stays loaded without connections.
    #[arg(long, env = "WERKPLAATS_SESSION_IDLE_SECS", default_value_t = 300)]
    pub session_idle_secs: u64,

    /// Length of one template minute in milliseconds (shorter for demos and tests).
    #[arg(
        long,
        env = "WERKPLAATS_MINUTE_MS",
        default_value_t = 60_000,
        hide = true
    )]
    pub minute_ms: u64,

    /// Days without activity after which a session is deleted with all its data.
    #[arg(
        long,
        env = "WERKPLAATS_RETENTION_DAYS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub retention_days: u32,

    /// Join attempts per client address per minute.
    #[arg(long, env = "WERKPLAATS_JOIN_PER_MINUTE", default_value_t = 20)]
    pub join_per_minute: u32,

    #[command(flatten)]
    pub net: NetLimits,

    #[command(flatten)]
    pub doc: DocLimits,

    #[command(flatten)]
    pub session: SessionLimits,

    #[command(flatten)]
    pub sync: SyncLimits,
}

impl Config {
    /// A configuration for tests: loopback, port 0, memory store, and no limit on creating
    /// sessions (every test is one address creating many; the limit has its own test).
    pub fn for_tests() -> Self {
        let mut config = Config::parse_from(["werkplaats"]);
        config.bind = "127.0.0.1:0".parse().expect("valid address");
        config.store = StoreKind::Memory;
        config.net.create_per_minute = 1_000_000;
        config
    }

    pub fn session_idle(&self) -> Duration {
        Duration::from_secs(self.session_idle_secs)
    }
}
