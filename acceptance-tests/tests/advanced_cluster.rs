//! Acceptance tests for `mongodbatlas_advanced_cluster` and its data sources: real terraform,
//! real provider binary, real sandbox (transitions of 0.5 s unless a test says otherwise).

use acceptance_tests::{actions_for, assert_same_attributes, examples_dir, Harness, Workdir};
use anyhow::{Context as _, Result};
use atlas_admin_sdk::models::CreateProject;
use atlas_sandbox::Config as SandboxConfig;
use std::time::Duration;

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");
const ADDR: &str = "mongodbatlas_advanced_cluster.test";

const HEADER: &str = concat!(
    acceptance_tests::required_providers!(),
    r#"
variable "project_id" {
  type = string
}
"#
);

/// A REPLICASET on AWS US_EAST_1 with 3 electable nodes; `electable` holds the spec body and
/// `extra` goes at the end of the resource.
fn cluster(name: &str, electable: &str, extra: &str) -> String {
    format!(
        r#"{HEADER}
resource "mongodbatlas_advanced_cluster" "test" {{
  project_id   = var.project_id
  name         = "{name}"
  cluster_type = "REPLICASET"
  replication_specs = [
    {{
      region_configs = [
        {{
          provider_name = "AWS"
          region_name   = "US_EAST_1"
          priority      = 7
          electable_specs = {{
{electable}
          }}
        }}
      ]
    }}
  ]
{extra}
}}
"#
    )
}

const M10: &str = r#"            instance_size = "M10"
            node_count    = 3"#;

/// A sandbox (with `config`, else the harness default), a project made through the SDK, and a
/// working directory pointed at it.
async fn setup(
    name: &str,
    tf: &str,
    config: Option<SandboxConfig>,
) -> Result<(Harness, Workdir, String)> {
    let h = match config {
        Some(c) => Harness::start_with(PROVIDER, c).await?,
        None => Harness::start(PROVIDER).await?,
    };
    let project = h
        .client()?
        .projects()
        .create(CreateProject::new(
            format!("acc-{name}"),
            h.sandbox.org_id.clone(),
        ))
        .await?;
    let mut wd = h.workdir(name, tf)?;
    wd.set_env("TF_VAR_project_id", &project.id);
    Ok((h, wd, project.id))
}

fn text(v: &serde_json::Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// Whether an `after_unknown` entry marks anything unknown.
fn has_unknown(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::Array(a) => a.iter().any(has_unknown),
        serde_json::Value::Object(o) => o.values().any(has_unknown),
        _ => false,
    }
}

fn electable(values: &serde_json::Value) -> &serde_json::Value {
    &values["replication_specs"][0]["region_configs"][0]["electable_specs"]
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_advanced_cluster_basic() -> Result<()> {
    let (h, wd, project_id) = setup("basic", &cluster("acc-basic", M10, ""), None).await?;
    let plan = wd.plan_json(&[]).await?;
    assert_eq!(actions_for(&plan, ADDR), ["create"]);
    wd.apply().await?;
    let v = wd.resource_values(ADDR).await?;
    assert_eq!(v["state_name"], "IDLE", "{v:#}");
    assert_eq!(text(&v["cluster_id"]).len(), 24, "{v:#}");
    assert!(
        text(&v["connection_strings"]["standard_srv"]).starts_with("mongodb+srv://"),
        "{v:#}"
    );
    assert_eq!(v["project_id"], project_id.as_str());
    assert_eq!(electable(&v)["instance_size"], "M10");
    assert_eq!(electable(&v)["node_count"], 3);
    assert!(electable(&v)["disk_size_gb"].as_f64().is_some(), "{v:#}");
    assert_eq!(v["delete_on_create_timeout"], true);
    assert!(text(&v["mongo_db_version"]).starts_with(text(&v["mongo_db_major_version"])));
    assert_eq!(
        text(&v["replication_specs"][0]["external_id"]).len(),
        24,
        "{v:#}"
    );
    wd.assert_empty_plan(&[]).await?;
    wd.assert_empty_plan(&["-refresh=false"]).await?;

    let remote = h.client()?.clusters().get(&project_id, "acc-basic").await?;
    assert_eq!(remote.state_name.as_deref(), Some("IDLE"));

    wd.destroy().await?;
    let left = h.client()?.clusters().list_all(&project_id).await?;
    assert!(left.is_empty(), "clusters left after destroy: {left:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_advanced_cluster_update() -> Result<()> {
    let tags = |env: &str| format!("  tags = {{ env = \"{env}\" }}\n");
    let (h, wd, project_id) =
        setup("update", &cluster("acc-update", M10, &tags("dev")), None).await?;
    wd.apply().await?;
    let before = wd.resource_values(ADDR).await?;

    // Resize instance and disk in place.
    let m20 = r#"            instance_size = "M20"
            node_count    = 3
            disk_size_gb  = 40"#;
    wd.write_config(&cluster("acc-update", m20, &tags("dev")))?;
    let plan = wd.plan_json(&[]).await?;
    assert_eq!(actions_for(&plan, ADDR), ["update"]);
    let after_unknown = &plan["resource_changes"][0]["change"]["after_unknown"];
    // Quiet plan: stable computed values are known, not "(known after apply)".
    for key in [
        "cluster_id",
        "create_date",
        "state_name",
        "mongo_db_version",
        "connection_strings",
    ] {
        assert!(
            !after_unknown.get(key).is_some_and(has_unknown),
            "{key} should stay known: {after_unknown:#}"
        );
    }
    wd.apply().await?;
    let remote = h
        .client()?
        .clusters()
        .get(&project_id, "acc-update")
        .await?;
    let rc = remote
        .replication_specs
        .as_ref()
        .and_then(|s| s.first())
        .and_then(|s| s.region_configs.as_ref())
        .and_then(|r| r.first())
        .context("region config")?;
    let hw = rc.electable_specs.as_ref().context("electable specs")?;
    assert_eq!(hw.instance_size.as_deref(), Some("M20"));
    assert_eq!(hw.disk_size_gb, Some(40.0));
    let resized = wd.resource_values(ADDR).await?;
    assert_eq!(resized["cluster_id"], before["cluster_id"]);
    assert_eq!(electable(&resized)["disk_size_gb"], 40);
    wd.assert_empty_plan(&[]).await?;
    wd.assert_empty_plan(&["-refresh=false"]).await?;

    // Tags in place.
    wd.write_config(&cluster("acc-update", m20, &tags("prod")))?;
    let plan = wd.plan_json(&[]).await?;
    assert_eq!(actions_for(&plan, ADDR), ["update"]);
    wd.apply().await?;
    let remote = h
        .client()?
        .clusters()
        .get(&project_id, "acc-update")
        .await?;
    let tags = remote.tags.unwrap_or_default();
    assert_eq!(tags.len(), 1);
    assert_eq!(
        (tags[0].key.as_str(), tags[0].value.as_str()),
        ("env", "prod")
    );
    wd.assert_empty_plan(&[]).await?;
    wd.assert_empty_plan(&["-refresh=false"]).await?;

    // Node count and process arguments in place.
    let five = r#"            instance_size = "M20"
            node_count    = 5
            disk_size_gb  = 40"#;
    let adv = "  advanced_configuration = {\n    javascript_enabled = false\n  }\n";
    wd.write_config(&cluster("acc-update", five, adv))?;
    let plan = wd.plan_json(&[]).await?;
    assert_eq!(actions_for(&plan, ADDR), ["update"]);
    wd.apply().await?;
    let args = h
        .client()?
        .clusters()
        .get_process_args(&project_id, "acc-update")
        .await?;
    assert_eq!(args.javascript_enabled, Some(false));
    let v = wd.resource_values(ADDR).await?;
    assert_eq!(electable(&v)["node_count"], 5);
    assert_eq!(v["tags"], serde_json::Value::Null);
    wd.assert_empty_plan(&[]).await?;
    wd.assert_empty_plan(&["-refresh=false"]).await?;
    wd.destroy().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_advanced_cluster_replace() -> Result<()> {
    let (h, wd, project_id) = setup("replace", &cluster("acc-old", M10, ""), None).await?;
    wd.apply().await?;
    wd.write_config(&cluster("acc-new", M10, ""))?;
    let plan = wd.plan_json(&[]).await?;
    assert_eq!(actions_for(&plan, ADDR), ["delete", "create"]);
    wd.apply().await?;
    let names: Vec<String> = h
        .client()?
        .clusters()
        .list_all(&project_id)
        .await?
        .into_iter()
        .filter_map(|c| c.name)
        .collect();
    assert_eq!(names, ["acc-new"]);
    wd.assert_empty_plan(&[]).await?;
    wd.destroy().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_advanced_cluster_import() -> Result<()> {
    let extra = r#"  backup_enabled = true
  tags = { team = "db" }
  timeouts = { create = "30m" }
  retain_backups_enabled = false
"#;
    let tf = cluster("acc-import", M10, extra);
    let (h, wd, project_id) = setup("import", &tf, None).await?;
    wd.apply().await?;
    let applied = wd.resource_values(ADDR).await?;

    let mut imp = h.workdir("imported", &tf)?;
    imp.set_env("TF_VAR_project_id", &project_id);
    let id = format!("{project_id}-acc-import");
    imp.ok(&["import", "-no-color", ADDR, &id]).await?;
    let imported = imp.resource_values(ADDR).await?;
    assert_same_attributes(
        &applied,
        &imported,
        &[
            "timeouts",
            "delete_on_create_timeout",
            "retain_backups_enabled",
        ],
    )?;

    // A malformed import ID is a clear error.
    // Only the configuration-only attributes differ: an in-place update, no API change.
    let plan = imp.plan_json(&[]).await?;
    assert_eq!(actions_for(&plan, ADDR), ["update"]);

    let mut bad = h.workdir("bad-import", &tf)?;
    bad.set_env("TF_VAR_project_id", &project_id);
    let out = bad
        .run(&["import", "-no-color", ADDR, "not-a-project-id"])
        .await?;
    assert_ne!(out.status, 0);
    assert!(
        out.combined().contains("{project_id}-{cluster_name}"),
        "{}",
        out.combined()
    );
    wd.destroy().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_advanced_cluster_disappears() -> Result<()> {
    let (h, wd, project_id) = setup("gone", &cluster("acc-gone", M10, ""), None).await?;
    wd.apply().await?;
    let client = h.client()?;
    client
        .clusters()
        .delete(&project_id, "acc-gone", None)
        .await?;
    client
        .clusters()
        .wait_deleted(
            &project_id,
            "acc-gone",
            Duration::from_secs(30),
            std::future::pending(),
        )
        .await?;
    let plan = wd.plan_json(&[]).await?;
    assert_eq!(actions_for(&plan, ADDR), ["create"]);
    wd.apply().await?;
    wd.assert_empty_plan(&[]).await?;
    wd.destroy().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_advanced_cluster_data_sources() -> Result<()> {
    let tf = format!(
        "{}{}",
        cluster("acc-ds", M10, "  tags = { owner = \"me\" }\n"),
        r#"
data "mongodbatlas_advanced_cluster" "one" {
  project_id = mongodbatlas_advanced_cluster.test.project_id
  name       = mongodbatlas_advanced_cluster.test.name
}

data "mongodbatlas_advanced_clusters" "all" {
  project_id = mongodbatlas_advanced_cluster.test.project_id
  depends_on = [mongodbatlas_advanced_cluster.test]
}

output "one_id" {
  value = data.mongodbatlas_advanced_cluster.one.cluster_id
}

output "one_size" {
  value = data.mongodbatlas_advanced_cluster.one.replication_specs[0].region_configs[0].electable_specs.instance_size
}

output "one_srv" {
  value = data.mongodbatlas_advanced_cluster.one.connection_strings.standard_srv
}

output "one_tags" {
  value = data.mongodbatlas_advanced_cluster.one.tags
}

output "all_names" {
  value = [for c in data.mongodbatlas_advanced_clusters.all.results : c.name]
}

output "resource_id" {
  value = mongodbatlas_advanced_cluster.test.cluster_id
}
"#
    );
    let (_h, wd, _project_id) = setup("ds", &tf, None).await?;
    wd.apply().await?;
    let out = wd.ok(&["output", "-json"]).await?;
    let o: serde_json::Value = serde_json::from_str(&out.stdout)?;
    assert_eq!(o["one_id"]["value"], o["resource_id"]["value"]);
    assert_eq!(o["one_size"]["value"], "M10");
    assert!(text(&o["one_srv"]["value"]).starts_with("mongodb+srv://"));
    assert_eq!(o["one_tags"]["value"]["owner"], "me");
    assert_eq!(o["all_names"]["value"], serde_json::json!(["acc-ds"]));
    wd.assert_empty_plan(&[]).await?;
    wd.destroy().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_advanced_cluster_timeout() -> Result<()> {
    let config = SandboxConfig {
        listen: "127.0.0.1:0".parse()?,
        transition_seconds: 5.0,
        ..SandboxConfig::default()
    };
    let tf = cluster("acc-slow", M10, "  timeouts = { create = \"1s\" }\n");
    let (h, wd, project_id) = setup("timeout", &tf, Some(config)).await?;
    let out = wd.run(&["apply", "-auto-approve", "-no-color"]).await?;
    assert_ne!(out.status, 0);
    let text = out.combined();
    assert!(text.contains("Timeout while creating cluster"), "{text}");
    assert!(
        text.contains("timeouts.create") || text.contains("create timeout"),
        "{text}"
    );
    assert!(text.contains("delete_on_create_timeout is true"), "{text}");
    // The provider asked Atlas to delete the half-created cluster.
    let c = h
        .client()?
        .clusters()
        .get_opt(&project_id, "acc-slow")
        .await?;
    assert!(
        c.as_ref()
            .is_none_or(|c| c.state_name.as_deref() == Some("DELETING")),
        "{c:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_advanced_cluster_example_applies() -> Result<()> {
    let example = std::fs::read_to_string(
        examples_dir().join("resources/mongodbatlas_advanced_cluster/resource.tf"),
    )?;
    let (h, wd, project_id) = setup("example", &example, None).await?;
    wd.ok(&["validate", "-no-color"]).await?;
    wd.apply().await?;
    wd.assert_empty_plan(&[]).await?;
    wd.assert_empty_plan(&["-refresh=false"]).await?;
    let args = h
        .client()?
        .clusters()
        .get_process_args(&project_id, "example-cluster")
        .await?;
    assert_eq!(args.javascript_enabled, Some(false));
    wd.destroy().await?;
    Ok(())
}
