//! HTTP routes: the JSON API, the websocket endpoint and the web client's files.

pub mod api;
pub mod error;
pub mod results;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Html;
use axum::routing::{any, delete, get, post};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::app::App;

/// What a page may load: our own scripts (the built client has no inline script), styles and
/// connections (CSP 3 `'self'` covers `ws:`/`wss:` to our own host, so a script slipped into a
/// page cannot send a session elsewhere); no framing by other sites (a framed page can be
/// clickjacked); no plugins, no `<base>` tricks. Inline styles stay allowed: the HTML export's
/// print style and the style attributes the client sets (colour dots, clock).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The token of an `Authorization: Bearer TOKEN` header, trimmed; `None` without one (or an
/// empty one). Facilitator tokens, the create key, the metrics key and websocket tokens all
/// travel this way.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
}

/// Shown when the web client has not been built.
const PLACEHOLDER: &str = include_str!("placeholder.html");

pub fn router(app: Arc<App>) -> Router {
    let api = Router::new()
        .route("/api/sessions", post(api::create_session))
        .route("/api/join", post(api::join))
        .route("/api/sessions/{id}", delete(results::delete))
        .route("/api/sessions/{id}/export", get(results::export))
        .route("/healthz", get(api::healthz))
        .route("/metrics", get(api::metrics))
        .route("/ws/{session_id}", any(crate::ws::connection::upgrade))
        .route("/api/{*rest}", any(api::not_found))
        // API answers carry tokens and personal data: no cache may keep them.
        .route_layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let index = app.config.web.join("index.html");
    let router = if index.is_file() {
        // The client routes (/join/CODE, /s/ID, ...) all load index.html.
        api.fallback_service(ServeDir::new(&app.config.web).fallback(ServeFile::new(index)))
    } else {
        tracing::warn!(dir = %app.config.web.display(), "web client not built; serving a placeholder page");
        api.fallback(|| async { Html(PLACEHOLDER) })
    };
    let body_timeout = app.config.net.body_timeout();
    router
        // A body that trickles in holds its connection: give up on it (the handler sees an
        // error, the client gets a 4xx and the connection closes).
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .with_state(app)
}
