//! Terraform model → API bodies: the create body, the minimal PATCH of an update and the
//! process arguments.

use super::model::{
    AdvancedConfigurationModel, AutoScalingModel, ClusterModel, RegionConfigModel,
    ReplicationSpecModel, SpecsModel, StringMap,
};
use atlas_admin_sdk::models::{
    AdvancedConfiguration, AutoScaling, BiConnector, Cluster, ComputeAutoScaling,
    DiskGbAutoScaling, HardwareSpec, Label, ProcessArgs, RegionConfig, ReplicationSpec, Tag,
};
use tfplugin::model::Tf;

/// What the official provider sends as `zoneName` when the configuration leaves it unset.
pub const DEFAULT_ZONE_NAME: &str = "ZoneName managed by Terraform";

fn hardware(spec: &SpecsModel) -> HardwareSpec {
    HardwareSpec {
        instance_size: spec.instance_size.known().cloned(),
        node_count: spec.node_count.known().copied(),
        disk_size_gb: spec.disk_size_gb.known().copied(),
        disk_iops: spec.disk_iops.known().copied(),
        ebs_volume_type: spec.ebs_volume_type.known().cloned(),
        ..Default::default()
    }
}

fn auto_scaling(a: &AutoScalingModel) -> AutoScaling {
    let compute = ComputeAutoScaling {
        enabled: a.compute_enabled,
        scale_down_enabled: a.compute_scale_down_enabled,
        min_instance_size: a.compute_min_instance_size.clone(),
        max_instance_size: a.compute_max_instance_size.clone(),
    };
    AutoScaling {
        compute: (compute != ComputeAutoScaling::default()).then_some(compute),
        disk_gb: a.disk_gb_enabled.map(|enabled| DiskGbAutoScaling {
            enabled: Some(enabled),
        }),
    }
}

fn region_config(rc: &RegionConfigModel) -> RegionConfig {
    RegionConfig {
        provider_name: rc.provider_name.known().cloned(),
        region_name: rc.region_name.known().cloned(),
        priority: rc.priority.known().copied(),
        backing_provider_name: rc.backing_provider_name.clone(),
        electable_specs: rc.electable_specs.known().map(hardware),
        read_only_specs: rc.read_only_specs.known().map(hardware),
        analytics_specs: rc.analytics_specs.known().map(hardware),
        auto_scaling: rc.auto_scaling.known().map(auto_scaling),
        analytics_auto_scaling: rc.analytics_auto_scaling.known().map(auto_scaling),
        ..Default::default()
    }
}

/// The API's replication specs. `with_ids` echoes the shard ids of existing shards (updates).
pub fn replication_specs(specs: &[ReplicationSpecModel], with_ids: bool) -> Vec<ReplicationSpec> {
    specs
        .iter()
        .map(|s| ReplicationSpec {
            id: if with_ids {
                s.external_id.clone()
            } else {
                None
            },
            zone_name: Some(
                s.zone_name
                    .clone()
                    .unwrap_or_else(|| DEFAULT_ZONE_NAME.to_string()),
            ),
            region_configs: Some(
                s.region_configs
                    .known()
                    .into_iter()
                    .flatten()
                    .map(region_config)
                    .collect(),
            ),
            ..Default::default()
        })
        .collect()
}

/// The known entries of a string map (all of them when applying).
fn entries(map: Option<&StringMap>) -> impl Iterator<Item = (&String, &String)> {
    map.into_iter()
        .flatten()
        .filter_map(|(k, v)| v.known().map(|v| (k, v)))
}

pub fn tags(map: Option<&StringMap>) -> Vec<Tag> {
    entries(map)
        .map(|(k, v)| Tag::new(k.clone(), v.clone()))
        .collect()
}

pub fn labels(map: Option<&StringMap>) -> Vec<Label> {
    entries(map)
        .map(|(k, v)| Label::new(k.clone(), v.clone()))
        .collect()
}

fn bi_connector(b: &super::model::BiConnectorModel) -> BiConnector {
    BiConnector {
        enabled: b.enabled,
        read_preference: b.read_preference.clone(),
    }
}

/// The TLS part of `advanced_configuration`, which lives in the cluster body.
fn tls(a: &AdvancedConfigurationModel) -> Option<AdvancedConfiguration> {
    let tls = AdvancedConfiguration {
        minimum_enabled_tls_protocol: a.minimum_enabled_tls_protocol.clone(),
        tls_cipher_config_mode: a.tls_cipher_config_mode.clone(),
        custom_openssl_cipher_config_tls12: a
            .custom_openssl_cipher_config_tls12
            .as_ref()
            .map(|s| s.iter().cloned().collect()),
        custom_openssl_cipher_config_tls13: a
            .custom_openssl_cipher_config_tls13
            .as_ref()
            .map(|s| s.iter().cloned().collect()),
    };
    (tls != AdvancedConfiguration::default()).then_some(tls)
}

/// The create body: every known value of the plan.
pub fn create_body(plan: &ClusterModel) -> Cluster {
    Cluster {
        name: Some(plan.name.clone()),
        cluster_type: plan.cluster_type.known().cloned(),
        replication_specs: plan
            .replication_specs
            .known()
            .map(|s| replication_specs(s, false)),
        backup_enabled: plan.backup_enabled,
        bi_connector: plan.bi_connector_config.as_ref().map(bi_connector),
        config_server_management_mode: plan.config_server_management_mode.known().cloned(),
        encryption_at_rest_provider: plan.encryption_at_rest_provider.clone(),
        global_cluster_self_managed_sharding: plan.global_cluster_self_managed_sharding,
        mongo_db_major_version: plan.mongo_db_major_version.known().cloned(),
        pit_enabled: plan.pit_enabled,
        redact_client_log_data: plan.redact_client_log_data,
        replica_set_scaling_strategy: plan.replica_set_scaling_strategy.clone(),
        root_cert_type: plan.root_cert_type.clone(),
        termination_protection_enabled: plan.termination_protection_enabled,
        use_aws_time_based_snapshot_copy_for_fast_initial_sync: plan
            .use_aws_time_based_snapshot_copy_for_fast_initial_sync,
        version_release_system: plan.version_release_system.known().cloned(),
        advanced_configuration: plan.advanced_configuration.known().and_then(tls),
        tags: plan.tags.as_ref().map(|t| tags(Some(t))),
        labels: plan.labels.as_ref().map(|l| labels(Some(l))),
        ..Default::default()
    }
}

/// `Some(new)` when the plan knows a value that differs from the prior one.
fn diff<T: Clone + PartialEq>(plan: &Option<T>, prior: &Option<T>) -> Option<T> {
    match plan {
        Some(v) if prior.as_ref() != Some(v) => Some(v.clone()),
        _ => None,
    }
}

/// [`diff`] of three-state values.
fn diff_tf<T: Clone + PartialEq>(plan: &Tf<T>, prior: &Tf<T>) -> Option<T> {
    diff(&plan.known().cloned(), &prior.known().cloned())
}

/// The minimal PATCH for an update (without `paused`, which travels alone). `None` when
/// nothing the cluster body holds changed.
pub fn update_body(plan: &ClusterModel, prior: &ClusterModel) -> Option<Cluster> {
    let mut body = Cluster {
        cluster_type: diff_tf(&plan.cluster_type, &prior.cluster_type),
        backup_enabled: diff(&plan.backup_enabled, &prior.backup_enabled),
        config_server_management_mode: diff_tf(
            &plan.config_server_management_mode,
            &prior.config_server_management_mode,
        ),
        encryption_at_rest_provider: diff(
            &plan.encryption_at_rest_provider,
            &prior.encryption_at_rest_provider,
        ),
        global_cluster_self_managed_sharding: diff(
            &plan.global_cluster_self_managed_sharding,
            &prior.global_cluster_self_managed_sharding,
        ),
        mongo_db_major_version: diff_tf(
            &plan.mongo_db_major_version,
            &prior.mongo_db_major_version,
        ),
        pit_enabled: diff(&plan.pit_enabled, &prior.pit_enabled),
        redact_client_log_data: diff(&plan.redact_client_log_data, &prior.redact_client_log_data),
        replica_set_scaling_strategy: diff(
            &plan.replica_set_scaling_strategy,
            &prior.replica_set_scaling_strategy,
        ),
        root_cert_type: diff(&plan.root_cert_type, &prior.root_cert_type),
        termination_protection_enabled: diff(
            &plan.termination_protection_enabled,
            &prior.termination_protection_enabled,
        ),
        use_aws_time_based_snapshot_copy_for_fast_initial_sync: diff(
            &plan.use_aws_time_based_snapshot_copy_for_fast_initial_sync,
            &prior.use_aws_time_based_snapshot_copy_for_fast_initial_sync,
        ),
        version_release_system: diff_tf(
            &plan.version_release_system,
            &prior.version_release_system,
        ),
        accept_data_risks_and_force_replica_set_reconfig: diff(
            &plan.accept_data_risks_and_force_replica_set_reconfig,
            &prior.accept_data_risks_and_force_replica_set_reconfig,
        ),
        ..Default::default()
    };
    if let Tf::Known(specs) = &plan.replication_specs {
        if plan.replication_specs != prior.replication_specs {
            body.replication_specs = Some(replication_specs(specs, true));
        }
    }
    if let Some(b) = &plan.bi_connector_config {
        if plan.bi_connector_config != prior.bi_connector_config {
            body.bi_connector = Some(bi_connector(b));
        }
    }
    // Tags and labels are plain optional: removing them from the configuration clears them.
    if plan.tags != prior.tags {
        body.tags = Some(tags(plan.tags.as_ref()));
    }
    if plan.labels != prior.labels {
        body.labels = Some(labels(plan.labels.as_ref()));
    }
    let plan_tls = plan.advanced_configuration.known().and_then(tls);
    let prior_tls = prior.advanced_configuration.known().and_then(tls);
    if plan_tls.is_some() && plan_tls != prior_tls {
        body.advanced_configuration = plan_tls;
    }
    (body != Cluster::default()).then_some(body)
}

/// The process arguments `advanced_configuration` sets that differ from `prior` (everything
/// known when `prior` is `None`). `None` when there is nothing to send.
pub fn process_args(
    plan: Option<&AdvancedConfigurationModel>,
    prior: Option<&AdvancedConfigurationModel>,
) -> Option<ProcessArgs> {
    let plan = plan?;
    let empty = AdvancedConfigurationModel::default();
    let prior = prior.unwrap_or(&empty);
    let args = ProcessArgs {
        default_write_concern: diff(&plan.default_write_concern, &prior.default_write_concern),
        javascript_enabled: diff(&plan.javascript_enabled, &prior.javascript_enabled),
        no_table_scan: diff(&plan.no_table_scan, &prior.no_table_scan),
        oplog_size_mb: diff_tf(&plan.oplog_size_mb, &prior.oplog_size_mb),
        oplog_min_retention_hours: diff(
            &plan.oplog_min_retention_hours,
            &prior.oplog_min_retention_hours,
        ),
        sample_size_bi_connector: diff(
            &plan.sample_size_bi_connector,
            &prior.sample_size_bi_connector,
        ),
        sample_refresh_interval_bi_connector: diff(
            &plan.sample_refresh_interval_bi_connector,
            &prior.sample_refresh_interval_bi_connector,
        ),
        transaction_lifetime_limit_seconds: diff(
            &plan.transaction_lifetime_limit_seconds,
            &prior.transaction_lifetime_limit_seconds,
        ),
        change_stream_options_pre_and_post_images_expire_after_seconds: diff(
            &plan.change_stream_options_pre_and_post_images_expire_after_seconds,
            &prior.change_stream_options_pre_and_post_images_expire_after_seconds,
        ),
        default_max_time_ms: diff(&plan.default_max_time_ms, &prior.default_max_time_ms),
        ..Default::default()
    };
    (args != ProcessArgs::default()).then_some(args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    pub fn sample() -> ClusterModel {
        ClusterModel {
            project_id: "5f1d5c2b8a1e4c3d2b1a0f9e".into(),
            name: "c1".into(),
            cluster_type: Tf::Known("REPLICASET".into()),
            replication_specs: Tf::Known(vec![ReplicationSpecModel {
                region_configs: Tf::Known(vec![RegionConfigModel {
                    provider_name: Tf::Known("AWS".into()),
                    region_name: Tf::Known("US_EAST_1".into()),
                    priority: Tf::Known(7),
                    electable_specs: Tf::Known(SpecsModel {
                        instance_size: Tf::Known("M10".into()),
                        node_count: Tf::Known(3),
                        ..Default::default()
                    }),
                    ..Default::default()
                }]),
                ..Default::default()
            }]),
            tags: Some(BTreeMap::from([("env".into(), Tf::Known("dev".into()))])),
            ..Default::default()
        }
    }

    #[test]
    fn create_body_carries_the_configuration() {
        let body = create_body(&sample());
        let json = serde_json::to_value(&body).unwrap_or_default();
        assert_eq!(json["name"], "c1");
        assert_eq!(json["clusterType"], "REPLICASET");
        let rc = &json["replicationSpecs"][0]["regionConfigs"][0];
        assert_eq!(rc["providerName"], "AWS");
        assert_eq!(rc["electableSpecs"]["instanceSize"], "M10");
        assert_eq!(rc["electableSpecs"]["nodeCount"], 3);
        assert!(rc["electableSpecs"].get("diskSizeGB").is_none());
        assert!(rc.get("readOnlySpecs").is_none());
        assert_eq!(json["replicationSpecs"][0]["zoneName"], DEFAULT_ZONE_NAME);
        assert!(json["replicationSpecs"][0].get("id").is_none());
        assert_eq!(json["tags"][0]["key"], "env");
        assert!(json.get("backupEnabled").is_none());
    }

    #[test]
    fn update_body_is_minimal() {
        let prior = sample();
        assert_eq!(update_body(&prior, &prior), None);

        let mut plan = prior.clone();
        plan.tags = None;
        plan.backup_enabled = Some(true);
        let body = update_body(&plan, &prior).unwrap_or_default();
        let json = serde_json::to_value(&body).unwrap_or_default();
        assert_eq!(json, serde_json::json!({"backupEnabled": true, "tags": []}));

        let mut prior = sample();
        if let Tf::Known(s) = &mut prior.replication_specs {
            s[0].external_id = Some("aaaaaaaaaaaaaaaaaaaaaaaa".into());
        }
        let mut plan = prior.clone();
        if let Tf::Known(s) = &mut plan.replication_specs {
            if let Tf::Known(rc) = &mut s[0].region_configs {
                rc[0].electable_specs = Tf::Known(SpecsModel {
                    instance_size: Tf::Known("M20".into()),
                    node_count: Tf::Known(3),
                    ..Default::default()
                });
            }
        }
        let body = update_body(&plan, &prior).unwrap_or_default();
        let json = serde_json::to_value(&body).unwrap_or_default();
        let spec = &json["replicationSpecs"][0];
        assert_eq!(spec["id"], "aaaaaaaaaaaaaaaaaaaaaaaa");
        assert_eq!(
            spec["regionConfigs"][0]["electableSpecs"]["instanceSize"],
            "M20"
        );
        assert_eq!(json.as_object().map(|o| o.len()), Some(1));
    }

    #[test]
    fn process_args_only_sends_changes() {
        let prior = AdvancedConfigurationModel {
            javascript_enabled: Some(true),
            oplog_size_mb: Tf::Known(990),
            ..Default::default()
        };
        assert_eq!(process_args(Some(&prior), Some(&prior)), None);
        let plan = AdvancedConfigurationModel {
            javascript_enabled: Some(false),
            oplog_size_mb: Tf::Known(990),
            minimum_enabled_tls_protocol: Some("TLS1_2".into()),
            ..Default::default()
        };
        let args = process_args(Some(&plan), Some(&prior)).unwrap_or_default();
        assert_eq!(args.javascript_enabled, Some(false));
        assert_eq!(args.oplog_size_mb, None);
        assert_eq!(args.minimum_enabled_tls_protocol, None);
        assert_eq!(process_args(None, Some(&prior)), None);
    }
}
