//! [`ClientBuilder`].

use std::sync::Arc;
use std::time::Duration;

use super::auth::{Authenticator, Credentials, Secret};
use super::oauth::HttpContext;
use super::retry::RetryPolicy;
use super::{Client, Inner};
use crate::{Error, Result};

/// The default base URL (commercial Atlas).
pub const DEFAULT_BASE_URL: &str = "https://cloud.mongodb.com";

/// The default `User-Agent`.
pub const DEFAULT_USER_AGENT: &str = concat!("atlas-admin-sdk-rust/", env!("CARGO_PKG_VERSION"));

/// Configures and builds a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    credentials: Credentials,
    timeout: Option<Duration>,
    user_agent: String,
    http_client: Option<reqwest::Client>,
    retry: RetryPolicy,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: DEFAULT_BASE_URL.to_owned(),
            credentials: Credentials::None,
            timeout: None,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            http_client: None,
            retry: RetryPolicy::default(),
        }
    }
}

impl ClientBuilder {
    /// A builder with defaults: `https://cloud.mongodb.com`, no credentials, no request
    /// timeout, the default [`RetryPolicy`] (on).
    pub fn new() -> Self {
        Self::default()
    }

    /// The API host, e.g. `https://cloud.mongodb.com` or `http://127.0.0.1:8080` (without
    /// `/api/atlas/v2`). Trailing `/` are removed.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into().trim_end_matches('/').to_owned();
        self
    }

    /// Authenticate with a programmatic API key over HTTP Digest.
    pub fn digest_auth(
        mut self,
        public_key: impl Into<String>,
        private_key: impl Into<String>,
    ) -> Self {
        self.credentials = Credentials::Digest {
            public_key: public_key.into(),
            private_key: Secret::new(private_key),
        };
        self
    }

    /// Authenticate as a service account (OAuth 2.0 client credentials): the client fetches an
    /// access token from `{base_url}/api/oauth/token`, caches it (clones share it), refreshes
    /// it before it expires and once on a 401. Revoke it at exit with
    /// [`Client::revoke_token`].
    pub fn service_account(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.credentials = Credentials::ServiceAccount {
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret),
        };
        self
    }

    /// Authenticate with a static OAuth access token (`Authorization: Bearer …`, never
    /// refreshed).
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Credentials::Bearer(Secret::new(token));
        self
    }

    /// Set credentials directly.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Timeout of each HTTP request (connect + response; also applied to an injected client and
    /// to the service-account token endpoint). A request that times out fails with
    /// [`Error::Timeout`]. The whole call, retries included, is bounded by the retry policy's
    /// `max_elapsed`.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header (default `atlas-admin-sdk-rust/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Use this `reqwest::Client` (proxies, TLS roots, connection pool …).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Retry policy (default [`RetryPolicy::default`]: on; [`RetryPolicy::disabled`] to turn
    /// it off).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Builds the client. Fails on a base URL that is not an absolute http(s) URL.
    pub fn build(self) -> Result<Client> {
        let parsed = url::Url::parse(&self.base_url).map_err(|e| {
            Error::InvalidRequest(format!("invalid base URL {:?}: {e}", self.base_url))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(Error::InvalidRequest(format!(
                "invalid base URL {:?}: expected http(s)://host[:port]",
                self.base_url
            )));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(Error::InvalidRequest(
                "invalid base URL: credentials must not be embedded in the URL".to_owned(),
            ));
        }
        let user_agent = reqwest::header::HeaderValue::from_str(&self.user_agent)
            .map_err(|e| Error::InvalidRequest(format!("invalid user agent: {e}")))?;
        let http = match self.http_client {
            Some(c) => c,
            None => reqwest::Client::builder()
                .build()
                .map_err(|e| Error::InvalidRequest(format!("cannot build HTTP client: {e}")))?,
        };
        let auth = Authenticator::new(
            self.credentials,
            HttpContext {
                base_url: self.base_url.clone(),
                http: http.clone(),
                timeout: self.timeout,
                user_agent: user_agent.clone(),
            },
        );
        Ok(Client {
            inner: Arc::new(Inner {
                base_url: self.base_url,
                http,
                auth,
                timeout: self.timeout,
                user_agent,
                retry: self.retry,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_trims_trailing_slashes_and_has_defaults() {
        let b = ClientBuilder::new().base_url("http://127.0.0.1:1234//");
        assert_eq!(b.base_url, "http://127.0.0.1:1234");
        assert_eq!(ClientBuilder::new().base_url, "https://cloud.mongodb.com");
        assert!(DEFAULT_USER_AGENT.starts_with("atlas-admin-sdk-rust/"));
    }

    #[test]
    fn builder_rejects_bad_base_urls() {
        for bad in ["not a url", "ftp://x", "http://u:p@host"] {
            let r = ClientBuilder::new().base_url(bad).build();
            assert!(matches!(r, Err(Error::InvalidRequest(_))), "{bad}");
        }
    }

    #[test]
    fn builder_debug_hides_private_key() {
        let b = ClientBuilder::new().digest_auth("pub", "very-secret-key");
        assert!(!format!("{b:?}").contains("very-secret-key"));
        let c = b.build().map(|c| format!("{c:?}")).unwrap_or_default();
        assert!(c.contains("pub") && !c.contains("very-secret-key"), "{c}");
        let b = ClientBuilder::new().service_account("mdb_sa_id_1", "mdb_sa_sk_hush");
        let c = b
            .clone()
            .build()
            .map(|c| format!("{c:?}"))
            .unwrap_or_default();
        let dbg = format!("{b:?} {c}");
        assert!(
            dbg.contains("mdb_sa_id_1") && !dbg.contains("hush"),
            "{dbg}"
        );
    }
}
