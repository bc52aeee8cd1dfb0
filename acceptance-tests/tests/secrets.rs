//! Secrets never reach logs: a whole apply at TF_LOG=TRACE (Terraform's and the provider's
//! logs, including every request the SDK makes) must not contain the private key.

use acceptance_tests::{Harness, REQUIRED_PROVIDERS};
use anyhow::Result;

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");

const CONFIG: &str = concat!(
    acceptance_tests::required_providers!(),
    r#"
variable "org_id" {
  type = string
}

resource "mongodbatlas_project" "test" {
  name   = "acc-secrets"
  org_id = var.org_id
}
"#
);

#[tokio::test(flavor = "multi_thread")]
async fn acc_trace_logs_hold_no_secrets() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
    let mut wd = h.workdir("main", CONFIG)?;
    let log = wd.dir.join("trace.log");
    wd.set_env("TF_LOG", "TRACE");
    wd.set_env("TF_LOG_PATH", &log.display().to_string());
    let applied = wd.apply().await?;
    wd.destroy().await?;
    let logs = std::fs::read_to_string(&log)?;
    assert!(
        logs.contains("provider.terraform-provider-mongodbatlas"),
        "the provider's own log lines reached Terraform's log"
    );
    let secret = &h.sandbox.private_key;
    for (what, text) in [
        ("TF_LOG_PATH", logs.as_str()),
        ("stdout", applied.stdout.as_str()),
        ("stderr", applied.stderr.as_str()),
    ] {
        assert!(
            !text.contains(secret.as_str()),
            "the private key appears in {what}"
        );
    }
    Ok(())
}

const SA_CLIENT_ID: &str = "mdb_sa_id_5f1d5c2b8a1e4c3d2b1a0f9e";
const SA_CLIENT_SECRET: &str = "mdb_sa_sk_Hush-7c41e0b95d";
const PASSWORD: &str = "Pw-Secret-9f31c2aa";
const PASSWORD_WO: &str = "Wo-Secret-77ad0e4b";

fn sa_config() -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
variable "org_id" {{
  type = string
}}

variable "base_url" {{
  type = string
}}

variable "client_id" {{
  type = string
}}

variable "client_secret" {{
  type      = string
  sensitive = true
}}

# Ephemeral: Terraform keeps its value out of the plan file, as password_wo is kept out of
# plan and state.
variable "password_wo" {{
  type      = string
  sensitive = true
  ephemeral = true
}}

provider "mongodbatlas" {{
  client_id     = var.client_id
  client_secret = var.client_secret
  base_url      = var.base_url
}}

resource "mongodbatlas_project" "test" {{
  name   = "acc-secrets-sa"
  org_id = var.org_id
}}

resource "mongodbatlas_database_user" "pw" {{
  project_id         = mongodbatlas_project.test.id
  username           = "pw-user"
  password           = "{PASSWORD}"
  auth_database_name = "admin"
  roles {{
    role_name     = "read"
    database_name = "app"
  }}
}}

resource "mongodbatlas_database_user" "wo" {{
  project_id          = mongodbatlas_project.test.id
  username            = "wo-user"
  password_wo         = var.password_wo
  password_wo_version = 1
  auth_database_name  = "admin"
  roles {{
    role_name     = "read"
    database_name = "app"
  }}
}}
"#
    )
}

/// A service account only (no API key anywhere): the client secret, the passwords and the
/// write-only password stay out of the TRACE log and the output; the write-only password is in
/// neither the saved plan nor the state.
#[tokio::test(flavor = "multi_thread")]
async fn acc_service_account_apply_keeps_every_secret_out_of_logs_plan_and_state() -> Result<()> {
    let h = Harness::start_with(
        PROVIDER,
        atlas_sandbox::Config {
            listen: "127.0.0.1:0".parse()?,
            transition_seconds: 0.5,
            client_id: Some(SA_CLIENT_ID.into()),
            client_secret: Some(SA_CLIENT_SECRET.into()),
            ..atlas_sandbox::Config::default()
        },
    )
    .await?;
    let mut wd = h.workdir("sa", &sa_config())?;
    wd.remove_env("MONGODB_ATLAS_PUBLIC_KEY");
    wd.remove_env("MONGODB_ATLAS_PRIVATE_KEY");
    wd.remove_env("MONGODB_ATLAS_BASE_URL");
    wd.set_env("TF_VAR_base_url", &h.sandbox.base_url);
    wd.set_env("TF_VAR_client_id", SA_CLIENT_ID);
    wd.set_env("TF_VAR_client_secret", SA_CLIENT_SECRET);
    wd.set_env("TF_VAR_password_wo", PASSWORD_WO);
    let log = wd.dir.join("trace.log");
    wd.set_env("TF_LOG", "TRACE");
    wd.set_env("TF_LOG_PATH", &log.display().to_string());

    let planned = wd.ok(&["plan", "-no-color", "-out=tfplan"]).await?;
    let shown = wd.ok(&["show", "-json", "tfplan"]).await?;
    let plan_file = std::fs::read(wd.dir.join("tfplan"))?;
    let applied = wd
        .ok(&["apply", "-auto-approve", "-no-color", "tfplan"])
        .await?;
    let state = std::fs::read_to_string(wd.dir.join("terraform.tfstate"))?;

    // Applied with the service account: the users exist in the project.
    let client = h.client()?;
    let projects = client.projects().list_all().await?;
    assert_eq!(projects.len(), 1);
    let users = client.database_users().list_all(&projects[0].id).await?;
    assert_eq!(users.len(), 2, "{users:?}");

    let destroyed = wd.destroy().await?;
    let logs = std::fs::read_to_string(&log)?;
    assert!(
        logs.contains("provider.terraform-provider-mongodbatlas"),
        "the provider's own log lines reached Terraform's log"
    );

    // The state check can see passwords: the stored `password` is there, as designed.
    assert!(
        state.contains(PASSWORD),
        "password (not write-only) is kept in state"
    );
    assert!(
        !state.contains(PASSWORD_WO),
        "password_wo reached the state file"
    );
    assert!(
        !shown.stdout.contains(PASSWORD_WO),
        "password_wo reached the saved plan"
    );
    assert!(
        !plan_file
            .windows(PASSWORD_WO.len())
            .any(|w| w == PASSWORD_WO.as_bytes()),
        "password_wo reached the plan file"
    );
    for (what, text) in [
        ("TF_LOG_PATH", logs.as_str()),
        ("plan stdout", planned.stdout.as_str()),
        ("plan stderr", planned.stderr.as_str()),
        ("apply stdout", applied.stdout.as_str()),
        ("apply stderr", applied.stderr.as_str()),
        ("destroy stdout", destroyed.stdout.as_str()),
        ("destroy stderr", destroyed.stderr.as_str()),
    ] {
        for (name, secret) in [
            ("the client secret", SA_CLIENT_SECRET),
            ("the private key", h.sandbox.private_key.as_str()),
            ("the password", PASSWORD),
            ("the write-only password", PASSWORD_WO),
        ] {
            assert!(!text.contains(secret), "{name} appears in {what}");
        }
    }
    Ok(())
}
