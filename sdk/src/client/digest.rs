//! HTTP Digest access authentication (RFC 2617: MD5 / MD5-sess, `qop=auth`).
//!
//! The first request goes without credentials; the server answers 401 with a
//! `WWW-Authenticate: Digest …` challenge, which we answer and then cache. Later requests send
//! `Authorization` preemptively with the cached nonce and an incrementing nonce count, so they
//! cost one round trip. When the server rejects a cached nonce (`stale=true`, expiry), the new
//! challenge replaces the cached one and the request is retried once.
//!
//! The first challenge is fetched once for concurrent requests (see [`DigestAuth`]): on a
//! fresh client, N concurrent calls cost N + 1 requests.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use md5::{Digest as _, Md5};
use reqwest::header::{HeaderMap, WWW_AUTHENTICATE};
use reqwest::Method;
use tokio::sync::Notify;

use super::auth::Secret;
use crate::{Error, Result};

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

#[derive(Debug, Default)]
struct State {
    cached: Option<Cached>,
    /// No nonce is known and one request is out fetching the first challenge (it holds the
    /// [`ChallengeLease`]).
    fetching: bool,
    /// Bumped each time a fetch ends without a nonce being cached (a non-401 answer, an
    /// unusable challenge, a transport error): the requests that waited for it then go on
    /// their own.
    failed_fetches: u64,
}

/// Digest state of one client: the credentials and the cached challenge.
///
/// The first challenge is single-flight: while no nonce is known, one request goes out
/// without credentials to fetch it and concurrent requests wait for that challenge, then send
/// with the shared nonce and their own nonce count (N concurrent first calls cost N + 1
/// requests, not 2N). If the fetching request is dropped (cancelled) a waiter takes over; if
/// it ends without a challenge the waiters go unauthenticated on their own, as without
/// sharing. A waiter waits at most the request timeout.
pub(crate) struct DigestAuth {
    username: String,
    password: Secret,
    state: Mutex<State>,
    /// Wakes the requests waiting for the first challenge.
    fetch_done: Notify,
    /// Longest a request waits for another's challenge (the client's request timeout).
    wait_limit: Option<Duration>,
}

impl std::fmt::Debug for DigestAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DigestAuth")
            .field("username", &self.username)
            .field("password", &self.password)
            .finish_non_exhaustive()
    }
}

/// How to send a request with digest credentials.
pub(crate) enum Start<'a> {
    /// With this `Authorization` value (the cached nonce, a fresh nonce count).
    Header(String),
    /// Without credentials: no nonce is known and this request fetches the challenge for
    /// everyone. Keep the lease until its answer has been handled.
    Fetch(ChallengeLease<'a>),
    /// Without credentials, on its own (the shared fetch ended without a challenge).
    Unauthenticated,
}

/// Held by the request fetching the first challenge. [`ChallengeLease::finish`] once its
/// response (or transport error) has been handled: waiters then use the cached nonce, or go on
/// their own if there is none. Dropped without `finish` (the request was cancelled), it hands
/// the fetch to one of the waiters.
pub(crate) struct ChallengeLease<'a> {
    auth: &'a DigestAuth,
    finished: bool,
}

impl ChallengeLease<'_> {
    /// The fetching request got its answer (or failed): release the waiters.
    pub(crate) fn finish(mut self) {
        self.finished = true;
    }
}

impl Drop for ChallengeLease<'_> {
    fn drop(&mut self) {
        {
            let mut st = self.auth.lock();
            st.fetching = false;
            if self.finished && st.cached.is_none() {
                st.failed_fetches = st.failed_fetches.wrapping_add(1);
            }
        }
        self.auth.fetch_done.notify_waiters();
    }
}

impl DigestAuth {
    pub(crate) fn new(username: String, password: Secret, wait_limit: Option<Duration>) -> Self {
        DigestAuth {
            username,
            password,
            state: Mutex::new(State::default()),
            fetch_done: Notify::new(),
            wait_limit,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reserves the next nonce count for the cached challenge. The lock makes `nc` unique per
    /// request even under concurrency.
    fn next(st: &mut State) -> Option<(Challenge, u32)> {
        let cached = st.cached.as_mut()?;
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

    /// How to send a request before any 401: with the cached challenge if there is one;
    /// otherwise fetch it, or wait for the request already fetching it (at most the request
    /// timeout: then [`Error::Timeout`]).
    pub(crate) async fn start(&self, method: &Method, uri: &str) -> Result<Start<'_>> {
        let decided = self.decide(method, uri);
        match self.wait_limit {
            None => Ok(decided.await),
            Some(limit) => tokio::time::timeout(limit, decided)
                .await
                .map_err(|_| Error::Timeout {
                    operation: format!(
                        "{method} {uri} (waiting {limit:?} for the digest challenge fetched by a \
                         concurrent request)"
                    ),
                }),
        }
    }

    async fn decide(&self, method: &Method, uri: &str) -> Start<'_> {
        // The `failed_fetches` count when this request started waiting.
        let mut waiting_since = None;
        loop {
            // Registered before the state is read, so a wake-up in between is not lost.
            let done = self.fetch_done.notified();
            let mut done = std::pin::pin!(done);
            done.as_mut().enable();
            {
                let mut st = self.lock();
                if st.cached.is_some() {
                    let next = Self::next(&mut st);
                    drop(st);
                    return match next {
                        Some((challenge, nc)) => {
                            Start::Header(self.header(&challenge, nc, method, uri))
                        }
                        // Nonce count exhausted: let the server issue a new nonce.
                        None => Start::Unauthenticated,
                    };
                }
                if waiting_since.is_some_and(|n| n != st.failed_fetches) {
                    return Start::Unauthenticated;
                }
                if !st.fetching {
                    st.fetching = true;
                    return Start::Fetch(ChallengeLease {
                        auth: self,
                        finished: false,
                    });
                }
                waiting_since = Some(st.failed_fetches);
            }
            done.await;
        }
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
            let mut st = self.lock();
            match st.cached.as_mut() {
                // Another request already installed this nonce: keep counting from it.
                Some(c) if c.challenge.nonce == challenge.nonce => {
                    c.nc = c.nc.checked_add(1)?;
                    (c.challenge.clone(), c.nc)
                }
                _ => {
                    st.cached = Some(Cached {
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

    fn challenge_headers(nonce: &str, stale: bool) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = format!(
            r#"Digest realm="MMS Public API", nonce="{nonce}", algorithm=MD5, qop="auth", stale={stale}"#
        );
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(WWW_AUTHENTICATE, v);
        }
        headers
    }

    /// The header of a `Start::Header`, panicking on anything else.
    fn header_of(start: Start<'_>) -> String {
        match start {
            Start::Header(h) => h,
            Start::Fetch(_) => panic!("expected a header, got Fetch"),
            Start::Unauthenticated => panic!("expected a header, got Unauthenticated"),
        }
    }

    fn lease_of(start: Result<Start<'_>>) -> ChallengeLease<'_> {
        match start {
            Ok(Start::Fetch(lease)) => lease,
            Ok(Start::Header(h)) => panic!("expected Fetch, got a header {h}"),
            Ok(Start::Unauthenticated) => panic!("expected Fetch, got Unauthenticated"),
            Err(e) => panic!("expected Fetch, got {e}"),
        }
    }

    const PENDING: Duration = Duration::from_millis(30);

    #[tokio::test]
    async fn digest_auth_caches_challenge_and_increments_nc() {
        let d = DigestAuth::new("user".into(), Secret::new("pass"), None);
        let lease = lease_of(d.start(&Method::GET, "/a").await);
        let headers = challenge_headers("n1", false);
        let first = d
            .answer_challenge(&Method::GET, "/a", &headers)
            .unwrap_or_default();
        lease.finish();
        assert!(first.contains("nc=00000001"), "{first}");
        let second = header_of(
            d.start(&Method::GET, "/b")
                .await
                .unwrap_or_else(|e| panic!("{e}")),
        );
        assert!(second.contains("nc=00000002"), "{second}");
        assert!(second.contains(r#"uri="/b""#));
        // Same nonce answered again (a concurrent first request): counting continues.
        let third = d
            .answer_challenge(&Method::GET, "/c", &headers)
            .unwrap_or_default();
        assert!(third.contains("nc=00000003"), "{third}");
        // A new nonce resets the count.
        let fourth = d
            .answer_challenge(&Method::GET, "/d", &challenge_headers("n2", true))
            .unwrap_or_default();
        assert!(
            fourth.contains("nc=00000001") && fourth.contains(r#"nonce="n2""#),
            "{fourth}"
        );
    }

    #[tokio::test]
    async fn digest_first_challenge_is_single_flight() {
        let d = DigestAuth::new("u".into(), Secret::new("p"), None);
        let lease = lease_of(d.start(&Method::GET, "/leader").await);
        let waiter = d.start(&Method::GET, "/waiter");
        let mut waiter = std::pin::pin!(waiter);
        assert!(
            tokio::time::timeout(PENDING, &mut waiter).await.is_err(),
            "a second request waits while the first fetches the challenge"
        );
        let leader = d.answer_challenge(&Method::GET, "/leader", &challenge_headers("n1", false));
        assert!(leader.is_some_and(|h| h.contains("nc=00000001")));
        // Released as soon as the leader has the challenge, before its re-send completes.
        lease.finish();
        let h = header_of(waiter.await.unwrap_or_else(|e| panic!("{e}")));
        assert!(
            h.contains(r#"nonce="n1""#) && h.contains("nc=00000002"),
            "{h}"
        );
    }

    #[tokio::test]
    async fn digest_dropped_leader_hands_the_fetch_to_one_waiter() {
        let d = DigestAuth::new("u".into(), Secret::new("p"), None);
        let lease = lease_of(d.start(&Method::GET, "/a").await);
        let w1 = d.start(&Method::GET, "/b");
        let w2 = d.start(&Method::GET, "/c");
        let (mut w1, mut w2) = (std::pin::pin!(w1), std::pin::pin!(w2));
        assert!(tokio::time::timeout(PENDING, &mut w1).await.is_err());
        assert!(tokio::time::timeout(PENDING, &mut w2).await.is_err());
        drop(lease); // the leader's future was cancelled
        let new_leader = lease_of(w1.await);
        assert!(
            tokio::time::timeout(PENDING, &mut w2).await.is_err(),
            "the other waiter keeps waiting for the new leader"
        );
        let _ = d.answer_challenge(&Method::GET, "/b", &challenge_headers("n1", false));
        new_leader.finish();
        let h = header_of(w2.await.unwrap_or_else(|e| panic!("{e}")));
        assert!(h.contains("nc=00000002"), "{h}");
    }

    #[tokio::test]
    async fn digest_leader_without_challenge_releases_waiters_unauthenticated() {
        let d = DigestAuth::new("u".into(), Secret::new("p"), None);
        let lease = lease_of(d.start(&Method::GET, "/a").await);
        let w = d.start(&Method::GET, "/b");
        let mut w = std::pin::pin!(w);
        assert!(tokio::time::timeout(PENDING, &mut w).await.is_err());
        lease.finish(); // e.g. a 200 or 503 without a challenge, or a transport error
        assert!(matches!(w.await, Ok(Start::Unauthenticated)));
        // The next request fetches again.
        let _again = lease_of(d.start(&Method::GET, "/c").await);
    }

    #[tokio::test]
    async fn digest_waiter_times_out_after_the_request_timeout() {
        let d = DigestAuth::new("u".into(), Secret::new("p"), Some(PENDING));
        let _lease = lease_of(d.start(&Method::GET, "/a").await);
        match d.start(&Method::POST, "/b").await {
            Err(Error::Timeout { operation }) => {
                assert!(operation.starts_with("POST /b"), "{operation}")
            }
            Err(e) => panic!("expected a timeout, got {e}"),
            Ok(_) => panic!("expected a timeout"),
        };
    }

    #[test]
    fn digest_nc_unique_across_threads() {
        let d = std::sync::Arc::new(DigestAuth::new("u".into(), Secret::new("p"), None));
        let _ = d.answer_challenge(&Method::GET, "/", &challenge_headers("n", false));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let d = d.clone();
                std::thread::spawn(move || {
                    (0..50)
                        .filter_map(|_| DigestAuth::next(&mut d.lock()).map(|(_, nc)| nc))
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
