//! The Atlas error envelope: `{detail, error, errorCode, parameters, reason}`.
//!
//! Every error code the sandbox can answer exists here once, as a constructor named after the
//! code, so handlers never build envelopes by hand and tests can assert on codes.

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

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
        Self {
            status,
            code,
            detail: detail.into(),
            parameters,
            headers: Vec::new(),
        }
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

    // ---- projects -------------------------------------------------------------------------

    pub fn group_not_found(group_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "GROUP_NOT_FOUND",
            format!("No group with ID {group_id} exists."),
            vec![json!(group_id)],
        )
    }

    pub fn group_name_not_found(name: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "GROUP_NAME_NOT_FOUND",
            format!("No group with name \"{name}\" exists."),
            vec![json!(name)],
        )
    }

    pub fn invalid_group_id(group_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "INVALID_GROUP_ID",
            format!("An invalid group ID {group_id} was specified."),
            vec![json!(group_id)],
        )
    }

    pub fn group_already_exists(name: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "GROUP_ALREADY_EXISTS",
            format!("A group with name \"{name}\" already exists."),
            vec![json!(name)],
        )
    }

    pub fn invalid_group_name(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_GROUP_NAME",
            format!("Group name \"{name}\" is invalid. Names are 1 to 64 characters: letters, digits, and - _ . ( ) , : & @ + '."),
            vec![json!(name)],
        )
    }

    pub fn invalid_group_name_10gen(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_GROUP_NAME_10GEN",
            format!(
                "Group name \"{name}\" is invalid: it cannot contain \"10gen-\" or \"-10gen\"."
            ),
            vec![json!(name)],
        )
    }

    /// Reserved for the clusters area: a project that still owns clusters cannot be deleted.
    #[allow(dead_code)]
    pub fn cannot_close_group_active_atlas_clusters() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "CANNOT_CLOSE_GROUP_ACTIVE_ATLAS_CLUSTERS",
            "There are active clusters in this project. Please terminate all clusters before closing the project.",
            vec![],
        )
    }

    // ---- organizations --------------------------------------------------------------------

    pub fn org_not_found(org_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ORG_NOT_FOUND",
            format!("No organization with ID {org_id} exists."),
            vec![json!(org_id)],
        )
    }

    pub fn invalid_org_id(org_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "INVALID_ORG_ID",
            format!("An invalid organization ID {org_id} was specified."),
            vec![json!(org_id)],
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

    // ---- faults ---------------------------------------------------------------------------

    pub fn unexpected_error() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNEXPECTED_ERROR",
            "Unexpected error.",
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
