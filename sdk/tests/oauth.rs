//! Service accounts (OAuth 2.0 client credentials) against a fake token endpoint written
//! independently of the SDK: the token request, caching across clones and concurrent callers,
//! refresh on expiry, refresh + one retry on 401, revocation, errors and secrecy.

use std::collections::{HashSet, VecDeque};
use std::io::Write;
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

const CLIENT_ID: &str = "mdb_sa_id_0123456789abcdef01234567";
const CLIENT_SECRET: &str = "mdb_sa_sk_TOP-SECRET-value";
const GROUP: &str = "6a79f2c2d21a0d4a1ac2b3c4";

#[derive(Debug, Clone)]
struct OAuthCall {
    authorization: String,
    content_type: String,
    accept: String,
    body: String,
}

#[derive(Default)]
struct FakeState {
    token_calls: Vec<OAuthCall>,
    revoke_calls: Vec<OAuthCall>,
    /// Bearer tokens seen by the API, in order (`""` for none).
    api_calls: Vec<String>,
    /// Valid tokens and when they expire.
    issued: Vec<(String, Instant)>,
    revoked: HashSet<String>,
    expires_in: u64,
    token_delay: Duration,
    /// Statuses answered by the token endpoint before it issues tokens.
    token_faults: VecDeque<u16>,
    /// Reject the next API call even with a valid token (server-side revocation).
    reject_next_api_call: bool,
}

type Shared = Arc<Mutex<FakeState>>;

fn lock(s: &Shared) -> std::sync::MutexGuard<'_, FakeState> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn expected_basic() -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    )
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({"error": 401, "errorCode": "NOT_ORG_GROUP_CREATOR", "detail": "You are not authorized for this resource.", "reason": "Unauthorized"})),
    )
        .into_response()
}

async fn handler(
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

struct Fake {
    base_url: String,
    state: Shared,
}

impl Fake {
    async fn start(expires_in: u64) -> Fake {
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

    fn client_with(&self, secret: &str) -> Client {
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

    fn client(&self) -> Client {
        self.client_with(CLIENT_SECRET)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, FakeState> {
        lock(&self.state)
    }
}

async fn get_project(client: &Client) {
    client
        .projects()
        .get(GROUP)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn oauth_token_request_is_well_formed_and_used_as_bearer() {
    let fake = Fake::start(3600).await;
    let client = fake.client();
    get_project(&client).await;
    get_project(&client.clone()).await;
    let s = fake.state();
    assert_eq!(
        s.token_calls.len(),
        1,
        "one token for both calls and clones"
    );
    let t = &s.token_calls[0];
    assert_eq!(t.authorization, expected_basic());
    assert_eq!(t.content_type, "application/x-www-form-urlencoded");
    assert_eq!(t.accept, "application/json");
    assert_eq!(t.body, "grant_type=client_credentials");
    assert_eq!(s.api_calls, vec!["tok-1", "tok-1"]);
}

#[tokio::test]
async fn oauth_token_fetched_once_for_concurrent_requests() {
    let fake = Fake::start(3600).await;
    fake.state().token_delay = Duration::from_millis(100);
    let client = fake.client();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.projects().get(GROUP).await })
        })
        .collect();
    for t in tasks {
        t.await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let s = fake.state();
    assert_eq!(s.token_calls.len(), 1);
    assert_eq!(s.api_calls.len(), 16);
    assert!(
        s.api_calls.iter().all(|t| t == "tok-1"),
        "{:?}",
        s.api_calls
    );
}

#[tokio::test]
async fn oauth_token_refreshed_when_expired() {
    // Refreshed when less than 10 % of the lifetime (0.2 s) is left, i.e. after 1.8 s.
    let fake = Fake::start(2).await;
    let client = fake.client();
    get_project(&client).await;
    get_project(&client).await;
    assert_eq!(fake.state().token_calls.len(), 1, "still fresh");
    tokio::time::sleep(Duration::from_millis(1850)).await;
    get_project(&client).await;
    let s = fake.state();
    assert_eq!(s.token_calls.len(), 2);
    assert_eq!(s.api_calls, vec!["tok-1", "tok-1", "tok-2"]);
}

#[tokio::test]
async fn oauth_401_refreshes_once_and_retries() {
    let fake = Fake::start(3600).await;
    let client = fake.client();
    get_project(&client).await;
    fake.state().reject_next_api_call = true;
    get_project(&client).await;
    {
        let s = fake.state();
        assert_eq!(s.token_calls.len(), 2);
        assert_eq!(s.api_calls, vec!["tok-1", "tok-1", "tok-2"]);
    }
    // A POST rejected with 401 was not processed: it is re-sent once with the new token.
    fake.state().reject_next_api_call = true;
    let created = client
        .projects()
        .create(atlas_admin_sdk::models::CreateProject::new("p", GROUP))
        .await;
    assert!(created.is_ok(), "{created:?}");
    assert_eq!(fake.state().api_calls.len(), 5);

    // A server that rejects every token: one refresh, one retry, then the 401.
    let fake = Fake::start(0).await; // tokens expire at once server-side
    let client = fake.client();
    let e = client
        .projects()
        .get(GROUP)
        .await
        .err()
        .unwrap_or_else(|| panic!("expected 401"));
    assert!(e.is_unauthorized(), "{e:?}");
    assert!(!e.is_ambiguous());
    let s = fake.state();
    assert_eq!(s.api_calls.len(), 2, "{:?}", s.api_calls);
    assert_eq!(s.token_calls.len(), 2);
}

#[tokio::test]
async fn oauth_revoke_sends_the_form_and_forgets_the_token() {
    let fake = Fake::start(3600).await;
    let client = fake.client();
    // Nothing to revoke yet: no request.
    client
        .revoke_token()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(fake.state().revoke_calls.is_empty());

    get_project(&client).await;
    client
        .revoke_token()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    {
        let s = fake.state();
        assert_eq!(s.revoke_calls.len(), 1);
        let r = &s.revoke_calls[0];
        assert_eq!(r.authorization, expected_basic());
        assert_eq!(r.content_type, "application/x-www-form-urlencoded");
        assert_eq!(r.body, "token=tok-1&token_type_hint=access_token");
        assert!(s.revoked.contains("tok-1"));
    }
    // Revoking twice is a no-op; the next call fetches a new token.
    client
        .revoke_token()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    get_project(&client).await;
    {
        let s = fake.state();
        assert_eq!(s.revoke_calls.len(), 1);
        assert_eq!(s.api_calls, vec!["tok-1", "tok-2"]);
    }

    // Non-service-account clients: revoke is a no-op.
    let digest = Client::builder()
        .base_url(&fake.base_url)
        .digest_auth("abcdefgh", "k")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(digest.revoke_token().await.is_ok());
}

#[tokio::test]
async fn oauth_bad_credentials_fail_clearly_without_calling_the_api() {
    let fake = Fake::start(3600).await;
    let client = fake.client_with("mdb_sa_sk_WRONG-secret");
    let e = client
        .projects()
        .get(GROUP)
        .await
        .err()
        .unwrap_or_else(|| panic!("expected an error"));
    assert!(e.is_unauthorized(), "{e:?}");
    assert_eq!(e.error_code(), Some("invalid_client"));
    let msg = e.to_string();
    assert!(
        msg.contains(&format!(
            "service account authentication failed at {}/api/oauth/token",
            fake.base_url
        )),
        "{msg}"
    );
    assert!(msg.contains("Invalid client credentials"), "{msg}");
    assert!(!format!("{msg} {e:?}").contains("WRONG-secret"));
    let s = fake.state();
    assert!(s.api_calls.is_empty());
    assert_eq!(
        s.token_calls.len(),
        1,
        "a 401 from the token endpoint is final"
    );
}

#[tokio::test]
async fn oauth_token_endpoint_faults_are_retried_even_for_writes() {
    let fake = Fake::start(3600).await;
    fake.state().token_faults.extend([503, 429]);
    let client = fake.client();
    // The token fetch failed before the POST was sent, so the POST may be attempted again.
    let created = client
        .projects()
        .create(atlas_admin_sdk::models::CreateProject::new("p", GROUP))
        .await;
    assert!(created.is_ok(), "{created:?}");
    let s = fake.state();
    assert_eq!(s.token_calls.len(), 3);
    assert_eq!(s.api_calls, vec!["tok-1"]);
}

/// A `Write` into a shared buffer, for capturing logs.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn oauth_secrets_never_in_debug_or_logs() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("atlas_admin_sdk=trace"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fake = Fake::start(3600).await;
    fake.state().token_faults.push_back(503);
    let builder = Client::builder()
        .base_url(&fake.base_url)
        .service_account(CLIENT_ID, CLIENT_SECRET)
        .retry_policy(RetryPolicy::new(
            3,
            Duration::from_millis(1),
            Duration::from_millis(5),
            Duration::from_secs(5),
        ));
    let client = builder.clone().build().unwrap_or_else(|e| panic!("{e}"));
    get_project(&client).await;
    fake.state().reject_next_api_call = true;
    get_project(&client).await;
    client
        .revoke_token()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let bad = fake.client_with("mdb_sa_sk_OTHER-secret");
    let e = bad.projects().get(GROUP).await.err();

    let debug = format!("{builder:?} {client:?} {e:?}");
    let logs =
        String::from_utf8_lossy(&capture.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned();
    assert!(logs.contains("retrying"), "{logs}");
    assert!(debug.contains(CLIENT_ID), "{debug}");
    let basic = expected_basic();
    for secret in [
        CLIENT_SECRET,
        "OTHER-secret",
        "tok-1",
        "tok-2",
        basic.trim_start_matches("Basic "),
    ] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
        assert!(!logs.contains(secret), "{secret} in {logs}");
    }
}
