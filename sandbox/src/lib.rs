//! `atlas-sandbox`: a local HTTP server that emulates the MongoDB Atlas Administration API v2
//! (digest auth, versioned media types, the Atlas error envelope, pagination) so SDK and
//! Terraform acceptance tests run offline.
//!
//! ```no_run
//! # async fn demo() -> Result<(), atlas_sandbox::Error> {
//! let sandbox = atlas_sandbox::spawn(atlas_sandbox::Config::for_tests()).await?;
//! println!("{} org={}", sandbox.base_url, sandbox.org_id);
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

mod areas;
mod auth;
mod authz;
pub mod cli;
mod control;
mod error;
mod extract;
mod faults;
mod lifecycle;
mod oauth;
pub mod openapi;
mod pagination;
mod persist;
mod roles;
mod router;
mod serve;
mod state;
mod store;
mod versions;

pub(crate) use state::AppState;

/// Default listen address of the binary.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default public key (digest username): 8 lower-case letters, like real Atlas keys.
pub const DEFAULT_PUBLIC_KEY: &str = "sandboxp";
/// Default private key (digest password): a fixed UUID.
pub const DEFAULT_PRIVATE_KEY: &str = "5a1d3c2e-8b7f-4e6a-9c0d-1f2e3a4b5c6d";
/// Default time asynchronous resources take to settle.
pub const DEFAULT_TRANSITION_SECONDS: f64 = 2.0;
/// Default lifetime of a digest nonce.
pub const DEFAULT_NONCE_TTL_SECONDS: f64 = 300.0;
/// Default `Retry-After` of injected 429s.
pub const DEFAULT_RETRY_AFTER_SECONDS: u64 = faults::DEFAULT_RETRY_AFTER_SECONDS;
/// Default time an access-list POST holds its project (a concurrent POST is refused).
pub const DEFAULT_ACCESS_LIST_POST_WINDOW_MS: u64 = 50;
/// Default time a connection has to send a request head.
pub const DEFAULT_HEADER_READ_TIMEOUT_SECONDS: f64 = 30.0;
/// Default lifetime of OAuth access tokens (Atlas: one hour).
pub const DEFAULT_OAUTH_TOKEN_TTL_SECONDS: f64 = 3600.0;

/// How to run a sandbox.
#[derive(Clone)]
pub struct Config {
    /// Address to bind; port 0 picks a free port (what tests use).
    pub listen: SocketAddr,
    /// Public key of the bootstrapped Organization Owner API key (digest username).
    pub public_key: String,
    /// Private key of that API key (digest password).
    pub private_key: String,
    /// Persistence directory: every acknowledged write is committed there (fsynced) before
    /// its response is sent and survives a crash; a sandbox started on the same directory
    /// continues from it. `None`: state lives in memory only.
    pub data_dir: Option<PathBuf>,
    /// Seconds an asynchronous resource (clusters, in a later issue) takes per transition.
    pub transition_seconds: f64,
    /// Probability (0..=1) that an authenticated API request fails with 500
    /// `UNEXPECTED_ERROR` or 503 `SERVICE_UNAVAILABLE` (half each); half of the failed writes
    /// fail after the write took effect.
    pub fail_rate: f64,
    /// Probability (0..=1) that an authenticated API request is refused with 429
    /// `RATE_LIMITED_TOKEN_BUCKET` before anything happens.
    pub throttle_rate: f64,
    /// Latency added to every authenticated API request.
    pub latency_ms: u64,
    /// `Retry-After` (seconds, <= 3600) of injected 429s.
    pub retry_after_seconds: u64,
    /// Seed for ids and fault decisions (reproducible runs); `None` = random.
    pub seed: Option<u64>,
    /// How long a digest nonce stays valid before the server answers `stale=true`.
    pub nonce_ttl_seconds: f64,
    /// How long each `POST /groups/{id}/accessList` takes while it holds the project; another
    /// POST to the same project meanwhile gets 500 `UNEXPECTED_ERROR`, as Atlas answers
    /// concurrent POSTs. 0 disables the window (only truly simultaneous POSTs collide).
    pub access_list_post_window_ms: u64,
    /// Lifetime of the access tokens `POST /api/oauth/token` issues (`expires_in`).
    pub oauth_token_ttl_seconds: f64,
    /// With `client_secret`: bootstrap an `ORG_OWNER` service account with these credentials
    /// (`mdb_sa_id_<24 hex>`), so OAuth can be used without creating one through the API.
    pub client_id: Option<String>,
    /// The bootstrapped service account's secret (never logged).
    pub client_secret: Option<String>,
    /// How long a connection may take to send each request head (also the idle time of a
    /// keep-alive connection) before it is closed.
    pub header_read_timeout_seconds: f64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_key: DEFAULT_PUBLIC_KEY.to_string(),
            private_key: DEFAULT_PRIVATE_KEY.to_string(),
            data_dir: None,
            transition_seconds: DEFAULT_TRANSITION_SECONDS,
            fail_rate: 0.0,
            throttle_rate: 0.0,
            latency_ms: 0,
            retry_after_seconds: faults::DEFAULT_RETRY_AFTER_SECONDS,
            seed: None,
            nonce_ttl_seconds: DEFAULT_NONCE_TTL_SECONDS,
            access_list_post_window_ms: DEFAULT_ACCESS_LIST_POST_WINDOW_MS,
            oauth_token_ttl_seconds: DEFAULT_OAUTH_TOKEN_TTL_SECONDS,
            client_id: None,
            client_secret: None,
            header_read_timeout_seconds: DEFAULT_HEADER_READ_TIMEOUT_SECONDS,
        }
    }
}

impl Config {
    /// The defaults, on `127.0.0.1:0` (a free port).
    pub fn for_tests() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..Self::default()
        }
    }

    fn validate(&self) -> Result<(), Error> {
        let bad = |msg: String| Err(Error::Config(msg));
        if self.public_key.is_empty() || self.public_key.contains([':', '"', ',']) {
            return bad("public_key must be non-empty without ':', '\"' or ','".into());
        }
        if self.private_key.is_empty() {
            return bad("private_key must be non-empty".into());
        }
        if !(self.transition_seconds.is_finite() && self.transition_seconds >= 0.0) {
            return bad(format!(
                "transition_seconds must be >= 0, got {}",
                self.transition_seconds
            ));
        }
        if !(self.nonce_ttl_seconds.is_finite() && self.nonce_ttl_seconds >= 0.0) {
            return bad(format!(
                "nonce_ttl_seconds must be >= 0, got {}",
                self.nonce_ttl_seconds
            ));
        }
        if !(self.header_read_timeout_seconds.is_finite()
            && self.header_read_timeout_seconds > 0.0
            && self.header_read_timeout_seconds <= 86_400.0)
        {
            return bad(format!(
                "header_read_timeout_seconds must be in (0, 86400], got {}",
                self.header_read_timeout_seconds
            ));
        }
        if !(self.oauth_token_ttl_seconds.is_finite() && self.oauth_token_ttl_seconds > 0.0) {
            return bad(format!(
                "oauth_token_ttl_seconds must be > 0, got {}",
                self.oauth_token_ttl_seconds
            ));
        }
        match (&self.client_id, &self.client_secret) {
            (None, None) => {}
            (Some(id), Some(secret)) => {
                if !areas::service_accounts::is_client_id(id) {
                    return bad(format!(
                        "client_id must look like mdb_sa_id_<24 hex>, got {id}"
                    ));
                }
                if secret.is_empty() || secret.chars().any(char::is_whitespace) {
                    return bad("client_secret must be non-empty without spaces".into());
                }
            }
            _ => return bad("client_id and client_secret go together".into()),
        }
        self.fault_settings().validate().map_err(Error::Config)
    }

    fn fault_settings(&self) -> faults::FaultSettings {
        faults::FaultSettings {
            fail_rate: self.fail_rate,
            throttle_rate: self.throttle_rate,
            latency_ms: self.latency_ms,
            retry_after_seconds: self.retry_after_seconds,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("public_key", &self.public_key)
            .field("private_key", &"<redacted>")
            .field("data_dir", &self.data_dir)
            .field("transition_seconds", &self.transition_seconds)
            .field("fail_rate", &self.fail_rate)
            .field("throttle_rate", &self.throttle_rate)
            .field("latency_ms", &self.latency_ms)
            .field("retry_after_seconds", &self.retry_after_seconds)
            .field("seed", &self.seed)
            .field("nonce_ttl_seconds", &self.nonce_ttl_seconds)
            .field(
                "access_list_post_window_ms",
                &self.access_list_post_window_ms,
            )
            .field("oauth_token_ttl_seconds", &self.oauth_token_ttl_seconds)
            .field(
                "header_read_timeout_seconds",
                &self.header_read_timeout_seconds,
            )
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("invalid sandbox configuration: {0}")]
    Config(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the embedded OpenAPI spec is unusable: {0}")]
    Spec(String),
    #[error("cannot use the data directory: {0}")]
    Persistence(String),
}

/// A running sandbox. Dropping it stops the server too; `shutdown` also waits for it.
pub struct SandboxHandle {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
    /// The bootstrapped organization's id.
    pub org_id: String,
    pub public_key: String,
    pub private_key: String,
    /// The bound address.
    pub local_addr: SocketAddr,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("base_url", &self.base_url)
            .field("org_id", &self.org_id)
            .field("public_key", &self.public_key)
            .finish_non_exhaustive()
    }
}

impl SandboxHandle {
    /// Stop accepting connections, let in-flight requests finish, and wait.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.state.close_persistence();
    }

    /// Every HTTP request served so far (challenges and control plane included).
    pub fn requests_total(&self) -> u64 {
        self.state.stats().requests_total()
    }

    /// Same as `POST /_sandbox/reset`: wipe all projects, keep the org and the key.
    /// With a data dir the reset is committed before this returns (errors are logged).
    pub fn reset(&self) {
        self.state.store().reset();
        if let Err(e) = self.state.commit() {
            tracing::error!(error = %e, "could not persist the reset");
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The store to start from: bootstrapped, or loaded from `config.data_dir` (created if
/// missing) with its persister.
fn open_store(config: &Config) -> Result<(areas::Store, Option<persist::Persister>), Error> {
    let now = chrono::Utc::now();
    let fresh =
        || areas::Store::bootstrap(&config.public_key, &config.private_key, config.seed, now);
    let Some(dir) = &config.data_dir else {
        return Ok((fresh(), None));
    };
    let (persister, loaded) = persist::Persister::open(dir).map_err(Error::Persistence)?;
    let store = match loaded {
        Some(mut store) => {
            store.ensure_bootstrap_key(&config.public_key, &config.private_key, now);
            tracing::info!(
                data_dir = %dir.display(),
                projects = store.projects.len(),
                "state loaded"
            );
            store
        }
        None => fresh(),
    };
    Ok((store, Some(persister)))
}

/// Start a sandbox in the current tokio runtime.
pub async fn spawn(config: Config) -> Result<SandboxHandle, Error> {
    config.validate()?;
    let spec = openapi::embedded().map_err(Error::Spec)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| Error::Bind {
            addr: config.listen,
            source,
        })?;
    let local_addr = listener.local_addr().map_err(|source| Error::Bind {
        addr: config.listen,
        source,
    })?;
    // Links and the printed URL need a connectable host, not 0.0.0.0.
    let host = if local_addr.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], local_addr.port()))
    } else {
        local_addr
    };
    let base_url = format!("http://{host}");
    let (mut store, persist) = open_store(&config)?;
    if let (Some(id), Some(secret)) = (&config.client_id, &config.client_secret) {
        areas::service_accounts::ensure_bootstrap_account(
            &mut store,
            id,
            secret,
            chrono::Utc::now(),
        );
    }
    let org_id = store.orgs.first().map(|o| o.id.clone()).unwrap_or_default();
    let state = AppState(Arc::new(state::Inner {
        base_url: base_url.clone(),
        transition_seconds: config.transition_seconds,
        oauth_token_ttl_seconds: config.oauth_token_ttl_seconds,
        access_list_post_window: Duration::from_millis(config.access_list_post_window_ms),
        store: std::sync::RwLock::new(store),
        nonces: Mutex::new(auth::NonceTable::with_ttl(Duration::from_secs_f64(
            config.nonce_ttl_seconds,
        ))),
        stats: state::Stats::default(),
        faults: Mutex::new(faults::Faults::new(config.fault_settings(), config.seed)),
        versions: versions::VersionTable::from_spec(spec),
        persist: persist.map(Mutex::new),
    }));
    // A fresh data dir gets the bootstrap org and key; a loaded one the credentials fix-up.
    state.commit().map_err(Error::Persistence)?;
    let app = router::build(state.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve::serve(
        listener,
        app,
        stopped,
        Duration::from_secs_f64(config.header_read_timeout_seconds),
    ));
    tracing::info!(%base_url, "atlas-sandbox listening");
    tracing::info!(%org_id, "atlas-sandbox organization");
    Ok(SandboxHandle {
        base_url,
        org_id,
        public_key: config.public_key,
        private_key: config.private_key,
        local_addr,
        state,
        stop: Some(stop),
        task: Some(task),
    })
}
