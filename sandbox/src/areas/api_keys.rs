//! Programmatic API keys (`ApiKeyUserDetails`, version 2023-01-01).
//!
//! * Organization: `GET|POST /orgs/{orgId}/apiKeys`, `GET|PATCH|DELETE
//!   /orgs/{orgId}/apiKeys/{apiUserId}`.
//! * Project: `GET|POST /groups/{groupId}/apiKeys` (list the project's keys / create a key in
//!   the project's organization with project roles), `POST|PATCH|DELETE
//!   /groups/{groupId}/apiKeys/{apiUserId}` (assign an organization key to the project with
//!   roles → 204 / replace its project roles → 200 / remove it from the project → 204).
//!
//! Keys: `id` 24-hex, `publicKey` 8 lower-case letters, `privateKey` a UUID shown only in the
//! create response (later reads: `********-****-****-<last 12>`); only the digest HA1 is kept.
//! `roles` lists every organization and project role of the key.
//!
//! Rules and codes: `desc` missing/empty → 400 `API_KEY_REQUIRES_DESCRIPTION`, not a string or
//! over 250 characters → 400 `INVALID_API_KEY_DESC`; `roles` missing/empty on create or assign
//! → 400 `MISSING_API_KEY_ROLES`; a role outside the organization/project list → 400
//! `INVALID_ROLE_FOR_ORG` / `INVALID_ROLE_FOR_GROUP`. Unverified choices: an unknown key (or
//! one of another organization, or not in the project for the project PATCH/DELETE) → **404**
//! `API_KEY_NOT_FOUND` (the old error catalogue says 400; clients treat the code as "gone"); a
//! key created through a project also gets `ORG_MEMBER` in the organization; PATCH with
//! `roles: []` → `MISSING_API_KEY_ROLES`; the access-list endpoints are not emulated (501).
//! The project PATCH changes a key's `desc` only for an Organization Owner caller or a key
//! with no organization role above `ORG_MEMBER`; otherwise 401 `USER_UNAUTHORIZED`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Extension;
use axum::Router;
use chrono::Utc;
use rand::Rng;
use serde_json::{json, Map, Value};

use super::{api_url, respond, self_links};
use crate::areas::orgs::find_org;
use crate::areas::projects::find_project;
use crate::areas::Store;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{parse_object, ApiPath, JsonObject, Query};
use crate::pagination::ListParams;
use crate::roles::{self, RoleAssignment, ORG_MEMBER};
use crate::store::ApiKey;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/orgs/{org_id}/apiKeys",
            get(list_org_keys).post(create_org_key),
        )
        .route(
            "/orgs/{org_id}/apiKeys/{api_user_id}",
            get(get_org_key)
                .patch(update_org_key)
                .delete(delete_org_key),
        )
        .route(
            "/groups/{group_id}/apiKeys",
            get(list_group_keys).post(create_group_key),
        )
        .route(
            "/groups/{group_id}/apiKeys/{api_user_id}",
            post(add_group_key)
                .patch(update_group_key)
                .delete(remove_group_key),
        )
}

// ---- backend ----------------------------------------------------------------------------

/// `ApiKeyUserDetails`; `private_key` only in the create response.
pub fn key_json(key: &ApiKey, base_url: &str, private_key: Option<&str>) -> Value {
    json!({
        "desc": key.desc,
        "id": key.id,
        "links": self_links(base_url, &format!("/orgs/{}/apiKeys/{}", key.org_id, key.id)),
        "privateKey": private_key.map_or_else(|| key.redacted_private_key(), str::to_string),
        "publicKey": key.public_key,
        "roles": key.roles.iter().map(RoleAssignment::to_json).collect::<Vec<_>>(),
    })
}

/// `desc`: required on create (`required`), optional on update.
fn parse_desc(body: &Map<String, Value>, required: bool) -> Result<Option<String>, ApiError> {
    match body.get("desc") {
        None | Some(Value::Null) if required => Err(ApiError::api_key_requires_description()),
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => {
            Err(ApiError::api_key_requires_description())
        }
        Some(Value::String(s)) if s.chars().count() <= 250 => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::invalid_api_key_desc()),
    }
}

/// Which role list a body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleKind {
    Org,
    Group,
}

/// `roles`: `None` when absent; an empty list is `MISSING_API_KEY_ROLES`.
pub fn parse_roles(value: Option<&Value>, kind: RoleKind) -> Result<Option<Vec<String>>, ApiError> {
    let items = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(ApiError::invalid_attribute("roles")),
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let name = item.as_str().unwrap_or_default();
        let ok = match kind {
            RoleKind::Org => roles::is_org_role(name),
            RoleKind::Group => roles::is_group_role(name),
        };
        if !ok {
            let shown = item
                .as_str()
                .map_or_else(|| item.to_string(), str::to_string);
            return Err(match kind {
                RoleKind::Org => ApiError::invalid_role_for_org(&shown),
                RoleKind::Group => ApiError::invalid_role_for_group(&shown),
            });
        }
        out.push(name.to_string());
    }
    if out.is_empty() {
        return Err(ApiError::missing_api_key_roles());
    }
    Ok(Some(roles::dedup(out)))
}

/// A validated create body: `(desc, roles)`.
pub fn parse_create(
    body: &Map<String, Value>,
    kind: RoleKind,
) -> Result<(String, Vec<String>), ApiError> {
    let desc = parse_desc(body, true)?.unwrap_or_default();
    let roles =
        parse_roles(body.get("roles"), kind)?.ok_or_else(ApiError::missing_api_key_roles)?;
    Ok((desc, roles))
}

const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";

fn new_public_key(store: &Store) -> String {
    let mut rng = rand::rng();
    loop {
        let k: String = (0..8)
            .map(|_| LOWER[rng.random_range(0..LOWER.len())] as char)
            .collect();
        if store.api_key_by_public(&k).is_none() {
            return k;
        }
    }
}

fn new_private_key() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// Create a key in `org_id`; returns it with its plaintext private key (never stored).
pub fn create_key(
    store: &mut Store,
    org_id: &str,
    desc: String,
    roles: Vec<RoleAssignment>,
) -> (ApiKey, String) {
    let private_key = new_private_key();
    let key = ApiKey::new(
        store.next_id(Utc::now()),
        org_id.to_string(),
        new_public_key(store),
        &private_key,
        desc,
        roles,
    );
    store.api_keys.push(key.clone());
    (key, private_key)
}

fn find_key<'a>(store: &'a mut Store, org_id: &str, id: &str) -> Result<&'a mut ApiKey, ApiError> {
    store
        .api_keys
        .iter_mut()
        .find(|k| k.id == id && k.org_id == org_id)
        .ok_or_else(|| ApiError::api_key_not_found(id))
}

fn in_group(key: &ApiKey, group_id: &str) -> bool {
    roles::group_roles(&key.roles, group_id).next().is_some()
}

/// `addGroupApiKey` body: an array of `{roles: [...]}` (all roles are merged).
pub fn parse_assignment(bytes: &[u8]) -> Result<Vec<String>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid_json());
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|_| ApiError::malformed_json())?;
    let items = match value {
        Value::Array(items) => items,
        // Lenient: a single object is taken as a one-element array.
        Value::Object(_) => vec![value],
        _ => return Err(ApiError::invalid_json()),
    };
    let mut all = Vec::new();
    for item in &items {
        let Some(obj) = item.as_object() else {
            return Err(ApiError::invalid_json());
        };
        if let Some(r) = parse_roles(obj.get("roles"), RoleKind::Group)? {
            all.extend(r);
        }
    }
    if all.is_empty() {
        return Err(ApiError::missing_api_key_roles());
    }
    Ok(roles::dedup(all))
}

// ---- handlers: organization keys ----------------------------------------------------------

async fn list_org_keys(
    State(state): State<AppState>,
    ApiPath(org_id): ApiPath<String>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    let params = ListParams::from_query(&q)?;
    let base = state.base_url();
    let store = state.store();
    find_org(&store, &org_id)?;
    let items: Vec<Value> = store
        .api_keys
        .iter()
        .filter(|k| k.org_id == org_id)
        .map(|k| key_json(k, base, None))
        .collect();
    let href = api_url(base, &format!("/orgs/{org_id}/apiKeys"));
    Ok(respond(StatusCode::OK, params.page(items, &href)))
}

async fn create_org_key(
    State(state): State<AppState>,
    ApiPath(org_id): ApiPath<String>,
    Query(q): Query,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let mut store = state.store();
    find_org(&store, &org_id)?;
    let (desc, role_names) = parse_create(&body, RoleKind::Org)?;
    let assignments = role_names
        .iter()
        .map(|r| RoleAssignment::org(&org_id, r))
        .collect();
    let (key, private_key) = create_key(&mut store, &org_id, desc, assignments);
    tracing::info!(key_id = %key.id, public_key = %key.public_key, "organization API key created");
    Ok(respond(
        StatusCode::OK,
        key_json(&key, state.base_url(), Some(&private_key)),
    ))
}

async fn get_org_key(
    State(state): State<AppState>,
    ApiPath((org_id, key_id)): ApiPath<(String, String)>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let mut store = state.store();
    find_org(&store, &org_id)?;
    let key = find_key(&mut store, &org_id, &key_id)?;
    Ok(respond(
        StatusCode::OK,
        key_json(key, state.base_url(), None),
    ))
}

async fn update_org_key(
    State(state): State<AppState>,
    ApiPath((org_id, key_id)): ApiPath<(String, String)>,
    Query(q): Query,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let mut store = state.store();
    find_org(&store, &org_id)?;
    find_key(&mut store, &org_id, &key_id)?;
    let desc = parse_desc(&body, false)?;
    let role_names = parse_roles(body.get("roles"), RoleKind::Org)?;
    let key = find_key(&mut store, &org_id, &key_id)?;
    if let Some(desc) = desc {
        key.desc = desc;
    }
    if let Some(role_names) = role_names {
        roles::set_org_roles(&mut key.roles, &org_id, &role_names);
    }
    Ok(respond(
        StatusCode::OK,
        key_json(key, state.base_url(), None),
    ))
}

async fn delete_org_key(
    State(state): State<AppState>,
    ApiPath((org_id, key_id)): ApiPath<(String, String)>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let mut store = state.store();
    find_org(&store, &org_id)?;
    find_key(&mut store, &org_id, &key_id)?;
    store
        .api_keys
        .retain(|k| !(k.id == key_id && k.org_id == org_id));
    tracing::info!(%key_id, "organization API key deleted");
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---- handlers: project keys ----------------------------------------------------------------

async fn list_group_keys(
    State(state): State<AppState>,
    ApiPath(group_id): ApiPath<String>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    let params = ListParams::from_query(&q)?;
    let base = state.base_url();
    let store = state.store();
    find_project(&store, &group_id)?;
    let items: Vec<Value> = store
        .api_keys
        .iter()
        .filter(|k| in_group(k, &group_id))
        .map(|k| key_json(k, base, None))
        .collect();
    let href = api_url(base, &format!("/groups/{group_id}/apiKeys"));
    Ok(respond(StatusCode::OK, params.page(items, &href)))
}

async fn create_group_key(
    State(state): State<AppState>,
    ApiPath(group_id): ApiPath<String>,
    Query(q): Query,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let mut store = state.store();
    let org_id = find_project(&store, &group_id)?.org_id.clone();
    let (desc, role_names) = parse_create(&body, RoleKind::Group)?;
    let mut assignments = vec![RoleAssignment::org(&org_id, ORG_MEMBER)];
    assignments.extend(
        role_names
            .iter()
            .map(|r| RoleAssignment::group(&group_id, r)),
    );
    let (key, private_key) = create_key(&mut store, &org_id, desc, assignments);
    tracing::info!(key_id = %key.id, public_key = %key.public_key, %group_id, "project API key created");
    Ok(respond(
        StatusCode::OK,
        key_json(&key, state.base_url(), Some(&private_key)),
    ))
}

async fn add_group_key(
    State(state): State<AppState>,
    ApiPath((group_id, key_id)): ApiPath<(String, String)>,
    Query(q): Query,
    body: Bytes,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let mut store = state.store();
    let org_id = find_project(&store, &group_id)?.org_id.clone();
    find_key(&mut store, &org_id, &key_id)?;
    let role_names = parse_assignment(&body)?;
    let key = find_key(&mut store, &org_id, &key_id)?;
    roles::set_group_roles(&mut key.roles, &group_id, &role_names);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Through the project endpoint, the caller may change the description (an organization-level
/// attribute) only of keys that hold no organization role above `ORG_MEMBER`, unless it is
/// an Organization Owner itself: a project owner must not rewrite an organization owner's key.
fn may_change_desc(store: &Store, caller: Option<&Caller>, key: &ApiKey, org_id: &str) -> bool {
    let caller_is_org_owner = roles::org_roles(crate::authz::caller_roles(store, caller), org_id)
        .any(|r| r == roles::ORG_OWNER);
    caller_is_org_owner || roles::org_roles(&key.roles, org_id).all(|r| r == ORG_MEMBER)
}

async fn update_group_key(
    State(state): State<AppState>,
    ApiPath((group_id, key_id)): ApiPath<(String, String)>,
    Query(q): Query,
    caller: Option<Extension<Caller>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let mut store = state.store();
    let org_id = find_project(&store, &group_id)?.org_id.clone();
    let key = find_key(&mut store, &org_id, &key_id)?;
    if !in_group(key, &group_id) {
        return Err(ApiError::api_key_not_found(&key_id));
    }
    let body = parse_object(&body)?;
    let desc = parse_desc(&body, false)?;
    let role_names = parse_roles(body.get("roles"), RoleKind::Group)?;
    let caller = caller.map(|Extension(c)| c);
    if desc.as_ref().is_some_and(|d| *d != key.desc) {
        let key = key.clone();
        if !may_change_desc(&store, caller.as_ref(), &key, &org_id) {
            return Err(ApiError::user_unauthorized());
        }
    }
    let key = find_key(&mut store, &org_id, &key_id)?;
    if let Some(desc) = desc {
        key.desc = desc;
    }
    if let Some(role_names) = role_names {
        roles::set_group_roles(&mut key.roles, &group_id, &role_names);
    }
    Ok(respond(
        StatusCode::OK,
        key_json(key, state.base_url(), None),
    ))
}

async fn remove_group_key(
    State(state): State<AppState>,
    ApiPath((group_id, key_id)): ApiPath<(String, String)>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let mut store = state.store();
    let org_id = find_project(&store, &group_id)?.org_id.clone();
    let key = find_key(&mut store, &org_id, &key_id)?;
    if !in_group(key, &group_id) {
        return Err(ApiError::api_key_not_found(&key_id));
    }
    roles::set_group_roles(&mut key.roles, &group_id, &[]);
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---- errors ------------------------------------------------------------------------------

impl ApiError {
    pub fn api_key_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "API_KEY_NOT_FOUND",
            format!("No API key with ID {id} exists."),
            vec![json!(id)],
        )
    }

    pub fn api_key_requires_description() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "API_KEY_REQUIRES_DESCRIPTION",
            "API keys require a description.",
            vec![],
        )
    }

    pub fn invalid_api_key_desc() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_API_KEY_DESC",
            "The API key description is invalid: it must be 1 to 250 characters.",
            vec![],
        )
    }

    pub fn missing_api_key_roles() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "MISSING_API_KEY_ROLES",
            "API keys require at least one role.",
            vec![],
        )
    }

    pub fn invalid_role_for_org(role: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_ROLE_FOR_ORG",
            format!("Role {role} is not a valid organization role."),
            vec![json!(role)],
        )
    }

    pub fn invalid_role_for_group(role: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_ROLE_FOR_GROUP",
            format!("Role {role} is not a valid project role."),
            vec![json!(role)],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    #[test]
    fn create_bodies_are_checked() {
        let code = |v: Value, k| parse_create(&body(v), k).expect_err("invalid").code;
        assert_eq!(
            code(json!({"roles": ["ORG_OWNER"]}), RoleKind::Org),
            "API_KEY_REQUIRES_DESCRIPTION"
        );
        assert_eq!(
            code(json!({"desc": " ", "roles": ["ORG_OWNER"]}), RoleKind::Org),
            "API_KEY_REQUIRES_DESCRIPTION"
        );
        assert_eq!(
            code(json!({"desc": 3, "roles": ["ORG_OWNER"]}), RoleKind::Org),
            "INVALID_API_KEY_DESC"
        );
        assert_eq!(
            code(
                json!({"desc": "x".repeat(251), "roles": ["ORG_OWNER"]}),
                RoleKind::Org
            ),
            "INVALID_API_KEY_DESC"
        );
        assert_eq!(
            code(json!({"desc": "d"}), RoleKind::Org),
            "MISSING_API_KEY_ROLES"
        );
        assert_eq!(
            code(json!({"desc": "d", "roles": []}), RoleKind::Org),
            "MISSING_API_KEY_ROLES"
        );
        assert_eq!(
            code(
                json!({"desc": "d", "roles": ["GROUP_OWNER"]}),
                RoleKind::Org
            ),
            "INVALID_ROLE_FOR_ORG"
        );
        assert_eq!(
            code(
                json!({"desc": "d", "roles": ["ORG_OWNER"]}),
                RoleKind::Group
            ),
            "INVALID_ROLE_FOR_GROUP"
        );
        assert_eq!(
            code(json!({"desc": "d", "roles": [1]}), RoleKind::Group),
            "INVALID_ROLE_FOR_GROUP"
        );
        let (d, r) = parse_create(
            &body(json!({"desc": "d", "roles": ["GROUP_OWNER", "GROUP_OWNER"]})),
            RoleKind::Group,
        )
        .expect("ok");
        assert_eq!((d.as_str(), r), ("d", vec!["GROUP_OWNER".to_string()]));
    }

    #[test]
    fn assignment_bodies_merge_roles() {
        assert_eq!(
            parse_assignment(
                br#"[{"roles":["GROUP_READ_ONLY"]},{"roles":["GROUP_OWNER","GROUP_READ_ONLY"]}]"#
            )
            .expect("ok"),
            vec!["GROUP_READ_ONLY", "GROUP_OWNER"]
        );
        assert_eq!(
            parse_assignment(b"[]").expect_err("empty").code,
            "MISSING_API_KEY_ROLES"
        );
        assert_eq!(
            parse_assignment(b"[").expect_err("bad").code,
            "MALFORMED_JSON"
        );
        assert_eq!(
            parse_assignment(b"[1]").expect_err("bad").code,
            "INVALID_JSON"
        );
        assert_eq!(
            parse_assignment(br#"[{"roles":["ORG_OWNER"]}]"#)
                .expect_err("org role")
                .code,
            "INVALID_ROLE_FOR_GROUP"
        );
    }

    #[test]
    fn keys_have_atlas_shapes_and_never_keep_the_private_key() {
        let mut s = Store::bootstrap("k", "p", Some(4), Utc::now());
        let org = s.orgs[0].id.clone();
        let (key, private_key) = create_key(
            &mut s,
            &org,
            "d".into(),
            vec![RoleAssignment::org(&org, "ORG_OWNER")],
        );
        assert_eq!(key.public_key.len(), 8);
        assert!(key.public_key.bytes().all(|b| b.is_ascii_lowercase()));
        assert_eq!(private_key.len(), 36);
        assert_eq!(private_key.matches('-').count(), 4);
        let v = key_json(&key, "http://h", None);
        let redacted = v["privateKey"].as_str().expect("string");
        assert!(redacted.starts_with("********-****-****-"));
        assert!(redacted.ends_with(&private_key[24..]));
        assert_ne!(redacted, private_key);
        let dump = serde_json::to_string(&key).expect("serializes");
        assert!(!dump.contains(&private_key), "{dump}");
        assert_eq!(key.ha1, crate::auth::ha1(&key.public_key, &private_key));
        assert_eq!(
            key_json(&key, "h", Some(&private_key))["privateKey"],
            json!(private_key)
        );
    }
}
