//! The Terraform-side model of `mongodbatlas_advanced_cluster`: one field per attribute, the
//! schema (version 2, nested attributes as in the official provider v2.x) declared on the
//! fields.
//!
//! Field types follow what the plan logic ([`super::plan`]) must tell apart: `Tf<T>` where a
//! value is compared or made unknown while planning (an unknown planned value is "known after
//! apply", not a change), or is required but may be unknown in a plan; `Option<T>` for the
//! rest (an unknown reads as `None` and stays unknown in the plan). `project_id` and `name`
//! are plain: they force a replacement when unknown, and a replacement is planned as a create,
//! which the plan logic leaves alone. Structs are `#[serde(default)]` so that a configured
//! element that is wholly unknown reads as unconfigured in validation and planning.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use tfplugin::model::{Tf, TfModel};
use tfplugin::timeouts::{timeouts_attribute, Timeouts};

/// State schema version of the official provider's TPF implementation.
pub const SCHEMA_VERSION: i64 = 2;

/// A string map whose values may be unknown in a plan (`tags = { owner = some_resource.id }`).
pub type StringMap = BTreeMap<String, Tf<String>>;

/// A dedicated or shared-tier Atlas cluster, described per shard and region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
#[serde(default)]
pub struct ClusterModel {
    /// Project of the cluster; changing it replaces the cluster.
    #[tf(required, requires_replace)]
    pub project_id: String,
    /// Cluster name; changing it replaces the cluster.
    #[tf(required, requires_replace)]
    pub name: String,
    /// REPLICASET, SHARDED or GEOSHARDED.
    #[tf(required)]
    pub cluster_type: Tf<String>,
    /// One element per shard (exactly one for a replica set).
    #[tf(required, nested)]
    pub replication_specs: Tf<Vec<ReplicationSpecModel>>,
    /// Cloud backups enabled.
    #[tf(optional, computed, use_state_for_unknown)]
    pub backup_enabled: Option<bool>,
    /// BI Connector for Atlas settings.
    #[tf(optional, computed, use_state_for_unknown, nested)]
    pub bi_connector_config: Option<BiConnectorModel>,
    /// The cluster id.
    #[tf(computed, use_state_for_unknown)]
    pub cluster_id: Option<String>,
    /// ATLAS_MANAGED or FIXED_TO_DEDICATED (sharded clusters).
    #[tf(optional, computed, use_state_for_unknown)]
    pub config_server_management_mode: Tf<String>,
    /// DEDICATED or EMBEDDED (sharded clusters).
    #[tf(computed, use_state_for_unknown)]
    pub config_server_type: Tf<String>,
    /// Connection strings of the cluster.
    #[tf(computed, use_state_for_unknown, nested)]
    pub connection_strings: Tf<ConnectionStringsModel>,
    /// Creation time (ISO 8601).
    #[tf(computed, use_state_for_unknown)]
    pub create_date: Option<String>,
    /// Delete the cluster when creation times out (default true).
    #[tf(optional, computed, default = true)]
    pub delete_on_create_timeout: Option<bool>,
    /// Customer key management: NONE, AWS, AZURE or GCP.
    #[tf(optional, computed, use_state_for_unknown)]
    pub encryption_at_rest_provider: Option<String>,
    /// Self-managed sharding for GEOSHARDED clusters (creation only).
    #[tf(optional, computed, use_state_for_unknown)]
    pub global_cluster_self_managed_sharding: Option<bool>,
    /// MongoDB major version, e.g. "8.0".
    #[tf(optional, computed, use_state_for_unknown)]
    pub mongo_db_major_version: Tf<String>,
    /// Full MongoDB version running on the cluster.
    #[tf(computed, use_state_for_unknown)]
    pub mongo_db_version: Tf<String>,
    /// Whether the cluster is paused.
    #[tf(optional, computed, use_state_for_unknown)]
    pub paused: Option<bool>,
    /// Continuous cloud backup (point in time).
    #[tf(optional, computed, use_state_for_unknown)]
    pub pit_enabled: Option<bool>,
    /// Redact client data from mongod logs.
    #[tf(optional, computed, use_state_for_unknown)]
    pub redact_client_log_data: Option<bool>,
    /// WORKLOAD_TYPE, SEQUENTIAL or NODE_TYPE.
    #[tf(optional, computed, use_state_for_unknown)]
    pub replica_set_scaling_strategy: Option<String>,
    /// Root certificate authority: ISRGROOTX1.
    #[tf(optional, computed, use_state_for_unknown)]
    pub root_cert_type: Option<String>,
    /// Current state: IDLE, CREATING, UPDATING, DELETING, REPAIRING.
    #[tf(computed, use_state_for_unknown)]
    pub state_name: Option<String>,
    /// Block deletion of the cluster.
    #[tf(optional, computed, use_state_for_unknown)]
    pub termination_protection_enabled: Option<bool>,
    /// Use AWS time-based snapshot copies for cross-region initial syncs.
    #[tf(optional, computed, use_state_for_unknown)]
    pub use_aws_time_based_snapshot_copy_for_fast_initial_sync: Option<bool>,
    /// LTS or CONTINUOUS.
    #[tf(optional, computed, use_state_for_unknown)]
    pub version_release_system: Tf<String>,
    /// Keep the backups when the cluster is deleted.
    #[tf(optional)]
    pub retain_backups_enabled: Option<bool>,
    /// Date after which a forced replica set reconfiguration is accepted.
    #[tf(optional)]
    pub accept_data_risks_and_force_replica_set_reconfig: Option<String>,
    /// Process arguments of the cluster's mongod/mongos processes.
    #[tf(optional, computed, use_state_for_unknown, nested)]
    pub advanced_configuration: Tf<AdvancedConfigurationModel>,
    /// Key-value labels (deprecated by Atlas).
    #[tf(optional, deprecated = "Atlas deprecated labels; use tags instead.")]
    pub labels: Option<StringMap>,
    /// Key-value tags.
    #[tf(optional)]
    pub tags: Option<StringMap>,
    #[tf(attribute = timeouts_attribute(&["create", "update", "delete"]))]
    pub timeouts: Option<Timeouts>,
    /// Keep the configured spec values when Atlas auto-scales.
    #[tf(optional)]
    pub use_effective_fields: Option<bool>,
}

/// One shard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
#[serde(default)]
pub struct ReplicationSpecModel {
    /// The regions of this shard, electable ones in descending priority.
    #[tf(required, nested)]
    pub region_configs: Tf<Vec<RegionConfigModel>>,
    /// Zone of a GEOSHARDED cluster.
    #[tf(optional, computed, use_state_for_unknown)]
    pub zone_name: Option<String>,
    /// Id of the zone.
    #[tf(computed, use_state_for_unknown)]
    pub zone_id: Option<String>,
    /// Id of this shard (replication spec).
    #[tf(computed, use_state_for_unknown)]
    pub external_id: Option<String>,
    /// Network container id per "PROVIDER:REGION".
    #[tf(computed, use_state_for_unknown)]
    pub container_id: Tf<BTreeMap<String, String>>,
}

/// One region of a shard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
#[serde(default)]
pub struct RegionConfigModel {
    /// AWS, GCP, AZURE or TENANT.
    #[tf(required)]
    pub provider_name: Tf<String>,
    /// Atlas region name, e.g. US_EAST_1.
    #[tf(required)]
    pub region_name: Tf<String>,
    /// Election priority: 7 highest, descending; 0 for regions without electable nodes.
    #[tf(required)]
    pub priority: Tf<i64>,
    /// Cloud provider behind a TENANT (M0) cluster.
    #[tf(optional)]
    pub backing_provider_name: Option<String>,
    /// Electable nodes in this region.
    #[tf(optional, computed, use_state_for_unknown, nested)]
    pub electable_specs: Tf<SpecsModel>,
    /// Read-only nodes in this region.
    #[tf(optional, computed, use_state_for_unknown, nested)]
    pub read_only_specs: Tf<SpecsModel>,
    /// Analytics nodes in this region.
    #[tf(optional, computed, use_state_for_unknown, nested)]
    pub analytics_specs: Tf<SpecsModel>,
    /// Auto-scaling of electable and read-only nodes.
    #[tf(optional, computed, use_state_for_unknown, nested)]
    pub auto_scaling: Tf<AutoScalingModel>,
    /// Auto-scaling of analytics nodes.
    #[tf(optional, computed, use_state_for_unknown, nested)]
    pub analytics_auto_scaling: Tf<AutoScalingModel>,
}

/// The hardware of one kind of node in a region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
#[serde(default)]
pub struct SpecsModel {
    /// Hardware tier, e.g. M10. Base nodes of a shard share one size.
    #[tf(optional, computed, use_state_for_unknown)]
    pub instance_size: Tf<String>,
    /// Number of nodes of this kind in the region.
    #[tf(optional, computed, use_state_for_unknown)]
    pub node_count: Tf<i64>,
    /// Storage capacity in GB, equal across the cluster's nodes.
    #[tf(optional, computed, use_state_for_unknown)]
    pub disk_size_gb: Tf<f64>,
    /// Disk IOPS (AWS with ebs_volume_type PROVISIONED, Azure).
    #[tf(optional, computed, use_state_for_unknown)]
    pub disk_iops: Tf<i64>,
    /// AWS volume type: STANDARD, PROVISIONED or HIGH_PERFORMANCE.
    #[tf(optional, computed, use_state_for_unknown)]
    pub ebs_volume_type: Tf<String>,
}

/// Compute and disk auto-scaling.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
#[serde(default)]
pub struct AutoScalingModel {
    /// Scale the instance size automatically.
    #[tf(optional, computed, use_state_for_unknown)]
    pub compute_enabled: Option<bool>,
    /// Allow automatic scaling down (needs compute_min_instance_size).
    #[tf(optional, computed, use_state_for_unknown)]
    pub compute_scale_down_enabled: Option<bool>,
    /// Smallest size automatic scaling may choose.
    #[tf(optional, computed, use_state_for_unknown)]
    pub compute_min_instance_size: Option<String>,
    /// Largest size automatic scaling may choose.
    #[tf(optional, computed, use_state_for_unknown)]
    pub compute_max_instance_size: Option<String>,
    /// Grow the disk automatically.
    #[tf(optional, computed, use_state_for_unknown)]
    pub disk_gb_enabled: Option<bool>,
}

/// BI Connector for Atlas settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
#[serde(default)]
pub struct BiConnectorModel {
    /// Whether the BI Connector is enabled.
    #[tf(optional, computed, use_state_for_unknown)]
    pub enabled: Option<bool>,
    /// Where the BI Connector reads: PRIMARY, SECONDARY or ANALYTICS.
    #[tf(optional, computed, use_state_for_unknown)]
    pub read_preference: Option<String>,
}

/// Connection strings of the cluster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
#[serde(default)]
pub struct ConnectionStringsModel {
    #[tf(computed)]
    pub standard: Option<String>,
    #[tf(computed)]
    pub standard_srv: Option<String>,
    #[tf(computed)]
    pub private: Option<String>,
    #[tf(computed)]
    pub private_srv: Option<String>,
    #[tf(computed, nested)]
    pub private_endpoint: Option<Vec<PrivateEndpointModel>>,
}

/// A private endpoint's connection strings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
#[serde(default)]
pub struct PrivateEndpointModel {
    #[tf(computed)]
    pub connection_string: Option<String>,
    #[tf(computed)]
    pub srv_connection_string: Option<String>,
    #[tf(computed)]
    pub srv_shard_optimized_connection_string: Option<String>,
    #[tf(computed)]
    pub r#type: Option<String>,
    #[tf(computed, nested)]
    pub endpoints: Option<Vec<EndpointModel>>,
}

/// One endpoint of a private endpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
#[serde(default)]
pub struct EndpointModel {
    #[tf(computed)]
    pub endpoint_id: Option<String>,
    #[tf(computed)]
    pub provider_name: Option<String>,
    #[tf(computed)]
    pub region: Option<String>,
}

/// Process arguments of the cluster's mongod/mongos processes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
#[serde(default)]
pub struct AdvancedConfigurationModel {
    /// Lowest TLS version accepted: TLS1_0 … TLS1_3.
    #[tf(optional, computed, use_state_for_unknown)]
    pub minimum_enabled_tls_protocol: Option<String>,
    /// DEFAULT or CUSTOM.
    #[tf(optional, computed, use_state_for_unknown)]
    pub tls_cipher_config_mode: Option<String>,
    /// TLS 1.2 cipher suites when tls_cipher_config_mode is CUSTOM.
    #[tf(optional, computed, use_state_for_unknown)]
    pub custom_openssl_cipher_config_tls12: Option<BTreeSet<String>>,
    /// TLS 1.3 cipher suites when tls_cipher_config_mode is CUSTOM.
    #[tf(optional, computed, use_state_for_unknown)]
    pub custom_openssl_cipher_config_tls13: Option<BTreeSet<String>>,
    /// Default write concern, e.g. majority.
    #[tf(optional, computed, use_state_for_unknown)]
    pub default_write_concern: Option<String>,
    /// Allow server-side JavaScript.
    #[tf(optional, computed, use_state_for_unknown)]
    pub javascript_enabled: Option<bool>,
    /// Reject queries that need a collection scan.
    #[tf(optional, computed, use_state_for_unknown)]
    pub no_table_scan: Option<bool>,
    /// Oplog size in MB.
    #[tf(optional, computed, use_state_for_unknown)]
    pub oplog_size_mb: Tf<i64>,
    /// Minimum oplog retention window in hours.
    #[tf(optional, computed, use_state_for_unknown)]
    pub oplog_min_retention_hours: Option<f64>,
    /// Documents per database sampled for the BI Connector schema.
    #[tf(optional, computed, use_state_for_unknown)]
    pub sample_size_bi_connector: Option<i64>,
    /// Seconds between BI Connector schema resamplings.
    #[tf(optional, computed, use_state_for_unknown)]
    pub sample_refresh_interval_bi_connector: Option<i64>,
    /// Lifetime of multi-document transactions in seconds.
    #[tf(optional, computed, use_state_for_unknown)]
    pub transaction_lifetime_limit_seconds: Option<i64>,
    /// Expiry of change stream pre- and post-images (-1: off).
    #[tf(optional, computed, use_state_for_unknown)]
    pub change_stream_options_pre_and_post_images_expire_after_seconds: Option<i64>,
    /// Default maxTimeMS for read operations.
    #[tf(optional, computed, use_state_for_unknown)]
    pub default_max_time_ms: Option<i64>,
}

/// Parses an import ID `{project_id}-{cluster_name}`: split on the first `-` (project ids are
/// 24 lower-case hex digits without dashes), cluster name 1–64 letters, digits and hyphens,
/// starting with a letter or digit.
pub fn parse_import_id(id: &str) -> Result<(String, String), String> {
    let usage = "expected {project_id}-{cluster_name}, e.g. 5f1d5c2b8a1e4c3d2b1a0f9e-Cluster0";
    let Some((project, name)) = id.split_once('-') else {
        return Err(format!("import ID {id:?}: {usage}"));
    };
    let hex24 = project.len() == 24
        && project
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !hex24 {
        return Err(format!(
            "import ID {id:?}: the project id {project:?} is not 24 lower-case hex digits; {usage}"
        ));
    }
    let name_ok = !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && name.as_bytes()[0].is_ascii_alphanumeric();
    if !name_ok {
        return Err(format!(
            "import ID {id:?}: the cluster name {name:?} must be 1-64 letters, digits and hyphens, starting with a letter or digit; {usage}"
        ));
    }
    Ok((project.to_string(), name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_ids_split_on_the_first_dash() {
        assert_eq!(
            parse_import_id("5f1d5c2b8a1e4c3d2b1a0f9e-my-cluster-1"),
            Ok((
                "5f1d5c2b8a1e4c3d2b1a0f9e".to_string(),
                "my-cluster-1".to_string()
            ))
        );
        assert!(parse_import_id("5f1d5c2b8a1e4c3d2b1a0f9e").is_err());
        assert!(parse_import_id("5f1d5c2b8a1e4c3d2b1a0f9e-").is_err());
        assert!(parse_import_id("5F1D5C2B8A1E4C3D2B1A0F9E-x").is_err());
        assert!(parse_import_id("abc-x").is_err());
        assert!(parse_import_id("5f1d5c2b8a1e4c3d2b1a0f9e--x").is_err());
        assert!(parse_import_id("5f1d5c2b8a1e4c3d2b1a0f9e-a_b").is_err());
        let long = format!("5f1d5c2b8a1e4c3d2b1a0f9e-{}", "a".repeat(65));
        assert!(parse_import_id(&long).is_err());
    }
}
