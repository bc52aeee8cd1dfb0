//! Faults never duplicate anything: the complete example (project + cluster + two users + three
//! access entries) against a sandbox that fails 20 % of requests with 5xx (half of the failed
//! writes *after* taking effect), throttles 10 % with 429 and adds 30 ms to each, for several
//! seeds. Each seed converges in ONE `terraform apply` with exactly the expected objects, the
//! next plan is empty, and a destroy (faults on again) leaves nothing. One declarative case
//! per seed (see `acceptance_tests::case`), the seeds at once.

use acceptance_tests::{examples_dir, Case, Harness, Step};
use anyhow::{bail, ensure, Result};
use atlas_sandbox::Config as SandboxConfig;
use std::cell::Cell;
use std::rc::Rc;

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");
const SEEDS: [u64; 5] = [1, 2, 3, 4, 5];

async fn set_faults(
    base_url: &str,
    fail_rate: f64,
    throttle_rate: f64,
    latency_ms: u64,
) -> Result<()> {
    let resp = reqwest::Client::new()
        .post(format!("{base_url}/_sandbox/faults"))
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
async fn failed_after_write(base_url: &str) -> Result<u64> {
    let stats: serde_json::Value = reqwest::get(format!("{base_url}/_sandbox/stats"))
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
    let ambiguous = Rc::new(Cell::new(0));
    let counted = ambiguous.clone();
    Case::new(&format!("faults-{seed}"))
        // One apply, faults on; then, with faults off, exactly the expected objects, the state's
        // ids the API's, and (the step contract) an empty plan.
        .step(Step::apply(config).check_remote(move |ctx| {
            let counted = counted.clone();
            async move {
                set_faults(&ctx.base_url, 0.0, 0.0, 0).await?;
                counted.set(failed_after_write(&ctx.base_url).await?);
                let client = &ctx.client;
                let projects = client.projects().list_all().await?;
                ensure!(projects.len() == 1, "exactly one project: {projects:?}");
                let pid = projects[0].id.clone();
                let state_pid = ctx.state.str("mongodbatlas_project.this.id")?;
                ensure!(state_pid == pid, "state holds {state_pid}, API {pid}");
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
                Ok(())
            }
        }))
        // Destroy under faults too: deletes retry, 404 after a retry is success.
        .before_destroy(|ctx| async move { set_faults(&ctx.base_url, 0.2, 0.1, 30).await })
        .check_destroyed(|ctx| async move {
            set_faults(&ctx.base_url, 0.0, 0.0, 0).await?;
            let left = ctx.client.projects().list_all().await?;
            ensure!(left.is_empty(), "nothing left after destroy: {left:?}");
            Ok(())
        })
        .run(&h)
        .await?;
    Ok(ambiguous.get())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_faults_converge_in_one_apply_without_duplicates() -> Result<()> {
    // The cases run at once on this task (each its own sandbox and working directory).
    let [a, b, c, d, e] = SEEDS;
    let (ra, rb, rc, rd, re) = tokio::join!(
        converge(a),
        converge(b),
        converge(c),
        converge(d),
        converge(e)
    );
    let results = [(a, ra), (b, rb), (c, rc), (d, rd), (e, re)];
    let mut failures = Vec::new();
    let mut ambiguous = 0;
    for (seed, r) in results {
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
