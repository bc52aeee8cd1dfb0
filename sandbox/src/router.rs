//! The app: the API (digest or bearer auth → faults → version negotiation → authorization →
//! areas) under `/api/atlas/v2`, OAuth under `/api/oauth`, the control plane under
//! `/_sandbox`, and a request counter around all.
//!
//! Each of those steps is a function the one API middleware ([`api_pipeline`]) calls in
//! order, rather than a middleware of its own: every `from_fn` layer clones the service
//! below it and boxes a future per request, which was a measurable share of a GET.

use std::time::Instant;

use axum::extract::{OriginalUri, Request, State};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::error::ApiError;
use crate::faults::Proceed;
use crate::openapi::API_PREFIX;
use crate::versions::ResolvedVersion;
use crate::{areas, auth, authz, control, faults, oauth, persist, versions, AppState};

pub fn build(state: AppState) -> Router {
    let api = areas::routes()
        .fallback(api_fallback)
        .method_not_allowed_fallback(api_fallback)
        .layer(from_fn_with_state(state.clone(), api_pipeline));
    Router::new()
        .nest(API_PREFIX, api)
        .merge(control::routes())
        .merge(oauth::routes())
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), count_and_commit))
        .with_state(state)
}

/// Every API request, in order:
/// 1. authentication ([`auth::authenticate`]): the 401 challenge or refusal, else the
///    [`auth::Caller`] as an extension;
/// 2. faults ([`faults::decide`]): added latency, then 429 / 5xx before anything happens, or
///    a 5xx after a write took effect;
/// 3. version negotiation ([`versions::resolve`]): 404/405/406/410, else the
///    [`ResolvedVersion`] as an extension (a path no spec operation matches skips this and
///    authorization: the router's 404);
/// 4. authorization ([`authz::authorize`]);
/// 5. the area's handler; its success answer gets the versioned Content-Type.
async fn api_pipeline(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    match auth::authenticate(&state, &req) {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
        }
        Err(resp) => return *resp,
    }
    let pending = faults::decide(&state, &req);
    let proceed = match pending.wait(&state).await {
        Ok(p) => p,
        Err(injected) => return injected,
    };
    let resp = match versions::resolve(&state, &req) {
        Err(resp) => *resp,
        Ok(None) => next.run(req).await,
        Ok(Some(resolution)) => {
            match authz::authorize(&state, &req, &resolution.resolved.operation_id) {
                Err(refused) => {
                    let mut resp = *refused;
                    resolution.stamp(&mut resp);
                    resp
                }
                Ok(()) => {
                    req.extensions_mut().insert(resolution.resolved.clone());
                    let mut resp = next.run(req).await;
                    resolution.stamp(&mut resp);
                    resp
                }
            }
        }
    };
    match proceed {
        Proceed::Pass => resp,
        Proceed::FailAfter(status) => faults::fail_after_write(status, resp),
    }
}

/// The full request path, also inside the nested API router (which strips the prefix).
pub fn original_path(req: &Request) -> String {
    original_path_str(req).to_string()
}

/// [`original_path`], borrowed.
pub fn original_path_str(req: &Request) -> &str {
    req.extensions()
        .get::<OriginalUri>()
        .map_or_else(|| req.uri().path(), |u| u.path())
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

/// Counts every request the server answers (challenges and control plane included), around
/// the commit of writes ([`persist::commit`]: with `--data-dir`, a write is committed before
/// any answer leaves, also when a fault replaces that answer).
async fn count_and_commit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(refused) = crate::extract::too_large(req.headers()) {
        state.stats().count_request(413, None);
        return refused.into_response();
    }
    // What the debug line needs, only when it is logged.
    let logged = tracing::enabled!(tracing::Level::DEBUG).then(|| {
        (
            req.method().clone(),
            req.uri().path().to_string(),
            Instant::now(),
        )
    });
    let resp = persist::commit(&state, req, next).await;
    let status = resp.status().as_u16();
    let operation = resp
        .extensions()
        .get::<ResolvedVersion>()
        .map(|r| &*r.operation_id);
    state.stats().count_request(status, operation);
    if let Some((method, path, started)) = logged {
        tracing::debug!(%method, %path, status, elapsed_ms = started.elapsed().as_millis() as u64, "request");
    }
    resp
}
