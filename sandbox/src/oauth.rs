//! OAuth 2.0 client credentials for service accounts, outside the API prefix:
//!
//! * `POST /api/oauth/token` — `Authorization: Basic base64(clientId:clientSecret)` (or
//!   `client_id`/`client_secret` form fields), form `grant_type=client_credentials` →
//!   `{"access_token", "token_type": "Bearer", "expires_in"}` (lifetime
//!   `Config::oauth_token_ttl_seconds`, 3600 by default, as Atlas).
//! * `POST /api/oauth/revoke` — same client authentication, form `token=…` (optionally
//!   `token_type_hint=access_token`) → 200 with an empty body, also for unknown tokens (RFC 7009).
//!
//! Errors are RFC 6749 bodies (`{"error": "invalid_client", "error_description": …}`), not Atlas
//! envelopes: wrong or expired client credentials → 401 `invalid_client`; a missing or other
//! grant type → 400 `invalid_request` / `unsupported_grant_type`.
//!
//! Tokens are JWT-shaped (`header.payload.signature`, the signature random) so clients that peek
//! at `exp` work; only their MD5 is stored. API requests with `Authorization: Bearer <token>`
//! authenticate as the service account; an unknown, expired or revoked token (or one of a deleted
//! account) is answered 401.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::areas::Store;
use crate::auth::{md5_hex, Caller, PrincipalKind};
use crate::AppState;

pub const TOKEN_PATH: &str = "/api/oauth/token";
pub const REVOKE_PATH: &str = "/api/oauth/revoke";

/// An issued access token (only its hash is kept).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessToken {
    /// MD5 (hex) of the token.
    pub hash: String,
    pub client_id: String,
    pub expires_at: DateTime<Utc>,
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(TOKEN_PATH, post(token))
        .route(REVOKE_PATH, post(revoke))
}

/// An RFC 6749 §5.2 error.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut resp = (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::UNAUTHORIZED {
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"MMS Public API\""),
        );
    }
    resp
}

fn invalid_client() -> Response {
    oauth_error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "Client authentication failed.",
    )
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `(client_id, client_secret)` from HTTP Basic or the form.
fn client_credentials(headers: &HeaderMap, form: &[(String, String)]) -> Option<(String, String)> {
    if let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let (scheme, encoded) = value.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        // RFC 6749 §2.3.1: both are form-urlencoded inside Basic.
        let unescape = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        return Some((unescape(id)?, unescape(secret)?));
    }
    Some((
        field(form, "client_id")?.to_string(),
        field(form, "client_secret")?.to_string(),
    ))
}

/// Check a service account's credentials; marks the secret used. `None` when unknown, wrong or
/// expired.
pub fn check_client(
    store: &mut Store,
    client_id: &str,
    secret: &str,
    now: DateTime<Utc>,
) -> Option<String> {
    let sa = store
        .tables
        .service_accounts
        .iter_mut()
        .find(|sa| sa.client_id == client_id)?;
    let found = sa
        .secrets
        .iter_mut()
        .find(|s| s.matches(secret) && s.expires_at > now)?;
    found.last_used_at = Some(now);
    Some(sa.client_id.clone())
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Mint a token for `client_id`, valid `ttl_seconds`.
pub fn issue_token(
    store: &mut Store,
    client_id: &str,
    now: DateTime<Utc>,
    ttl_seconds: f64,
) -> String {
    let ttl = chrono::Duration::milliseconds((ttl_seconds * 1000.0) as i64);
    let expires_at = now + ttl;
    let mut rng = rand::rng();
    let mut jti = [0u8; 16];
    rng.fill_bytes(&mut jti);
    let mut signature = [0u8; 32];
    rng.fill_bytes(&mut signature);
    let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = b64url(
        json!({
            "sub": client_id,
            "iss": "atlas-sandbox",
            "iat": now.timestamp(),
            "exp": expires_at.timestamp(),
            "jti": hex::encode(jti),
        })
        .to_string()
        .as_bytes(),
    );
    let token = format!("{header}.{payload}.{}", b64url(&signature));
    store.tables.access_tokens.retain(|t| t.expires_at > now);
    store.tables.access_tokens.push(AccessToken {
        hash: md5_hex(&token),
        client_id: client_id.to_string(),
        expires_at,
    });
    token
}

/// The caller a bearer token stands for, if it is live and its account still exists.
pub fn authenticate(state: &AppState, token: &str) -> Option<Caller> {
    let store = state.store_read();
    let hash = md5_hex(token);
    let now = Utc::now();
    let t = store
        .tables
        .access_tokens
        .iter()
        .find(|t| t.hash == hash && t.expires_at > now)?;
    store
        .tables
        .service_accounts
        .iter()
        .find(|sa| sa.client_id == t.client_id)
        .map(|sa| Caller {
            kind: PrincipalKind::ServiceAccount,
            id: sa.client_id.clone(),
            name: sa.client_id.clone(),
        })
}

async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let form = form(&body);
    let Some((client_id, secret)) = client_credentials(&headers, &form) else {
        return invalid_client();
    };
    let now = Utc::now();
    let mut store = state.store();
    let Some(client_id) = check_client(&mut store, &client_id, &secret, now) else {
        drop(store);
        state.stats().count_auth_failure();
        return invalid_client();
    };
    match field(&form, "grant_type") {
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Only grant_type=client_credentials is supported.",
            )
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is required.",
            )
        }
    }
    let ttl = state.oauth_token_ttl_seconds();
    let access_token = issue_token(&mut store, &client_id, now, ttl);
    drop(store);
    tracing::info!(%client_id, "oauth token issued");
    let mut resp = Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ttl.ceil() as u64,
    }))
    .into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

async fn revoke(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let form = form(&body);
    let Some((client_id, secret)) = client_credentials(&headers, &form) else {
        return invalid_client();
    };
    let now = Utc::now();
    let mut store = state.store();
    let Some(client_id) = check_client(&mut store, &client_id, &secret, now) else {
        drop(store);
        state.stats().count_auth_failure();
        return invalid_client();
    };
    let Some(token) = field(&form, "token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is required.",
        );
    };
    let hash = md5_hex(token);
    // Only the client's own tokens (RFC 7009 §2.1); unknown tokens are not an error.
    store
        .tables
        .access_tokens
        .retain(|t| !(t.hash == hash && t.client_id == client_id));
    StatusCode::OK.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::areas::service_accounts::ServiceAccount;

    fn store_with_account() -> (Store, String, String) {
        let now = Utc::now();
        let mut s = Store::bootstrap("k", "p", Some(1), now);
        let org = s.orgs[0].id.clone();
        let (sa, secret) = ServiceAccount::create(
            &mut s,
            &org,
            "n".into(),
            "d".into(),
            vec![crate::roles::RoleAssignment::org(&org, "ORG_OWNER")],
            1,
            now,
        );
        let id = sa.client_id.clone();
        s.tables.service_accounts.push(sa);
        (s, id, secret)
    }

    #[test]
    fn credentials_are_checked_and_tokens_expire() {
        let (mut s, id, secret) = store_with_account();
        let now = Utc::now();
        assert!(check_client(&mut s, &id, "wrong", now).is_none());
        assert!(check_client(&mut s, "mdb_sa_id_x", &secret, now).is_none());
        assert_eq!(
            check_client(&mut s, &id, &secret, now).as_deref(),
            Some(id.as_str())
        );
        // The secret expires after 1 hour.
        let later = now + chrono::Duration::hours(2);
        assert!(check_client(&mut s, &id, &secret, later).is_none());
        let t = issue_token(&mut s, &id, now, 60.0);
        assert_eq!(t.split('.').count(), 3);
        assert_eq!(s.tables.access_tokens.len(), 1);
        assert_ne!(s.tables.access_tokens[0].hash, t, "only the hash is kept");
        // Expired tokens are dropped when the next one is issued.
        issue_token(&mut s, &id, now + chrono::Duration::seconds(61), 60.0);
        assert_eq!(s.tables.access_tokens.len(), 1);
    }

    #[test]
    fn basic_and_form_credentials_are_read() {
        let mut h = HeaderMap::new();
        let enc = base64::engine::general_purpose::STANDARD.encode("mdb_sa_id_1:s%3Acret");
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {enc}")).expect("header"),
        );
        assert_eq!(
            client_credentials(&h, &[]),
            Some(("mdb_sa_id_1".into(), "s:cret".into()))
        );
        let f = form(b"client_id=a&client_secret=b&grant_type=client_credentials");
        assert_eq!(
            client_credentials(&HeaderMap::new(), &f),
            Some(("a".into(), "b".into()))
        );
        assert_eq!(client_credentials(&HeaderMap::new(), &[]), None);
    }
}
