//! The [`Client`] and the generic request plumbing every API module uses.

pub mod auth;
mod builder;
pub(crate) mod digest;
pub(crate) mod oauth;
pub mod retry;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, USER_AGENT,
};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use builder::{ClientBuilder, DEFAULT_BASE_URL, DEFAULT_USER_AGENT};

use crate::api::access_list::AccessListApi;
use crate::api::clusters::ClustersApi;
use crate::api::database_users::DatabaseUsersApi;
use crate::api::organizations::OrganizationsApi;
use crate::api::projects::ProjectsApi;
use crate::error::redacted_snippet;
use crate::{ApiError, Error, Result};
use auth::Authenticator;
use retry::RetryPolicy;

/// The prefix of every v2 resource path.
pub const API_PREFIX: &str = "/api/atlas/v2";

/// A media-type version of an operation (`application/vnd.atlas.<date>+json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ApiVersion(&'static str);

impl ApiVersion {
    /// `2023-01-01`.
    pub const V2023_01_01: ApiVersion = ApiVersion("2023-01-01");
    /// `2023-02-01`.
    pub const V2023_02_01: ApiVersion = ApiVersion("2023-02-01");
    /// `2024-05-30`.
    pub const V2024_05_30: ApiVersion = ApiVersion("2024-05-30");
    /// `2024-08-05`.
    pub const V2024_08_05: ApiVersion = ApiVersion("2024-08-05");
    /// `2024-10-23`.
    pub const V2024_10_23: ApiVersion = ApiVersion("2024-10-23");

    /// A version by date (`YYYY-MM-DD`).
    pub const fn new(date: &'static str) -> Self {
        ApiVersion(date)
    }

    /// The date.
    pub fn date(&self) -> &'static str {
        self.0
    }

    /// `application/vnd.atlas.<date>+json`.
    pub fn media_type(&self) -> String {
        format!("application/vnd.atlas.{}+json", self.0)
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A request to the Admin API, independent of transport and authentication. Its `Debug`
/// shows the body's length only (bodies may carry passwords).
#[derive(Clone)]
#[non_exhaustive]
pub struct Request {
    /// HTTP method.
    pub method: Method,
    /// Path below `/api/atlas/v2`, starting with `/`, segments already percent-encoded
    /// (build it with [`path_segment`]).
    pub path: String,
    /// Media-type version of the operation.
    pub version: ApiVersion,
    /// Query parameters.
    pub query: Vec<(String, String)>,
    /// JSON body, kept as bytes so the request can be re-sent (digest challenge, retries).
    pub body: Option<Vec<u8>>,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("version", &self.version)
            .field("query", &self.query)
            .field(
                "body",
                &self.body.as_ref().map(|b| format!("<{} bytes>", b.len())),
            )
            .finish()
    }
}

impl Request {
    /// A request without query or body.
    pub fn new(method: Method, path: impl Into<String>, version: ApiVersion) -> Self {
        Request {
            method,
            path: path.into(),
            version,
            query: Vec::new(),
            body: None,
        }
    }

    /// `GET path`.
    pub fn get(path: impl Into<String>, version: ApiVersion) -> Self {
        Self::new(Method::GET, path, version)
    }

    /// `POST path`.
    pub fn post(path: impl Into<String>, version: ApiVersion) -> Self {
        Self::new(Method::POST, path, version)
    }

    /// `PATCH path`.
    pub fn patch(path: impl Into<String>, version: ApiVersion) -> Self {
        Self::new(Method::PATCH, path, version)
    }

    /// `DELETE path`.
    pub fn delete(path: impl Into<String>, version: ApiVersion) -> Self {
        Self::new(Method::DELETE, path, version)
    }

    /// Adds a query parameter.
    pub fn query(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.query.push((key.into(), value.to_string()));
        self
    }

    /// Adds a query parameter when `value` is `Some`.
    pub fn query_opt(self, key: impl Into<String>, value: Option<impl ToString>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    /// Sets a JSON body.
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::InvalidRequest(format!("cannot serialise request body: {e}")))?;
        self.body = Some(bytes);
        Ok(self)
    }
}

/// A success response, undecoded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RawResponse {
    /// HTTP status (2xx).
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// Response body.
    pub body: Vec<u8>,
    /// The request URL.
    pub url: String,
}

/// Percent-encodes one path segment: everything but RFC 3986 unreserved characters is
/// escaped (`my project` → `my%20project`, `10.0.0.0/24` → `10.0.0.0%2F24`).
pub fn path_segment(segment: &str) -> String {
    if segment == "." || segment == ".." {
        return segment.replace('.', "%2E");
    }
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Checks that an id or name used in a path is non-empty and encodes it.
pub(crate) fn required_segment(what: &str, value: &str) -> Result<String> {
    if value.trim().is_empty() {
        return Err(Error::InvalidRequest(format!("{what} must not be empty")));
    }
    Ok(path_segment(value))
}

/// A client for the Atlas Admin API v2. Cheap to clone (an `Arc` inside); share one per
/// credentials so the digest challenge and connection pool are reused.
///
/// ```no_run
/// # async fn example() -> atlas_admin_sdk::Result<()> {
/// use atlas_admin_sdk::{Client, ListOptions};
///
/// let client = Client::builder()
///     .base_url("https://cloud.mongodb.com")
///     .digest_auth("abcdefgh", "00000000-0000-0000-0000-000000000000")
///     .timeout(std::time::Duration::from_secs(60))
///     .build()?;
///
/// for org in client.organizations().list_all().await? {
///     println!("{} {}", org.id, org.name);
/// }
/// let page = client.projects().list(ListOptions::default().items_per_page(10)).await?;
/// println!("{} projects", page.total_count.unwrap_or(0));
///
/// match client.projects().get_opt("5f1d5c2b8a1e4c3d2b1a0f9e").await? {
///     Some(p) => println!("found {}", p.name),
///     None => println!("gone"),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    base_url: String,
    http: reqwest::Client,
    auth: Authenticator,
    timeout: Option<Duration>,
    user_agent: HeaderValue,
    retry: RetryPolicy,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("auth", &self.inner.auth)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// The configured base URL (no trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Organizations (`/orgs`).
    pub fn organizations(&self) -> OrganizationsApi {
        OrganizationsApi::new(self.clone())
    }

    /// Projects (`/groups`).
    pub fn projects(&self) -> ProjectsApi {
        ProjectsApi::new(self.clone())
    }

    /// Clusters and their process arguments (`/groups/{groupId}/clusters`).
    pub fn clusters(&self) -> ClustersApi {
        ClustersApi::new(self.clone())
    }

    /// Database users (`/groups/{groupId}/databaseUsers`).
    pub fn database_users(&self) -> DatabaseUsersApi {
        DatabaseUsersApi::new(self.clone())
    }

    /// The project IP access list (`/groups/{groupId}/accessList`).
    pub fn access_list(&self) -> AccessListApi {
        AccessListApi::new(self.clone())
    }

    // Areas added on the generated path declare their accessor in their own module
    // (`impl Client` there): `Client::maintenance_window`, `Client::custom_db_roles`.

    /// Sends a request and decodes the JSON body of the (any 2xx) response into `T`.
    pub async fn send<T: DeserializeOwned>(&self, request: Request) -> Result<T> {
        let raw = self.send_raw(request).await?;
        decode(&raw.url, &raw.body)
    }

    /// Sends a request whose response body is irrelevant (`{}` or empty).
    pub async fn send_empty(&self, request: Request) -> Result<()> {
        self.send_raw(request).await.map(|_| ())
    }

    /// Sends a request, answering a digest challenge and applying the retry policy. Any 2xx
    /// is a success; any other status becomes [`Error::Api`].
    ///
    /// Retries follow the client's [`RetryPolicy`] (see [`retry`](crate::client::retry)):
    /// POST and PATCH are repeated only when the failure proves they were not processed (429,
    /// connection refused); otherwise their failure is returned and
    /// [`Error::is_ambiguous`] tells whether it may have been applied.
    ///
    /// Cancellation: dropping the returned future aborts the request in flight and any backoff
    /// sleep (see [`crate::with_cancellation`]).
    pub async fn send_raw(&self, request: Request) -> Result<RawResponse> {
        let url = self.url(&request)?;
        let policy = &self.inner.retry;
        let deadline = tokio::time::Instant::now().checked_add(policy.max_elapsed);
        let idempotent = RetryPolicy::is_idempotent(&request.method);
        let mut retry: u32 = 0;
        loop {
            let outcome = match deadline {
                // Retries are cut at the deadline; the first attempt only by the request timeout.
                Some(deadline) if retry > 0 => {
                    match tokio::time::timeout_at(deadline, self.attempt(&request, &url)).await {
                        Ok(outcome) => outcome,
                        Err(_) => Err(Failure {
                            error: Error::Timeout {
                                operation: format!(
                                    "{} {url} (retry deadline of {:?} reached after {} attempts)",
                                    request.method,
                                    policy.max_elapsed,
                                    retry + 1
                                ),
                            },
                            before_send: false,
                        }),
                    }
                }
                _ => self.attempt(&request, &url).await,
            };
            let Failure { error, before_send } = match outcome {
                Ok(response) => return Ok(response),
                Err(failure) => failure,
            };
            let Some(delay) = policy.delay_if_safe(idempotent || before_send, &error, retry) else {
                return Err(error);
            };
            if deadline.is_some_and(|d| tokio::time::Instant::now() + delay >= d) {
                tracing::debug!(method = %request.method, url = %url, status = error.status(), ?delay, "not retrying: the retry deadline would pass");
                return Err(error);
            }
            retry += 1;
            match &error {
                Error::Api(e) => {
                    tracing::debug!(method = %request.method, url = %url, status = e.status, retry, ?delay, "retrying")
                }
                other => {
                    tracing::debug!(method = %request.method, url = %url, error = %other, retry, ?delay, "retrying")
                }
            }
            tokio::time::sleep(delay).await;
        }
    }

    /// Revokes the service account's access token (`POST {base_url}/api/oauth/revoke`), if one
    /// was fetched; a no-op for other credentials. Best effort: meant for process exit, the
    /// error may be ignored. A later request fetches a new token.
    pub async fn revoke_token(&self) -> Result<()> {
        self.inner.auth.revoke().await
    }

    fn url(&self, request: &Request) -> Result<url::Url> {
        if !request.path.starts_with('/') {
            return Err(Error::InvalidRequest(format!(
                "path must start with '/': {:?}",
                request.path
            )));
        }
        let mut url = url::Url::parse(&format!(
            "{}{API_PREFIX}{}",
            self.inner.base_url, request.path
        ))
        .map_err(|e| Error::InvalidRequest(format!("invalid URL for {}: {e}", request.path)))?;
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&request.query);
        }
        Ok(url)
    }

    /// One logical attempt: a request, plus at most one re-send answering a 401 (digest
    /// challenge, or a refreshed service-account token).
    async fn attempt(
        &self,
        request: &Request,
        url: &url::Url,
    ) -> std::result::Result<RawResponse, Failure> {
        // The digest `uri` is the request target exactly as sent.
        let uri = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        let auth::Prepared {
            header: mut authorization,
            // Fetching the first digest challenge for concurrent requests: finished as soon as
            // the answer is handled (a drop, if this future is cancelled, hands the fetch on).
            mut lease,
        } = self
            .inner
            .auth
            .authorization(&request.method, &uri)
            .await
            .map_err(Failure::before_send)?;
        let mut answered_challenge = false;
        loop {
            let sent = self.execute(request, url, authorization.clone()).await;
            if !matches!(&sent, Ok(resp) if resp.status() == StatusCode::UNAUTHORIZED) {
                // No challenge to share: the waiters go on their own.
                if let Some(lease) = lease.take() {
                    lease.finish();
                }
            }
            let resp = sent.map_err(|error| Failure {
                before_send: is_connect_error(&error),
                error,
            })?;
            let status = resp.status();
            if status == StatusCode::UNAUTHORIZED && !answered_challenge {
                // A 401 means the request was not processed: anything failing from here on
                // happened before the re-send.
                let renewed = self
                    .inner
                    .auth
                    .on_unauthorized(
                        &request.method,
                        &uri,
                        resp.headers(),
                        authorization.as_ref(),
                    )
                    .await;
                // The challenge is cached now (if usable): release the waiters before
                // re-sending, so they go in parallel with this request.
                if let Some(lease) = lease.take() {
                    lease.finish();
                }
                if let Some(h) = renewed.map_err(Failure::before_send)? {
                    answered_challenge = true;
                    authorization = Some(h);
                    // Drain the challenge body so the connection can be reused.
                    let _ = resp.bytes().await;
                    continue;
                }
            }
            return self
                .finish(request, url, resp)
                .await
                .map_err(|error| Failure {
                    error,
                    before_send: false,
                });
        }
    }

    async fn execute(
        &self,
        request: &Request,
        url: &url::Url,
        authorization: Option<HeaderValue>,
    ) -> Result<reqwest::Response> {
        let media_type = request.version.media_type();
        let mut builder = self
            .inner
            .http
            .request(request.method.clone(), url.clone())
            .header(USER_AGENT, self.inner.user_agent.clone())
            .header(ACCEPT, media_type.as_str());
        if let Some(auth) = authorization {
            builder = builder.header(AUTHORIZATION, auth);
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, media_type.as_str())
                .body(body.clone());
        }
        if let Some(t) = self.inner.timeout {
            builder = builder.timeout(t);
        }
        match builder.send().await {
            Ok(resp) => {
                tracing::debug!(method = %request.method, url = %url, status = resp.status().as_u16(), "atlas api response");
                Ok(resp)
            }
            Err(e) => Err(transport_error(&request.method, url, e)),
        }
    }

    async fn finish(
        &self,
        request: &Request,
        url: &url::Url,
        resp: reqwest::Response,
    ) -> Result<RawResponse> {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        if let Some(dep) = headers.get("deprecation").and_then(|v| v.to_str().ok()) {
            let sunset = headers.get("sunset").and_then(|v| v.to_str().ok());
            tracing::warn!(method = %request.method, url = %url, version = %request.version, deprecation = dep, sunset, "Atlas API version is deprecated");
        }
        let body = resp
            .bytes()
            .await
            .map_err(|e| transport_error(&request.method, url, e))?;
        response_result(
            &request.method,
            url.as_str(),
            status,
            headers,
            body.to_vec(),
        )
    }
}

/// A failed attempt, and whether it failed before the request reached the server (so that
/// even a POST may be repeated).
struct Failure {
    error: Error,
    before_send: bool,
}

impl Failure {
    fn before_send(error: Error) -> Failure {
        Failure {
            error,
            before_send: true,
        }
    }
}

/// `true` for a transport error raised while connecting (refused, DNS, TLS handshake).
fn is_connect_error(error: &Error) -> bool {
    matches!(error, Error::Transport { source, .. } if source.is_connect())
}

/// Turns a complete response into the result of a call: any 2xx is a [`RawResponse`], any
/// other status an [`Error::Api`] carrying the method and `Retry-After`. Never panics.
pub(crate) fn response_result(
    method: &Method,
    url: &str,
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
) -> Result<RawResponse> {
    if (200..300).contains(&status) {
        Ok(RawResponse {
            status,
            headers,
            body,
            url: url.to_owned(),
        })
    } else {
        let mut e = ApiError::from_response(status, &body);
        e.non_idempotent = !RetryPolicy::is_idempotent(method);
        e.set_retry_after(
            headers
                .get(RETRY_AFTER)
                .and_then(|v| retry::parse_retry_after(v, SystemTime::now())),
        );
        Err(Error::Api(e))
    }
}

/// Maps a `reqwest` error: a timeout (other than while connecting) is [`Error::Timeout`],
/// anything else [`Error::Transport`] naming the URL.
pub(crate) fn transport_error(method: &Method, url: &url::Url, e: reqwest::Error) -> Error {
    if e.is_timeout() && !e.is_connect() {
        Error::Timeout {
            operation: format!("{method} {url}"),
        }
    } else {
        Error::Transport {
            url: url.to_string(),
            source: e.without_url(),
        }
    }
}

/// Decodes a JSON body, reporting the path of the first mismatch.
pub(crate) fn decode<T: DeserializeOwned>(url: &str, body: &[u8]) -> Result<T> {
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize(&mut de) {
        Ok(v) => Ok(v),
        Err(e) => {
            let path = e.path().to_string();
            Err(Error::Decode {
                url: url.to_owned(),
                path,
                body_snippet: redacted_snippet(body),
                source: e.into_inner(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segment_encodes_reserved_characters() {
        assert_eq!(path_segment("my project"), "my%20project");
        assert_eq!(path_segment("a/b?c#d%"), "a%2Fb%3Fc%23d%25");
        assert_eq!(path_segment("Proj-1_x.y~z"), "Proj-1_x.y~z");
        assert_eq!(
            path_segment("(a),b:c&d@e+f'"),
            "%28a%29%2Cb%3Ac%26d%40e%2Bf%27"
        );
        assert_eq!(path_segment("é"), "%C3%A9");
        assert_eq!(path_segment(".."), "%2E%2E");
    }

    #[test]
    fn required_segment_rejects_empty() {
        assert!(matches!(
            required_segment("project id", " "),
            Err(Error::InvalidRequest(_))
        ));
    }

    #[test]
    fn request_debug_hides_body() {
        let r = Request::post("/groups/g/databaseUsers", ApiVersion::V2023_01_01)
            .json(&serde_json::json!({"password": "hunter2-secret"}));
        let dbg = format!("{r:?}");
        assert!(!dbg.contains("hunter2"), "{dbg}");
        assert!(dbg.contains("bytes"), "{dbg}");
    }

    #[test]
    fn media_type_uses_date() {
        assert_eq!(
            ApiVersion::V2023_01_01.media_type(),
            "application/vnd.atlas.2023-01-01+json"
        );
    }

    #[test]
    fn url_joins_prefix_path_and_query() {
        let client = Client::builder().base_url("http://127.0.0.1:9/").build();
        let client = match client {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        let req = Request::get(
            format!("/groups/byName/{}", path_segment("a b")),
            ApiVersion::V2023_01_01,
        )
        .query("pageNum", 2)
        .query("includeCount", true);
        let url = client.url(&req).map(|u| u.to_string()).unwrap_or_default();
        assert_eq!(
            url,
            "http://127.0.0.1:9/api/atlas/v2/groups/byName/a%20b?pageNum=2&includeCount=true"
        );
    }

    #[test]
    fn decode_error_names_json_path_and_redacts() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct T {
            results: Vec<U>,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct U {
            n: u32,
        }
        let r: Result<T> = decode(
            "http://x/y",
            br#"{"results":[{"n":1},{"n":"x","privateKey":"s3cr3t"}]}"#,
        );
        match r {
            Err(Error::Decode {
                path,
                body_snippet,
                url,
                ..
            }) => {
                assert_eq!(path, "results[1].n");
                assert_eq!(url, "http://x/y");
                assert!(!body_snippet.contains("s3cr3t"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
