//! Credentials and how they become an `Authorization` header.
//!
//! Two schemes exist today:
//! * [`Credentials::Digest`]: a programmatic API key (public key + private key) used with HTTP
//!   Digest (RFC 2617, implemented in the private `client::digest` module);
//! * [`Credentials::Bearer`]: a ready-made OAuth access token.
//!
//! Seam for service accounts: OAuth 2.0 client credentials (`POST /api/oauth/token`, token valid
//! one hour) will be a third variant whose `Authenticator::authorization` mints/caches a token
//! and whose `Authenticator::on_unauthorized` drops the cached token so the request is retried
//! once with a fresh one. Both hooks are already `async` and called by the client for every
//! request, so adding it does not touch the request plumbing.

use std::fmt;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::Method;

use super::digest::DigestAuth;

/// A secret string (private key, token). `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value. Only for building headers: never log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_owned())
    }
}

/// How requests authenticate.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum Credentials {
    /// No `Authorization` header (only useful against test servers).
    #[default]
    None,
    /// HTTP Digest with a programmatic API key.
    Digest {
        /// Public key (the digest user name).
        public_key: String,
        /// Private key (the digest password).
        private_key: Secret,
    },
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
}

/// Per-client authentication state built from [`Credentials`].
#[derive(Debug)]
pub(crate) enum Authenticator {
    None,
    Digest(DigestAuth),
    Bearer(Secret),
}

impl Authenticator {
    pub(crate) fn new(credentials: Credentials) -> Self {
        match credentials {
            Credentials::None => Authenticator::None,
            Credentials::Digest {
                public_key,
                private_key,
            } => Authenticator::Digest(DigestAuth::new(public_key, private_key)),
            Credentials::Bearer(token) => Authenticator::Bearer(token),
        }
    }

    /// The `Authorization` header to send up front, if any. For digest this is only available
    /// once a challenge has been cached.
    pub(crate) async fn authorization(&self, method: &Method, uri: &str) -> Option<HeaderValue> {
        match self {
            Authenticator::None => None,
            Authenticator::Digest(d) => d.preemptive(method, uri).and_then(sensitive),
            Authenticator::Bearer(token) => sensitive(format!("Bearer {}", token.expose_secret())),
        }
    }

    /// Called on a 401. Returns the header to retry with, or `None` if retrying cannot help.
    pub(crate) async fn on_unauthorized(
        &self,
        method: &Method,
        uri: &str,
        headers: &HeaderMap,
    ) -> Option<HeaderValue> {
        match self {
            Authenticator::Digest(d) => {
                d.answer_challenge(method, uri, headers).and_then(sensitive)
            }
            Authenticator::None | Authenticator::Bearer(_) => None,
        }
    }
}

fn sensitive(value: String) -> Option<HeaderValue> {
    let mut v = HeaderValue::from_str(&value).ok()?;
    v.set_sensitive(true);
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_is_redacted() {
        let c = Credentials::Digest {
            public_key: "abcdefgh".into(),
            private_key: Secret::new("11111111-2222-3333-4444-555555555555"),
        };
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("11111111"), "{dbg}");
        assert!(dbg.contains("abcdefgh"));
        let b = format!("{:?}", Credentials::Bearer(Secret::new("tok-123")));
        assert!(!b.contains("tok-123"));
    }

    #[tokio::test]
    async fn bearer_header_is_sensitive() {
        let a = Authenticator::new(Credentials::Bearer("tok".into()));
        let h = a.authorization(&Method::GET, "/api/atlas/v2/orgs").await;
        assert_eq!(h.as_ref().map(|h| h.is_sensitive()), Some(true));
        assert_eq!(h.as_ref().and_then(|h| h.to_str().ok()), Some("Bearer tok"));
    }
}
