//! HTTP Digest access authentication (RFC 2617: MD5 / MD5-sess, `qop=auth`).
//!
//! The first request goes without credentials; the server answers 401 with a
//! `WWW-Authenticate: Digest …` challenge, which we answer and then cache. Later requests send
//! `Authorization` preemptively with the cached nonce and an incrementing nonce count, so they
//! cost one round trip. When the server rejects a cached nonce (`stale=true`, expiry), the new
//! challenge replaces the cached one and the request is retried once.

use std::fmt::Write as _;
use std::sync::Mutex;

use md5::{Digest as _, Md5};
use reqwest::header::{HeaderMap, WWW_AUTHENTICATE};
use reqwest::Method;

use super::auth::Secret;

/// A parsed `Digest` challenge.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Challenge {
    pub realm: String,
    pub nonce: String,
    pub opaque: Option<String>,
    /// `MD5` or `MD5-sess` (as sent by the server; `None` means MD5).
    pub algorithm: Option<String>,
    /// The qop we use: `Some("auth")` when the server offers it, `None` for RFC 2069 mode.
    pub qop: Option<String>,
    pub stale: bool,
}

impl Challenge {
    /// Parses the first `Digest` challenge in a `WWW-Authenticate` value. Handles quoted and
    /// unquoted parameters, escaped characters and commas inside quoted values, and other
    /// schemes in the same header.
    pub(crate) fn parse(header: &str) -> Option<Challenge> {
        let mut chars = header.char_indices().peekable();
        let bytes = header;
        // Find a "Digest" scheme token at the start of a challenge.
        let mut start = None;
        let mut at_challenge_start = true;
        let mut in_quotes = false;
        while let Some((i, c)) = chars.next() {
            if in_quotes {
                if c == '\\' {
                    chars.next();
                } else if c == '"' {
                    in_quotes = false;
                }
                continue;
            }
            match c {
                '"' => in_quotes = true,
                ',' => at_challenge_start = true,
                c if c.is_whitespace() => {}
                _ => {
                    if at_challenge_start {
                        let rest = &bytes[i..];
                        let token_len = rest
                            .find(|ch: char| ch.is_whitespace() || ch == ',' || ch == '=')
                            .unwrap_or(rest.len());
                        let token = &rest[..token_len];
                        let after = rest[token_len..].trim_start();
                        // A scheme is a token not followed by '='.
                        if !after.starts_with('=') && token.eq_ignore_ascii_case("digest") {
                            start = Some(i + token_len);
                            break;
                        }
                    }
                    at_challenge_start = false;
                }
            }
        }
        let params = parse_params(&header[start?..]);

        let mut ch = Challenge::default();
        let mut nonce = None;
        let mut qop_offered: Option<String> = None;
        for (k, v) in params {
            match k.to_ascii_lowercase().as_str() {
                "realm" => ch.realm = v,
                "nonce" => nonce = Some(v),
                "opaque" => ch.opaque = Some(v),
                "algorithm" => ch.algorithm = Some(v),
                "qop" => qop_offered = Some(v),
                "stale" => ch.stale = v.eq_ignore_ascii_case("true"),
                _ => {}
            }
        }
        ch.nonce = nonce?;
        if let Some(alg) = &ch.algorithm {
            if !alg.eq_ignore_ascii_case("md5") && !alg.eq_ignore_ascii_case("md5-sess") {
                return None; // SHA-256 etc.: not supported by Atlas, not by us.
            }
        }
        ch.qop = match qop_offered {
            None => None,
            Some(list) => {
                if list
                    .split(',')
                    .any(|q| q.trim().eq_ignore_ascii_case("auth"))
                {
                    Some("auth".to_owned())
                } else {
                    return None; // only auth-int offered
                }
            }
        };
        Some(ch)
    }

    fn is_sess(&self) -> bool {
        self.algorithm
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case("md5-sess"))
    }
}

/// Parses `k=v, k="v", …` up to the next challenge scheme (a token not followed by `=`).
fn parse_params(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        let key_end = rest
            .find(|c: char| c == '=' || c == ',' || c.is_whitespace())
            .unwrap_or(rest.len());
        let key = &rest[..key_end];
        let after = rest[key_end..].trim_start();
        let Some(after_eq) = after.strip_prefix('=') else {
            break; // next scheme
        };
        let after_eq = after_eq.trim_start();
        let (value, remaining) = if let Some(quoted) = after_eq.strip_prefix('"') {
            let mut value = String::new();
            let mut end = quoted.len();
            let mut it = quoted.char_indices();
            while let Some((i, c)) = it.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = it.next() {
                            value.push(n);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    _ => value.push(c),
                }
            }
            (value, &quoted[end.min(quoted.len())..])
        } else {
            let end = after_eq.find(',').unwrap_or(after_eq.len());
            (after_eq[..end].trim().to_owned(), &after_eq[end..])
        };
        out.push((key.to_owned(), value));
        rest = remaining;
    }
    out
}

fn md5_hex(input: &str) -> String {
    hex::encode(Md5::digest(input.as_bytes()))
}

/// The `response` value of RFC 2617 §3.2.2.1.
pub(crate) fn compute_response(
    challenge: &Challenge,
    username: &str,
    password: &str,
    method: &str,
    uri: &str,
    nc: &str,
    cnonce: &str,
) -> String {
    let mut ha1 = md5_hex(&format!("{username}:{}:{password}", challenge.realm));
    if challenge.is_sess() {
        ha1 = md5_hex(&format!("{ha1}:{}:{cnonce}", challenge.nonce));
    }
    let ha2 = md5_hex(&format!("{method}:{uri}"));
    match &challenge.qop {
        Some(qop) => md5_hex(&format!(
            "{ha1}:{}:{nc}:{cnonce}:{qop}:{ha2}",
            challenge.nonce
        )),
        None => md5_hex(&format!("{ha1}:{}:{ha2}", challenge.nonce)),
    }
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Builds the `Authorization` header value.
pub(crate) fn authorization_header(
    challenge: &Challenge,
    username: &str,
    password: &str,
    method: &str,
    uri: &str,
    nc: u32,
    cnonce: &str,
) -> String {
    let nc = format!("{nc:08x}");
    let response = compute_response(challenge, username, password, method, uri, &nc, cnonce);
    let mut h = format!(
        "Digest username={}, realm={}, nonce={}, uri={}",
        quote(username),
        quote(&challenge.realm),
        quote(&challenge.nonce),
        quote(uri)
    );
    if let Some(alg) = &challenge.algorithm {
        let _ = write!(h, ", algorithm={alg}");
    }
    if let Some(qop) = &challenge.qop {
        let _ = write!(h, ", qop={qop}, nc={nc}, cnonce={}", quote(cnonce));
    }
    let _ = write!(h, ", response={}", quote(&response));
    if let Some(opaque) = &challenge.opaque {
        let _ = write!(h, ", opaque={}", quote(opaque));
    }
    h
}

fn new_cnonce() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

#[derive(Debug)]
struct Cached {
    challenge: Challenge,
    /// Last nonce count used with `challenge.nonce`.
    nc: u32,
}

/// Digest state of one client: the credentials and the cached challenge.
pub(crate) struct DigestAuth {
    username: String,
    password: Secret,
    cached: Mutex<Option<Cached>>,
}

impl std::fmt::Debug for DigestAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DigestAuth")
            .field("username", &self.username)
            .field("password", &self.password)
            .finish_non_exhaustive()
    }
}

impl DigestAuth {
    pub(crate) fn new(username: String, password: Secret) -> Self {
        DigestAuth {
            username,
            password,
            cached: Mutex::new(None),
        }
    }

    /// Reserves the next nonce count for the cached challenge. The lock makes `nc` unique per
    /// request even under concurrency.
    fn next(&self) -> Option<(Challenge, u32)> {
        let mut guard = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        let cached = guard.as_mut()?;
        cached.nc = cached.nc.checked_add(1)?;
        Some((cached.challenge.clone(), cached.nc))
    }

    fn header(&self, challenge: &Challenge, nc: u32, method: &Method, uri: &str) -> String {
        authorization_header(
            challenge,
            &self.username,
            self.password.expose_secret(),
            method.as_str(),
            uri,
            nc,
            &new_cnonce(),
        )
    }

    /// Header for a request sent before any 401, from the cached challenge.
    pub(crate) fn preemptive(&self, method: &Method, uri: &str) -> Option<String> {
        let (challenge, nc) = self.next()?;
        Some(self.header(&challenge, nc, method, uri))
    }

    /// Takes the challenge of a 401, caches it and returns the header to retry with.
    pub(crate) fn answer_challenge(
        &self,
        method: &Method,
        uri: &str,
        headers: &HeaderMap,
    ) -> Option<String> {
        let challenge = headers
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(Challenge::parse)?;
        let (challenge, nc) = {
            let mut guard = self.cached.lock().unwrap_or_else(|p| p.into_inner());
            match guard.as_mut() {
                // Another request already installed this nonce: keep counting from it.
                Some(c) if c.challenge.nonce == challenge.nonce => {
                    c.nc = c.nc.checked_add(1)?;
                    (c.challenge.clone(), c.nc)
                }
                _ => {
                    *guard = Some(Cached {
                        challenge: challenge.clone(),
                        nc: 1,
                    });
                    (challenge, 1)
                }
            }
        };
        Some(self.header(&challenge, nc, method, uri))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn rfc_challenge() -> Challenge {
        Challenge {
            realm: "testrealm@host.com".into(),
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093".into(),
            opaque: Some("5ccc069c403ebaf9f0171e9517f40e41".into()),
            algorithm: None,
            qop: Some("auth".into()),
            stale: false,
        }
    }

    #[test]
    fn digest_response_matches_rfc2617_example() {
        // RFC 2617 §3.5.
        let r = compute_response(
            &rfc_challenge(),
            "Mufasa",
            "Circle Of Life",
            "GET",
            "/dir/index.html",
            "00000001",
            "0a4f113b",
        );
        assert_eq!(r, "6629fae49393a05397450978507c4ef1");
    }

    #[test]
    fn digest_header_contains_all_fields() {
        let h = authorization_header(
            &rfc_challenge(),
            "Mufasa",
            "Circle Of Life",
            "GET",
            "/dir/index.html",
            1,
            "0a4f113b",
        );
        assert_eq!(
            h,
            "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", \
             nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", qop=auth, \
             nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", \
             opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""
        );
    }

    #[test]
    fn digest_rfc2069_mode_without_qop() {
        let mut c = rfc_challenge();
        c.qop = None;
        let ha1 = md5_hex("Mufasa:testrealm@host.com:Circle Of Life");
        let ha2 = md5_hex("GET:/dir/index.html");
        let expected = md5_hex(&format!("{ha1}:{}:{ha2}", c.nonce));
        let r = compute_response(
            &c,
            "Mufasa",
            "Circle Of Life",
            "GET",
            "/dir/index.html",
            "",
            "",
        );
        assert_eq!(r, expected);
    }

    #[test]
    fn digest_md5_sess_hashes_ha1_with_nonce_and_cnonce() {
        let mut c = rfc_challenge();
        c.algorithm = Some("MD5-sess".into());
        let ha1 = md5_hex(&format!(
            "{}:{}:0a4f113b",
            md5_hex("Mufasa:testrealm@host.com:Circle Of Life"),
            c.nonce
        ));
        let ha2 = md5_hex("GET:/dir/index.html");
        let expected = md5_hex(&format!("{ha1}:{}:00000001:0a4f113b:auth:{ha2}", c.nonce));
        let r = compute_response(
            &c,
            "Mufasa",
            "Circle Of Life",
            "GET",
            "/dir/index.html",
            "00000001",
            "0a4f113b",
        );
        assert_eq!(r, expected);
    }

    #[test]
    fn challenge_parses_atlas_header() {
        let c = Challenge::parse(
            r#"Digest realm="MMS Public API", domain="", nonce="cPXx3Lq9HbP1yWVjZsZJcvNyGHNd0LXw", algorithm=MD5, qop="auth", stale=false"#,
        );
        assert_eq!(
            c,
            Some(Challenge {
                realm: "MMS Public API".into(),
                nonce: "cPXx3Lq9HbP1yWVjZsZJcvNyGHNd0LXw".into(),
                opaque: None,
                algorithm: Some("MD5".into()),
                qop: Some("auth".into()),
                stale: false,
            })
        );
    }

    #[test]
    fn challenge_parses_commas_and_escapes_in_quoted_values() {
        let c = Challenge::parse(
            r#"digest realm="a, \"b\" c",nonce=abc123 , qop="auth-int,auth", opaque="x,y",stale=TRUE"#,
        );
        let c = c.unwrap_or_default();
        assert_eq!(c.realm, "a, \"b\" c");
        assert_eq!(c.nonce, "abc123");
        assert_eq!(c.qop.as_deref(), Some("auth"));
        assert_eq!(c.opaque.as_deref(), Some("x,y"));
        assert!(c.stale);
    }

    #[test]
    fn challenge_found_after_other_scheme() {
        let c =
            Challenge::parse(r#"Basic realm="Digest x, nonce=no", Digest realm="r", nonce="n1""#);
        assert_eq!(
            c.map(|c| (c.realm, c.nonce)),
            Some(("r".into(), "n1".into()))
        );
    }

    #[test]
    fn challenge_rejects_non_digest_and_unsupported() {
        assert_eq!(Challenge::parse(r#"Basic realm="x""#), None);
        assert_eq!(Challenge::parse(r#"Digest realm="x""#), None); // no nonce
        assert_eq!(
            Challenge::parse(r#"Digest realm="x", nonce="n", algorithm=SHA-256"#),
            None
        );
        assert_eq!(
            Challenge::parse(r#"Digest realm="x", nonce="n", qop="auth-int""#),
            None
        );
    }

    #[test]
    fn digest_auth_caches_challenge_and_increments_nc() {
        let d = DigestAuth::new("user".into(), Secret::new("pass"));
        assert!(d.preemptive(&Method::GET, "/a").is_none());
        let mut headers = HeaderMap::new();
        headers.insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static(
                r#"Digest realm="MMS Public API", nonce="n1", algorithm=MD5, qop="auth""#,
            ),
        );
        let first = d
            .answer_challenge(&Method::GET, "/a", &headers)
            .unwrap_or_default();
        assert!(first.contains("nc=00000001"), "{first}");
        let second = d.preemptive(&Method::GET, "/b").unwrap_or_default();
        assert!(second.contains("nc=00000002"), "{second}");
        assert!(second.contains(r#"uri="/b""#));
        // Same nonce answered again (a concurrent first request): counting continues.
        let third = d
            .answer_challenge(&Method::GET, "/c", &headers)
            .unwrap_or_default();
        assert!(third.contains("nc=00000003"), "{third}");
        // A new nonce resets the count.
        headers.insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static(
                r#"Digest realm="MMS Public API", nonce="n2", qop="auth", stale=true"#,
            ),
        );
        let fourth = d
            .answer_challenge(&Method::GET, "/d", &headers)
            .unwrap_or_default();
        assert!(
            fourth.contains("nc=00000001") && fourth.contains(r#"nonce="n2""#),
            "{fourth}"
        );
    }

    #[test]
    fn digest_nc_unique_across_threads() {
        let d = std::sync::Arc::new(DigestAuth::new("u".into(), Secret::new("p")));
        let mut headers = HeaderMap::new();
        headers.insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Digest realm="r", nonce="n", qop="auth""#),
        );
        let _ = d.answer_challenge(&Method::GET, "/", &headers);
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let d = d.clone();
                std::thread::spawn(move || {
                    (0..50)
                        .filter_map(|_| d.next().map(|(_, nc)| nc))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<u32> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 400);
    }

    #[test]
    fn cnonce_is_fresh() {
        assert_ne!(new_cnonce(), new_cnonce());
        assert_eq!(new_cnonce().len(), 32);
    }
}
