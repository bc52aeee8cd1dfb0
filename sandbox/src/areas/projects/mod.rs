//! Projects (`/groups`): list, create (201), get, get by name, update, delete (202 `{}`).
//!
//! Choices where the real API is unverified: names are unique per organization with an exact
//! (case-sensitive) comparison; unknown body fields are ignored; read-only fields (`id`,
//! `created`, `clusterCount`, `links`) on create are `ATTRIBUTE_READ_ONLY`;
//! `regionUsageRestrictions` is Atlas-for-Government only, so as in commercial Atlas it is
//! rejected when set and never returned; `projectOwnerId` is checked for shape only (the
//! sandbox has no users yet).

mod errors;

use std::sync::OnceLock;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Extension;
use axum::Router;
use chrono::{DateTime, Utc};
use regex::Regex;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{api_url, check_tags, item, respond, respond_typed, self_link, Link, TagBody};
use crate::areas::{Project, ProjectChildren, Store};
use crate::auth::Caller;
use crate::authz;
use crate::error::ApiError;
use crate::extract::{typed_value, ApiPath, JsonObject, Query};
use crate::pagination::ListParams;
use crate::store::{is_object_id, timestamp, Tag};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/groups", get(list_groups).post(create_group))
        .route(
            "/groups/{group_id}",
            get(get_group).patch(update_group).delete(delete_group),
        )
        .route("/groups/byName/{group_name}", get(get_group_by_name))
}

// ---- backend ----------------------------------------------------------------------------

/// Project and organization names. The spec's pattern is `^[\p{L}\p{N}\-_.(),:&@+']{1,64}$`,
/// but Atlas also accepts spaces (its default project is "Project 0"; the official provider's
/// examples create "Asymmetric Sharded Cluster", "Global Cluster", …): a deviation listed in
/// COVERAGE.md and in [`crate::openapi::ATLAS_PATTERNS`]. A leading or trailing space is
/// refused (unverified against Atlas; a name that differs from another only there would be
/// indistinguishable in the UI).
fn name_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(crate::openapi::ATLAS_NAME_PATTERN)
            .expect("invariant: the constant project-name pattern compiles")
    })
}

pub fn validate_name(name: &str) -> Result<(), ApiError> {
    if !name_pattern().is_match(name) || name.starts_with(' ') || name.ends_with(' ') {
        return Err(ApiError::invalid_group_name(name));
    }
    if name.contains("10gen-") || name.contains("-10gen") {
        return Err(ApiError::invalid_group_name_10gen(name));
    }
    Ok(())
}

/// A `Group` create body as sent (unknown attributes are ignored; null reads as absent).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    name: Option<String>,
    org_id: Option<String>,
    with_default_alerts_settings: Option<bool>,
    tags: Option<Vec<TagBody>>,
    /// Atlas for Government only: refused when set.
    region_usage_restrictions: Option<IgnoredAny>,
}

/// A `GroupUpdate` body as sent (unknown attributes are ignored).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateBody {
    name: Option<String>,
    tags: Option<Vec<TagBody>>,
    with_default_alerts_settings: Option<bool>,
}

/// A validated create request.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProject {
    pub name: String,
    pub org_id: String,
    pub with_default_alerts_settings: bool,
    pub tags: Vec<Tag>,
    pub owner_id: Option<String>,
}

const READ_ONLY_GROUP_FIELDS: &[&str] = &["id", "created", "clusterCount", "links"];

pub fn parse_create(
    body: &Map<String, Value>,
    owner_id: Option<String>,
) -> Result<NewProject, ApiError> {
    let body: CreateBody = typed_value(Value::Object(body.clone()), READ_ONLY_GROUP_FIELDS)?;
    if body.region_usage_restrictions.is_some() {
        return Err(ApiError::invalid_attribute("regionUsageRestrictions"));
    }
    let name = body
        .name
        .ok_or_else(|| ApiError::missing_attribute("name"))?;
    let org_id = body
        .org_id
        .ok_or_else(|| ApiError::missing_attribute("orgId"))?;
    let tags = check_tags(body.tags.unwrap_or_default(), "tags")?;
    validate_name(&name)?;
    Ok(NewProject {
        name,
        org_id,
        with_default_alerts_settings: body.with_default_alerts_settings.unwrap_or(true),
        tags,
        owner_id,
    })
}

/// A validated update request (`GroupUpdate`): absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectPatch {
    pub name: Option<String>,
    pub tags: Option<Vec<Tag>>,
    pub with_default_alerts_settings: Option<bool>,
}

pub fn parse_update(body: &Map<String, Value>) -> Result<ProjectPatch, ApiError> {
    let body: UpdateBody = typed_value(Value::Object(body.clone()), &[])?;
    if let Some(name) = &body.name {
        validate_name(name)?;
    }
    Ok(ProjectPatch {
        name: body.name,
        tags: body.tags.map(|t| check_tags(t, "tags")).transpose()?,
        with_default_alerts_settings: body.with_default_alerts_settings,
    })
}

fn check_group_id(group_id: &str) -> Result<(), ApiError> {
    if is_object_id(group_id) {
        Ok(())
    } else {
        Err(ApiError::invalid_group_id(group_id))
    }
}

pub fn find_project<'a>(store: &'a Store, group_id: &str) -> Result<&'a Project, ApiError> {
    check_group_id(group_id)?;
    store
        .project(group_id)
        .ok_or_else(|| ApiError::group_not_found(group_id))
}

pub fn find_project_by_name<'a>(store: &'a Store, name: &str) -> Result<&'a Project, ApiError> {
    store
        .projects
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| ApiError::group_name_not_found(name))
}

fn name_taken(store: &Store, org_id: &str, name: &str, except: Option<&str>) -> bool {
    store
        .projects
        .iter()
        .any(|p| p.org_id == org_id && p.name == name && Some(p.id.as_str()) != except)
}

pub fn create_project(
    store: &mut Store,
    new: NewProject,
    now: DateTime<Utc>,
) -> Result<Project, ApiError> {
    if !is_object_id(&new.org_id) {
        return Err(ApiError::invalid_org_id(&new.org_id));
    }
    if store.org(&new.org_id).is_none() {
        return Err(ApiError::org_not_found(&new.org_id));
    }
    if name_taken(store, &new.org_id, &new.name, None) {
        return Err(ApiError::group_already_exists(&new.name));
    }
    let project = Project {
        id: store.next_id(now),
        name: new.name,
        org_id: new.org_id,
        created: now,
        with_default_alerts_settings: new.with_default_alerts_settings,
        tags: new.tags,
        owner_id: new.owner_id,
        children: ProjectChildren::default(),
    };
    store.projects.push(project.clone());
    Ok(project)
}

pub fn update_project(
    store: &mut Store,
    group_id: &str,
    patch: ProjectPatch,
) -> Result<Project, ApiError> {
    let org_id = find_project(store, group_id)?.org_id.clone();
    if let Some(name) = &patch.name {
        if name_taken(store, &org_id, name, Some(group_id)) {
            return Err(ApiError::group_already_exists(name));
        }
    }
    let project = store
        .project_mut(group_id)
        .ok_or_else(|| ApiError::group_not_found(group_id))?;
    if let Some(name) = patch.name {
        project.name = name;
    }
    if let Some(tags) = patch.tags {
        project.tags = tags;
    }
    if let Some(flag) = patch.with_default_alerts_settings {
        project.with_default_alerts_settings = flag;
    }
    Ok(project.clone())
}

pub fn delete_project(store: &mut Store, group_id: &str) -> Result<(), ApiError> {
    let project = find_project(store, group_id)?;
    if project.children.active_cluster_count() > 0 {
        return Err(ApiError::cannot_close_group_active_atlas_clusters());
    }
    store.projects.retain(|p| p.id != group_id);
    store.forget_project_roles(Some(group_id));
    Ok(())
}

/// The `Group` representation, as a `Value` (for lists and pages).
pub fn group_json(p: &Project, base_url: &str) -> Value {
    item(&GroupBody::of(p, base_url))
}

/// The `Group` representation (fields in alphabetical order, as `Value` maps sort them).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GroupBody<'a> {
    cluster_count: usize,
    created: String,
    id: &'a str,
    links: [Link; 1],
    name: &'a str,
    org_id: &'a str,
    tags: &'a [Tag],
    with_default_alerts_settings: bool,
}

impl<'a> GroupBody<'a> {
    fn of(p: &'a Project, base_url: &str) -> Self {
        Self {
            cluster_count: p.children.active_cluster_count(),
            created: timestamp(p.created),
            id: &p.id,
            links: self_link(base_url, &format!("/groups/{}", p.id)),
            name: &p.name,
            org_id: &p.org_id,
            tags: &p.tags,
            with_default_alerts_settings: p.with_default_alerts_settings,
        }
    }
}

/// The empty object some answers carry.
#[derive(Serialize)]
struct Empty {}

// ---- handlers ---------------------------------------------------------------------------

/// Only the projects the caller may see (authz.rs).
async fn list_groups(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    let params = ListParams::from_query(&q)?;
    let base = state.base_url();
    let store = state.store();
    let roles = authz::caller_roles(&store, caller.as_deref());
    let items: Vec<Value> = store
        .projects
        .iter()
        .filter(|p| authz::can_see_project(roles, p))
        .map(|p| group_json(p, base))
        .collect();
    Ok(respond(
        StatusCode::OK,
        params.page(items, &api_url(base, "/groups")),
    ))
}

async fn create_group(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Query(q): Query,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let owner_id = match q.get("projectOwnerId") {
        Some(id) if !is_object_id(id) => {
            return Err(ApiError::invalid_query_parameter("projectOwnerId", id))
        }
        other => other.map(str::to_string),
    };
    let new = parse_create(&body, owner_id)?;
    let mut store = state.store();
    // Needs ORG_OWNER or ORG_GROUP_CREATOR in the body's organization (unknown orgs are
    // create_project's 404); the creator becomes GROUP_OWNER of the new project, as in Atlas.
    let caller = caller.map(|Extension(c)| c);
    if store.org(&new.org_id).is_some()
        && !authz::can_create_project(authz::caller_roles(&store, caller.as_ref()), &new.org_id)
    {
        return Err(ApiError::not_org_group_creator(&new.org_id));
    }
    let project = create_project(&mut store, new, Utc::now())?;
    if let Some(caller) = &caller {
        authz::grant_group_owner(&mut store, caller, &project.id);
    }
    drop(store);
    tracing::info!(group_id = %project.id, name = %project.name, "project created");
    Ok(respond_typed(
        StatusCode::CREATED,
        &GroupBody::of(&project, state.base_url()),
    ))
}

async fn get_group(
    State(state): State<AppState>,
    ApiPath(group_id): ApiPath<String>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let store = state.store_read();
    let project = find_project(&store, &group_id)?;
    Ok(respond_typed(
        StatusCode::OK,
        &GroupBody::of(project, state.base_url()),
    ))
}

async fn get_group_by_name(
    State(state): State<AppState>,
    ApiPath(group_name): ApiPath<String>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    if group_name.chars().count() > 64 {
        return Err(ApiError::invalid_path_parameter("groupName"));
    }
    let store = state.store_read();
    let project = find_project_by_name(&store, &group_name)?;
    Ok(respond_typed(
        StatusCode::OK,
        &GroupBody::of(project, state.base_url()),
    ))
}

async fn update_group(
    State(state): State<AppState>,
    ApiPath(group_id): ApiPath<String>,
    Query(q): Query,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    q.check_common()?;
    // Unknown/malformed ids answer 404 before the body is judged.
    find_project(&state.store(), &group_id)?;
    let patch = parse_update(&body)?;
    let project = update_project(&mut state.store(), &group_id, patch)?;
    Ok(respond_typed(
        StatusCode::OK,
        &GroupBody::of(&project, state.base_url()),
    ))
}

async fn delete_group(
    State(state): State<AppState>,
    ApiPath(group_id): ApiPath<String>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    delete_project(&mut state.store(), &group_id)?;
    tracing::info!(%group_id, "project deleted");
    // Observed: 202 with `{}` (the spec says 204).
    Ok(respond_typed(StatusCode::ACCEPTED, &Empty {}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn store() -> Store {
        Store::bootstrap("k", "p", Some(9), Utc::now())
    }

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    fn new_project(store: &Store, name: &str) -> NewProject {
        parse_create(
            &body(json!({"name": name, "orgId": store.orgs[0].id})),
            None,
        )
        .expect("valid")
    }

    fn create(s: &mut Store, name: &str) -> Result<Project, ApiError> {
        let new = new_project(s, name);
        create_project(s, new, Utc::now())
    }

    #[test]
    fn validate_name_follows_the_pattern_and_10gen_rule() {
        assert!(validate_name("my-proj_1.(a),b:c&d@e+f'g").is_ok());
        assert!(validate_name("Projét").is_ok());
        assert_eq!(
            validate_name("").expect_err("empty").code,
            "INVALID_GROUP_NAME"
        );
        // Atlas accepts spaces (a deviation from the spec's pattern).
        for ok in [
            "Project 0",
            "Asymmetric Sharded Cluster",
            "Global Cluster",
            "Multi-Cloud Cluster",
        ] {
            assert!(validate_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            " lead",
            "trail ",
            "tab\there",
            "new\nline",
            "nul\0",
            "del\u{7f}",
        ] {
            assert_eq!(
                validate_name(bad).expect_err(bad).code,
                "INVALID_GROUP_NAME",
                "{bad:?}"
            );
        }
        assert_eq!(
            validate_name(&"a".repeat(65)).expect_err("long").code,
            "INVALID_GROUP_NAME"
        );
        assert_eq!(
            validate_name("x-10gen").expect_err("10gen").code,
            "INVALID_GROUP_NAME_10GEN"
        );
    }

    #[test]
    fn parse_create_reports_missing_wrong_and_read_only_attributes() {
        let code = |v: Value| parse_create(&body(v), None).expect_err("invalid").code;
        assert_eq!(code(json!({"orgId": "x"})), "MISSING_ATTRIBUTE");
        assert_eq!(code(json!({"name": "p"})), "MISSING_ATTRIBUTE");
        assert_eq!(code(json!({"name": 5, "orgId": "x"})), "INVALID_ATTRIBUTE");
        assert_eq!(
            code(json!({"name": "p", "orgId": "x", "withDefaultAlertsSettings": "yes"})),
            "INVALID_ATTRIBUTE"
        );
        assert_eq!(
            code(json!({"name": "p", "orgId": "x", "id": "y"})),
            "ATTRIBUTE_READ_ONLY"
        );
        assert_eq!(
            code(json!({"name": "p", "orgId": "x", "tags": [{"key": "", "value": "v"}]})),
            "INVALID_ATTRIBUTE"
        );
        assert_eq!(
            code(json!({"name": "p", "orgId": "x", "tags": [{"key": "k"}]})),
            "MISSING_ATTRIBUTE"
        );
        assert_eq!(
            code(json!({"name": "p", "orgId": "x", "regionUsageRestrictions": "GOV_REGIONS_ONLY"})),
            "INVALID_ATTRIBUTE"
        );
        let ok = parse_create(
            &body(json!({"name": "p", "orgId": "x", "tags": null})),
            None,
        )
        .expect("valid");
        assert!(ok.with_default_alerts_settings);
        assert!(ok.tags.is_empty());
    }

    #[test]
    fn create_checks_org_and_unique_name() {
        let mut s = store();
        let p = create(&mut s, "a").expect("created");
        assert!(is_object_id(&p.id));
        let dup = create(&mut s, "a").expect_err("dup");
        assert_eq!(dup.code, "GROUP_ALREADY_EXISTS");
        assert_eq!(dup.status, StatusCode::CONFLICT);
        let mut n = new_project(&s, "b");
        n.org_id = "111111111111111111111111".into();
        assert_eq!(
            create_project(&mut s, n.clone(), Utc::now())
                .expect_err("org")
                .code,
            "ORG_NOT_FOUND"
        );
        n.org_id = "bad".into();
        assert_eq!(
            create_project(&mut s, n, Utc::now()).expect_err("org").code,
            "INVALID_ORG_ID"
        );
    }

    #[test]
    fn update_renames_and_rejects_taken_names() {
        let mut s = store();
        let a = create(&mut s, "a").expect("a");
        create(&mut s, "b").expect("b");
        let patch = parse_update(&body(json!({"name": "b"}))).expect("valid");
        assert_eq!(
            update_project(&mut s, &a.id, patch)
                .expect_err("taken")
                .code,
            "GROUP_ALREADY_EXISTS"
        );
        let patch = parse_update(&body(json!({"name": "a", "tags": [{"key": "k", "value": "v"}], "withDefaultAlertsSettings": false}))).expect("valid");
        let a2 = update_project(&mut s, &a.id, patch).expect("self-rename ok");
        assert_eq!(a2.tags.len(), 1);
        assert!(!a2.with_default_alerts_settings);
        let a3 = update_project(&mut s, &a.id, ProjectPatch::default()).expect("no-op");
        assert_eq!(a3.tags.len(), 1, "absent tags stay");
    }

    #[test]
    fn delete_then_lookups_fail() {
        let mut s = store();
        let a = create(&mut s, "a").expect("a");
        delete_project(&mut s, &a.id).expect("deleted");
        assert_eq!(
            find_project(&s, &a.id).expect_err("gone").code,
            "GROUP_NOT_FOUND"
        );
        assert_eq!(
            delete_project(&mut s, &a.id).expect_err("gone").code,
            "GROUP_NOT_FOUND"
        );
        assert_eq!(
            find_project(&s, "zzz").expect_err("bad").code,
            "INVALID_GROUP_ID"
        );
        assert_eq!(
            find_project_by_name(&s, "a").expect_err("gone").code,
            "GROUP_NAME_NOT_FOUND"
        );
    }

    #[test]
    fn group_json_has_the_required_fields_and_self_link() {
        let mut s = store();
        let a = create(&mut s, "a").expect("a");
        let v = group_json(&a, "http://127.0.0.1:1");
        assert_eq!(v["clusterCount"], json!(0));
        assert_eq!(v["tags"], json!([]));
        assert_eq!(
            v["links"][0]["href"],
            json!(format!("http://127.0.0.1:1/api/atlas/v2/groups/{}", a.id))
        );
        assert!(v["created"]
            .as_str()
            .is_some_and(|c| c.ends_with('Z') && c.len() == 20));
    }

    #[test]
    fn group_body_serializes_to_the_same_bytes_as_group_json() {
        let mut s = store();
        let mut a = create(&mut s, "a").expect("a");
        a.tags = vec![
            Tag {
                key: "k\"1".into(),
                value: "v".into(),
            },
            Tag {
                key: "a".into(),
                value: "é".into(),
            },
        ];
        a.with_default_alerts_settings = false;
        let base = "http://127.0.0.1:1";
        assert_eq!(
            serde_json::to_string(&GroupBody::of(&a, base)).expect("serializes"),
            serde_json::to_string(&group_json(&a, base)).expect("serializes")
        );
    }
}
