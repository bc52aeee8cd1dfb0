//! Custom database roles (`/groups/{groupId}/customDBRoles/roles`): list (a bare array, not
//! paginated), create (202), get, update (PATCH, 200), delete (204). Version 2023-01-01 only.
//! Stored with the project ([`crate::areas::ProjectChildren`]), so they persist and go with it.
//!
//! Validation (400s name the attribute's path, e.g. `actions[0].resources[1].db`):
//! * the body is typed: unknown attributes are `INVALID_ATTRIBUTE`, missing required ones
//!   (`roleName`; `action` and `resources` of an action; `cluster`, `collection` and `db` of a
//!   resource; `db` and `role` of an inherited role, as the spec requires) `MISSING_ATTRIBUTE`;
//! * `roleName`: ASCII letters, digits, `_` and `-`, starting with a letter or digit, else
//!   `ATLAS_CUSTOM_ROLE_INVALID_NAME`; the name of a built-in role is
//!   `ATLAS_INVALID_CUSTOM_ROLE_RESTRICTED`, an `xgen-` prefix
//!   `ATLAS_RESERVED_CUSTOM_ROLE_RESTRICTED`; an existing name 409
//!   `ATLAS_CUSTOM_ROLE_NAME_ALREADY_EXISTS`; more than [`MAX_ROLES_PER_PROJECT`] 403
//!   `CUSTOM_ROLES_LIMIT_EXCEEDED`;
//! * an action outside the spec's enum is `INVALID_ENUM_VALUE`; the same action twice
//!   `ATLAS_DUPLICATE_CUSTOM_ROLE_ACTION` (observed); an action without resources, or a
//!   collection holding `$` or NUL, `ATLAS_INVALID_RESOURCE`; the same resource twice in an action
//!   `ATLAS_DUPLICATE_CUSTOM_ROLE_RESOURCE`; an invalid database name (`/\. "$,`, NUL, over 64
//!   bytes) `INVALID_DATABASE_NAME` (observed for `,,,,,`); a cluster resource keeps no
//!   database or collection (Atlas ignores them);
//! * an inherited role must be a built-in role or a custom role of the project, else
//!   `ATLAS_INVALID_CUSTOM_ROLE_INHERITANCE` (400); a custom one must be on `admin`
//!   (`ATLAS_INVALID_CUSTOM_ROLE_INHERITED_SCOPE`); inheriting itself is
//!   `ATLAS_INVALID_CUSTOM_ROLE_SELF_REFERENTIAL`, a cycle
//!   `ATLAS_INVALID_CUSTOM_ROLE_CIRCULAR_DEPENDENCY`; the same pair twice `INVALID_ATTRIBUTE`
//!   (the spec's `uniqueItems`);
//! * a role without actions and inherited roles is `ATLAS_CUSTOM_ROLE_HAS_NO_PERMISSIONS`;
//! * an unknown role is 404 `ATLAS_CUSTOM_ROLE_NOT_FOUND`; deleting a role another role
//!   inherits, or a database user of the project holds, is 409
//!   `ATLAS_CUSTOM_ROLE_IN_USE_BY_ROLES` / `ATLAS_CUSTOM_ROLE_IN_USE_BY_USERS`.
//!
//! Choices where the real API is unverified: the codes above other than the two observed
//! ones; a PATCH replaces the arrays it carries and keeps the others; the create is applied
//! at once (Atlas answers 202 and applies it in the background); answers always carry both
//! arrays, empty ones included, and every resource all three of `cluster`, `collection`, `db`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::database_users::no_content;
use super::projects::find_project;
use super::respond_typed;
use super::singleton::typed_body;
use crate::areas::{Project, Store};
use crate::error::ApiError;
use crate::extract::{ApiPath, JsonObject, Query};
use crate::AppState;

/// Atlas's per-project limit.
pub const MAX_ROLES_PER_PROJECT: usize = 100;
const MAX_DATABASE_NAME_BYTES: usize = 64;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/groups/{group_id}/customDBRoles/roles",
            get(list_handler).post(create_handler),
        )
        .route(
            "/groups/{group_id}/customDBRoles/roles/{role_name}",
            get(get_handler)
                .patch(update_handler)
                .delete(delete_handler),
        )
}

// ---- stored model (also the answer's shape) ----------------------------------------------

/// A stored custom role; serialized as the API answers it (`UserCustomDBRole`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomDbRole {
    pub actions: Vec<PrivilegeAction>,
    pub inherited_roles: Vec<InheritedRole>,
    pub role_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivilegeAction {
    pub action: String,
    pub resources: Vec<Namespace>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Namespace {
    pub cluster: bool,
    pub collection: String,
    pub db: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InheritedRole {
    pub db: String,
    pub role: String,
}

// ---- request bodies ----------------------------------------------------------------------

/// POST body (`UserCustomDBRole`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateBody {
    role_name: String,
    #[serde(default)]
    actions: Option<Vec<ActionBody>>,
    #[serde(default)]
    inherited_roles: Option<Vec<InheritedRoleBody>>,
}

/// PATCH body (`UpdateCustomDBRole`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateBody {
    #[serde(default)]
    actions: Option<Vec<ActionBody>>,
    #[serde(default)]
    inherited_roles: Option<Vec<InheritedRoleBody>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionBody {
    action: String,
    resources: Vec<NamespaceBody>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NamespaceBody {
    cluster: bool,
    collection: String,
    db: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InheritedRoleBody {
    db: String,
    role: String,
}

// ---- errors --------------------------------------------------------------------------------

impl ApiError {
    pub fn custom_role_not_found(name: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ATLAS_CUSTOM_ROLE_NOT_FOUND",
            format!("The specified custom db role {name} does not exist."),
            vec![json!(name)],
        )
    }

    pub fn custom_role_name_already_exists(name: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "ATLAS_CUSTOM_ROLE_NAME_ALREADY_EXISTS",
            format!("A custom role with name {name} already exists."),
            vec![json!(name)],
        )
    }

    fn custom_role_bad_request(code: &'static str, detail: String, params: Vec<&str>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            code,
            detail,
            params.into_iter().map(|p| json!(p)).collect(),
        )
    }

    fn custom_role_in_use(code: &'static str, name: &str, by: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            code,
            format!("The custom role {name} cannot be deleted because it is in use by {by}."),
            vec![json!(name)],
        )
    }

    fn custom_roles_limit_exceeded(group_id: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "CUSTOM_ROLES_LIMIT_EXCEEDED",
            format!(
                "Group {group_id} has reached the limit of {MAX_ROLES_PER_PROJECT} custom roles."
            ),
            vec![json!(group_id), json!(MAX_ROLES_PER_PROJECT)],
        )
    }
}

// ---- validation ----------------------------------------------------------------------------

/// Built-in MongoDB roles a custom role may inherit (and whose names it may not take).
pub const BUILT_IN_ROLES: &[&str] = &[
    "atlasAdmin",
    "backup",
    "clusterAdmin",
    "clusterManager",
    "clusterMonitor",
    "dbAdmin",
    "dbAdminAnyDatabase",
    "dbOwner",
    "enableSharding",
    "hostManager",
    "read",
    "readAnyDatabase",
    "readWrite",
    "readWriteAnyDatabase",
    "restore",
    "root",
    "userAdmin",
    "userAdminAnyDatabase",
];

/// The spec's `DatabasePrivilegeAction.action` enum.
pub const ACTIONS: &[&str] = &[
    "FIND",
    "INSERT",
    "REMOVE",
    "UPDATE",
    "BYPASS_DOCUMENT_VALIDATION",
    "USE_UUID",
    "KILL_OP",
    "BYPASS_DEFAULT_MAX_TIME_MS",
    "CREATE_COLLECTION",
    "CREATE_INDEX",
    "DROP_COLLECTION",
    "ENABLE_PROFILER",
    "KILL_ANY_CURSOR",
    "ANALYZE",
    "CHANGE_STREAM",
    "COLL_MOD",
    "COMPACT",
    "CONVERT_TO_CAPPED",
    "DROP_DATABASE",
    "DROP_INDEX",
    "RE_INDEX",
    "RENAME_COLLECTION_SAME_DB",
    "SET_USER_WRITE_BLOCK",
    "BYPASS_USER_WRITE_BLOCK",
    "LIST_SESSIONS",
    "KILL_ANY_SESSION",
    "COLL_STATS",
    "CONN_POOL_STATS",
    "DB_HASH",
    "DB_STATS",
    "GET_CMD_LINE_OPTS",
    "GET_LOG",
    "GET_PARAMETER",
    "GET_SHARD_MAP",
    "HOST_INFO",
    "IN_PROG",
    "LIST_DATABASES",
    "LIST_COLLECTIONS",
    "LIST_INDEXES",
    "LIST_SHARDS",
    "NET_STAT",
    "REPL_SET_GET_CONFIG",
    "REPL_SET_GET_STATUS",
    "SERVER_STATUS",
    "VALIDATE",
    "SHARDING_STATE",
    "TOP",
    "SQL_GET_SCHEMA",
    "SQL_SET_SCHEMA",
    "VIEW_ALL_HISTORY",
    "OUT_TO_S3",
    "OUT_TO_AZURE",
    "OUT_TO_GCS",
    "STORAGE_GET_CONFIG",
    "STORAGE_SET_CONFIG",
    "FLUSH_ROUTER_CONFIG",
    "ENABLE_SHARDING",
    "CHECK_METADATA_CONSISTENCY",
    "MOVE_CHUNK",
    "SPLIT_CHUNK",
    "ANALYZE_SHARD_KEY",
    "REFINE_COLLECTION_SHARD_KEY",
    "CLEAR_JUMBO_FLAG",
    "RESHARD_COLLECTION",
    "SHARDED_DATA_DISTRIBUTION",
    "GET_STREAM_PROCESSOR",
    "CREATE_STREAM_PROCESSOR",
    "PROCESS_STREAM_PROCESSOR",
    "MODIFY_STREAM_PROCESSOR",
    "START_STREAM_PROCESSOR",
    "STOP_STREAM_PROCESSOR",
    "DROP_STREAM_PROCESSOR",
    "SAMPLE_STREAM_PROCESSOR",
    "LIST_STREAM_PROCESSORS",
    "LIST_CONNECTIONS",
    "STREAM_PROCESSOR_STATS",
    "CREATE_SEARCH_INDEX",
    "DROP_SEARCH_INDEX",
    "LIST_SEARCH_INDEXES",
    "UPDATE_SEARCH_INDEX",
];

fn check_role_name(name: &str) -> Result<(), ApiError> {
    let valid = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !valid {
        return Err(ApiError::custom_role_bad_request(
            "ATLAS_CUSTOM_ROLE_INVALID_NAME",
            format!("The custom role name {name} is invalid: use letters, digits, underscores and dashes."),
            vec![name],
        ));
    }
    if BUILT_IN_ROLES.contains(&name) {
        return Err(ApiError::custom_role_bad_request(
            "ATLAS_INVALID_CUSTOM_ROLE_RESTRICTED",
            format!("The custom role name {name} is the name of a built-in role."),
            vec![name],
        ));
    }
    if name.starts_with("xgen-") {
        return Err(ApiError::custom_role_bad_request(
            "ATLAS_RESERVED_CUSTOM_ROLE_RESTRICTED",
            format!("The custom role name {name} uses the reserved prefix xgen-."),
            vec![name],
        ));
    }
    Ok(())
}

fn check_database_name(db: &str) -> Result<(), ApiError> {
    let bad = db.len() > MAX_DATABASE_NAME_BYTES
        || db
            .chars()
            .any(|c| matches!(c, '/' | '\\' | '.' | ' ' | '"' | '$' | ',' | '\0'));
    if bad {
        return Err(ApiError::custom_role_bad_request(
            "INVALID_DATABASE_NAME",
            format!("Invalid database name specified: {db}."),
            vec![db],
        ));
    }
    Ok(())
}

fn parse_actions(items: Vec<ActionBody>) -> Result<Vec<PrivilegeAction>, ApiError> {
    let mut out: Vec<PrivilegeAction> = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        if !ACTIONS.contains(&item.action.as_str()) {
            return Err(ApiError::invalid_enum_value(
                &item.action,
                &format!("actions[{i}].action"),
            ));
        }
        if out.iter().any(|a| a.action == item.action) {
            return Err(ApiError::custom_role_bad_request(
                "ATLAS_DUPLICATE_CUSTOM_ROLE_ACTION",
                "A custom role cannot have duplicate actions.".into(),
                vec![],
            ));
        }
        if item.resources.is_empty() {
            return Err(ApiError::custom_role_bad_request(
                "ATLAS_INVALID_RESOURCE",
                format!(
                    "The action {} of a custom role needs at least one resource.",
                    item.action
                ),
                vec![&item.action],
            ));
        }
        let mut resources: Vec<Namespace> = Vec::with_capacity(item.resources.len());
        for r in item.resources {
            let ns = if r.cluster {
                Namespace {
                    cluster: true,
                    collection: String::new(),
                    db: String::new(),
                }
            } else {
                check_database_name(&r.db)?;
                if r.collection.contains(['$', '\0']) {
                    return Err(ApiError::custom_role_bad_request(
                        "ATLAS_INVALID_RESOURCE",
                        format!("Invalid collection name specified: {}.", r.collection),
                        vec![&r.collection],
                    ));
                }
                Namespace {
                    cluster: false,
                    collection: r.collection,
                    db: r.db,
                }
            };
            if resources.contains(&ns) {
                return Err(ApiError::custom_role_bad_request(
                    "ATLAS_DUPLICATE_CUSTOM_ROLE_RESOURCE",
                    "A custom role action cannot have duplicate resources.".into(),
                    vec![],
                ));
            }
            resources.push(ns);
        }
        out.push(PrivilegeAction {
            action: item.action,
            resources,
        });
    }
    Ok(out)
}

/// Checks inherited roles against the built-ins and the project's other roles (`own`: the
/// role being written, which may not be inherited, directly or through others).
fn parse_inherited(
    items: Vec<InheritedRoleBody>,
    own: &str,
    roles: &[CustomDbRole],
) -> Result<Vec<InheritedRole>, ApiError> {
    let mut out: Vec<InheritedRole> = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        check_database_name(&item.db)?;
        if item.role == own {
            return Err(ApiError::custom_role_bad_request(
                "ATLAS_INVALID_CUSTOM_ROLE_SELF_REFERENTIAL",
                format!("The custom role {own} cannot inherit itself."),
                vec![own],
            ));
        }
        if !BUILT_IN_ROLES.contains(&item.role.as_str()) {
            if !roles.iter().any(|r| r.role_name == item.role) {
                return Err(ApiError::custom_role_bad_request(
                    "ATLAS_INVALID_CUSTOM_ROLE_INHERITANCE",
                    format!(
                        "The inherited role {} is neither a built-in role nor a custom role of this project.",
                        item.role
                    ),
                    vec![&item.role],
                ));
            }
            if item.db != "admin" {
                return Err(ApiError::custom_role_bad_request(
                    "ATLAS_INVALID_CUSTOM_ROLE_INHERITED_SCOPE",
                    format!(
                        "The inherited custom role {} must be granted on the admin database.",
                        item.role
                    ),
                    vec![&item.role, &item.db],
                ));
            }
            if inherits(roles, &item.role, own) {
                return Err(ApiError::custom_role_bad_request(
                    "ATLAS_INVALID_CUSTOM_ROLE_CIRCULAR_DEPENDENCY",
                    format!("Inheriting {} from {own} would make a cycle.", item.role),
                    vec![own, &item.role],
                ));
            }
        }
        let role = InheritedRole {
            db: item.db,
            role: item.role,
        };
        if out.contains(&role) {
            return Err(ApiError::invalid_attribute(&format!("inheritedRoles[{i}]")));
        }
        out.push(role);
    }
    Ok(out)
}

/// Whether custom role `from` inherits `target`, directly or through other custom roles.
fn inherits(roles: &[CustomDbRole], from: &str, target: &str) -> bool {
    let mut seen: Vec<&str> = Vec::new();
    let mut todo = vec![from];
    while let Some(name) = todo.pop() {
        if name == target {
            return true;
        }
        if seen.contains(&name) {
            continue;
        }
        seen.push(name);
        if let Some(r) = roles.iter().find(|r| r.role_name == name) {
            todo.extend(r.inherited_roles.iter().map(|i| i.role.as_str()));
        }
    }
    false
}

fn has_permissions(role: &CustomDbRole) -> Result<(), ApiError> {
    if role.actions.is_empty() && role.inherited_roles.is_empty() {
        return Err(ApiError::custom_role_bad_request(
            "ATLAS_CUSTOM_ROLE_HAS_NO_PERMISSIONS",
            format!(
                "The custom role {} needs at least one action or inherited role.",
                role.role_name
            ),
            vec![&role.role_name],
        ));
    }
    Ok(())
}

fn decode<T: serde::de::DeserializeOwned>(
    body: serde_json::Map<String, serde_json::Value>,
) -> Result<T, ApiError> {
    let bytes = serde_json::to_vec(&body).map_err(|_| ApiError::invalid_json())?;
    typed_body(&bytes, &[])
}

// ---- store operations ----------------------------------------------------------------------

fn project_mut<'a>(store: &'a mut Store, group_id: &str) -> Result<&'a mut Project, ApiError> {
    find_project(store, group_id)?;
    store
        .project_mut(group_id)
        .ok_or_else(|| ApiError::group_not_found(group_id))
}

pub fn list_roles(store: &Store, group_id: &str) -> Result<Vec<CustomDbRole>, ApiError> {
    Ok(find_project(store, group_id)?
        .children
        .custom_db_roles
        .clone())
}

pub fn get_role(store: &Store, group_id: &str, name: &str) -> Result<CustomDbRole, ApiError> {
    find_project(store, group_id)?
        .children
        .custom_db_roles
        .iter()
        .find(|r| r.role_name == name)
        .cloned()
        .ok_or_else(|| ApiError::custom_role_not_found(name))
}

pub fn create_role(
    store: &mut Store,
    group_id: &str,
    body: CreateBody,
) -> Result<CustomDbRole, ApiError> {
    let roles = &mut project_mut(store, group_id)?.children.custom_db_roles;
    check_role_name(&body.role_name)?;
    if roles.iter().any(|r| r.role_name == body.role_name) {
        return Err(ApiError::custom_role_name_already_exists(&body.role_name));
    }
    let role = CustomDbRole {
        actions: parse_actions(body.actions.unwrap_or_default())?,
        inherited_roles: parse_inherited(
            body.inherited_roles.unwrap_or_default(),
            &body.role_name,
            roles,
        )?,
        role_name: body.role_name,
    };
    has_permissions(&role)?;
    if roles.len() >= MAX_ROLES_PER_PROJECT {
        return Err(ApiError::custom_roles_limit_exceeded(group_id));
    }
    roles.push(role.clone());
    Ok(role)
}

pub fn update_role(
    store: &mut Store,
    group_id: &str,
    name: &str,
    body: UpdateBody,
) -> Result<CustomDbRole, ApiError> {
    let roles = &mut project_mut(store, group_id)?.children.custom_db_roles;
    let i = roles
        .iter()
        .position(|r| r.role_name == name)
        .ok_or_else(|| ApiError::custom_role_not_found(name))?;
    let mut role = roles[i].clone();
    if let Some(actions) = body.actions {
        role.actions = parse_actions(actions)?;
    }
    if let Some(inherited) = body.inherited_roles {
        role.inherited_roles = parse_inherited(inherited, name, roles)?;
    }
    has_permissions(&role)?;
    roles[i] = role.clone();
    Ok(role)
}

pub fn delete_role(store: &mut Store, group_id: &str, name: &str) -> Result<(), ApiError> {
    let children = &mut project_mut(store, group_id)?.children;
    let i = children
        .custom_db_roles
        .iter()
        .position(|r| r.role_name == name)
        .ok_or_else(|| ApiError::custom_role_not_found(name))?;
    let by_roles = children
        .custom_db_roles
        .iter()
        .any(|r| r.inherited_roles.iter().any(|ir| ir.role == name));
    if by_roles {
        return Err(ApiError::custom_role_in_use(
            "ATLAS_CUSTOM_ROLE_IN_USE_BY_ROLES",
            name,
            "other custom roles",
        ));
    }
    let by_users = children
        .database_users
        .iter()
        .any(|u| u.roles.iter().any(|r| r.role_name == name));
    if by_users {
        return Err(ApiError::custom_role_in_use(
            "ATLAS_CUSTOM_ROLE_IN_USE_BY_USERS",
            name,
            "database users",
        ));
    }
    children.custom_db_roles.remove(i);
    Ok(())
}

// ---- handlers ------------------------------------------------------------------------------

async fn list_handler(
    State(state): State<AppState>,
    ApiPath(group_id): ApiPath<String>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let roles = list_roles(&state.store(), &group_id)?;
    Ok(respond_typed(StatusCode::OK, &roles))
}

async fn create_handler(
    State(state): State<AppState>,
    ApiPath(group_id): ApiPath<String>,
    Query(q): Query,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    q.check_common()?;
    // Unknown/malformed project ids answer 404 before the body is judged.
    find_project(&state.store(), &group_id)?;
    let body: CreateBody = decode(body)?;
    let role = create_role(&mut state.store(), &group_id, body)?;
    tracing::info!(%group_id, role = %role.role_name, "custom db role created");
    Ok(respond_typed(StatusCode::ACCEPTED, &role))
}

async fn get_handler(
    State(state): State<AppState>,
    ApiPath((group_id, name)): ApiPath<(String, String)>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let role = get_role(&state.store(), &group_id, &name)?;
    Ok(respond_typed(StatusCode::OK, &role))
}

async fn update_handler(
    State(state): State<AppState>,
    ApiPath((group_id, name)): ApiPath<(String, String)>,
    Query(q): Query,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    q.check_common()?;
    get_role(&state.store(), &group_id, &name)?;
    let body: UpdateBody = decode(body)?;
    let role = update_role(&mut state.store(), &group_id, &name, body)?;
    Ok(respond_typed(StatusCode::OK, &role))
}

async fn delete_handler(
    State(state): State<AppState>,
    ApiPath((group_id, name)): ApiPath<(String, String)>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    delete_role(&mut state.store(), &group_id, &name)?;
    tracing::info!(%group_id, role = %name, "custom db role deleted");
    Ok(no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with_project() -> (Store, String) {
        let now = chrono::Utc::now();
        let mut store = Store::bootstrap("pub", "private-key-0000", Some(1), now);
        let id = store.ids.next_id(now);
        store.projects.push(Project {
            id: id.clone(),
            name: "p".into(),
            org_id: store.orgs[0].id.clone(),
            created: now,
            with_default_alerts_settings: true,
            tags: Vec::new(),
            owner_id: None,
            children: Default::default(),
        });
        (store, id)
    }

    fn create(
        store: &mut Store,
        gid: &str,
        body: serde_json::Value,
    ) -> Result<CustomDbRole, ApiError> {
        let body = decode(body.as_object().cloned().unwrap_or_default())?;
        create_role(store, gid, body)
    }

    fn find(name: &str) -> serde_json::Value {
        json!({"roleName": name, "actions": [{"action": "FIND", "resources": [{"cluster": false, "collection": "", "db": "app"}]}]})
    }

    fn err(r: Result<CustomDbRole, ApiError>) -> (&'static str, String) {
        let e = r.expect_err("refused");
        let first = e
            .parameters
            .first()
            .and_then(|p| p.as_str())
            .unwrap_or_default()
            .to_string();
        (e.code, first)
    }

    #[test]
    fn create_get_update_delete() {
        let (mut store, gid) = store_with_project();
        let role = create(&mut store, &gid, find("r1")).expect("created");
        assert_eq!(get_role(&store, &gid, "r1").expect("found"), role);
        let v = serde_json::to_value(&role).unwrap_or_default();
        assert_eq!(
            v,
            json!({"actions": [{"action": "FIND", "resources": [{"cluster": false, "collection": "", "db": "app"}]}], "inheritedRoles": [], "roleName": "r1"})
        );
        let patch: UpdateBody = decode(
            json!({"inheritedRoles": [{"db": "app", "role": "read"}]})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        )
        .expect("valid");
        let role = update_role(&mut store, &gid, "r1", patch).expect("updated");
        assert_eq!(role.actions.len(), 1, "absent actions are kept");
        assert_eq!(role.inherited_roles.len(), 1);
        delete_role(&mut store, &gid, "r1").expect("deleted");
        assert_eq!(
            get_role(&store, &gid, "r1").expect_err("gone").code,
            "ATLAS_CUSTOM_ROLE_NOT_FOUND"
        );
    }

    #[test]
    fn validation_names_the_rule() {
        let (mut store, gid) = store_with_project();
        let mut s = |b: serde_json::Value| err(create(&mut store, &gid, b));
        assert_eq!(
            s(json!({"actions": []})),
            ("MISSING_ATTRIBUTE", "roleName".into())
        );
        assert_eq!(
            s(
                json!({"roleName": "x", "actions": [{"action": "FIND", "resources": [{"cluster": false, "db": "a"}]}]})
            ),
            (
                "MISSING_ATTRIBUTE",
                "actions[0].resources[0].collection".into()
            )
        );
        assert_eq!(
            s(json!({"roleName": "x", "colour": 1})),
            ("INVALID_ATTRIBUTE", "colour".into())
        );
        assert_eq!(
            s(json!({"roleName": "x", "actions": [{"action": "FLY", "resources": []}]})),
            ("INVALID_ENUM_VALUE", "FLY".into())
        );
        assert_eq!(
            s(json!({"roleName": "x"})).0,
            "ATLAS_CUSTOM_ROLE_HAS_NO_PERMISSIONS"
        );
        assert_eq!(s(find("bad name")).0, "ATLAS_CUSTOM_ROLE_INVALID_NAME");
        assert_eq!(s(find("-x")).0, "ATLAS_CUSTOM_ROLE_INVALID_NAME");
        assert_eq!(
            s(find("readWrite")).0,
            "ATLAS_INVALID_CUSTOM_ROLE_RESTRICTED"
        );
        assert_eq!(s(find("xgen-a")).0, "ATLAS_RESERVED_CUSTOM_ROLE_RESTRICTED");
        assert_eq!(
            s(json!({"roleName": "x", "actions": [
                {"action": "FIND", "resources": [{"cluster": false, "collection": "", "db": "a"}]},
                {"action": "FIND", "resources": [{"cluster": false, "collection": "", "db": "b"}]}]})).0,
            "ATLAS_DUPLICATE_CUSTOM_ROLE_ACTION"
        );
        assert_eq!(
            s(json!({"roleName": "x", "actions": [{"action": "FIND", "resources": [{"cluster": false, "collection": "", "db": ",,,"}]}]})).0,
            "INVALID_DATABASE_NAME"
        );
        assert_eq!(
            s(json!({"roleName": "x", "inheritedRoles": [{"db": "admin", "role": "nope"}]})).0,
            "ATLAS_INVALID_CUSTOM_ROLE_INHERITANCE"
        );
        assert!(store
            .project(&gid)
            .is_some_and(|p| p.children.custom_db_roles.is_empty()));
    }

    #[test]
    fn inheritance_duplicates_and_deletes_in_use() {
        let (mut store, gid) = store_with_project();
        create(&mut store, &gid, find("base")).expect("created");
        assert_eq!(
            err(create(&mut store, &gid, find("base"))).0,
            "ATLAS_CUSTOM_ROLE_NAME_ALREADY_EXISTS"
        );
        create(
            &mut store,
            &gid,
            json!({"roleName": "child", "inheritedRoles": [{"db": "admin", "role": "base"}]}),
        )
        .expect("inherits an existing role");
        assert_eq!(
            err(create(
                &mut store,
                &gid,
                json!({"roleName": "c2", "inheritedRoles": [{"db": "app", "role": "base"}]})
            ))
            .0,
            "ATLAS_INVALID_CUSTOM_ROLE_INHERITED_SCOPE"
        );
        let cycle: UpdateBody = decode(
            json!({"inheritedRoles": [{"db": "admin", "role": "child"}]})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        )
        .expect("valid");
        assert_eq!(
            update_role(&mut store, &gid, "base", cycle)
                .expect_err("cycle")
                .code,
            "ATLAS_INVALID_CUSTOM_ROLE_CIRCULAR_DEPENDENCY"
        );
        assert_eq!(
            delete_role(&mut store, &gid, "base")
                .expect_err("in use")
                .code,
            "ATLAS_CUSTOM_ROLE_IN_USE_BY_ROLES"
        );
        delete_role(&mut store, &gid, "child").expect("deleted");
        delete_role(&mut store, &gid, "base").expect("deleted");
    }
}
