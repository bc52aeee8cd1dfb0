//! Secrets never reach logs: a whole case at TF_LOG=TRACE (Terraform's and the provider's
//! logs, including every request the SDK makes) must not contain the private key, and no
//! terraform command prints it. Declarative cases (see `acceptance_tests::case`).

use acceptance_tests::{Case, Harness, Output, Step, REQUIRED_PROVIDERS};
use anyhow::{ensure, Result};
use std::path::Path;

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

/// The TRACE log the case's commands append to (TF_LOG_PATH, relative to the working
/// directory).
const LOG: &str = "trace.log";

/// The TRACE log of the case: the provider's own lines reached it, and none of `secrets`.
fn check_log(workdir: &Path, secrets: &[(&str, &str)]) -> Result<()> {
    let logs = std::fs::read_to_string(workdir.join(LOG))?;
    ensure!(
        logs.contains("provider.terraform-provider-mongodbatlas"),
        "the provider's own log lines reached Terraform's log"
    );
    for (name, secret) in secrets {
        ensure!(!logs.contains(secret), "{name} appears in TF_LOG_PATH");
    }
    Ok(())
}

/// None of `secrets` in what a command printed.
fn check_printed(args: &[&str], out: &Output, secrets: &[(&str, String)]) -> Result<()> {
    for (name, secret) in secrets {
        ensure!(
            !out.stdout.contains(secret.as_str()),
            "{name} appears in the stdout of terraform {args:?}"
        );
        ensure!(
            !out.stderr.contains(secret.as_str()),
            "{name} appears in the stderr of terraform {args:?}"
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_trace_logs_hold_no_secrets() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
    let secret = h.sandbox.private_key.clone();
    let printed = [("the private key", secret.clone())];
    Case::new("trace")
        .env("TF_LOG", "TRACE")
        .env("TF_LOG_PATH", LOG)
        .check_outputs(move |args, out| check_printed(args, out, &printed))
        .step(Step::apply(CONFIG).expect_create("mongodbatlas_project.test"))
        .check_destroyed(move |ctx| {
            let secret = secret.clone();
            async move { check_log(&ctx.workdir, &[("the private key", &secret)]) }
        })
        .run(&h)
        .await
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
/// write-only password stay out of the TRACE log and every command's output; the write-only
/// password is in neither the saved plan nor the state.
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
    let private_key = h.sandbox.private_key.clone();
    // `show -json` prints the plan and the state as they are: terraform puts the input
    // variables (the client secret) and the stored `password` (not write-only, kept in the
    // state by design) in them. Every other command must print neither.
    let anywhere = [
        ("the private key", private_key.clone()),
        ("the write-only password", PASSWORD_WO.to_string()),
    ];
    let except_show = [
        ("the client secret", SA_CLIENT_SECRET.to_string()),
        ("the password", PASSWORD.to_string()),
    ];
    Case::new("sa")
        .unset_env("MONGODB_ATLAS_PUBLIC_KEY")
        .unset_env("MONGODB_ATLAS_PRIVATE_KEY")
        .unset_env("MONGODB_ATLAS_BASE_URL")
        .var("base_url", &h.sandbox.base_url)
        .var("client_id", SA_CLIENT_ID)
        .var("client_secret", SA_CLIENT_SECRET)
        .var("password_wo", PASSWORD_WO)
        .env("TF_LOG", "TRACE")
        .env("TF_LOG_PATH", LOG)
        .check_outputs(move |args, out| {
            check_printed(args, out, &anywhere)?;
            if args.first() != Some(&"show") {
                check_printed(args, out, &except_show)?;
            }
            Ok(())
        })
        .step(
            Step::apply(sa_config())
                .expect_create("mongodbatlas_database_user.wo")
                .check_plan(|plan| {
                    ensure!(
                        !plan.to_string().contains(PASSWORD_WO),
                        "password_wo reached the saved plan"
                    );
                    Ok(())
                })
                .check_files(|dir| {
                    let plan_file = std::fs::read(dir.join("tfplan"))?;
                    ensure!(
                        !plan_file
                            .windows(PASSWORD_WO.len())
                            .any(|w| w == PASSWORD_WO.as_bytes()),
                        "password_wo reached the plan file"
                    );
                    // The state can hold passwords: the stored `password` is there, as designed.
                    let state = std::fs::read_to_string(dir.join("terraform.tfstate"))?;
                    ensure!(
                        state.contains(PASSWORD),
                        "password (not write-only) is kept in state"
                    );
                    ensure!(
                        !state.contains(PASSWORD_WO),
                        "password_wo reached the state file"
                    );
                    Ok(())
                })
                // Applied with the service account: the users exist in the project.
                .check_remote(|ctx| async move {
                    let projects = ctx.client.projects().list_all().await?;
                    ensure!(projects.len() == 1, "{projects:?}");
                    let users = ctx
                        .client
                        .database_users()
                        .list_all(&projects[0].id)
                        .await?;
                    ensure!(users.len() == 2, "{users:?}");
                    Ok(())
                }),
        )
        .check_destroyed(move |ctx| {
            let private_key = private_key.clone();
            async move {
                check_log(
                    &ctx.workdir,
                    &[
                        ("the client secret", SA_CLIENT_SECRET),
                        ("the private key", &private_key),
                        ("the password", PASSWORD),
                        ("the write-only password", PASSWORD_WO),
                    ],
                )
            }
        })
        .run(&h)
        .await
}
