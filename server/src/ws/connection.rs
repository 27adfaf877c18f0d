//! One websocket connection: join the session, then a reader and a writer.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use bytes::Bytes;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::mpsc;
use tracing::{Instrument, debug, info_span, warn};
use werkplaats_protocol::close;
use werkplaats_protocol::control::{ErrorCode, Event, ServerEnvelope};
use werkplaats_protocol::message::Message;

use super::decode::{Decoded, decode};
use crate::app::App;
use crate::ids;
use crate::metrics::Metrics;
use crate::session::{Closer, ConnId, ConnLink, Joined, SessionCmd, SessionHandle};
use crate::store::now_ms;

/// A connection that sends nothing (not even a pong to our pings) for this long is dead.
const READ_IDLE_TIMEOUT: Duration = Duration::from_secs(75);
/// How often the writer pings, so half-open connections are found and proxies stay open.
const PING_EVERY: Duration = Duration::from_secs(30);
/// Tungstenite's read buffer, allocated up front per connection. Its 128 KiB default costs that
/// much per idle connection; most of our messages are small and a larger one just takes a few
/// more reads. 1 KiB instead of 4 measured 14.5 → 11.3 KB per idle connection (bench/NOTES.md).
const READ_BUFFER: usize = 1024;
/// Bytes the writer gathers before it writes to the socket (a burst is flushed at its end).
const WRITE_BUFFER: usize = 8 * 1024;
/// How long a close waits for the client's answering close frame.
const CLOSE_HANDSHAKE: Duration = Duration::from_secs(1);

#[derive(Debug, Deserialize)]
pub struct WsParams {
    token: Option<String>,
}

pub async fn upgrade(
    ws: WebSocketUpgrade,
    Path(session_id): Path<String>,
    Query(params): Query<WsParams>,
    State(app): State<Arc<App>>,
) -> Response {
    let max = app.config.max_message_bytes;
    let tasks = app.tasks.clone();
    ws.read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(max.saturating_mul(2).max(WRITE_BUFFER * 2))
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| tasks.track_future(serve(socket, app, session_id, params.token)))
}

async fn serve(socket: WebSocket, app: Arc<App>, session_id: String, token: Option<String>) {
    let conn = app.next_conn.fetch_add(1, Ordering::Relaxed);
    let span = info_span!("conn", conn, session = %session_id);
    async move {
        Metrics::inc(&app.metrics.connections_open);
        Metrics::inc(&app.metrics.connections_total);
        run(socket, &app, conn, &session_id, token).await;
        Metrics::dec(&app.metrics.connections_open);
    }
    .instrument(span)
    .await
}

async fn close_now(mut socket: WebSocket, code: u16, reason: &str) {
    debug!(code, reason, "closing before join");
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        socket.send(WsMessage::Close(Some(frame))),
    )
    .await;
    let (_, mut stream) = socket.split();
    drain(&mut stream).await;
}

/// Reads until the client answers our close frame (or a second passes). Dropping a socket with
/// unread input makes the kernel send a reset, and a client that sees a reset instead of our
/// close frame never learns the close code (a browser reports 1006 and retries).
async fn drain(stream: &mut SplitStream<WebSocket>) {
    let _ = tokio::time::timeout(CLOSE_HANDSHAKE, async {
        while let Some(Ok(message)) = stream.next().await {
            if matches!(message, WsMessage::Close(_)) {
                break;
            }
        }
    })
    .await;
}

async fn run(
    socket: WebSocket,
    app: &Arc<App>,
    conn: ConnId,
    session_id: &str,
    token: Option<String>,
) {
    if !ids::is_session_id(session_id) {
        Metrics::inc(&app.metrics.rejected_inputs);
        return close_now(socket, close::SESSION_NOT_FOUND, "session not found").await;
    }
    let Some(token) = token else {
        Metrics::inc(&app.metrics.rejected_inputs);
        return close_now(socket, close::UNAUTHORIZED, "token missing").await;
    };
    let closer = Arc::new(Closer::new(app.shutdown.child_token()));
    let (outbound, outbound_rx) = mpsc::channel(app.config.outbound_queue);
    // The reader keeps only a weak sender, so the queue closes when the session lets go.
    let weak_outbound = outbound.downgrade();
    let (handle, joined) = match join(app, conn, session_id, &token, outbound, &closer).await {
        Ok(joined) => joined,
        Err((code, reason)) => return close_now(socket, code, reason).await,
    };
    debug!(role = ?joined.role, participant = %joined.participant_id, "connected");

    let (sink, mut stream) = socket.split();
    let writer = app.tasks.spawn(
        write_loop(
            sink,
            outbound_rx,
            Arc::clone(&closer),
            Arc::clone(&app.metrics),
        )
        .in_current_span(),
    );
    read_loop(&mut stream, app, conn, &handle, &closer, &weak_outbound).await;
    closer.close(1000, "");
    let _ = handle.send(SessionCmd::Leave { conn }).await;
    let _ = writer.await;
    drain(&mut stream).await;
}

async fn join(
    app: &Arc<App>,
    conn: ConnId,
    session_id: &str,
    token: &str,
    outbound: mpsc::Sender<Bytes>,
    closer: &Arc<Closer>,
) -> Result<(SessionHandle, Joined), (u16, &'static str)> {
    let answer = app
        .registry
        .request(session_id, |reply| SessionCmd::Join {
            conn,
            token: token.to_owned(),
            link: ConnLink {
                outbound: outbound.clone(),
                closer: Arc::clone(closer),
            },
            reply,
        })
        .await;
    match answer {
        Some((handle, Ok(joined))) => Ok((handle, joined)),
        Some((_, Err(refused))) => Err((refused.code, refused.reason)),
        None => Err((close::TRY_AGAIN_LATER, "session is restarting")),
    }
}

async fn read_loop(
    stream: &mut SplitStream<WebSocket>,
    app: &Arc<App>,
    conn: ConnId,
    handle: &SessionHandle,
    closer: &Closer,
    outbound: &mpsc::WeakSender<Bytes>,
) {
    let limits = app.update_limits.clone();
    loop {
        let next = tokio::select! {
            _ = closer.closed() => return,
            next = tokio::time::timeout(READ_IDLE_TIMEOUT, stream.next()) => next,
        };
        let message = match next {
            Err(_) => return closer.close(close::GOING_AWAY, "no data for 75 s"),
            Ok(None) => return,
            Ok(Some(Err(err))) => {
                let text = err.to_string();
                // tungstenite reports an over-long message as a capacity error.
                if text.contains("Space limit") {
                    Metrics::inc(&app.metrics.rejected_inputs);
                    warn!(%text, "message too big");
                    return closer.close(close::MESSAGE_TOO_BIG, "message too big");
                }
                debug!(%text, "read failed");
                return;
            }
            Ok(Some(Ok(message))) => message,
        };
        let frame = match message {
            WsMessage::Binary(frame) => frame,
            WsMessage::Text(_) => {
                Metrics::inc(&app.metrics.rejected_inputs);
                warn!("text frame refused");
                return closer.close(close::UNSUPPORTED_DATA, "binary frames only");
            }
            WsMessage::Close(_) => return,
            WsMessage::Ping(_) | WsMessage::Pong(_) => continue,
        };
        Metrics::inc(&app.metrics.messages_in);
        Metrics::add(&app.metrics.bytes_in, frame.len() as u64);
        let decoded = match decode(&frame, &limits) {
            Ok(decoded) => decoded,
            Err(refusal) => {
                Metrics::inc(&app.metrics.rejected_inputs);
                warn!(code = refusal.code, reason = %refusal.reason, "frame refused");
                return closer.close(refusal.code, refusal.reason);
            }
        };
        match decoded {
            Decoded::Session(msg) => {
                if handle.send(SessionCmd::Client { conn, msg }).await.is_err() {
                    return closer.close(close::INTERNAL_ERROR, "session restarted; reconnect");
                }
            }
            Decoded::Ping { id, client_time } => {
                let event = Event::Pong {
                    client_time,
                    server_time: now_ms() as f64,
                };
                send_event(outbound, id, event);
            }
            Decoded::BadControl(message) => {
                Metrics::inc(&app.metrics.rejected_inputs);
                warn!(%message, "bad control message");
                send_event(
                    outbound,
                    None,
                    Event::Error {
                        code: ErrorCode::BadRequest,
                        message,
                    },
                );
            }
            Decoded::Nothing => {}
        }
    }
}

/// Sends a control event from the connection itself (pongs and parse errors). The client
/// spoke on the control channel, so it understands it. A full queue drops the event: the
/// session's own disconnect of slow clients takes care of such a client.
fn send_event(outbound: &mpsc::WeakSender<Bytes>, reply_to: Option<u64>, event: Event) {
    let json = ServerEnvelope { reply_to, event }.to_json();
    if let Some(outbound) = outbound.upgrade() {
        let _ = outbound.try_send(Bytes::from(Message::Control(&json).encode()));
    }
}

async fn write_loop(
    mut sink: SplitSink<WebSocket, WsMessage>,
    mut queue: mpsc::Receiver<Bytes>,
    closer: Arc<Closer>,
    metrics: Arc<Metrics>,
) {
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING_EVERY, PING_EVERY);
    loop {
        tokio::select! {
            biased;
            _ = closer.closed() => break,
            frame = queue.recv() => {
                let Some(frame) = frame else {
                    closer.close(close::INTERNAL_ERROR, "session restarted; reconnect");
                    break;
                };
                if write_burst(&mut sink, &mut queue, frame, &metrics).await.is_err() {
                    closer.close(1000, "");
                    break;
                }
            }
            _ = ping.tick() => {
                if sink.send(WsMessage::Ping(Bytes::new())).await.is_err() {
                    closer.close(1000, "");
                    break;
                }
            }
        }
    }
    let reason = closer.reason();
    let frame = CloseFrame {
        code: reason.code,
        reason: reason.reason.into(),
    };
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        sink.send(WsMessage::Close(Some(frame))),
    )
    .await;
}

/// Writes the frame and everything queued behind it, then flushes once.
async fn write_burst(
    sink: &mut SplitSink<WebSocket, WsMessage>,
    queue: &mut mpsc::Receiver<Bytes>,
    first: Bytes,
    metrics: &Metrics,
) -> Result<(), axum::Error> {
    let mut count = 1;
    let mut bytes = first.len();
    sink.feed(WsMessage::Binary(first)).await?;
    while let Ok(frame) = queue.try_recv() {
        count += 1;
        bytes += frame.len();
        sink.feed(WsMessage::Binary(frame)).await?;
    }
    sink.flush().await?;
    Metrics::add(&metrics.messages_out, count);
    Metrics::add(&metrics.bytes_out, bytes as u64);
    Ok(())
}
