//! Issue 11: the provider installs as a package, the way people install providers. The
//! release script packages the provider binary the harness built; the zip goes into a
//! `filesystem_mirror`; plain `terraform init` (no `dev_overrides`) picks it for
//! `version = "~> 2.0"`, records it with its hash in the lock file and verifies that hash on
//! the next init; then a project is applied against the sandbox and destroyed.

use acceptance_tests::Harness;
use anyhow::{ensure, Context as _, Result};
use std::path::{Path, PathBuf};

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");
const ADDRESS: &str = "registry.terraform.io/mongodb/mongodbatlas";
/// The provider crate's version: what the package, `--version` and the User-Agent carry.
const VERSION: &str = terraform_provider_mongodbatlas::VERSION;

/// Terraform's `<os>_<arch>` for this machine.
fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `scripts/release.sh --binary <the harness's provider> --out <dist> --mirror <mirror>`;
/// returns the files it printed.
fn release(dist: &Path, mirror: &Path) -> Result<Vec<PathBuf>> {
    let out = std::process::Command::new(repo_root().join("scripts/release.sh"))
        .arg("--binary")
        .arg(PROVIDER)
        .arg("--out")
        .arg(dist)
        .arg("--mirror")
        .arg(mirror)
        .output()
        .context("running scripts/release.sh")?;
    ensure!(
        out.status.success(),
        "scripts/release.sh failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?
        .lines()
        .map(PathBuf::from)
        .collect())
}

fn config() -> String {
    r#"
terraform {
  required_providers {
    mongodbatlas = {
      source  = "mongodb/mongodbatlas"
      version = "~> 2.0"
    }
  }
}

variable "org_id" {
  type = string
}

resource "mongodbatlas_project" "this" {
  name   = "installed-from-a-mirror"
  org_id = var.org_id
}

output "project_id" {
  value = mongodbatlas_project.this.id
}
"#
    .to_string()
}

#[test]
fn version_flag_prints_the_release_version() -> Result<()> {
    let out = std::process::Command::new(PROVIDER)
        .arg("--version")
        .output()?;
    ensure!(out.status.success(), "{out:?}");
    let printed = String::from_utf8(out.stdout)?;
    ensure!(
        printed.trim() == format!("terraform-provider-mongodbatlas {VERSION}"),
        "{printed:?}"
    );
    // A release any `~> 2.x` pin accepts, marked as not an official one.
    ensure!(
        VERSION.starts_with("2.") && VERSION.contains("+rs."),
        "{VERSION}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_installs_from_a_filesystem_mirror() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
    let tmp = tempfile::Builder::new().prefix("tfmirror-").tempdir()?;
    let (dist, mirror) = (tmp.path().join("dist"), tmp.path().join("mirror"));

    // The package: zip, manifest and SHA256SUMS, named as the registry names them.
    let files = release(&dist, &mirror)?;
    let zip = format!(
        "terraform-provider-mongodbatlas_{VERSION}_{}.zip",
        platform()
    );
    let manifest = format!("terraform-provider-mongodbatlas_{VERSION}_manifest.json");
    let sums = format!("terraform-provider-mongodbatlas_{VERSION}_SHA256SUMS");
    let names: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_name()?.to_str().map(str::to_string))
        .collect();
    ensure!(
        names == [zip.clone(), manifest.clone(), sums.clone()],
        "release outputs: {names:?}"
    );
    let manifest_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dist.join(&manifest))?)?;
    ensure!(
        manifest_json
            == serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}}),
        "{manifest_json}"
    );
    let check = std::process::Command::new("sha256sum")
        .args(["--check", "--strict", &sums])
        .current_dir(&dist)
        .output()?;
    ensure!(check.status.success(), "SHA256SUMS: {check:?}");
    let sums_text = std::fs::read_to_string(dist.join(&sums))?;
    ensure!(
        sums_text.lines().count() == 2 && sums_text.contains(&zip),
        "{sums_text}"
    );
    ensure!(
        mirror.join(ADDRESS).join(&zip).is_file(),
        "the zip is not in the mirror's packed layout"
    );

    // A CLI config a user would write: our package from the mirror, nothing else for it.
    let cli_config = tmp.path().join("terraformrc");
    std::fs::write(
        &cli_config,
        format!(
            r#"provider_installation {{
  filesystem_mirror {{
    path    = "{}"
    include = ["{ADDRESS}"]
  }}
  direct {{
    exclude = ["{ADDRESS}"]
  }}
}}
"#,
            mirror.display()
        ),
    )?;
    let mut wd = h.workdir("mirror", &config())?;
    wd.set_env("TF_CLI_CONFIG_FILE", &cli_config.display().to_string());
    wd.remove_env("TF_PLUGIN_CACHE_DIR");

    let init = wd.ok(&["init", "-no-color"]).await?;
    let text = init.combined();
    ensure!(
        text.contains(&format!("Installed mongodb/mongodbatlas v{VERSION}")),
        "init did not install from the mirror:\n{text}"
    );
    ensure!(!text.contains("dev_overrides"), "{text}");
    // Unpacked from the zip (not a link to the build).
    let installed = wd
        .dir
        .join(".terraform/providers")
        .join(ADDRESS)
        .join(VERSION)
        .join(platform())
        .join(format!("terraform-provider-mongodbatlas_v{VERSION}"));
    ensure!(
        installed.is_file() && !installed.is_symlink(),
        "{installed:?}"
    );

    // The lock file records the version, the constraint and the package's hash.
    let lock_path = wd.dir.join(".terraform.lock.hcl");
    let lock = std::fs::read_to_string(&lock_path)?;
    ensure!(
        lock.contains(&format!("provider \"{ADDRESS}\""))
            && lock.contains(&format!("version     = \"{VERSION}\""))
            && lock.contains("constraints = \"~> 2.0\""),
        "lock file:\n{lock}"
    );
    ensure!(
        lock.contains("\"h1:"),
        "no h1: hash in the lock file:\n{lock}"
    );

    // The hash is verified: a wrong one refuses the package, the right one installs again.
    let tampered = regex::Regex::new(r#""h1:[^"]+""#)?
        .replace(&lock, "\"h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"");
    std::fs::write(&lock_path, tampered.as_ref())?;
    std::fs::remove_dir_all(wd.dir.join(".terraform"))?;
    let refused = wd.run(&["init", "-no-color"]).await?;
    // terraform wraps its error text: compare with single spaces.
    let words = refused
        .combined()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    ensure!(
        refused.status != 0 && words.contains("doesn't match any of the checksums"),
        "a tampered lock file was accepted:\n{}",
        refused.combined()
    );
    std::fs::write(&lock_path, &lock)?;
    wd.ok(&["init", "-no-color"]).await?;
    ensure!(
        std::fs::read_to_string(&lock_path)? == lock,
        "init changed the lock file"
    );

    // It works: apply a project against the sandbox, then destroy it.
    wd.apply().await?;
    let state = wd.state().await?;
    let pid = state["values"]["outputs"]["project_id"]["value"]
        .as_str()
        .context("project_id output")?
        .to_string();
    let client = h.client()?;
    let projects = client.projects().list_all().await?;
    ensure!(
        projects
            .iter()
            .any(|p| p.id == pid && p.name == "installed-from-a-mirror"),
        "project {pid} is not in the sandbox: {projects:?}"
    );
    wd.assert_empty_plan(&[]).await?;
    wd.destroy().await?;
    let left = client.projects().list_all().await?;
    ensure!(left.is_empty(), "projects left after destroy: {left:?}");
    Ok(())
}
