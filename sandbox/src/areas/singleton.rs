//! Project-scoped singletons (`/groups/{groupId}/<thing>`): one value per project, born with
//! it (its `Default`), read by GET, changed by PATCH, reset to the default by DELETE, dropped
//! with the project. An area of this kind is its serde types plus one [`ProjectSingleton`]
//! impl; [`routes`] serves the three operations:
//!
//! * every handler answers the project's 404 (`INVALID_GROUP_ID`, `GROUP_NOT_FOUND`) before
//!   it looks at the body; versions outside [`ProjectSingleton::VERSIONS`] answer 501;
//! * the PATCH body is decoded into the typed [`ProjectSingleton::Patch`] by [`typed_body`]:
//!   JSON syntax errors are `MALFORMED_JSON`, a wrong type or an unknown attribute (use
//!   `#[serde(deny_unknown_fields)]`) `INVALID_ATTRIBUTE`, a missing one `MISSING_ATTRIBUTE`,
//!   each naming the attribute's path (`protectedHours.startHourOfDay`); read-only attributes
//!   ([`ProjectSingleton::READ_ONLY`]) are `ATTRIBUTE_READ_ONLY` (dropped when null);
//! * GET answers 200 with [`ProjectSingleton::view`], PATCH 200 with
//!   [`ProjectSingleton::patch_answer`], DELETE 204 without a body (the version layer stamps
//!   the versioned Content-Type).
//!
//! Extra actions on the same value (a `POST …/defer`) use [`update`].

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::areas::{ProjectChildren, Store};
use crate::error::ApiError;
pub use crate::extract::typed_body;
use crate::extract::{ApiPath, Query};
use crate::versions::ResolvedVersion;
use crate::AppState;

/// A value every project has exactly one of.
pub trait ProjectSingleton: Default + Clone + Send + Sync + 'static {
    /// The typed PATCH body (absent attributes: `None`, left unchanged).
    type Patch: DeserializeOwned + Send;
    /// The GET representation.
    type View: Serialize;

    /// The media-type versions served (others the spec lists answer 501).
    const VERSIONS: &'static [&'static str];
    /// Attributes a client may not send (`ATTRIBUTE_READ_ONLY` when non-null).
    const READ_ONLY: &'static [&'static str] = &[];

    /// The project's value.
    fn of(children: &ProjectChildren) -> &Self;
    /// The project's value, to change.
    fn of_mut(children: &mut ProjectChildren) -> &mut Self;
    /// Applies a PATCH sent in media-type `version` (validating values; on an error nothing
    /// is stored).
    fn apply(&mut self, patch: Self::Patch, version: &str) -> Result<(), ApiError>;
    /// The GET body in media-type `version`.
    fn view(&self, version: &str) -> Self::View;
    /// The PATCH answer's body (default `{}`: the spec declares no body).
    fn patch_answer(&self) -> Value {
        Value::Object(Map::new())
    }
}

/// GET / PATCH / DELETE on `path` (relative to the API prefix, with `{group_id}`).
pub fn routes<T: ProjectSingleton>(path: &str) -> Router<AppState> {
    Router::new().route(
        path,
        get(get_one::<T>)
            .patch(patch_one::<T>)
            .delete(reset_one::<T>),
    )
}

/// The resolved media-type version, or 501 for one the area does not serve.
pub fn check_version(
    versions: &[&str],
    resolved: Option<&ResolvedVersion>,
) -> Result<Arc<str>, ApiError> {
    match resolved {
        Some(r) if !versions.contains(&&*r.version) => {
            Err(ApiError::version_not_emulated(&r.operation_id, &r.version))
        }
        Some(r) => Ok(r.version.clone()),
        // Every spec route resolves a version before its handler runs.
        None => Ok(Arc::from(versions.first().copied().unwrap_or_default())),
    }
}

fn children<'a>(store: &'a Store, group_id: &str) -> Result<&'a ProjectChildren, ApiError> {
    super::projects::find_project(store, group_id).map(|p| &p.children)
}

/// Changes the project's value with `f` (which validates; on an error nothing is stored) and
/// returns what `answer` makes of the new value.
pub fn update<T: ProjectSingleton, R>(
    store: &mut Store,
    group_id: &str,
    f: impl FnOnce(&mut T) -> Result<(), ApiError>,
    answer: impl FnOnce(&T) -> R,
) -> Result<R, ApiError> {
    let mut value = T::of(children(store, group_id)?).clone();
    f(&mut value)?;
    let project = store
        .project_mut(group_id)
        .ok_or_else(|| ApiError::group_not_found(group_id))?;
    let slot = T::of_mut(&mut project.children);
    *slot = value;
    Ok(answer(slot))
}

async fn get_one<T: ProjectSingleton>(
    State(state): State<AppState>,
    resolved: Option<Extension<ResolvedVersion>>,
    ApiPath(group_id): ApiPath<String>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    let version = check_version(T::VERSIONS, resolved.as_deref())?;
    q.check_common()?;
    let store = state.store_read();
    let view = T::of(children(&store, &group_id)?).view(&version);
    Ok((StatusCode::OK, Json(view)).into_response())
}

async fn patch_one<T: ProjectSingleton>(
    State(state): State<AppState>,
    resolved: Option<Extension<ResolvedVersion>>,
    ApiPath(group_id): ApiPath<String>,
    Query(q): Query,
    body: Bytes,
) -> Result<Response, ApiError> {
    let version = check_version(T::VERSIONS, resolved.as_deref())?;
    q.check_common()?;
    // Unknown/malformed ids answer 404 before the body is judged.
    children(&state.store_read(), &group_id)?;
    let patch: T::Patch = typed_body(&body, T::READ_ONLY)?;
    let answer = update::<T, _>(
        &mut state.store(),
        &group_id,
        |v| v.apply(patch, &version),
        T::patch_answer,
    )?;
    Ok((StatusCode::OK, Json(answer)).into_response())
}

async fn reset_one<T: ProjectSingleton>(
    State(state): State<AppState>,
    resolved: Option<Extension<ResolvedVersion>>,
    ApiPath(group_id): ApiPath<String>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    check_version(T::VERSIONS, resolved.as_deref())?;
    q.check_common()?;
    update::<T, _>(
        &mut state.store(),
        &group_id,
        |v| {
            *v = T::default();
            Ok(())
        },
        |_| (),
    )?;
    Ok(super::database_users::no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Inner {
        start_hour: Option<u8>,
        end_hour: u8,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Body {
        day: Option<u8>,
        inner: Option<Inner>,
    }

    fn err(body: &str) -> ApiError {
        match typed_body::<Body>(body.as_bytes(), &["id"]) {
            Ok(b) => panic!("accepted {b:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn typed_body_names_the_attribute_path() {
        let e = err(r#"{"day": "x"}"#);
        assert_eq!(
            (e.code, e.parameters[0].as_str()),
            ("INVALID_ATTRIBUTE", Some("day"))
        );
        let e = err(r#"{"inner": {"startHour": -1, "endHour": 1}}"#);
        assert_eq!(
            (e.code, e.parameters[0].as_str()),
            ("INVALID_ATTRIBUTE", Some("inner.startHour"))
        );
        let e = err(r#"{"inner": {"endHour": 1, "nope": 1}}"#);
        assert_eq!(
            (e.code, e.parameters[0].as_str()),
            ("INVALID_ATTRIBUTE", Some("inner.nope"))
        );
        let e = err(r#"{"nope": 1}"#);
        assert_eq!(
            (e.code, e.parameters[0].as_str()),
            ("INVALID_ATTRIBUTE", Some("nope"))
        );
        let e = err(r#"{"inner": {}}"#);
        assert_eq!(
            (e.code, e.parameters[0].as_str()),
            ("MISSING_ATTRIBUTE", Some("inner.endHour"))
        );
        assert_eq!(err(r#"{"id": "x"}"#).code, "ATTRIBUTE_READ_ONLY");
        assert_eq!(err("{").code, "MALFORMED_JSON");
        assert_eq!(err("[]").code, "INVALID_JSON");
        assert!(typed_body::<Body>(br#"{"day": null, "id": null}"#, &["id"]).is_ok());
    }
}
