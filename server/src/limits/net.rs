//! Limits on connections and HTTP: how long a client may take to say something, how many
//! half-open connections one address may hold, and what a connection's control messages may be.

use std::time::Duration;

use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct NetLimits {
    /// Seconds a client may take to send a request's headers; also how long an idle keep-alive
    /// connection stays open, and how long a websocket handshake may take.
    #[arg(long, env = "WERKPLAATS_HEADER_READ_TIMEOUT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_secs: u64,

    /// Seconds a client may take to send a request's body.
    #[arg(long, env = "WERKPLAATS_BODY_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout_secs: u64,

    /// Connections per client address (IPv6: per /64) that have not yet sent a whole request.
    /// Further ones are closed at once. A room behind one NAT opens a handful per browser.
    #[arg(long, env = "WERKPLAATS_MAX_PENDING_PER_ADDRESS", default_value_t = 128,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_pending_per_address: u32,

    /// Seconds a websocket may take to send its first sync step 1, update or hello; one that
    /// only answers pings is closed (1008).
    #[arg(long, env = "WERKPLAATS_WS_FIRST_MESSAGE_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub ws_first_message_secs: u64,

    /// Seconds between the server's pings on a websocket.
    #[arg(long, env = "WERKPLAATS_WS_PING_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub ws_ping_secs: u64,

    /// Seconds a websocket may take to answer a ping (or send anything) before it counts as
    /// dead and is closed.
    #[arg(long, env = "WERKPLAATS_WS_PONG_TIMEOUT_SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub ws_pong_timeout_secs: u64,

    /// Largest control (JSON) message a client may send, in bytes; a larger one is answered
    /// with `bad_request` and counts as malformed. The largest command a client sends is a
    /// post-it or a next step, a few kilobytes at most.
    #[arg(long, env = "WERKPLAATS_MAX_CONTROL_BYTES",
          default_value_t = werkplaats_protocol::control::MAX_CONTROL_BYTES as u32,
          value_parser = clap::value_parser!(u32).range(1024..=(16 << 20)))]
    pub max_control_bytes: u32,

    /// Malformed control messages one connection may send before it is closed with 1008. A
    /// few, not one: a client of another protocol version may send a command this server does
    /// not know, and should get the error event, not a disconnect.
    #[arg(long, env = "WERKPLAATS_MAX_BAD_CONTROL_MESSAGES",
          default_value_t = crate::ws::bad_input::MAX_BAD_CONTROL,
          value_parser = clap::value_parser!(u8).range(1..))]
    pub max_bad_control_messages: u8,

    /// Sessions one address (IPv6: per /64) may create per minute (also the burst).
    #[arg(long, env = "WERKPLAATS_CREATE_PER_MINUTE", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub create_per_minute: u32,

    /// Largest workshop template a new session may bring, in bytes (the built-in route is
    /// 26 KB as TOML).
    #[arg(long, env = "WERKPLAATS_MAX_TEMPLATE_BYTES", default_value_t = 64 * 1024,
          value_parser = clap::value_parser!(u32).range(1024..=(1 << 20)))]
    pub max_template_bytes: u32,

    /// Disk the SQLite store may take (or memory the memory store may hold), in bytes; above it
    /// no session is created (507) while existing ones go on.
    #[arg(long, env = "WERKPLAATS_MAX_STORE_BYTES", default_value_t = 10 << 30)]
    pub max_store_bytes: u64,

    /// Another origin whose pages may open websockets (besides the server's own), e.g. an
    /// intranet page that embeds the client. Repeat the flag, or separate with commas.
    #[arg(
        long = "allowed-origin",
        env = "WERKPLAATS_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,

    /// When set, `/metrics` takes this key (`Authorization: Bearer KEY`) from anyone; when
    /// not, only loopback addresses may read it.
    #[arg(long, env = "WERKPLAATS_METRICS_KEY")]
    pub metrics_key: Option<AccessKey>,

    /// When set, creating a session takes this key (`Authorization: Bearer KEY`): for a server
    /// on the open internet where only known facilitators start workshops.
    #[arg(long, env = "WERKPLAATS_CREATE_KEY")]
    pub create_key: Option<AccessKey>,
}

/// A key a client must present (creating sessions, reading metrics); never printed (the
/// configuration's `Debug` output may reach a log).
#[derive(Clone)]
pub struct AccessKey(String);

impl AccessKey {
    /// Compares in time independent of where `offered` differs, so the key cannot be found
    /// byte by byte from response times.
    pub fn matches(&self, offered: &str) -> bool {
        use sha2::{Digest, Sha256};
        let want = Sha256::digest(self.0.as_bytes());
        let got = Sha256::digest(offered.as_bytes());
        want.iter()
            .zip(got.iter())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
    }
}

impl std::str::FromStr for AccessKey {
    type Err = &'static str;

    fn from_str(key: &str) -> Result<Self, Self::Err> {
        if key.len() < 16 {
            return Err("a key must be at least 16 characters");
        }
        Ok(AccessKey(key.to_owned()))
    }
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessKey(***)")
    }
}

impl NetLimits {
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_secs)
    }

    pub fn body_timeout(&self) -> Duration {
        Duration::from_secs(self.body_timeout_secs)
    }

    pub fn ws_timers(&self) -> WsTimers {
        WsTimers {
            first_message: Duration::from_secs(self.ws_first_message_secs),
            ping_every: Duration::from_secs(self.ws_ping_secs),
            pong_timeout: Duration::from_secs(self.ws_pong_timeout_secs),
        }
    }
}

/// The timers of one websocket, copied out of the flags once.
#[derive(Debug, Clone, Copy)]
pub struct WsTimers {
    /// Until the client's first sync step 1, update or hello.
    pub first_message: Duration,
    pub ping_every: Duration,
    /// After a ping, until anything arrives from the client.
    pub pong_timeout: Duration,
}
