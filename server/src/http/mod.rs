//! HTTP routes: the JSON API, the websocket endpoint and the web client's files.

pub mod api;
pub mod error;

use std::sync::Arc;

use axum::Router;
use axum::response::Html;
use axum::routing::{any, delete, get, post};
use tower_http::services::{ServeDir, ServeFile};

use crate::app::App;

/// Shown when the web client has not been built.
const PLACEHOLDER: &str = include_str!("placeholder.html");

pub fn router(app: Arc<App>) -> Router {
    let api = Router::new()
        .route("/api/sessions", post(api::create_session))
        .route("/api/sessions/{session_id}", delete(api::delete_session))
        .route("/api/join", post(api::join))
        .route("/healthz", get(api::healthz))
        .route("/metrics", get(api::metrics))
        .route("/ws/{session_id}", any(crate::ws::connection::upgrade));
    let index = app.config.web.join("index.html");
    let router = if index.is_file() {
        // The client routes (/join/CODE, /s/ID, ...) all load index.html.
        api.fallback_service(ServeDir::new(&app.config.web).fallback(ServeFile::new(index)))
    } else {
        tracing::warn!(dir = %app.config.web.display(), "web client not built; serving a placeholder page");
        api.fallback(|| async { Html(PLACEHOLDER) })
    };
    router.with_state(app)
}
