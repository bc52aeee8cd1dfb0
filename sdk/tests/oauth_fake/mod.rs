//! A fake Atlas OAuth token endpoint and API, written independently of the SDK, shared by the
//! service-account tests.
#![allow(dead_code)]

use std::collections::{HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atlas_admin_sdk::{Client, RetryPolicy};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::json;

pub const CLIENT_ID: &str = "mdb_sa_id_0123456789abcdef01234567";
pub const CLIENT_SECRET: &str = "mdb_sa_sk_TOP-SECRET-value";
pub const GROUP: &str = "6a79f2c2d21a0d4a1ac2b3c4";

#[derive(Debug, Clone)]
pub struct OAuthCall {
    pub authorization: String,
    pub content_type: String,
    pub accept: String,
    pub body: String,
}

#[derive(Default)]
pub struct FakeState {
    pub token_calls: Vec<OAuthCall>,
    pub revoke_calls: Vec<OAuthCall>,
    /// Bearer tokens seen by the API, in order (`""` for none).
    pub api_calls: Vec<String>,
    /// Valid tokens and when they expire.
    pub issued: Vec<(String, Instant)>,
    pub revoked: HashSet<String>,
    pub expires_in: u64,
    pub token_delay: Duration,
    /// Statuses answered by the token endpoint before it issues tokens.
    pub token_faults: VecDeque<u16>,
    /// Reject the next API call even with a valid token (server-side revocation).
    pub reject_next_api_call: bool,
}

pub type Shared = Arc<Mutex<FakeState>>;

pub fn lock(s: &Shared) -> std::sync::MutexGuard<'_, FakeState> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

pub fn expected_basic() -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    )
}

pub fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({"error": 401, "errorCode": "NOT_ORG_GROUP_CREATOR", "detail": "You are not authorized for this resource.", "reason": "Unauthorized"})),
    )
        .into_response()
}

pub async fn handler(
    State(state): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let call = OAuthCall {
        authorization: header(&headers, "authorization"),
        content_type: header(&headers, "content-type"),
        accept: header(&headers, "accept"),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    match (method.as_str(), uri.path()) {
        ("POST", "/api/oauth/token") => {
            let (delay, fault) = {
                let mut s = lock(&state);
                s.token_calls.push(call.clone());
                (s.token_delay, s.token_faults.pop_front())
            };
            tokio::time::sleep(delay).await;
            if let Some(status) = fault {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
                return (
                    status,
                    [("retry-after", "0")],
                    axum::Json(json!({"error": "temporarily_unavailable"})),
                )
                    .into_response();
            }
            if call.authorization != expected_basic() {
                return (
                    StatusCode::UNAUTHORIZED,
                    axum::Json(json!({"error": "invalid_client", "error_description": "Invalid client credentials"})),
                )
                    .into_response();
            }
            let mut s = lock(&state);
            let token = format!("tok-{}", s.issued.len() + 1);
            let expires_in = s.expires_in;
            s.issued.push((
                token.clone(),
                Instant::now() + Duration::from_secs(expires_in),
            ));
            axum::Json(
                json!({"access_token": token, "token_type": "Bearer", "expires_in": expires_in}),
            )
            .into_response()
        }
        ("POST", "/api/oauth/revoke") => {
            let mut s = lock(&state);
            s.revoke_calls.push(call.clone());
            if call.authorization != expected_basic() {
                return StatusCode::UNAUTHORIZED.into_response();
            }
            let token = call
                .body
                .split('&')
                .find_map(|kv| kv.strip_prefix("token="))
                .unwrap_or_default()
                .to_owned();
            s.revoked.insert(token);
            StatusCode::OK.into_response()
        }
        (_, p) if p.starts_with("/api/atlas/v2/") => {
            let mut s = lock(&state);
            let bearer = call
                .authorization
                .strip_prefix("Bearer ")
                .unwrap_or_default()
                .to_owned();
            s.api_calls.push(bearer.clone());
            let valid = s
                .issued
                .iter()
                .any(|(t, exp)| *t == bearer && *exp > Instant::now())
                && !s.revoked.contains(&bearer);
            if !valid {
                return unauthorized();
            }
            if s.reject_next_api_call {
                s.reject_next_api_call = false;
                s.revoked.insert(bearer);
                return unauthorized();
            }
            (
                StatusCode::OK,
                axum::Json(json!({"id": GROUP, "name": "p", "orgId": GROUP, "created": "2026-08-10T03:02:58Z", "clusterCount": 0, "links": []})),
            )
                .into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

pub struct Fake {
    pub base_url: String,
    pub state: Shared,
}

impl Fake {
    pub async fn start(expires_in: u64) -> Fake {
        let state: Shared = Arc::new(Mutex::new(FakeState {
            expires_in,
            ..Default::default()
        }));
        let app = axum::Router::new()
            .fallback(handler)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("addr: {e}"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Fake {
            base_url: format!("http://{addr}"),
            state,
        }
    }

    pub fn client_with(&self, secret: &str) -> Client {
        Client::builder()
            .base_url(&self.base_url)
            .service_account(CLIENT_ID, secret)
            .retry_policy(RetryPolicy::new(
                3,
                Duration::from_millis(1),
                Duration::from_millis(5),
                Duration::from_secs(5),
            ))
            .build()
            .unwrap_or_else(|e| panic!("client: {e}"))
    }

    pub fn client(&self) -> Client {
        self.client_with(CLIENT_SECRET)
    }

    pub fn state(&self) -> std::sync::MutexGuard<'_, FakeState> {
        lock(&self.state)
    }
}

pub async fn get_project(client: &Client) {
    client
        .projects()
        .get(GROUP)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}
