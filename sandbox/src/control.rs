//! The control plane under `/_sandbox/` (moto's `/moto-api`) and `GET /healthz`: never
//! authenticated, never faulted, plain `application/json`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::extract::JsonObject;
use crate::faults::FaultSettings;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/_sandbox/stats", get(stats))
        .route("/_sandbox/reset", post(reset))
        .route("/_sandbox/state", get(state_dump))
        .route("/_sandbox/faults", get(get_faults).post(set_faults))
        .route(
            "/_sandbox/transitions/complete",
            post(crate::areas::clusters::complete_transitions_handler),
        )
}

/// Liveness for orchestrators and scripts: 200 with a small JSON body once the server
/// answers, whatever the fault settings.
async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok", "service": "atlas-sandbox", "version": env!("CARGO_PKG_VERSION")}))
}

/// `requests_total` counts every request served, this one excluded (it is counted after the
/// response is built).
async fn stats(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(state.stats().to_json())
}

/// Wipe all projects and what they own; the organization and the bootstrap key stay.
async fn reset(State(state): State<AppState>) -> Json<serde_json::Value> {
    let removed = state.store().reset();
    tracing::info!(projects_removed = removed, "sandbox reset");
    Json(json!({"reset": true, "projects_removed": removed}))
}

async fn state_dump(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(state.store().snapshot())
}

async fn get_faults(State(state): State<AppState>) -> Json<FaultSettings> {
    Json(state.faults().settings)
}

/// Body: any of `fail_rate`, `throttle_rate` (0..=1), `latency_ms`; omitted ones keep their
/// value.
async fn set_faults(State(state): State<AppState>, JsonObject(body): JsonObject) -> Response {
    let mut faults = state.faults();
    let mut merged = serde_json::to_value(faults.settings).unwrap_or_default();
    if let Some(obj) = merged.as_object_mut() {
        obj.extend(body);
    }
    let settings = match serde_json::from_value::<FaultSettings>(merged) {
        Ok(s) => s,
        Err(e) => return bad_request(&e.to_string()),
    };
    if let Err(msg) = settings.validate() {
        return bad_request(&msg);
    }
    faults.settings = settings;
    Json(settings).into_response()
}

fn bad_request(msg: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": msg}))).into_response()
}
