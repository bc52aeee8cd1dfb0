//! The app: the API (digest or bearer auth → faults → version negotiation → authorization →
//! areas) under `/api/atlas/v2`, OAuth under `/api/oauth`, the control plane under
//! `/_sandbox`, and a request counter around all.

use std::time::Instant;

use axum::extract::{OriginalUri, Request, State};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::error::ApiError;
use crate::openapi::API_PREFIX;
use crate::versions::ResolvedVersion;
use crate::{areas, auth, authz, control, faults, oauth, persist, versions, AppState};

pub fn build(state: AppState) -> Router {
    let api = areas::routes()
        .fallback(api_fallback)
        .method_not_allowed_fallback(api_fallback)
        .layer(from_fn_with_state(state.clone(), authz::authorize))
        .layer(from_fn_with_state(state.clone(), versions::negotiate_layer))
        .layer(from_fn_with_state(state.clone(), faults::inject))
        .layer(from_fn_with_state(state.clone(), auth::require_digest));
    Router::new()
        .nest(API_PREFIX, api)
        .merge(control::routes())
        .merge(oauth::routes())
        .fallback(not_found)
        // Inside the counter, outside faults: a write is committed (with --data-dir) before
        // any answer leaves, also when a fault replaces that answer.
        .layer(from_fn_with_state(state.clone(), persist::commit_layer))
        .layer(from_fn_with_state(state.clone(), count_requests))
        .with_state(state)
}

/// The full request path, also inside the nested API router (which strips the prefix).
pub fn original_path(req: &Request) -> String {
    req.extensions()
        .get::<OriginalUri>()
        .map_or_else(|| req.uri().path().to_string(), |u| u.path().to_string())
}

/// Unmatched API request: a spec operation the sandbox does not emulate yet (501), or an
/// unknown route (Atlas-shaped 404).
async fn api_fallback(req: Request) -> Response {
    match req.extensions().get::<ResolvedVersion>() {
        Some(resolved) => ApiError::not_implemented(&resolved.operation_id).into_response(),
        None => ApiError::resource_not_found(&original_path(&req)).into_response(),
    }
}

async fn not_found(req: Request) -> Response {
    ApiError::resource_not_found(req.uri().path()).into_response()
}

/// Counts every request the server answers (challenges and control plane included).
async fn count_requests(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = Instant::now();
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    let operation = resp
        .extensions()
        .get::<ResolvedVersion>()
        .map(|r| r.operation_id.clone());
    state.stats().count_request(status, operation.as_deref());
    tracing::debug!(%method, %path, status, elapsed_ms = started.elapsed().as_millis() as u64, "request");
    resp
}
