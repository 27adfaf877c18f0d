//! One websocket connection: join the session, then one task that reads, validates and forwards
//! what the client sends and writes what the session queues for it, until it closes.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::mpsc::error::TrySendError;
use tokio::time::{Instant, Sleep};
use tracing::{Instrument, debug, info_span, warn};
use werkplaats_protocol::close;
use werkplaats_protocol::control::{ErrorCode, Event, ServerEnvelope};
use werkplaats_protocol::message::Message;

use super::admission;
use super::bad_input::BadInputTally;
use super::decode::{Decoded, decode};
use crate::app::App;
use crate::http::error::ApiError;
use crate::ids;
use crate::limits::net::WsTimers;
use crate::listener::PeerAddr;
use crate::metrics::Metrics;
use crate::session::{
    ClientMsg, Closer, ConnId, ConnLink, Joined, SessionCmd, SessionGone, SessionHandle, outbound,
};

/// Tungstenite's read buffer, allocated up front per connection. Its 128 KiB default costs that
/// much per idle connection; most of our messages are small and a larger one just takes a few
/// more reads. 1 KiB instead of 4 measured 14.5 → 11.3 KB per idle connection. 512 bytes saved
/// another 0.5 KB but cost a quarter of the sustained update throughput (durability_bench,
/// memory store: 281k → 215k updates/s), one read call per 512 bytes of a typist's stream.
const READ_BUFFER: usize = 1024;
/// Bytes tungstenite gathers before it writes to the socket (a burst is flushed at its end).
/// Its buffer never shrinks, so an idle connection keeps the most it ever gathered: with 8 KiB,
/// the join burst (sync step 2, session view, awareness) stayed allocated, about 2.5 KB per
/// connection; with 1 KiB about the largest frame, 1.3 KB less (bench/NOTES.md, *S2*). A burst
/// of small updates still goes out in writes of a kilobyte or more; S5 showed no more CPU.
const WRITE_BUFFER: usize = 1024;
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
    ConnectInfo(PeerAddr(peer)): ConnectInfo<PeerAddr>,
    headers: HeaderMap,
    State(app): State<Arc<App>>,
) -> Response {
    if !admission::origin_allowed(&headers, &app.config.net) {
        Metrics::inc(&app.metrics.rejected_inputs);
        debug!(peer = %peer.ip(), "websocket from a foreign origin refused");
        return ApiError::Forbidden("this page may not connect to this server").into_response();
    }
    // Wrong tokens and unknown sessions are counted per address (see `run`); once an address
    // has used its allowance, refuse before the registry or the store is touched. A bucket of
    // its own: a room behind one NAT joining by code must not lock itself out of reconnecting.
    if app.auth_failure_limiter.exhausted(peer.ip()) {
        Metrics::inc(&app.metrics.joins_rate_limited);
        return ApiError::RateLimited(Duration::from_secs(60)).into_response();
    }
    let token = admission::token(params.token, &headers);
    let max = app.config.max_message_bytes;
    // The largest frame we send is a sync step 2 of the whole document, which may be as large
    // as the document budget: tungstenite refuses a frame larger than its write buffer limit
    // ("Write buffer is full"), which made a document above 2 MiB unsyncable. The limit is a
    // ceiling, not an allocation.
    let largest_out = app.config.doc.max_document_bytes().max(max);
    let tasks = app.tasks.clone();
    ws.protocols([admission::PROTOCOL])
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(largest_out.saturating_add(max).max(WRITE_BUFFER * 2))
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| {
            let conn = app.next_conn.fetch_add(1, Ordering::Relaxed);
            let span = info_span!("conn", conn, session = %session_id);
            tasks.track_future(
                serve(socket, app, conn, session_id, token, peer.ip()).instrument(span),
            )
        })
}

/// The connection's task. Its future lives as long as the connection, in every idle
/// connection's memory: the socket is owned here once and only lent further down (an async fn
/// that takes it by value keeps a second copy), and whatever is awaited only now and then is
/// boxed (bench/NOTES.md, *S2*).
#[allow(
    clippy::manual_async_fn,
    reason = "an async fn keeps a second copy of the socket: 1,576 bytes instead of 1,176"
)]
fn serve(
    mut socket: WebSocket,
    app: Arc<App>,
    conn: ConnId,
    session_id: String,
    token: Option<String>,
    peer: IpAddr,
) -> impl Future<Output = ()> {
    // Not an `async fn`: that moves its arguments into its body and keeps both copies.
    async move {
        Metrics::inc(&app.metrics.connections_open);
        Metrics::inc(&app.metrics.connections_total);
        run(&mut socket, &app, conn, &session_id, token, peer).await;
        Metrics::dec(&app.metrics.connections_open);
    }
}

async fn close_now(socket: &mut WebSocket, code: u16, reason: &str) {
    debug!(code, reason, "closing before join");
    send_close(socket, code, reason).await;
    drain(socket).await;
}

/// Writes what the queue still holds, giving up after a second.
async fn flush_queued(socket: &mut WebSocket, queue: &mut outbound::Receiver) {
    let _ = tokio::time::timeout(CLOSE_HANDSHAKE, async {
        while let Ok(frame) = queue.try_recv() {
            if socket.feed(WsMessage::Binary(frame)).await.is_err() {
                return;
            }
        }
        let _ = socket.flush().await;
    })
    .await;
}

/// Sends our close frame (after whatever is still buffered), giving up after a second.
async fn send_close(socket: &mut WebSocket, code: u16, reason: &str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = tokio::time::timeout(CLOSE_HANDSHAKE, socket.send(WsMessage::Close(Some(frame)))).await;
}

/// Reads until the client answers our close frame (or a second passes). Dropping a socket with
/// unread input makes the kernel send a reset, and a client that sees a reset instead of our
/// close frame never learns the close code (a browser reports 1006 and retries).
async fn drain(socket: &mut WebSocket) {
    let _ = tokio::time::timeout(CLOSE_HANDSHAKE, async {
        while let Some(Ok(message)) = socket.next().await {
            if matches!(message, WsMessage::Close(_)) {
                break;
            }
        }
    })
    .await;
}

async fn run(
    socket: &mut WebSocket,
    app: &Arc<App>,
    conn: ConnId,
    session_id: &str,
    token: Option<String>,
    peer: IpAddr,
) {
    if !ids::is_session_id(session_id) {
        Metrics::inc(&app.metrics.rejected_inputs);
        let _ = app.auth_failure_limiter.check(peer);
        return close_now(socket, close::SESSION_NOT_FOUND, "session not found").await;
    }
    let Some(token) = token else {
        Metrics::inc(&app.metrics.rejected_inputs);
        return close_now(socket, close::UNAUTHORIZED, "token missing").await;
    };
    let closer = Arc::new(Closer::new(app.shutdown.child_token()));
    let (outbound, mut queue) = outbound::channel(app.config.outbound_queue);
    // Boxed: the join's future is freed once joined instead of taking room in this future for
    // as long as the connection lives.
    let joined = Box::pin(join(app, conn, session_id, token, outbound, &closer)).await;
    let handle = match joined {
        Ok((handle, joined)) => {
            debug!(role = ?joined.role, participant = %joined.participant_id, "connected");
            handle
        }
        Err((code, reason)) => {
            if matches!(code, close::UNAUTHORIZED | close::SESSION_NOT_FOUND) {
                // Perhaps a guess at a session id or a token.
                let _ = app.auth_failure_limiter.check(peer);
            }
            return close_now(socket, code, reason).await;
        }
    };

    serve_socket(socket, &mut queue, app, conn, &handle, &closer).await;
    closer.close(1000, "");
    let _ = to_session(&handle, SessionCmd::Leave { conn }).await;
    let reason = closer.reason();
    if reason.code == close::SESSION_DELETED {
        // The session queued its farewell (`session_deleted`) just before closing us: deliver
        // it, so clients learn why, not only the close code. Boxed: rare, and not worth room
        // in every idle connection's future.
        Box::pin(flush_queued(socket, &mut queue)).await;
    }
    drop(queue);
    send_close(socket, reason.code, &reason.reason).await;
    drain(socket).await;
}

async fn join(
    app: &Arc<App>,
    conn: ConnId,
    session_id: &str,
    token: String,
    outbound: outbound::Sender,
    closer: &Arc<Closer>,
) -> Result<(SessionHandle, Joined), (u16, &'static str)> {
    let answer = app
        .registry
        .request(session_id, |reply| SessionCmd::Join {
            conn,
            token: token.clone(),
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

/// The connection's one loop: reads, validates and forwards what the client sends, and writes
/// what its queue holds, until someone closes the connection. Returns with the connection
/// closing (the reason, if any, is in `closer`).
async fn serve_socket(
    socket: &mut WebSocket,
    queue: &mut outbound::Receiver,
    app: &App,
    conn: ConnId,
    handle: &SessionHandle,
    closer: &Closer,
) {
    let closed = closer.closed();
    let timers = app.config.net.ws_timers();
    let mut io = Io::new(&timers);
    let mut tally = BadInputTally::default();
    let timer = tokio::time::sleep_until(io.next_wake());
    tokio::pin!(closed, timer);
    loop {
        let next = poll_fn(|cx| {
            if closed.as_mut().poll(cx).is_ready() {
                return Poll::Ready(None);
            }
            io.poll(
                cx,
                timer.as_mut(),
                &timers,
                socket,
                queue,
                closer,
                &app.metrics,
            )
        })
        .await;
        // Everything but the wait for the session is done in `on_read`, so that nothing of it
        // takes room in this future while the connection is idle.
        let forward = match on_read(next, app, queue, closer, &mut tally) {
            Read::Stop => return,
            Read::Next => continue,
            Read::Forward(msg) => {
                io.spoke();
                to_session(handle, SessionCmd::Client { conn, msg })
            }
        };
        tokio::pin!(forward);
        // Reading waits until the session has room (backpressure on the client), but writing
        // goes on: a busy session's inbox can stay full for a while with many senders, and
        // meanwhile it keeps delivering to this connection. Writing only after the wait
        // filled the outbound queue and closed clients with 4408 at 980k deliveries/s (S5).
        let forwarded = poll_fn(|cx| {
            if let Poll::Ready(sent) = forward.as_mut().poll(cx) {
                return Poll::Ready(Some(sent));
            }
            if closed.as_mut().poll(cx).is_ready() {
                return Poll::Ready(None);
            }
            match io.poll_write(cx, socket, queue, &app.metrics) {
                Ok(()) => Poll::Pending,
                Err(ended) => {
                    ended.close(closer);
                    Poll::Ready(None)
                }
            }
        })
        .await;
        match forwarded {
            None => return,
            Some(Ok(())) => {}
            Some(Err(SessionGone)) => {
                return closer.close(close::INTERNAL_ERROR, "session restarted; reconnect");
            }
        }
    }
}

enum Read {
    /// The connection is over (the reason, if any, is in the closer).
    Stop,
    /// Nothing for the session; read on.
    Next,
    Forward(ClientMsg),
}

/// What to do with what the client sent (`None`: the connection is over).
fn on_read(
    next: Option<Result<WsMessage, axum::Error>>,
    app: &App,
    queue: &outbound::Receiver,
    closer: &Closer,
    tally: &mut BadInputTally,
) -> Read {
    let message = match next {
        None => return Read::Stop,
        Some(Err(err)) => {
            let text = err.to_string();
            // tungstenite reports an over-long message as a capacity error.
            if text.contains("Space limit") {
                Metrics::inc(&app.metrics.rejected_inputs);
                warn!(%text, "message too big");
                closer.close(close::MESSAGE_TOO_BIG, "message too big");
            } else {
                debug!(%text, "read failed");
            }
            return Read::Stop;
        }
        Some(Ok(message)) => message,
    };
    let frame = match message {
        WsMessage::Binary(frame) => frame,
        WsMessage::Text(_) => {
            Metrics::inc(&app.metrics.rejected_inputs);
            warn!("text frame refused");
            closer.close(close::UNSUPPORTED_DATA, "binary frames only");
            return Read::Stop;
        }
        WsMessage::Close(_) => return Read::Stop,
        WsMessage::Ping(_) | WsMessage::Pong(_) => return Read::Next,
    };
    Metrics::inc(&app.metrics.messages_in);
    Metrics::add(&app.metrics.bytes_in, frame.len() as u64);
    let decoded = match decode(&frame, &app.frame_limits) {
        Ok(decoded) => decoded,
        Err(refusal) => {
            Metrics::inc(&app.metrics.rejected_inputs);
            warn!(code = refusal.code, reason = %refusal.reason, "frame refused");
            closer.close(refusal.code, refusal.reason);
            return Read::Stop;
        }
    };
    match decoded {
        Decoded::Session(msg) => return Read::Forward(msg),
        Decoded::Ping { id, client_time } => {
            // The clock that carousel deadlines are on (monotonic, fractional milliseconds),
            // not the system clock: a system-clock jump must not move every countdown.
            let event = Event::Pong {
                client_time,
                server_time: app.registry.ctx.clock.now_ms(),
            };
            send_event(queue, id, event);
        }
        Decoded::BadControl(bad) => {
            Metrics::inc(&app.metrics.rejected_inputs);
            Metrics::inc(app.metrics.bad_control(bad.kind));
            let verdict = tally.record(bad.kind, app.config.net.max_bad_control_messages);
            if verdict.log {
                // Never the client's text itself: its length and a short escaped prefix.
                warn!(
                    kind = bad.kind.name(),
                    len = bad.len,
                    prefix = %bad.prefix,
                    "bad control message (logged once per connection and kind)"
                );
            }
            if verdict.close {
                closer.close(
                    close::POLICY_VIOLATION,
                    "too many malformed control messages",
                );
                return Read::Stop;
            }
            send_event(
                queue,
                None,
                Event::Error {
                    code: ErrorCode::BadRequest,
                    message: bad.client_message,
                },
            );
        }
        Decoded::Nothing => {}
    }
    Read::Next
}

/// Hands a command to the session. Not an `async fn` holding the command across its wait:
/// waiting for room in the session's queue is rare, so the wait is boxed, and the future this
/// returns is a pointer wide instead of taking about 500 bytes in every idle connection.
fn to_session(
    handle: &SessionHandle,
    cmd: SessionCmd,
) -> impl Future<Output = Result<(), SessionGone>> + '_ {
    let waiting = match handle.try_send(cmd) {
        Ok(()) => None,
        Err(TrySendError::Closed(_)) => Some(Err(SessionGone)),
        Err(TrySendError::Full(cmd)) => Some(Ok(Box::pin(handle.send(cmd)))),
    };
    async move {
        match waiting {
            None => Ok(()),
            Some(Err(gone)) => Err(gone),
            Some(Ok(wait)) => wait.await,
        }
    }
}

/// Sends a control event from the connection itself (pongs and parse errors). The client
/// spoke on the control channel, so it understands it. A full queue drops the event: the
/// session's own disconnect of slow clients takes care of such a client. Once the session has
/// let go the queue takes nothing more: the connection is closing.
fn send_event(queue: &outbound::Receiver, reply_to: Option<u64>, event: Event) {
    let json = ServerEnvelope { reply_to, event }.to_json();
    queue.push_own(Bytes::from(Message::Control(&json).encode()));
}

/// The socket side of [`serve_socket`], polled by hand so that one task both reads and writes
/// the unsplit socket (no writer task, no `split()` lock; bench/NOTES.md, *S2*), and one timer
/// serves the ping, the ping's answer and the first-message deadline.
///
/// Liveness and activity are two things. Answering pings is liveness: a peer that sends
/// nothing at all for a while after a ping is gone. Activity is saying something: a client
/// that never sends its sync step 1 (or hello) after connecting holds a connection without
/// using it, however well it answers pings, and is closed.
struct Io {
    /// Until the client's first sync step 1, update or hello; `None` once it has spoken.
    first_message_by: Option<Instant>,
    next_ping: Instant,
    /// A ping went out and nothing has arrived since: the peer must answer by then.
    answer_by: Option<Instant>,
    ping_due: bool,
    /// Something was handed to the socket since its last flush.
    dirty: bool,
    /// Frames handed to the socket since its last flush, and their bytes, for the metrics.
    unflushed: u64,
    unflushed_bytes: u64,
}

/// At most this many frames go into the socket per wake-up before reading gets its turn.
const WRITE_BUDGET: usize = 128;

impl Io {
    fn new(timers: &WsTimers) -> Self {
        let now = Instant::now();
        Self {
            first_message_by: Some(now + timers.first_message),
            next_ping: now + timers.ping_every,
            answer_by: None,
            ping_due: false,
            dirty: false,
            unflushed: 0,
            unflushed_bytes: 0,
        }
    }

    /// The client sent something for the session: it is no longer silent.
    fn spoke(&mut self) {
        self.first_message_by = None;
    }

    /// The earliest of the timer's deadlines.
    fn next_wake(&self) -> Instant {
        [self.first_message_by, self.answer_by]
            .into_iter()
            .flatten()
            .fold(self.next_ping, Instant::min)
    }

    /// Writes what is queued (a burst is flushed once, at its end) and pings when due; ready
    /// with the next thing the client sent, or with `None` when the connection is over.
    /// `timer` wakes it for the next of its deadlines ([`Io::next_wake`]).
    #[allow(
        clippy::too_many_arguments,
        reason = "all borrowed from the one loop that owns them"
    )]
    fn poll(
        &mut self,
        cx: &mut Context<'_>,
        mut timer: Pin<&mut Sleep>,
        timers: &WsTimers,
        socket: &mut WebSocket,
        queue: &mut outbound::Receiver,
        closer: &Closer,
        metrics: &Metrics,
    ) -> Poll<Option<Result<WsMessage, axum::Error>>> {
        while timer.as_mut().poll(cx).is_ready() {
            let now = Instant::now();
            if self.first_message_by.is_some_and(|by| now >= by) {
                Metrics::inc(&metrics.ws_silent_closed);
                closer.close(close::POLICY_VIOLATION, "no sync step 1 or hello in time");
                return Poll::Ready(None);
            }
            if self.answer_by.is_some_and(|by| now >= by) {
                Metrics::inc(&metrics.ws_unanswered_pings);
                closer.close(close::GOING_AWAY, "no answer to ping");
                return Poll::Ready(None);
            }
            if now >= self.next_ping {
                self.ping_due = true;
                self.next_ping = now + timers.ping_every;
                self.answer_by.get_or_insert(now + timers.pong_timeout);
            }
            timer.as_mut().reset(self.next_wake());
        }
        if let Err(ended) = self.poll_write(cx, socket, queue, metrics) {
            ended.close(closer);
            return Poll::Ready(None);
        }
        let next = ready!(socket.poll_next_unpin(cx));
        // Anything at all, a pong or data, shows the peer is there.
        self.answer_by = None;
        Poll::Ready(next)
    }

    fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        socket: &mut WebSocket,
        queue: &mut outbound::Receiver,
        metrics: &Metrics,
    ) -> Result<(), Ended> {
        let mut budget = WRITE_BUDGET;
        loop {
            match socket.poll_ready_unpin(cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(_)) => return Err(Ended::Socket),
                // Woken when the socket takes more; the burst is flushed then.
                Poll::Pending => return Ok(()),
            }
            if self.ping_due {
                self.ping_due = false;
                self.start_send(socket, WsMessage::Ping(Bytes::new()))?;
                continue;
            }
            if budget == 0 {
                // Let reading have its turn; come back at once.
                cx.waker().wake_by_ref();
                break;
            }
            match queue.poll_recv(cx) {
                Poll::Ready(Some(frame)) => {
                    budget -= 1;
                    self.unflushed += 1;
                    self.unflushed_bytes += frame.len() as u64;
                    self.start_send(socket, WsMessage::Binary(frame))?;
                }
                Poll::Ready(None) => return Err(Ended::Queue),
                Poll::Pending => break,
            }
        }
        if self.dirty {
            match socket.poll_flush_unpin(cx) {
                Poll::Ready(Ok(())) => {
                    self.dirty = false;
                    Metrics::add(&metrics.messages_out, self.unflushed);
                    Metrics::add(&metrics.bytes_out, self.unflushed_bytes);
                    self.unflushed = 0;
                    self.unflushed_bytes = 0;
                }
                Poll::Ready(Err(_)) => return Err(Ended::Socket),
                Poll::Pending => {}
            }
        }
        Ok(())
    }

    fn start_send(&mut self, socket: &mut WebSocket, message: WsMessage) -> Result<(), Ended> {
        self.dirty = true;
        socket.start_send_unpin(message).map_err(|_| Ended::Socket)
    }
}

enum Ended {
    /// Every sender of the queue is gone: the session let go of this connection.
    Queue,
    /// Writing failed: the client is gone.
    Socket,
}

impl Ended {
    fn close(self, closer: &Closer) {
        match self {
            Ended::Queue => closer.close(close::INTERNAL_ERROR, "session restarted; reconnect"),
            Ended::Socket => closer.close(1000, ""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The size of the future a function returns, without running it.
    fn future_size<F: Future>(_: impl FnOnce() -> F) -> usize {
        std::mem::size_of::<F>()
    }

    /// Every idle connection holds its task's future (bench/NOTES.md, *S2*): 3,168 bytes when
    /// the socket was moved into nested `async fn`s and the join and session waits were inline,
    /// 1,176 now (368 of them the socket). This fails if it grows back.
    #[test]
    #[allow(unreachable_code, clippy::diverging_sub_expression)]
    fn the_connection_future_stays_small() {
        let serve = future_size(|| {
            serve(
                unreachable!(),
                unreachable!(),
                unreachable!(),
                unreachable!(),
                unreachable!(),
                unreachable!(),
            )
        });
        assert!(serve <= 1_400, "the connection's future is {serve} bytes");
    }
}
