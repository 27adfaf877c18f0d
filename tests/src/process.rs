//! The real `werkplaats` binary as a child process: start it on a data directory, stop it with
//! SIGTERM or SIGKILL, start it again on the same data.
//!
//! `CARGO_BIN_EXE_werkplaats` only exists inside the server's own package, so
//! [`werkplaats_binary`] builds the binary with the cargo that runs the tests (once per test
//! process; cargo's own lock serialises concurrent builds) and asks cargo where it put it. Set
//! `WERKPLAATS_BIN` to use a prebuilt binary instead.
//!
//! The server listens on `127.0.0.1:0`; the address is read from its "listening on" log line.
//! Its output (the log on stdout, fatal errors on stderr) is kept (see [`ServerProcess::log`])
//! and echoed when `WERKPLAATS_TEST_LOG` is set.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;

use crate::server::{CreatedSession, Joined};

/// How long a starting server may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a stopping server may take to exit.
const STOP_TIMEOUT: Duration = Duration::from_secs(20);

/// The path of the `werkplaats` binary, built on first use in the tests' own profile.
pub fn werkplaats_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| match std::env::var_os("WERKPLAATS_BIN") {
            Some(path) => PathBuf::from(path),
            None => build_binary().expect("building the werkplaats binary"),
        })
        .clone()
}

fn build_binary() -> anyhow::Result<PathBuf> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("the tests crate lives in the workspace")?;
    // The cargo that built these tests, so toolchain and target directory match.
    let cargo = std::env::var_os("CARGO")
        .or_else(|| option_env!("CARGO").map(Into::into))
        .unwrap_or_else(|| "cargo".into());
    let mut command = std::process::Command::new(cargo);
    command.current_dir(workspace).args([
        "build",
        "--package",
        "werkplaats-server",
        "--bin",
        "werkplaats",
        "--message-format=json-render-diagnostics",
    ]);
    // A release build of the tests (the benchmark) measures a release server.
    if !cfg!(debug_assertions) {
        command.arg("--release");
    }
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo build")?;
    if !output.status.success() {
        bail!(
            "cargo build of the werkplaats binary failed: {}",
            output.status
        );
    }
    // One JSON message per line; the binary's artifact names its executable.
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] == "compiler-artifact" && message["target"]["name"] == "werkplaats" {
            if let Some(path) = message["executable"].as_str() {
                return Ok(PathBuf::from(path));
            }
        }
    }
    bail!("cargo build did not report the werkplaats executable")
}

/// How to start the server, beyond its data directory.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// `--store memory` instead of the default SQLite store.
    pub memory_store: bool,
    /// Further command-line arguments.
    pub args: Vec<String>,
    /// Run as this user and group (root only; to make file modes count).
    pub run_as: Option<(u32, u32)>,
    /// Ignore SIGXFSZ, so a file-size limit set later (see [`ServerProcess::limit_file_size`])
    /// makes writes fail like on a full disk instead of killing the process.
    pub survive_file_size_limit: bool,
}

/// A running `werkplaats` process. Dropping it kills the process.
pub struct ServerProcess {
    child: Child,
    pid: i32,
    addr: SocketAddr,
    pub data: PathBuf,
    pub http: reqwest::Client,
    log: Arc<Mutex<Vec<String>>>,
}

impl ServerProcess {
    /// Starts the server with the SQLite store in `data` and waits until it listens.
    pub async fn start(data: &Path) -> Self {
        Self::start_with(data, Launch::default())
            .await
            .expect("server starts")
    }

    pub async fn start_with(data: &Path, launch: Launch) -> anyhow::Result<Self> {
        let mut command = Command::new(werkplaats_binary());
        command
            .arg("--bind=127.0.0.1:0")
            .arg("--data")
            .arg(data)
            // No web client: the placeholder page is enough and start-up stays quick.
            .arg("--web")
            .arg(data.join("no-web-client"))
            .args(&launch.args)
            // Tests create many sessions from one address; a flag in `launch.args` wins.
            .env("WERKPLAATS_CREATE_PER_MINUTE", "100000")
            .env("NO_COLOR", "1")
            .env(
                "RUST_LOG",
                std::env::var("WERKPLAATS_SERVER_LOG").unwrap_or("info".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if launch.memory_store {
            command.arg("--store=memory");
        }
        if let Some((uid, gid)) = launch.run_as {
            command.uid(uid).gid(gid);
        }
        if launch.survive_file_size_limit {
            werkplaats_sys::ignore_sigxfsz_in_child(command.as_std_mut());
        }
        let mut child = command.spawn().context("spawning werkplaats")?;
        let pid = child.id().context("child has a pid")? as i32;
        let log = Arc::new(Mutex::new(Vec::new()));
        let (ready, listening) = oneshot::channel();
        let stdout = child.stdout.take().context("piped stdout")?;
        let stderr = child.stderr.take().context("piped stderr")?;
        tokio::spawn(collect_log(stdout, Arc::clone(&log), Some(ready)));
        tokio::spawn(collect_log(stderr, Arc::clone(&log), None));
        let addr = match tokio::time::timeout(START_TIMEOUT, listening).await {
            Ok(Ok(addr)) => addr,
            Ok(Err(_)) => {
                let status = tokio::time::timeout(STOP_TIMEOUT, child.wait()).await;
                bail!(
                    "werkplaats exited before listening ({status:?}):\n{}",
                    log.lock().unwrap().join("\n")
                );
            }
            Err(_) => bail!(
                "werkplaats did not listen within {START_TIMEOUT:?}:\n{}",
                log.lock().unwrap().join("\n")
            ),
        };
        Ok(Self {
            child,
            pid,
            addr,
            data: data.to_owned(),
            http: reqwest::Client::new(),
            log,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn pid(&self) -> i32 {
        self.pid
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn ws_url(&self, session_id: &str, token: &str) -> String {
        format!("ws://{}/ws/{}?token={}", self.addr, session_id, token)
    }

    /// Everything the server logged so far, one line per entry.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    /// Waits until a log line contains `needle`.
    pub async fn wait_for_log(&self, needle: &str, timeout: Duration) -> bool {
        crate::eventually(timeout, || {
            self.log.lock().unwrap().iter().any(|l| l.contains(needle))
        })
        .await
    }

    /// SIGTERM: graceful shutdown. Waits for the exit and returns its status.
    pub async fn stop(mut self) -> ExitStatus {
        signal(self.pid, libc::SIGTERM);
        self.wait().await
    }

    /// SIGKILL: the process ends at once, mid-write if it was writing.
    pub async fn kill(mut self) -> ExitStatus {
        signal(self.pid, libc::SIGKILL);
        self.wait().await
    }

    async fn wait(&mut self) -> ExitStatus {
        match tokio::time::timeout(STOP_TIMEOUT, self.child.wait()).await {
            Ok(status) => status.expect("waiting for werkplaats"),
            Err(_) => {
                let _ = self.child.start_kill();
                panic!("werkplaats did not exit in time:\n{}", self.log());
            }
        }
    }

    /// Caps the size any file of the process may grow to (`RLIMIT_FSIZE`, set from outside with
    /// `prlimit`). A write beyond it fails the way a full disk does (a short write, then
    /// `EFBIG`), provided the process ignores SIGXFSZ ([`Launch::survive_file_size_limit`]).
    /// `None` lifts the cap.
    pub fn limit_file_size(&self, bytes: Option<u64>) -> std::io::Result<()> {
        werkplaats_sys::limit_file_size(self.pid, bytes)
    }

    pub async fn create_session(&self, title: &str) -> CreatedSession {
        let response = self
            .http
            .post(self.url("/api/sessions"))
            .json(&serde_json::json!({ "title": title }))
            .send()
            .await
            .expect("create request");
        assert_eq!(response.status(), 201, "create failed: {}", self.log());
        response.json().await.expect("create response")
    }

    pub async fn join(&self, code: &str, name: &str) -> Joined {
        let response = self
            .http
            .post(self.url("/api/join"))
            .json(&serde_json::json!({ "code": code, "name": name }))
            .send()
            .await
            .expect("join request");
        assert_eq!(response.status(), 200, "join failed: {}", self.log());
        response.json().await.expect("join response")
    }

    /// A counter from `/metrics`.
    pub async fn metric(&self, name: &str) -> u64 {
        let text = self
            .http
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("metrics request")
            .text()
            .await
            .expect("metrics body");
        text.lines()
            .find_map(|line| {
                line.strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix(' '))
            })
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("metric {name} missing"))
    }
}

/// Runs the binary with `args` until it exits by itself (a start-up failure): its status and
/// everything it wrote (stdout, then stderr). Fails if it is still running after `timeout`.
pub async fn run_to_exit(args: &[&str], timeout: Duration) -> (ExitStatus, String) {
    let child = Command::new(werkplaats_binary())
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawning werkplaats");
    let output = tokio::time::timeout(timeout, child.wait_with_output())
        .await
        .expect("werkplaats should exit by itself")
        .expect("waiting for werkplaats");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status, text)
}

fn signal(pid: i32, signal: i32) {
    // Our own child, not reaped yet (we still hold its `Child`): the pid cannot be reused.
    let result = werkplaats_sys::send_signal(pid, signal);
    assert!(result.is_ok(), "kill({pid}, {signal}) failed: {result:?}");
}

/// Reads one output stream of the server line by line; reports the address of the first
/// "listening on" to `ready`. The stream that carries `ready` ending early means the process
/// ended before listening.
async fn collect_log(
    output: impl tokio::io::AsyncRead + Unpin,
    log: Arc<Mutex<Vec<String>>>,
    mut ready: Option<oneshot::Sender<SocketAddr>>,
) {
    let echo = std::env::var_os("WERKPLAATS_TEST_LOG").is_some();
    let mut lines = BufReader::new(output).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if echo {
            eprintln!("[werkplaats] {line}");
        }
        if let Some(rest) = line.split("listening on http://").nth(1) {
            let addr = rest.split_whitespace().next().unwrap_or_default();
            if let (Ok(addr), Some(ready)) = (addr.parse(), ready.take()) {
                let _ = ready.send(addr);
            }
        }
        log.lock().unwrap().push(line);
    }
}
