//! Acceptance tests for `mongodbatlas_database_user` and its data sources: real terraform,
//! real provider binary, real sandbox, as declarative cases (see `acceptance_tests::case`).

use acceptance_tests::case::{encoded_state_id, regex::escape};
use acceptance_tests::{examples_dir, Case, Harness, Matrix, Step};
use anyhow::{ensure, Result};
use atlas_admin_sdk::models::CreateProject;
use serde_json::json;

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");
const ADDR: &str = "mongodbatlas_database_user.test";

const HEADER: &str = concat!(
    acceptance_tests::required_providers!(),
    r#"
variable "project_id" {
  type = string
}
"#
);

/// A user block; `extra` goes inside the resource (roles, scopes, password …).
fn user(username: &str, extra: &str) -> String {
    format!(
        r#"{HEADER}
resource "mongodbatlas_database_user" "test" {{
  project_id         = var.project_id
  username           = "{username}"
  auth_database_name = "admin"
{extra}
}}
"#
    )
}

const ROLES_A: &str = r#"
  password    = "first-password-1"
  description = "first"
  roles {
    role_name     = "readWrite"
    database_name = "app"
  }
  roles {
    role_name       = "read"
    database_name   = "reporting"
    collection_name = "daily"
  }
  labels {
    key   = "team"
    value = "payments"
  }
"#;

const ROLES_B: &str = r#"
  password    = "second-password-2"
  description = "second"
  roles {
    role_name     = "readWriteAnyDatabase"
    database_name = "admin"
  }
  labels {
    key   = "team"
    value = "payments"
  }
  scopes {
    name = "cluster-0"
    type = "CLUSTER"
  }
"#;

/// A sandbox and a project made through the SDK (the case's `project_id` variable).
async fn setup(name: &str) -> Result<(Harness, String)> {
    let h = Harness::start(PROVIDER).await?;
    let project = h
        .client()?
        .projects()
        .create(CreateProject::new(
            format!("acc-{name}"),
            h.sandbox.org_id.clone(),
        ))
        .await?;
    Ok((h, project.id))
}

fn at(attr: &str) -> String {
    format!("{ADDR}.{attr}")
}

/// The username has dashes, as the `-` separated import id must cope with them.
const USERNAME: &str = "acc-user-with-dashes";

/// Create, two in-place updates, import (both id forms, and a bad one), a username change
/// replaces, deleted out of band and re-created, nothing left after destroy.
#[tokio::test(flavor = "multi_thread")]
async fn acc_database_user_matrix() -> Result<()> {
    let (h, project_id) = setup("matrix").await?;
    let trimmed = ROLES_B.replace("  description = \"second\"\n", "").replace(
        "  scopes {\n    name = \"cluster-0\"\n    type = \"CLUSTER\"\n  }\n",
        "",
    );
    let pid = project_id.clone();
    Matrix::new(
        ADDR,
        Step::apply(user(USERNAME, ROLES_A))
            .check_plan(|plan| {
                let change = &plan["resource_changes"][0]["change"];
                ensure!(
                    change["after"]["x509_type"] == "NONE",
                    "defaults are planned: {change}"
                );
                ensure!(
                    change["after_unknown"]["id"].is_null(),
                    "id is planned, not (known after apply): {change}"
                );
                Ok(())
            })
            .check_eq(
                &at("id"),
                encoded_state_id(&[
                    ("project_id", &project_id),
                    ("username", USERNAME),
                    ("auth_database_name", "admin"),
                ]),
            )
            .check_eq(&at("project_id"), project_id.as_str())
            .check_eq(&at("description"), "first")
            .check_eq(&at("aws_iam_type"), "NONE")
            .check_eq(&at("oidc_auth_type"), "NONE")
            .check_eq(&at("roles.#"), 2)
            .check_eq(&at("labels.0.key"), "team")
            .check_eq(&at("password"), "first-password-1")
            .check_absent(&at("password_wo"))
            .check_remote(move |ctx| {
                let pid = pid.clone();
                async move {
                    let remote = ctx
                        .client
                        .database_users()
                        .get(&pid, "admin", USERNAME)
                        .await?;
                    ensure!(remote.roles.map(|r| r.len()) == Some(2));
                    Ok(())
                }
            }),
    )
    .update_in_place(
        Step::apply(user(USERNAME, ROLES_B))
            .check_eq(&at("description"), "second")
            .check_eq(&at("password"), "second-password-2")
            .check_eq(&at("scopes.0.name"), "cluster-0")
            .check_remote(|ctx| async move {
                let pid = ctx.state.str(&at("project_id"))?;
                let remote = ctx
                    .client
                    .database_users()
                    .get(&pid, "admin", USERNAME)
                    .await?;
                let roles = remote.roles.unwrap_or_default();
                ensure!(roles.len() == 1, "{roles:?}");
                ensure!(roles[0].role_name.as_deref() == Some("readWriteAnyDatabase"));
                ensure!(remote.scopes.map(|s| s.len()) == Some(1));
                Ok(())
            }),
    )
    .import(
        Step::import_verify(ADDR, &["password", "password_wo", "password_wo_version"])
            .import_id(&format!("{project_id}-{USERNAME}-admin"))
            .import_plan_may_change(),
    )
    .import(
        Step::import_verify(ADDR, &["password", "password_wo", "password_wo_version"])
            .import_id(&format!("{project_id}/{USERNAME}/admin"))
            .import_plan_may_change(),
    )
    .import(
        Step::import_verify(ADDR, &[])
            .import_id("nonsense")
            .expect_error(&escape("{project_id}-{username}-{auth_database_name}")),
    )
    // Removing the description and the scopes is an in-place update too.
    .update_in_place(
        Step::apply(user(USERNAME, &trimmed)).check_remote(|ctx| async move {
            let pid = ctx.state.str(&at("project_id"))?;
            let remote = ctx
                .client
                .database_users()
                .get(&pid, "admin", USERNAME)
                .await?;
            ensure!(remote.description.unwrap_or_default().is_empty());
            ensure!(remote.scopes.unwrap_or_default().is_empty());
            Ok(())
        }),
    )
    .replace(
        Step::apply(user("acc-user-renamed", ROLES_A)).check_remote(|ctx| async move {
            let pid = ctx.state.str(&at("project_id"))?;
            let users = ctx.client.database_users().list_all(&pid).await?;
            let names: Vec<_> = users.iter().filter_map(|u| u.username.clone()).collect();
            ensure!(names == ["acc-user-renamed"], "{names:?}");
            Ok(())
        }),
    )
    .disappears(Step::disappears(ADDR, |ctx| async move {
        let pid = ctx.state.str(&at("project_id"))?;
        let username = ctx.state.str(&at("username"))?;
        ctx.client
            .database_users()
            .delete(&pid, "admin", &username)
            .await?;
        Ok(())
    }))
    .into_case("database-user")
    .var("project_id", &project_id)
    .check_destroyed(move |ctx| {
        let pid = project_id.clone();
        async move {
            let left = ctx.client.database_users().list_all(&pid).await?;
            ensure!(left.is_empty(), "users left after destroy: {left:?}");
            Ok(())
        }
    })
    .run(&h)
    .await
}

const WO_SECRET: &str = "write-only-Secret-4711";
const WO_ROTATED: &str = "rotated-Secret-0815";

fn wo_config(version: i64) -> String {
    format!(
        r#"{}
variable "pw" {{
  type      = string
  sensitive = true
  ephemeral = true
}}
"#,
        user(
            "acc-wo",
            &format!(
                r#"
  password_wo         = var.pw
  password_wo_version = {version}
  roles {{
    role_name     = "read"
    database_name = "app"
  }}
"#
            ),
        )
    )
}

/// Fails if `secret` is in the step's plan file or the raw state file.
fn not_in_files(secret: &'static str) -> impl Fn(&std::path::Path) -> Result<()> {
    move |dir| {
        let plan_file = std::fs::read(dir.join("tfplan"))?;
        ensure!(
            !String::from_utf8_lossy(&plan_file).contains(secret),
            "the plan file holds the write-only password"
        );
        let raw = std::fs::read_to_string(dir.join("terraform.tfstate"))?;
        ensure!(!raw.contains(secret), "terraform.tfstate holds it");
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_database_user_password_wo() -> Result<()> {
    let (h, project_id) = setup("wo").await?;
    Case::new("wo")
        .var("project_id", &project_id)
        .var("pw", WO_SECRET)
        .steps([
            Step::apply(wo_config(1))
                .check_plan(|plan| {
                    ensure!(
                        !plan.to_string().contains(WO_SECRET),
                        "the saved plan holds the write-only password"
                    );
                    Ok(())
                })
                .check_files(not_in_files(WO_SECRET))
                .check(|state| {
                    ensure!(
                        !state.json().to_string().contains(WO_SECRET),
                        "state: {}",
                        state.json()
                    );
                    Ok(())
                })
                .check_absent(&at("password_wo"))
                .check_absent(&at("password"))
                .check_eq(&at("password_wo_version"), 1),
            // A new version sends the password again, in place.
            Step::apply(wo_config(2))
                .env("TF_VAR_pw", WO_ROTATED)
                .expect_update_in_place(ADDR)
                .check_eq(&at("password_wo_version"), 2)
                .check_files(not_in_files(WO_ROTATED)),
            // password and password_wo together: a validation error naming password_wo.
            Step::plan_only(wo_config(2).replace(
                "  password_wo         = var.pw\n",
                "  password_wo         = var.pw\n  password = \"plain-password-1\"\n",
            ))
            .expect_error("Conflicting password attributes")
            .expect_error("password_wo"),
        ])
        .run(&h)
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_database_user_data_sources() -> Result<()> {
    let cfg = format!(
        "{}{}",
        user("acc-ds", ROLES_B),
        r#"
data "mongodbatlas_database_user" "one" {
  project_id         = mongodbatlas_database_user.test.project_id
  username           = mongodbatlas_database_user.test.username
  auth_database_name = "admin"
}

data "mongodbatlas_database_users" "all" {
  project_id = var.project_id
  depends_on = [mongodbatlas_database_user.test]
}

output "one_roles" {
  value = [for r in data.mongodbatlas_database_user.one.roles : r.role_name]
}

output "one_scope" {
  value = [for s in data.mongodbatlas_database_user.one.scopes : s.name]
}

output "one_description" {
  value = data.mongodbatlas_database_user.one.description
}

output "all_names" {
  value = [for u in data.mongodbatlas_database_users.all.results : u.username]
}

output "all_types" {
  value = [for u in data.mongodbatlas_database_users.all.results : u.x509_type]
}
"#
    );
    let (h, project_id) = setup("ds").await?;
    Case::new("ds")
        .var("project_id", &project_id)
        .step(
            Step::apply(cfg)
                .check_eq("output.one_roles", json!(["readWriteAnyDatabase"]))
                .check_eq("output.one_scope", json!(["cluster-0"]))
                .check_eq("output.one_description", "second")
                .check_eq("output.all_names", json!(["acc-ds"]))
                .check_eq("output.all_types", json!(["NONE"])),
        )
        .run(&h)
        .await
}

/// The example applies as written (`terraform plan` validates it first), and plans empty.
#[tokio::test(flavor = "multi_thread")]
async fn acc_database_user_example_applies() -> Result<()> {
    let example = std::fs::read_to_string(
        examples_dir().join("resources/mongodbatlas_database_user/resource.tf"),
    )?;
    let (h, project_id) = setup("example").await?;
    Case::new("example")
        .var("project_id", &project_id)
        .var("app_password", "example-Password-1")
        .step(Step::apply(example).check(|state| {
            ensure!(!state.addresses().is_empty(), "the example creates nothing");
            Ok(())
        }))
        .run(&h)
        .await
}
