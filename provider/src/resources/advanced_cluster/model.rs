//! The Terraform-side model of `mongodbatlas_advanced_cluster`: one field per schema attribute.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tfplugin::timeouts::Timeouts;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ClusterModel {
    pub project_id: Option<String>,
    pub name: Option<String>,
    pub cluster_type: Option<String>,
    pub replication_specs: Option<Vec<ReplicationSpecModel>>,
    pub backup_enabled: Option<bool>,
    pub bi_connector_config: Option<BiConnectorModel>,
    pub cluster_id: Option<String>,
    pub config_server_management_mode: Option<String>,
    pub config_server_type: Option<String>,
    pub connection_strings: Option<ConnectionStringsModel>,
    pub create_date: Option<String>,
    pub delete_on_create_timeout: Option<bool>,
    pub encryption_at_rest_provider: Option<String>,
    pub global_cluster_self_managed_sharding: Option<bool>,
    pub mongo_db_major_version: Option<String>,
    pub mongo_db_version: Option<String>,
    pub paused: Option<bool>,
    pub pit_enabled: Option<bool>,
    pub redact_client_log_data: Option<bool>,
    pub replica_set_scaling_strategy: Option<String>,
    pub root_cert_type: Option<String>,
    pub state_name: Option<String>,
    pub termination_protection_enabled: Option<bool>,
    pub use_aws_time_based_snapshot_copy_for_fast_initial_sync: Option<bool>,
    pub version_release_system: Option<String>,
    pub retain_backups_enabled: Option<bool>,
    pub accept_data_risks_and_force_replica_set_reconfig: Option<String>,
    pub advanced_configuration: Option<AdvancedConfigurationModel>,
    pub labels: Option<BTreeMap<String, String>>,
    pub tags: Option<BTreeMap<String, String>>,
    pub timeouts: Option<Timeouts>,
    pub use_effective_fields: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ReplicationSpecModel {
    pub region_configs: Option<Vec<RegionConfigModel>>,
    pub zone_name: Option<String>,
    pub zone_id: Option<String>,
    pub external_id: Option<String>,
    pub container_id: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RegionConfigModel {
    pub provider_name: Option<String>,
    pub region_name: Option<String>,
    pub priority: Option<i64>,
    pub backing_provider_name: Option<String>,
    pub electable_specs: Option<SpecsModel>,
    pub read_only_specs: Option<SpecsModel>,
    pub analytics_specs: Option<SpecsModel>,
    pub auto_scaling: Option<AutoScalingModel>,
    pub analytics_auto_scaling: Option<AutoScalingModel>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SpecsModel {
    pub instance_size: Option<String>,
    pub node_count: Option<i64>,
    pub disk_size_gb: Option<f64>,
    pub disk_iops: Option<i64>,
    pub ebs_volume_type: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct AutoScalingModel {
    pub compute_enabled: Option<bool>,
    pub compute_scale_down_enabled: Option<bool>,
    pub compute_min_instance_size: Option<String>,
    pub compute_max_instance_size: Option<String>,
    pub disk_gb_enabled: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct BiConnectorModel {
    pub enabled: Option<bool>,
    pub read_preference: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ConnectionStringsModel {
    pub standard: Option<String>,
    pub standard_srv: Option<String>,
    pub private: Option<String>,
    pub private_srv: Option<String>,
    pub private_endpoint: Option<Vec<PrivateEndpointModel>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PrivateEndpointModel {
    pub connection_string: Option<String>,
    pub srv_connection_string: Option<String>,
    pub srv_shard_optimized_connection_string: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub endpoints: Option<Vec<EndpointModel>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct EndpointModel {
    pub endpoint_id: Option<String>,
    pub provider_name: Option<String>,
    pub region: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct AdvancedConfigurationModel {
    pub minimum_enabled_tls_protocol: Option<String>,
    pub tls_cipher_config_mode: Option<String>,
    pub custom_openssl_cipher_config_tls12: Option<Vec<String>>,
    pub custom_openssl_cipher_config_tls13: Option<Vec<String>>,
    pub default_write_concern: Option<String>,
    pub javascript_enabled: Option<bool>,
    pub no_table_scan: Option<bool>,
    pub oplog_size_mb: Option<i64>,
    pub oplog_min_retention_hours: Option<f64>,
    pub sample_size_bi_connector: Option<i64>,
    pub sample_refresh_interval_bi_connector: Option<i64>,
    pub transaction_lifetime_limit_seconds: Option<i64>,
    pub change_stream_options_pre_and_post_images_expire_after_seconds: Option<i64>,
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
