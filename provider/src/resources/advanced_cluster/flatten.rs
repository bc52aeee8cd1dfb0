//! API → Terraform model. `prior` (the plan after create/update, the state on read) supplies
//! what the API does not return (configuration-only attributes) and the configured spelling of
//! values Atlas normalises.

use super::model::{
    AdvancedConfigurationModel, AutoScalingModel, BiConnectorModel, ClusterModel,
    ConnectionStringsModel, EndpointModel, PrivateEndpointModel, RegionConfigModel,
    ReplicationSpecModel, SpecsModel, StringMap,
};
use atlas_admin_sdk::models::{
    AutoScaling, Cluster, ConnectionStrings, HardwareSpec, Label, ProcessArgs, RegionConfig,
    ReplicationSpec, Tag,
};
use std::collections::BTreeSet;
use tfplugin::model::Tf;

/// The API value, else the prior one if it is known: a state never holds an unknown, even
/// when `prior` is a plan.
fn api_or<T: Clone>(api: Option<T>, prior: &Tf<T>) -> Tf<T> {
    api.or_else(|| prior.known().cloned()).into()
}

/// `"8"` and `"8.0"` name the same major version.
pub fn same_major_version(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        let s = s.trim();
        if s.contains('.') {
            s.to_string()
        } else {
            format!("{s}.0")
        }
    };
    norm(a) == norm(b)
}

/// The API value, spelled as in `prior` when both mean the same.
fn keep_spelling(
    api: Option<&String>,
    prior: Option<&String>,
    same: impl Fn(&str, &str) -> bool,
) -> Option<String> {
    match (api, prior) {
        (Some(a), Some(p)) if same(a, p) => Some(p.clone()),
        (Some(a), _) => Some(a.clone()),
        (None, p) => p.cloned(),
    }
}

fn specs(hw: &HardwareSpec, prior: Option<&SpecsModel>, keep_configured: bool) -> SpecsModel {
    match (keep_configured, prior) {
        // use_effective_fields: the spec echoes what was sent; actual values are effective_*.
        (true, Some(p)) => SpecsModel {
            instance_size: p
                .instance_size
                .known()
                .cloned()
                .or(hw.instance_size.clone())
                .into(),
            node_count: p.node_count.known().copied().or(hw.node_count).into(),
            disk_size_gb: p.disk_size_gb.known().copied().or(hw.disk_size_gb).into(),
            disk_iops: p.disk_iops.known().copied().or(hw.disk_iops).into(),
            ebs_volume_type: p
                .ebs_volume_type
                .known()
                .cloned()
                .or(hw.ebs_volume_type.clone())
                .into(),
        },
        _ => SpecsModel {
            instance_size: hw.instance_size.clone().into(),
            node_count: hw.node_count.into(),
            disk_size_gb: hw.disk_size_gb.into(),
            disk_iops: hw.disk_iops.into(),
            ebs_volume_type: hw.ebs_volume_type.clone().into(),
        },
    }
}

fn auto_scaling(a: &AutoScaling) -> AutoScalingModel {
    let compute = a.compute.clone().unwrap_or_default();
    AutoScalingModel {
        compute_enabled: compute.enabled,
        compute_scale_down_enabled: compute.scale_down_enabled,
        compute_min_instance_size: compute.min_instance_size,
        compute_max_instance_size: compute.max_instance_size,
        disk_gb_enabled: a.disk_gb.as_ref().and_then(|d| d.enabled),
    }
}

fn region_config(
    rc: &RegionConfig,
    prior: Option<&RegionConfigModel>,
    keep_configured: bool,
) -> RegionConfigModel {
    let spec = |hw: &Option<HardwareSpec>, p: Option<&SpecsModel>| {
        hw.as_ref().map(|h| specs(h, p, keep_configured)).into()
    };
    RegionConfigModel {
        provider_name: rc.provider_name.clone().into(),
        region_name: rc.region_name.clone().into(),
        priority: rc.priority.into(),
        backing_provider_name: rc
            .backing_provider_name
            .clone()
            .or_else(|| prior.and_then(|p| p.backing_provider_name.clone())),
        electable_specs: spec(
            &rc.electable_specs,
            prior.and_then(|p| p.electable_specs.known()),
        ),
        read_only_specs: spec(
            &rc.read_only_specs,
            prior.and_then(|p| p.read_only_specs.known()),
        ),
        analytics_specs: spec(
            &rc.analytics_specs,
            prior.and_then(|p| p.analytics_specs.known()),
        ),
        auto_scaling: rc.auto_scaling.as_ref().map(auto_scaling).into(),
        analytics_auto_scaling: rc.analytics_auto_scaling.as_ref().map(auto_scaling).into(),
    }
}

fn replication_spec(
    spec: &ReplicationSpec,
    prior: Option<&ReplicationSpecModel>,
    keep_configured: bool,
) -> ReplicationSpecModel {
    let prior_rcs = prior
        .and_then(|p| p.region_configs.known())
        .map_or(&[][..], Vec::as_slice);
    ReplicationSpecModel {
        region_configs: Tf::Known(
            spec.region_configs
                .iter()
                .flatten()
                .enumerate()
                .map(|(i, rc)| region_config(rc, prior_rcs.get(i), keep_configured))
                .collect(),
        ),
        zone_name: spec
            .zone_name
            .clone()
            .or_else(|| prior.and_then(|p| p.zone_name.clone())),
        zone_id: spec.zone_id.clone(),
        external_id: spec.id.clone(),
        // Network containers are not looked up (yet): an empty map, never a guess.
        container_id: Tf::Known(
            prior
                .and_then(|p| p.container_id.known().cloned())
                .unwrap_or_default(),
        ),
    }
}

fn connection_strings(cs: Option<&ConnectionStrings>) -> ConnectionStringsModel {
    let cs = cs.cloned().unwrap_or_default();
    ConnectionStringsModel {
        standard: cs.standard,
        standard_srv: cs.standard_srv,
        private: cs.private,
        private_srv: cs.private_srv,
        private_endpoint: Some(
            cs.private_endpoint
                .unwrap_or_default()
                .into_iter()
                .map(|pe| PrivateEndpointModel {
                    connection_string: pe.connection_string,
                    srv_connection_string: pe.srv_connection_string,
                    srv_shard_optimized_connection_string: pe.srv_shard_optimized_connection_string,
                    r#type: pe.r#type,
                    endpoints: Some(
                        pe.endpoints
                            .unwrap_or_default()
                            .into_iter()
                            .map(|e| EndpointModel {
                                endpoint_id: e.endpoint_id,
                                provider_name: e.provider_name,
                                region: e.region,
                            })
                            .collect(),
                    ),
                })
                .collect(),
        ),
    }
}

/// The API's cipher list as a set; an empty configured set stays empty when the API omits it.
fn cipher_set(
    api: Option<Vec<String>>,
    prior: Option<&BTreeSet<String>>,
) -> Option<BTreeSet<String>> {
    match (api, prior) {
        (Some(a), _) => Some(a.into_iter().collect()),
        (None, Some(p)) if p.is_empty() => Some(BTreeSet::new()),
        (None, _) => None,
    }
}

fn advanced_configuration(
    cluster: &Cluster,
    args: Option<&ProcessArgs>,
    prior: Option<&AdvancedConfigurationModel>,
) -> AdvancedConfigurationModel {
    let tls = cluster.advanced_configuration.clone().unwrap_or_default();
    let empty = AdvancedConfigurationModel::default();
    let p = prior.unwrap_or(&empty);
    // Without process arguments (shared tiers), keep what the state knew.
    let Some(a) = args else {
        return AdvancedConfigurationModel {
            minimum_enabled_tls_protocol: tls
                .minimum_enabled_tls_protocol
                .or_else(|| p.minimum_enabled_tls_protocol.clone()),
            tls_cipher_config_mode: tls
                .tls_cipher_config_mode
                .or_else(|| p.tls_cipher_config_mode.clone()),
            custom_openssl_cipher_config_tls12: cipher_set(
                tls.custom_openssl_cipher_config_tls12,
                p.custom_openssl_cipher_config_tls12.as_ref(),
            )
            .or_else(|| p.custom_openssl_cipher_config_tls12.clone()),
            custom_openssl_cipher_config_tls13: cipher_set(
                tls.custom_openssl_cipher_config_tls13,
                p.custom_openssl_cipher_config_tls13.as_ref(),
            )
            .or_else(|| p.custom_openssl_cipher_config_tls13.clone()),
            oplog_size_mb: p.oplog_size_mb.known().copied().into(),
            ..p.clone()
        };
    };
    AdvancedConfigurationModel {
        minimum_enabled_tls_protocol: tls
            .minimum_enabled_tls_protocol
            .or_else(|| a.minimum_enabled_tls_protocol.clone()),
        tls_cipher_config_mode: tls
            .tls_cipher_config_mode
            .or_else(|| a.tls_cipher_config_mode.clone()),
        custom_openssl_cipher_config_tls12: cipher_set(
            tls.custom_openssl_cipher_config_tls12
                .or_else(|| a.custom_openssl_cipher_config_tls12.clone()),
            p.custom_openssl_cipher_config_tls12.as_ref(),
        ),
        custom_openssl_cipher_config_tls13: cipher_set(
            tls.custom_openssl_cipher_config_tls13
                .or_else(|| a.custom_openssl_cipher_config_tls13.clone()),
            p.custom_openssl_cipher_config_tls13.as_ref(),
        ),
        default_write_concern: a.default_write_concern.clone(),
        javascript_enabled: a.javascript_enabled,
        no_table_scan: a.no_table_scan,
        oplog_size_mb: a.oplog_size_mb.into(),
        oplog_min_retention_hours: a.oplog_min_retention_hours,
        sample_size_bi_connector: a.sample_size_bi_connector,
        sample_refresh_interval_bi_connector: a.sample_refresh_interval_bi_connector,
        transaction_lifetime_limit_seconds: a.transaction_lifetime_limit_seconds,
        change_stream_options_pre_and_post_images_expire_after_seconds: a
            .change_stream_options_pre_and_post_images_expire_after_seconds,
        default_max_time_ms: a.default_max_time_ms,
    }
}

/// Key/value pairs as a map; none is null, or the empty map the configuration has.
fn to_map(
    pairs: impl ExactSizeIterator<Item = (String, String)>,
    prior: Option<&StringMap>,
) -> Option<StringMap> {
    if pairs.len() == 0 {
        return prior.filter(|m| m.is_empty()).cloned();
    }
    Some(pairs.map(|(k, v)| (k, Tf::Known(v))).collect())
}

fn labels_to_map(labels: &[Label], prior: Option<&StringMap>) -> Option<StringMap> {
    let pairs = labels.iter().map(|l| {
        (
            l.key.clone().unwrap_or_default(),
            l.value.clone().unwrap_or_default(),
        )
    });
    to_map(pairs, prior)
}

fn tags_to_map(tags: &[Tag], prior: Option<&StringMap>) -> Option<StringMap> {
    to_map(tags.iter().map(|t| (t.key.clone(), t.value.clone())), prior)
}

/// The model for `cluster` (and its process arguments, `None` when they do not apply).
pub fn flatten(
    cluster: &Cluster,
    args: Option<&ProcessArgs>,
    prior: &ClusterModel,
) -> ClusterModel {
    let keep_configured = prior.use_effective_fields == Some(true);
    let prior_specs = prior
        .replication_specs
        .known()
        .map_or(&[][..], Vec::as_slice);
    ClusterModel {
        project_id: cluster
            .group_id
            .clone()
            .unwrap_or_else(|| prior.project_id.clone()),
        name: cluster.name.clone().unwrap_or_else(|| prior.name.clone()),
        cluster_type: api_or(cluster.cluster_type.clone(), &prior.cluster_type),
        replication_specs: Tf::Known(
            cluster
                .replication_specs
                .iter()
                .flatten()
                .enumerate()
                .map(|(i, s)| replication_spec(s, prior_specs.get(i), keep_configured))
                .collect(),
        ),
        backup_enabled: cluster.backup_enabled.or(prior.backup_enabled),
        bi_connector_config: Some(match &cluster.bi_connector {
            Some(b) => {
                let p = prior.bi_connector_config.as_ref();
                BiConnectorModel {
                    enabled: b.enabled.or_else(|| p.and_then(|p| p.enabled)),
                    read_preference: keep_spelling(
                        b.read_preference.as_ref(),
                        p.and_then(|p| p.read_preference.as_ref()),
                        |a, b| a.eq_ignore_ascii_case(b),
                    ),
                }
            }
            None => prior.bi_connector_config.clone().unwrap_or_default(),
        }),
        cluster_id: cluster.id.clone().or_else(|| prior.cluster_id.clone()),
        config_server_management_mode: api_or(
            cluster.config_server_management_mode.clone(),
            &prior.config_server_management_mode,
        ),
        config_server_type: cluster.config_server_type.clone().into(),
        connection_strings: Tf::Known(connection_strings(cluster.connection_strings.as_ref())),
        create_date: cluster
            .create_date
            .clone()
            .or_else(|| prior.create_date.clone()),
        delete_on_create_timeout: prior.delete_on_create_timeout.or(Some(true)),
        encryption_at_rest_provider: cluster
            .encryption_at_rest_provider
            .clone()
            .or_else(|| prior.encryption_at_rest_provider.clone()),
        global_cluster_self_managed_sharding: cluster
            .global_cluster_self_managed_sharding
            .or(prior.global_cluster_self_managed_sharding),
        mongo_db_major_version: keep_spelling(
            cluster.mongo_db_major_version.as_ref(),
            prior.mongo_db_major_version.known(),
            same_major_version,
        )
        .into(),
        mongo_db_version: cluster.mongo_db_version.clone().into(),
        paused: cluster.paused.or(prior.paused),
        pit_enabled: cluster.pit_enabled.or(prior.pit_enabled),
        redact_client_log_data: cluster
            .redact_client_log_data
            .or(prior.redact_client_log_data),
        replica_set_scaling_strategy: cluster
            .replica_set_scaling_strategy
            .clone()
            .or_else(|| prior.replica_set_scaling_strategy.clone()),
        root_cert_type: cluster
            .root_cert_type
            .clone()
            .or_else(|| prior.root_cert_type.clone()),
        state_name: cluster.state_name.clone(),
        termination_protection_enabled: cluster
            .termination_protection_enabled
            .or(prior.termination_protection_enabled),
        use_aws_time_based_snapshot_copy_for_fast_initial_sync: cluster
            .use_aws_time_based_snapshot_copy_for_fast_initial_sync
            .or(prior.use_aws_time_based_snapshot_copy_for_fast_initial_sync),
        version_release_system: api_or(
            cluster.version_release_system.clone(),
            &prior.version_release_system,
        ),
        retain_backups_enabled: prior.retain_backups_enabled,
        accept_data_risks_and_force_replica_set_reconfig: prior
            .accept_data_risks_and_force_replica_set_reconfig
            .clone(),
        advanced_configuration: Tf::Known(advanced_configuration(
            cluster,
            args,
            prior.advanced_configuration.known(),
        )),
        labels: labels_to_map(
            cluster.labels.as_deref().unwrap_or(&[]),
            prior.labels.as_ref(),
        ),
        tags: tags_to_map(cluster.tags.as_deref().unwrap_or(&[]), prior.tags.as_ref()),
        timeouts: prior.timeouts.clone(),
        use_effective_fields: prior.use_effective_fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atlas_admin_sdk::models::BiConnector;

    fn api_cluster() -> Cluster {
        serde_json::from_value(serde_json::json!({
            "id": "aaaaaaaaaaaaaaaaaaaaaaaa",
            "groupId": "5f1d5c2b8a1e4c3d2b1a0f9e",
            "name": "c1",
            "clusterType": "REPLICASET",
            "stateName": "IDLE",
            "createDate": "2026-01-01T00:00:00Z",
            "mongoDBMajorVersion": "8.0",
            "mongoDBVersion": "8.0.4",
            "backupEnabled": false,
            "biConnector": {"enabled": false, "readPreference": "secondary"},
            "connectionStrings": {"standardSrv": "mongodb+srv://c1.abcd.mongodb.net"},
            "tags": [{"key": "env", "value": "dev"}],
            "replicationSpecs": [{
                "id": "bbbbbbbbbbbbbbbbbbbbbbbb",
                "zoneId": "cccccccccccccccccccccccc",
                "zoneName": "ZoneName managed by Terraform",
                "regionConfigs": [{
                    "providerName": "AWS",
                    "regionName": "US_EAST_1",
                    "priority": 7,
                    "electableSpecs": {"instanceSize": "M10", "nodeCount": 3, "diskSizeGB": 10.0, "diskIOPS": 3000, "ebsVolumeType": "STANDARD"},
                    "readOnlySpecs": {"instanceSize": "M10", "nodeCount": 0, "diskSizeGB": 10.0},
                    "autoScaling": {"compute": {"enabled": false, "scaleDownEnabled": false}, "diskGB": {"enabled": true}}
                }]
            }]
        }))
        .unwrap_or_default()
    }

    fn known<T: Clone>(t: &Tf<T>) -> T {
        t.known().cloned().unwrap_or_else(|| panic!("not known"))
    }

    #[test]
    fn flatten_maps_api_fields_and_keeps_config_only_values() {
        let prior = ClusterModel {
            timeouts: Some(tfplugin::timeouts::Timeouts {
                create: Some("1h".into()),
                ..Default::default()
            }),
            retain_backups_enabled: Some(true),
            mongo_db_major_version: Tf::Known("8".into()),
            bi_connector_config: Some(BiConnectorModel {
                enabled: Some(false),
                read_preference: Some("SECONDARY".into()),
            }),
            // A plan's unknowns never reach the state.
            advanced_configuration: Tf::Known(AdvancedConfigurationModel {
                oplog_size_mb: Tf::Unknown,
                ..Default::default()
            }),
            version_release_system: Tf::Unknown,
            ..Default::default()
        };
        let args = ProcessArgs {
            javascript_enabled: Some(true),
            oplog_size_mb: Some(990),
            ..Default::default()
        };
        let m = flatten(&api_cluster(), Some(&args), &prior);
        assert_eq!(m.project_id, "5f1d5c2b8a1e4c3d2b1a0f9e");
        assert_eq!(m.cluster_id.as_deref(), Some("aaaaaaaaaaaaaaaaaaaaaaaa"));
        assert_eq!(m.state_name.as_deref(), Some("IDLE"));
        assert_eq!(m.mongo_db_major_version, Tf::Known("8".into()));
        assert_eq!(m.version_release_system, Tf::Null);
        assert_eq!(m.delete_on_create_timeout, Some(true));
        assert_eq!(m.retain_backups_enabled, Some(true));
        assert_eq!(m.timeouts, prior.timeouts);
        assert_eq!(
            m.bi_connector_config
                .and_then(|b| b.read_preference)
                .as_deref(),
            Some("SECONDARY")
        );
        assert_eq!(
            known(&m.connection_strings).standard_srv.as_deref(),
            Some("mongodb+srv://c1.abcd.mongodb.net")
        );
        let spec = &known(&m.replication_specs)[0];
        assert_eq!(
            spec.external_id.as_deref(),
            Some("bbbbbbbbbbbbbbbbbbbbbbbb")
        );
        assert_eq!(spec.zone_id.as_deref(), Some("cccccccccccccccccccccccc"));
        assert_eq!(spec.container_id, Tf::Known(Default::default()));
        let rc = &known(&spec.region_configs)[0];
        let el = known(&rc.electable_specs);
        assert_eq!(el.disk_size_gb, Tf::Known(10.0));
        assert_eq!(el.disk_iops, Tf::Known(3000));
        assert_eq!(known(&rc.read_only_specs).node_count, Tf::Known(0));
        assert_eq!(rc.analytics_specs, Tf::Null);
        let a = known(&rc.auto_scaling);
        assert_eq!(a.disk_gb_enabled, Some(true));
        assert_eq!(a.compute_enabled, Some(false));
        let adv = known(&m.advanced_configuration);
        assert_eq!(adv.oplog_size_mb, Tf::Known(990));
        assert_eq!(adv.javascript_enabled, Some(true));
        assert_eq!(
            m.tags,
            Some(StringMap::from([(
                "env".to_string(),
                Tf::Known("dev".to_string())
            )]))
        );
        assert_eq!(m.labels, None);
        // Shared tiers have no process arguments: the state keeps what it knew, never an
        // unknown.
        let m = flatten(&api_cluster(), None, &prior);
        assert_eq!(known(&m.advanced_configuration).oplog_size_mb, Tf::Null);
    }

    #[test]
    fn use_effective_fields_keeps_configured_specs() {
        let mut api = api_cluster();
        if let Some(rc) = api
            .replication_specs
            .as_mut()
            .and_then(|s| s[0].region_configs.as_mut())
        {
            if let Some(e) = rc[0].electable_specs.as_mut() {
                e.instance_size = Some("M30".into());
            }
        }
        let prior = ClusterModel {
            use_effective_fields: Some(true),
            replication_specs: Tf::Known(vec![ReplicationSpecModel {
                region_configs: Tf::Known(vec![RegionConfigModel {
                    electable_specs: Tf::Known(SpecsModel {
                        instance_size: Tf::Known("M10".into()),
                        disk_size_gb: Tf::Unknown,
                        ..Default::default()
                    }),
                    ..Default::default()
                }]),
                ..Default::default()
            }]),
            ..Default::default()
        };
        let m = flatten(&api, None, &prior);
        let rc = &known(&known(&m.replication_specs)[0].region_configs)[0];
        let el = known(&rc.electable_specs);
        assert_eq!(el.instance_size, Tf::Known("M10".into()));
        assert_eq!(el.disk_size_gb, Tf::Known(10.0));
    }

    #[test]
    fn versions_and_sets_compare_by_meaning() {
        assert!(same_major_version("8", "8.0"));
        assert!(!same_major_version("7.0", "8.0"));
        let prior = BTreeSet::from(["b".to_string(), "a".to_string()]);
        assert_eq!(
            cipher_set(Some(vec!["a".into(), "b".into()]), Some(&prior)),
            Some(prior.clone())
        );
        assert_eq!(
            cipher_set(None, Some(&BTreeSet::new())),
            Some(BTreeSet::new())
        );
        assert_eq!(cipher_set(None, Some(&prior)), None);
        let _ = (BiConnector::default(), Tag::new("k", "v"));
    }
}
