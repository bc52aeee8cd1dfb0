//! The Atlas error envelope: `{detail, error, errorCode, parameters, reason}`.
//!
//! Every error code the sandbox can answer exists once, as an `ApiError` constructor named
//! after the code, so handlers never build envelopes by hand and tests can assert on codes.
//! This file holds the envelope and the cross-cutting codes (body size and media type,
//! authorization, generic request validation, routing and versions, faults); each area
//! declares its own codes in an `impl ApiError` of its own (`areas/<area>/errors.rs`, or an
//! `errors` section of a one-file area).

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// Longest `detail` an error carries: details echo input, and a 100 KB name must not come
/// back whole.
const MAX_DETAIL_CHARS: usize = 1000;
/// Longest string parameter (parameters echo input too).
const MAX_PARAMETER_CHARS: usize = 256;

/// `s` if it has at most `max` characters, else its start and end around an ellipsis that
/// says how much was left out (the end keeps the explanation that follows an echoed value).
fn clip(s: String, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s;
    }
    let tail = max / 4;
    let head = max - tail;
    let start: String = s.chars().take(head).collect();
    let end: String = s.chars().skip(n - tail).collect();
    format!("{start}…[{} characters omitted]…{end}", n - head - tail)
}

/// One Atlas API error, rendered as the real envelope with an `application/json` body.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub parameters: Vec<Value>,
    /// Extra response headers (e.g. `Retry-After` on 429).
    pub headers: Vec<(HeaderName, String)>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        detail: impl Into<String>,
        parameters: Vec<Value>,
    ) -> Self {
        let parameters = parameters
            .into_iter()
            .map(|p| match p {
                Value::String(s) => Value::String(clip(s, MAX_PARAMETER_CHARS)),
                other => other,
            })
            .collect();
        Self {
            status,
            code,
            detail: clip(detail.into(), MAX_DETAIL_CHARS),
            parameters,
            headers: Vec::new(),
        }
    }

    /// A request body over the sandbox's limit ([`crate::extract::MAX_BODY_BYTES`]).
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("The request body is larger than {limit} bytes."),
            vec![json!(limit)],
        )
    }

    /// A body whose versioned `Content-Type` names another version than the one negotiated
    /// through `Accept`.
    pub fn unsupported_media_type(content_type: &str, expected: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            format!(
                "The request body's Content-Type {content_type} does not match the version requested in Accept; send it as {expected}."
            ),
            vec![json!(content_type), json!(expected)],
        )
    }

    pub fn with_header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The JSON body, exactly as Atlas shapes it.
    pub fn body(&self) -> Value {
        json!({
            "detail": self.detail,
            "error": self.status.as_u16(),
            "errorCode": self.code,
            "parameters": self.parameters,
            "reason": self.status.canonical_reason().unwrap_or("Error"),
        })
    }

    // ---- authorization (authz.rs) ----------------------------------------------------------

    /// The caller has no role in the project (or the project does not exist and the caller
    /// has no organization-wide access). 401 as Atlas answers it (reference §5).
    pub fn not_in_group(group: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "NOT_IN_GROUP",
            format!("The current user is not in the group, or the group does not exist: {group}."),
            vec![json!(group)],
        )
    }

    /// The caller is in scope but lacks the role the operation needs. 401 as Atlas answers it
    /// (reference §5).
    pub fn user_unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "USER_UNAUTHORIZED",
            "Current user is not authorized to perform this action.",
            vec![],
        )
    }

    // ---- generic request validation -------------------------------------------------------

    pub fn malformed_json() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "MALFORMED_JSON",
            "Received JSON is malformed.",
            vec![],
        )
    }

    pub fn invalid_json() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_JSON",
            "Received JSON does not match expected format.",
            vec![],
        )
    }

    pub fn missing_attribute(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "MISSING_ATTRIBUTE",
            format!("The required attribute {name} was not specified."),
            vec![json!(name)],
        )
    }

    pub fn invalid_attribute(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_ATTRIBUTE",
            format!("Invalid attribute {name} specified."),
            vec![json!(name)],
        )
    }

    pub fn attribute_read_only(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "ATTRIBUTE_READ_ONLY",
            format!("The attribute {name} is read-only and cannot be changed by the user."),
            vec![json!(name)],
        )
    }

    pub fn invalid_enum_value(value: &str, attribute: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_ENUM_VALUE",
            format!("An invalid enumeration value {value} was specified for {attribute}."),
            vec![json!(value), json!(attribute)],
        )
    }

    pub fn group_mismatch(body_group_id: &str, path_group_id: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "GROUP_MISMATCH",
            format!("The group ID {body_group_id} in the request body does not match the group ID {path_group_id} in the URL."),
            vec![json!(body_group_id), json!(path_group_id)],
        )
    }

    pub fn invalid_query_parameter(name: &str, value: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_QUERY_PARAMETER",
            format!("Invalid query parameter {name} specified: {value}."),
            vec![json!(name), json!(value)],
        )
    }

    pub fn invalid_path_parameter(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_PATH_PARAMETER",
            format!("Invalid path parameter {name} specified."),
            vec![json!(name)],
        )
    }

    // ---- routing and versions -------------------------------------------------------------

    pub fn resource_not_found(path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            format!("Cannot find resource {path}."),
            vec![json!(path)],
        )
    }

    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            format!("Method {method} is not allowed for {path}."),
            vec![json!(method), json!(path)],
        )
    }

    /// The operation is in the spec but this sandbox does not emulate it (yet). A 501 rather
    /// than a 404 so that clients never mistake it for "resource gone".
    pub fn not_implemented(operation_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "NOT_IMPLEMENTED",
            format!("atlas-sandbox does not emulate operation {operation_id} yet."),
            vec![json!(operation_id)],
        )
    }

    pub fn invalid_version_date(accept: &str, path: &str, supported: &[String]) -> Self {
        Self::new(
            StatusCode::NOT_ACCEPTABLE,
            "INVALID_VERSION_DATE",
            format!(
                "The Accept header \"{accept}\" does not name a supported version of {path}. Send Accept: application/vnd.atlas.<version>+json with one of: {}.",
                supported.join(", ")
            ),
            vec![json!(accept), json!(path)],
        )
    }

    pub fn version_gone(version: &str, path: &str) -> Self {
        Self::new(
            StatusCode::GONE,
            "VERSION_GONE",
            format!("Version {version} of {path} is no longer available."),
            vec![json!(version), json!(path)],
        )
    }

    /// A spec version of an emulated operation whose body shape the sandbox does not serve.
    pub fn version_not_emulated(operation_id: &str, version: &str) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "NOT_IMPLEMENTED",
            format!("atlas-sandbox does not emulate version {version} of operation {operation_id}; use a newer version."),
            vec![json!(operation_id), json!(version)],
        )
    }

    // ---- faults ---------------------------------------------------------------------------

    pub fn unexpected_error() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNEXPECTED_ERROR",
            "Unexpected error.",
            vec![],
        )
    }

    /// Injected 503 (what Atlas answers mid-poll now and then). Code unverified against the
    /// live API; clients branch on the status.
    pub fn service_unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            "Service temporarily unavailable. Please try again later.",
            vec![],
        )
    }

    pub fn rate_limited(path: &str, retry_after: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED_TOKEN_BUCKET",
            format!("Rate limit exceeded for {path}. Please retry after {retry_after} seconds. Request capacity: 100. Refill rate: 10 per 60 seconds."),
            vec![json!(path), json!(retry_after), json!(100), json!(10), json!(60)],
        )
        .with_header(header::RETRY_AFTER, retry_after.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body().to_string();
        let mut resp = (self.status, body).into_response();
        let headers = resp.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(name, v);
            }
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_echoed_input_is_clipped() {
        let name = "x".repeat(100_000);
        let e = ApiError::invalid_group_name(&name);
        let body = e.body().to_string();
        assert!(body.len() < 2_000, "{} bytes", body.len());
        assert!(e.detail.contains("characters omitted"), "{}", e.detail);
        assert!(
            e.detail.ends_with("+ '."),
            "the explanation stays: {}",
            e.detail
        );
        assert!(e.parameters[0]
            .as_str()
            .is_some_and(|p| p.chars().count() < 300));
        let short = ApiError::invalid_group_name("ok");
        assert!(!short.detail.contains("omitted"));
    }

    #[test]
    fn group_not_found_body_matches_observed_envelope() {
        let body = ApiError::group_not_found("111111111111111111111111").body();
        assert_eq!(
            body,
            json!({
                "detail": "No group with ID 111111111111111111111111 exists.",
                "error": 404,
                "errorCode": "GROUP_NOT_FOUND",
                "parameters": ["111111111111111111111111"],
                "reason": "Not Found"
            })
        );
    }

    #[test]
    fn rate_limited_carries_retry_after() {
        let e = ApiError::rate_limited("api/atlas/v2/groups", 1);
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(e
            .headers
            .iter()
            .any(|(n, v)| n == header::RETRY_AFTER && v == "1"));
    }
}
