//! Fault injection over HTTP: seeded reproducibility, failures after the write, throttling,
//! latency, and what is never faulted.

mod common;

use std::time::{Duration, Instant};

use atlas_sandbox::Config;
use common::{start_with, Client, V20230101};
use reqwest::Method;
use serde_json::{json, Value};

fn faulty(fail_rate: f64, throttle_rate: f64, seed: u64) -> Config {
    Config {
        fail_rate,
        throttle_rate,
        seed: Some(seed),
        ..Config::for_tests()
    }
}

async fn stats(c: &Client) -> Value {
    let r = c.control(Method::GET, "/_sandbox/stats", None).await;
    assert_eq!(r.status, 200, "{r:?}");
    r.body
}

async fn set_faults(c: &Client, body: Value) -> Value {
    let r = c
        .control(Method::POST, "/_sandbox/faults", Some(&body.to_string()))
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    r.body
}

async fn post_project(c: &Client, org_id: &str, name: &str) -> common::Resp {
    let body = json!({"name": name, "orgId": org_id}).to_string();
    c.call(
        Method::POST,
        "/api/atlas/v2/groups",
        Some(V20230101),
        Some(&body),
    )
    .await
}

async fn project_names(c: &Client) -> Vec<String> {
    let r = c
        .api(
            "listGroups",
            Method::GET,
            "/api/atlas/v2/groups?itemsPerPage=500",
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    r.body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|g| g["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// A fixed sequence of reads and writes; the statuses it got.
async fn run_sequence(seed: u64) -> Vec<(String, u16)> {
    let (sb, c) = start_with(faulty(0.3, 0.2, seed)).await;
    let mut seen = Vec::new();
    for i in 0..40 {
        let (what, r) = if i % 2 == 0 {
            let r = c
                .call(Method::GET, "/api/atlas/v2/orgs", Some(V20230101), None)
                .await;
            ("GET orgs", r)
        } else {
            (
                "POST groups",
                post_project(&c, &sb.org_id, &format!("p-{i}")).await,
            )
        };
        if r.status >= 400 {
            c.spec.validate_error(&r.body).expect("ApiError envelope");
        }
        seen.push((format!("{i} {what} {}", r.code()), r.status));
    }
    sb.shutdown().await;
    seen
}

#[tokio::test]
async fn a_seed_reproduces_the_fault_sequence() {
    let a = run_sequence(11).await;
    let b = run_sequence(11).await;
    assert_eq!(a, b);
    let statuses: Vec<u16> = a.iter().map(|(_, s)| *s).collect();
    assert!(statuses.contains(&429), "{a:?}");
    assert!(statuses.iter().any(|s| *s == 500 || *s == 503), "{a:?}");
    assert!(statuses.iter().any(|s| *s < 300), "{a:?}");
}

#[tokio::test]
async fn failed_writes_half_take_effect_before_the_failure() {
    let (sb, c) = start_with(faulty(1.0, 0.0, 5)).await;
    let mut names = Vec::new();
    for i in 0..20 {
        let name = format!("ambiguous-{i}");
        let r = post_project(&c, &sb.org_id, &name).await;
        assert!(
            matches!(
                (r.status, r.code()),
                (500, "UNEXPECTED_ERROR") | (503, "SERVICE_UNAVAILABLE")
            ),
            "{r:?}"
        );
        c.spec.validate_error(&r.body).expect("ApiError envelope");
        names.push(name);
    }
    let s = stats(&c).await;
    let after = s["faults_by_kind"]["fail_after_write"]
        .as_u64()
        .unwrap_or(0);
    let before = s["faults_by_kind"]["fail_before"].as_u64().unwrap_or(0);
    assert_eq!(after + before, 20, "{s}");
    assert!(after > 0 && before > 0, "{s}");
    assert_eq!(s["faults_injected_total"], json!(20));
    let by_status = &s["faults_by_status"];
    assert_eq!(
        by_status["500"].as_u64().unwrap_or(0) + by_status["503"].as_u64().unwrap_or(0),
        20,
        "{s}"
    );
    // The per-operation counters still see the faulted-after-write POSTs.
    assert_eq!(
        s["requests_by_operation"]["createGroup"]
            .as_u64()
            .unwrap_or(0),
        after,
        "{s}"
    );

    set_faults(&c, json!({"fail_rate": 0})).await;
    let existing = project_names(&c).await;
    assert_eq!(existing.len() as u64, after, "{existing:?}");
    assert!(existing.iter().all(|n| names.contains(n)));
    // The ambiguous create really happened: retrying it conflicts.
    let r = post_project(&c, &sb.org_id, &existing[0]).await;
    assert_eq!((r.status, r.code()), (409, "GROUP_ALREADY_EXISTS"), "{r:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn throttled_requests_carry_retry_after_and_change_nothing() {
    let (sb, c) = start_with(Config::for_tests()).await;
    let body = set_faults(&c, json!({"throttle_rate": 1.0, "retry_after_seconds": 3})).await;
    assert_eq!(
        body,
        json!({"fail_rate": 0.0, "throttle_rate": 1.0, "latency_ms": 0, "retry_after_seconds": 3})
    );
    for i in 0..5 {
        let r = post_project(&c, &sb.org_id, &format!("throttled-{i}")).await;
        assert_eq!(r.status, 429, "{r:?}");
        assert_eq!(r.header("retry-after"), Some("3"));
        assert_eq!(r.content_type(), "application/json");
        assert_eq!(r.body["errorCode"], json!("RATE_LIMITED_TOKEN_BUCKET"));
        assert_eq!(r.body["reason"], json!("Too Many Requests"));
        assert_eq!(r.body["error"], json!(429));
        assert_eq!(
            r.body["parameters"],
            json!(["api/atlas/v2/groups", 3, 100, 10, 60])
        );
        assert!(r.body["detail"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Rate limit exceeded for api/atlas/v2/groups"));
        c.spec.validate_error(&r.body).expect("ApiError envelope");
    }
    let s = stats(&c).await;
    assert_eq!(s["faults_by_kind"], json!({"throttle": 5}));
    assert_eq!(s["faults_by_status"], json!({"429": 5}));
    set_faults(&c, json!({"throttle_rate": 0})).await;
    assert!(project_names(&c).await.is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn control_plane_and_challenges_are_never_faulted_or_delayed() {
    let (sb, c) = start_with(Config {
        fail_rate: 1.0,
        latency_ms: 1500,
        ..Config::for_tests()
    })
    .await;
    let started = Instant::now();
    for path in ["/_sandbox/stats", "/_sandbox/state", "/_sandbox/faults"] {
        let r = c.control(Method::GET, path, None).await;
        assert_eq!(r.status, 200, "{path}: {r:?}");
    }
    let r = c.control(Method::POST, "/_sandbox/reset", None).await;
    assert_eq!(r.status, 200, "{r:?}");
    let r = c
        .control(Method::POST, "/_sandbox/transitions/complete", None)
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    // An unauthenticated request gets its challenge, undelayed and unfaulted.
    let r = c
        .raw(
            Method::GET,
            "/api/atlas/v2/orgs",
            &[("accept", V20230101.to_string())],
            None,
        )
        .await;
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").is_some());
    assert!(started.elapsed() < Duration::from_millis(1500));
    assert_eq!(stats(&c).await["faults_injected_total"], json!(0));

    // Authenticated API requests are delayed and faulted.
    let started = Instant::now();
    let r = c
        .call(Method::GET, "/api/atlas/v2/orgs", Some(V20230101), None)
        .await;
    assert!(r.status == 500 || r.status == 503, "{r:?}");
    assert!(started.elapsed() >= Duration::from_millis(1500));
    assert_eq!(stats(&c).await["faults_injected_total"], json!(1));
    sb.shutdown().await;
}

#[tokio::test]
async fn zero_rates_inject_nothing() {
    let (sb, c) = start_with(faulty(0.0, 0.0, 3)).await;
    for i in 0..30 {
        let r = c
            .api("listOrgs", Method::GET, "/api/atlas/v2/orgs", None)
            .await;
        assert_eq!(r.status, 200, "{r:?}");
        if i % 10 == 0 {
            let r = post_project(&c, &sb.org_id, &format!("calm-{i}")).await;
            assert_eq!(r.status, 201, "{r:?}");
        }
    }
    let s = stats(&c).await;
    assert_eq!(s["faults_injected_total"], json!(0));
    assert_eq!(s["faults_by_kind"], json!({}));
    assert_eq!(project_names(&c).await.len(), 3);
    sb.shutdown().await;
}

#[tokio::test]
async fn runtime_settings_are_validated() {
    let (sb, c) = start_with(Config::for_tests()).await;
    for bad in [
        json!({"fail_rate": -0.1}),
        json!({"throttle_rate": "x"}),
        json!({"retry_after_seconds": 100000}),
        json!({"failRate": 1}),
    ] {
        let r = c
            .control(Method::POST, "/_sandbox/faults", Some(&bad.to_string()))
            .await;
        assert_eq!(r.status, 400, "{bad}: {r:?}");
    }
    let r = c.control(Method::GET, "/_sandbox/faults", None).await;
    assert_eq!(
        r.body,
        json!({"fail_rate": 0.0, "throttle_rate": 0.0, "latency_ms": 0, "retry_after_seconds": 1})
    );
    sb.shutdown().await;
}
