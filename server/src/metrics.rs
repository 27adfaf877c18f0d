//! Process-wide counters, rendered as Prometheus text at `/metrics`.
//!
//! Plain relaxed atomics: each counter is independent and a scrape needs no consistent cut.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::ws::BadControlKind;

#[derive(Debug, Default)]
pub struct Metrics {
    pub connections_open: AtomicU64,
    pub connections_total: AtomicU64,
    pub sessions_live: AtomicU64,
    pub sessions_loaded_total: AtomicU64,
    pub messages_in: AtomicU64,
    pub messages_out: AtomicU64,
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
    pub slow_client_disconnects: AtomicU64,
    pub rejected_inputs: AtomicU64,
    pub schema_violations: AtomicU64,
    pub session_panics: AtomicU64,
    pub store_errors: AtomicU64,
    pub joins_rate_limited: AtomicU64,
    pub bad_control_syntax: AtomicU64,
    pub bad_control_shape: AtomicU64,
    pub bad_control_too_large: AtomicU64,
    pub pending_refused: AtomicU64,
    pub ws_silent_closed: AtomicU64,
    pub ws_unanswered_pings: AtomicU64,
}

impl Metrics {
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Relaxed);
    }

    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Relaxed);
    }

    pub fn dec(counter: &AtomicU64) {
        counter.fetch_sub(1, Relaxed);
    }

    /// The counter of malformed control messages of one kind.
    pub fn bad_control(&self, kind: BadControlKind) -> &AtomicU64 {
        match kind {
            BadControlKind::Syntax => &self.bad_control_syntax,
            BadControlKind::Shape => &self.bad_control_shape,
            BadControlKind::TooLarge => &self.bad_control_too_large,
        }
    }

    pub fn render(&self) -> String {
        let rows: [(&str, &str, &str, &AtomicU64); 20] = [
            (
                "werkplaats_connections",
                "gauge",
                "Open websocket connections.",
                &self.connections_open,
            ),
            (
                "werkplaats_connections_total",
                "counter",
                "Websocket connections accepted.",
                &self.connections_total,
            ),
            (
                "werkplaats_sessions_live",
                "gauge",
                "Sessions loaded in memory.",
                &self.sessions_live,
            ),
            (
                "werkplaats_sessions_loaded_total",
                "counter",
                "Session loads.",
                &self.sessions_loaded_total,
            ),
            (
                "werkplaats_messages_in_total",
                "counter",
                "Websocket messages received.",
                &self.messages_in,
            ),
            (
                "werkplaats_messages_out_total",
                "counter",
                "Websocket messages sent.",
                &self.messages_out,
            ),
            (
                "werkplaats_bytes_in_total",
                "counter",
                "Websocket payload bytes received.",
                &self.bytes_in,
            ),
            (
                "werkplaats_bytes_out_total",
                "counter",
                "Websocket payload bytes sent.",
                &self.bytes_out,
            ),
            (
                "werkplaats_slow_client_disconnects_total",
                "counter",
                "Clients disconnected because their queue was full.",
                &self.slow_client_disconnects,
            ),
            (
                "werkplaats_rejected_inputs_total",
                "counter",
                "Client messages refused as invalid or forbidden.",
                &self.rejected_inputs,
            ),
            (
                "werkplaats_schema_violations_total",
                "counter",
                "Document updates refused for changing what the workshop's schema keeps from clients.",
                &self.schema_violations,
            ),
            (
                "werkplaats_session_panics_total",
                "counter",
                "Panics contained in a session and recovered by reloading it.",
                &self.session_panics,
            ),
            (
                "werkplaats_store_errors_total",
                "counter",
                "Failed store operations.",
                &self.store_errors,
            ),
            (
                "werkplaats_joins_rate_limited_total",
                "counter",
                "Join attempts refused by the rate limit.",
                &self.joins_rate_limited,
            ),
            (
                "werkplaats_bad_control_syntax_total",
                "counter",
                "Control messages that were not JSON.",
                &self.bad_control_syntax,
            ),
            (
                "werkplaats_bad_control_shape_total",
                "counter",
                "Control messages that were JSON but no known command.",
                &self.bad_control_shape,
            ),
            (
                "werkplaats_bad_control_too_large_total",
                "counter",
                "Control messages larger than the control limit.",
                &self.bad_control_too_large,
            ),
            (
                "werkplaats_pending_refused_total",
                "counter",
                "Connections closed at accept: their address held too many without a request.",
                &self.pending_refused,
            ),
            (
                "werkplaats_ws_silent_closed_total",
                "counter",
                "Websockets closed for sending no sync step 1, update or hello in time.",
                &self.ws_silent_closed,
            ),
            (
                "werkplaats_ws_unanswered_pings_total",
                "counter",
                "Websockets closed for answering no ping in time.",
                &self.ws_unanswered_pings,
            ),
        ];
        let mut out = String::with_capacity(2048);
        for (name, kind, help, value) in rows {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {}",
                value.load(Relaxed)
            );
        }
        out
    }
}
