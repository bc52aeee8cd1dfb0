//! Acceptance tests for `mongodbatlas_advanced_cluster` and its data sources: real terraform,
//! real provider binary, real sandbox (transitions of 0.5 s unless a case says otherwise), as
//! declarative cases (see `acceptance_tests::case`).

use acceptance_tests::case::regex::escape;
use acceptance_tests::{examples_dir, Case, Harness, Matrix, State, Step};
use anyhow::{ensure, Context as _, Result};
use atlas_admin_sdk::models::CreateProject;
use atlas_sandbox::Config as SandboxConfig;
use serde_json::{json, Value as Json};
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

/// A REPLICASET on AWS US_EAST_1; `electable` holds the spec body and `extra` goes at the end
/// of the resource.
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
const M20: &str = r#"            instance_size = "M20"
            node_count    = 3
            disk_size_gb  = 40"#;
const M20_FIVE: &str = r#"            instance_size = "M20"
            node_count    = 5
            disk_size_gb  = 40"#;

fn tags(env: &str) -> String {
    format!("  tags = {{ env = \"{env}\" }}\n")
}

const JS_OFF: &str = "  advanced_configuration = {\n    javascript_enabled = false\n  }\n";

/// `<ADDR>.<path>`.
fn at(path: &str) -> String {
    format!("{ADDR}.{path}")
}

/// `<ADDR>.replication_specs.0.region_configs.0.electable_specs.<attr>`.
fn electable(attr: &str) -> String {
    at(&format!(
        "replication_specs.0.region_configs.0.electable_specs.{attr}"
    ))
}

/// A sandbox (with `config`, else the harness default) and a project made through the SDK.
async fn setup(name: &str, config: Option<SandboxConfig>) -> Result<(Harness, String)> {
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
    Ok((h, project.id))
}

/// Whether an `after_unknown` entry marks anything unknown.
fn has_unknown(v: &Json) -> bool {
    match v {
        Json::Bool(b) => *b,
        Json::Array(a) => a.iter().any(has_unknown),
        Json::Object(o) => o.values().any(has_unknown),
        _ => false,
    }
}

/// The cluster `name` of the project in the state, as the sandbox has it.
async fn remote_cluster(ctx: &acceptance_tests::Ctx) -> Result<atlas_admin_sdk::models::Cluster> {
    let project_id = ctx.state.str(&at("project_id"))?;
    let name = ctx.state.str(&at("name"))?;
    Ok(ctx.client.clusters().get(&project_id, &name).await?)
}

/// The electable specs of the first region of the cluster in the sandbox.
fn remote_electable(
    c: &atlas_admin_sdk::models::Cluster,
) -> Result<&atlas_admin_sdk::models::HardwareSpec> {
    c.replication_specs
        .as_ref()
        .and_then(|s| s.first())
        .and_then(|s| s.region_configs.as_ref())
        .and_then(|r| r.first())
        .and_then(|r| r.electable_specs.as_ref())
        .context("no electable specs in the sandbox's cluster")
}

fn string_len(state: &State, path: &str, len: usize) -> Result<()> {
    let s = state.str(path)?;
    ensure!(s.len() == len, "{path}: {s:?} is not {len} characters long");
    Ok(())
}

/// Create; resize (instance, disk) in place with a quiet plan; tags changed in place; node
/// count and process arguments in place with the tags removed; backup, tags, timeouts and
/// retain_backups_enabled in place; import by `<project_id>-<name>` (the configuration-only
/// attributes then plan an update) and a malformed import id's error; a new name replaces;
/// deleted out of band and re-created; no cluster left after destroy.
#[tokio::test(flavor = "multi_thread")]
async fn acc_advanced_cluster_matrix() -> Result<()> {
    // A dozen cluster transitions in a row: shorter ones than the harness's 0.5 s.
    let quick = SandboxConfig {
        listen: "127.0.0.1:0".parse()?,
        transition_seconds: 0.2,
        ..SandboxConfig::default()
    };
    let (h, project_id) = setup("matrix", Some(quick)).await?;
    let pid = project_id.clone();
    let import_extra = r#"  backup_enabled = true
  tags = { team = "db" }
  timeouts = { create = "30m" }
  retain_backups_enabled = false
"#;
    let imported = cluster("acc-matrix", M20_FIVE, &format!("{JS_OFF}{import_extra}"));
    let renamed = imported.replace("\"acc-matrix\"", "\"acc-renamed\"");
    Matrix::new(
        ADDR,
        Step::apply(cluster("acc-matrix", M10, &tags("dev")))
            .check_eq(&at("state_name"), "IDLE")
            .check_matches(&at("cluster_id"), "^[0-9a-f]{24}$")
            .check_matches(&at("connection_strings.standard_srv"), "^mongodb\\+srv://")
            .check_eq(&at("project_id"), project_id.as_str())
            .check_eq(&at("name"), "acc-matrix")
            .check_eq(&electable("instance_size"), "M10")
            .check_eq(&electable("node_count"), 3)
            .check(|s| {
                let disk = s.get(&electable("disk_size_gb"))?;
                ensure!(disk.is_number(), "disk_size_gb is {disk}, not a number");
                Ok(())
            })
            .check_eq(&at("delete_on_create_timeout"), true)
            .check_eq(&at("tags"), json!({ "env": "dev" }))
            .check(|s| {
                let (version, major) = (
                    s.str(&at("mongo_db_version"))?,
                    s.str(&at("mongo_db_major_version"))?,
                );
                ensure!(
                    !major.is_empty() && version.starts_with(&major),
                    "mongo_db_version {version:?} is not of major version {major:?}"
                );
                string_len(s, &at("replication_specs.0.external_id"), 24)
            })
            .check_remote(|ctx| async move {
                let c = remote_cluster(&ctx).await?;
                ensure!(c.state_name.as_deref() == Some("IDLE"), "{c:?}");
                Ok(())
            }),
    )
    .identity("cluster_id")
    // Resize instance and disk in place; stable computed values stay known in the plan.
    .update_in_place(
        Step::apply(cluster("acc-matrix", M20, &tags("dev")))
            .check_plan(|plan| {
                let change = plan["resource_changes"]
                    .as_array()
                    .and_then(|c| c.iter().find(|c| c["address"] == ADDR))
                    .context("no change of the cluster in the plan")?;
                let after_unknown = &change["change"]["after_unknown"];
                for key in [
                    "cluster_id",
                    "create_date",
                    "state_name",
                    "mongo_db_version",
                    "connection_strings",
                ] {
                    ensure!(
                        !after_unknown.get(key).is_some_and(has_unknown),
                        "{key} should stay known: {after_unknown:#}"
                    );
                }
                Ok(())
            })
            .check_eq(&electable("instance_size"), "M20")
            .check_eq(&electable("disk_size_gb"), 40)
            .check_remote(|ctx| async move {
                let c = remote_cluster(&ctx).await?;
                let hw = remote_electable(&c)?;
                ensure!(hw.instance_size.as_deref() == Some("M20"), "{hw:?}");
                ensure!(hw.disk_size_gb == Some(40.0), "{hw:?}");
                Ok(())
            }),
    )
    // Tags in place.
    .update_in_place(
        Step::apply(cluster("acc-matrix", M20, &tags("prod")))
            .check_eq(&at("tags"), json!({ "env": "prod" }))
            .check_remote(|ctx| async move {
                let c = remote_cluster(&ctx).await?;
                let tags: Vec<_> = c
                    .tags
                    .unwrap_or_default()
                    .into_iter()
                    .map(|t| (t.key, t.value))
                    .collect();
                ensure!(
                    tags == [("env".to_string(), "prod".to_string())],
                    "{tags:?}"
                );
                Ok(())
            }),
    )
    // Node count and process arguments in place; the tags removed.
    .update_in_place(
        Step::apply(cluster("acc-matrix", M20_FIVE, JS_OFF))
            .check_eq(&electable("node_count"), 5)
            .check_absent(&at("tags"))
            .check_eq(&at("advanced_configuration.javascript_enabled"), false)
            .check_remote(|ctx| async move {
                let project_id = ctx.state.str(&at("project_id"))?;
                let args = ctx
                    .client
                    .clusters()
                    .get_process_args(&project_id, "acc-matrix")
                    .await?;
                ensure!(args.javascript_enabled == Some(false), "{args:?}");
                let c = remote_cluster(&ctx).await?;
                ensure!(c.tags.unwrap_or_default().is_empty(), "tags left in Atlas");
                Ok(())
            }),
    )
    // Backup, a tag, timeouts and retain_backups_enabled (configuration only) in place.
    .update_in_place(
        Step::apply(imported)
            .check_eq(&at("backup_enabled"), true)
            .check_eq(&at("tags"), json!({ "team": "db" }))
            .check_eq(&at("timeouts.create"), "30m")
            .check_eq(&at("retain_backups_enabled"), false),
    )
    // Import cannot read back the configuration-only attributes: the plan there updates them
    // in place (no API change), and nothing else differs.
    .import(
        Step::import_verify(
            ADDR,
            &[
                "timeouts",
                "delete_on_create_timeout",
                "retain_backups_enabled",
            ],
        )
        .import_id_fn(|s| {
            Ok(format!(
                "{}-{}",
                s.str(&at("project_id"))?,
                s.str(&at("name"))?
            ))
        })
        .expect_update_in_place(ADDR),
    )
    // A malformed import ID is a clear error naming the expected form.
    .import(
        Step::import_verify(ADDR, &[])
            .import_id("not-a-project-id")
            .expect_error(&escape("{project_id}-{cluster_name}")),
    )
    .replace(
        Step::apply(renamed)
            .expect_actions(ADDR, &["delete", "create"])
            .check_eq(&at("name"), "acc-renamed")
            .check_remote(|ctx| async move {
                let project_id = ctx.state.str(&at("project_id"))?;
                let names: Vec<String> = ctx
                    .client
                    .clusters()
                    .list_all(&project_id)
                    .await?
                    .into_iter()
                    .filter_map(|c| c.name)
                    .collect();
                ensure!(names == ["acc-renamed"], "clusters in Atlas: {names:?}");
                Ok(())
            }),
    )
    .disappears(Step::disappears(ADDR, |ctx| async move {
        let project_id = ctx.state.str(&at("project_id"))?;
        let name = ctx.state.str(&at("name"))?;
        let clusters = ctx.client.clusters();
        clusters.delete(&project_id, &name, None).await?;
        clusters
            .wait_deleted(
                &project_id,
                &name,
                Duration::from_secs(30),
                std::future::pending(),
            )
            .await?;
        Ok(())
    }))
    .into_case("advanced_cluster")
    .var("project_id", &project_id)
    .check_destroyed(move |ctx| {
        let pid = pid.clone();
        async move {
            let left = ctx.client.clusters().list_all(&pid).await?;
            ensure!(left.is_empty(), "clusters left after destroy: {left:?}");
            Ok(())
        }
    })
    .run(&h)
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_advanced_cluster_data_sources() -> Result<()> {
    let cfg = format!(
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
    let (h, project_id) = setup("ds", None).await?;
    Case::new("advanced_cluster-ds")
        .var("project_id", &project_id)
        .step(
            Step::apply(cfg)
                .check_pair("output.one_id", "output.resource_id")
                .check_eq("output.one_size", "M10")
                .check_matches("output.one_srv", "^mongodb\\+srv://")
                .check_eq("output.one_tags", json!({ "owner": "me" }))
                .check_eq("output.all_names", json!(["acc-ds"])),
        )
        .run(&h)
        .await
}

/// Values the provider rejects at plan time, with the attribute named; nothing is created.
#[tokio::test(flavor = "multi_thread")]
async fn acc_advanced_cluster_validation() -> Result<()> {
    let (h, project_id) = setup("validation", None).await?;
    let pid = project_id.clone();
    Case::new("advanced_cluster-validation")
        .var("project_id", &project_id)
        .steps([
            Step::plan_only(cluster(
                "acc-bad",
                M10,
                "  mongo_db_major_version = \"eight\"\n",
            ))
            .expect_error("Invalid MongoDB major version")
            .expect_error(r#"mongo_db_major_version = "eight""#),
            Step::plan_only(cluster(
                "acc-bad",
                M10,
                "  timeouts = { create = \"10 minutes\" }\n",
            ))
            .expect_error("Invalid timeout")
            .expect_error("10 minutes"),
        ])
        .check_destroyed(move |ctx| {
            let pid = pid.clone();
            async move {
                let left = ctx.client.clusters().list_all(&pid).await?;
                ensure!(left.is_empty(), "a plan created clusters: {left:?}");
                Ok(())
            }
        })
        .run(&h)
        .await
}

/// A create that outlasts `timeouts.create` fails with an error naming the timeout, and the
/// provider asks Atlas to delete the half-created cluster (delete_on_create_timeout).
#[tokio::test(flavor = "multi_thread")]
async fn acc_advanced_cluster_timeout() -> Result<()> {
    let config = SandboxConfig {
        listen: "127.0.0.1:0".parse()?,
        transition_seconds: 5.0,
        ..SandboxConfig::default()
    };
    let (h, project_id) = setup("timeout", Some(config)).await?;
    let pid = project_id.clone();
    Case::new("advanced_cluster-timeout")
        .var("project_id", &project_id)
        .step(
            Step::apply(cluster(
                "acc-slow",
                M10,
                "  timeouts = { create = \"1s\" }\n",
            ))
            .expect_error("Timeout while creating cluster")
            .expect_error("timeouts.create|create timeout")
            .expect_error("delete_on_create_timeout is true"),
        )
        .check_destroyed(move |ctx| {
            let pid = pid.clone();
            async move {
                // Nothing was left in the state for the destroy to delete: what is gone (or
                // going) was deleted by the provider.
                ensure!(
                    ctx.state.resource(ADDR).is_none(),
                    "the timed-out cluster is in the state: {:?}",
                    ctx.state.addresses()
                );
                let c = ctx.client.clusters().get_opt(&pid, "acc-slow").await?;
                ensure!(
                    c.as_ref()
                        .is_none_or(|c| c.state_name.as_deref() == Some("DELETING")),
                    "the half-created cluster was not deleted: {c:?}"
                );
                Ok(())
            }
        })
        .run(&h)
        .await
}

/// The example applies as written (`terraform plan` validates it first) and plans empty.
#[tokio::test(flavor = "multi_thread")]
async fn acc_advanced_cluster_example_applies() -> Result<()> {
    let example = std::fs::read_to_string(
        examples_dir().join("resources/mongodbatlas_advanced_cluster/resource.tf"),
    )?;
    let (h, project_id) = setup("example", None).await?;
    Case::new("advanced_cluster-example")
        .var("project_id", &project_id)
        .step(
            Step::apply(example)
                .check_matches("output.connection_string", "^mongodb\\+srv://")
                .check_eq("output.state", "IDLE")
                .check_remote(|ctx| async move {
                    let project_id = ctx
                        .state
                        .str("mongodbatlas_advanced_cluster.this.project_id")?;
                    let args = ctx
                        .client
                        .clusters()
                        .get_process_args(&project_id, "example-cluster")
                        .await?;
                    ensure!(args.javascript_enabled == Some(false), "{args:?}");
                    Ok(())
                }),
        )
        .run(&h)
        .await
}
