//! `mongodbatlas_advanced_cluster` state written by the official provider 1.x (SDKv2, schema
//! version 1, blocks as lists) is upgraded by real terraform to schema version 2: switching
//! providers needs no `state rm` / `import`.

use acceptance_tests::{actions_for, Harness, Workdir};
use anyhow::{Context as _, Result};
use atlas_admin_sdk::models::CreateProject;
use serde_json::{json, Value as Json};

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");
const ADDR: &str = "mongodbatlas_advanced_cluster.test";

fn config(name: &str) -> String {
    format!(
        r#"{}
variable "project_id" {{
  type = string
}}

resource "mongodbatlas_advanced_cluster" "test" {{
  project_id     = var.project_id
  name           = "{name}"
  cluster_type   = "REPLICASET"
  backup_enabled = true
  replication_specs = [
    {{
      region_configs = [
        {{
          provider_name = "AWS"
          region_name   = "US_EAST_1"
          priority      = 7
          electable_specs = {{
            instance_size = "M10"
            node_count    = 3
          }}
        }}
      ]
    }}
  ]
  tags                   = {{ env = "dev", team = "db" }}
  retain_backups_enabled = true
  timeouts               = {{ create = "30m", delete = "20m" }}
}}
"#,
        acceptance_tests::REQUIRED_PROVIDERS
    )
}

/// The cluster `v` (v2 values read back after apply) as the official provider 1.x stores it:
/// blocks as lists, key/value sets, SDKv2 `id`, `num_shards`, `""` for unset strings, and
/// values that are stale (the refresh after the upgrade must replace them).
fn v1_attributes(v: &Json, electable_specs: Json) -> Json {
    let spec = &v["replication_specs"][0];
    let region_config = json!({
        "analytics_auto_scaling": [],
        "analytics_specs": [],
        "auto_scaling": [{
            "compute_enabled": false,
            "compute_max_instance_size": "",
            "compute_min_instance_size": "",
            "compute_scale_down_enabled": false,
            "disk_gb_enabled": false
        }],
        "backing_provider_name": "",
        "electable_specs": electable_specs,
        "priority": 7,
        "provider_name": "AWS",
        "read_only_specs": [],
        "region_name": "US_EAST_1"
    });
    let replication_spec = json!({
        "container_id": {},
        "external_id": spec["external_id"],
        "id": "65a1b2c3d4e5f60718293a02",
        "num_shards": 1,
        "region_configs": [region_config],
        "zone_id": spec["zone_id"],
        "zone_name": spec["zone_name"]
    });
    let connection_strings = json!([{
        "private": "",
        "private_endpoint": [],
        "private_srv": "",
        "standard": v["connection_strings"]["standard"],
        "standard_srv": v["connection_strings"]["standard_srv"]
    }]);
    let advanced_configuration = json!([{
        "change_stream_options_pre_and_post_images_expire_after_seconds": -1,
        "custom_openssl_cipher_config_tls12": [],
        "default_max_time_ms": 0,
        "default_read_concern": "",
        "default_write_concern": "",
        "fail_index_key_too_long": false,
        "javascript_enabled": true,
        "minimum_enabled_tls_protocol": "TLS1_2",
        "no_table_scan": false,
        "oplog_min_retention_hours": 0,
        "oplog_size_mb": 0,
        "sample_refresh_interval_bi_connector": 0,
        "sample_size_bi_connector": 0,
        "tls_cipher_config_mode": "DEFAULT",
        "transaction_lifetime_limit_seconds": 0
    }]);
    let mut a = json!({
        "accept_data_risks_and_force_replica_set_reconfig": "",
        "backup_enabled": true,
        "bi_connector_config": [{"enabled": false, "read_preference": "secondary"}],
        "cluster_id": v["cluster_id"],
        "cluster_type": "REPLICASET",
        "config_server_management_mode": "",
        "config_server_type": "",
        "create_date": v["create_date"],
        "disk_size_gb": 10,
        "encryption_at_rest_provider": "NONE",
        "global_cluster_self_managed_sharding": false,
        "id": "Y2x1c3Rlcl9pZA==:NjVh-Y2x1c3Rlcl9uYW1l:YWNj-cHJvamVjdF9pZA==:NjVh",
        "labels": [],
        "mongo_db_major_version": v["mongo_db_major_version"],
        "mongo_db_version": "6.0.1",
        "name": v["name"],
        "paused": false,
        "pinned_fcv": [],
        "pit_enabled": false,
        "project_id": v["project_id"],
        "redact_client_log_data": false,
        "replica_set_scaling_strategy": "",
        "retain_backups_enabled": true,
        "root_cert_type": "ISRGROOTX1",
        "state_name": "UPDATING",
        "termination_protection_enabled": false,
        "version_release_system": "LTS"
    });
    a["replication_specs"] = json!([replication_spec]);
    a["connection_strings"] = connection_strings;
    a["advanced_configuration"] = advanced_configuration;
    a["tags"] = json!([{"key": "env", "value": "dev"}, {"key": "team", "value": "db"}]);
    a["timeouts"] = json!({"create": "30m", "delete": "20m", "update": null});
    a
}

/// Replaces the working directory's state with one holding `attributes` at schema version 1,
/// in the shape terraform writes (state format 4, SDKv2 private data with its timeouts).
fn write_v1_state(wd: &Workdir, attributes: Json) -> Result<()> {
    let path = wd.dir.join("terraform.tfstate");
    let current: Json = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let private = "eyJlMmJmYjczMC1lY2FhLTExZTYtOGY4OC0zNDM2M2JjN2M0YzAiOnsiY3JlYXRlIjoxODAwMDAwMDAwMDAwLCJkZWxldGUiOjEyMDAwMDAwMDAwMDAsInVwZGF0ZSI6MTA4MDAwMDAwMDAwMDB9LCJzY2hlbWFfdmVyc2lvbiI6IjEifQ==";
    let state = json!({
        "version": 4,
        "terraform_version": "1.9.8",
        "serial": current["serial"].as_i64().unwrap_or(1) + 1,
        "lineage": current["lineage"],
        "outputs": {},
        "resources": [{
            "mode": "managed",
            "type": "mongodbatlas_advanced_cluster",
            "name": "test",
            "provider": "provider[\"registry.terraform.io/mongodb/mongodbatlas\"]",
            "instances": [{
                "schema_version": 1,
                "attributes": attributes,
                "sensitive_attributes": [],
                "private": private
            }]
        }],
        "check_results": null
    });
    std::fs::write(&path, serde_json::to_vec_pretty(&state)?)?;
    Ok(())
}

fn state_instance(wd: &Workdir) -> Result<Json> {
    let raw = std::fs::read_to_string(wd.dir.join("terraform.tfstate"))?;
    let state: Json = serde_json::from_str(&raw)?;
    state["resources"][0]["instances"][0]
        .as_object()
        .cloned()
        .map(Json::Object)
        .context("no instance in terraform.tfstate")
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_advanced_cluster_upgrade_from_v1_state() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
    let project = h
        .client()?
        .projects()
        .create(CreateProject::new("acc-upgrade", h.sandbox.org_id.clone()))
        .await?;
    let mut wd = h.workdir("upgrade", &config("acc-upgrade"))?;
    wd.set_env("TF_VAR_project_id", &project.id);
    // The cluster exists in Atlas; then the state is replaced by what provider 1.x wrote.
    wd.apply().await?;
    let applied = wd.resource_values(ADDR).await?;
    let electable = json!([{
        "disk_iops": 3000,
        "disk_size_gb": 10,
        "ebs_volume_type": "",
        "instance_size": "M10",
        "node_count": 3
    }]);
    write_v1_state(&wd, v1_attributes(&applied, electable.clone()))?;
    assert_eq!(state_instance(&wd)?["schema_version"], 1);

    // Same configuration, provider switched: the upgraded and refreshed state needs nothing.
    wd.assert_empty_plan(&[]).await?;

    // An apply persists the upgraded state at schema version 2 in the v2 shape.
    wd.apply().await?;
    let inst = state_instance(&wd)?;
    assert_eq!(inst["schema_version"], 2, "{inst:#}");
    let a = &inst["attributes"];
    for gone in ["id", "disk_size_gb", "pinned_fcv"] {
        assert!(a.get(gone).is_none(), "{gone} left in {a:#}");
    }
    let spec = &a["replication_specs"][0];
    assert!(spec.get("num_shards").is_none() && spec.get("id").is_none());
    assert_eq!(
        spec["region_configs"][0]["electable_specs"]["instance_size"],
        "M10"
    );
    assert_eq!(a["tags"], json!({"env": "dev", "team": "db"}));
    assert_eq!(a["timeouts"]["create"], "30m");
    assert_eq!(a["timeouts"]["delete"], "20m");
    assert_eq!(a["retain_backups_enabled"], true);
    assert_eq!(a["delete_on_create_timeout"], true);
    assert_eq!(
        a["accept_data_risks_and_force_replica_set_reconfig"],
        Json::Null
    );
    // Refreshed from the API, not the stale 1.x values.
    assert_eq!(a["state_name"], "IDLE");
    assert_eq!(a["mongo_db_version"], applied["mongo_db_version"]);
    assert_eq!(a["cluster_id"], applied["cluster_id"]);
    wd.assert_empty_plan(&[]).await?;
    wd.assert_empty_plan(&["-refresh=false"]).await?;

    // A 1.x state that cannot be converted says how to recover, and changes nothing.
    let two = json!([electable[0].clone(), electable[0].clone()]);
    write_v1_state(&wd, v1_attributes(&applied, two))?;
    let out = wd.run(&["plan", "-no-color"]).await?;
    assert_ne!(out.status, 0);
    let msg = out.combined().replace('\n', " ");
    assert!(msg.contains("schema version 1"), "{msg}");
    assert!(msg.contains("terraform state rm"), "{msg}");
    let id = format!("{}-acc-upgrade", project.id);
    assert!(msg.contains(&id), "{msg}");
    // Recovering as the message says.
    wd.ok(&["state", "rm", "-no-color", ADDR]).await?;
    wd.ok(&["import", "-no-color", ADDR, &id]).await?;
    let plan = wd.plan_json(&[]).await?;
    // Import cannot know the configuration-only values (timeouts, retain_backups_enabled).
    assert_eq!(actions_for(&plan, ADDR), ["update"]);
    wd.apply().await?;
    wd.assert_empty_plan(&[]).await?;

    wd.destroy().await?;
    let left = h.client()?.clusters().list_all(&project.id).await?;
    assert!(left.is_empty(), "clusters left after destroy: {left:?}");
    Ok(())
}
