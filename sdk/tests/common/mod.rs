//! Shared helpers for the tests that run against the in-process sandbox.
#![allow(dead_code)]

use atlas_admin_sdk::Client;
use atlas_sandbox::SandboxHandle;

/// Starts a sandbox on a free port.
pub async fn sandbox() -> SandboxHandle {
    atlas_sandbox::spawn(atlas_sandbox::Config {
        listen: "127.0.0.1:0".parse().unwrap_or_else(|e| panic!("{e}")),
        ..Default::default()
    })
    .await
    .unwrap_or_else(|e| panic!("sandbox: {e}"))
}

/// Starts a sandbox with `config` (its `listen` forced to a free port).
pub async fn sandbox_with(config: atlas_sandbox::Config) -> SandboxHandle {
    atlas_sandbox::spawn(atlas_sandbox::Config {
        listen: "127.0.0.1:0".parse().unwrap_or_else(|e| panic!("{e}")),
        ..config
    })
    .await
    .unwrap_or_else(|e| panic!("sandbox: {e}"))
}

/// A sandbox whose asynchronous resources settle after `transition_seconds`.
pub async fn sandbox_with_transitions(transition_seconds: f64) -> SandboxHandle {
    sandbox_with(atlas_sandbox::Config {
        transition_seconds,
        ..atlas_sandbox::Config::for_tests()
    })
    .await
}

/// Creates a project named `name` and returns its id.
pub async fn project(client: &Client, sb: &SandboxHandle, name: &str) -> String {
    ok(client
        .projects()
        .create(atlas_admin_sdk::models::CreateProject::new(
            name, &sb.org_id,
        ))
        .await)
    .id
}

/// A client authenticated with the sandbox's API key.
pub fn client(sb: &SandboxHandle) -> Client {
    Client::builder()
        .base_url(&sb.base_url)
        .digest_auth(&sb.public_key, &sb.private_key)
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

/// `requests_total` read through `GET /_sandbox/stats`.
pub async fn stats_requests_total(sb: &SandboxHandle) -> u64 {
    let v: serde_json::Value = reqwest::get(format!("{}/_sandbox/stats", sb.base_url))
        .await
        .unwrap_or_else(|e| panic!("stats: {e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("stats json: {e}"));
    v["requests_total"]
        .as_u64()
        .unwrap_or_else(|| panic!("no requests_total in {v}"))
}

/// Unwraps a result, panicking with the error's Display.
pub fn ok<T>(r: atlas_admin_sdk::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// Unwraps an error.
pub fn err<T: std::fmt::Debug>(r: atlas_admin_sdk::Result<T>) -> atlas_admin_sdk::Error {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e,
    }
}
