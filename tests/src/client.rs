//! A Yjs peer over a real websocket: what a stock y-websocket client does, in Rust.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use werkplaats_protocol::control::{ClientEnvelope, Command, Event, ServerEnvelope};
use werkplaats_protocol::message::{AwarenessEntry, AwarenessUpdate, Message};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, ReadTxn, StateVector, TextRef, Transact, TransactionMut, Update};

/// How the server ended the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedWith {
    pub code: u16,
    pub reason: String,
}

#[derive(Default)]
struct Shared {
    /// The server answered our step 1: we hold everything it had.
    synced: bool,
    awareness: HashMap<u64, String>,
    events: Vec<ServerEnvelope>,
    permission_denied: Vec<String>,
    closed: Option<ClosedWith>,
    frames_received: usize,
    next_request: u64,
    /// What went wrong applying the server's frames (should stay empty).
    errors: Vec<String>,
    /// Payload sizes of the sync step 2 answers received: what the server sent to catch us up.
    step2_sizes: Vec<usize>,
}

pub struct YClient {
    pub doc: Doc,
    outgoing: mpsc::Sender<WsMessage>,
    shared: Arc<Mutex<Shared>>,
    task: JoinHandle<()>,
}

impl YClient {
    /// Connects and runs the sync handshake in the background (like y-websocket).
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        Self::connect_with_doc(url, Doc::new()).await
    }

    /// Connects with an existing document (a reconnect keeps its state and client id).
    pub async fn connect_with_doc(url: &str, doc: Doc) -> anyhow::Result<Self> {
        let (ws, _) = tokio_tungstenite::connect_async_with_config(
            url,
            Some(WebSocketConfig::default()),
            true,
        )
        .await?;
        let (mut sink, mut stream) = ws.split();
        let (outgoing, mut outgoing_rx) = mpsc::channel::<WsMessage>(1024);
        let shared = Arc::new(Mutex::new(Shared::default()));
        // y-websocket sends its step 1 first thing.
        let step1 = Message::SyncStep1(&doc.transact().state_vector().encode_v1()).encode();
        outgoing.send(WsMessage::Binary(step1.into())).await?;
        let task_doc = doc.clone();
        let task_shared = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            // After a failed send (the server is gone, or closing) keep reading until the
            // stream ends: frames already on their way, and the close code, still arrive.
            // Outgoing frames are dropped meanwhile so editors never block.
            let mut writable = true;
            loop {
                tokio::select! {
                    out = outgoing_rx.recv() => match out {
                        Some(frame) => if writable && sink.send(frame).await.is_err() { writable = false },
                        None => { let _ = sink.close().await; break }
                    },
                    incoming = stream.next() => match incoming {
                        Some(Ok(WsMessage::Binary(frame))) => {
                            task_shared.lock().unwrap().frames_received += 1;
                            if let Some(answer) = handle_frame(&task_doc, &task_shared, &frame) {
                                if writable && sink.send(WsMessage::Binary(answer.into())).await.is_err() { writable = false }
                            }
                        }
                        Some(Ok(WsMessage::Close(frame))) => {
                            let closed = frame.map(|f| ClosedWith { code: f.code.into(), reason: f.reason.to_string() })
                                .unwrap_or(ClosedWith { code: 1005, reason: String::new() });
                            task_shared.lock().unwrap().closed = Some(closed);
                            break;
                        }
                        Some(Ok(_)) => {}
                        Some(Err(_)) | None => {
                            task_shared.lock().unwrap().closed.get_or_insert(ClosedWith { code: 1006, reason: String::new() });
                            break;
                        }
                    }
                }
            }
        });
        Ok(Self {
            doc,
            outgoing,
            shared,
            task,
        })
    }

    /// Runs a local transaction and sends what it changed as an update. Get root types
    /// before (`get_or_insert_*` opens its own transaction and would deadlock inside).
    pub async fn edit(&self, f: impl FnOnce(&mut TransactionMut)) {
        let update = {
            let mut txn = self.doc.transact_mut();
            f(&mut txn);
            txn.encode_update_v1()
        };
        self.send_frame(Message::Update(&update).encode()).await;
    }

    /// Edits the root text `name`.
    pub async fn edit_text(&self, name: &str, f: impl FnOnce(&TextRef, &mut TransactionMut)) {
        let text = self.doc.get_or_insert_text(name);
        self.edit(|txn| f(&text, txn)).await;
    }

    pub async fn send_frame(&self, frame: Vec<u8>) {
        let _ = self.outgoing.send(WsMessage::Binary(frame.into())).await;
    }

    pub async fn send_raw(&self, message: WsMessage) {
        let _ = self.outgoing.send(message).await;
    }

    pub async fn set_awareness(&self, client_id: u64, clock: u32, state: &str) {
        let update = AwarenessUpdate {
            entries: vec![AwarenessEntry {
                client_id,
                clock,
                state,
            }],
        }
        .encode();
        self.send_frame(Message::Awareness(&update).encode()).await;
    }

    pub async fn control(&self, id: Option<u64>, command: Command) {
        let json = ClientEnvelope { id, command }.to_json();
        self.send_frame(Message::Control(&json).encode()).await;
    }

    /// Sends a command and waits for the event that answers it (`ack`, `error` or a result).
    pub async fn request(&self, command: Command) -> Event {
        let id = {
            let mut shared = self.shared.lock().unwrap();
            shared.next_request += 1;
            shared.next_request
        };
        self.control(Some(id), command).await;
        let found = crate::eventually(Duration::from_secs(5), || {
            self.shared
                .lock()
                .unwrap()
                .events
                .iter()
                .any(|e| e.reply_to == Some(id))
        })
        .await;
        assert!(found, "no answer to request {id}");
        let shared = self.shared.lock().unwrap();
        shared
            .events
            .iter()
            .find(|e| e.reply_to == Some(id))
            .unwrap()
            .event
            .clone()
    }

    /// Says hello and waits for the session view.
    pub async fn hello(&self) -> werkplaats_protocol::workshop::SessionView {
        self.control(None, Command::Hello { version: 1 }).await;
        let found = crate::eventually(Duration::from_secs(5), || {
            self.last_event(|e| matches!(e, Event::Session { .. }))
                .is_some()
        })
        .await;
        assert!(found, "no session view after hello");
        match self.last_event(|e| matches!(e, Event::Session { .. })) {
            Some(Event::Session { session }) => *session,
            _ => unreachable!(),
        }
    }

    /// The newest event (pushed by the server, or a reply) that matches.
    pub fn last_event(&self, matches: impl Fn(&Event) -> bool) -> Option<Event> {
        self.shared
            .lock()
            .unwrap()
            .events
            .iter()
            .rev()
            .map(|e| &e.event)
            .find(|e| matches(e))
            .cloned()
    }

    /// Waits until an event matching `matches` arrives and returns the newest such.
    pub async fn wait_event(&self, matches: impl Fn(&Event) -> bool) -> Event {
        let found = crate::eventually(Duration::from_secs(10), || {
            self.last_event(&matches).is_some()
        })
        .await;
        assert!(found, "expected event did not arrive");
        self.last_event(matches).unwrap()
    }

    /// Every event so far, oldest first.
    pub fn events_snapshot(&self) -> Vec<Event> {
        self.shared
            .lock()
            .unwrap()
            .events
            .iter()
            .map(|e| e.event.clone())
            .collect()
    }

    pub fn clear_events(&self) {
        self.shared.lock().unwrap().events.clear();
    }

    pub fn is_synced(&self) -> bool {
        self.shared.lock().unwrap().synced
    }

    pub fn awareness(&self) -> HashMap<u64, String> {
        self.shared.lock().unwrap().awareness.clone()
    }

    pub fn events(&self) -> Vec<ServerEnvelope> {
        self.shared.lock().unwrap().events.clone()
    }

    pub fn permission_denied(&self) -> Vec<String> {
        self.shared.lock().unwrap().permission_denied.clone()
    }

    pub fn closed(&self) -> Option<ClosedWith> {
        self.shared.lock().unwrap().closed.clone()
    }

    pub fn errors(&self) -> Vec<String> {
        self.shared.lock().unwrap().errors.clone()
    }

    pub fn frames_received(&self) -> usize {
        self.shared.lock().unwrap().frames_received
    }

    /// Sizes of the sync step 2 payloads the server sent, in order.
    pub fn step2_sizes(&self) -> Vec<usize> {
        self.shared.lock().unwrap().step2_sizes.clone()
    }

    pub fn state_vector(&self) -> StateVector {
        self.doc.transact().state_vector()
    }

    /// The whole document as one update, for comparing replicas.
    pub fn snapshot(&self) -> Vec<u8> {
        self.doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default())
    }

    pub async fn wait_synced(&self) -> bool {
        crate::eventually(Duration::from_secs(5), || self.is_synced()).await
    }

    pub async fn wait_closed(&self) -> Option<ClosedWith> {
        crate::eventually(Duration::from_secs(5), || self.closed().is_some()).await;
        self.closed()
    }

    /// Closes the socket and returns the document (to reconnect with).
    pub async fn disconnect(self) -> Doc {
        drop(self.outgoing);
        let _ = tokio::time::timeout(Duration::from_secs(2), self.task).await;
        self.doc
    }

    /// Drops the connection without a close handshake.
    pub fn abort(self) -> Doc {
        self.task.abort();
        self.doc
    }
}

fn handle_frame(doc: &Doc, shared: &Mutex<Shared>, frame: &[u8]) -> Option<Vec<u8>> {
    let message = Message::decode(frame).expect("server sent a well-formed frame");
    match message {
        Message::SyncStep1(sv) => {
            let sv = StateVector::decode_v1(sv).expect("valid state vector");
            let diff = doc.transact().encode_state_as_update_v1(&sv);
            Some(Message::SyncStep2(&diff).encode())
        }
        Message::SyncStep2(update) | Message::Update(update) => {
            let update = Update::decode_v1(update).expect("valid update from server");
            doc.transact_mut()
                .apply_update(update)
                .expect("update applies");
            if let Message::SyncStep2(payload) = message {
                let mut shared = shared.lock().unwrap();
                shared.synced = true;
                shared.step2_sizes.push(payload.len());
            }
            None
        }
        Message::Awareness(bytes) => {
            let update = AwarenessUpdate::decode(bytes).expect("valid awareness");
            let mut shared = shared.lock().unwrap();
            for entry in update.entries {
                if entry.is_removal() {
                    shared.awareness.remove(&entry.client_id);
                } else {
                    shared
                        .awareness
                        .insert(entry.client_id, entry.state.to_owned());
                }
            }
            None
        }
        Message::Control(json) => {
            let event = ServerEnvelope::parse(json).expect("valid control event");
            shared.lock().unwrap().events.push(event);
            None
        }
        Message::PermissionDenied(reason) => {
            shared
                .lock()
                .unwrap()
                .permission_denied
                .push(reason.to_owned());
            None
        }
        Message::QueryAwareness => None,
    }
}
