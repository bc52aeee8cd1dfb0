//! Clusters: the error codes this area answers (same envelope as every other, see
//! [`crate::error`]).

use axum::http::StatusCode;
use serde_json::json;

use crate::error::ApiError;

impl ApiError {
    pub fn cluster_not_found(name: &str, group_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "CLUSTER_NOT_FOUND",
            format!("No cluster named {name} exists in group {group_id}."),
            vec![json!(name), json!(group_id)],
        )
    }

    /// Observed: 400, not 409.
    pub fn duplicate_cluster_name(name: &str, group_id: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "DUPLICATE_CLUSTER_NAME",
            format!("A cluster named {name} is already present in group {group_id}."),
            vec![json!(name), json!(group_id)],
        )
    }

    pub fn duplicate_cluster_name_prefix(name: &str, other: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "DUPLICATE_CLUSTER_NAME_PREFIX",
            format!("Cluster name {name} conflicts with existing cluster {other}: the first 23 characters of cluster names must be unique within a project."),
            vec![json!(name), json!(other)],
        )
    }

    pub fn cluster_name_invalid(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "CLUSTER_NAME_INVALID",
            format!("Cluster name \"{name}\" is invalid. Cluster names must start with a letter or number and contain only ASCII letters, numbers, and hyphens."),
            vec![json!(name)],
        )
    }

    pub fn cluster_name_too_long(name: &str, max: usize) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "CLUSTER_NAME_TOO_LONG",
            format!("Cluster name \"{name}\" is invalid. Cluster names can be at most {max} characters long."),
            vec![json!(name), json!(max)],
        )
    }

    pub fn cluster_name_prefix_invalid(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "CLUSTER_NAME_PREFIX_INVALID",
            format!("Cluster name \"{name}\" is invalid: its first 23 characters cannot end with a hyphen."),
            vec![json!(name)],
        )
    }

    pub fn atlas_reserved_cluster_name(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "ATLAS_RESERVED_CLUSTER_NAME",
            format!("Cluster name \"{name}\" is reserved by MongoDB Atlas."),
            vec![json!(name)],
        )
    }

    pub fn cluster_cannot_change_name() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "CLUSTER_CANNOT_CHANGE_NAME",
            "The name of a cluster cannot be changed.",
            vec![],
        )
    }

    pub fn cluster_cannot_change_provider_name() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "CLUSTER_CANNOT_CHANGE_PROVIDER_NAME",
            "The cloud provider of a cluster cannot be changed.",
            vec![],
        )
    }

    pub fn cannot_create_paused_cluster() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "CANNOT_CREATE_PAUSED_CLUSTER",
            "Cannot create a cluster in a paused state.",
            vec![],
        )
    }

    pub fn cannot_update_paused_cluster(name: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "CANNOT_UPDATE_PAUSED_CLUSTER",
            format!("Cluster {name} is paused: resume it before making other changes."),
            vec![json!(name)],
        )
    }

    pub fn cannot_update_and_pause_cluster(name: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "CANNOT_UPDATE_AND_PAUSE_CLUSTER",
            format!("Cluster {name} cannot be paused and updated in the same request."),
            vec![json!(name)],
        )
    }

    pub fn cannot_terminate_cluster_when_termination_protection_enabled() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "CANNOT_TERMINATE_CLUSTER_WHEN_TERMINATION_PROTECTION_ENABLED",
            "Cannot terminate a cluster when termination protection is enabled. Disable termination protection and try again.",
            vec![],
        )
    }

    pub fn cluster_already_requested_deletion(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "CLUSTER_ALREADY_REQUESTED_DELETION",
            format!("Cluster {name} has already been requested for deletion."),
            vec![json!(name)],
        )
    }

    /// Atlas's project limit `atlas.project.deployment.clusters` (default 25). The code is
    /// modelled on `MAX_GROUPS_PER_ORG_EXCEEDED`; the real one is unverified.
    pub fn max_clusters_per_group_exceeded(limit: usize, group_id: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "MAX_CLUSTERS_PER_GROUP_EXCEEDED",
            format!("Cannot have more than {limit} clusters in group {group_id} (project limit atlas.project.deployment.clusters)."),
            vec![json!(limit), json!(group_id)],
        )
    }

    pub fn invalid_provider(provider: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_PROVIDER",
            format!("No provider {provider} exists."),
            vec![json!(provider)],
        )
    }

    pub fn invalid_region(region: &str, provider: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_REGION",
            format!("No region {region} exists for provider {provider}."),
            vec![json!(region), json!(provider)],
        )
    }

    pub fn replication_specs_invalid(reason: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "REPLICATION_SPECS_INVALID",
            format!("Invalid replication specs: {reason}"),
            vec![json!(reason)],
        )
    }

    pub fn invalid_cluster_configuration(reason: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_CLUSTER_CONFIGURATION",
            format!("The specified cluster configuration is not valid: {reason}"),
            vec![json!(reason)],
        )
    }

    pub fn cluster_disk_size_invalid(size: f64, instance_size: &str, max: f64) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "CLUSTER_DISK_SIZE_INVALID",
            format!("The disk size {size} GB is invalid for instance size {instance_size}: it must be a whole number of GB between 10 and {max}."),
            vec![json!(size), json!(instance_size), json!(max)],
        )
    }

    pub fn disk_size_gb_inconsistent() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "DISK_SIZE_GB_INCONSISTENT",
            "diskSizeGB must be the same for every shard and node type of a cluster.",
            vec![],
        )
    }

    pub fn mongodb_version_invalid(version: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "MONGODB_VERSION_INVALID",
            format!("MongoDB version {version} is not a supported major version."),
            vec![json!(version)],
        )
    }

    pub fn sharded_cluster_cant_become_replica_set() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "SHARDED_CLUSTER_CANT_BECOME_REPLICA_SET",
            "A sharded cluster cannot become a replica set.",
            vec![],
        )
    }

    pub fn cannot_change_geosharded_cluster_type() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "CANNOT_CHANGE_GEOSHARDED_CLUSTER_TYPE",
            "The cluster type of a global cluster cannot be changed.",
            vec![],
        )
    }

    pub fn cannot_set_self_managed_sharding_for_non_global_cluster() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "CANNOT_SET_SELF_MANAGED_SHARDING_FOR_NON_GLOBAL_CLUSTER",
            "globalClusterSelfManagedSharding can only be set on global (GEOSHARDED) clusters.",
            vec![],
        )
    }

    pub fn cannot_modify_global_cluster_management_setting() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "CANNOT_MODIFY_GLOBAL_CLUSTER_MANAGEMENT_SETTING",
            "globalClusterSelfManagedSharding cannot be changed after the cluster is created.",
            vec![],
        )
    }

    pub fn compute_auto_scaling_max_instance_size_required() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "COMPUTE_AUTO_SCALING_MAX_INSTANCE_SIZE_REQUIRED",
            "autoScaling.compute.maxInstanceSize is required when compute auto-scaling is enabled.",
            vec![],
        )
    }

    pub fn compute_auto_scaling_min_instance_size_required() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "COMPUTE_AUTO_SCALING_MIN_INSTANCE_SIZE_REQUIRED",
            "autoScaling.compute.minInstanceSize is required when compute scale-down is enabled.",
            vec![],
        )
    }

    pub fn compute_auto_scaling_scale_down_enabled_invalid() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "COMPUTE_AUTO_SCALING_SCALE_DOWN_ENABLED_INVALID",
            "Compute scale-down requires compute auto-scaling to be enabled.",
            vec![],
        )
    }

    pub fn compute_auto_scaling_instance_size_range_invalid(size: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "COMPUTE_AUTO_SCALING_INSTANCE_SIZE_RANGE_INVALID",
            format!("Instance size {size} is outside the compute auto-scaling range."),
            vec![json!(size)],
        )
    }

    pub fn tenant_cluster_process_args_not_supported(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "TENANT_CLUSTER_PROCESS_ARGS_NOT_SUPPORTED",
            format!("Advanced configuration options are not supported on tenant cluster {name}."),
            vec![json!(name)],
        )
    }
}
