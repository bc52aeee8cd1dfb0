//! Service accounts: OAuth 2.0 client credentials.
//!
//! The access token comes from `POST {base_url}/api/oauth/token` (HTTP Basic client
//! authentication, form body `grant_type=client_credentials`) and is cached per client (clones
//! share it). It is refreshed before it expires — when less than `min(60 s, 10 % of its
//! lifetime)` is left — by one request at a time: concurrent callers wait for the same fetch. A
//! 401 from the API drops the token that was sent, so the request is retried once with a fresh
//! one. [`ServiceAccountAuth::revoke`] revokes it (`POST {base_url}/api/oauth/revoke`).
//!
//! The client secret and the tokens are [`Secret`]s or sensitive header values: they never
//! appear in `Debug`, logs or error messages.

use std::fmt;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use serde::Deserialize;
use tokio::time::Instant;

use super::auth::Secret;
use super::retry::parse_retry_after;
use crate::error::redacted_snippet;
use crate::{ApiError, Error, Result};

/// Path of the token endpoint below the base URL.
pub(crate) const TOKEN_PATH: &str = "/api/oauth/token";
/// Path of the revocation endpoint below the base URL.
pub(crate) const REVOKE_PATH: &str = "/api/oauth/revoke";

/// Lifetime assumed when the token response has no `expires_in` (Atlas documents one hour).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
/// Longest lifetime believed (keeps `Instant` arithmetic far from overflow).
const MAX_LIFETIME: Duration = Duration::from_secs(366 * 24 * 3600);
/// Refresh when less than this (or 10 % of the lifetime, whichever is smaller) is left.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Transport settings shared with the API client.
pub(crate) struct HttpContext {
    pub base_url: String,
    pub http: reqwest::Client,
    pub timeout: Option<Duration>,
    pub user_agent: HeaderValue,
}

pub(crate) struct CachedToken {
    /// The raw token (for revocation).
    token: Secret,
    /// `Bearer <token>`, marked sensitive.
    pub(crate) header: HeaderValue,
    refresh_at: Instant,
    expires_at: Instant,
}

/// Token state of one client.
pub(crate) struct ServiceAccountAuth {
    client_id: String,
    client_secret: Secret,
    ctx: HttpContext,
    cached: std::sync::Mutex<Option<CachedToken>>,
    /// Held while fetching, so only one fetch runs at a time.
    refresh: tokio::sync::Mutex<()>,
}

impl fmt::Debug for ServiceAccountAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccountAuth")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("token_url", &self.url(TOKEN_PATH))
            .finish_non_exhaustive()
    }
}

/// A successful token response (RFC 6749 §5.1).
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    /// A number of seconds; some servers send it as a string.
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

/// An error response: the OAuth shape (RFC 6749 §5.2) or the Atlas envelope.
#[derive(Deserialize, Default)]
struct TokenErrorBody {
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default, rename = "errorCode")]
    error_code: Option<String>,
    #[serde(default)]
    detail: Option<String>,
}

impl ServiceAccountAuth {
    pub(crate) fn new(client_id: String, client_secret: Secret, ctx: HttpContext) -> Self {
        ServiceAccountAuth {
            client_id,
            client_secret,
            ctx,
            cached: std::sync::Mutex::new(None),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.ctx.base_url)
    }

    /// The cached `Authorization` header if `usable` accepts it.
    fn current(&self, usable: impl Fn(&CachedToken) -> bool) -> Option<HeaderValue> {
        let guard = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .as_ref()
            .filter(|t| usable(t))
            .map(|t| t.header.clone())
    }

    /// `Authorization: Bearer …` with a token that is not about to expire, fetching one if
    /// needed (one fetch at a time; waiters reuse its result).
    pub(crate) async fn authorization(&self) -> Result<HeaderValue> {
        if let Some(h) = self.current(|t| Instant::now() < t.refresh_at) {
            return Ok(h);
        }
        let _fetching = self.refresh.lock().await;
        // Someone else may have refreshed while we waited.
        if let Some(h) = self.current(|t| Instant::now() < t.refresh_at) {
            return Ok(h);
        }
        match self.fetch().await {
            Ok(token) => {
                let header = token.header.clone();
                *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = Some(token);
                Ok(header)
            }
            Err(e) => match self.current(|t| Instant::now() < t.expires_at) {
                Some(still_valid) => {
                    tracing::debug!(error = %e, "service account token refresh failed; the current token is still valid");
                    Ok(still_valid)
                }
                None => Err(e),
            },
        }
    }

    /// The API answered 401 to a request sent with `sent`: forget that token (unless another
    /// request already replaced it) and return a header with a fresh one.
    pub(crate) async fn on_unauthorized(&self, sent: Option<&HeaderValue>) -> Result<HeaderValue> {
        {
            let mut guard = self.cached.lock().unwrap_or_else(|p| p.into_inner());
            if guard.as_ref().map(|t| &t.header) == sent {
                *guard = None;
            }
        }
        self.authorization().await
    }

    fn basic_auth(&self) -> Result<HeaderValue> {
        let credentials = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            self.client_id,
            self.client_secret.expose_secret()
        ));
        let mut v = HeaderValue::from_str(&format!("Basic {credentials}")).map_err(|_| {
            Error::InvalidRequest("service account credentials are not a valid header".to_owned())
        })?;
        v.set_sensitive(true);
        Ok(v)
    }

    /// POSTs a form to an OAuth endpoint with the client's Basic credentials.
    async fn post_form(&self, url: &str, form: String) -> Result<reqwest::Response> {
        let mut builder = self
            .ctx
            .http
            .post(url)
            .header(AUTHORIZATION, self.basic_auth()?)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, self.ctx.user_agent.clone())
            .body(form);
        if let Some(t) = self.ctx.timeout {
            builder = builder.timeout(t);
        }
        let resp = builder.send().await.map_err(|e| {
            let url = url::Url::parse(url).ok();
            match url {
                Some(u) => super::transport_error(&reqwest::Method::POST, &u, e),
                None => Error::InvalidRequest(format!("invalid OAuth URL: {e}")),
            }
        })?;
        tracing::debug!(url, status = resp.status().as_u16(), "oauth response");
        Ok(resp)
    }

    async fn fetch(&self) -> Result<CachedToken> {
        let url = self.url(TOKEN_PATH);
        let resp = self
            .post_form(&url, "grant_type=client_credentials".to_owned())
            .await?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let body = resp.bytes().await.map_err(|e| Error::Transport {
            url: url.clone(),
            source: e.without_url(),
        })?;
        let now = Instant::now();
        if !(200..300).contains(&status) {
            let mut e = oauth_error("service account authentication failed", &url, status, &body);
            e.set_retry_after(retry_after);
            return Err(Error::Api(e));
        }
        parse_token(&url, &body, now)
    }

    /// Revokes the cached token, if any (best effort: the caller may ignore the error).
    pub(crate) async fn revoke(&self) -> Result<()> {
        let _fetching = self.refresh.lock().await;
        let token = self.cached.lock().unwrap_or_else(|p| p.into_inner()).take();
        let Some(token) = token else {
            return Ok(());
        };
        let url = self.url(REVOKE_PATH);
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("token", token.token.expose_secret())
            .append_pair("token_type_hint", "access_token")
            .finish();
        let resp = self.post_form(&url, form).await?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.unwrap_or_default();
        if (200..300).contains(&status) {
            tracing::debug!(url, "service account token revoked");
            Ok(())
        } else {
            Err(Error::Api(oauth_error(
                "service account token revocation failed",
                &url,
                status,
                &body,
            )))
        }
    }
}

/// Decodes a 2xx token response received at `now`.
pub(crate) fn parse_token(url: &str, body: &[u8], now: Instant) -> Result<CachedToken> {
    let parsed: TokenResponse = super::decode(url, body)?;
    let invalid = |why: &str| {
        let mut e = ApiError::from_response(200, b"");
        e.detail = Some(format!(
            "service account authentication failed at {url}: {why}"
        ));
        Error::Api(e)
    };
    if parsed.access_token.trim().is_empty() {
        return Err(invalid("the response has an empty access_token"));
    }
    if let Some(kind) = &parsed.token_type {
        if !kind.eq_ignore_ascii_case("bearer") {
            return Err(invalid(&format!("unsupported token_type {kind:?}")));
        }
    }
    let mut header = HeaderValue::from_str(&format!("Bearer {}", parsed.access_token))
        .map_err(|_| invalid("the access_token is not a valid header value"))?;
    header.set_sensitive(true);
    let lifetime = match &parsed.expires_in {
        Some(serde_json::Value::Number(n)) => n.as_f64().and_then(|f| {
            Duration::try_from_secs_f64(f.clamp(0.0, MAX_LIFETIME.as_secs_f64())).ok()
        }),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok().map(Duration::from_secs),
        _ => None,
    }
    .unwrap_or(DEFAULT_LIFETIME)
    .min(MAX_LIFETIME);
    let margin = REFRESH_MARGIN.min(lifetime / 10);
    let expires_at = now.checked_add(lifetime).unwrap_or(now);
    let refresh_at = expires_at.checked_sub(margin).unwrap_or(now);
    tracing::debug!(url, expires_in = ?lifetime, "service account token issued");
    Ok(CachedToken {
        token: Secret::new(parsed.access_token),
        header,
        refresh_at,
        expires_at,
    })
}

/// An [`ApiError`] for a failed OAuth call: `"{what} at {url}: {description}"`.
pub(crate) fn oauth_error(what: &str, url: &str, status: u16, body: &[u8]) -> ApiError {
    let parsed: TokenErrorBody = serde_json::from_slice(body).unwrap_or_default();
    let code = match parsed.error {
        Some(serde_json::Value::String(s)) => Some(s),
        _ => parsed.error_code,
    };
    let description = parsed.error_description.or(parsed.detail).or_else(|| {
        let s = redacted_snippet(body);
        (!s.is_empty()).then_some(s)
    });
    let mut e = ApiError::from_response(status, b"");
    e.error_code = code.unwrap_or_default();
    e.detail = Some(match description {
        Some(d) => format!("{what} at {url}: {d}"),
        None => format!("{what} at {url}"),
    });
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_response_lifetimes() {
        let now = Instant::now();
        let t = parse_token(
            "u",
            br#"{"access_token":"abc","token_type":"Bearer","expires_in":3600}"#,
            now,
        );
        let t = t.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.expires_at - now, Duration::from_secs(3600));
        assert_eq!(t.refresh_at - now, Duration::from_secs(3540));
        assert!(t.header.is_sensitive());
        assert_eq!(t.header.to_str().ok(), Some("Bearer abc"));
        let short = parse_token("u", br#"{"access_token":"abc","expires_in":"1"}"#, now)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(short.refresh_at - now, Duration::from_millis(900));
        let default =
            parse_token("u", br#"{"access_token":"abc"}"#, now).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(default.expires_at - now, DEFAULT_LIFETIME);
        let huge = parse_token("u", br#"{"access_token":"abc","expires_in":1e300}"#, now)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(huge.expires_at - now, MAX_LIFETIME);
    }

    #[test]
    fn token_response_rejects_bad_tokens_without_echoing_them() {
        let now = Instant::now();
        for body in [
            &br#"{"access_token":""}"#[..],
            br#"{"access_token":"a\nb-secret"}"#,
            br#"{"access_token":"x-secret","token_type":"mac"}"#,
            br#"{"token_type":"Bearer"}"#,
            b"not json",
        ] {
            let e = match parse_token("http://h/api/oauth/token", body, now) {
                Ok(_) => panic!("accepted {}", String::from_utf8_lossy(body)),
                Err(e) => e,
            };
            let msg = format!("{e} {e:?}");
            assert!(!msg.contains("secret"), "{msg}");
        }
    }

    #[test]
    fn oauth_errors_read_both_shapes() {
        let e = oauth_error(
            "service account authentication failed",
            "http://h/api/oauth/token",
            401,
            br#"{"error":"invalid_client","error_description":"bad credentials"}"#,
        );
        assert_eq!(e.error_code(), Some(crate::codes::OAUTH_INVALID_CLIENT));
        assert_eq!(
            e.to_string(),
            "authentication failed (401 invalid_client): service account authentication failed at http://h/api/oauth/token: bad credentials"
        );
        let e = oauth_error(
            "service account authentication failed",
            "http://h/api/oauth/token",
            429,
            br#"{"error":429,"errorCode":"RATE_LIMITED","detail":"slow down"}"#,
        );
        assert_eq!(e.error_code(), Some(crate::codes::RATE_LIMITED));
        assert!(e.to_string().ends_with("token: slow down"), "{e}");
        let e = oauth_error("x", "u", 500, b"");
        assert_eq!(e.detail.as_deref(), Some("x at u"));
    }
}
