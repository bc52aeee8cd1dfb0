//! One module per API area: `routes()` (paths relative to `/api/atlas/v2`), thin handlers,
//! and pure backend functions over the [`Store`]. A new area is one module plus one line in
//! the `areas!` list below, and, when it keeps data, one field in [`ProjectChildren`]
//! (project-owned) or [`OrgTables`] (organization-level): the store itself
//! ([`crate::store`]) knows no area.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::roles::RoleAssignment;
use crate::store::{Tables, Tag};

use crate::openapi::API_PREFIX;
use crate::AppState;

pub mod collection;
pub mod singleton;

/// The areas that serve routes, one line each: declares the module and merges its `routes()`.
macro_rules! areas {
    ($($area:ident),* $(,)?) => {
        $(pub mod $area;)*

        pub fn routes() -> Router<AppState> {
            Router::new()$(.merge($area::routes()))*
        }
    };
}

areas! {
    orgs,
    projects,
    database_users,
    access_list,
    clusters,
    api_keys,
    service_accounts,
    maintenance_window,
    custom_db_roles,
}

/// The emulated world: the generic store with the areas' tables.
pub type Store = crate::store::Store<OrgTables>;
/// A project with everything it owns.
pub type Project = crate::store::Project<ProjectChildren>;

/// Organization-level tables (each a top-level field of the persisted store).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct OrgTables {
    /// Organization service accounts (OAuth client credentials).
    pub service_accounts: Vec<service_accounts::ServiceAccount>,
    /// Issued OAuth access tokens (hashed).
    pub access_tokens: Vec<crate::oauth::AccessToken>,
}

impl Tables for OrgTables {
    type Project = ProjectChildren;

    fn retain_roles(&mut self, keep: &dyn Fn(&RoleAssignment) -> bool) {
        for sa in &mut self.service_accounts {
            sa.roles.retain(keep);
        }
    }

    fn dump(&self, out: &mut serde_json::Map<String, Value>) {
        let accounts = self
            .service_accounts
            .iter()
            .map(|sa| {
                json!({"clientId": sa.client_id, "orgId": sa.org_id, "name": sa.name, "roles": sa.roles})
            })
            .collect();
        out.insert("serviceAccounts".into(), Value::Array(accounts));
    }
}

/// Everything a project owns, one field per area; `reset` and project deletion drop it with
/// the project. Fields added later need `#[serde(default)]` (older data dirs lack them).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProjectChildren {
    /// In creation order (lists return this order).
    pub database_users: Vec<database_users::DatabaseUser>,
    pub access_list: access_list::AccessList,
    /// In creation order; DELETING ones stay until their deletion finishes.
    pub clusters: Vec<clusters::Cluster>,
    #[serde(default)]
    pub maintenance_window: maintenance_window::MaintenanceWindow,
    #[serde(default)]
    pub custom_db_roles: Vec<custom_db_roles::CustomDbRole>,
}

impl ProjectChildren {
    /// Clusters that block deleting the project (`CANNOT_CLOSE_GROUP_ACTIVE_ATLAS_CLUSTERS`).
    pub fn active_cluster_count(&self) -> usize {
        clusters::count_active(&self.clusters, chrono::Utc::now())
    }
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

/// A success response with a typed body (declare its fields in alphabetical order: that is
/// the order `Value` maps, and so every other answer, list their keys).
pub fn respond_typed<T: Serialize>(status: StatusCode, body: &T) -> Response {
    (status, Json(body)).into_response()
}

/// A typed representation as a list item (pages hold `Value`s). Serializing plain structs
/// cannot fail; `Null` is never produced in practice.
pub fn item<T: Serialize>(body: &T) -> Value {
    serde_json::to_value(body).unwrap_or_default()
}

/// `{href, rel}` of a `links` array.
#[derive(Debug, Serialize)]
pub struct Link {
    pub href: String,
    pub rel: &'static str,
}

/// `links: [{href, rel: "self"}]`, typed.
pub fn self_link(base_url: &str, path: &str) -> [Link; 1] {
    [Link {
        href: api_url(base_url, path),
        rel: "self",
    }]
}

/// `{key, value}` of `tags` and `labels` as sent (both required, 1–255 characters each).
#[derive(Debug, Deserialize)]
pub struct TagBody {
    key: Option<String>,
    value: Option<String>,
}

/// Checks `tags` / `labels` items (`attr` names the array): a missing (or null) key or value
/// is `MISSING_ATTRIBUTE`, one outside 1–255 characters `INVALID_ATTRIBUTE`.
pub fn check_tags(items: Vec<TagBody>, attr: &str) -> Result<Vec<Tag>, ApiError> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let field = |v: Option<String>, name: &str| {
                let path = format!("{attr}[{i}].{name}");
                let s = v.ok_or_else(|| ApiError::missing_attribute(&path))?;
                if (1..=255).contains(&s.chars().count()) {
                    Ok(s)
                } else {
                    Err(ApiError::invalid_attribute(&path))
                }
            };
            Ok(Tag {
                key: field(item.key, "key")?,
                value: field(item.value, "value")?,
            })
        })
        .collect()
}
