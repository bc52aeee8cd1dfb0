//! One module per API area: `routes()` (paths relative to `/api/atlas/v2`), thin handlers,
//! and pure backend functions over the [`Store`](crate::store::Store). A new area is one
//! module plus one `.merge(...)` line below.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::openapi::API_PREFIX;
use crate::AppState;

pub mod access_list;
pub mod api_keys;
pub mod clusters;
pub mod database_users;
pub mod maintenance_window;
pub mod orgs;
pub mod projects;
pub mod service_accounts;
pub mod singleton;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(orgs::routes())
        .merge(projects::routes())
        .merge(database_users::routes())
        .merge(access_list::routes())
        .merge(clusters::routes())
        .merge(api_keys::routes())
        .merge(service_accounts::routes())
        .merge(maintenance_window::routes())
}

/// A success response; the version layer replaces the Content-Type with the versioned one.
pub fn respond(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

/// The absolute URL of an API path (e.g. `/groups/{id}`).
pub fn api_url(base_url: &str, path: &str) -> String {
    format!("{base_url}{API_PREFIX}{path}")
}

/// `links: [{href, rel: "self"}]` for a resource.
pub fn self_links(base_url: &str, path: &str) -> Value {
    json!([{"href": api_url(base_url, path), "rel": "self"}])
}
