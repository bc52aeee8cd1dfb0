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
