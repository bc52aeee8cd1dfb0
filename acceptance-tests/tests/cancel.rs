//! Ctrl-C: a `terraform apply` waiting for a slow cluster (CREATING for two minutes) gets
//! SIGINT on its whole process group, as a terminal sends it. Terraform asks the provider to
//! stop (StopProvider); the provider's wait ends at once with an "Operation cancelled"
//! diagnostic naming what was in flight, terraform exits within a few seconds, and no process
//! of the group is left behind.

use acceptance_tests::{terraform_path, Harness};
use anyhow::{bail, ensure, Result};
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");

const CONFIG: &str = concat!(
    acceptance_tests::required_providers!(),
    r#"
variable "org_id" {
  type = string
}

resource "mongodbatlas_project" "this" {
  name   = "acc-cancel"
  org_id = var.org_id
}

resource "mongodbatlas_advanced_cluster" "slow" {
  project_id   = mongodbatlas_project.this.id
  name         = "slow"
  cluster_type = "REPLICASET"
  replication_specs = [
    {
      region_configs = [
        {
          provider_name = "AWS"
          region_name   = "EU_WEST_1"
          priority      = 7
          electable_specs = {
            instance_size = "M10"
            node_count    = 3
          }
        }
      ]
    }
  ]
}
"#
);

/// `kill -<signal> -<pgid>`; true if some process received it.
fn signal_group(signal: &str, pgid: u32) -> bool {
    std::process::Command::new("kill")
        .args([signal, "--", &format!("-{pgid}")])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_ctrl_c_cancels_a_cluster_wait_promptly() -> Result<()> {
    let h = Harness::start_with(
        PROVIDER,
        atlas_sandbox::Config {
            listen: "127.0.0.1:0".parse()?,
            transition_seconds: 120.0,
            ..atlas_sandbox::Config::default()
        },
    )
    .await?;
    let wd = h.workdir("cancel", CONFIG)?;
    let child = tokio::process::Command::new(terraform_path()?)
        .args(["apply", "-auto-approve", "-no-color"])
        .current_dir(&wd.dir)
        .envs(h.env())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()?;
    let pgid = child.id().unwrap_or_default();

    // Wait for the cluster to be CREATING (the provider is then inside its wait).
    let client = h.client()?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        ensure!(
            Instant::now() < deadline,
            "the cluster never reached CREATING"
        );
        let projects = client.projects().list_all().await.unwrap_or_default();
        if let Some(p) = projects.first() {
            let clusters = client.clusters().list_all(&p.id).await.unwrap_or_default();
            if !clusters.is_empty() {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    let interrupted = Instant::now();
    ensure!(signal_group("-INT", pgid), "SIGINT could not be sent");
    let out = match tokio::time::timeout(Duration::from_secs(15), child.wait_with_output()).await {
        Ok(out) => out?,
        Err(_) => {
            signal_group("-KILL", pgid);
            bail!("terraform did not exit within 15 s of Ctrl-C");
        }
    };
    let took = interrupted.elapsed();
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    ensure!(
        took < Duration::from_secs(5),
        "terraform took {took:?} to exit after Ctrl-C:\n{text}"
    );
    ensure!(
        !out.status.success() && out.status.signal().is_none(),
        "terraform should fail cleanly: {:?}\n{text}",
        out.status
    );
    ensure!(
        text.contains("Operation cancelled") && text.contains("creating cluster \"slow\""),
        "no cancellation diagnostic naming the call:\n{text}"
    );
    // No process of the group (terraform, the provider) is left.
    let gone_by = Instant::now() + Duration::from_secs(3);
    while signal_group("-0", pgid) {
        if Instant::now() > gone_by {
            signal_group("-KILL", pgid);
            bail!("processes of terraform's group were left running after it exited");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}
