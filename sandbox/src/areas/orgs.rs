//! Organizations: `GET /orgs`, `GET /orgs/{orgId}`, `GET /orgs/{orgId}/groups`.
//! The sandbox has the one bootstrapped organization; it is not created or deleted via the API.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Extension;
use axum::Router;
use serde_json::{json, Value};

use super::{api_url, respond, self_links};
use crate::areas::projects::group_json;
use crate::areas::Store;
use crate::auth::Caller;
use crate::authz;
use crate::error::ApiError;
use crate::extract::{ApiPath, Query};
use crate::pagination::ListParams;
use crate::store::{is_object_id, Organization};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(list_orgs))
        .route("/orgs/{org_id}", get(get_org))
        .route("/orgs/{org_id}/groups", get(get_org_groups))
}

// ---- backend ----------------------------------------------------------------------------

pub fn org_json(org: &Organization, base_url: &str) -> Value {
    json!({
        "id": org.id,
        "isDeleted": false,
        "links": self_links(base_url, &format!("/orgs/{}", org.id)),
        "name": org.name,
        "skipDefaultAlertsSettings": org.skip_default_alerts_settings,
    })
}

/// Case-insensitive "starts with", as the spec describes the `name` filters.
pub fn name_matches(name: &str, filter: Option<&str>) -> bool {
    filter.is_none_or(|f| name.to_lowercase().starts_with(&f.to_lowercase()))
}

pub fn find_org<'a>(store: &'a Store, org_id: &str) -> Result<&'a Organization, ApiError> {
    if !is_object_id(org_id) {
        return Err(ApiError::invalid_org_id(org_id));
    }
    store
        .org(org_id)
        .ok_or_else(|| ApiError::org_not_found(org_id))
}

// ---- handlers ---------------------------------------------------------------------------

/// Only the organizations the caller belongs to (authz.rs).
async fn list_orgs(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    let params = ListParams::from_query(&q)?;
    let base = state.base_url();
    let store = state.store();
    let roles = authz::caller_roles(&store, caller.as_deref());
    let items: Vec<Value> = store
        .orgs
        .iter()
        .filter(|o| authz::in_org(&store, roles, &o.id))
        .filter(|o| name_matches(&o.name, q.get("name")))
        .map(|o| org_json(o, base))
        .collect();
    Ok(respond(
        StatusCode::OK,
        params.page(items, &api_url(base, "/orgs")),
    ))
}

async fn get_org(
    State(state): State<AppState>,
    ApiPath(org_id): ApiPath<String>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let store = state.store();
    let org = find_org(&store, &org_id)?;
    Ok(respond(StatusCode::OK, org_json(org, state.base_url())))
}

async fn get_org_groups(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    ApiPath(org_id): ApiPath<String>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    let params = ListParams::from_query(&q)?;
    let base = state.base_url();
    let store = state.store();
    find_org(&store, &org_id)?;
    let roles = authz::caller_roles(&store, caller.as_deref());
    let items: Vec<Value> = store
        .projects
        .iter()
        .filter(|p| authz::can_see_project(roles, p))
        .filter(|p| p.org_id == org_id && name_matches(&p.name, q.get("name")))
        .map(|p| group_json(p, base))
        .collect();
    let href = api_url(base, &format!("/orgs/{org_id}/groups"));
    Ok(respond(StatusCode::OK, params.page(items, &href)))
}

// ---- errors ------------------------------------------------------------------------------

impl ApiError {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn find_org_distinguishes_malformed_and_unknown_ids() {
        let store = Store::bootstrap("k", "p", Some(3), Utc::now());
        assert_eq!(
            find_org(&store, "nope").expect_err("bad").code,
            "INVALID_ORG_ID"
        );
        assert_eq!(
            find_org(&store, "111111111111111111111111")
                .expect_err("unknown")
                .code,
            "ORG_NOT_FOUND"
        );
        let id = store.orgs[0].id.clone();
        assert_eq!(find_org(&store, &id).expect("exists").id, id);
    }

    #[test]
    fn name_filter_is_case_insensitive_prefix() {
        assert!(name_matches("Atlas-Sandbox", Some("atlas")));
        assert!(!name_matches("Atlas-Sandbox", Some("sandbox")));
        assert!(name_matches("x", None));
    }
}
