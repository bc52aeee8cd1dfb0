//! HTTP Digest authentication as Atlas does it (RFC 2617, MD5, `qop="auth"`, realm
//! `MMS Public API`): a 401 challenge, then per-request verification. Clients reuse a nonce
//! with an increasing `nc`, so one nonce serves many requests until it expires (`stale=true`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
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

/// The authenticated caller, inserted as a request extension for the authorization step and
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
    used: UsedCounters,
}

/// A set of `nc` values kept as sorted, disjoint, non-adjacent inclusive ranges: clients count
/// up, so the set stays one range or a few however many requests a nonce serves.
#[derive(Debug, Default)]
struct UsedCounters(Vec<(u32, u32)>);

impl UsedCounters {
    /// Record `nc`; false if it was already there.
    fn insert(&mut self, nc: u32) -> bool {
        let ranges = &mut self.0;
        // The first range that ends at or after `nc`.
        let i = ranges.partition_point(|&(_, end)| end < nc);
        if ranges.get(i).is_some_and(|&(start, _)| start <= nc) {
            return false;
        }
        let joins_prev = i > 0 && ranges[i - 1].1.checked_add(1) == Some(nc);
        let joins_next = ranges
            .get(i)
            .is_some_and(|&(start, _)| nc.checked_add(1) == Some(start));
        match (joins_prev, joins_next) {
            (true, true) => {
                ranges[i - 1].1 = ranges[i].1;
                ranges.remove(i);
            }
            (true, false) => ranges[i - 1].1 = nc,
            (false, true) => ranges[i].0 = nc,
            (false, false) => ranges.insert(i, (nc, nc)),
        }
        true
    }
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
                used: UsedCounters::default(),
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

/// The parameters of an `Authorization: Digest ...` header (borrowed from it unless a quoted
/// value had escapes).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DigestParams<'a> {
    pub username: Cow<'a, str>,
    pub realm: Cow<'a, str>,
    pub nonce: Cow<'a, str>,
    pub uri: Cow<'a, str>,
    pub response: Cow<'a, str>,
    pub qop: Option<Cow<'a, str>>,
    pub nc: Option<Cow<'a, str>>,
    pub cnonce: Option<Cow<'a, str>>,
    pub algorithm: Option<Cow<'a, str>>,
}

/// Parse `Digest k="v", k=v, ...` (quoted values may contain commas and `\"`). Keys are
/// case-insensitive; a repeated key keeps its last value; unknown keys are ignored.
pub fn parse_digest(header: &str) -> Option<DigestParams<'_>> {
    let rest = header.trim();
    let (scheme, mut rest) = rest.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    let mut username = None;
    let mut realm = None;
    let mut nonce = None;
    let mut uri = None;
    let mut response = None;
    let mut p = DigestParams::default();
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        if rest.is_empty() {
            break;
        }
        let (key, after) = rest.split_once('=')?;
        let key = key.trim();
        let after = after.trim_start();
        let (value, remaining): (Cow<'_, str>, &str) = if let Some(quoted) = after.strip_prefix('"')
        {
            let end = quoted_end(quoted)?;
            let raw = &quoted[..end];
            let value = if raw.contains('\\') {
                Cow::Owned(unescape(raw))
            } else {
                Cow::Borrowed(raw)
            };
            (value, &quoted[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (Cow::Borrowed(after[..end].trim()), &after[end..])
        };
        let is = |name: &str| key.eq_ignore_ascii_case(name);
        let slot = if is("username") {
            &mut username
        } else if is("realm") {
            &mut realm
        } else if is("nonce") {
            &mut nonce
        } else if is("uri") {
            &mut uri
        } else if is("response") {
            &mut response
        } else if is("qop") {
            &mut p.qop
        } else if is("nc") {
            &mut p.nc
        } else if is("cnonce") {
            &mut p.cnonce
        } else if is("algorithm") {
            &mut p.algorithm
        } else {
            rest = remaining;
            continue;
        };
        *slot = Some(value);
        rest = remaining;
    }
    p.username = username?;
    p.realm = realm?;
    p.nonce = nonce?;
    p.uri = uri?;
    p.response = response?;
    Some(p)
}

/// The index of the closing quote of a quoted value (`quoted` starts after the opening one).
fn quoted_end(quoted: &str) -> Option<usize> {
    let bytes = quoted.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// A quoted value without its `\` escapes.
fn unescape(raw: &str) -> String {
    let mut value = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    value.push(next);
                }
            }
            c => value.push(c),
        }
    }
    value
}

pub fn md5_hex(input: &str) -> String {
    hex::encode(Md5::digest(input.as_bytes()))
}

/// The RFC 2617 HA1 of a user in the Atlas realm: what the sandbox stores instead of a
/// private key.
pub fn ha1(username: &str, password: &str) -> String {
    md5_hex(&format!("{username}:{REALM}:{password}"))
}

/// MD5 of the parts joined by `:`, as 32 lower-case hex digits (no allocation).
fn md5_hex_joined(parts: &[&[u8]]) -> [u8; 32] {
    let mut md5 = Md5::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            md5.update(b":");
        }
        md5.update(part);
    }
    let mut out = [0u8; 32];
    // Cannot fail: 16 bytes are 32 hex digits.
    let _ = hex::encode_to_slice(md5.finalize(), &mut out);
    out
}

/// The qop=auth `response` from a stored HA1 (32 lower-case hex digits).
fn response_bytes(
    ha1: &str,
    params: &DigestParams,
    method: &str,
    nc: &str,
    cnonce: &str,
) -> [u8; 32] {
    let ha2 = md5_hex_joined(&[method.as_bytes(), params.uri.as_bytes()]);
    md5_hex_joined(&[
        ha1.as_bytes(),
        params.nonce.as_bytes(),
        nc.as_bytes(),
        cnonce.as_bytes(),
        b"auth",
        &ha2,
    ])
}

/// The qop=auth `response` from a stored HA1.
#[cfg(test)]
pub fn response_from_ha1(
    ha1: &str,
    params: &DigestParams,
    method: &str,
    nc: &str,
    cnonce: &str,
) -> String {
    let r = response_bytes(ha1, params, method, nc, cnonce);
    String::from_utf8_lossy(&r).into_owned()
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

/// Compare `a` with `b` ASCII-lower-cased, without an early exit (timing does not reveal the
/// matching prefix).
fn constant_time_eq_lowercased(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .fold(0u8, |acc, (x, y)| acc | (x ^ y.to_ascii_lowercase()))
            == 0
}

/// The result of verifying a request's digest.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Ok(Caller),
    /// Correct credentials with an expired/unknown/replayed nonce.
    Stale,
    Denied,
}

/// Verify an `Authorization` header value for `method` and the request target (path and
/// query, as sent).
pub fn verify(state: &AppState, header_value: &str, method: &str, request_target: &str) -> Verdict {
    let Some(params) = parse_digest(header_value) else {
        return Verdict::Denied;
    };
    let (Some(qop), Some(nc), Some(cnonce)) = (
        params.qop.as_deref(),
        params.nc.as_deref(),
        params.cnonce.as_deref(),
    ) else {
        return Verdict::Denied;
    };
    let algorithm_ok = params
        .algorithm
        .as_deref()
        .is_none_or(|a| a.eq_ignore_ascii_case("MD5"));
    if qop != "auth" || params.realm != REALM || !algorithm_ok {
        return Verdict::Denied;
    }
    // The digest covers `uri`: it must be this request's target, query included (RFC 7616
    // 3.4.6), or a response signed for `?a=1` would authenticate `?a=2`.
    if params.uri != request_target {
        return Verdict::Denied;
    }
    let Ok(nc_value) = u32::from_str_radix(nc, 16) else {
        return Verdict::Denied;
    };
    // Under the store's lock: the key's ids are cloned only when the response is right.
    let caller = state.with_api_key(&params.username, |key_id, public_key, ha1| {
        let expected = response_bytes(ha1, &params, method, nc, cnonce);
        constant_time_eq_lowercased(&expected, params.response.as_bytes()).then(|| Caller {
            kind: PrincipalKind::ApiKey,
            id: key_id.to_string(),
            name: public_key.to_string(),
        })
    });
    let Some(Some(caller)) = caller else {
        return Verdict::Denied;
    };
    match state.use_nonce(&params.nonce, nc_value) {
        NonceCheck::Fresh => Verdict::Ok(caller),
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

/// The API's guard (first step of the API pipeline, see the router): the [`Caller`] of a
/// request with valid digest credentials or an OAuth bearer token, else the challenge or
/// refusal to answer (boxed: the rare path).
pub fn authenticate(state: &AppState, req: &Request) -> Result<Caller, Box<Response>> {
    let Some(header_value) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Err(Box::new(challenge(state, false)));
    };
    if let Some(token) = bearer_token(header_value) {
        return crate::oauth::authenticate(state, token)
            .ok_or_else(|| Box::new(bearer_refused(state)));
    }
    let target = req
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| req.uri(), |u| &u.0)
        .path_and_query()
        .map_or("/", |pq| pq.as_str());
    match verify(state, header_value, req.method().as_str(), target) {
        Verdict::Ok(caller) => Ok(caller),
        Verdict::Stale => Err(Box::new(challenge(state, true))),
        Verdict::Denied => {
            state.stats().count_auth_failure();
            Err(Box::new(challenge(state, false)))
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
    fn used_counters_remember_every_nc_in_any_order() {
        let mut u = UsedCounters::default();
        for nc in [1, 2, 3, 7, 5, 6, 0, 4, u32::MAX, 9] {
            assert!(u.insert(nc), "{nc} is new");
        }
        assert_eq!(u.0, vec![(0, 7), (9, 9), (u32::MAX, u32::MAX)]);
        for nc in [0, 1, 4, 7, 9, u32::MAX] {
            assert!(!u.insert(nc), "{nc} was used");
        }
        assert!(u.insert(8));
        assert!(u.insert(u32::MAX - 1));
        assert_eq!(u.0, vec![(0, 9), (u32::MAX - 1, u32::MAX)]);
    }

    #[test]
    fn parse_digest_borrows_and_keeps_the_last_repeated_key() {
        let h = r#"digest USERNAME=a, realm="r", nonce="n", uri="/u", response="x", nc=1, nc=2, foo="b\"ar""#;
        let p = parse_digest(h).expect("parses");
        assert!(matches!(p.username, Cow::Borrowed("a")));
        assert_eq!(p.nc.as_deref(), Some("2"));
        assert!(parse_digest(r#"Digest username="a\"#).is_none());
    }

    #[test]
    fn expired_nonce_is_stale() {
        let mut t = NonceTable::with_ttl(Duration::ZERO);
        let n = t.issue(&mut rand::rng());
        assert_eq!(t.use_nonce(&n, 1), NonceCheck::Stale);
    }
}
