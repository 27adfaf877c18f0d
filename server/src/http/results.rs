//! Results and deletion: `GET /api/sessions/{id}/export` and `DELETE /api/sessions/{id}`,
//! both for the facilitator's token (`Authorization: Bearer ...`).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::sync::oneshot;
use werkplaats_protocol::close;
use werkplaats_protocol::template::Language;

use super::error::ApiError;
use crate::app::App;
use crate::export::{Results, render_html, render_markdown};
use crate::ids;
use crate::session::{Refused, SessionCmd};

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    #[default]
    Md,
    Json,
    Html,
}

#[derive(Debug, Deserialize)]
pub struct ExportParams {
    #[serde(default)]
    format: ExportFormat,
    #[serde(default)]
    lang: Option<Language>,
}

fn bearer(headers: &HeaderMap) -> Result<String, ApiError> {
    super::bearer_token(headers)
        .map(str::to_owned)
        .ok_or(ApiError::Unauthorized(
            "send the facilitator token as Authorization: Bearer",
        ))
}

fn refused(refused: Refused) -> ApiError {
    match refused.code {
        close::UNAUTHORIZED => ApiError::Unauthorized(refused.reason),
        close::SESSION_NOT_FOUND => ApiError::NotFound("session not found"),
        _ => ApiError::Unavailable(refused.reason.to_owned()),
    }
}

/// Sends a command that carries a reply to the session, loading it if needed.
async fn ask<T>(
    app: &Arc<App>,
    id: &str,
    make: impl Fn(oneshot::Sender<Result<T, Refused>>) -> SessionCmd,
) -> Result<T, ApiError> {
    if !ids::is_session_id(id) {
        return Err(ApiError::NotFound("session not found"));
    }
    match app.registry.request(id, make).await {
        Some((_, result)) => result.map_err(refused),
        None => Err(ApiError::Unavailable(
            "session is restarting; try again".into(),
        )),
    }
}

pub async fn export(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Query(params): Query<ExportParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let token = bearer(&headers)?;
    let language = params.lang.unwrap_or(Language::Nl);
    let results: Results = ask(&app, &id, |reply| SessionCmd::Export {
        token: token.clone(),
        language,
        reply,
    })
    .await?;
    let stem = format!("werkplaats-{}", results.exported_at);
    let disposition = |ext: &str| format!("inline; filename=\"{stem}.{ext}\"");
    Ok(match params.format {
        ExportFormat::Json => (
            [(header::CONTENT_DISPOSITION, disposition("json"))],
            Json(results),
        )
            .into_response(),
        ExportFormat::Md => (
            [
                (
                    header::CONTENT_TYPE,
                    "text/markdown; charset=utf-8".to_owned(),
                ),
                (header::CONTENT_DISPOSITION, disposition("md")),
            ],
            render_markdown(&results),
        )
            .into_response(),
        ExportFormat::Html => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, disposition("html")),
            ],
            render_html(&results),
        )
            .into_response(),
    })
}

pub async fn delete(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let token = bearer(&headers)?;
    ask(&app, &id, |reply| SessionCmd::Delete {
        token: token.clone(),
        reply,
    })
    .await?;
    tracing::info!(session = %id, "session deleted by its facilitator");
    Ok(StatusCode::NO_CONTENT)
}
