//! `GET /healthz`: 200 with a small JSON body, without credentials, and never faulted or
//! delayed whatever the fault settings.

mod common;

use std::time::{Duration, Instant};

use atlas_sandbox::Config;
use common::start_with;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn healthz_answers_without_auth_and_is_never_faulted() {
    let (_sb, c) = start_with(Config {
        fail_rate: 1.0,
        throttle_rate: 1.0,
        latency_ms: 1500,
        ..Config::for_tests()
    })
    .await;
    let started = Instant::now();
    for _ in 0..5 {
        let r = c.control(Method::GET, "/healthz", None).await;
        assert_eq!(r.status, 200, "{r:?}");
        assert!(r.content_type().starts_with("application/json"), "{r:?}");
        assert_eq!(
            r.body,
            json!({"status": "ok", "service": "atlas-sandbox", "version": env!("CARGO_PKG_VERSION")})
        );
    }
    assert!(started.elapsed() < Duration::from_millis(1500));
    // Only GET.
    let r = c.control(Method::POST, "/healthz", None).await;
    assert_eq!(r.status, 405, "{r:?}");
}
