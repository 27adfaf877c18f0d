//! Limits on connections and HTTP: how long a client may take to say something, and how many
//! half-open connections one address may hold.

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
