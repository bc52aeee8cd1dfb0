//! Acceptance tests for `mongodbatlas_project` and its data sources: real terraform, real
//! provider binary, real sandbox, as declarative cases (see `acceptance_tests::case`).

use acceptance_tests::case::regex::escape;
use acceptance_tests::{Case, Harness, Matrix, Step, REQUIRED_PROVIDERS};
use anyhow::{ensure, Result};
use serde_json::json;

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");
const ADDR: &str = "mongodbatlas_project.test";

fn config(name: &str, tags: &str) -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
variable "org_id" {{
  type = string
}}

resource "mongodbatlas_project" "test" {{
  name   = "{name}"
  org_id = var.org_id
  tags   = {tags}
}}

output "project_id" {{
  value = mongodbatlas_project.test.id
}}
"#
    )
}

/// Create, rename in place, import, org change replaces (planned only: the sandbox has one
/// organization), deleted out of band and re-created, destroyed.
#[tokio::test(flavor = "multi_thread")]
async fn acc_project_matrix() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
    let org_id = h.sandbox.org_id.clone();
    let other_org = config("acc-project-renamed", r#"{ env = "test", team = "db" }"#)
        .replace("var.org_id", "\"0123456789abcdef01234567\"");
    Matrix::new(
        ADDR,
        Step::apply(config("acc-project", r#"{ env = "test" }"#))
            .check_matches(&format!("{ADDR}.id"), "^[0-9a-f]{24}$")
            .check_pair("output.project_id", &format!("{ADDR}.id"))
            .check_eq(&format!("{ADDR}.name"), "acc-project")
            .check_eq(&format!("{ADDR}.org_id"), org_id.as_str())
            .check_eq(&format!("{ADDR}.tags"), json!({ "env": "test" }))
            .check_eq(&format!("{ADDR}.cluster_count"), 0)
            .check_eq(&format!("{ADDR}.with_default_alerts_settings"), true)
            .check_matches(&format!("{ADDR}.created"), "Z$"),
    )
    // Rename and a new tag: in place, same id, and the sandbox has the new name.
    .update_in_place(
        Step::apply(config(
            "acc-project-renamed",
            r#"{ env = "test", team = "db" }"#,
        ))
        .check_eq(&format!("{ADDR}.name"), "acc-project-renamed")
        .check_eq(&format!("{ADDR}.tags.team"), "db")
        .check_remote(|ctx| async move {
            let id = ctx.state.str(&format!("{ADDR}.id"))?;
            let remote = ctx.client.projects().get(&id).await?;
            ensure!(remote.name == "acc-project-renamed", "remote: {remote:?}");
            Ok(())
        }),
    )
    .import(Step::import_verify(ADDR, &["project_owner_id"]))
    .replace(Step::plan_only(other_org).expect_actions(ADDR, &["delete", "create"]))
    .disappears(Step::disappears(ADDR, |ctx| async move {
        let id = ctx.state.str(&format!("{ADDR}.id"))?;
        ctx.client.projects().delete(&id).await?;
        Ok(())
    }))
    .into_case("project")
    .check_destroyed(|ctx| async move {
        let left = ctx.client.projects().list_all().await?;
        ensure!(left.is_empty(), "projects left after destroy: {left:?}");
        Ok(())
    })
    .run(&h)
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_project_data_sources() -> Result<()> {
    let cfg = format!(
        "{}{}",
        config("acc-ds", r#"{ owner = "me" }"#),
        r#"
data "mongodbatlas_project" "by_id" {
  project_id = mongodbatlas_project.test.id
}

data "mongodbatlas_project" "by_name" {
  name = mongodbatlas_project.test.name
}

data "mongodbatlas_projects" "all" {
  depends_on = [mongodbatlas_project.test]
}

output "by_id_name" {
  value = data.mongodbatlas_project.by_id.name
}

output "by_name_id" {
  value = data.mongodbatlas_project.by_name.id
}

output "all_names" {
  value = [for p in data.mongodbatlas_projects.all.results : p.name]
}

output "by_id_tags" {
  value = data.mongodbatlas_project.by_id.tags
}
"#
    );
    Case::new("project-ds")
        .step(
            Step::apply(cfg)
                .check_eq("output.by_id_name", "acc-ds")
                .check_pair("output.by_name_id", "output.project_id")
                .check_eq("output.all_names", json!(["acc-ds"]))
                .check_eq("output.by_id_tags.owner", "me"),
        )
        .run_new(PROVIDER)
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_project_bad_input_gets_terraform_errors() -> Result<()> {
    Case::new("project-bad-input")
        .steps([
            // Missing required attribute: named, and the error points at the config.
            Step::plan_only(config("x", "{}").replace("  org_id = var.org_id\n", ""))
                .expect_error("org_id")
                .expect_error(r"main\.tf"),
            // Unknown attribute.
            Step::plan_only(config("x", "{}").replace("  tags ", "  colour = \"red\"\n  tags "))
                .expect_error("colour"),
            // Wrong type.
            Step::plan_only(config("x", "\"not-a-map\"")).expect_error("tags"),
        ])
        .run_new(PROVIDER)
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_provider_wrong_keys_and_unreachable_sandbox() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
    let secret = "00000000-dead-beef-0000-000000000000";
    let closed = "http://127.0.0.1:9";
    Case::new("provider-errors")
        .steps([
            Step::apply(config("x", "{}"))
                .env("MONGODB_ATLAS_PRIVATE_KEY", secret)
                .expect_error("Authentication failed")
                // Names the base URL, never echoes the private key.
                .expect_error(&escape(&h.sandbox.base_url))
                .check_error(move |out| {
                    let text = out.combined();
                    ensure!(!text.contains(secret), "echoes the private key: {text}");
                    Ok(())
                }),
            Step::apply(config("x", "{}"))
                .env("MONGODB_ATLAS_BASE_URL", closed)
                .expect_error(&escape(closed)),
        ])
        .run(&h)
        .await
}
