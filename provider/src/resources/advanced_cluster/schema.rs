//! The schema of `mongodbatlas_advanced_cluster` (version 2, nested attributes as in the
//! official provider v2.x), and the all-computed copy the data sources are derived from.

use tfplugin::schema::{Attribute, AttributeKind, Block, ObjectNesting, Schema};
use tfplugin::timeouts::timeouts_attribute;
use tfplugin::value::{Type, Value};

/// State schema version of the official provider's TPF implementation.
pub const SCHEMA_VERSION: i64 = 2;

/// Attributes that only steer the resource's operations; the data sources do not have them.
pub const RESOURCE_ONLY: &[&str] = &[
    "timeouts",
    "delete_on_create_timeout",
    "retain_backups_enabled",
    "accept_data_risks_and_force_replica_set_reconfig",
];

fn opt_str(name: &str, description: &str) -> Attribute {
    Attribute::string(name)
        .optional_computed()
        .use_state_for_unknown()
        .description(description)
}

fn opt_bool(name: &str, description: &str) -> Attribute {
    Attribute::bool(name)
        .optional_computed()
        .use_state_for_unknown()
        .description(description)
}

fn opt_int(name: &str, description: &str) -> Attribute {
    Attribute::int64(name)
        .optional_computed()
        .use_state_for_unknown()
        .description(description)
}

fn stable_computed_str(name: &str, description: &str) -> Attribute {
    Attribute::string(name)
        .computed()
        .use_state_for_unknown()
        .description(description)
}

/// `electable_specs`, `read_only_specs`, `analytics_specs`.
fn hardware_spec(name: &str, description: &str) -> Attribute {
    Attribute::nested(
        name,
        ObjectNesting::Single,
        vec![
            opt_str(
                "instance_size",
                "Hardware tier, e.g. M10. Base nodes of a shard share one size.",
            ),
            opt_int("node_count", "Number of nodes of this kind in the region."),
            Attribute::number("disk_size_gb")
                .optional_computed()
                .use_state_for_unknown()
                .description("Storage capacity in GB, equal across the cluster's nodes."),
            opt_int(
                "disk_iops",
                "Disk IOPS (AWS with ebs_volume_type PROVISIONED, Azure).",
            ),
            opt_str(
                "ebs_volume_type",
                "AWS volume type: STANDARD, PROVISIONED or HIGH_PERFORMANCE.",
            ),
        ],
    )
    .optional_computed()
    .use_state_for_unknown()
    .description(description)
}

fn auto_scaling(name: &str, description: &str) -> Attribute {
    Attribute::nested(
        name,
        ObjectNesting::Single,
        vec![
            opt_bool("compute_enabled", "Scale the instance size automatically."),
            opt_bool(
                "compute_scale_down_enabled",
                "Allow automatic scaling down (needs compute_min_instance_size).",
            ),
            opt_str(
                "compute_min_instance_size",
                "Smallest size automatic scaling may choose.",
            ),
            opt_str(
                "compute_max_instance_size",
                "Largest size automatic scaling may choose.",
            ),
            opt_bool("disk_gb_enabled", "Grow the disk automatically."),
        ],
    )
    .optional_computed()
    .use_state_for_unknown()
    .description(description)
}

fn region_configs() -> Attribute {
    Attribute::nested(
        "region_configs",
        ObjectNesting::List,
        vec![
            Attribute::string("provider_name")
                .required()
                .description("AWS, GCP, AZURE or TENANT."),
            Attribute::string("region_name")
                .required()
                .description("Atlas region name, e.g. US_EAST_1."),
            Attribute::int64("priority").required().description(
                "Election priority: 7 highest, descending; 0 for regions without electable nodes.",
            ),
            Attribute::string("backing_provider_name")
                .optional()
                .description("Cloud provider behind a TENANT (M0) cluster."),
            hardware_spec("electable_specs", "Electable nodes in this region."),
            hardware_spec("read_only_specs", "Read-only nodes in this region."),
            hardware_spec("analytics_specs", "Analytics nodes in this region."),
            auto_scaling(
                "auto_scaling",
                "Auto-scaling of electable and read-only nodes.",
            ),
            auto_scaling("analytics_auto_scaling", "Auto-scaling of analytics nodes."),
        ],
    )
    .required()
    .description("The regions of this shard, electable ones in descending priority.")
}

fn replication_specs() -> Attribute {
    Attribute::nested(
        "replication_specs",
        ObjectNesting::List,
        vec![
            region_configs(),
            opt_str("zone_name", "Zone of a GEOSHARDED cluster."),
            stable_computed_str("zone_id", "Id of the zone."),
            stable_computed_str("external_id", "Id of this shard (replication spec)."),
            Attribute::map_of("container_id", Type::String)
                .computed()
                .use_state_for_unknown()
                .description("Network container id per \"PROVIDER:REGION\"."),
        ],
    )
    .required()
    .description("One element per shard (exactly one for a replica set).")
}

fn bi_connector_config() -> Attribute {
    Attribute::nested(
        "bi_connector_config",
        ObjectNesting::Single,
        vec![
            opt_bool("enabled", "Whether the BI Connector is enabled."),
            opt_str(
                "read_preference",
                "Where the BI Connector reads: PRIMARY, SECONDARY or ANALYTICS.",
            ),
        ],
    )
    .optional_computed()
    .use_state_for_unknown()
    .description("BI Connector for Atlas settings.")
}

fn connection_strings() -> Attribute {
    let computed = |n: &str| Attribute::string(n).computed();
    Attribute::nested(
        "connection_strings",
        ObjectNesting::Single,
        vec![
            computed("standard"),
            computed("standard_srv"),
            computed("private"),
            computed("private_srv"),
            Attribute::nested(
                "private_endpoint",
                ObjectNesting::List,
                vec![
                    computed("connection_string"),
                    computed("srv_connection_string"),
                    computed("srv_shard_optimized_connection_string"),
                    computed("type"),
                    Attribute::nested(
                        "endpoints",
                        ObjectNesting::List,
                        vec![
                            computed("endpoint_id"),
                            computed("provider_name"),
                            computed("region"),
                        ],
                    )
                    .computed(),
                ],
            )
            .computed(),
        ],
    )
    .computed()
    .use_state_for_unknown()
    .description("Connection strings of the cluster.")
}

fn advanced_configuration() -> Attribute {
    Attribute::nested(
        "advanced_configuration",
        ObjectNesting::Single,
        vec![
            opt_str(
                "minimum_enabled_tls_protocol",
                "Lowest TLS version accepted: TLS1_0 … TLS1_3.",
            ),
            opt_str("tls_cipher_config_mode", "DEFAULT or CUSTOM."),
            Attribute::set_of("custom_openssl_cipher_config_tls12", Type::String)
                .optional_computed()
                .use_state_for_unknown()
                .description("TLS 1.2 cipher suites when tls_cipher_config_mode is CUSTOM."),
            Attribute::set_of("custom_openssl_cipher_config_tls13", Type::String)
                .optional_computed()
                .use_state_for_unknown()
                .description("TLS 1.3 cipher suites when tls_cipher_config_mode is CUSTOM."),
            opt_str(
                "default_write_concern",
                "Default write concern, e.g. majority.",
            ),
            opt_bool("javascript_enabled", "Allow server-side JavaScript."),
            opt_bool(
                "no_table_scan",
                "Reject queries that need a collection scan.",
            ),
            opt_int("oplog_size_mb", "Oplog size in MB."),
            Attribute::number("oplog_min_retention_hours")
                .optional_computed()
                .use_state_for_unknown()
                .description("Minimum oplog retention window in hours."),
            opt_int(
                "sample_size_bi_connector",
                "Documents per database sampled for the BI Connector schema.",
            ),
            opt_int(
                "sample_refresh_interval_bi_connector",
                "Seconds between BI Connector schema resamplings.",
            ),
            opt_int(
                "transaction_lifetime_limit_seconds",
                "Lifetime of multi-document transactions in seconds.",
            ),
            opt_int(
                "change_stream_options_pre_and_post_images_expire_after_seconds",
                "Expiry of change stream pre- and post-images (-1: off).",
            ),
            opt_int(
                "default_max_time_ms",
                "Default maxTimeMS for read operations.",
            ),
        ],
    )
    .optional_computed()
    .use_state_for_unknown()
    .description("Process arguments of the cluster's mongod/mongos processes.")
}

/// The resource schema.
pub fn schema() -> Schema {
    let block = Block::new()
        .description("A dedicated or shared-tier Atlas cluster, described per shard and region.")
        .attribute(
            Attribute::string("project_id")
                .required()
                .requires_replace()
                .description("Project of the cluster; changing it replaces the cluster."),
        )
        .attribute(
            Attribute::string("name")
                .required()
                .requires_replace()
                .description("Cluster name; changing it replaces the cluster."),
        )
        .attribute(
            Attribute::string("cluster_type")
                .required()
                .description("REPLICASET, SHARDED or GEOSHARDED."),
        )
        .attribute(replication_specs())
        .attribute(opt_bool("backup_enabled", "Cloud backups enabled."))
        .attribute(bi_connector_config())
        .attribute(stable_computed_str("cluster_id", "The cluster id."))
        .attribute(opt_str(
            "config_server_management_mode",
            "ATLAS_MANAGED or FIXED_TO_DEDICATED (sharded clusters).",
        ))
        .attribute(stable_computed_str(
            "config_server_type",
            "DEDICATED or EMBEDDED (sharded clusters).",
        ))
        .attribute(connection_strings())
        .attribute(stable_computed_str(
            "create_date",
            "Creation time (ISO 8601).",
        ))
        .attribute(
            Attribute::bool("delete_on_create_timeout")
                .optional_computed()
                .default_value(Value::bool(true))
                .description("Delete the cluster when creation times out (default true)."),
        )
        .attribute(opt_str(
            "encryption_at_rest_provider",
            "Customer key management: NONE, AWS, AZURE or GCP.",
        ))
        .attribute(opt_bool(
            "global_cluster_self_managed_sharding",
            "Self-managed sharding for GEOSHARDED clusters (creation only).",
        ))
        .attribute(opt_str(
            "mongo_db_major_version",
            "MongoDB major version, e.g. \"8.0\".",
        ))
        .attribute(stable_computed_str(
            "mongo_db_version",
            "Full MongoDB version running on the cluster.",
        ))
        .attribute(opt_bool("paused", "Whether the cluster is paused."))
        .attribute(opt_bool(
            "pit_enabled",
            "Continuous cloud backup (point in time).",
        ))
        .attribute(opt_bool(
            "redact_client_log_data",
            "Redact client data from mongod logs.",
        ))
        .attribute(opt_str(
            "replica_set_scaling_strategy",
            "WORKLOAD_TYPE, SEQUENTIAL or NODE_TYPE.",
        ))
        .attribute(opt_str(
            "root_cert_type",
            "Root certificate authority: ISRGROOTX1.",
        ))
        .attribute(stable_computed_str(
            "state_name",
            "Current state: IDLE, CREATING, UPDATING, DELETING, REPAIRING.",
        ))
        .attribute(opt_bool(
            "termination_protection_enabled",
            "Block deletion of the cluster.",
        ))
        .attribute(opt_bool(
            "use_aws_time_based_snapshot_copy_for_fast_initial_sync",
            "Use AWS time-based snapshot copies for cross-region initial syncs.",
        ))
        .attribute(opt_str("version_release_system", "LTS or CONTINUOUS."))
        .attribute(
            Attribute::bool("retain_backups_enabled")
                .optional()
                .description("Keep the backups when the cluster is deleted."),
        )
        .attribute(
            Attribute::string("accept_data_risks_and_force_replica_set_reconfig")
                .optional()
                .description("Date after which a forced replica set reconfiguration is accepted."),
        )
        .attribute(advanced_configuration())
        .attribute(
            Attribute::map_of("labels", Type::String)
                .optional()
                .deprecated("Atlas deprecated labels; use tags instead.")
                .description("Key-value labels (deprecated by Atlas)."),
        )
        .attribute(
            Attribute::map_of("tags", Type::String)
                .optional()
                .description("Key-value tags."),
        )
        .attribute(timeouts_attribute(&["create", "update", "delete"]))
        .attribute(
            Attribute::bool("use_effective_fields")
                .optional()
                .description("Keep the configured spec values when Atlas auto-scales."),
        );
    Schema::new(block).with_version(SCHEMA_VERSION)
}

/// A copy of `attr` in which it and everything nested in it is computed only, without plan
/// behaviour (for data sources).
pub fn computed_copy(attr: &Attribute) -> Attribute {
    let mut a = attr.clone();
    a.required = false;
    a.optional = false;
    a.computed = true;
    a.requires_replace = false;
    a.use_state_for_unknown = false;
    a.default = None;
    a.deprecated = None;
    if let AttributeKind::Nested(n) = &mut a.kind {
        n.attributes = n.attributes.iter().map(computed_copy).collect();
    }
    a
}

/// The cluster attributes a data source returns, all computed, except `skip`.
pub fn data_source_attributes(skip: &[&str]) -> Vec<Attribute> {
    schema()
        .block
        .attributes
        .iter()
        .filter(|a| !RESOURCE_ONLY.contains(&a.name.as_str()) && !skip.contains(&a.name.as_str()))
        .map(computed_copy)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::schema::validate_schema;

    #[test]
    fn schema_is_valid_and_version_2() {
        let s = schema();
        assert_eq!(s.version, 2);
        validate_schema(&s).expect("valid schema");
        let specs = s.block.find_attribute("replication_specs").expect("specs");
        let n = specs.nested_attributes().expect("nested");
        assert_eq!(n.nesting, ObjectNesting::List);
        assert!(specs.required);
        let timeouts = s.block.find_attribute("timeouts").expect("timeouts");
        assert!(timeouts.optional && !timeouts.computed);
    }

    #[test]
    fn data_source_attributes_are_all_computed() {
        let attrs = data_source_attributes(&["project_id", "name"]);
        fn check(a: &Attribute) {
            assert!(a.computed && !a.optional && !a.required, "{}", a.name);
            if let Some(n) = a.nested_attributes() {
                n.attributes.iter().for_each(check);
            }
        }
        attrs.iter().for_each(check);
        assert!(attrs.iter().all(|a| a.name != "timeouts"));
    }
}
