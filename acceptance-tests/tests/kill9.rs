//! Crash safety: the sandbox runs as a separate process with `--data-dir`; in the middle of a
//! `terraform apply` of the complete example (project created, cluster CREATING) it is killed
//! with SIGKILL and started again on the same port and data directory. Another
//! `terraform apply` then converges, the next plan is empty, every object acknowledged before
//! the kill keeps its id, and nothing is duplicated.

use acceptance_tests::{examples_dir, Harness};
use anyhow::{anyhow, bail, ensure, Context as _, Result};
use atlas_admin_sdk::Client;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");
const SANDBOX: &str = env!("CARGO_BIN_EXE_acc-sandbox");

struct Sandbox {
    child: Child,
    base_url: String,
    org_id: String,
}

/// Starts `acc-sandbox` and reads its base URL and organization id from stdout.
async fn start_sandbox(port: u16, data_dir: &Path) -> Result<Sandbox> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut child = Command::new(SANDBOX)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--transition-seconds", "3"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("starting acc-sandbox")?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
        let mut lines = BufReader::new(stdout).lines();
        let (mut base_url, mut org_id) = (None, None);
        let read = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(line) = lines.next_line().await? {
                if let Some(u) = line.strip_prefix("atlas-sandbox listening on ") {
                    base_url = Some(u.trim().to_string());
                }
                if let Some(o) = line.strip_prefix("atlas-sandbox organization id ") {
                    org_id = Some(o.trim().to_string());
                    break;
                }
            }
            anyhow::Ok(())
        })
        .await;
        if let (Ok(Ok(())), Some(base_url), Some(org_id)) = (read, base_url, org_id) {
            return Ok(Sandbox {
                child,
                base_url,
                org_id,
            });
        }
        // The port may still be held for a moment after the kill: try again.
        let _ = child.kill().await;
        if Instant::now() > deadline {
            bail!("acc-sandbox did not start on port {port}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

fn client(base_url: &str) -> Result<Client> {
    Client::builder()
        .base_url(base_url)
        .digest_auth(
            atlas_sandbox::DEFAULT_PUBLIC_KEY,
            atlas_sandbox::DEFAULT_PRIVATE_KEY,
        )
        .build()
        .map_err(|e| anyhow!("client: {e}"))
}

/// What the API holds: project id, cluster ids, user names, access list entries (sorted).
async fn snapshot(client: &Client) -> Result<(Vec<String>, Vec<String>, Vec<String>, Vec<String>)> {
    let projects: Vec<String> = client
        .projects()
        .list_all()
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let (mut clusters, mut users, mut entries) = (Vec::new(), Vec::new(), Vec::new());
    for p in &projects {
        for c in client.clusters().list_all(p).await? {
            clusters.push(format!(
                "{}:{}",
                c.name.unwrap_or_default(),
                c.id.unwrap_or_default()
            ));
        }
        for u in client.database_users().list_all(p).await? {
            users.push(u.username.unwrap_or_default());
        }
        for e in client.access_list().list_all(p).await? {
            entries.push(e.cidr_block.or(e.ip_address).unwrap_or_default());
        }
    }
    for v in [&mut clusters, &mut users, &mut entries] {
        v.sort();
    }
    Ok((projects, clusters, users, entries))
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_sandbox_kill9_mid_apply_loses_nothing() -> Result<()> {
    // The harness supplies the provider install and working directories; the API is the
    // separate sandbox process.
    let h = Harness::start(PROVIDER).await?;
    let data = tempfile::Builder::new().prefix("sandbox-data-").tempdir()?;
    let port = free_port()?;
    let mut sandbox = start_sandbox(port, data.path()).await?;
    let base_url = sandbox.base_url.clone();
    let org_id = sandbox.org_id.clone();
    let config = std::fs::read_to_string(examples_dir().join("complete/main.tf"))?;
    let mut wd = h.workdir("kill9", &config)?;
    wd.set_env("MONGODB_ATLAS_BASE_URL", &base_url);
    wd.set_env(
        "MONGODB_ATLAS_PUBLIC_KEY",
        atlas_sandbox::DEFAULT_PUBLIC_KEY,
    );
    wd.set_env(
        "MONGODB_ATLAS_PRIVATE_KEY",
        atlas_sandbox::DEFAULT_PRIVATE_KEY,
    );
    wd.set_env("TF_VAR_org_id", &org_id);
    let api = client(&base_url)?;

    let first = tokio::spawn(async move {
        let out = wd.run(&["apply", "-auto-approve", "-no-color"]).await;
        (wd, out)
    });

    // Wait until the project exists and the cluster is CREATING, then SIGKILL the sandbox.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if Instant::now() > deadline {
            bail!("the cluster never reached CREATING");
        }
        if let Ok(projects) = api.projects().list_all().await {
            if let Some(p) = projects.first() {
                let clusters = api.clusters().list_all(&p.id).await.unwrap_or_default();
                if clusters
                    .iter()
                    .any(|c| c.state_name.as_deref() == Some("CREATING"))
                {
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before = snapshot(&api).await?;
    sandbox.child.kill().await.context("kill -9 the sandbox")?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut sandbox = start_sandbox(port, data.path()).await?;
    ensure!(
        sandbox.org_id == org_id,
        "the organization changed across the restart"
    );

    // The interrupted apply may fail or recover; either way a second apply converges.
    let (wd, _interrupted) = first.await?;
    wd.apply().await.context("the apply after the restart")?;
    wd.assert_empty_plan(&[]).await?;

    let after = snapshot(&api).await?;
    let (projects, clusters, users, entries) = &after;
    ensure!(projects.len() == 1, "one project: {after:?}");
    ensure!(clusters.len() == 1, "one cluster: {after:?}");
    ensure!(users.len() == 2, "two users: {after:?}");
    ensure!(entries.len() == 3, "three entries: {after:?}");
    // Acknowledged before the kill: same ids now.
    ensure!(
        before.0 == *projects,
        "project ids: {before:?} then {after:?}"
    );
    for c in &before.1 {
        ensure!(clusters.contains(c), "cluster {c} lost: {after:?}");
    }
    for u in &before.2 {
        ensure!(users.contains(u), "user {u} lost: {after:?}");
    }
    for e in &before.3 {
        ensure!(entries.contains(e), "entry {e} lost: {after:?}");
    }
    let state_pid = wd.resource_values("mongodbatlas_project.this").await?["id"].clone();
    ensure!(state_pid == projects[0].as_str(), "state holds {state_pid}");

    wd.destroy().await?;
    ensure!(
        api.projects().list_all().await?.is_empty(),
        "destroy left objects"
    );
    let _ = sandbox.child.kill().await;
    Ok(())
}
