//! go-plugin's auxiliary services, served next to `tfplugin6.Provider`.

use futures::StreamExt;
use tokio_util::sync::CancellationToken;
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status, Streaming};

use crate::proto::plugin::grpc_broker_server::GrpcBroker;
use crate::proto::plugin::grpc_controller_server::GrpcController;
use crate::proto::plugin::grpc_stdio_server::GrpcStdio;
use crate::proto::plugin::{ConnInfo, Empty, StdioData};

/// `plugin.GRPCController`: Terraform's "you are done" call. Terraform SIGKILLs the process
/// 2 s later, so it just triggers the server's shutdown.
#[derive(Debug, Clone)]
pub(crate) struct Controller {
    pub(crate) shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("plugin shutdown requested by the client");
        self.shutdown.cancel();
        Ok(Response::new(Empty {}))
    }
}

/// `plugin.GRPCStdio`: we never write to stdout after the handshake, so the stream stays open
/// without data and ends at shutdown (an open stream must not hold up graceful shutdown).
#[derive(Debug, Clone)]
pub(crate) struct Stdio {
    pub(crate) shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<BoxStream<StdioData>>, Status> {
        let shutdown = self.shutdown.clone();
        let stream = futures::stream::once(async move { shutdown.cancelled_owned().await })
            .filter_map(|()| async { None::<Result<StdioData, Status>> });
        Ok(Response::new(Box::pin(stream)))
    }
}

/// `plugin.GRPCBroker`: providers never broker extra connections. Accept the client's stream,
/// drain it, and answer nothing, so the client does not log a broker failure.
#[derive(Debug, Clone)]
pub(crate) struct Broker {
    pub(crate) shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcBroker for Broker {
    async fn start_stream(
        &self,
        request: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<BoxStream<ConnInfo>>, Status> {
        let mut incoming = request.into_inner();
        let shutdown = self.shutdown.clone();
        let drain = async move {
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    msg = incoming.next() => match msg {
                        Some(Ok(info)) => {
                            tracing::debug!(service_id = info.service_id, "ignoring broker request");
                        }
                        Some(Err(_)) | None => break,
                    },
                }
            }
        };
        let stream = futures::stream::once(drain)
            .filter_map(|()| async { None::<Result<ConnInfo, Status>> });
        Ok(Response::new(Box::pin(stream)))
    }
}
