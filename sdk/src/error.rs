//! Errors returned by the SDK.
//!
//! Every fallible call returns [`Result<T>`]. Callers branch on the classification helpers
//! ([`Error::is_not_found`], [`Error::is_conflict`], …) or on the Atlas `errorCode`
//! ([`Error::error_code`]), never on message text.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Shorthand for `std::result::Result<T, atlas_admin_sdk::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How long a body excerpt kept in an error may be (in characters).
const SNIPPET_CHARS: usize = 512;

/// Everything that can go wrong talking to the Atlas Admin API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with a non-success status.
    #[error("{0}")]
    Api(ApiError),

    /// The request never got an HTTP answer (DNS, connection refused, TLS, reset …).
    #[error("could not reach {url}: {}", error_chain(.source))]
    Transport {
        /// The URL the request was sent to (never contains credentials).
        url: String,
        /// The underlying HTTP client error.
        #[source]
        source: reqwest::Error,
    },

    /// A success response whose body did not match the expected model.
    #[error("could not decode the response of {url} at `{path}`: {source} (body starts: {body_snippet})")]
    Decode {
        /// The request URL.
        url: String,
        /// JSON path of the offending value inside the body (`results[0].created`).
        path: String,
        /// The start of the body, with secret-looking values redacted.
        body_snippet: String,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },

    /// The request could not be built (empty id, unserialisable body, bad base URL …).
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// An operation did not finish in time (an HTTP request timeout, or a wait for a state).
    #[error("timed out: {operation}")]
    Timeout {
        /// What timed out, e.g. `GET https://cloud.mongodb.com/api/atlas/v2/groups`, or
        /// `waiting for cluster "c1" to become IDLE (last state: UPDATING)`.
        operation: String,
    },

    /// A wait ([`crate::wait::wait_for`]) was cancelled by its caller.
    #[error("cancelled: {operation}")]
    Cancelled {
        /// What was being waited for, with the last observed state.
        operation: String,
    },
}

impl Error {
    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            _ => None,
        }
    }

    /// The Atlas `errorCode` (e.g. `GROUP_NOT_FOUND`) of an API error.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.error_code(),
            _ => None,
        }
    }

    /// `true` when the API answered with this `errorCode` (see [`crate::codes`]).
    pub fn has_code(&self, code: &str) -> bool {
        self.error_code() == Some(code)
    }

    /// The API error, if this is one.
    pub fn as_api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// `true` for 404 responses.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// `true` for 409 responses.
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(409)
    }

    /// `true` for 401 and 403 responses.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self.status(), Some(401 | 403))
    }

    /// `true` for failures worth retrying later: 429, 502, 503, 504, transport errors and
    /// request timeouts. Whether a retry is *safe* also depends on the method (see
    /// [`crate::RetryPolicy`]). The client has already retried what was safe to retry.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => matches!(e.status, 429 | 502 | 503 | 504),
            Error::Transport { .. } | Error::Timeout { .. } => true,
            _ => false,
        }
    }

    /// `true` when the request may or may not have been applied by the server, so the caller
    /// should read the resource back to find out instead of assuming either outcome:
    ///
    /// * a 5xx answer to a non-idempotent request (POST, PATCH) — the client never repeats
    ///   those, since a lost answer to a create could otherwise create twice;
    /// * a timeout ([`Error::Timeout`]: a request that got no answer in time, or a wait that
    ///   ended before the awaited state);
    /// * a transport error after the connection was established (the request may have been
    ///   sent). A failure to connect (refused, DNS, TLS handshake) is not ambiguous: nothing
    ///   was sent.
    ///
    /// 4xx answers (including 429, which means "not processed") and decode errors are never
    /// ambiguous. For reads the flag only says the outcome is unknown.
    pub fn is_ambiguous(&self) -> bool {
        match self {
            Error::Api(e) => e.status >= 500 && e.non_idempotent,
            Error::Transport { source, .. } => !source.is_connect(),
            Error::Timeout { .. } => true,
            _ => false,
        }
    }
}

/// An error answered by the API: the Atlas error envelope
/// (`{error, errorCode, detail, reason, parameters, badRequestDetail}`, schema `ApiError`).
///
/// Bodies that are not an envelope (an HTML page from a proxy, an empty body) still give an
/// `ApiError`: the status, an empty `error_code` and the start of the body as `detail`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status code.
    #[serde(rename = "error")]
    pub status: u16,
    /// Stable machine-readable code (`GROUP_NOT_FOUND`); empty if the body was not an envelope.
    #[serde(default)]
    pub error_code: String,
    /// Human-readable message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// HTTP reason phrase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Template arguments of `detail`, in order.
    #[serde(default, deserialize_with = "null_as_default")]
    pub parameters: Vec<serde_json::Value>,
    /// Field-level validation failures (boxed to keep [`Error`] small).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bad_request_detail: Option<Box<BadRequestDetail>>,
    /// Whether the request that got this answer was non-idempotent (POST, PATCH): a 5xx is
    /// then ambiguous ([`Error::is_ambiguous`]).
    #[serde(skip)]
    pub(crate) non_idempotent: bool,
    /// The response's `Retry-After` in seconds (kept small: [`Error`] stays compact).
    #[serde(skip)]
    pub(crate) retry_after_secs: Option<u32>,
}

/// Field-level validation failures of a 400 response (schema `BadRequestDetail`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BadRequestDetail {
    /// The violations.
    #[serde(default, deserialize_with = "null_as_default")]
    pub fields: Vec<FieldViolation>,
}

/// One invalid request field (schema `FieldViolation`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FieldViolation {
    /// Path to the field in the request body.
    #[serde(default)]
    pub field: String,
    /// Why it is invalid.
    #[serde(default)]
    pub description: String,
}

fn null_as_default<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

impl ApiError {
    /// Builds an error from a response status and body. Never fails: a body that is not the
    /// Atlas envelope becomes a generic error carrying a snippet of it.
    pub fn from_response(status: u16, body: &[u8]) -> ApiError {
        if let Ok(mut e) = serde_json::from_slice::<ApiError>(body) {
            if !e.error_code.is_empty() || e.detail.is_some() {
                // The HTTP status is authoritative.
                e.status = status;
                return e;
            }
        }
        let text = String::from_utf8_lossy(body);
        let trimmed = text.trim();
        let reason = http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .map(str::to_owned);
        ApiError {
            status,
            error_code: String::new(),
            detail: if trimmed.is_empty() {
                None
            } else {
                Some(snippet(trimmed))
            },
            reason,
            parameters: Vec::new(),
            bad_request_detail: None,
            non_idempotent: false,
            retry_after_secs: None,
        }
    }

    /// The response's `Retry-After` (delta-seconds, or an HTTP-date relative to the time the
    /// response arrived), if it had one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after_secs
            .map(|s| Duration::from_secs(u64::from(s)))
    }

    pub(crate) fn set_retry_after(&mut self, retry_after: Option<Duration>) {
        self.retry_after_secs = retry_after.map(|d| {
            // Round up: waiting a little longer is always allowed.
            let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
            u32::try_from(secs).unwrap_or(u32::MAX)
        });
    }

    /// The `errorCode`, or `None` if the body carried none.
    pub fn error_code(&self) -> Option<&str> {
        if self.error_code.is_empty() {
            None
        } else {
            Some(&self.error_code)
        }
    }

    fn kind(&self) -> &'static str {
        match self.status {
            400 => "bad request",
            401 => "authentication failed",
            403 => "permission denied",
            404 => "not found",
            409 => "conflict",
            429 => "rate limited",
            500..=599 => "server error",
            _ => "request failed",
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}", self.kind(), self.status)?;
        if let Some(code) = self.error_code() {
            write!(f, " {code}")?;
        }
        f.write_str(")")?;
        match (&self.detail, &self.reason) {
            (Some(detail), _) => write!(f, ": {detail}")?,
            (None, Some(reason)) => write!(f, ": {reason}")?,
            (None, None) => {}
        }
        if let Some(bad) = &self.bad_request_detail {
            for v in &bad.fields {
                write!(f, "; {}: {}", v.field, v.description)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(e)
    }
}

/// The message of an error followed by its causes, `": "`-separated.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let msg = s.to_string();
        if !out.contains(&msg) {
            out.push_str(": ");
            out.push_str(&msg);
        }
        cur = s.source();
    }
    out
}

/// The first [`SNIPPET_CHARS`] characters of `s`.
pub(crate) fn snippet(s: &str) -> String {
    match s.char_indices().nth(SNIPPET_CHARS) {
        Some((idx, _)) => format!("{}…", &s[..idx]),
        None => s.to_owned(),
    }
}

/// A snippet of a response body safe to put in an error message: JSON values under keys that
/// look secret (`privateKey`, `password`, `secret`, `token`) are replaced.
pub(crate) fn redacted_snippet(body: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut v) => {
            redact(&mut v);
            snippet(&v.to_string())
        }
        Err(_) => snippet(String::from_utf8_lossy(body).trim()),
    }
}

fn redact(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                let lower = k.to_ascii_lowercase();
                if ["privatekey", "password", "secret", "token"]
                    .iter()
                    .any(|s| lower.contains(s))
                {
                    *val = serde_json::Value::String("[REDACTED]".into());
                } else {
                    redact(val);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_envelope_parses_all_fields() {
        let body = br#"{"detail":"No group with ID 111111111111111111111111 exists.","error":404,
            "errorCode":"GROUP_NOT_FOUND","parameters":["111111111111111111111111"],"reason":"Not Found"}"#;
        let e = ApiError::from_response(404, body);
        assert_eq!(e.status, 404);
        assert_eq!(e.error_code(), Some(crate::codes::GROUP_NOT_FOUND));
        assert_eq!(e.reason.as_deref(), Some("Not Found"));
        assert_eq!(
            e.parameters,
            vec![serde_json::json!("111111111111111111111111")]
        );
        assert_eq!(
            e.to_string(),
            "not found (404 GROUP_NOT_FOUND): No group with ID 111111111111111111111111 exists."
        );
        let err = Error::from(e);
        assert!(err.is_not_found());
        assert!(!err.is_retryable());
        assert_eq!(err.error_code(), Some(crate::codes::GROUP_NOT_FOUND));
    }

    #[test]
    fn api_error_401_display_reads_like_authentication_failed() {
        let body = br#"{
  "error" : 401,
  "reason" : "Unauthorized",
  "detail" : "You are not authorized for this resource.",
  "errorCode" : "UNEXPECTED_ERROR"
}"#;
        let err = Error::Api(ApiError::from_response(401, body));
        assert!(err.is_unauthorized());
        assert_eq!(
            err.to_string(),
            "authentication failed (401 UNEXPECTED_ERROR): You are not authorized for this resource."
        );
    }

    #[test]
    fn api_error_null_parameters_and_bad_request_detail() {
        let body = br#"{"error":400,"errorCode":"INVALID_ATTRIBUTE","detail":"Invalid attribute name specified.",
            "parameters":null,"reason":"Bad Request",
            "badRequestDetail":{"fields":[{"field":"name","description":"must not be blank"}]}}"#;
        let e = ApiError::from_response(400, body);
        assert!(e.parameters.is_empty());
        let fields = &e
            .bad_request_detail
            .as_ref()
            .map(|b| b.fields.clone())
            .unwrap_or_default();
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].field, "name");
        assert!(e.to_string().ends_with("; name: must not be blank"));
    }

    #[test]
    fn api_error_rate_limit_mixed_parameters_is_retryable() {
        let body = br#"{"detail":"Rate limit exceeded for api/atlas/v2/orgs. Please retry after 55 seconds.","error":429,"errorCode":"RATE_LIMITED_TOKEN_BUCKET","parameters":["api/atlas/v2/orgs",55,10,5,60],"reason":"Too Many Requests"}"#;
        let err = Error::Api(ApiError::from_response(429, body));
        assert!(err.is_retryable());
        assert_eq!(err.as_api_error().map(|e| e.parameters.len()), Some(5));
    }

    #[test]
    fn api_error_html_body_gives_status_and_snippet() {
        let body = b"<html><body><h1>502 Bad Gateway</h1></body></html>\n";
        let e = ApiError::from_response(502, body);
        assert_eq!(e.status, 502);
        assert_eq!(e.error_code(), None);
        assert_eq!(e.reason.as_deref(), Some("Bad Gateway"));
        assert_eq!(
            e.to_string(),
            "server error (502): <html><body><h1>502 Bad Gateway</h1></body></html>"
        );
        assert!(Error::Api(e).is_retryable());
    }

    #[test]
    fn api_error_empty_body_uses_reason() {
        let e = ApiError::from_response(503, b"");
        assert_eq!(e.to_string(), "server error (503): Service Unavailable");
    }

    #[test]
    fn api_error_status_is_taken_from_http_not_body() {
        let e =
            ApiError::from_response(409, br#"{"error":400,"errorCode":"GROUP_ALREADY_EXISTS"}"#);
        assert_eq!(e.status, 409);
        assert!(Error::Api(e).is_conflict());
    }

    #[test]
    fn snippet_truncates_on_char_boundary() {
        let long = "é".repeat(SNIPPET_CHARS + 10);
        let s = snippet(&long);
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
    }

    #[test]
    fn redacted_snippet_hides_secret_fields() {
        let s = redacted_snippet(
            br#"{"publicKey":"abc","privateKey":"0000-1111","nested":[{"password":"x"}]}"#,
        );
        assert!(!s.contains("0000-1111"));
        assert!(!s.contains("\"x\""));
        assert!(s.contains("abc"));
    }
}
