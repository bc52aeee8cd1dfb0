//! Service-account secrets never reach Debug output or logs. Its own test binary, with one test:
//! tracing caches per-callsite interest process-wide, and a callsite first hit by a concurrent
//! test while this test's scoped subscriber is being registered can be cached as "never", losing
//! the log lines this test reads.

mod oauth_fake;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atlas_admin_sdk::{Client, RetryPolicy};
use oauth_fake::*;

/// A `Write` into a shared buffer, for capturing logs.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn oauth_secrets_never_in_debug_or_logs() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("atlas_admin_sdk=trace"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fake = Fake::start(3600).await;
    fake.state().token_faults.push_back(503);
    let builder = Client::builder()
        .base_url(&fake.base_url)
        .service_account(CLIENT_ID, CLIENT_SECRET)
        .retry_policy(RetryPolicy::new(
            3,
            Duration::from_millis(1),
            Duration::from_millis(5),
            Duration::from_secs(5),
        ));
    let client = builder.clone().build().unwrap_or_else(|e| panic!("{e}"));
    get_project(&client).await;
    fake.state().reject_next_api_call = true;
    get_project(&client).await;
    client
        .revoke_token()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let bad = fake.client_with("mdb_sa_sk_OTHER-secret");
    let e = bad.projects().get(GROUP).await.err();

    let debug = format!("{builder:?} {client:?} {e:?}");
    let logs =
        String::from_utf8_lossy(&capture.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned();
    assert!(logs.contains("retrying"), "{logs}");
    assert!(debug.contains(CLIENT_ID), "{debug}");
    let basic = expected_basic();
    for secret in [
        CLIENT_SECRET,
        "OTHER-secret",
        "tok-1",
        "tok-2",
        basic.trim_start_matches("Basic "),
    ] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
        assert!(!logs.contains(secret), "{secret} in {logs}");
    }
}
