//! Organization service accounts (version 2024-08-05): list, create (201), get, update,
//! delete (204). A service account authenticates through `POST /api/oauth/token`
//! ([`crate::oauth`]) with its client id (`mdb_sa_id_<24 hex>`) and a secret (`mdb_sa_sk_…`)
//! shown only in the create response; later reads show `maskedSecretValue`. Secrets are kept
//! as salted MD5 digests.
//!
//! Unverified choices: an unknown client id → 404 `RESOURCE_NOT_FOUND`; roles outside the
//! organization enum → 400 `INVALID_ROLE_FOR_ORG` (as for API keys); `secretExpiresAfterHours`
//! must be 1..=8760; `includeSystemManaged` is accepted and ignored.

use std::sync::OnceLock;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use rand::Rng;
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::{api_url, respond};
use crate::areas::orgs::find_org;
use crate::areas::Store;
use crate::error::ApiError;
use crate::extract::{ApiPath, JsonObject, Query};
use crate::pagination::ListParams;
use crate::roles::{self, RoleAssignment};
use crate::store::timestamp;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/orgs/{org_id}/serviceAccounts",
            get(list_accounts).post(create_account),
        )
        .route(
            "/orgs/{org_id}/serviceAccounts/{client_id}",
            get(get_account)
                .patch(update_account)
                .delete(delete_account),
        )
}

/// One secret of a service account (only a digest of the value is kept).
#[derive(Clone, Serialize, Deserialize)]
pub struct SaSecret {
    pub id: String,
    /// `MD5(id:secret)`.
    pub hash: String,
    pub masked: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl SaSecret {
    pub fn matches(&self, secret: &str) -> bool {
        let h = crate::auth::md5_hex(&format!("{}:{secret}", self.id));
        h.len() == self.hash.len()
            && h.bytes()
                .zip(self.hash.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    fn to_json(&self, plain: Option<&str>) -> Value {
        let mut v = json!({
            "createdAt": timestamp(self.created_at),
            "expiresAt": timestamp(self.expires_at),
            "id": self.id,
            "maskedSecretValue": self.masked,
        });
        if let Some(last) = self.last_used_at {
            v["lastUsedAt"] = json!(timestamp(last));
        }
        if let Some(plain) = plain {
            v["secret"] = json!(plain);
        }
        v
    }
}

impl std::fmt::Debug for SaSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SaSecret")
            .field("id", &self.id)
            .field("masked", &self.masked)
            .finish_non_exhaustive()
    }
}

/// An organization service account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceAccount {
    pub client_id: String,
    pub org_id: String,
    pub name: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub roles: Vec<RoleAssignment>,
    pub secrets: Vec<SaSecret>,
}

const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// `^mdb_sa_id_[a-fA-F\d]{24}$`.
pub fn is_client_id(s: &str) -> bool {
    s.strip_prefix("mdb_sa_id_")
        .is_some_and(|hex| hex.len() == 24 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl ServiceAccount {
    /// A new account with a fresh id and one secret; returns the account (not yet stored)
    /// and the plaintext secret.
    pub fn create(
        store: &mut Store,
        org_id: &str,
        name: String,
        description: String,
        roles: Vec<RoleAssignment>,
        secret_hours: i64,
        now: DateTime<Utc>,
    ) -> (Self, String) {
        let client_id = format!("mdb_sa_id_{}", store.next_id(now));
        let mut rng = rand::rng();
        let secret: String = (0..40)
            .map(|_| ALNUM[rng.random_range(0..ALNUM.len())] as char)
            .collect();
        let secret = format!("mdb_sa_sk_{secret}");
        let account = Self::with_secret(
            store,
            client_id,
            org_id,
            name,
            description,
            roles,
            &secret,
            now + chrono::Duration::hours(secret_hours),
            now,
        );
        (account, secret)
    }

    /// An account with a given client id and secret (the command-line bootstrap).
    #[allow(clippy::too_many_arguments)]
    pub fn with_secret(
        store: &mut Store,
        client_id: String,
        org_id: &str,
        name: String,
        description: String,
        roles: Vec<RoleAssignment>,
        secret: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Self {
        let secret_id = store.next_id(now);
        let tail: String = secret
            .chars()
            .rev()
            .take(4.min(secret.chars().count() / 4))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        Self {
            client_id,
            org_id: org_id.to_string(),
            name,
            description,
            created_at: now,
            roles,
            secrets: vec![SaSecret {
                hash: crate::auth::md5_hex(&format!("{secret_id}:{secret}")),
                id: secret_id,
                masked: format!("mdb_sa_sk_************{tail}"),
                created_at: now,
                expires_at,
                last_used_at: None,
            }],
        }
    }

    pub fn to_json(&self, plain_secret: Option<&str>) -> Value {
        let roles: Vec<&str> = roles::org_roles(&self.roles, &self.org_id).collect();
        json!({
            "clientId": self.client_id,
            "createdAt": timestamp(self.created_at),
            "description": self.description,
            "name": self.name,
            "roles": roles,
            "secrets": self.secrets.iter().map(|s| s.to_json(plain_secret)).collect::<Vec<_>>(),
        })
    }
}

// ---- backend ----------------------------------------------------------------------------

/// The `--client-id`/`--client-secret` account: an `ORG_OWNER` of the first organization whose
/// secret does not expire for ten years. Idempotent; a changed secret replaces the old one.
pub fn ensure_bootstrap_account(
    store: &mut Store,
    client_id: &str,
    secret: &str,
    now: DateTime<Utc>,
) {
    let Some(org_id) = store.orgs.first().map(|o| o.id.clone()) else {
        return;
    };
    if let Some(existing) = store
        .tables
        .service_accounts
        .iter()
        .find(|sa| sa.client_id == client_id)
    {
        if existing.secrets.iter().any(|s| s.matches(secret)) {
            return;
        }
    }
    store
        .tables
        .service_accounts
        .retain(|sa| sa.client_id != client_id);
    let account = ServiceAccount::with_secret(
        store,
        client_id.to_string(),
        &org_id,
        "atlas-sandbox bootstrap service account".to_string(),
        "Created from --client-id".to_string(),
        vec![RoleAssignment::org(&org_id, roles::ORG_OWNER)],
        secret,
        now + chrono::Duration::days(3650),
        now,
    );
    store.tables.service_accounts.push(account);
}

/// `^[\p{L}\p{N}\-_.,' ]*$` (names and descriptions).
fn text_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^[\p{L}\p{N}\-_.,' ]*$")
            .expect("invariant: the constant service-account text pattern compiles")
    })
}

fn text(body: &Map<String, Value>, name: &str, max: usize) -> Result<Option<String>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s))
            if (1..=max).contains(&s.chars().count()) && text_pattern().is_match(s) =>
        {
            Ok(Some(s.clone()))
        }
        Some(_) => Err(ApiError::invalid_attribute(name)),
    }
}

fn org_role_list(body: &Map<String, Value>) -> Result<Option<Vec<String>>, ApiError> {
    let items = match body.get("roles") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(ApiError::invalid_attribute("roles")),
    };
    let mut out = Vec::new();
    for item in items {
        match item.as_str() {
            Some(r) if roles::is_org_role(r) => out.push(r.to_string()),
            Some(r) => return Err(ApiError::invalid_role_for_org(r)),
            None => return Err(ApiError::invalid_attribute("roles")),
        }
    }
    if out.is_empty() {
        return Err(ApiError::invalid_attribute("roles"));
    }
    Ok(Some(roles::dedup(out)))
}

/// A validated create request: `(name, description, roles, secretExpiresAfterHours)`.
pub fn parse_create(
    body: &Map<String, Value>,
) -> Result<(String, String, Vec<String>, i64), ApiError> {
    let name = text(body, "name", 64)?.ok_or_else(|| ApiError::missing_attribute("name"))?;
    let description = text(body, "description", 250)?
        .ok_or_else(|| ApiError::missing_attribute("description"))?;
    let roles = org_role_list(body)?.ok_or_else(|| ApiError::missing_attribute("roles"))?;
    let hours = match body.get("secretExpiresAfterHours") {
        None | Some(Value::Null) => {
            return Err(ApiError::missing_attribute("secretExpiresAfterHours"))
        }
        Some(v) => v
            .as_i64()
            .filter(|h| (1..=8760).contains(h))
            .ok_or_else(|| ApiError::invalid_attribute("secretExpiresAfterHours"))?,
    };
    Ok((name, description, roles, hours))
}

fn find_account<'a>(
    store: &'a mut Store,
    org_id: &str,
    client_id: &str,
) -> Result<&'a mut ServiceAccount, ApiError> {
    store
        .tables
        .service_accounts
        .iter_mut()
        .find(|sa| sa.org_id == org_id && sa.client_id == client_id)
        .ok_or_else(|| ApiError::service_account_not_found(client_id))
}

// ---- handlers ---------------------------------------------------------------------------

async fn list_accounts(
    State(state): State<AppState>,
    ApiPath(org_id): ApiPath<String>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    let params = ListParams::from_query(&q)?;
    q.bool("includeSystemManaged", false)?;
    let store = state.store();
    find_org(&store, &org_id)?;
    let items: Vec<Value> = store
        .tables
        .service_accounts
        .iter()
        .filter(|sa| sa.org_id == org_id)
        .map(|sa| sa.to_json(None))
        .collect();
    let href = api_url(state.base_url(), &format!("/orgs/{org_id}/serviceAccounts"));
    Ok(respond(StatusCode::OK, params.page(items, &href)))
}

async fn create_account(
    State(state): State<AppState>,
    ApiPath(org_id): ApiPath<String>,
    Query(q): Query,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let mut store = state.store();
    find_org(&store, &org_id)?;
    let (name, description, role_names, hours) = parse_create(&body)?;
    let assignments = role_names
        .iter()
        .map(|r| RoleAssignment::org(&org_id, r))
        .collect();
    let (account, secret) = ServiceAccount::create(
        &mut store,
        &org_id,
        name,
        description,
        assignments,
        hours,
        Utc::now(),
    );
    let body = account.to_json(Some(&secret));
    tracing::info!(client_id = %account.client_id, "service account created");
    store.tables.service_accounts.push(account);
    Ok(respond(StatusCode::CREATED, body))
}

async fn get_account(
    State(state): State<AppState>,
    ApiPath((org_id, client_id)): ApiPath<(String, String)>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let mut store = state.store();
    find_org(&store, &org_id)?;
    let sa = find_account(&mut store, &org_id, &client_id)?;
    Ok(respond(StatusCode::OK, sa.to_json(None)))
}

async fn update_account(
    State(state): State<AppState>,
    ApiPath((org_id, client_id)): ApiPath<(String, String)>,
    Query(q): Query,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let mut store = state.store();
    find_org(&store, &org_id)?;
    find_account(&mut store, &org_id, &client_id)?;
    let name = text(&body, "name", 64)?;
    let description = text(&body, "description", 250)?;
    let role_names = org_role_list(&body)?;
    let sa = find_account(&mut store, &org_id, &client_id)?;
    if let Some(name) = name {
        sa.name = name;
    }
    if let Some(description) = description {
        sa.description = description;
    }
    if let Some(role_names) = role_names {
        roles::set_org_roles(&mut sa.roles, &org_id, &role_names);
    }
    Ok(respond(StatusCode::OK, sa.to_json(None)))
}

async fn delete_account(
    State(state): State<AppState>,
    ApiPath((org_id, client_id)): ApiPath<(String, String)>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let mut store = state.store();
    find_org(&store, &org_id)?;
    find_account(&mut store, &org_id, &client_id)?;
    store
        .tables
        .service_accounts
        .retain(|sa| !(sa.org_id == org_id && sa.client_id == client_id));
    store
        .tables
        .access_tokens
        .retain(|t| t.client_id != client_id);
    tracing::info!(%client_id, "service account deleted");
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---- errors ------------------------------------------------------------------------------

impl ApiError {
    /// Unverified code: the service-account API is recent and answers the generic one.
    pub fn service_account_not_found(client_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            format!("No service account with client ID {client_id} exists."),
            vec![json!(client_id)],
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
    fn create_body_rules() {
        let ok = json!({"name": "ci", "description": "CI robot", "roles": ["ORG_OWNER", "ORG_OWNER"], "secretExpiresAfterHours": 8});
        let (n, d, r, h) = parse_create(&body(ok)).expect("valid");
        assert_eq!(
            (n.as_str(), d.as_str(), r.len(), h),
            ("ci", "CI robot", 1, 8)
        );
        let code = |v: Value| parse_create(&body(v)).expect_err("invalid").code;
        assert_eq!(
            code(json!({"description": "d", "roles": ["ORG_OWNER"], "secretExpiresAfterHours": 8})),
            "MISSING_ATTRIBUTE"
        );
        assert_eq!(
            code(
                json!({"name": "a/b", "description": "d", "roles": ["ORG_OWNER"], "secretExpiresAfterHours": 8})
            ),
            "INVALID_ATTRIBUTE"
        );
        assert_eq!(
            code(
                json!({"name": "a", "description": "d", "roles": ["GROUP_OWNER"], "secretExpiresAfterHours": 8})
            ),
            "INVALID_ROLE_FOR_ORG"
        );
        assert_eq!(
            code(
                json!({"name": "a", "description": "d", "roles": [], "secretExpiresAfterHours": 8})
            ),
            "INVALID_ATTRIBUTE"
        );
        assert_eq!(
            code(
                json!({"name": "a", "description": "d", "roles": ["ORG_OWNER"], "secretExpiresAfterHours": 0})
            ),
            "INVALID_ATTRIBUTE"
        );
    }

    #[test]
    fn secrets_are_hashed_and_masked() {
        let now = Utc::now();
        let mut s = Store::bootstrap("k", "p", Some(2), now);
        let org = s.orgs[0].id.clone();
        let (sa, secret) =
            ServiceAccount::create(&mut s, &org, "n".into(), "d".into(), vec![], 8, now);
        assert!(is_client_id(&sa.client_id), "{}", sa.client_id);
        assert!(secret.starts_with("mdb_sa_sk_"));
        assert!(sa.secrets[0].matches(&secret));
        assert!(!sa.secrets[0].matches("mdb_sa_sk_x"));
        let shown = sa.to_json(None).to_string();
        assert!(!shown.contains(&secret));
        assert!(!shown.contains(&sa.secrets[0].hash));
        assert!(sa.to_json(Some(&secret)).to_string().contains(&secret));
        assert!(format!("{sa:?}").find(&secret).is_none());
    }
}
