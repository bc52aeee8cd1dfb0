//! A small digest client for the tests (the SDK depends on the sandbox, not the other way).
//! Every answer of an API call can be checked against the spec subset.

#![allow(dead_code)]

use std::sync::Mutex;

use atlas_sandbox::openapi::{self, Spec};
use atlas_sandbox::{Config, SandboxHandle};
use md5::{Digest as _, Md5};
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

pub const V20230101: &str = "application/vnd.atlas.2023-01-01+json";

pub fn md5_hex(s: &str) -> String {
    hex::encode(Md5::digest(s.as_bytes()))
}

/// `Authorization: Digest ...` for qop=auth (RFC 2617).
pub fn digest_header(
    user: &str,
    pass: &str,
    method: &str,
    uri: &str,
    nonce: &str,
    nc: u32,
    cnonce: &str,
) -> String {
    let realm = "MMS Public API";
    let ha1 = md5_hex(&format!("{user}:{realm}:{pass}"));
    let ha2 = md5_hex(&format!("{method}:{uri}"));
    let nc = format!("{nc:08x}");
    let response = md5_hex(&format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"));
    format!(
        "Digest username=\"{user}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", qop=auth, nc={nc}, cnonce=\"{cnonce}\", response=\"{response}\", algorithm=MD5"
    )
}

/// The `nonce="..."` of a `WWW-Authenticate` header.
pub fn challenge_nonce(www: &str) -> Option<String> {
    let start = www.find("nonce=\"")? + 7;
    let end = www[start..].find('"')? + start;
    Some(www[start..end].to_string())
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or_default()
    }

    pub fn code(&self) -> &str {
        self.body["errorCode"].as_str().unwrap_or_default()
    }
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub user: String,
    pub pass: String,
    /// (nonce, last nc) reused across requests, as real clients do.
    nonce: Mutex<Option<(String, u32)>>,
    pub spec: &'static Spec,
}

pub async fn start() -> (SandboxHandle, Client) {
    start_with(Config::for_tests()).await
}

pub async fn start_with(config: Config) -> (SandboxHandle, Client) {
    let handle = atlas_sandbox::spawn(config).await.expect("sandbox starts");
    let client = Client::new(&handle.base_url, &handle.public_key, &handle.private_key);
    (handle, client)
}

impl Client {
    pub fn new(base: &str, user: &str, pass: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base.to_string(),
            user: user.to_string(),
            pass: pass.to_string(),
            nonce: Mutex::new(None),
            spec: openapi::embedded().expect("spec parses"),
        }
    }

    /// A request with no authentication.
    pub async fn raw(
        &self,
        method: Method,
        path_and_query: &str,
        headers: &[(&str, String)],
        body: Option<&str>,
    ) -> Resp {
        self.try_raw(method, path_and_query, headers, body)
            .await
            .expect("request sent")
    }

    /// [`Client::raw`], with a transport error (e.g. the server was killed) as `Err`. A body
    /// goes with the `Content-Type` of the versioned `accept` header (else 2023-01-01) unless
    /// `headers` name one.
    pub async fn try_raw(
        &self,
        method: Method,
        path_and_query: &str,
        headers: &[(&str, String)],
        body: Option<&str>,
    ) -> Result<Resp, reqwest::Error> {
        let mut req = self
            .http
            .request(method, format!("{}{path_and_query}", self.base));
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        if let Some(b) = body {
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                // As clients do: the body in the version it accepts.
                let ct = headers
                    .iter()
                    .find(|(k, v)| k.eq_ignore_ascii_case("accept") && v.contains("vnd.atlas."))
                    .map_or(V20230101, |(_, v)| v.as_str());
                req = req.header("content-type", ct);
            }
            req = req.body(b.to_string());
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Resp {
            status,
            headers,
            text,
            body,
        })
    }

    fn next_auth(&self, method: &Method, uri: &str) -> Option<String> {
        let mut guard = self.nonce.lock().expect("test lock");
        let (nonce, nc) = guard.as_mut()?;
        *nc += 1;
        Some(digest_header(
            &self.user,
            &self.pass,
            method.as_str(),
            uri,
            nonce,
            *nc,
            "0a4f113b",
        ))
    }

    /// An authenticated request: reuse the cached nonce; on a 401 take the new nonce and retry
    /// once. A body goes with the Content-Type of the `accept` version.
    pub async fn call(
        &self,
        method: Method,
        path_and_query: &str,
        accept: Option<&str>,
        body: Option<&str>,
    ) -> Resp {
        self.try_call(method, path_and_query, accept, body)
            .await
            .expect("request sent")
    }

    /// [`Client::call`], with a transport error as `Err`.
    pub async fn try_call(
        &self,
        method: Method,
        path_and_query: &str,
        accept: Option<&str>,
        body: Option<&str>,
    ) -> Result<Resp, reqwest::Error> {
        for _ in 0..2 {
            let mut headers = Vec::new();
            if let Some(a) = accept {
                headers.push(("accept", a.to_string()));
                if body.is_some() {
                    headers.push(("content-type", a.to_string()));
                }
            }
            if let Some(auth) = self.next_auth(&method, path_and_query) {
                headers.push(("authorization", auth));
            }
            let resp = self
                .try_raw(method.clone(), path_and_query, &headers, body)
                .await?;
            if resp.status != 401 {
                return Ok(resp);
            }
            let nonce = resp
                .header("www-authenticate")
                .and_then(challenge_nonce)
                .expect("401 carries a digest challenge");
            *self.nonce.lock().expect("test lock") = Some((nonce, 0));
        }
        panic!("still 401 after a fresh nonce");
    }

    /// An authenticated call with the 2023-01-01 version whose answer must match the spec
    /// for `operation_id`.
    pub async fn api(
        &self,
        operation_id: &str,
        method: Method,
        path_and_query: &str,
        body: Option<&str>,
    ) -> Resp {
        let resp = self
            .call(method, path_and_query, Some(V20230101), body)
            .await;
        self.check_spec(operation_id, &resp);
        resp
    }

    /// Validate a response against the spec subset (errors against `ApiError`).
    pub fn check_spec(&self, operation_id: &str, resp: &Resp) {
        assert!(
            resp.status < 500 || resp.status == 501,
            "server error: {resp:?}"
        );
        let media_type = resp.content_type().split(';').next().unwrap_or_default();
        if resp.status >= 400 {
            assert_eq!(
                media_type, "application/json",
                "errors are plain JSON: {resp:?}"
            );
        } else {
            assert!(
                media_type.starts_with("application/vnd.atlas."),
                "success is versioned: {resp:?}"
            );
        }
        if let Err(violations) =
            self.spec
                .validate_response(operation_id, resp.status, media_type, &resp.body)
        {
            panic!(
                "{operation_id} {} does not match the spec:\n{}\nbody: {}",
                resp.status,
                violations
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n"),
                resp.text
            );
        }
    }

    pub async fn control(&self, method: Method, path: &str, body: Option<&str>) -> Resp {
        self.raw(method, path, &[], body).await
    }

    pub async fn create_project(&self, org_id: &str, name: &str) -> Value {
        let body = serde_json::json!({"name": name, "orgId": org_id}).to_string();
        let r = self
            .api(
                "createGroup",
                Method::POST,
                "/api/atlas/v2/groups",
                Some(&body),
            )
            .await;
        assert_eq!(r.status, 201, "{r:?}");
        r.body
    }
}
