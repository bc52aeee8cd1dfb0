//! Faults never duplicate anything: the complete example (project + cluster + two users + three
//! access entries) against a sandbox that fails 20 % of requests with 5xx (half of the failed
//! writes *after* taking effect), throttles 10 % with 429 and adds 30 ms to each, for several
//! seeds. Each seed converges in ONE `terraform apply` with exactly the expected objects, the
//! next plan is empty, and a destroy (faults on again) leaves nothing.

use acceptance_tests::{examples_dir, Harness};
use anyhow::{bail, ensure, Context as _, Result};
use atlas_sandbox::Config as SandboxConfig;

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");
const SEEDS: [u64; 5] = [1, 2, 3, 4, 5];

async fn set_faults(
    h: &Harness,
    fail_rate: f64,
    throttle_rate: f64,
    latency_ms: u64,
) -> Result<()> {
    let resp = reqwest::Client::new()
        .post(format!("{}/_sandbox/faults", h.sandbox.base_url))
        .json(&serde_json::json!({
            "fail_rate": fail_rate,
            "throttle_rate": throttle_rate,
            "latency_ms": latency_ms,
        }))
        .send()
        .await?;
    ensure!(
        resp.status().is_success(),
        "setting faults: {}",
        resp.status()
    );
    Ok(())
}

/// How many writes the sandbox failed *after* applying them (the ambiguous failures).
async fn failed_after_write(h: &Harness) -> Result<u64> {
    let stats: serde_json::Value = reqwest::get(format!("{}/_sandbox/stats", h.sandbox.base_url))
        .await?
        .json()
        .await?;
    Ok(stats["faults_by_kind"]["fail_after_write"]
        .as_u64()
        .unwrap_or(0))
}

/// Returns the number of ambiguous write failures the one apply went through.
async fn converge(seed: u64) -> Result<u64> {
    let h = Harness::start_with(
        PROVIDER,
        SandboxConfig {
            listen: "127.0.0.1:0".parse()?,
            transition_seconds: 0.3,
            seed: Some(seed),
            fail_rate: 0.2,
            throttle_rate: 0.1,
            latency_ms: 30,
            ..SandboxConfig::default()
        },
    )
    .await?;
    let config = std::fs::read_to_string(examples_dir().join("complete/main.tf"))?;
    let wd = h.workdir("complete", &config)?;

    // One apply, faults on.
    wd.apply().await.context("the one apply under faults")?;

    // Verify with faults off: exactly the expected objects, state ids are the API's ids.
    set_faults(&h, 0.0, 0.0, 0).await?;
    let ambiguous = failed_after_write(&h).await?;
    let client = h.client()?;
    let projects = client.projects().list_all().await?;
    ensure!(projects.len() == 1, "exactly one project: {projects:?}");
    let pid = projects[0].id.clone();
    let state_pid = wd.resource_values("mongodbatlas_project.this").await?["id"].clone();
    ensure!(
        state_pid == pid.as_str(),
        "state holds {state_pid}, API {pid}"
    );
    let clusters = client.clusters().list_all(&pid).await?;
    ensure!(clusters.len() == 1, "one cluster: {} found", clusters.len());
    ensure!(
        clusters[0].state_name.as_deref() == Some("IDLE"),
        "cluster is {:?}",
        clusters[0].state_name
    );
    let users = client.database_users().list_all(&pid).await?;
    ensure!(users.len() == 2, "two users: {} found", users.len());
    let entries = client.access_list().list_all(&pid).await?;
    ensure!(entries.len() == 3, "three entries: {entries:?}");
    wd.assert_empty_plan(&[]).await?;

    // Destroy under faults too: deletes retry, 404 after a retry is success.
    set_faults(&h, 0.2, 0.1, 30).await?;
    wd.destroy().await.context("destroy under faults")?;
    set_faults(&h, 0.0, 0.0, 0).await?;
    let left = client.projects().list_all().await?;
    ensure!(left.is_empty(), "nothing left after destroy: {left:?}");
    Ok(ambiguous)
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_faults_converge_in_one_apply_without_duplicates() -> Result<()> {
    let tasks: Vec<_> = SEEDS
        .iter()
        .map(|&seed| tokio::spawn(async move { (seed, converge(seed).await) }))
        .collect();
    let mut failures = Vec::new();
    let mut ambiguous = 0;
    for t in tasks {
        let (seed, r) = t.await?;
        match r {
            Ok(n) => ambiguous += n,
            Err(e) => failures.push(format!("seed {seed}: {e:#}")),
        }
    }
    if !failures.is_empty() {
        bail!("{}", failures.join("\n\n"));
    }
    // The applies did go through writes that took effect but answered 5xx.
    ensure!(
        ambiguous > 0,
        "no write failed after taking effect: the test proved nothing"
    );
    eprintln!(
        "{ambiguous} ambiguous write failures reconciled across {} seeds",
        SEEDS.len()
    );
    Ok(())
}
