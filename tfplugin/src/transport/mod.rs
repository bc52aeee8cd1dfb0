//! The go-plugin transport: how Terraform starts, reaches and stops a provider process.
//!
//! [`serve`] implements the go-plugin server side for protocol 6: magic-cookie check,
//! listener, AutoMTLS with the client certificate pinned, the handshake line on stdout, the
//! `tfplugin6.Provider` service plus go-plugin's controller/stdio/broker and gRPC health, and
//! SIGINT ignored (Terraform sends `StopProvider` instead). [`serve_debug`] serves plaintext on
//! a unix socket for `TF_REATTACH_PROVIDERS` (debuggers and the test harness).

mod handshake;
mod incoming;
mod logging;
mod services;
mod tls;

use std::future::Future;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use futures::Stream;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tonic::transport::server::Connected;
use tonic::transport::Server;
use tonic_health::ServingStatus;

use crate::proto::plugin::grpc_broker_server::GrpcBrokerServer;
use crate::proto::plugin::grpc_controller_server::GrpcControllerServer;
use crate::proto::plugin::grpc_stdio_server::GrpcStdioServer;
use crate::proto::tfplugin6::provider_server::{Provider, ProviderServer};

pub use handshake::{MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, PROTOCOL_VERSION};
pub use logging::{init_logging, install_panic_hook};
pub use tls::PinnedClientCertVerifier;

/// Largest gRPC message accepted or sent, both ways (what terraform-plugin-go uses; tonic's
/// 4 MiB default is too small for big schemas and states).
pub const MAX_MESSAGE_SIZE: usize = 256 << 20;

/// How long graceful shutdown may take before open connections are dropped. Terraform kills
/// the process 2 s after `Shutdown`.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

/// How to serve.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Fully qualified provider source address, e.g.
    /// `registry.terraform.io/mongodb/mongodbatlas`. Used in debug mode's reattach JSON and
    /// in messages.
    pub provider_address: String,
    /// Debug mode: serve plaintext on a unix socket, print `TF_REATTACH_PROVIDERS` for the user
    /// and run until Ctrl-C, instead of being launched by Terraform.
    pub debug: bool,
}

/// Why serving failed. Every variant should end the process with exit code 1
/// ([`TransportError::exit_code`]).
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// Run directly rather than by Terraform; the explanation was already printed to stderr.
    #[error("not started by Terraform ({MAGIC_COOKIE_KEY} is missing or wrong)")]
    NotStartedByTerraform,
    /// Terraform does not offer protocol 6.
    #[error("Terraform offered plugin protocol versions {offered:?}, but this provider only speaks protocol 6")]
    UnsupportedProtocolVersion {
        /// The `PLUGIN_PROTOCOL_VERSIONS` value.
        offered: String,
    },
    /// `PLUGIN_MIN_PORT` / `PLUGIN_MAX_PORT` are unusable.
    #[error("invalid plugin port range: {0}")]
    PortRange(String),
    /// `PLUGIN_CLIENT_CERT` is not a PEM certificate.
    #[error("invalid PLUGIN_CLIENT_CERT: {0}")]
    ClientCert(String),
    /// Generating the server certificate failed.
    #[error("generating the server certificate failed: {0}")]
    Certificate(#[from] rcgen::Error),
    /// Building the TLS configuration failed.
    #[error("TLS configuration failed: {0}")]
    Tls(#[from] rustls::Error),
    /// Listening, writing the handshake or installing signal handlers failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The gRPC server failed.
    #[error("gRPC server failed: {0}")]
    Server(#[from] tonic::transport::Error),
}

impl TransportError {
    /// The process exit code for this error (go-plugin plugins exit 1), e.g. for
    /// `std::process::ExitCode::from`.
    pub fn exit_code(&self) -> u8 {
        1
    }
}

/// Serves a `tfplugin6.Provider` the way go-plugin expects (or, with `opts.debug`, in debug
/// mode). Returns `Ok(())` when Terraform calls `GRPCController/Shutdown`; the caller should
/// then exit promptly (Terraform kills the process 2 s later).
pub async fn serve<P>(provider: P, opts: ServeOptions) -> Result<(), TransportError>
where
    P: Provider,
{
    if opts.debug {
        return serve_debug_interactive(provider, &opts.provider_address).await;
    }
    let env = handshake::PluginEnv::from_process_env();
    if !env.magic_cookie_ok() {
        let _ = std::io::stderr()
            .lock()
            .write_all(handshake::not_a_plugin_host_message(&opts.provider_address).as_bytes());
        return Err(TransportError::NotStartedByTerraform);
    }
    env.check_protocol_version()?;

    // Before the handshake: from then on a Ctrl-C in Terraform's terminal reaches us too.
    ignore_sigint()?;

    let listener = handshake::bind_tcp(env.port_range()?).await?;
    let addr = listener.local_addr()?;
    let shutdown = CancellationToken::new();

    match env
        .client_cert
        .as_deref()
        .filter(|pem| !pem.trim().is_empty())
    {
        Some(pem) => {
            let client_cert = tls::parse_client_cert_pem(pem)?;
            let identity = tls::generate_server_identity()?;
            let config = tls::server_config(&identity, client_cert)?;
            let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
            let cert_b64 =
                base64::engine::general_purpose::STANDARD_NO_PAD.encode(identity.cert_der.as_ref());
            let incoming = incoming::tls_incoming(listener, acceptor, shutdown.clone());
            handshake::announce(&handshake::handshake_line(
                "tcp",
                &addr.to_string(),
                &cert_b64,
            ))?;
            run_server(provider, incoming, shutdown).await
        }
        None => {
            // Small request/response RPCs: without TCP_NODELAY each one waits ~40 ms on
            // delayed ACKs.
            let incoming = futures::StreamExt::map(
                tokio_stream::wrappers::TcpListenerStream::new(listener),
                |conn| {
                    if let Ok(tcp) = &conn {
                        let _ = tcp.set_nodelay(true);
                    }
                    conn
                },
            );
            handshake::announce(&handshake::handshake_line("tcp", &addr.to_string(), ""))?;
            run_server(provider, incoming, shutdown).await
        }
    }
}

/// A provider served in debug mode; see [`serve_debug`].
#[derive(Debug)]
pub struct DebugServer {
    /// The value for `TF_REATTACH_PROVIDERS`.
    pub reattach_json: String,
    socket_path: PathBuf,
    shutdown: CancellationToken,
    task: Option<JoinHandle<Result<(), TransportError>>>,
}

impl DebugServer {
    /// The unix socket the provider listens on.
    pub fn socket_path(&self) -> &Path {
        &self.socket_path
    }

    /// Resolves when the server has been asked to stop (e.g. by a `Shutdown` RPC).
    pub fn stopped(&self) -> impl Future<Output = ()> + Send + 'static {
        self.shutdown.clone().cancelled_owned()
    }

    /// Stops serving, waits for the server to wind down and removes the socket.
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::warn!(%error, "debug server failed"),
                Err(error) => tracing::warn!(%error, "debug server task failed"),
            }
        }
        let _ = std::fs::remove_file(&self.socket_path);
    }
}

impl Drop for DebugServer {
    fn drop(&mut self) {
        // Best effort when `stop` was not awaited: the task ends on its own.
        self.shutdown.cancel();
        if self.task.is_some() {
            let _ = std::fs::remove_file(&self.socket_path);
        }
    }
}

/// Debug / test-harness mode: serves plaintext on the unix socket `socket_path` (an existing
/// file there is replaced) and returns the `TF_REATTACH_PROVIDERS` JSON for
/// `provider_address`, with this process as `Pid` and `"Test": true` (required for protocol 6;
/// Terraform then never calls Shutdown nor kills the process).
pub async fn serve_debug<P>(
    provider: P,
    provider_address: &str,
    socket_path: &Path,
) -> Result<DebugServer, TransportError>
where
    P: Provider,
{
    #[cfg(unix)]
    {
        match std::fs::remove_file(socket_path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        let listener = tokio::net::UnixListener::bind(socket_path)?;
        let shutdown = CancellationToken::new();
        let incoming = tokio_stream::wrappers::UnixListenerStream::new(listener);
        let task = tokio::spawn(run_server(provider, incoming, shutdown.clone()));
        Ok(DebugServer {
            reattach_json: handshake::reattach_json(
                provider_address,
                std::process::id(),
                "unix",
                &socket_path.to_string_lossy(),
            ),
            socket_path: socket_path.to_owned(),
            shutdown,
            task: Some(task),
        })
    }
    #[cfg(not(unix))]
    {
        let _ = (provider, provider_address, socket_path);
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "debug serving needs unix sockets",
        )
        .into())
    }
}

/// `ServeOptions::debug`: serve on a socket in a fresh temp dir, tell the user how to attach,
/// run until Ctrl-C (which, unlike in normal mode, does stop us).
async fn serve_debug_interactive<P>(
    provider: P,
    provider_address: &str,
) -> Result<(), TransportError>
where
    P: Provider,
{
    let dir = std::env::temp_dir().join(format!(
        "tfplugin-debug-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    ));
    std::fs::create_dir_all(&dir)?;
    let server = serve_debug(provider, provider_address, &dir.join("provider.sock")).await?;
    let message = format!(
        "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment \
         variable with the following:\n\n\tTF_REATTACH_PROVIDERS='{}'\n\n\
         Press Ctrl-C to stop the provider.\n",
        server.reattach_json
    );
    {
        let mut out = std::io::stdout().lock();
        out.write_all(message.as_bytes())?;
        out.flush()?;
    }
    tokio::select! {
        result = tokio::signal::ctrl_c() => result?,
        () = server.stopped() => {}
    }
    server.stop().await;
    let _ = std::fs::remove_dir(&dir);
    Ok(())
}

/// Swallows SIGINT for the rest of the process: Terraform's Ctrl-C reaches the whole process
/// group, and the graceful path is the `StopProvider` RPC. (Once tokio has installed the
/// handler, the default "terminate" action is gone for good.)
fn ignore_sigint() -> Result<(), TransportError> {
    #[cfg(unix)]
    {
        let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
        tokio::spawn(async move {
            while sigint.recv().await.is_some() {
                tracing::debug!("ignoring SIGINT; Terraform stops providers with StopProvider");
            }
        });
    }
    #[cfg(not(unix))]
    {
        tokio::spawn(async {
            while tokio::signal::ctrl_c().await.is_ok() {
                tracing::debug!("ignoring Ctrl-C; Terraform stops providers with StopProvider");
            }
        });
    }
    Ok(())
}

/// Registers every service on one server and serves `incoming` until `shutdown` fires.
async fn run_server<P, I, IO, IE>(
    provider: P,
    incoming: I,
    shutdown: CancellationToken,
) -> Result<(), TransportError>
where
    P: Provider,
    I: Stream<Item = Result<IO, IE>>,
    IO: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
    IE: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    // go-plugin's documented requirement for non-Go plugins.
    health_reporter
        .set_service_status("plugin", ServingStatus::Serving)
        .await;

    let provider_service = ProviderServer::new(provider)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);

    let server = Server::builder()
        .add_service(health_service)
        .add_service(GrpcControllerServer::new(services::Controller {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcStdioServer::new(services::Stdio {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcBrokerServer::new(services::Broker {
            shutdown: shutdown.clone(),
        }))
        .add_service(provider_service)
        .serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned());

    // Graceful shutdown waits for every connection to close; Terraform closes its connection
    // right after Shutdown, but never wait longer than the grace period.
    let deadline = async {
        shutdown.cancelled().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        result = server => result?,
        () = deadline => tracing::debug!("graceful shutdown timed out; dropping connections"),
    }
    drop(health_reporter);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::plugin::grpc_controller_client::GrpcControllerClient;
    use crate::proto::plugin::grpc_stdio_client::GrpcStdioClient;
    use crate::proto::tfplugin6::provider_client::ProviderClient;
    use crate::proto::tfplugin6::{get_metadata, get_provider_schema};
    use futures::StreamExt as _;
    use tonic_health::pb::health_check_response::ServingStatus as HealthStatus;
    use tonic_health::pb::health_client::HealthClient;
    use tonic_health::pb::HealthCheckRequest;

    /// Implements only GetProviderSchema; everything else is a generated default stub.
    struct SchemaOnly;

    #[tonic::async_trait]
    impl Provider for SchemaOnly {
        async fn get_provider_schema(
            &self,
            _request: tonic::Request<get_provider_schema::Request>,
        ) -> Result<tonic::Response<get_provider_schema::Response>, tonic::Status> {
            Ok(tonic::Response::new(
                get_provider_schema::Response::default(),
            ))
        }
    }

    #[tokio::test]
    async fn services_health_stubs_and_shutdown() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let shutdown = CancellationToken::new();
        let server = tokio::spawn(run_server(
            SchemaOnly,
            tokio_stream::wrappers::TcpListenerStream::new(listener),
            shutdown.clone(),
        ));
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
            .expect("endpoint")
            .connect()
            .await
            .expect("connect");

        let health = HealthClient::new(channel.clone())
            .check(HealthCheckRequest {
                service: "plugin".into(),
            })
            .await
            .expect("health check")
            .into_inner();
        assert_eq!(health.status, HealthStatus::Serving as i32);

        let mut provider = ProviderClient::new(channel.clone());
        provider
            .get_provider_schema(get_provider_schema::Request {})
            .await
            .expect("implemented RPC");
        let status = provider
            .get_metadata(get_metadata::Request {})
            .await
            .expect_err("default stub");
        assert_eq!(status.code(), tonic::Code::Unimplemented);

        // Terraform opens the stdio stream right away; it must not hold up shutdown.
        let mut stdio = GrpcStdioClient::new(channel.clone())
            .stream_stdio(())
            .await
            .expect("stdio stream")
            .into_inner();

        let started = std::time::Instant::now();
        GrpcControllerClient::new(channel.clone())
            .shutdown(crate::proto::plugin::Empty {})
            .await
            .expect("shutdown");
        assert!(stdio.next().await.is_none_or(|item| item.is_err()));
        drop(channel);
        tokio::time::timeout(Duration::from_secs(2), server)
            .await
            .expect("server stops within Terraform's 2 s")
            .expect("join")
            .expect("server result");
        assert!(started.elapsed() < SHUTDOWN_GRACE + Duration::from_millis(500));
    }
}
