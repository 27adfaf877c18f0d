//! The server under test.

use std::net::SocketAddr;
use std::sync::Arc;

use serde::Deserialize;
use werkplaats_server::store::Store;
use werkplaats_server::store::memory::MemoryStore;
use werkplaats_server::{Config, Server};

pub struct TestServer {
    pub server: Server,
    pub http: reqwest::Client,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CreatedSession {
    pub id: String,
    pub join_code: String,
    pub title: String,
    pub facilitator_token: String,
    pub facilitator_participant_id: String,
    pub display_token: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Joined {
    pub session_id: String,
    pub participant_id: String,
    pub participant_token: String,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(Config::for_tests(), Arc::new(MemoryStore::new())).await
    }

    pub async fn start_with(config: Config, store: Arc<dyn Store>) -> Self {
        crate::init_tracing();
        let server = Server::start(config, store).await.expect("server starts");
        Self {
            server,
            http: reqwest::Client::new(),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr(), path)
    }

    pub fn ws_url(&self, session_id: &str, token: &str) -> String {
        format!("ws://{}/ws/{}?token={}", self.addr(), session_id, token)
    }

    /// The session as a new connection with `token` sees it: connects, says hello, and returns
    /// the `session` view.
    pub async fn view(
        &self,
        session_id: &str,
        token: &str,
    ) -> werkplaats_protocol::workshop::SessionView {
        crate::YClient::connect(&self.ws_url(session_id, token))
            .await
            .expect("connects")
            .hello()
            .await
    }

    /// `POST /api/sessions` with a JSON body, whatever it answers.
    pub async fn create_request(&self, body: serde_json::Value) -> reqwest::Response {
        self.http
            .post(self.url("/api/sessions"))
            .json(&body)
            .send()
            .await
            .expect("create request")
    }

    pub async fn create_session(&self) -> CreatedSession {
        let response = self
            .create_request(serde_json::json!({ "title": "Test" }))
            .await;
        assert_eq!(response.status(), 201);
        response.json().await.expect("create response")
    }

    pub async fn join(&self, code: &str, name: &str) -> Joined {
        let response = self
            .http
            .post(self.url("/api/join"))
            .json(&serde_json::json!({ "code": code, "name": name }))
            .send()
            .await
            .expect("join request");
        assert_eq!(response.status(), 200, "join failed");
        response.json().await.expect("join response")
    }

    pub async fn metric(&self, name: &str) -> u64 {
        let text = self
            .http
            .get(self.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|line| {
                line.strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix(' '))
            })
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("metric {name} missing"))
    }
}
