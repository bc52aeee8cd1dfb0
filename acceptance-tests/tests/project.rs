//! Acceptance tests for `mongodbatlas_project` and its data sources: real terraform, real
//! provider binary, real sandbox.

use acceptance_tests::{actions_for, assert_same_attributes, Harness, REQUIRED_PROVIDERS};
use anyhow::Result;

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");

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

#[tokio::test(flavor = "multi_thread")]
async fn acc_project_lifecycle() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
    let wd = h.workdir("main", &config("acc-project", r#"{ env = "test" }"#))?;

    // Create, then both kinds of follow-up plan are empty.
    wd.apply().await?;
    let applied = wd.resource_values("mongodbatlas_project.test").await?;
    let id = applied["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(id.len(), 24, "project id is an ObjectId: {applied}");
    assert_eq!(applied["name"], "acc-project");
    assert_eq!(applied["org_id"], h.sandbox.org_id.as_str());
    assert_eq!(applied["tags"]["env"], "test");
    assert_eq!(applied["cluster_count"], 0);
    assert_eq!(applied["with_default_alerts_settings"], true);
    assert!(applied["created"]
        .as_str()
        .is_some_and(|c| c.ends_with('Z')));
    wd.assert_empty_plan(&[]).await?;
    wd.assert_empty_plan(&["-refresh=false"]).await?;

    // Rename: an in-place update that keeps the id.
    wd.write_config(&config(
        "acc-project-renamed",
        r#"{ env = "test", team = "db" }"#,
    ))?;
    let plan = wd.plan_json(&[]).await?;
    assert_eq!(actions_for(&plan, "mongodbatlas_project.test"), ["update"]);
    wd.apply().await?;
    let renamed = wd.resource_values("mongodbatlas_project.test").await?;
    assert_eq!(renamed["id"], id.as_str());
    assert_eq!(renamed["name"], "acc-project-renamed");
    let remote = h.client()?.projects().get(&id).await?;
    assert_eq!(remote.name, "acc-project-renamed");
    wd.assert_empty_plan(&[]).await?;

    // Import into an empty state: same attributes, empty plan.
    let imp = h.workdir(
        "import",
        &config("acc-project-renamed", r#"{ env = "test", team = "db" }"#),
    )?;
    imp.ok(&["import", "-no-color", "mongodbatlas_project.test", &id])
        .await?;
    let imported = imp.resource_values("mongodbatlas_project.test").await?;
    assert_same_attributes(&renamed, &imported, &["project_owner_id"])?;
    imp.assert_empty_plan(&[]).await?;

    // Deleted out of band: the next plan proposes to create it again.
    h.client()?.projects().delete(&id).await?;
    let plan = wd.plan_json(&[]).await?;
    assert_eq!(actions_for(&plan, "mongodbatlas_project.test"), ["create"]);

    // Re-create, then destroy leaves the sandbox without projects.
    wd.apply().await?;
    wd.destroy().await?;
    let left = h.client()?.projects().list_all().await?;
    assert!(left.is_empty(), "projects left after destroy: {left:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_project_org_change_replaces() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
    let wd = h.workdir("main", &config("acc-replace", "{}"))?;
    wd.apply().await?;
    wd.assert_empty_plan(&[]).await?;
    let cfg = config("acc-replace", "{}").replace("var.org_id", "\"0123456789abcdef01234567\"");
    wd.write_config(&cfg)?;
    let plan = wd.plan_json(&[]).await?;
    assert_eq!(
        actions_for(&plan, "mongodbatlas_project.test"),
        ["delete", "create"],
        "changing org_id replaces the project"
    );
    wd.destroy().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_project_data_sources() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
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
    let wd = h.workdir("main", &cfg)?;
    wd.apply().await?;
    let out = wd.ok(&["output", "-json"]).await?;
    let outputs: serde_json::Value = serde_json::from_str(&out.stdout)?;
    let id = outputs["project_id"]["value"].clone();
    assert_eq!(outputs["by_id_name"]["value"], "acc-ds");
    assert_eq!(outputs["by_name_id"]["value"], id);
    assert_eq!(outputs["all_names"]["value"], serde_json::json!(["acc-ds"]));
    assert_eq!(outputs["by_id_tags"]["value"]["owner"], "me");
    wd.assert_empty_plan(&[]).await?;
    wd.destroy().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_project_bad_input_gets_terraform_errors() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
    // Missing required attribute.
    let wd = h.workdir(
        "missing",
        &config("x", "{}").replace("  org_id = var.org_id\n", ""),
    )?;
    let out = wd.run(&["plan", "-no-color"]).await?;
    assert_ne!(out.status, 0);
    assert!(out.stderr.contains("org_id"), "{}", out.combined());
    assert!(
        out.stderr.contains("main.tf"),
        "error points at the config: {}",
        out.combined()
    );

    // Unknown attribute.
    let wd = h.workdir(
        "unknown",
        &config("x", "{}").replace("  tags ", "  colour = \"red\"\n  tags "),
    )?;
    let out = wd.run(&["plan", "-no-color"]).await?;
    assert_ne!(out.status, 0);
    assert!(out.stderr.contains("colour"), "{}", out.combined());

    // Wrong type.
    let wd = h.workdir("type", &config("x", "\"not-a-map\""))?;
    let out = wd.run(&["plan", "-no-color"]).await?;
    assert_ne!(out.status, 0);
    assert!(out.stderr.contains("tags"), "{}", out.combined());
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_provider_wrong_keys_and_unreachable_sandbox() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
    let secret = "00000000-dead-beef-0000-000000000000";
    let mut wd = h.workdir("wrongkey", &config("x", "{}"))?;
    wd.set_env("MONGODB_ATLAS_PRIVATE_KEY", secret);
    let out = wd.run(&["apply", "-auto-approve", "-no-color"]).await?;
    assert_ne!(out.status, 0);
    let text = out.combined();
    assert!(text.contains("Authentication failed"), "{text}");
    assert!(
        text.contains(&h.sandbox.base_url),
        "names the base URL: {text}"
    );
    assert!(
        !text.contains(secret),
        "never echoes the private key: {text}"
    );

    let mut wd = h.workdir("unreachable", &config("x", "{}"))?;
    let closed = "http://127.0.0.1:9";
    wd.set_env("MONGODB_ATLAS_BASE_URL", closed);
    let out = wd.run(&["apply", "-auto-approve", "-no-color"]).await?;
    assert_ne!(out.status, 0);
    assert!(
        out.combined().contains(closed),
        "names the URL: {}",
        out.combined()
    );
    Ok(())
}
