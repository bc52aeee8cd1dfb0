//! HTTP-level edge cases against a small fake server (the sandbox covers the happy paths):
//! digest challenge/verification written independently of the SDK, nonce caching and
//! staleness, versioned media types, 2xx variants, non-envelope errors, transport errors.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atlas_admin_sdk::models::{CreateProject, UpdateProject};
use atlas_admin_sdk::{ApiVersion, Client, Error, ListOptions, Request, RetryPolicy};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use md5::{Digest as _, Md5};

const USER: &str = "abcdefgh";
const PASS: &str = "11111111-2222-3333-4444-555555555555";
const REALM: &str = "MMS Public API";

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    uri: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

#[derive(Default)]
struct FakeState {
    seen: Vec<Seen>,
    nonce_gen: u32,
    used_nc: HashSet<(String, String)>,
}

type Shared = Arc<Mutex<FakeState>>;

fn md5_hex(s: &str) -> String {
    hex::encode(Md5::digest(s.as_bytes()))
}

/// Parses `k=v, k="v"` pairs (test-side, deliberately simple: no escapes).
fn params(header: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let rest = header.trim_start_matches("Digest ");
    let mut s = rest;
    while !s.is_empty() {
        s = s.trim_start_matches([',', ' ']);
        let Some(eq) = s.find('=') else { break };
        let key = s[..eq].trim().to_owned();
        s = &s[eq + 1..];
        let value;
        if let Some(q) = s.strip_prefix('"') {
            let end = q.find('"').unwrap_or(q.len());
            value = q[..end].to_owned();
            s = &q[(end + 1).min(q.len())..];
        } else {
            let end = s.find(',').unwrap_or(s.len());
            value = s[..end].trim().to_owned();
            s = &s[end..];
        }
        out.insert(key, value);
    }
    out
}

fn challenge(nonce: &str, stale: bool) -> Response {
    let body = r#"{
  "error" : 401,
  "reason" : "Unauthorized",
  "detail" : "You are not authorized for this resource.",
  "errorCode" : "UNEXPECTED_ERROR"
}"#;
    (
        StatusCode::UNAUTHORIZED,
        [
            (
                "www-authenticate",
                format!(
                    r#"Digest realm="{REALM}", domain="", nonce="{nonce}", algorithm=MD5, qop="auth", stale={stale}"#
                ),
            ),
            ("content-type", "application/json".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// `None` if authorised, else the 401 to send.
fn check_auth(
    st: &mut FakeState,
    method: &str,
    uri: &str,
    headers: &HeaderMap,
) -> Option<Response> {
    let nonce = format!("nonce{:027}", st.nonce_gen);
    let Some(auth) = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .filter(|a| a.starts_with("Digest "))
    else {
        return Some(challenge(&nonce, false));
    };
    let p = params(auth);
    let get = |k: &str| p.get(k).cloned().unwrap_or_default();
    assert_eq!(get("uri"), uri, "digest uri must be the request target");
    assert_eq!(get("qop"), "auth");
    assert_eq!(get("nc").len(), 8, "nc is 8 hex digits");
    let ha1 = md5_hex(&format!("{}:{REALM}:{PASS}", get("username")));
    let ha2 = md5_hex(&format!("{method}:{uri}"));
    let expected = md5_hex(&format!(
        "{ha1}:{}:{}:{}:auth:{ha2}",
        get("nonce"),
        get("nc"),
        get("cnonce")
    ));
    if get("username") != USER || get("response") != expected {
        return Some(challenge(&nonce, false));
    }
    if get("nonce") != nonce {
        return Some(challenge(&nonce, true));
    }
    assert!(
        st.used_nc.insert((get("nonce"), get("nc"))),
        "nc reused for the same nonce: {}",
        get("nc")
    );
    None
}

fn json(status: StatusCode, version: &str, body: String) -> Response {
    (
        status,
        [(
            "content-type",
            format!("application/vnd.atlas.{version}+json;charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

fn project_json(id: &str, name: &str) -> String {
    serde_json::json!({
        "clusterCount": 0, "created": "2026-08-10T03:02:58Z", "id": id, "links": [],
        "name": name, "orgId": "6a0346c9d21a0d4a1ac1c9e1", "tags": []
    })
    .to_string()
}

async fn handler(
    State(state): State<Shared>,
    method: axum::http::Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let mut st = state.lock().unwrap_or_else(|p| p.into_inner());
    st.seen.push(Seen {
        method: method.to_string(),
        uri: target.clone(),
        headers: headers.clone(),
        body: body.to_vec(),
    });
    if uri.path() == "/_fake/rotate" {
        st.nonce_gen += 1;
        return StatusCode::NO_CONTENT.into_response();
    }
    if uri.path() == "/api/atlas/v2/proxy-error" {
        return (
            StatusCode::BAD_GATEWAY,
            [("content-type", "text/html")],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
            .into_response();
    }
    if let Some(resp) = check_auth(&mut st, method.as_str(), &target, &headers) {
        return resp;
    }
    drop(st);
    let accept = headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(version) = accept
        .strip_prefix("application/vnd.atlas.")
        .and_then(|s| s.strip_suffix("+json"))
        .map(str::to_owned)
    else {
        return (StatusCode::NOT_ACCEPTABLE, "{}").into_response();
    };
    let path = uri.path();
    match (method.as_str(), path) {
        ("GET", "/api/atlas/v2/groups") => {
            let page = uri
                .query()
                .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("pageNum=")))
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(1);
            // 5 projects, 2 per page, no totalCount (includeCount=false behaviour).
            let ids: Vec<u32> = ((page - 1) * 2..(page * 2).min(5)).collect();
            let results: Vec<serde_json::Value> = ids
                .iter()
                .filter_map(|i| {
                    serde_json::from_str(&project_json(&format!("{i:024x}"), &format!("p{i}"))).ok()
                })
                .collect();
            json(
                StatusCode::OK,
                &version,
                serde_json::json!({"links": [], "results": results}).to_string(),
            )
        }
        ("POST", "/api/atlas/v2/groups") => {
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let name = v["name"].as_str().unwrap_or_default().to_owned();
            json(
                StatusCode::CREATED,
                &version,
                project_json("6a79f2c2d21a0d4a1ac2b3c4", &name),
            )
        }
        ("PATCH", p) if p.starts_with("/api/atlas/v2/groups/") => json(
            StatusCode::OK,
            &version,
            project_json("6a79f2c2d21a0d4a1ac2b3c4", "renamed"),
        ),
        ("DELETE", "/api/atlas/v2/groups/empty204") => StatusCode::NO_CONTENT.into_response(),
        ("DELETE", _) => json(StatusCode::ACCEPTED, &version, "{}".to_owned()),
        ("GET", p) if p.starts_with("/api/atlas/v2/groups/byName/") => {
            let raw = p.trim_start_matches("/api/atlas/v2/groups/byName/");
            json(
                StatusCode::OK,
                &version,
                project_json("6a79f2c2d21a0d4a1ac2b3c4", raw),
            )
        }
        ("GET", "/api/atlas/v2/groups/bad-json") => {
            json(StatusCode::OK, &version, r#"{"name": 5}"#.to_owned())
        }
        _ => (
            StatusCode::NOT_FOUND,
            [("content-type", "application/json")],
            r#"{"detail":"No group with ID 111111111111111111111111 exists.","error":404,"errorCode":"GROUP_NOT_FOUND","parameters":["111111111111111111111111"],"reason":"Not Found"}"#,
        )
            .into_response(),
    }
}

/// Retries with millisecond backoffs, so retried paths stay fast.
fn fast_retries() -> RetryPolicy {
    RetryPolicy::new(
        3,
        Duration::from_millis(1),
        Duration::from_millis(5),
        Duration::from_secs(5),
    )
}

struct Fake {
    addr: SocketAddr,
    state: Shared,
}

impl Fake {
    async fn start() -> Fake {
        let state: Shared = Arc::default();
        let app = axum::Router::new()
            .fallback(handler)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("addr: {e}"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Fake { addr, state }
    }

    fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    fn client(&self) -> Client {
        Client::builder()
            .base_url(self.base_url())
            .digest_auth(USER, PASS)
            .retry_policy(fast_retries())
            .build()
            .unwrap_or_else(|e| panic!("build: {e}"))
    }

    fn seen(&self) -> Vec<Seen> {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .seen
            .clone()
    }
}

#[tokio::test]
async fn transport_digest_challenge_once_then_preemptive() {
    let fake = Fake::start().await;
    let client = fake.client();
    for _ in 0..5 {
        client
            .projects()
            .get_by_name("x")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let seen = fake.seen();
    assert_eq!(seen.len(), 6, "5 requests cost 6 HTTP exchanges");
    assert!(seen[0].headers.get("authorization").is_none());
    for s in &seen[1..] {
        assert!(s.headers.get("authorization").is_some());
    }
}

#[tokio::test]
async fn transport_stale_nonce_is_renewed_with_one_retry() {
    let fake = Fake::start().await;
    let client = fake.client();
    client
        .projects()
        .get_by_name("a")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    reqwest::Client::new()
        .post(format!("{}_fake/rotate", fake.base_url()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    client
        .projects()
        .get_by_name("b")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    client
        .projects()
        .get_by_name("c")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // a: challenge + answer; rotate; b: stale 401 + answer; c: one.
    assert_eq!(fake.seen().len(), 2 + 1 + 2 + 1);
}

#[tokio::test]
async fn transport_wrong_key_is_unauthorized_after_one_retry() {
    let fake = Fake::start().await;
    let client = Client::builder()
        .base_url(fake.base_url())
        .digest_auth(USER, "wrong")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = client
        .projects()
        .get("6a79f2c2d21a0d4a1ac2b3c4")
        .await
        .err()
        .unwrap_or_else(|| panic!("expected an error"));
    assert!(err.is_unauthorized(), "{err:?}");
    assert_eq!(
        err.to_string(),
        "authentication failed (401 UNEXPECTED_ERROR): You are not authorized for this resource."
    );
    assert!(!format!("{err:?}").contains("wrong"));
    assert_eq!(fake.seen().len(), 2);
}

#[tokio::test]
async fn transport_concurrent_requests_use_unique_nc() {
    let fake = Fake::start().await;
    let client = fake.client();
    client
        .projects()
        .get_by_name("warm")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let c = client.clone();
            tokio::spawn(async move { c.projects().get_by_name(&format!("p{i}")).await })
        })
        .collect();
    for t in tasks {
        t.await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(fake.seen().len(), 22);
}

#[tokio::test]
async fn transport_sends_versioned_media_types_and_user_agent() {
    let fake = Fake::start().await;
    let client = fake.client();
    let p = client
        .projects()
        .create(
            CreateProject::new("My Project", "6a0346c9d21a0d4a1ac1c9e1")
                .project_owner_id("6a0346c9d21a0d4a1ac1c9ff"),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.name, "My Project");
    let seen = fake.seen();
    let post = &seen[1];
    assert_eq!(post.method, "POST");
    assert_eq!(
        post.uri,
        "/api/atlas/v2/groups?projectOwnerId=6a0346c9d21a0d4a1ac1c9ff"
    );
    let h = |k: &str| {
        post.headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(h("accept"), "application/vnd.atlas.2023-01-01+json");
    assert_eq!(h("content-type"), "application/vnd.atlas.2023-01-01+json");
    assert!(h("user-agent").starts_with("atlas-admin-sdk-rust/"));
    // The body was re-sent intact after the challenge.
    assert_eq!(seen[0].body, post.body);
    let body: serde_json::Value = serde_json::from_slice(&post.body).unwrap_or_default();
    assert_eq!(
        body,
        serde_json::json!({"name": "My Project", "orgId": "6a0346c9d21a0d4a1ac1c9e1"})
    );
    // GET has no Content-Type.
    client
        .projects()
        .get_by_name("x")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(fake.seen()[2].headers.get("content-type").is_none());
}

#[tokio::test]
async fn transport_path_segments_are_percent_encoded() {
    let fake = Fake::start().await;
    let p = fake
        .client()
        .projects()
        .get_by_name("My Project/(dev)")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.name, "My%20Project%2F%28dev%29");
    assert_eq!(
        fake.seen()[1].uri,
        "/api/atlas/v2/groups/byName/My%20Project%2F%28dev%29"
    );
}

#[tokio::test]
async fn transport_accepts_202_and_204_deletes_and_patch() {
    let fake = Fake::start().await;
    let client = fake.client();
    client
        .projects()
        .delete("6a79f2c2d21a0d4a1ac2b3c4")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    client
        .projects()
        .delete("empty204")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let p = client
        .projects()
        .update(
            "6a79f2c2d21a0d4a1ac2b3c4",
            UpdateProject::new().name("renamed"),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.name, "renamed");
}

#[tokio::test]
async fn transport_list_all_pages_until_short_page() {
    let fake = Fake::start().await;
    let client = fake.client();
    let all = client
        .projects()
        .list_all_with(ListOptions::new().items_per_page(2))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.len(), 5);
    let list_uris: Vec<String> = fake
        .seen()
        .into_iter()
        .filter(|s| s.headers.get("authorization").is_some())
        .map(|s| s.uri)
        .collect();
    assert_eq!(
        list_uris,
        vec![
            "/api/atlas/v2/groups?pageNum=1&itemsPerPage=2",
            "/api/atlas/v2/groups?pageNum=2&itemsPerPage=2",
            "/api/atlas/v2/groups?pageNum=3&itemsPerPage=2",
        ]
    );
}

#[tokio::test]
async fn transport_not_found_and_get_opt() {
    let fake = Fake::start().await;
    let client = fake.client();
    let err = client
        .projects()
        .get("111111111111111111111111")
        .await
        .err()
        .unwrap_or_else(|| panic!("expected 404"));
    assert!(err.is_not_found());
    assert_eq!(
        err.error_code(),
        Some(atlas_admin_sdk::codes::GROUP_NOT_FOUND)
    );
    let none = client
        .projects()
        .get_opt("111111111111111111111111")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(none.is_none());
}

#[tokio::test]
async fn transport_non_envelope_error_and_decode_error() {
    let fake = Fake::start().await;
    let client = fake.client();
    let err = client
        .send::<serde_json::Value>(Request::get("/proxy-error", ApiVersion::V2023_01_01))
        .await
        .err()
        .unwrap_or_else(|| panic!("expected 502"));
    assert_eq!(err.status(), Some(502));
    assert!(err.is_retryable());
    assert!(err.to_string().contains("502 Bad Gateway"), "{err}");

    let err = client
        .projects()
        .get("bad-json")
        .await
        .err()
        .unwrap_or_else(|| panic!("expected decode error"));
    match &err {
        Error::Decode { path, .. } => assert_eq!(path, "name"),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn transport_connection_refused_names_url() {
    // Bind then drop a listener to get a port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        l.local_addr().unwrap_or_else(|e| panic!("{e}")).port()
    };
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .digest_auth(USER, PASS)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = client
        .organizations()
        .list(ListOptions::default())
        .await
        .err()
        .unwrap_or_else(|| panic!("expected a transport error"));
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
    let msg = err.to_string();
    eprintln!("transport error: {msg}");
    assert!(
        msg.contains(&format!("http://127.0.0.1:{port}/api/atlas/v2/orgs")),
        "{msg}"
    );
    assert!(!msg.contains(PASS));
}

#[tokio::test]
async fn transport_bearer_token_is_sent() {
    let fake = Fake::start().await;
    let client = Client::builder()
        .base_url(fake.base_url())
        .bearer_token("tok-123")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    // The fake only knows digest: the bearer request is challenged and not retried.
    let err = client.projects().get("x").await.err();
    assert!(err.is_some_and(|e| e.is_unauthorized()));
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0]
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer tok-123")
    );
}
