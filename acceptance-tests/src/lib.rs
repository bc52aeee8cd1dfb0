//! An acceptance-test harness in the spirit of terraform-plugin-testing: it starts the sandbox
//! in-process, installs our provider binary for `mongodb/mongodbatlas` through a CLI config with
//! `dev_overrides` (never the network), and drives the real `terraform` CLI.

use anyhow::{anyhow, bail, Context as _, Result};
use atlas_sandbox::{Config as SandboxConfig, SandboxHandle};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;

pub mod case;
pub use case::{Case, Ctx, Matrix, State, Step};

/// The `terraform { required_providers { … } }` block that installs our provider as
/// `mongodb/mongodbatlas`, as a literal (for `concat!`); [`REQUIRED_PROVIDERS`] is the same.
#[macro_export]
macro_rules! required_providers {
    () => {
        r#"
terraform {
  required_providers {
    mongodbatlas = {
      source = "mongodb/mongodbatlas"
    }
  }
}
"#
    };
}

/// The `required_providers` block every test configuration starts with.
pub const REQUIRED_PROVIDERS: &str = required_providers!();

/// The longest any single terraform command may take before the test fails (never hang CI).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(180);

/// One test case: a sandbox, a plugin directory and a CLI config.
pub struct Harness {
    pub sandbox: SandboxHandle,
    root: TempDir,
    cli_config: PathBuf,
}

/// What a terraform command printed.
#[derive(Debug)]
pub struct Output {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn combined(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Finds the terraform CLI: `TF_ACC_TERRAFORM_PATH`, else `terraform` on PATH. Missing
/// terraform is a loud failure, never a silent skip.
pub fn terraform_path() -> Result<PathBuf> {
    if let Ok(p) = std::env::var("TF_ACC_TERRAFORM_PATH") {
        return Ok(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("terraform"))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            anyhow!("terraform CLI not found on PATH (or TF_ACC_TERRAFORM_PATH): the acceptance tests need the real terraform 1.11")
        })
}

impl Harness {
    /// Starts a sandbox with short transitions and prepares the provider install.
    /// `provider_bin` is `env!("CARGO_BIN_EXE_acc-provider")` from the test.
    pub async fn start(provider_bin: &str) -> Result<Harness> {
        Harness::start_with(
            provider_bin,
            SandboxConfig {
                listen: "127.0.0.1:0".parse()?,
                transition_seconds: 0.5,
                ..SandboxConfig::default()
            },
        )
        .await
    }

    pub async fn start_with(provider_bin: &str, config: SandboxConfig) -> Result<Harness> {
        terraform_path()?;
        let sandbox = atlas_sandbox::spawn(config)
            .await
            .map_err(|e| anyhow!("starting the sandbox: {e}"))?;
        let root = tempfile::Builder::new().prefix("tfacc-").tempdir()?;
        let plugins = root.path().join("plugins");
        std::fs::create_dir_all(&plugins)?;
        let target = plugins.join("terraform-provider-mongodbatlas");
        std::os::unix::fs::symlink(provider_bin, &target)
            .with_context(|| format!("linking {provider_bin}"))?;
        let cli_config = root.path().join("terraformrc");
        // No `direct {}`: the registry is never contacted.
        std::fs::write(
            &cli_config,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"mongodb/mongodbatlas\" = \"{}\"\n  }}\n}}\n",
                plugins.display()
            ),
        )?;
        Ok(Harness {
            sandbox,
            root,
            cli_config,
        })
    }

    /// A fresh working directory holding `config` as main.tf.
    pub fn workdir(&self, name: &str, config: &str) -> Result<Workdir> {
        let dir = self.root.path().join(name);
        std::fs::create_dir_all(&dir)?;
        let wd = Workdir {
            dir,
            env: self.env(),
            observer: None,
        };
        wd.write_config(config)?;
        Ok(wd)
    }

    /// The environment a user would set to point the official provider at the sandbox.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            (
                "TF_CLI_CONFIG_FILE".into(),
                self.cli_config.display().to_string(),
            ),
            ("CHECKPOINT_DISABLE".into(), "1".into()),
            ("TF_IN_AUTOMATION".into(), "1".into()),
            ("TF_INPUT".into(), "0".into()),
            (
                "MONGODB_ATLAS_PUBLIC_KEY".into(),
                self.sandbox.public_key.clone(),
            ),
            (
                "MONGODB_ATLAS_PRIVATE_KEY".into(),
                self.sandbox.private_key.clone(),
            ),
            (
                "MONGODB_ATLAS_BASE_URL".into(),
                self.sandbox.base_url.clone(),
            ),
            ("TF_VAR_org_id".into(), self.sandbox.org_id.clone()),
        ]
    }

    /// An SDK client for checking the sandbox's side of things.
    pub fn client(&self) -> Result<atlas_admin_sdk::Client> {
        atlas_admin_sdk::Client::builder()
            .base_url(self.sandbox.base_url.clone())
            .digest_auth(
                self.sandbox.public_key.clone(),
                self.sandbox.private_key.clone(),
            )
            .build()
            .map_err(|e| anyhow!("building client: {e}"))
    }
}

/// Sees every terraform command a [`Workdir`] runs (its arguments and what it printed); an
/// error fails that command.
pub type CommandObserver = Arc<dyn Fn(&[&str], &Output) -> Result<()> + Send + Sync>;

/// A terraform working directory.
pub struct Workdir {
    pub dir: PathBuf,
    env: Vec<(String, String)>,
    observer: Option<CommandObserver>,
}

impl Workdir {
    pub fn write_config(&self, config: &str) -> Result<()> {
        std::fs::write(self.dir.join("main.tf"), config)?;
        Ok(())
    }

    /// Overrides or adds an environment variable for later commands.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
    }

    pub fn remove_env(&mut self, key: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), String::new()));
    }

    /// Every later command's output goes through `observer` (e.g. no secret is printed).
    pub fn observe(&mut self, observer: CommandObserver) {
        self.observer = Some(observer);
    }

    /// Runs `terraform <args>` and returns what it printed, whatever the exit status.
    pub async fn run(&self, args: &[&str]) -> Result<Output> {
        let tf = terraform_path()?;
        let mut cmd = tokio::process::Command::new(tf);
        cmd.args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (k, v) in &self.env {
            if v.is_empty() {
                cmd.env_remove(k);
            } else {
                cmd.env(k, v);
            }
        }
        let child = cmd.spawn().context("starting terraform")?;
        let out = tokio::time::timeout(COMMAND_TIMEOUT, child.wait_with_output())
            .await
            .map_err(|_| {
                anyhow!("terraform {args:?} did not finish within {COMMAND_TIMEOUT:?}")
            })??;
        let out = Output {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        if let Some(observe) = &self.observer {
            observe(args, &out).with_context(|| format!("the output of terraform {args:?}"))?;
        }
        Ok(out)
    }

    /// Runs terraform and fails with its output unless it exits 0.
    pub async fn ok(&self, args: &[&str]) -> Result<Output> {
        let out = self.run(args).await?;
        if out.status != 0 {
            bail!(
                "terraform {args:?} failed ({}):\n{}",
                out.status,
                out.combined()
            );
        }
        Ok(out)
    }

    pub async fn apply(&self) -> Result<Output> {
        self.ok(&["apply", "-auto-approve", "-no-color"]).await
    }

    pub async fn destroy(&self) -> Result<Output> {
        self.ok(&["destroy", "-auto-approve", "-no-color"]).await
    }

    /// Plans into a file and returns `terraform show -json` of it.
    pub async fn plan_json(&self, extra: &[&str]) -> Result<Json> {
        let mut args = vec!["plan", "-no-color", "-out=tfplan"];
        args.extend_from_slice(extra);
        self.ok(&args).await?;
        let shown = self.ok(&["show", "-json", "tfplan"]).await?;
        Ok(serde_json::from_str(&shown.stdout)?)
    }

    /// Fails unless a plan (with the given extra flags) proposes no change.
    pub async fn assert_empty_plan(&self, extra: &[&str]) -> Result<()> {
        let plan = self.plan_json(extra).await?;
        let changes = changed_resources(&plan);
        if !changes.is_empty() {
            let text = self.run(&["plan", "-no-color"]).await?;
            bail!(
                "expected an empty plan{extra:?}, got changes {changes:?}:\n{}",
                text.stdout
            );
        }
        Ok(())
    }

    /// `terraform show -json` of the current state.
    pub async fn state(&self) -> Result<Json> {
        let shown = self.ok(&["show", "-json"]).await?;
        Ok(serde_json::from_str(&shown.stdout)?)
    }

    /// The attribute values of `address` (e.g. `mongodbatlas_project.test`) in the state.
    pub async fn resource_values(&self, address: &str) -> Result<Json> {
        let state = self.state().await?;
        find_resource(&state, address)
            .ok_or_else(|| anyhow!("{address} is not in the state:\n{state:#}"))
    }
}

/// `(address, actions)` for every resource change that is not a no-op or a read.
pub fn changed_resources(plan: &Json) -> Vec<(String, Vec<String>)> {
    plan["resource_changes"]
        .as_array()
        .map(|changes| {
            changes
                .iter()
                .filter_map(|c| {
                    let actions: Vec<String> = c["change"]["actions"]
                        .as_array()?
                        .iter()
                        .filter_map(|a| a.as_str().map(str::to_string))
                        .collect();
                    let quiet = actions.iter().all(|a| a == "no-op" || a == "read");
                    (!quiet).then(|| {
                        (
                            c["address"].as_str().unwrap_or_default().to_string(),
                            actions,
                        )
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The actions planned for one address.
pub fn actions_for(plan: &Json, address: &str) -> Vec<String> {
    plan["resource_changes"]
        .as_array()
        .and_then(|changes| changes.iter().find(|c| c["address"] == address))
        .and_then(|c| c["change"]["actions"].as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn find_resource(state: &Json, address: &str) -> Option<Json> {
    let resources = state["values"]["root_module"]["resources"].as_array()?;
    resources
        .iter()
        .find(|r| r["address"] == address)
        .map(|r| r["values"].clone())
}

/// Compares two attribute objects as ImportStateVerify does: every attribute equal except
/// those in `ignore`; empty collections and null are the same.
pub fn assert_same_attributes(applied: &Json, imported: &Json, ignore: &[&str]) -> Result<()> {
    let (Some(a), Some(b)) = (applied.as_object(), imported.as_object()) else {
        bail!("expected objects, got {applied} and {imported}");
    };
    let empty = |v: &Json| {
        v.is_null()
            || v.as_array().is_some_and(|x| x.is_empty())
            || v.as_object().is_some_and(|x| x.is_empty())
    };
    for key in a.keys().chain(b.keys()) {
        if ignore.contains(&key.as_str()) {
            continue;
        }
        let (x, y) = (&a[key], &b[key]);
        if x != y && !(empty(x) && empty(y)) {
            bail!("attribute {key}: applied {x} but imported {y}");
        }
    }
    Ok(())
}

/// The examples directory of the repository.
pub fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}
