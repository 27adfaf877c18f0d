//! One websocket connection, as a task: the y-websocket handshake, edits on command, and a log
//! of every update that arrived with its arrival time on the process's one monotonic clock.
//!
//! Nothing is decoded or applied on the hot path beyond the framing: updates and carousel
//! events are kept as bytes and read after the measured window ([`crate::verify`],
//! [`Log::carousel_marks`]), so the load generator stays light. Only what a scenario steers by
//! is read at once: pongs, errors, and the carousel for a client that watches it.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use werkplaats_protocol::control::{ClientEnvelope, Command, Event, ServerEnvelope};
use werkplaats_protocol::message::{AwarenessEntry, AwarenessUpdate, Message};
use werkplaats_protocol::workshop::{CarouselView, ClockView};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, Map, Options, ReadTxn, StateVector, Text, Transact};

use crate::target::Room;
use crate::wire::{Framing, Incoming};

/// Clock-offset probes a client sends when asked to estimate the server's clock.
pub const PINGS: usize = 5;

/// The process's epoch: every time in the load generator is measured from here.
pub fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Milliseconds since [`epoch`].
pub fn ms(at: Instant) -> f64 {
    at.saturating_duration_since(epoch()).as_secs_f64() * 1e3
}

/// A fresh document whose client id is `client_id` (unique per trial, so ids name writers).
pub fn new_doc(client_id: u64) -> Doc {
    Doc::with_options(Options {
        client_id: yrs::block::ClientID::new(client_id),
        ..Options::default()
    })
}

pub struct ConnSpec {
    pub room: Room,
    /// Also the awareness client id.
    pub client_id: u64,
    pub awareness: bool,
    /// Say hello on the Werkplaats control channel and estimate the server's clock.
    pub clock_probe: bool,
    /// A Werkplaats display: like the web client's read-only connection, it does not answer
    /// the server's step 1 (the server refuses documents from the display).
    pub read_only: bool,
    /// Read every `carousel` event when it arrives (the facilitator of S4, which steers by
    /// them); other clients keep them as bytes, read after the measured window.
    pub watch_carousel: bool,
}

#[derive(Debug)]
pub enum Cmd {
    /// Type one character at the end of text `t` (one Yjs operation, one clock tick).
    Edit,
    /// Set `m.stage` (an emulated carousel stage change).
    SetStage {
        stage: u32,
        deadline_ms: f64,
    },
    /// Send a prepared update.
    Send(Vec<u8>),
    /// Send our state vector again; the server's step 2 answer counts in `step2_count`.
    Resync,
    /// Another round of clock probes (the best sample of all rounds is kept).
    Probe,
    /// A Werkplaats control command (without an id: the scenario watches the events instead).
    Control(Command),
    Close,
}

/// The best of the clock probes: `server_ms = loadgen_ms + offset_ms`.
#[derive(Debug, Clone, Copy)]
pub struct ClockSample {
    pub rtt_ms: f64,
    pub offset_ms: f64,
}

/// What a client keeps of one `carousel` event: enough to tell which stage it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CarouselMark {
    pub seq: u64,
    pub rounds: usize,
    pub round: Option<usize>,
    pub stage: usize,
    pub clock: ClockView,
    pub stage_ms: Vec<f64>,
}

impl CarouselMark {
    fn of(view: &CarouselView) -> Self {
        Self {
            seq: view.seq,
            rounds: view.rounds.len(),
            round: view.current_round,
            stage: view.stage_index,
            clock: view.clock.clone(),
            stage_ms: view.stages.iter().map(|s| s.duration_ms).collect(),
        }
    }

    pub fn deadline(&self) -> Option<f64> {
        match self.clock {
            ClockView::Running { deadline } => Some(deadline),
            _ => None,
        }
    }

    pub fn done(&self) -> bool {
        self.clock == ClockView::Done
    }
}

#[derive(Debug, Default)]
pub struct Log {
    pub opened: Option<Instant>,
    pub synced: Option<Instant>,
    /// The server's first step 2: everything it had when we joined.
    pub step2: Option<Bytes>,
    pub step2_count: usize,
    pub updates: Vec<(Instant, Bytes)>,
    /// When each of our edits went to the socket; index = our clock.
    pub sent: Vec<Instant>,
    pub awareness_ids: HashSet<u64>,
    pub clock: Option<ClockSample>,
    pings: usize,
    /// Answers to our clock probes so far.
    pub pongs: usize,
    /// Every `carousel` event as it arrived (Werkplaats only): the JSON, unread.
    pub carousel_events: Vec<(Instant, Bytes)>,
    /// The same events read on arrival, for a client that watches the carousel.
    pub carousel: Vec<(Instant, CarouselMark)>,
    /// `error` events: a command of ours was refused.
    pub control_errors: Vec<String>,
    pub closed: Option<String>,
    pub error: Option<String>,
}

impl Log {
    pub fn failed(&self) -> Option<String> {
        self.error.clone().or_else(|| self.closed.clone())
    }

    /// Reads the carousel events that arrived.
    pub fn carousel_marks(&self) -> anyhow::Result<Vec<(Instant, CarouselMark)>> {
        self.carousel_events
            .iter()
            .map(|(at, json)| Ok((*at, carousel_mark(json)?)))
            .collect()
    }
}

fn carousel_mark(json: &[u8]) -> anyhow::Result<CarouselMark> {
    let json = std::str::from_utf8(json)?;
    match ServerEnvelope::parse(json)?.event {
        Event::Carousel {
            carousel: Some(view),
        } => Ok(CarouselMark::of(&view)),
        other => anyhow::bail!("not a carousel: {other:?}"),
    }
}

pub struct Conn {
    pub id: u64,
    pub started: Instant,
    tx: mpsc::UnboundedSender<Cmd>,
    pub log: Arc<Mutex<Log>>,
    task: JoinHandle<Doc>,
}

impl Conn {
    /// Starts connecting. The permit (if any) is held until the handshake ends, which bounds how
    /// many handshakes run at once.
    pub fn spawn(spec: ConnSpec, doc: Option<Doc>, permit: Option<OwnedSemaphorePermit>) -> Conn {
        let doc = doc.unwrap_or_else(|| new_doc(spec.client_id));
        let (tx, rx) = mpsc::unbounded_channel();
        let log = Arc::new(Mutex::new(Log::default()));
        let id = spec.client_id;
        let started = Instant::now();
        let task = tokio::spawn(run(spec, doc, rx, Arc::clone(&log), permit));
        Conn {
            id,
            started,
            tx,
            log,
            task,
        }
    }

    /// A handle to command this connection from another task.
    pub fn sender(&self) -> mpsc::UnboundedSender<Cmd> {
        self.tx.clone()
    }

    pub fn send(&self, cmd: Cmd) {
        let _ = self.tx.send(cmd);
    }

    pub fn with_log<R>(&self, f: impl FnOnce(&Log) -> R) -> R {
        f(&self.log.lock().unwrap())
    }

    pub fn is_synced(&self) -> bool {
        self.with_log(|l| l.synced.is_some())
    }

    pub fn failure(&self) -> Option<String> {
        self.with_log(Log::failed)
    }

    /// Closes the connection; returns the client's own document and its log.
    pub async fn close(self) -> (Option<Doc>, Log) {
        let _ = self.tx.send(Cmd::Close);
        let doc = tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .ok()
            .and_then(Result::ok);
        let log = std::mem::take(&mut *self.log.lock().unwrap());
        (doc, log)
    }
}

fn awareness_frame(framing: &Framing, client_id: u64) -> Vec<u8> {
    let state = format!(r##"{{"user":{{"name":"Bench {client_id}","color":"#30bced"}}}}"##);
    let update = AwarenessUpdate {
        entries: vec![AwarenessEntry {
            client_id,
            clock: 1,
            state: &state,
        }],
    }
    .encode();
    framing.encode(&Message::Awareness(&update))
}

fn control_frame(framing: &Framing, command: Command) -> Vec<u8> {
    let json = ClientEnvelope { id: None, command }.to_json();
    framing.encode(&Message::Control(&json))
}

fn ping_frame(framing: &Framing) -> Vec<u8> {
    let client_time = ms(Instant::now());
    control_frame(framing, Command::Ping { client_time })
}

async fn run(
    spec: ConnSpec,
    doc: Doc,
    mut rx: mpsc::UnboundedReceiver<Cmd>,
    log: Arc<Mutex<Log>>,
    mut permit: Option<OwnedSemaphorePermit>,
) -> Doc {
    let config = WebSocketConfig::default().read_buffer_size(64 * 1024);
    let connected =
        tokio_tungstenite::connect_async_with_config(&spec.room.url, Some(config), true).await;
    let ws = match connected {
        Ok((ws, _)) => ws,
        Err(err) => {
            log.lock().unwrap().error = Some(format!("connect: {err}"));
            return doc;
        }
    };
    log.lock().unwrap().opened = Some(Instant::now());
    let framing = spec.room.framing.clone();
    let (mut sink, mut stream) = ws.split();
    let text = doc.get_or_insert_text("t");
    let map = doc.get_or_insert_map("m");
    let mut first = Vec::new();
    first.extend(framing.auth(&spec.room.auth_token));
    let sv = doc.transact().state_vector().encode_v1();
    first.push(framing.encode(&Message::SyncStep1(&sv)));
    if spec.awareness {
        first.push(awareness_frame(&framing, spec.client_id));
    }
    if spec.clock_probe {
        first.push(control_frame(&framing, Command::Hello { version: 1 }));
        first.push(ping_frame(&framing));
        log.lock().unwrap().pings = 1;
    }
    for frame in first {
        if sink.feed(WsMessage::Binary(frame.into())).await.is_err() {
            break;
        }
    }
    let _ = sink.flush().await;

    loop {
        tokio::select! {
            cmd = rx.recv() => {
                let update = match cmd {
                    None | Some(Cmd::Close) => {
                        let _ = tokio::time::timeout(Duration::from_secs(1), sink.close()).await;
                        break;
                    }
                    Some(Cmd::Edit) => {
                        let mut txn = doc.transact_mut();
                        text.push(&mut txn, "x");
                        txn.encode_update_v1()
                    }
                    Some(Cmd::SetStage { stage, deadline_ms }) => {
                        let mut txn = doc.transact_mut();
                        let value = format!(r#"{{"stage":{stage},"deadline":{deadline_ms}}}"#);
                        map.insert(&mut txn, "stage", value);
                        txn.encode_update_v1()
                    }
                    Some(Cmd::Send(update)) => update,
                    Some(Cmd::Control(command)) => {
                        if sink.send(WsMessage::Binary(control_frame(&framing, command).into())).await.is_err() {
                            break;
                        }
                        continue;
                    }
                    Some(Cmd::Probe) => {
                        log.lock().unwrap().pings = 1;
                        if sink.send(WsMessage::Binary(ping_frame(&framing).into())).await.is_err() {
                            break;
                        }
                        continue;
                    }
                    Some(Cmd::Resync) => {
                        let sv = doc.transact().state_vector().encode_v1();
                        if sink.send(WsMessage::Binary(framing.encode(&Message::SyncStep1(&sv)).into())).await.is_err() {
                            break;
                        }
                        continue;
                    }
                };
                let frame = framing.encode(&Message::Update(&update));
                log.lock().unwrap().sent.push(Instant::now());
                if sink.send(WsMessage::Binary(frame.into())).await.is_err() {
                    break;
                }
            }
            incoming = stream.next() => match incoming {
                Some(Ok(WsMessage::Binary(frame))) => {
                    let now = Instant::now();
                    match handle(&framing, &doc, &spec, &log, &mut permit, now, &frame) {
                        Ok(replies) => {
                            for reply in replies {
                                if sink.feed(WsMessage::Binary(reply.into())).await.is_err() {
                                    break;
                                }
                            }
                            let _ = sink.flush().await;
                        }
                        Err(err) => {
                            log.lock().unwrap().error = Some(format!("bad frame: {err:#}"));
                            break;
                        }
                    }
                }
                Some(Ok(WsMessage::Close(frame))) => {
                    let reason = frame.map(|f| format!("closed {} {}", u16::from(f.code), f.reason))
                        .unwrap_or_else(|| "closed".into());
                    log.lock().unwrap().closed = Some(reason);
                    break;
                }
                Some(Ok(_)) => {}
                Some(Err(err)) => {
                    log.lock().unwrap().closed = Some(format!("read: {err}"));
                    break;
                }
                None => {
                    log.lock().unwrap().closed = Some("connection ended".into());
                    break;
                }
            }
        }
    }
    drop(permit);
    doc
}

/// Handles one frame; returns the frames to answer with.
fn handle(
    framing: &Framing,
    doc: &Doc,
    spec: &ConnSpec,
    log: &Mutex<Log>,
    permit: &mut Option<OwnedSemaphorePermit>,
    now: Instant,
    frame: &Bytes,
) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut replies = Vec::new();
    match framing.decode(frame)? {
        Incoming::SyncStep1(_) if spec.read_only => {}
        Incoming::SyncStep1(sv) => {
            let sv = StateVector::decode_v1(sv)?;
            let diff = doc.transact().encode_state_as_update_v1(&sv);
            replies.push(framing.encode(&Message::SyncStep2(&diff)));
        }
        Incoming::SyncStep2(update) => {
            let mut log = log.lock().unwrap();
            log.step2_count += 1;
            if log.synced.is_none() {
                log.synced = Some(now);
                log.step2 = Some(frame.slice_ref(update));
                permit.take();
            }
        }
        Incoming::Update(update) => {
            log.lock()
                .unwrap()
                .updates
                .push((now, frame.slice_ref(update)));
        }
        Incoming::Awareness(bytes) => {
            let update = AwarenessUpdate::decode(bytes)?;
            let mut log = log.lock().unwrap();
            for entry in update.entries {
                if entry.client_id != spec.client_id && !entry.is_removal() {
                    log.awareness_ids.insert(entry.client_id);
                }
            }
        }
        Incoming::Control(json) if json.starts_with(r#"{"type":"carousel""#) => {
            // Kept as bytes, like updates: whatever a client does on arrival delays the
            // arrival stamps of the clients after it on this thread.
            let event = frame.slice_ref(json.as_bytes());
            let mark = if spec.watch_carousel {
                Some(carousel_mark(&event)?)
            } else {
                None
            };
            let mut log = log.lock().unwrap();
            log.carousel_events.push((now, event));
            log.carousel.extend(mark.map(|m| (now, m)));
        }
        Incoming::Control(json) => {
            // Only pongs and errors are read: `participants` and `session` carry the whole
            // session and would cost more than everything else a client reads.
            let wanted = [r#"{"type":"pong""#, r#"{"type":"error""#];
            if !json.starts_with(r#"{"reply_to""#) && !wanted.iter().any(|p| json.starts_with(p)) {
                return Ok(replies);
            }
            let Ok(envelope) = ServerEnvelope::parse(json) else {
                return Ok(replies);
            };
            let mut log = log.lock().unwrap();
            match envelope.event {
                Event::Pong {
                    client_time,
                    server_time,
                } => {
                    let rtt_ms = ms(now) - client_time;
                    // The server's clock, in fractional milliseconds, stamped halfway the round
                    // trip as far as we know.
                    let offset_ms = server_time - (client_time + rtt_ms / 2.0);
                    if log.clock.is_none_or(|c| rtt_ms < c.rtt_ms) {
                        log.clock = Some(ClockSample { rtt_ms, offset_ms });
                    }
                    log.pongs += 1;
                    if log.pings < PINGS {
                        log.pings += 1;
                        replies.push(ping_frame(framing));
                    }
                }
                Event::Error { code, message } => {
                    log.control_errors.push(format!("{code:?}: {message}"));
                }
                _ => {}
            }
        }
        Incoming::Denied(reason) => anyhow::bail!("permission denied: {reason}"),
        Incoming::Authenticated | Incoming::Other => {}
    }
    Ok(replies)
}
