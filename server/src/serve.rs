//! The HTTP side of every connection: hyper's HTTP/1 server with a header-read timeout, a cap
//! per address on connections that have not yet sent a request, and graceful shutdown.
//!
//! Not `axum::serve`: it offers no header-read timeout, so a client that sends half a request
//! line (or nothing, or keeps an idle keep-alive connection) held its connection slot for good,
//! and 64 such sockets took a server with `--max-connections 64` down. hyper's own
//! `header_read_timeout` covers all three: it runs from the moment the server waits for a
//! request's head, on a new connection and between keep-alive requests alike. HTTP/1 only:
//! browsers speak HTTP/2 only over TLS (which a proxy in front terminates), and h2c would be a
//! second protocol to bound for no user.

use std::io;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::ConnectInfo;
use axum::serve::Listener;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio_util::sync::CancellationToken;
use tower::Service;

use crate::limits::net::NetLimits;
use crate::listener::{LimitedListener, PeerAddr};
use crate::metrics::Metrics;
use crate::pending::PendingPerAddress;

/// Serves `router` on `listener` until `stop` is cancelled, then lets every connection finish
/// its request in flight (upgraded websockets are no longer hyper's; the app closes them).
pub async fn serve(
    mut listener: LimitedListener,
    router: Router,
    limits: &NetLimits,
    metrics: Arc<Metrics>,
    stop: CancellationToken,
) -> io::Result<()> {
    let mut builder = auto::Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout());
    let pending = PendingPerAddress::new(limits.max_pending_per_address);
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stop.cancelled() => break,
        };
        let Some(slot) = pending.try_take(addr.ip()) else {
            Metrics::inc(&metrics.pending_refused);
            tracing::debug!(peer = %addr.ip(), "too many connections without a request; closed");
            continue;
        };
        // The slot goes back when the first request's head has arrived, or with the
        // connection if it never does.
        let slot = Arc::new(Mutex::new(Some(slot)));
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            if let Ok(mut slot) = slot.lock() {
                slot.take();
            }
            request.extensions_mut().insert(ConnectInfo(PeerAddr(addr)));
            // A router is always ready; its error type is `Infallible`.
            router.clone().call(request)
        });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                // Timeouts, resets and malformed requests: the client's problem, not ours.
                tracing::debug!(%error, "HTTP connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
