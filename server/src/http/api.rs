//! The JSON API: create a session, join one with a code, delete one, health and metrics.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use werkplaats_protocol::control::Role;
use werkplaats_protocol::template::{
    DurationOverrides, Template, builtin_probiblio, parse_template_json, parse_template_toml,
};

use super::error::ApiError;
use crate::app::App;
use crate::ids;
use crate::listener::PeerAddr;
use crate::session::SessionCmd;
use crate::session::join_retry_after;
use crate::session::meta::{SessionMeta, clean_name, share_template};
use crate::store::{SessionRow, StoreError, now_ms};
use werkplaats_protocol::close;

/// Any other path under `/api/`: a JSON 404, not the web client's page.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("no such API endpoint")
}

/// Refuses a request whose content type is not JSON (even with an empty body): only a JSON
/// request needs a CORS preflight, so only it cannot come from another site's page.
fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let essence = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|essence| essence.trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("application/json") => Ok(()),
        _ => Err(ApiError::UnsupportedMediaType),
    }
}

/// Longest session title, in characters.
const MAX_TITLE_CHARS: usize = 120;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSession {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub facilitator_name: Option<String>,
    /// A workshop template in TOML (see `protocol/templates/README.md`); the built-in one if
    /// neither this nor `template` is given.
    #[serde(default)]
    pub template_toml: Option<String>,
    /// The same, as JSON.
    #[serde(default)]
    pub template: Option<serde_json::Value>,
    /// Durations for this session (phases, carousel stages, silence).
    #[serde(default)]
    pub durations: Option<DurationOverrides>,
}

fn chosen_template(request: &CreateSession) -> Result<Template, ApiError> {
    let template = match (&request.template_toml, &request.template) {
        (Some(_), Some(_)) => {
            return Err(ApiError::BadRequest(
                "give template_toml or template, not both".into(),
            ));
        }
        (Some(toml), None) => {
            parse_template_toml(toml).map_err(|e| ApiError::BadRequest(format!("template: {e}")))?
        }
        (None, Some(json)) => parse_template_json(&json.to_string())
            .map_err(|e| ApiError::BadRequest(format!("template: {e}")))?,
        (None, None) => builtin_probiblio(),
    };
    match &request.durations {
        Some(overrides) => template
            .with_durations(overrides)
            .map_err(|e| ApiError::BadRequest(format!("durations: {e}"))),
        None => Ok(template),
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct CreatedSession {
    pub id: String,
    pub join_code: String,
    pub title: String,
    pub facilitator_token: String,
    pub facilitator_participant_id: String,
    pub display_token: String,
    pub links: Links,
}

/// Paths for the web client, relative to the server. Tokens travel in the fragment, which
/// browsers never send to a server or put in its logs.
#[derive(Debug, Serialize, Deserialize)]
pub struct Links {
    pub participant: String,
    pub facilitator: String,
    pub display: String,
    pub websocket: String,
}

/// With `--create-key`, creating a session takes that key as a bearer token.
fn require_create_key(app: &App, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(key) = &app.config.net.create_key else {
        return Ok(());
    };
    match super::bearer_token(headers) {
        Some(offered) if key.matches(offered) => Ok(()),
        _ => Err(ApiError::Unauthorized(
            "this server creates sessions only with its create key",
        )),
    }
}

/// What `--max-store-bytes` counts: the bytes the SQLite store takes on disk (database, WAL
/// and shared memory), or what the memory store holds.
async fn store_bytes(app: &App) -> u64 {
    if let Some(held) = app.store.held_bytes() {
        return held;
    }
    let config = &app.config;
    if config.store != crate::config::StoreKind::Sqlite {
        return 0;
    }
    let mut total = 0;
    for suffix in ["", "-wal", "-shm"] {
        let path = config.data.join(format!("werkplaats.sqlite3{suffix}"));
        if let Ok(metadata) = tokio::fs::metadata(&path).await {
            total += metadata.len();
        }
    }
    total
}

/// What may create a session, checked before the body is read: the content type, the create
/// key, the rate per address and the disk budget.
async fn may_create(app: &App, headers: &HeaderMap, peer: PeerAddr) -> Result<(), ApiError> {
    require_json(headers)?;
    require_create_key(app, headers)?;
    if let Err(wait) = app.create_limiter.check(peer.0.ip()) {
        tracing::warn!(peer = %peer.0.ip(), "session creation rate limit reached");
        return Err(ApiError::RateLimited(wait));
    }
    let used = store_bytes(app).await;
    if used >= app.config.net.max_store_bytes {
        tracing::error!(
            used,
            budget = app.config.net.max_store_bytes,
            "store over its disk budget; refusing new sessions"
        );
        return Err(ApiError::StorageFull);
    }
    Ok(())
}

/// Refuses a template larger than `--max-template-bytes` (a JSON template counts as its
/// serialised text).
fn check_template_size(app: &App, request: &CreateSession) -> Result<(), ApiError> {
    let limit = app.config.net.max_template_bytes as usize;
    let size = match (&request.template_toml, &request.template) {
        (Some(toml), _) => toml.len(),
        (None, Some(json)) => json.to_string().len(),
        (None, None) => 0,
    };
    if size > limit {
        return Err(ApiError::TooLarge(format!(
            "the template is {size} bytes; this server takes at most {limit}"
        )));
    }
    Ok(())
}

pub async fn create_session(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<PeerAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    may_create(&app, &headers, peer).await?;
    let request: CreateSession = if body.iter().all(u8::is_ascii_whitespace) {
        CreateSession::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::BadRequest(format!("invalid JSON body: {e}")))?
    };
    check_template_size(&app, &request)?;
    let title = request
        .title
        .as_deref()
        .map(|t| {
            t.chars()
                .filter(|c| !c.is_control())
                .take(MAX_TITLE_CHARS)
                .collect::<String>()
                .trim()
                .to_owned()
        })
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "Werkplaats-sessie".to_owned());
    let facilitator_name = request
        .facilitator_name
        .as_deref()
        .and_then(|name| clean_name(name, app.config.session.max_name_chars as usize))
        .unwrap_or_else(|| "Begeleider".to_owned());
    let template = chosen_template(&request)?;

    let now = now_ms();
    let mut meta = SessionMeta {
        title: title.clone(),
        credentials: Vec::new(),
        template: share_template(template),
        join_locked: false,
    };
    let (facilitator, facilitator_token) =
        meta.add_credential(Role::Facilitator, facilitator_name, now);
    let (_, display_token) = meta.add_credential(Role::Display, "Scherm".to_owned(), now);
    let id = ids::session_id();
    let meta_json = meta.to_json();

    for _ in 0..ids::JOIN_CODE_ATTEMPTS {
        let join_code = ids::join_code();
        let row = SessionRow {
            id: id.clone(),
            join_code: join_code.clone(),
            created_at_ms: now,
        };
        match app.store.create_session(row, meta_json.clone()).await {
            Ok(()) => {
                tracing::info!(session = %id, "session created");
                let links = Links {
                    participant: format!("/join/{join_code}"),
                    facilitator: format!("/s/{id}#token={facilitator_token}"),
                    display: format!("/s/{id}/display#token={display_token}"),
                    websocket: "/ws".to_owned(),
                };
                let created = CreatedSession {
                    id,
                    join_code,
                    title,
                    facilitator_token,
                    facilitator_participant_id: facilitator.participant_id,
                    display_token,
                    links,
                };
                return Ok((StatusCode::CREATED, Json(created)));
            }
            Err(StoreError::JoinCodeTaken) => continue,
            Err(err) => return Err(err.into()),
        }
    }
    Err(ApiError::Unavailable("no free join code; try again".into()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct JoinResponse {
    pub session_id: String,
    pub participant_id: String,
    pub participant_token: String,
}

pub async fn join(
    State(app): State<Arc<App>>,
    ConnectInfo(PeerAddr(peer)): ConnectInfo<PeerAddr>,
    Json(request): Json<JoinRequest>,
) -> Result<Json<JoinResponse>, ApiError> {
    // Every attempt counts, right or wrong: that is what makes guessing codes useless.
    if let Err(wait) = app.join_limiter.check(peer.ip()) {
        crate::metrics::Metrics::inc(&app.metrics.joins_rate_limited);
        tracing::warn!(peer = %peer.ip(), "join rate limit reached");
        return Err(ApiError::RateLimited(wait));
    }
    let code =
        ids::normalize_join_code(&request.code).ok_or(ApiError::NotFound("unknown join code"))?;
    let name = clean_name(&request.name, app.config.session.max_name_chars as usize)
        .ok_or_else(|| ApiError::BadRequest("a name is required".into()))?;
    let session_id = app
        .store
        .session_by_join_code(&code)
        .await?
        .ok_or(ApiError::NotFound("unknown join code"))?;
    let answer = app
        .registry
        .request(&session_id, |reply| SessionCmd::AddParticipant {
            name: name.clone(),
            code: code.clone(),
            reply,
        })
        .await;
    match answer {
        Some((_, Ok(participant))) => {
            tracing::info!(session = %session_id, participant = %participant.participant_id, "participant joined");
            Ok(Json(JoinResponse {
                session_id,
                participant_id: participant.participant_id,
                participant_token: participant.token,
            }))
        }
        Some((_, Err(refused))) => Err(match refused.code {
            close::RATE_LIMITED => ApiError::RateLimited(join_retry_after(
                app.config.session.session_joins_per_minute,
            )),
            close::UNAUTHORIZED => ApiError::Forbidden(refused.reason),
            // The code was rotated, or the session deleted, after the lookup: the answer is
            // the one an unknown code gets, so it tells nothing about what the code once was.
            close::SESSION_NOT_FOUND | close::SESSION_DELETED => {
                ApiError::NotFound("unknown join code")
            }
            _ => ApiError::Unavailable(refused.reason.to_owned()),
        }),
        None => Err(ApiError::Unavailable(
            "session is restarting; try again".into(),
        )),
    }
}

pub async fn healthz(State(app): State<Arc<App>>) -> impl IntoResponse {
    if app.shutdown.is_cancelled() {
        (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n")
    } else {
        (StatusCode::OK, "ok\n")
    }
}

/// Who may read `/metrics`: with `--metrics-key`, whoever sends it as a bearer token;
/// without, only the machine itself (a scraper on the host, or through a proxy that keeps
/// `/metrics` to itself). The counters tell an outsider how busy the server is and how its
/// limits are set.
fn may_read_metrics(app: &App, headers: &HeaderMap, peer: PeerAddr) -> Result<(), ApiError> {
    match &app.config.net.metrics_key {
        Some(key) => match super::bearer_token(headers) {
            Some(offered) if key.matches(offered) => Ok(()),
            _ => Err(ApiError::Unauthorized("metrics take the metrics key")),
        },
        None if peer.0.ip().is_loopback() => Ok(()),
        None => Err(ApiError::Forbidden(
            "metrics are for this machine only (or set --metrics-key)",
        )),
    }
}

pub async fn metrics(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<PeerAddr>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    may_read_metrics(&app, &headers, peer)?;
    let mut body = app.metrics.render();
    if let Some(stats) = app.store.commit_stats() {
        // writes / transactions is the average group-commit size; with `--sqlite-sync full`
        // each transaction is one fsync of the WAL, with `normal` the WAL syncs count them.
        for (name, help, value) in [
            (
                "werkplaats_store_transactions_total",
                "Store write transactions committed (with --sqlite-sync full, one fsync each).",
                stats.transactions,
            ),
            (
                "werkplaats_store_writes_total",
                "Store writes committed, over all transactions.",
                stats.writes,
            ),
            (
                "werkplaats_store_wal_syncs_total",
                "fsyncs of the WAL by the sync thread (--sqlite-sync normal; one a second at most).",
                stats.wal_syncs,
            ),
        ] {
            body.push_str(&format!(
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
            ));
        }
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    ))
}
