//! Clusters (schema `ClusterDescription20240805` and its parts) and their process arguments
//! (schema `ClusterDescriptionProcessArgs20240805`).
//!
//! One struct serves the create body, the minimal PATCH body and the response: every field is
//! an `Option` that is not serialised when `None`, so a PATCH carries exactly the fields that
//! are `Some`. Read-only fields (`id`, `stateName`, `connectionStrings` …) are only filled in
//! responses; [`Cluster::without_read_only`] strips them from a value read back from the API.
//!
//! Integers are `i64` and sizes `f64` whatever the schema's width; date-times are kept as the
//! API's ISO 8601 strings so they round-trip unchanged.
//!
//! Hand-written rather than the generated `ClusterDescription20240805` (create / update /
//! response types) because the provider builds these with struct literals (the generated types
//! are `#[non_exhaustive]`) and sends the same `Cluster` it reads back; `RegionConfig` is the
//! union of the spec's `oneOf` provider variants, which the generator leaves as
//! `serde_json::Value`; and `ProcessArgs` keeps `i64` where the generated type has `i32`.
//! The read-only connection strings, which nobody builds, are the generated types.

use serde::{Deserialize, Serialize};

use super::{Label, Link, Tag};

/// `stateName` of a cluster that is ready.
pub const CLUSTER_STATE_IDLE: &str = "IDLE";

/// An Atlas cluster (schema `ClusterDescription20240805`, media types 2024-08-05 and
/// 2024-10-23).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    /// Date-time (ISO 8601) until which a replica-set reconfiguration that may lose data is
    /// accepted (update only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_data_risks_and_force_replica_set_reconfig: Option<String>,
    /// `ENABLED` / `DISABLED` (nullable in the spec).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adaptive_capacity: Option<String>,
    /// TLS settings that live on the cluster (not in the process arguments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advanced_configuration: Option<AdvancedConfiguration>,
    /// Whether cloud backups are enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_enabled: Option<bool>,
    /// BI Connector settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bi_connector: Option<BiConnector>,
    /// `REPLICASET` / `SHARDED` / `GEOSHARDED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_type: Option<String>,
    /// `ATLAS_MANAGED` / `FIXED_TO_DEDICATED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_server_management_mode: Option<String>,
    /// `DEDICATED` / `EMBEDDED` (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_server_type: Option<String>,
    /// Connection strings (read-only; mostly empty while creating).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_strings: Option<ConnectionStrings>,
    /// Creation time, ISO 8601 (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
    /// `FULLY_WARMED` / `VISIBLE_EARLIER` / `ENHANCED_FULLY_WARMED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_warming_mode: Option<String>,
    /// The actual topology after auto-scaling (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_replication_specs: Option<Vec<ReplicationSpec>>,
    /// `NONE` / `AWS` / `AZURE` / `GCP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_at_rest_provider: Option<String>,
    /// Feature compatibility version, e.g. `8.0` (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_compatibility_version: Option<String>,
    /// When a pinned FCV expires, ISO 8601 (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_compatibility_version_expiration_date: Option<String>,
    /// GEOSHARDED only; immutable after creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_cluster_self_managed_sharding: Option<bool>,
    /// Project id (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// 24-hex cluster id (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `NONE` / `SYSTEM_CLUSTER` / `INTERNAL_SHADOW_CLUSTER` (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_cluster_role: Option<String>,
    /// Labels (deprecated by Atlas in favour of `tags`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<Label>>,
    /// Links (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<Link>>,
    /// MongoDB employee access grant.
    #[serde(
        default,
        rename = "mongoDBEmployeeAccessGrant",
        skip_serializing_if = "Option::is_none"
    )]
    pub mongo_db_employee_access_grant: Option<EmployeeAccessGrant>,
    /// Major version, e.g. `8.0` (absent with `versionReleaseSystem: CONTINUOUS`).
    #[serde(
        default,
        rename = "mongoDBMajorVersion",
        skip_serializing_if = "Option::is_none"
    )]
    pub mongo_db_major_version: Option<String>,
    /// Full version, e.g. `8.0.14` (read-only).
    #[serde(
        default,
        rename = "mongoDBVersion",
        skip_serializing_if = "Option::is_none"
    )]
    pub mongo_db_version: Option<String>,
    /// Cluster name (immutable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether the cluster is paused (send alone in a PATCH).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
    /// Continuous cloud backup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pit_enabled: Option<bool>,
    /// Redact client log data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redact_client_log_data: Option<bool>,
    /// `WORKLOAD_TYPE` / `SEQUENTIAL` / `NODE_TYPE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_set_scaling_strategy: Option<String>,
    /// One entry per shard (a replica set has exactly one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_specs: Option<Vec<ReplicationSpec>>,
    /// Keep backups when the cluster is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retain_backups: Option<bool>,
    /// `ISRGROOTX1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_cert_type: Option<String>,
    /// `IDLE` / `CREATING` / `UPDATING` / `DELETING` / `REPAIRING` (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_name: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    /// Whether DELETE is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_protection_enabled: Option<bool>,
    /// Use AWS time-based snapshot copies for fast initial sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_aws_time_based_snapshot_copy_for_fast_initial_sync: Option<bool>,
    /// `LTS` / `CONTINUOUS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_release_system: Option<String>,
}

impl Cluster {
    /// Whether `stateName` is `IDLE`.
    pub fn is_idle(&self) -> bool {
        self.state_name.as_deref() == Some(CLUSTER_STATE_IDLE)
    }

    /// The value with every read-only property of the schema removed (top level, and
    /// `zoneId`, effective specs, `diskThroughput`, `effectiveInstanceSize` inside the
    /// replication specs), e.g. to turn a GET response into a create body.
    ///
    /// Replication spec `id`s are kept although the spec marks them read-only: Atlas needs
    /// them echoed in a PATCH to identify existing shards.
    pub fn without_read_only(mut self) -> Self {
        self.config_server_type = None;
        self.connection_strings = None;
        self.create_date = None;
        self.effective_replication_specs = None;
        self.feature_compatibility_version = None;
        self.feature_compatibility_version_expiration_date = None;
        self.group_id = None;
        self.id = None;
        self.internal_cluster_role = None;
        self.links = None;
        self.mongo_db_version = None;
        self.state_name = None;
        if let Some(grant) = self.mongo_db_employee_access_grant.as_mut() {
            grant.links = None;
        }
        for spec in self.replication_specs.iter_mut().flatten() {
            spec.zone_id = None;
            for rc in spec.region_configs.iter_mut().flatten() {
                rc.effective_electable_specs = None;
                rc.effective_read_only_specs = None;
                rc.effective_analytics_specs = None;
                for hw in [
                    &mut rc.electable_specs,
                    &mut rc.read_only_specs,
                    &mut rc.analytics_specs,
                ]
                .into_iter()
                .flatten()
                {
                    hw.disk_throughput = None;
                    hw.effective_instance_size = None;
                }
            }
        }
        self
    }
}

/// TLS settings of a cluster (schema `ApiAtlasClusterAdvancedConfigurationView`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvancedConfiguration {
    /// TLS 1.2 cipher suites (with `tlsCipherConfigMode: CUSTOM`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_openssl_cipher_config_tls12: Option<Vec<String>>,
    /// TLS 1.3 cipher suites (with `tlsCipherConfigMode: CUSTOM`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_openssl_cipher_config_tls13: Option<Vec<String>>,
    /// `TLS1_0` … `TLS1_3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_enabled_tls_protocol: Option<String>,
    /// `CUSTOM` / `DEFAULT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_cipher_config_mode: Option<String>,
}

/// BI Connector settings (schema `BiConnector`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BiConnector {
    /// Whether the BI Connector is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// `PRIMARY` / `SECONDARY` / `ANALYTICS` (responses may use lower case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_preference: Option<String>,
}

/// Connection strings of a cluster (schema `ClusterConnectionStrings`, read-only; generated).
pub use crate::generated::models::ClusterConnectionStrings as ConnectionStrings;

/// A private-endpoint connection string (schema
/// `ClusterDescriptionConnectionStringsPrivateEndpoint`, generated).
pub use crate::generated::models::ClusterDescriptionConnectionStringsPrivateEndpoint as PrivateEndpointConnectionString;

/// One private endpoint (schema `ClusterDescriptionConnectionStringsPrivateEndpointEndpoint`,
/// generated).
pub use crate::generated::models::ClusterDescriptionConnectionStringsPrivateEndpointEndpoint as PrivateEndpoint;

/// A MongoDB employee access grant (schema `EmployeeAccessGrantView`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmployeeAccessGrant {
    /// Expiry, ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<String>,
    /// `CLUSTER_DATABASE_LOGS`, `CLUSTER_INFRASTRUCTURE`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_type: Option<String>,
    /// Links (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<Link>>,
}

/// One shard, or the whole replica set (schema `ReplicationSpec20240805`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicationSpec {
    /// Shard id; echo it in a PATCH for shards that already exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Regions of this shard, electable ones with strictly descending priorities from 7.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_configs: Option<Vec<RegionConfig>>,
    /// Zone id (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<String>,
    /// Zone name (GEOSHARDED).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_name: Option<String>,
}

/// Hardware and auto-scaling of one region of a shard (schema `CloudRegionConfig20240805`,
/// the union of its `AWS` / `AZURE` / `GCP` / `TENANT` variants selected by `providerName`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionConfig {
    /// Auto-scaling of analytics nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_auto_scaling: Option<AutoScaling>,
    /// Analytics nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_specs: Option<HardwareSpec>,
    /// Auto-scaling of electable and read-only nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_scaling: Option<AutoScaling>,
    /// `TENANT` only: `AWS` / `GCP` / `AZURE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backing_provider_name: Option<String>,
    /// Actual analytics hardware (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_analytics_specs: Option<HardwareSpec>,
    /// Actual electable hardware (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_electable_specs: Option<HardwareSpec>,
    /// Actual read-only hardware (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_read_only_specs: Option<HardwareSpec>,
    /// Electable nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub electable_specs: Option<HardwareSpec>,
    /// 0–7; electable regions strictly descending from 7, 0 for read-only/analytics-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// `AWS` / `AZURE` / `GCP` / `TENANT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_name: Option<String>,
    /// Atlas region name, e.g. `US_EAST_1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_name: Option<String>,
    /// Read-only nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_specs: Option<HardwareSpec>,
}

/// Node hardware (schemas `HardwareSpec20240805` / `DedicatedHardwareSpec20240805` and their
/// provider variants, merged).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HardwareSpec {
    /// Provisioned IOPS (AWS `PROVISIONED`, Azure).
    #[serde(default, rename = "diskIOPS", skip_serializing_if = "Option::is_none")]
    pub disk_iops: Option<i64>,
    /// Storage per node in GB.
    #[serde(
        default,
        rename = "diskSizeGB",
        skip_serializing_if = "Option::is_none"
    )]
    pub disk_size_gb: Option<f64>,
    /// Disk throughput in MB/s (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_throughput: Option<i64>,
    /// AWS: `STANDARD` / `PROVISIONED` / `HIGH_PERFORMANCE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ebs_volume_type: Option<String>,
    /// TENANT: what the cluster really is (`FLEX`, `M0` …; read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_instance_size: Option<String>,
    /// Tier, e.g. `M10` (`M0` for TENANT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_size: Option<String>,
    /// Number of nodes of this kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_count: Option<i64>,
}

/// Auto-scaling (schema `AdvancedAutoScalingSettings`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoScaling {
    /// Compute (instance size) auto-scaling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute: Option<ComputeAutoScaling>,
    /// Storage auto-scaling.
    #[serde(default, rename = "diskGB", skip_serializing_if = "Option::is_none")]
    pub disk_gb: Option<DiskGbAutoScaling>,
}

/// Compute auto-scaling (schema `AdvancedComputeAutoScaling`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComputeAutoScaling {
    /// Whether the tier scales up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Largest tier, e.g. `M40`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_instance_size: Option<String>,
    /// Smallest tier when scaling down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_instance_size: Option<String>,
    /// Whether the tier may also scale down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_enabled: Option<bool>,
}

/// Storage auto-scaling (schema `DiskGBAutoScaling`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiskGbAutoScaling {
    /// Whether storage grows automatically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// Process (mongod/mongos) arguments of a cluster (schema
/// `ClusterDescriptionProcessArgs20240805`). The API returns unset values as `null`, which
/// decode as `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessArgs {
    /// Retention of change-stream pre/post images in seconds (`-1` = off; MongoDB ≥ 7.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_stream_options_pre_and_post_images_expire_after_seconds: Option<i64>,
    /// Chunk migration concurrency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_migration_concurrency: Option<i64>,
    /// TLS 1.2 cipher suites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_openssl_cipher_config_tls12: Option<Vec<String>>,
    /// TLS 1.3 cipher suites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_openssl_cipher_config_tls13: Option<Vec<String>>,
    /// Default `maxTimeMS` of read operations (MongoDB ≥ 8.0).
    #[serde(
        default,
        rename = "defaultMaxTimeMS",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_max_time_ms: Option<i64>,
    /// Default write concern, e.g. `majority`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_write_concern: Option<String>,
    /// Server-side JavaScript.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub javascript_enabled: Option<bool>,
    /// `TLS1_0` … `TLS1_3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_enabled_tls_protocol: Option<String>,
    /// Refuse queries that need a collection scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_table_scan: Option<bool>,
    /// Minimum oplog retention in hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oplog_min_retention_hours: Option<f64>,
    /// Oplog size in MB.
    #[serde(
        default,
        rename = "oplogSizeMB",
        skip_serializing_if = "Option::is_none"
    )]
    pub oplog_size_mb: Option<i64>,
    /// Query-stats log verbosity (1 or 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_stats_log_verbosity: Option<i64>,
    /// BI Connector schema refresh interval in seconds.
    #[serde(
        default,
        rename = "sampleRefreshIntervalBIConnector",
        skip_serializing_if = "Option::is_none"
    )]
    pub sample_refresh_interval_bi_connector: Option<i64>,
    /// BI Connector sample size.
    #[serde(
        default,
        rename = "sampleSizeBIConnector",
        skip_serializing_if = "Option::is_none"
    )]
    pub sample_size_bi_connector: Option<i64>,
    /// `CUSTOM` / `DEFAULT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_cipher_config_mode: Option<String>,
    /// Transaction lifetime limit in seconds (≥ 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_lifetime_limit_seconds: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_default_serialises_to_empty_object() {
        let v = serde_json::to_value(Cluster::default()).unwrap_or_default();
        assert_eq!(v, serde_json::json!({}));
    }

    #[test]
    fn cluster_minimal_patch_only_has_some_fields() {
        let patch = Cluster {
            paused: Some(true),
            ..Default::default()
        };
        let v = serde_json::to_value(&patch).unwrap_or_default();
        assert_eq!(v, serde_json::json!({"paused": true}));
    }

    #[test]
    fn cluster_irregular_names() {
        let c = Cluster {
            mongo_db_major_version: Some("8.0".into()),
            mongo_db_version: Some("8.0.14".into()),
            replication_specs: Some(vec![ReplicationSpec {
                region_configs: Some(vec![RegionConfig {
                    electable_specs: Some(HardwareSpec {
                        disk_size_gb: Some(10.0),
                        disk_iops: Some(3000),
                        ..Default::default()
                    }),
                    auto_scaling: Some(AutoScaling {
                        disk_gb: Some(DiskGbAutoScaling {
                            enabled: Some(true),
                        }),
                        ..Default::default()
                    }),
                    ..Default::default()
                }]),
                ..Default::default()
            }]),
            ..Default::default()
        };
        let v = serde_json::to_value(&c).unwrap_or_default();
        assert_eq!(v["mongoDBMajorVersion"], "8.0");
        assert_eq!(v["mongoDBVersion"], "8.0.14");
        let rc = &v["replicationSpecs"][0]["regionConfigs"][0];
        assert_eq!(rc["electableSpecs"]["diskSizeGB"], 10.0);
        assert_eq!(rc["electableSpecs"]["diskIOPS"], 3000);
        assert_eq!(rc["autoScaling"]["diskGB"]["enabled"], true);
    }

    #[test]
    fn process_args_null_values_decode_as_none() {
        let p: ProcessArgs = serde_json::from_str(
            r#"{"oplogSizeMB":null,"oplogMinRetentionHours":null,"javascriptEnabled":true,"defaultMaxTimeMS":null}"#,
        )
        .unwrap_or_default();
        assert_eq!(p.oplog_size_mb, None);
        assert_eq!(p.javascript_enabled, Some(true));
    }
}
