//! A bare websocket relay with no CRDT: the physical reference of the benchmark.
//!
//! `GET /{room}` upgrades; every binary frame is forwarded to every other connection of the room,
//! through the same machinery as the Werkplaats server (a bounded queue per connection, a writer
//! task that flushes once per burst, 4 KiB read buffers). To speak enough y-websocket for the
//! load generator it sends a step 1 of an empty document on connect, answers a client's step 1
//! with an empty step 2, and drops step 2s: it never looks further into a frame than two bytes.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::serve::ListenerExt;
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;

/// Per-connection queue, as the Werkplaats server's default `--outbound-queue`.
const QUEUE: usize = 512;
/// y-websocket sync step 1 with an empty state vector.
const EMPTY_STEP1: [u8; 4] = [0, 0, 1, 0];
/// y-websocket sync step 2 carrying an empty update.
const EMPTY_STEP2: [u8; 5] = [0, 1, 2, 0, 0];

type Rooms = Mutex<HashMap<String, HashMap<u64, mpsc::Sender<Bytes>>>>;

#[derive(Default)]
pub struct Relay {
    rooms: Rooms,
    next: AtomicU64,
}

pub fn router() -> Router {
    Router::new()
        .route("/{room}", get(upgrade))
        .with_state(Arc::new(Relay::default()))
}

/// Serves the relay until the process ends.
pub async fn serve(bind: SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    eprintln!("relay listening on {}", listener.local_addr()?);
    // As the Werkplaats server: no Nagle delay on small frames.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router()).await?;
    Ok(())
}

async fn upgrade(
    ws: WebSocketUpgrade,
    Path(room): Path<String>,
    State(relay): State<Arc<Relay>>,
) -> Response {
    ws.read_buffer_size(4 * 1024)
        .write_buffer_size(8 * 1024)
        .on_upgrade(move |socket| connection(socket, room, relay))
}

async fn connection(socket: WebSocket, room: String, relay: Arc<Relay>) {
    let id = relay.next.fetch_add(1, Ordering::Relaxed);
    let (tx, mut rx) = mpsc::channel::<Bytes>(QUEUE);
    let _ = tx.try_send(Bytes::from_static(&EMPTY_STEP1));
    relay
        .rooms
        .lock()
        .unwrap()
        .entry(room.clone())
        .or_default()
        .insert(id, tx.clone());
    let (mut sink, mut stream) = socket.split();
    let writer = tokio::spawn(async move {
        while let Some(frame) = rx.recv().await {
            if sink.feed(WsMessage::Binary(frame)).await.is_err() {
                return;
            }
            while let Ok(frame) = rx.try_recv() {
                if sink.feed(WsMessage::Binary(frame)).await.is_err() {
                    return;
                }
            }
            if sink.flush().await.is_err() {
                return;
            }
        }
    });
    while let Some(Ok(message)) = stream.next().await {
        let WsMessage::Binary(frame) = message else {
            if matches!(message, WsMessage::Close(_)) {
                break;
            }
            continue;
        };
        match frame.get(..2) {
            Some([0, 0]) => {
                let _ = tx.try_send(Bytes::from_static(&EMPTY_STEP2));
            }
            Some([0, 1]) => {}
            _ => relay.broadcast(&room, id, frame),
        }
    }
    let mut rooms = relay.rooms.lock().unwrap();
    if let Some(members) = rooms.get_mut(&room) {
        members.remove(&id);
        if members.is_empty() {
            rooms.remove(&room);
        }
    }
    drop(rooms);
    drop(tx);
    writer.abort();
}

impl Relay {
    fn broadcast(&self, room: &str, from: u64, frame: Bytes) {
        let rooms = self.rooms.lock().unwrap();
        let Some(members) = rooms.get(room) else {
            return;
        };
        for (id, tx) in members {
            // A full queue drops the frame: the load generator counts it as lost.
            if *id != from {
                let _ = tx.try_send(frame.clone());
            }
        }
    }
}
