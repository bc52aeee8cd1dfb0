//! Extractors whose rejections are Atlas envelopes, never axum's plain-text errors.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, RawQuery, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::pagination::QueryParams;

/// Path parameters; a rejection (e.g. bad percent-encoding) is `INVALID_PATH_PARAMETER`.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(Self(v)),
            Err(rejection) => {
                tracing::debug!(%rejection, "path rejection");
                Err(ApiError::invalid_path_parameter(parts.uri.path()))
            }
        }
    }
}

/// The query string, parsed leniently (typed checks happen in the handler).
pub struct Query(pub QueryParams);

impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let RawQuery(raw) = RawQuery::from_request_parts(parts, state)
            .await
            .unwrap_or(RawQuery(None));
        Ok(Self(QueryParams::parse(raw.as_deref())))
    }
}

/// A JSON object body. Syntax errors are `MALFORMED_JSON`; an empty body or a non-object is
/// `INVALID_JSON`. Any JSON-ish Content-Type (or none) is accepted: clients send
/// `application/vnd.atlas.<date>+json`.
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body_bytes(req, state).await?;
        parse_object(&bytes).map(Self)
    }
}

/// Largest request body the sandbox reads (axum's default limit).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The whole body: over [`MAX_BODY_BYTES`] is 413 `PAYLOAD_TOO_LARGE`, an unreadable one
/// `INVALID_JSON`.
pub async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::payload_too_large(MAX_BODY_BYTES)
        } else {
            ApiError::invalid_json()
        }
    })
}

/// A request whose `Content-Length` announces more than [`MAX_BODY_BYTES`]: refused before
/// anything reads it (any route, also OAuth and the control plane).
pub fn too_large(headers: &axum::http::HeaderMap) -> Option<ApiError> {
    let len: u64 = headers
        .get(axum::http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    (len > MAX_BODY_BYTES as u64).then(|| ApiError::payload_too_large(MAX_BODY_BYTES))
}

/// Decodes a JSON object body into `T`, answering Atlas's 400s with the attribute's path:
/// syntax errors are `MALFORMED_JSON`, an empty body or a non-object `INVALID_JSON`, then see
/// [`typed_value`].
pub fn typed_body<T: DeserializeOwned>(bytes: &[u8], read_only: &[&str]) -> Result<T, ApiError> {
    typed_value(Value::Object(parse_object(bytes)?), read_only)
}

/// Decodes an already parsed body into `T`: read-only attributes (top level, `read_only`)
/// sent non-null are `ATTRIBUTE_READ_ONLY` (dropped when null); a wrong type or an unknown
/// attribute (with `#[serde(deny_unknown_fields)]`) is `INVALID_ATTRIBUTE`, a missing one
/// `MISSING_ATTRIBUTE`, each naming the attribute's path (`roles[0].roleName`, `[2].comment`).
pub fn typed_value<T: DeserializeOwned>(
    mut value: Value,
    read_only: &[&str],
) -> Result<T, ApiError> {
    if let Value::Object(map) = &mut value {
        for field in read_only {
            // Sent as null (a GET body echoed back with the values cleared) they are dropped.
            match map.remove(*field) {
                Some(v) if !v.is_null() => return Err(ApiError::attribute_read_only(field)),
                _ => {}
            }
        }
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        // The path names an unknown field itself, a missing one by its parent.
        let join = |name: &str| {
            if path == "." || path.is_empty() {
                name.to_string()
            } else if path == name || path.ends_with(&format!(".{name}")) {
                path.clone()
            } else {
                format!("{path}.{name}")
            }
        };
        // serde's messages: "unknown field `x`, expected …", "missing field `x`".
        let quoted = |prefix: &str| {
            message
                .strip_prefix(prefix)
                .and_then(|rest| rest.split('`').next())
                .map(join)
        };
        if let Some(attr) = quoted("unknown field `") {
            ApiError::invalid_attribute(&attr)
        } else if let Some(attr) = quoted("missing field `") {
            ApiError::missing_attribute(&attr)
        } else if path == "." || path.is_empty() {
            ApiError::invalid_json()
        } else {
            ApiError::invalid_attribute(&path)
        }
    })
}

/// Reads a nullable attribute: absent is `None` (with `#[serde(default)]`), `null` is
/// `Some(None)`, a value `Some(Some(v))`.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid_json());
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|_| ApiError::malformed_json())?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::invalid_json()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_object_classifies_bad_bodies() {
        assert_eq!(parse_object(b"").expect_err("empty").code, "INVALID_JSON");
        assert_eq!(
            parse_object(b"{").expect_err("syntax").code,
            "MALFORMED_JSON"
        );
        assert_eq!(
            parse_object(b"[1]").expect_err("array").code,
            "INVALID_JSON"
        );
        assert!(parse_object(br#"{"a":1}"#).is_ok());
    }
}
