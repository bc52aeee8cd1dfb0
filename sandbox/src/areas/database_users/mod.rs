//! Database users (`/groups/{groupId}/databaseUsers`): list, create (201), get, update
//! (merging PATCH), delete (204).
//!
//! Passwords are validated and then dropped: they are never stored, logged or returned.
//! Choices where the real API is unverified (documented in the README): a duplicate user is
//! 409 `USER_ALREADY_EXISTS`; an unknown role name is `UNSUPPORTED_ROLE` (the sandbox has no
//! custom roles yet; observed for missing custom roles); MongoDB built-ins Atlas does not offer
//! (`dbOwner`, `userAdmin`, ...) are `ATLAS_RESTRICTED_ROLE`; LDAP `GROUP` users use `admin`
//! (spec example) while LDAP `USER` users use `$external`; a `databaseName` path segment other
//! than `admin`/`$external` is 404 `USERNAME_NOT_FOUND`; scopes are not checked against
//! existing clusters; temporary users disappear lazily once `deleteAfterDate` has passed.

mod errors;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::collection::{find, items_mut, ProjectCollection};
use super::projects::find_project;
use super::{api_url, check_tags, item, respond, respond_typed, self_link, Link, TagBody};
use crate::areas::{ProjectChildren, Store};
use crate::error::ApiError;
use crate::extract::{typed_value, ApiPath, JsonObject, Query};
use crate::pagination::ListParams;
use crate::store::{timestamp, Tag};
use crate::AppState;

/// `&'static str` under a name serde's derive does not treat as borrowed (the values are
/// interned by [`crate::persist::static_str`] when a data dir is loaded).
type StaticStr = &'static str;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/groups/{group_id}/databaseUsers",
            get(list_users_handler).post(create_user_handler),
        )
        .route(
            "/groups/{group_id}/databaseUsers/{database_name}/{username}",
            get(get_user)
                .patch(update_user_handler)
                .delete(delete_user_handler),
        )
}

// ---- model --------------------------------------------------------------------------------

/// Atlas's per-project limit.
pub const MAX_USERS_PER_PROJECT: usize = 100;
pub const MAX_USERNAME_CHARS: usize = 1024;
pub const MAX_DESCRIPTION_CHARS: usize = 100;
pub const MIN_PASSWORD_CHARS: usize = 8;
/// `deleteAfterDate` may be at most one week ahead.
pub const MAX_TEMPORARY_DAYS: i64 = 7;

pub const ADMIN_DB: &str = "admin";
pub const EXTERNAL_DB: &str = "$external";

const AWS_IAM_TYPES: &[&str] = &["NONE", "USER", "ROLE"];
const X509_TYPES: &[&str] = &["NONE", "CUSTOMER", "MANAGED"];
const LDAP_AUTH_TYPES: &[&str] = &["NONE", "GROUP", "USER"];
const OIDC_AUTH_TYPES: &[&str] = &["NONE", "IDP_GROUP", "USER"];
const SCOPE_TYPES: &[&str] = &["CLUSTER", "DATA_LAKE", "STREAM"];

/// Built-in roles Atlas grants (the spec's `DatabaseUserRole.roleName` enum).
pub const BUILT_IN_ROLES: &[&str] = &[
    "atlasAdmin",
    "backup",
    "clusterMonitor",
    "dbAdmin",
    "dbAdminAnyDatabase",
    "enableSharding",
    "read",
    "readAnyDatabase",
    "readWrite",
    "readWriteAnyDatabase",
];
/// Built-ins that only make sense on `admin`.
const ADMIN_ONLY_ROLES: &[&str] = &[
    "atlasAdmin",
    "backup",
    "clusterMonitor",
    "dbAdminAnyDatabase",
    "enableSharding",
    "readAnyDatabase",
    "readWriteAnyDatabase",
];
/// Roles that may be limited to one collection.
const COLLECTION_ROLES: &[&str] = &["read", "readWrite"];
/// MongoDB built-ins that Atlas does not let database users hold.
const RESTRICTED_ROLES: &[&str] = &[
    "root",
    "dbOwner",
    "userAdmin",
    "userAdminAnyDatabase",
    "clusterAdmin",
    "clusterManager",
    "hostManager",
    "restore",
    "__system",
    "__queryableBackup",
];
/// A few passwords every strength checker refuses (compared case-insensitively).
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password123",
    "passw0rd",
    "12345678",
    "123456789",
    "1234567890",
    "qwertyui",
    "qwerty123",
    "iloveyou",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "welcome1",
    "trustno1",
    "letmein1",
    "abcd1234",
    "admin123",
    "changeme",
    "11111111",
    "00000000",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub role_name: String,
    pub database_name: String,
    pub collection_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub name: String,
    #[serde(deserialize_with = "crate::persist::static_str")]
    pub kind: StaticStr,
}

/// A stored database user. There is deliberately no password field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseUser {
    pub username: String,
    pub database_name: String,
    #[serde(deserialize_with = "crate::persist::static_str")]
    pub aws_iam_type: StaticStr,
    #[serde(deserialize_with = "crate::persist::static_str")]
    pub x509_type: StaticStr,
    #[serde(deserialize_with = "crate::persist::static_str")]
    pub ldap_auth_type: StaticStr,
    #[serde(deserialize_with = "crate::persist::static_str")]
    pub oidc_auth_type: StaticStr,
    pub roles: Vec<Role>,
    pub scopes: Vec<Scope>,
    pub labels: Vec<Tag>,
    pub description: Option<String>,
    pub delete_after_date: Option<DateTime<Utc>>,
}

impl DatabaseUser {
    /// A SCRAM (password) user: no external authentication method.
    pub fn is_scram(&self) -> bool {
        self.aws_iam_type == "NONE"
            && self.x509_type == "NONE"
            && self.ldap_auth_type == "NONE"
            && self.oidc_auth_type == "NONE"
    }

    /// The authentication database the auth type requires.
    pub fn required_database(&self) -> &'static str {
        let external = self.aws_iam_type != "NONE"
            || self.x509_type != "NONE"
            || self.ldap_auth_type == "USER"
            || self.oidc_auth_type == "USER";
        if external {
            EXTERNAL_DB
        } else {
            ADMIN_DB
        }
    }

    fn auth_types(&self) -> [(&'static str, &'static str); 4] {
        [
            ("awsIAMType", self.aws_iam_type),
            ("x509Type", self.x509_type),
            ("ldapAuthType", self.ldap_auth_type),
            ("oidcAuthType", self.oidc_auth_type),
        ]
    }

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.delete_after_date.is_some_and(|d| d <= now)
    }
}

// ---- parsing ------------------------------------------------------------------------------

/// Every field of a `CloudDatabaseUser` body, typed but not yet cross-checked. Used by both
/// create (absent = default) and PATCH (absent = unchanged).
#[derive(Clone, Default, PartialEq)]
pub struct UserFields {
    pub username: Option<String>,
    pub database_name: Option<String>,
    pub group_id: Option<String>,
    pub password: Option<String>,
    pub aws_iam_type: Option<&'static str>,
    pub x509_type: Option<&'static str>,
    pub ldap_auth_type: Option<&'static str>,
    pub oidc_auth_type: Option<&'static str>,
    pub roles: Option<Vec<Role>>,
    pub scopes: Option<Vec<Scope>>,
    pub labels: Option<Vec<Tag>>,
    /// `Some(None)`: cleared (Terraform sends `""` when the description is removed).
    pub description: Option<Option<String>>,
    pub delete_after_date: Option<DateTime<Utc>>,
}

/// Never print the password, even in debug output.
impl std::fmt::Debug for UserFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserFields")
            .field("username", &self.username)
            .field("database_name", &self.database_name)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// A `CloudDatabaseUser` body as sent (create and PATCH). Unknown attributes are ignored, as
/// for projects; null reads as absent except for `description` (cleared). No `Debug`: it
/// holds the password.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserBody {
    username: Option<String>,
    database_name: Option<String>,
    group_id: Option<String>,
    password: Option<String>,
    #[serde(rename = "awsIAMType")]
    aws_iam_type: Option<String>,
    x509_type: Option<String>,
    ldap_auth_type: Option<String>,
    oidc_auth_type: Option<String>,
    roles: Option<Vec<RoleBody>>,
    scopes: Option<Vec<ScopeBody>>,
    labels: Option<Vec<TagBody>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    description: Option<Option<String>>,
    delete_after_date: Option<String>,
}

/// One `roles` item as sent (`roleName` and `databaseName` required, null counts as missing).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleBody {
    role_name: Option<String>,
    database_name: Option<String>,
    collection_name: Option<String>,
}

/// One `scopes` item as sent.
#[derive(Debug, Deserialize)]
pub struct ScopeBody {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// `name` must be one of `allowed` (`INVALID_ENUM_VALUE` naming `attr` otherwise).
fn one_of(
    value: Option<String>,
    attr: &str,
    allowed: &[&'static str],
) -> Result<Option<&'static str>, ApiError> {
    let Some(s) = value else {
        return Ok(None);
    };
    allowed
        .iter()
        .find(|a| **a == s)
        .copied()
        .map(Some)
        .ok_or_else(|| ApiError::invalid_enum_value(&s, attr))
}

fn required(value: Option<String>, attr: impl FnOnce() -> String) -> Result<String, ApiError> {
    value.ok_or_else(|| ApiError::missing_attribute(&attr()))
}

/// `deleteAfterDate`: RFC 3339, in the future, at most a week ahead.
pub fn parse_delete_after(value: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, ApiError> {
    let date = DateTime::parse_from_rfc3339(value)
        .map_err(|_| ApiError::invalid_attribute("deleteAfterDate"))?
        .with_timezone(&Utc);
    if date <= now {
        return Err(ApiError::expiration_date_in_past(value));
    }
    if date > now + chrono::Duration::days(MAX_TEMPORARY_DAYS) {
        return Err(ApiError::expiration_date_exceeds_max(value));
    }
    Ok(date)
}

pub fn parse_roles(items: Vec<RoleBody>) -> Result<Vec<Role>, ApiError> {
    let mut roles: Vec<Role> = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let role_name = required(item.role_name, || format!("roles[{i}].roleName"))?;
        let database_name = required(item.database_name, || format!("roles[{i}].databaseName"))?;
        let collection_name = item.collection_name.filter(|c| !c.is_empty());
        if RESTRICTED_ROLES.contains(&role_name.as_str()) {
            return Err(ApiError::atlas_restricted_role(&role_name));
        }
        if !BUILT_IN_ROLES.contains(&role_name.as_str()) {
            return Err(ApiError::unsupported_role(&role_name));
        }
        let bad_db = database_name.is_empty()
            || database_name == EXTERNAL_DB
            || (ADMIN_ONLY_ROLES.contains(&role_name.as_str()) && database_name != ADMIN_DB);
        if bad_db {
            return Err(ApiError::atlas_invalid_role_database(
                &role_name,
                &database_name,
            ));
        }
        if let Some(collection) = &collection_name {
            if !COLLECTION_ROLES.contains(&role_name.as_str()) {
                return Err(ApiError::atlas_invalid_role(&role_name));
            }
            if collection.starts_with("system.") {
                return Err(ApiError::atlas_restricted_collection(collection));
            }
        }
        let role = Role {
            role_name,
            database_name,
            collection_name,
        };
        if roles.contains(&role) {
            return Err(ApiError::duplicate_database_roles(
                &role.role_name,
                &role.database_name,
            ));
        }
        roles.push(role);
    }
    Ok(roles)
}

/// Cluster names, as in the spec's `UserScope.name` pattern.
fn is_scope_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
        && name.len() <= 64
}

pub fn parse_scopes(items: Vec<ScopeBody>) -> Result<Vec<Scope>, ApiError> {
    let mut scopes: Vec<Scope> = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let attr = format!("scopes[{i}]");
        let name = required(item.name, || format!("{attr}.name"))?;
        let kind = required(item.kind, || format!("{attr}.type"))?;
        if !is_scope_name(&name) {
            return Err(ApiError::invalid_attribute(&format!("{attr}.name")));
        }
        let kind =
            one_of(Some(kind), &format!("{attr}.type"), SCOPE_TYPES)?.unwrap_or(SCOPE_TYPES[0]);
        let scope = Scope { name, kind };
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    Ok(scopes)
}

/// Decode and check every known field of a body (unknown fields are ignored, as for
/// projects); cross-field rules come later ([`validate_user`]).
pub fn parse_fields(body: &Map<String, Value>, now: DateTime<Utc>) -> Result<UserFields, ApiError> {
    let body: UserBody = typed_value(Value::Object(body.clone()), &["links"])?;
    let description = match body.description {
        Some(Some(s)) if s.chars().count() > MAX_DESCRIPTION_CHARS => {
            return Err(ApiError::invalid_attribute("description"))
        }
        Some(d) => Some(d.filter(|s| !s.is_empty())),
        None => None,
    };
    let delete_after_date = match body.delete_after_date {
        Some(s) => Some(parse_delete_after(&s, now)?),
        None => None,
    };
    Ok(UserFields {
        username: body.username,
        database_name: match body.database_name {
            Some(db) if db == ADMIN_DB || db == EXTERNAL_DB => Some(db),
            Some(db) => return Err(ApiError::invalid_enum_value(&db, "databaseName")),
            None => None,
        },
        group_id: body.group_id,
        password: body.password,
        aws_iam_type: one_of(body.aws_iam_type, "awsIAMType", AWS_IAM_TYPES)?,
        x509_type: one_of(body.x509_type, "x509Type", X509_TYPES)?,
        ldap_auth_type: one_of(body.ldap_auth_type, "ldapAuthType", LDAP_AUTH_TYPES)?,
        oidc_auth_type: one_of(body.oidc_auth_type, "oidcAuthType", OIDC_AUTH_TYPES)?,
        roles: body.roles.map(parse_roles).transpose()?,
        scopes: body.scopes.map(parse_scopes).transpose()?,
        labels: body.labels.map(|l| check_tags(l, "labels")).transpose()?,
        description,
        delete_after_date,
    })
}

/// Strength rules: at least 8 characters, not a well-known password.
pub fn check_password(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::weak_password());
    }
    if COMMON_PASSWORDS
        .iter()
        .any(|p| p.eq_ignore_ascii_case(password))
    {
        return Err(ApiError::common_password());
    }
    Ok(())
}

/// The username format each authentication method expects.
fn check_username(user: &DatabaseUser) -> Result<(), ApiError> {
    let name = user.username.as_str();
    let len = name.chars().count();
    if len == 0 || len > MAX_USERNAME_CHARS {
        return Err(ApiError::invalid_attribute("username"));
    }
    // No authentication method takes control characters (NUL, newlines, …).
    if name.chars().any(char::is_control) {
        return Err(ApiError::atlas_invalid_username(name));
    }
    let is_dn = name.contains('=');
    let ok = if user.aws_iam_type != "NONE" {
        name.starts_with("arn:aws:iam::")
    } else if user.oidc_auth_type != "NONE" {
        name.split_once('/')
            .is_some_and(|(idp, rest)| !idp.is_empty() && !rest.is_empty())
    } else if user.ldap_auth_type != "NONE" {
        if !is_dn {
            return Err(ApiError::atlas_invalid_ldap_name(name));
        }
        true
    } else if user.x509_type == "CUSTOMER" {
        is_dn
    } else {
        !name.chars().any(char::is_whitespace)
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::atlas_invalid_username(name))
    }
}

/// Cross-field rules on a complete user. `password` is what this request sends.
pub fn validate_user(
    user: &DatabaseUser,
    password: Option<&str>,
    creating: bool,
) -> Result<(), ApiError> {
    let external: Vec<(&str, &str)> = user
        .auth_types()
        .into_iter()
        .filter(|(_, v)| *v != "NONE")
        .collect();
    if let [(first, _), (second, _), ..] = external.as_slice() {
        if *first == "x509Type" && *second == "ldapAuthType" {
            return Err(ApiError::atlas_x509_user_cannot_use_ldap());
        }
        return Err(ApiError::invalid_attribute(second));
    }
    let required = user.required_database();
    if user.database_name != required {
        return Err(if required == ADMIN_DB {
            ApiError::database_name_invalid_admin(&user.database_name)
        } else {
            ApiError::database_name_invalid_external(&user.database_name)
        });
    }
    check_username(user)?;
    match (user.is_scram(), password) {
        (true, Some(p)) => check_password(p)?,
        (true, None) if creating => return Err(ApiError::missing_attribute("password")),
        (true, None) => {}
        (false, Some(_)) if user.x509_type != "NONE" => {
            return Err(ApiError::atlas_x509_user_cannot_use_scram())
        }
        (false, Some(_)) => return Err(ApiError::invalid_attribute("password")),
        (false, None) => {}
    }
    if user.roles.is_empty() {
        return Err(ApiError::invalid_attribute("roles"));
    }
    if user.x509_type != "NONE" && user.delete_after_date.is_some() {
        return Err(ApiError::atlas_x509_user_cannot_be_temporary());
    }
    Ok(())
}

fn check_group_mismatch(fields: &UserFields, group_id: &str) -> Result<(), ApiError> {
    match &fields.group_id {
        Some(body_group) if body_group != group_id => {
            Err(ApiError::group_mismatch(body_group, group_id))
        }
        _ => Ok(()),
    }
}

/// A validated create request: the user plus the password (checked, then discarded).
pub fn build_new_user(fields: UserFields, group_id: &str) -> Result<DatabaseUser, ApiError> {
    check_group_mismatch(&fields, group_id)?;
    let username = fields
        .username
        .ok_or_else(|| ApiError::missing_attribute("username"))?;
    let roles = fields
        .roles
        .ok_or_else(|| ApiError::missing_attribute("roles"))?;
    let user = DatabaseUser {
        username,
        database_name: fields.database_name.unwrap_or_else(|| ADMIN_DB.to_string()),
        aws_iam_type: fields.aws_iam_type.unwrap_or("NONE"),
        x509_type: fields.x509_type.unwrap_or("NONE"),
        ldap_auth_type: fields.ldap_auth_type.unwrap_or("NONE"),
        oidc_auth_type: fields.oidc_auth_type.unwrap_or("NONE"),
        roles,
        scopes: fields.scopes.unwrap_or_default(),
        labels: fields.labels.unwrap_or_default(),
        description: fields.description.flatten(),
        delete_after_date: fields.delete_after_date,
    };
    validate_user(&user, fields.password.as_deref(), true)?;
    Ok(user)
}

/// Merge a PATCH into a stored user: identity fields are immutable (409), the rest replace.
pub fn merge_patch(
    current: &DatabaseUser,
    fields: UserFields,
    group_id: &str,
) -> Result<DatabaseUser, ApiError> {
    check_group_mismatch(&fields, group_id)?;
    if fields
        .username
        .as_ref()
        .is_some_and(|u| *u != current.username)
    {
        return Err(ApiError::database_username_cannot_be_changed());
    }
    if fields
        .database_name
        .as_ref()
        .is_some_and(|d| *d != current.database_name)
    {
        return Err(ApiError::database_name_cannot_be_changed());
    }
    let auth_changed = [
        (fields.aws_iam_type, current.aws_iam_type),
        (fields.x509_type, current.x509_type),
        (fields.ldap_auth_type, current.ldap_auth_type),
        (fields.oidc_auth_type, current.oidc_auth_type),
    ]
    .iter()
    .any(|(new, old)| new.is_some_and(|n| n != *old));
    if auth_changed {
        return Err(ApiError::auth_type_cannot_be_changed());
    }
    if current.delete_after_date.is_none() && fields.delete_after_date.is_some() {
        return Err(ApiError::permanent_entity_cannot_be_made_temporary());
    }
    let mut user = current.clone();
    if let Some(roles) = fields.roles {
        user.roles = roles;
    }
    if let Some(scopes) = fields.scopes {
        user.scopes = scopes;
    }
    if let Some(labels) = fields.labels {
        user.labels = labels;
    }
    if let Some(description) = fields.description {
        user.description = description;
    }
    if let Some(date) = fields.delete_after_date {
        user.delete_after_date = Some(date);
    }
    validate_user(&user, fields.password.as_deref(), false)?;
    Ok(user)
}

// ---- store operations ---------------------------------------------------------------------

/// The project's users, in creation order; temporary users whose `deleteAfterDate` has
/// passed are dropped before every access (Atlas deletes them itself).
pub struct Users;

impl ProjectCollection for Users {
    type Item = DatabaseUser;

    fn of_mut(children: &mut ProjectChildren) -> &mut Vec<DatabaseUser> {
        &mut children.database_users
    }

    fn tidy(users: &mut Vec<DatabaseUser>, now: DateTime<Utc>) {
        users.retain(|u| !u.is_expired(now));
    }
}

pub fn list_users(
    store: &mut Store,
    group_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<DatabaseUser>, ApiError> {
    Ok(items_mut::<Users>(store, group_id, now)?.clone())
}

pub fn create_user(
    store: &mut Store,
    group_id: &str,
    user: DatabaseUser,
    now: DateTime<Utc>,
) -> Result<DatabaseUser, ApiError> {
    let users = items_mut::<Users>(store, group_id, now)?;
    if users
        .iter()
        .any(|u| u.username == user.username && u.database_name == user.database_name)
    {
        return Err(ApiError::user_already_exists(&user.username));
    }
    if users.len() >= MAX_USERS_PER_PROJECT {
        return Err(ApiError::group_users_limit_exceeded(
            group_id,
            MAX_USERS_PER_PROJECT,
        ));
    }
    users.push(user.clone());
    Ok(user)
}

fn position(
    users: &[DatabaseUser],
    database_name: &str,
    username: &str,
) -> Result<usize, ApiError> {
    find(
        users,
        |u| u.username == username && u.database_name == database_name,
        || ApiError::username_not_found(username),
    )
}

pub fn get_user_record(
    store: &mut Store,
    group_id: &str,
    database_name: &str,
    username: &str,
    now: DateTime<Utc>,
) -> Result<DatabaseUser, ApiError> {
    let users = items_mut::<Users>(store, group_id, now)?;
    Ok(users[position(users, database_name, username)?].clone())
}

pub fn update_user(
    store: &mut Store,
    group_id: &str,
    database_name: &str,
    username: &str,
    fields: UserFields,
    now: DateTime<Utc>,
) -> Result<DatabaseUser, ApiError> {
    let users = items_mut::<Users>(store, group_id, now)?;
    let i = position(users, database_name, username)?;
    let updated = merge_patch(&users[i], fields, group_id)?;
    users[i] = updated.clone();
    Ok(updated)
}

pub fn delete_user(
    store: &mut Store,
    group_id: &str,
    database_name: &str,
    username: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let users = items_mut::<Users>(store, group_id, now)?;
    let i = position(users, database_name, username)?;
    users.remove(i);
    Ok(())
}

// ---- representation ----------------------------------------------------------------------

/// Percent-encode one path segment (everything but RFC 3986 unreserved characters).
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn user_path(group_id: &str, user: &DatabaseUser) -> String {
    format!(
        "/groups/{group_id}/databaseUsers/{}/{}",
        encode_segment(&user.database_name),
        encode_segment(&user.username)
    )
}

/// The `CloudDatabaseUser` representation (fields in alphabetical order). `groupId` is
/// returned although the spec marks it writeOnly (observed); the password never is.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserView<'a> {
    #[serde(rename = "awsIAMType")]
    aws_iam_type: &'a str,
    database_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    delete_after_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    group_id: &'a str,
    labels: &'a [Tag],
    ldap_auth_type: &'a str,
    links: [Link; 1],
    oidc_auth_type: &'a str,
    roles: Vec<RoleView<'a>>,
    scopes: Vec<ScopeView<'a>>,
    username: &'a str,
    x509_type: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoleView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    collection_name: Option<&'a str>,
    database_name: &'a str,
    role_name: &'a str,
}

#[derive(Serialize)]
struct ScopeView<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
}

impl<'a> UserView<'a> {
    pub fn of(group_id: &'a str, user: &'a DatabaseUser, base_url: &str) -> Self {
        Self {
            aws_iam_type: user.aws_iam_type,
            database_name: &user.database_name,
            delete_after_date: user.delete_after_date.map(timestamp),
            description: user.description.as_deref(),
            group_id,
            labels: &user.labels,
            ldap_auth_type: user.ldap_auth_type,
            links: self_link(base_url, &user_path(group_id, user)),
            oidc_auth_type: user.oidc_auth_type,
            roles: user
                .roles
                .iter()
                .map(|r| RoleView {
                    collection_name: r.collection_name.as_deref(),
                    database_name: &r.database_name,
                    role_name: &r.role_name,
                })
                .collect(),
            scopes: user
                .scopes
                .iter()
                .map(|s| ScopeView {
                    name: &s.name,
                    kind: s.kind,
                })
                .collect(),
            username: &user.username,
            x509_type: user.x509_type,
        }
    }
}

/// [`UserView`] as a `Value` (list items).
pub fn user_json(group_id: &str, user: &DatabaseUser, base_url: &str) -> Value {
    item(&UserView::of(group_id, user, base_url))
}

// ---- handlers -----------------------------------------------------------------------------

async fn list_users_handler(
    State(state): State<AppState>,
    ApiPath(group_id): ApiPath<String>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    let params = ListParams::from_query(&q)?;
    let users = list_users(&mut state.store(), &group_id, Utc::now())?;
    let base = state.base_url();
    let items = users
        .iter()
        .map(|u| user_json(&group_id, u, base))
        .collect();
    let href = api_url(base, &format!("/groups/{group_id}/databaseUsers"));
    Ok(respond(StatusCode::OK, params.page(items, &href)))
}

async fn create_user_handler(
    State(state): State<AppState>,
    ApiPath(group_id): ApiPath<String>,
    Query(q): Query,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let now = Utc::now();
    // Unknown/malformed project ids answer 404 before the body is judged.
    find_project(&state.store(), &group_id)?;
    let user = build_new_user(parse_fields(&body, now)?, &group_id)?;
    let user = create_user(&mut state.store(), &group_id, user, now)?;
    tracing::info!(%group_id, username = %user.username, db = %user.database_name, "database user created");
    Ok(respond_typed(
        StatusCode::CREATED,
        &UserView::of(&group_id, &user, state.base_url()),
    ))
}

/// Path key of one user; a database other than `admin`/`$external` holds no user.
fn user_key(
    group_id: &str,
    database_name: &str,
    username: &str,
    store: &Store,
) -> Result<(), ApiError> {
    find_project(store, group_id)?;
    if database_name != ADMIN_DB && database_name != EXTERNAL_DB {
        return Err(ApiError::username_not_found(username));
    }
    Ok(())
}

async fn get_user(
    State(state): State<AppState>,
    ApiPath((group_id, database_name, username)): ApiPath<(String, String, String)>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let mut store = state.store();
    user_key(&group_id, &database_name, &username, &store)?;
    let user = get_user_record(&mut store, &group_id, &database_name, &username, Utc::now())?;
    Ok(respond_typed(
        StatusCode::OK,
        &UserView::of(&group_id, &user, state.base_url()),
    ))
}

async fn update_user_handler(
    State(state): State<AppState>,
    ApiPath((group_id, database_name, username)): ApiPath<(String, String, String)>,
    Query(q): Query,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let now = Utc::now();
    user_key(&group_id, &database_name, &username, &state.store())?;
    let fields = parse_fields(&body, now)?;
    let user = update_user(
        &mut state.store(),
        &group_id,
        &database_name,
        &username,
        fields,
        now,
    )?;
    Ok(respond_typed(
        StatusCode::OK,
        &UserView::of(&group_id, &user, state.base_url()),
    ))
}

async fn delete_user_handler(
    State(state): State<AppState>,
    ApiPath((group_id, database_name, username)): ApiPath<(String, String, String)>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let mut store = state.store();
    user_key(&group_id, &database_name, &username, &store)?;
    delete_user(&mut store, &group_id, &database_name, &username, Utc::now())?;
    drop(store);
    tracing::info!(%group_id, %username, db = %database_name, "database user deleted");
    Ok(no_content())
}

/// 204 with no body; the Content-Type lets the version layer stamp the versioned type.
pub fn no_content() -> Response {
    (
        StatusCode::NO_CONTENT,
        [(header::CONTENT_TYPE, "application/json")],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::areas::projects::{create_project, parse_create};
    use serde_json::json;

    fn store_with_project() -> (Store, String) {
        let mut s = Store::bootstrap("k", "p", Some(3), Utc::now());
        let body = json!({"name": "p", "orgId": s.orgs[0].id});
        let new = parse_create(body.as_object().expect("object"), None).expect("valid");
        let id = create_project(&mut s, new, Utc::now()).expect("created").id;
        (s, id)
    }

    fn fields(v: Value) -> Result<UserFields, ApiError> {
        parse_fields(v.as_object().expect("object"), Utc::now())
    }

    fn scram(name: &str) -> DatabaseUser {
        let f = fields(json!({"username": name, "password": "Zq8-long-enough",
            "roles": [{"roleName": "read", "databaseName": "a"}]}))
        .expect("valid");
        build_new_user(f, "g").expect("valid user")
    }

    #[test]
    fn required_database_follows_the_auth_type() {
        let mut u = scram("a");
        assert_eq!(u.required_database(), ADMIN_DB);
        u.ldap_auth_type = "GROUP";
        assert_eq!(u.required_database(), ADMIN_DB);
        u.ldap_auth_type = "USER";
        assert_eq!(u.required_database(), EXTERNAL_DB);
        u.ldap_auth_type = "NONE";
        u.oidc_auth_type = "IDP_GROUP";
        assert_eq!(u.required_database(), ADMIN_DB);
        u.oidc_auth_type = "USER";
        assert_eq!(u.required_database(), EXTERNAL_DB);
        u.oidc_auth_type = "NONE";
        for (aws, x509) in [("USER", "NONE"), ("ROLE", "NONE"), ("NONE", "MANAGED")] {
            u.aws_iam_type = aws;
            u.x509_type = x509;
            assert_eq!(u.required_database(), EXTERNAL_DB);
            assert!(!u.is_scram());
        }
    }

    #[test]
    fn passwords_are_checked_and_never_kept() {
        assert_eq!(
            check_password("1234567").expect_err("short").code,
            "WEAK_PASSWORD"
        );
        assert_eq!(
            check_password("PASSWORD").expect_err("common").code,
            "COMMON_PASSWORD"
        );
        assert!(check_password("changeme123").is_ok(), "the spec example");
        let f = fields(json!({"username": "a", "password": "Zq8-long-enough",
            "roles": [{"roleName": "read", "databaseName": "a"}]}))
        .expect("valid");
        assert!(!format!("{f:?}").contains("Zq8"), "Debug redacts");
        let u = build_new_user(f, "g").expect("valid");
        assert!(!format!("{u:?}").contains("Zq8"));
        assert!(!user_json("g", &u, "http://h").to_string().contains("Zq8"));
    }

    #[test]
    fn roles_are_checked_one_by_one() {
        let code = |v: Value| fields(json!({ "roles": v })).expect_err("bad").code;
        assert_eq!(
            code(json!([{"roleName": "nope", "databaseName": "a"}])),
            "UNSUPPORTED_ROLE"
        );
        assert_eq!(
            code(json!([{"roleName": "root", "databaseName": "admin"}])),
            "ATLAS_RESTRICTED_ROLE"
        );
        assert_eq!(
            code(json!([{"roleName": "backup", "databaseName": "a"}])),
            "ATLAS_INVALID_ROLE_DATABASE"
        );
        assert_eq!(
            code(json!([{"roleName": "read", "databaseName": "$external"}])),
            "ATLAS_INVALID_ROLE_DATABASE"
        );
        assert_eq!(code(json!([{"roleName": "read"}])), "MISSING_ATTRIBUTE");
        assert_eq!(code(json!([5])), "INVALID_ATTRIBUTE");
        let ok = fields(json!({"roles": [
            {"roleName": "readWrite", "databaseName": "a", "collectionName": "c"},
            {"roleName": "read", "databaseName": "a", "collectionName": ""}]}))
        .expect("valid")
        .roles
        .expect("roles");
        assert_eq!(ok[0].collection_name.as_deref(), Some("c"));
        assert_eq!(
            ok[1].collection_name, None,
            "empty collection = whole database"
        );
    }

    #[test]
    fn delete_after_is_within_a_week() {
        let now = Utc::now();
        let at = |d: chrono::Duration| (now + d).to_rfc3339();
        assert!(parse_delete_after(&at(chrono::Duration::days(7)), now).is_ok());
        assert_eq!(
            parse_delete_after(
                &at(chrono::Duration::days(7) + chrono::Duration::seconds(1)),
                now
            )
            .expect_err("late")
            .code,
            "EXPIRATION_DATE_EXCEEDS_MAX"
        );
        assert_eq!(
            parse_delete_after(&at(chrono::Duration::zero()), now)
                .expect_err("now")
                .code,
            "EXPIRATION_DATE_IN_PAST"
        );
    }

    #[test]
    fn create_get_update_delete_and_expiry_in_the_store() {
        let (mut s, g) = store_with_project();
        let now = Utc::now();
        create_user(&mut s, &g, scram("a"), now).expect("created");
        assert_eq!(
            create_user(&mut s, &g, scram("a"), now)
                .expect_err("dup")
                .code,
            "USER_ALREADY_EXISTS"
        );
        let patch = fields(json!({"labels": [{"key": "k", "value": "v"}]})).expect("valid");
        let u = update_user(&mut s, &g, ADMIN_DB, "a", patch, now).expect("updated");
        assert_eq!(u.labels.len(), 1);
        assert_eq!(u.roles.len(), 1, "absent roles stay");
        assert_eq!(
            get_user_record(&mut s, &g, EXTERNAL_DB, "a", now)
                .expect_err("other db")
                .code,
            "USERNAME_NOT_FOUND"
        );
        delete_user(&mut s, &g, ADMIN_DB, "a", now).expect("deleted");
        assert!(list_users(&mut s, &g, now).expect("list").is_empty());

        let mut temp = scram("t");
        temp.delete_after_date = Some(now + chrono::Duration::hours(1));
        create_user(&mut s, &g, temp, now).expect("created");
        assert_eq!(list_users(&mut s, &g, now).expect("list").len(), 1);
        let later = now + chrono::Duration::hours(2);
        assert!(
            list_users(&mut s, &g, later).expect("list").is_empty(),
            "expired users vanish"
        );
    }

    #[test]
    fn limit_and_project_deletion() {
        let (mut s, g) = store_with_project();
        let now = Utc::now();
        for i in 0..MAX_USERS_PER_PROJECT {
            create_user(&mut s, &g, scram(&format!("u{i}")), now).expect("created");
        }
        let e = create_user(&mut s, &g, scram("x"), now).expect_err("limit");
        assert_eq!(
            (e.status, e.code),
            (StatusCode::FORBIDDEN, "GROUP_USERS_LIMIT_EXCEEDED")
        );
        crate::areas::projects::delete_project(&mut s, &g).expect("deleted");
        assert_eq!(
            list_users(&mut s, &g, now).expect_err("gone").code,
            "GROUP_NOT_FOUND"
        );
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(encode_segment("$external"), "%24external");
        assert_eq!(encode_segment("a/b@c=d,e f"), "a%2Fb%40c%3Dd%2Ce%20f");
        assert_eq!(encode_segment("plain-name_1.x~"), "plain-name_1.x~");
    }

    #[test]
    fn typed_body_errors_name_the_attribute_path() {
        let err = |v: Value| {
            let e = fields(v).expect_err("bad");
            (e.code, e.parameters[0].as_str().map(str::to_string))
        };
        let at = |code: &'static str, path: &str| (code, Some(path.to_string()));
        assert_eq!(
            err(json!({"roles": [{"roleName": 5, "databaseName": "a"}]})),
            at("INVALID_ATTRIBUTE", "roles[0].roleName")
        );
        assert_eq!(
            err(json!({"roles": [{"roleName": null, "databaseName": "a"}]})),
            at("MISSING_ATTRIBUTE", "roles[0].roleName")
        );
        assert_eq!(
            err(json!({"scopes": [{"name": "c", "type": 1}]})),
            at("INVALID_ATTRIBUTE", "scopes[0].type")
        );
        assert_eq!(
            err(json!({"labels": [{"key": "k"}]})),
            at("MISSING_ATTRIBUTE", "labels[0].value")
        );
        assert_eq!(err(json!({"x509Type": "NOPE"})).0, "INVALID_ENUM_VALUE");
        assert_eq!(err(json!({"links": []})).0, "ATTRIBUTE_READ_ONLY");
        let cleared = fields(json!({"description": null, "links": null})).expect("valid");
        assert_eq!(cleared.description, Some(None));
        assert!(fields(json!({"unknown": 1}))
            .expect("ignored")
            .description
            .is_none());
    }

    #[test]
    fn the_typed_view_is_in_key_order() {
        let mut u = scram("alice");
        u.description = Some("d".into());
        u.delete_after_date = Some(Utc::now());
        u.roles[0].collection_name = Some("c".into());
        u.scopes = vec![Scope {
            name: "c1".into(),
            kind: "CLUSTER",
        }];
        let direct = serde_json::to_string(&UserView::of("g", &u, "http://h")).expect("json");
        let sorted = serde_json::to_string(&user_json("g", &u, "http://h")).expect("json");
        assert_eq!(direct, sorted);
    }
}
