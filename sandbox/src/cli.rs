//! The `atlas-sandbox` command line: flags, startup lines on stdout, serve until SIGINT/SIGTERM.
//! Shared by the `atlas-sandbox` binary and test harnesses that run the sandbox as a process.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::{
    Config, DEFAULT_NONCE_TTL_SECONDS, DEFAULT_PRIVATE_KEY, DEFAULT_PUBLIC_KEY,
    DEFAULT_TRANSITION_SECONDS,
};
use clap::Parser;

/// A local emulator of the MongoDB Atlas Administration API v2 (digest auth, versioned media
/// types, Atlas error envelopes) for offline tests. API under /api/atlas/v2; control plane
/// (no auth) under /_sandbox: GET stats, GET state, POST reset, GET/POST faults; GET /healthz.
#[derive(Debug, Parser)]
#[command(name = "atlas-sandbox", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = crate::DEFAULT_LISTEN)]
    listen: SocketAddr,

    /// Public key of the bootstrapped Organization Owner API key (the digest username).
    #[arg(long, env = "ATLAS_SANDBOX_PUBLIC_KEY", default_value = DEFAULT_PUBLIC_KEY)]
    public_key: String,

    /// Private key of that API key (the digest password).
    #[arg(long, env = "ATLAS_SANDBOX_PRIVATE_KEY", default_value = DEFAULT_PRIVATE_KEY, hide_env_values = true)]
    private_key: String,

    /// Directory to persist state in (created if missing): every acknowledged write is
    /// committed and fsynced there before its response is sent, so it survives a crash or
    /// kill -9; restarting on the same directory continues from it (org, keys, ids, clusters
    /// mid-transition). Without it, state is kept in memory only.
    #[arg(long)]
    data_dir: Option<PathBuf>,

    /// Seconds an asynchronous resource takes per state transition (cluster CREATING → IDLE,
    /// UPDATING → IDLE, DELETING → gone; access-list entry PENDING → ACTIVE).
    #[arg(long, default_value_t = DEFAULT_TRANSITION_SECONDS)]
    transition_seconds: f64,

    /// Probability (0..=1) that an authenticated API request fails with 500 UNEXPECTED_ERROR
    /// or 503 SERVICE_UNAVAILABLE (half each). Half of the failed writes fail after the write
    /// took effect (the state changes, the client gets the 5xx).
    #[arg(long, default_value_t = 0.0)]
    fail_rate: f64,

    /// Probability (0..=1) that an authenticated API request gets 429
    /// RATE_LIMITED_TOKEN_BUCKET (with Retry-After), before any state change.
    #[arg(long, default_value_t = 0.0)]
    throttle_rate: f64,

    /// Milliseconds of latency added to every authenticated API request.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,

    /// Retry-After seconds of injected 429s.
    #[arg(long, default_value_t = crate::DEFAULT_RETRY_AFTER_SECONDS)]
    retry_after_seconds: u64,

    /// Seed for ids and fault decisions, for reproducible runs (the fault sequence is
    /// reproducible for sequential requests; concurrent ones may take the draws in any order).
    #[arg(long)]
    seed: Option<u64>,

    /// Seconds a digest nonce stays valid (then the server answers stale=true).
    #[arg(long, default_value_t = DEFAULT_NONCE_TTL_SECONDS)]
    nonce_ttl_seconds: f64,

    /// Milliseconds each access-list POST holds its project; a concurrent POST to the same
    /// project meanwhile gets 500 UNEXPECTED_ERROR, as Atlas answers concurrent POSTs.
    #[arg(long, default_value_t = crate::DEFAULT_ACCESS_LIST_POST_WINDOW_MS)]
    access_list_post_window_ms: u64,

    /// Seconds OAuth access tokens from POST /api/oauth/token stay valid (expires_in).
    #[arg(long, default_value_t = crate::DEFAULT_OAUTH_TOKEN_TTL_SECONDS)]
    oauth_token_ttl_seconds: f64,

    /// Seconds a connection has to send each request head (also how long an idle keep-alive
    /// connection stays open); then it is closed.
    #[arg(long, default_value_t = crate::DEFAULT_HEADER_READ_TIMEOUT_SECONDS)]
    header_read_timeout_seconds: f64,

    /// Client id (mdb_sa_id_<24 hex>) of a bootstrapped Organization Owner service account;
    /// needs --client-secret. Exchange both for a bearer token at POST /api/oauth/token.
    #[arg(long, env = "ATLAS_SANDBOX_CLIENT_ID", requires = "client_secret")]
    client_id: Option<String>,

    /// Secret of that service account (e.g. mdb_sa_sk_...).
    #[arg(
        long,
        env = "ATLAS_SANDBOX_CLIENT_SECRET",
        hide_env_values = true,
        requires = "client_id"
    )]
    client_secret: Option<String>,

    /// Log lines on stderr: `text`, or `json` (one object per line, for log collectors).
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// The whole `main` of `atlas-sandbox`: parse flags, start, print the base URL and the
/// organization id on stdout (for scripts), serve until SIGINT/SIGTERM.
pub fn run_main() -> std::process::ExitCode {
    let args = Args::parse();
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        );
    let _ = match args.log_format {
        // No colour codes when stderr is a file or a pipe (CI logs).
        LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .try_init(),
        LogFormat::Json => logs.json().try_init(),
    };
    let config = Config {
        listen: args.listen,
        public_key: args.public_key,
        private_key: args.private_key,
        data_dir: args.data_dir,
        transition_seconds: args.transition_seconds,
        fail_rate: args.fail_rate,
        throttle_rate: args.throttle_rate,
        latency_ms: args.latency_ms,
        retry_after_seconds: args.retry_after_seconds,
        seed: args.seed,
        nonce_ttl_seconds: args.nonce_ttl_seconds,
        access_list_post_window_ms: args.access_list_post_window_ms,
        oauth_token_ttl_seconds: args.oauth_token_ttl_seconds,
        client_id: args.client_id,
        client_secret: args.client_secret,
        header_read_timeout_seconds: args.header_read_timeout_seconds,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("atlas-sandbox: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let handle = match crate::spawn(config).await {
            Ok(h) => h,
            Err(e) => {
                eprintln!("atlas-sandbox: starting failed: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        // Plain lines on stdout for scripts to grep.
        println!("atlas-sandbox listening on {}", handle.base_url);
        println!("atlas-sandbox organization id {}", handle.org_id);
        shutdown_signal().await;
        tracing::info!("shutting down");
        handle.shutdown().await;
        std::process::ExitCode::SUCCESS
    })
}
