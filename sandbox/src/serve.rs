//! The HTTP/1.1 server loop: axum's router on hyper connections with a header-read timeout.
//!
//! `axum::serve` sets no timer, so a connection that never sends (all of) a request head was
//! held forever. Here every connection gets `header_read_timeout` to deliver each request
//! head — the first one and each one after an idle keep-alive — or it is closed. Plain-text
//! HTTP/2 (prior knowledge) is not served: Atlas clients speak HTTP/1.1 without TLS.

use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Serve `app` on `listener` until `stop` fires, then let in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    stop: oneshot::Receiver<()>,
    header_read_timeout: Duration,
) {
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .keep_alive(true);
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut stop => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    #[tokio::test]
    async fn a_connection_that_never_sends_a_request_head_is_closed() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let addr = listener.local_addr().expect("addr");
        let app = Router::new().route("/", axum::routing::get(|| async { "ok" }));
        let (stop_tx, stop) = oneshot::channel();
        let server = tokio::spawn(serve(listener, app, stop, Duration::from_millis(300)));

        // Silent, and half a head: both are closed after the timeout.
        for sent in [&b""[..], b"GET / HTTP/1.1\r\nHost: x\r\n"] {
            let mut c = tokio::net::TcpStream::connect(addr)
                .await
                .expect("connects");
            c.write_all(sent).await.expect("written");
            let started = std::time::Instant::now();
            let mut buf = Vec::new();
            let read = tokio::time::timeout(Duration::from_secs(5), c.read_to_end(&mut buf)).await;
            assert!(read.is_ok(), "closed by the server, not held");
            assert!(started.elapsed() >= Duration::from_millis(250));
        }
        // A complete request is served.
        let mut c = tokio::net::TcpStream::connect(addr)
            .await
            .expect("connects");
        c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .expect("written");
        let mut buf = String::new();
        c.read_to_string(&mut buf).await.expect("read");
        assert!(buf.starts_with("HTTP/1.1 200"), "{buf}");
        let _ = stop_tx.send(());
        server.await.expect("server stops");
    }
}
