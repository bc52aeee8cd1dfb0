//! HTTP Digest authentication as Atlas does it (RFC 2617, MD5, `qop="auth"`, realm
//! `MMS Public API`): a 401 challenge, then per-request verification. Clients reuse a nonce
//! with an increasing `nc`, so one nonce serves many requests until it expires (`stale=true`).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use md5::{Digest as _, Md5};
use rand::RngCore;

use crate::AppState;

pub const REALM: &str = "MMS Public API";

/// How long an issued nonce stays valid.
pub const NONCE_TTL: Duration = Duration::from_secs(300);

/// Bound on remembered nonces, so a client that never authenticates cannot grow the table.
const MAX_NONCES: usize = 10_000;

/// The observed 401 body (pretty-printed, no `parameters`).
const UNAUTHORIZED_BODY: &str = "{\n  \"detail\" : \"You are not authorized for this resource.\",\n  \"error\" : 401,\n  \"errorCode\" : \"UNEXPECTED_ERROR\",\n  \"reason\" : \"Unauthorized\"\n}";

/// Who a caller is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    /// A programmatic API key (HTTP Digest); `Caller::id` is the key id.
    ApiKey,
    /// A service account (OAuth bearer token); `Caller::id` is the client id.
    ServiceAccount,
}

/// The authenticated caller, inserted as a request extension for the authorization layer and
/// the handlers that need it (its roles are read from the store when needed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub kind: PrincipalKind,
    pub id: String,
    /// Public key or client id (for logs).
    pub name: String,
}

struct NonceEntry {
    issued: Instant,
    /// `nc` values already used with this nonce (replay protection).
    used: HashSet<u32>,
}

/// Issued nonces.
pub struct NonceTable {
    entries: HashMap<String, NonceEntry>,
    ttl: Duration,
}

impl Default for NonceTable {
    fn default() -> Self {
        Self::with_ttl(NONCE_TTL)
    }
}

/// What checking a nonce said.
#[derive(Debug, PartialEq, Eq)]
pub enum NonceCheck {
    Fresh,
    /// Unknown, expired or replayed: the client should retry with a new nonce.
    Stale,
}

impl NonceTable {
    pub fn with_ttl(ttl: Duration) -> Self {
        Self {
            entries: HashMap::new(),
            ttl,
        }
    }

    /// A new 32-character base64 nonce (24 random bytes).
    pub fn issue(&mut self, rng: &mut impl RngCore) -> String {
        let now = Instant::now();
        let ttl = self.ttl;
        self.entries
            .retain(|_, e| now.duration_since(e.issued) < ttl);
        if self.entries.len() >= MAX_NONCES {
            // Drop the oldest: an evicted client just gets a stale challenge.
            if let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.issued)
                .map(|(k, _)| k.clone())
            {
                self.entries.remove(&oldest);
            }
        }
        let mut bytes = [0u8; 24];
        rng.fill_bytes(&mut bytes);
        let nonce = base64::engine::general_purpose::STANDARD.encode(bytes);
        self.entries.insert(
            nonce.clone(),
            NonceEntry {
                issued: now,
                used: HashSet::new(),
            },
        );
        nonce
    }

    /// Check and record one use of `nonce` with counter `nc`.
    pub fn use_nonce(&mut self, nonce: &str, nc: u32) -> NonceCheck {
        let now = Instant::now();
        let Some(entry) = self.entries.get_mut(nonce) else {
            return NonceCheck::Stale;
        };
        if now.duration_since(entry.issued) >= self.ttl {
            self.entries.remove(nonce);
            return NonceCheck::Stale;
        }
        if !entry.used.insert(nc) {
            return NonceCheck::Stale;
        }
        NonceCheck::Fresh
    }
}

/// The parameters of an `Authorization: Digest ...` header.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DigestParams {
    pub username: String,
    pub realm: String,
    pub nonce: String,
    pub uri: String,
    pub response: String,
    pub qop: Option<String>,
    pub nc: Option<String>,
    pub cnonce: Option<String>,
    pub algorithm: Option<String>,
}

/// Parse `Digest k="v", k=v, ...` (quoted values may contain commas and `\"`).
pub fn parse_digest(header: &str) -> Option<DigestParams> {
    let rest = header.trim();
    let (scheme, mut rest) = rest.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    let mut map: HashMap<String, String> = HashMap::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        if rest.is_empty() {
            break;
        }
        let (key, after) = rest.split_once('=')?;
        let key = key.trim().to_ascii_lowercase();
        let after = after.trim_start();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, next)) = chars.next() {
                            value.push(next);
                        }
                    }
                    '"' => {
                        end = Some(i);
                        break;
                    }
                    c => value.push(c),
                }
            }
            let end = end?;
            (value, &quoted[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        map.insert(key, value);
        rest = remaining;
    }
    let mut take = |k: &str| map.remove(k);
    Some(DigestParams {
        username: take("username")?,
        realm: take("realm")?,
        nonce: take("nonce")?,
        uri: take("uri")?,
        response: take("response")?,
        qop: take("qop"),
        nc: take("nc"),
        cnonce: take("cnonce"),
        algorithm: take("algorithm"),
    })
}

pub fn md5_hex(input: &str) -> String {
    hex::encode(Md5::digest(input.as_bytes()))
}

/// The RFC 2617 HA1 of a user in the Atlas realm: what the sandbox stores instead of a
/// private key.
pub fn ha1(username: &str, password: &str) -> String {
    md5_hex(&format!("{username}:{REALM}:{password}"))
}

/// The qop=auth `response` from a stored HA1.
pub fn response_from_ha1(
    ha1: &str,
    params: &DigestParams,
    method: &str,
    nc: &str,
    cnonce: &str,
) -> String {
    let ha2 = md5_hex(&format!("{method}:{}", params.uri));
    md5_hex(&format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", params.nonce))
}

/// The RFC 2617 `response` for qop=auth.
#[cfg(test)]
pub fn expected_response(
    params: &DigestParams,
    password: &str,
    method: &str,
    nc: &str,
    cnonce: &str,
) -> String {
    let ha1 = md5_hex(&format!(
        "{}:{}:{}",
        params.username, params.realm, password
    ));
    response_from_ha1(&ha1, params, method, nc, cnonce)
}

/// Compare without an early exit (timing does not reveal the matching prefix).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The result of verifying a request's digest.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Ok(Caller),
    /// Correct credentials with an expired/unknown/replayed nonce.
    Stale,
    Denied,
}

/// Verify an `Authorization` header value for `method` and the request's path.
pub fn verify(state: &AppState, header_value: &str, method: &str, request_path: &str) -> Verdict {
    let Some(params) = parse_digest(header_value) else {
        return Verdict::Denied;
    };
    let (Some(qop), Some(nc), Some(cnonce)) = (&params.qop, &params.nc, &params.cnonce) else {
        return Verdict::Denied;
    };
    let algorithm_ok = params
        .algorithm
        .as_deref()
        .is_none_or(|a| a.eq_ignore_ascii_case("MD5"));
    if qop != "auth" || params.realm != REALM || !algorithm_ok {
        return Verdict::Denied;
    }
    // The digest covers `uri`; it must name this request (query may or may not be included).
    let uri_path = params.uri.split('?').next().unwrap_or_default();
    if uri_path != request_path {
        return Verdict::Denied;
    }
    let Ok(nc_value) = u32::from_str_radix(nc, 16) else {
        return Verdict::Denied;
    };
    let Some((key_id, public_key, ha1)) = state.lookup_api_key(&params.username) else {
        return Verdict::Denied;
    };
    let expected = response_from_ha1(&ha1, &params, method, nc, cnonce);
    if !constant_time_eq(
        expected.as_bytes(),
        params.response.to_ascii_lowercase().as_bytes(),
    ) {
        return Verdict::Denied;
    }
    match state.use_nonce(&params.nonce, nc_value) {
        NonceCheck::Fresh => Verdict::Ok(Caller {
            kind: PrincipalKind::ApiKey,
            id: key_id,
            name: public_key,
        }),
        NonceCheck::Stale => Verdict::Stale,
    }
}

/// The 401 challenge with a fresh nonce.
pub fn challenge(state: &AppState, stale: bool) -> Response {
    state.stats().count_challenge();
    let nonce = state.issue_nonce();
    let www = format!(
        "Digest realm=\"{REALM}\", domain=\"\", nonce=\"{nonce}\", algorithm=MD5, qop=\"auth\", stale={stale}"
    );
    let mut resp = (StatusCode::UNAUTHORIZED, UNAUTHORIZED_BODY).into_response();
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&www) {
        headers.insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

/// 401 for a bearer token that is unknown, expired or revoked (RFC 6750 challenge; no digest
/// nonce: the client chose OAuth).
pub fn bearer_refused(state: &AppState) -> Response {
    state.stats().count_auth_failure();
    let mut resp = (StatusCode::UNAUTHORIZED, UNAUTHORIZED_BODY).into_response();
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(
            "Bearer realm=\"MMS Public API\", error=\"invalid_token\", error_description=\"The access token is invalid, expired or revoked\"",
        ),
    );
    resp
}

/// Middleware guarding the API: challenge, or verify (digest, or an OAuth bearer token) and
/// attach the [`Caller`].
pub async fn require_digest(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = crate::router::original_path(&req);
    let header_value = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let Some(header_value) = header_value else {
        return challenge(&state, false);
    };
    if let Some(token) = bearer_token(&header_value) {
        return match crate::oauth::authenticate(&state, token) {
            Some(caller) => {
                req.extensions_mut().insert(caller);
                next.run(req).await
            }
            None => bearer_refused(&state),
        };
    }
    match verify(&state, &header_value, req.method().as_str(), &path) {
        Verdict::Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Verdict::Stale => challenge(&state, true),
        Verdict::Denied => {
            state.stats().count_auth_failure();
            challenge(&state, false)
        }
    }
}

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive).
fn bearer_token(header_value: &str) -> Option<&str> {
    let (scheme, token) = header_value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ha1_response_matches_the_password_response_and_bearer_is_parsed() {
        let p = DigestParams {
            username: "Mufasa".into(),
            realm: REALM.into(),
            nonce: "n".into(),
            uri: "/x".into(),
            ..Default::default()
        };
        assert_eq!(
            response_from_ha1(&ha1("Mufasa", "pw"), &p, "GET", "00000001", "c"),
            expected_response(&p, "pw", "GET", "00000001", "c")
        );
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Digest x=1"), None);
    }

    #[test]
    fn parse_digest_handles_quotes_commas_and_bare_tokens() {
        let h = r#"Digest username="abcdefgh", realm="MMS Public API", nonce="n,o\"x", uri="/api/atlas/v2/groups?a=1,2", qop=auth, nc=00000001, cnonce="c", response="r", algorithm=MD5"#;
        let p = parse_digest(h).expect("parses");
        assert_eq!(p.username, "abcdefgh");
        assert_eq!(p.nonce, "n,o\"x");
        assert_eq!(p.uri, "/api/atlas/v2/groups?a=1,2");
        assert_eq!(p.qop.as_deref(), Some("auth"));
        assert_eq!(p.nc.as_deref(), Some("00000001"));
        assert_eq!(p.algorithm.as_deref(), Some("MD5"));
        assert!(parse_digest("Basic abc").is_none());
        assert!(parse_digest("Digest username=\"x\"").is_none());
    }

    #[test]
    fn expected_response_matches_rfc2617_example() {
        // RFC 2617 §3.5 example (qop=auth).
        let p = DigestParams {
            username: "Mufasa".into(),
            realm: "testrealm@host.com".into(),
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093".into(),
            uri: "/dir/index.html".into(),
            ..Default::default()
        };
        let r = expected_response(&p, "Circle Of Life", "GET", "00000001", "0a4f113b");
        assert_eq!(r, "6629fae49393a05397450978507c4ef1");
    }

    #[test]
    fn nonce_reuse_with_new_nc_is_fresh_and_replay_is_stale() {
        let mut t = NonceTable::default();
        let mut rng = rand::rng();
        let n = t.issue(&mut rng);
        assert_eq!(n.len(), 32);
        assert_eq!(t.use_nonce(&n, 1), NonceCheck::Fresh);
        assert_eq!(t.use_nonce(&n, 2), NonceCheck::Fresh);
        assert_eq!(t.use_nonce(&n, 2), NonceCheck::Stale);
        assert_eq!(t.use_nonce("unknown", 1), NonceCheck::Stale);
    }

    #[test]
    fn expired_nonce_is_stale() {
        let mut t = NonceTable::with_ttl(Duration::ZERO);
        let n = t.issue(&mut rand::rng());
        assert_eq!(t.use_nonce(&n, 1), NonceCheck::Stale);
    }
}
