//! Credentials and how they become an `Authorization` header.
//!
//! Three schemes:
//! * [`Credentials::Digest`]: a programmatic API key (public key + private key) used with HTTP
//!   Digest (RFC 2617, implemented in the private `client::digest` module);
//! * [`Credentials::ServiceAccount`]: OAuth 2.0 client credentials (`POST /api/oauth/token`,
//!   token valid one hour), minted, cached and refreshed by the private `client::oauth` module;
//!   a 401 drops the cached token and the request is retried once with a fresh one;
//! * [`Credentials::Bearer`]: a ready-made OAuth access token (never refreshed).

use std::fmt;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::Method;

use super::digest::{ChallengeLease, DigestAuth, Start};
use super::oauth::{HttpContext, ServiceAccountAuth};
use crate::Result;

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
    /// A service account: OAuth 2.0 client credentials exchanged for a bearer token.
    ServiceAccount {
        /// Client id (`mdb_sa_id_…`).
        client_id: String,
        /// Client secret (`mdb_sa_sk_…`).
        client_secret: Secret,
    },
}

/// What to send a request with: see [`Authenticator::authorization`].
pub(crate) struct Prepared<'a> {
    /// The `Authorization` header, if any.
    pub(crate) header: Option<HeaderValue>,
    /// Set when this request fetches the first digest challenge for concurrent ones.
    pub(crate) lease: Option<ChallengeLease<'a>>,
}

/// Per-client authentication state built from [`Credentials`].
#[derive(Debug)]
pub(crate) enum Authenticator {
    None,
    Digest(DigestAuth),
    Bearer(Secret),
    ServiceAccount(ServiceAccountAuth),
}

impl Authenticator {
    pub(crate) fn new(credentials: Credentials, ctx: HttpContext) -> Self {
        match credentials {
            Credentials::None => Authenticator::None,
            Credentials::Digest {
                public_key,
                private_key,
            } => Authenticator::Digest(DigestAuth::new(public_key, private_key, ctx.timeout)),
            Credentials::Bearer(token) => Authenticator::Bearer(token),
            Credentials::ServiceAccount {
                client_id,
                client_secret,
            } => Authenticator::ServiceAccount(ServiceAccountAuth::new(
                client_id,
                client_secret,
                ctx,
            )),
        }
    }

    /// The `Authorization` header to send up front, if any. For digest this is only available
    /// once a challenge has been cached; until then one request fetches it (the returned
    /// lease, to [`ChallengeLease::finish`] once its answer is handled) and concurrent ones
    /// wait for it. For a service account it may fetch a token. An error here means the API
    /// request was not sent.
    pub(crate) async fn authorization(&self, method: &Method, uri: &str) -> Result<Prepared<'_>> {
        let header = match self {
            Authenticator::None => None,
            Authenticator::Digest(d) => match d.start(method, uri).await? {
                Start::Header(h) => sensitive(h),
                Start::Fetch(lease) => {
                    return Ok(Prepared {
                        header: None,
                        lease: Some(lease),
                    })
                }
                Start::Unauthenticated => None,
            },
            Authenticator::Bearer(token) => sensitive(format!("Bearer {}", token.expose_secret())),
            Authenticator::ServiceAccount(sa) => Some(sa.authorization().await?),
        };
        Ok(Prepared {
            header,
            lease: None,
        })
    }

    /// Called on a 401 to a request sent with `sent`. Returns the header to retry with, or
    /// `None` if retrying cannot help.
    pub(crate) async fn on_unauthorized(
        &self,
        method: &Method,
        uri: &str,
        headers: &HeaderMap,
        sent: Option<&HeaderValue>,
    ) -> Result<Option<HeaderValue>> {
        Ok(match self {
            Authenticator::Digest(d) => {
                d.answer_challenge(method, uri, headers).and_then(sensitive)
            }
            Authenticator::ServiceAccount(sa) => Some(sa.on_unauthorized(sent).await?),
            Authenticator::None | Authenticator::Bearer(_) => None,
        })
    }

    /// Revokes a service account's cached token; a no-op for other schemes.
    pub(crate) async fn revoke(&self) -> Result<()> {
        match self {
            Authenticator::ServiceAccount(sa) => sa.revoke().await,
            _ => Ok(()),
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

    fn ctx() -> HttpContext {
        HttpContext {
            base_url: "http://127.0.0.1:9".into(),
            http: reqwest::Client::new(),
            timeout: None,
            user_agent: HeaderValue::from_static("t"),
        }
    }

    #[test]
    fn service_account_debug_is_redacted() {
        let c = Credentials::ServiceAccount {
            client_id: "mdb_sa_id_0123".into(),
            client_secret: Secret::new("mdb_sa_sk_verysecret"),
        };
        let dbg = format!("{c:?} {:?}", Authenticator::new(c.clone(), ctx()));
        assert!(dbg.contains("mdb_sa_id_0123"), "{dbg}");
        assert!(!dbg.contains("verysecret"), "{dbg}");
    }

    #[tokio::test]
    async fn bearer_header_is_sensitive() {
        let a = Authenticator::new(Credentials::Bearer("tok".into()), ctx());
        let h = a
            .authorization(&Method::GET, "/api/atlas/v2/orgs")
            .await
            .ok()
            .and_then(|p| p.header);
        assert_eq!(h.as_ref().map(|h| h.is_sensitive()), Some(true));
        assert_eq!(h.as_ref().and_then(|h| h.to_str().ok()), Some("Bearer tok"));
    }
}
