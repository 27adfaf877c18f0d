//! Test harness: the real server on `127.0.0.1:0` and real websocket clients that speak the
//! y-websocket protocol with their own yrs documents.
//!
//! - [`TestServer`]: starts the server with a chosen store and config.
//! - [`ServerProcess`]: the real `werkplaats` binary as a child process, for restarts and
//!   crashes.
//! - [`YClient`]: a Yjs peer (tokio-tungstenite + yrs) that answers sync, applies updates,
//!   tracks awareness and control events, and records how the server closed it.

pub mod client;
pub mod inprocess;
pub mod process;
pub mod server;

pub use client::{ClosedWith, YClient};
pub use process::{Launch, ServerProcess};
pub use server::{CreatedSession, Joined, TestServer};

/// Logs to the test output when `RUST_LOG` is set.
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

/// Polls `condition` every 5 ms until it holds or `timeout` passes.
pub async fn eventually(timeout: std::time::Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// Asserts that an API answer is an error of `status` with the JSON `error` code `code`.
pub async fn assert_api_error(response: reqwest::Response, status: u16, code: &str) {
    assert_eq!(response.status(), status);
    let body: serde_json::Value = response.json().await.expect("a JSON error body");
    assert_eq!(body["error"], code, "{body}");
}
