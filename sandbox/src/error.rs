//! The Atlas error envelope: `{detail, error, errorCode, parameters, reason}`.
//!
//! Every error code the sandbox can answer exists here once, as a constructor named after the
//! code, so handlers never build envelopes by hand and tests can assert on codes.

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// Longest `detail` an error carries: details echo input, and a 100 KB name must not come
/// back whole.
const MAX_DETAIL_CHARS: usize = 1000;
/// Longest string parameter (parameters echo input too).
const MAX_PARAMETER_CHARS: usize = 256;

/// `s` if it has at most `max` characters, else its start and end around an ellipsis that
/// says how much was left out (the end keeps the explanation that follows an echoed value).
fn clip(s: String, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s;
    }
    let tail = max / 4;
    let head = max - tail;
    let start: String = s.chars().take(head).collect();
    let end: String = s.chars().skip(n - tail).collect();
    format!("{start}…[{} characters omitted]…{end}", n - head - tail)
}

/// One Atlas API error, rendered as the real envelope with an `application/json` body.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub parameters: Vec<Value>,
    /// Extra response headers (e.g. `Retry-After` on 429).
    pub headers: Vec<(HeaderName, String)>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        detail: impl Into<String>,
        parameters: Vec<Value>,
    ) -> Self {
        let parameters = parameters
            .into_iter()
            .map(|p| match p {
                Value::String(s) => Value::String(clip(s, MAX_PARAMETER_CHARS)),
                other => other,
            })
            .collect();
        Self {
            status,
            code,
            detail: clip(detail.into(), MAX_DETAIL_CHARS),
            parameters,
            headers: Vec::new(),
        }
    }

    /// A request body over the sandbox's limit ([`crate::extract::MAX_BODY_BYTES`]).
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("The request body is larger than {limit} bytes."),
            vec![json!(limit)],
        )
    }

    /// A body whose versioned `Content-Type` names another version than the one negotiated
    /// through `Accept`.
    pub fn unsupported_media_type(content_type: &str, expected: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            format!(
                "The request body's Content-Type {content_type} does not match the version requested in Accept; send it as {expected}."
            ),
            vec![json!(content_type), json!(expected)],
        )
    }

    pub fn with_header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The JSON body, exactly as Atlas shapes it.
    pub fn body(&self) -> Value {
        json!({
            "detail": self.detail,
            "error": self.status.as_u16(),
            "errorCode": self.code,
            "parameters": self.parameters,
            "reason": self.status.canonical_reason().unwrap_or("Error"),
        })
    }

    // ---- projects -------------------------------------------------------------------------

    pub fn group_not_found(group_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "GROUP_NOT_FOUND",
            format!("No group with ID {group_id} exists."),
            vec![json!(group_id)],
        )
    }

    pub fn group_name_not_found(name: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "GROUP_NAME_NOT_FOUND",
            format!("No group with name \"{name}\" exists."),
            vec![json!(name)],
        )
    }

    pub fn invalid_group_id(group_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "INVALID_GROUP_ID",
            format!("An invalid group ID {group_id} was specified."),
            vec![json!(group_id)],
        )
    }

    pub fn group_already_exists(name: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "GROUP_ALREADY_EXISTS",
            format!("A group with name \"{name}\" already exists."),
            vec![json!(name)],
        )
    }

    pub fn invalid_group_name(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_GROUP_NAME",
            format!("Group name \"{name}\" is invalid. Names are 1 to 64 characters: letters, digits, spaces (not first or last), and - _ . ( ) , : & @ + '."),
            vec![json!(name)],
        )
    }

    pub fn invalid_group_name_10gen(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_GROUP_NAME_10GEN",
            format!(
                "Group name \"{name}\" is invalid: it cannot contain \"10gen-\" or \"-10gen\"."
            ),
            vec![json!(name)],
        )
    }

    /// Reserved for the clusters area: a project that still owns clusters cannot be deleted.
    #[allow(dead_code)]
    pub fn cannot_close_group_active_atlas_clusters() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "CANNOT_CLOSE_GROUP_ACTIVE_ATLAS_CLUSTERS",
            "There are active clusters in this project. Please terminate all clusters before closing the project.",
            vec![],
        )
    }

    // ---- clusters -------------------------------------------------------------------------

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

    pub fn invalid_enum_value(value: &str, attribute: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_ENUM_VALUE",
            format!("An invalid enumeration value {value} was specified for {attribute}."),
            vec![json!(value), json!(attribute)],
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

    /// A spec version of an emulated operation whose body shape the sandbox does not serve.
    pub fn version_not_emulated(operation_id: &str, version: &str) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "NOT_IMPLEMENTED",
            format!("atlas-sandbox does not emulate version {version} of operation {operation_id}; use a newer version."),
            vec![json!(operation_id), json!(version)],
        )
    }

    // ---- organizations --------------------------------------------------------------------

    pub fn org_not_found(org_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ORG_NOT_FOUND",
            format!("No organization with ID {org_id} exists."),
            vec![json!(org_id)],
        )
    }

    pub fn invalid_org_id(org_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "INVALID_ORG_ID",
            format!("An invalid organization ID {org_id} was specified."),
            vec![json!(org_id)],
        )
    }

    // ---- authorization, API keys, service accounts (roles.rs, authz.rs) ---------------------

    /// The caller has no role in the project (or the project does not exist and the caller
    /// has no organization-wide access). 401 as Atlas answers it (reference §5).
    pub fn not_in_group(group: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "NOT_IN_GROUP",
            format!("The current user is not in the group, or the group does not exist: {group}."),
            vec![json!(group)],
        )
    }

    /// The caller is in scope but lacks the role the operation needs. 401 as Atlas answers it
    /// (reference §5).
    pub fn user_unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "USER_UNAUTHORIZED",
            "Current user is not authorized to perform this action.",
            vec![],
        )
    }

    /// `POST /groups` without `ORG_OWNER`/`ORG_GROUP_CREATOR` in the body's organization.
    pub fn not_org_group_creator(org_id: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "NOT_ORG_GROUP_CREATOR",
            format!(
                "The current user does not have the project creator role in organization {org_id}."
            ),
            vec![json!(org_id)],
        )
    }

    pub fn api_key_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "API_KEY_NOT_FOUND",
            format!("No API key with ID {id} exists."),
            vec![json!(id)],
        )
    }

    pub fn api_key_requires_description() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "API_KEY_REQUIRES_DESCRIPTION",
            "API keys require a description.",
            vec![],
        )
    }

    pub fn invalid_api_key_desc() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_API_KEY_DESC",
            "The API key description is invalid: it must be 1 to 250 characters.",
            vec![],
        )
    }

    pub fn missing_api_key_roles() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "MISSING_API_KEY_ROLES",
            "API keys require at least one role.",
            vec![],
        )
    }

    pub fn invalid_role_for_org(role: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_ROLE_FOR_ORG",
            format!("Role {role} is not a valid organization role."),
            vec![json!(role)],
        )
    }

    pub fn invalid_role_for_group(role: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_ROLE_FOR_GROUP",
            format!("Role {role} is not a valid project role."),
            vec![json!(role)],
        )
    }

    /// Unverified code: the service-account API is recent and answers the generic one.
    pub fn service_account_not_found(client_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            format!("No service account with client ID {client_id} exists."),
            vec![json!(client_id)],
        )
    }

    // ---- database users -------------------------------------------------------------------

    pub fn username_not_found(username: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "USERNAME_NOT_FOUND",
            format!("No user with username {username} exists."),
            vec![json!(username)],
        )
    }

    pub fn user_already_exists(username: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "USER_ALREADY_EXISTS",
            format!("A user with username {username} already exists."),
            vec![json!(username)],
        )
    }

    pub fn group_users_limit_exceeded(group_id: &str, limit: usize) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "GROUP_USERS_LIMIT_EXCEEDED",
            format!("Group {group_id} has reached the limit of {limit} database users."),
            vec![json!(group_id), json!(limit)],
        )
    }

    pub fn database_name_invalid_admin(database_name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "DATABASE_NAME_INVALID_ADMIN",
            format!("Database name {database_name} is invalid: users with this authentication method must use admin."),
            vec![json!(database_name)],
        )
    }

    pub fn database_name_invalid_external(database_name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "DATABASE_NAME_INVALID_EXTERNAL",
            format!("Database name {database_name} is invalid: users with this authentication method must use $external."),
            vec![json!(database_name)],
        )
    }

    pub fn database_username_cannot_be_changed() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "DATABASE_USERNAME_CANNOT_BE_CHANGED",
            "The username of a database user cannot be changed.",
            vec![],
        )
    }

    pub fn database_name_cannot_be_changed() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "DATABASE_NAME_CANNOT_BE_CHANGED",
            "The authentication database of a database user cannot be changed.",
            vec![],
        )
    }

    pub fn auth_type_cannot_be_changed() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "AUTH_TYPE_CANNOT_BE_CHANGED",
            "The authentication method of a database user cannot be changed.",
            vec![],
        )
    }

    pub fn unsupported_role(role: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "UNSUPPORTED_ROLE",
            format!("Role {role} is not supported."),
            vec![json!(role)],
        )
    }

    pub fn atlas_invalid_role(role: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "ATLAS_INVALID_ROLE",
            format!("Role {role} is invalid here: only read and readWrite can be limited to a collection."),
            vec![json!(role)],
        )
    }

    pub fn atlas_invalid_role_database(role: &str, database_name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "ATLAS_INVALID_ROLE_DATABASE",
            format!("Role {role} cannot be granted on database {database_name}."),
            vec![json!(role), json!(database_name)],
        )
    }

    pub fn atlas_restricted_role(role: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "ATLAS_RESTRICTED_ROLE",
            format!("Role {role} is restricted in Atlas."),
            vec![json!(role)],
        )
    }

    pub fn atlas_restricted_collection(collection: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "ATLAS_RESTRICTED_COLLECTION",
            format!("Collection {collection} is restricted in Atlas."),
            vec![json!(collection)],
        )
    }

    pub fn duplicate_database_roles(role: &str, database_name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "DUPLICATE_DATABASE_ROLES",
            format!("Role {role} on database {database_name} is specified more than once."),
            vec![json!(role), json!(database_name)],
        )
    }

    pub fn atlas_invalid_username(username: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "ATLAS_INVALID_USERNAME",
            format!("The username {username} is invalid for its authentication method."),
            vec![json!(username)],
        )
    }

    pub fn atlas_invalid_ldap_name(username: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "ATLAS_INVALID_LDAP_NAME",
            format!("The LDAP name {username} is not a valid distinguished name."),
            vec![json!(username)],
        )
    }

    pub fn atlas_x509_user_cannot_be_temporary() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "ATLAS_X509_USER_CANNOT_BE_TEMPORARY",
            "X.509 users cannot be temporary.",
            vec![],
        )
    }

    pub fn atlas_x509_user_cannot_use_scram() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "ATLAS_X509_USER_CANNOT_USE_SCRAM",
            "X.509 users cannot have a password.",
            vec![],
        )
    }

    pub fn atlas_x509_user_cannot_use_ldap() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "ATLAS_X509_USER_CANNOT_USE_LDAP",
            "X.509 users cannot use LDAP authentication.",
            vec![],
        )
    }

    pub fn expiration_date_in_past(date: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "EXPIRATION_DATE_IN_PAST",
            format!("The expiration date {date} is in the past."),
            vec![json!(date)],
        )
    }

    pub fn expiration_date_exceeds_max(date: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "EXPIRATION_DATE_EXCEEDS_MAX",
            format!("The expiration date {date} is more than one week in the future."),
            vec![json!(date)],
        )
    }

    pub fn permanent_entity_cannot_be_made_temporary() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "PERMANENT_ENTITY_CANNOT_BE_MADE_TEMPORARY",
            "A permanent entity cannot be made temporary.",
            vec![],
        )
    }

    pub fn weak_password() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "WEAK_PASSWORD",
            "The password is too weak: it must be at least 8 characters long.",
            vec![],
        )
    }

    pub fn common_password() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "COMMON_PASSWORD",
            "The password is too common.",
            vec![],
        )
    }

    pub fn group_mismatch(body_group_id: &str, path_group_id: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "GROUP_MISMATCH",
            format!("The group ID {body_group_id} in the request body does not match the group ID {path_group_id} in the URL."),
            vec![json!(body_group_id), json!(path_group_id)],
        )
    }

    // ---- project IP access list -----------------------------------------------------------

    pub fn atlas_network_permission_entry_not_found(entry: &str, group_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND",
            format!("IP Address {entry} not on Atlas access list for group {group_id}."),
            vec![json!(entry), json!(group_id)],
        )
    }

    pub fn invalid_ip_address_or_cidr_notation(value: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_IP_ADDRESS_OR_CIDR_NOTATION",
            format!("The address {value} must be in valid IP address or CIDR notation."),
            vec![json!(value)],
        )
    }

    pub fn invalid_cidr_block(value: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_CIDR_BLOCK",
            format!("The CIDR block {value} is invalid: its address must be the network address."),
            vec![json!(value)],
        )
    }

    pub fn multiple_values_specified_for_one_network_permission_entry() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "MULTIPLE_VALUES_SPECIFIED_FOR_ONE_NETWORK_PERMISSION_ENTRY",
            "Only one of ipAddress, cidrBlock and awsSecurityGroup may be specified per access list entry.",
            vec![],
        )
    }

    pub fn duplicate_addresses_in_input(value: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "DUPLICATE_ADDRESSES_IN_INPUT",
            format!("The address {value} appears more than once in the request."),
            vec![json!(value)],
        )
    }

    pub fn invalid_network_permission_comment(comment: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_NETWORK_PERMISSION_COMMENT",
            format!("The comment {comment} is invalid: at most 80 characters are allowed."),
            vec![json!(comment)],
        )
    }

    pub fn network_permission_expiration_not_supported() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "NETWORK_PERMISSION_EXPIRATION_NOT_SUPPORTED",
            "AWS security group access list entries cannot be temporary.",
            vec![],
        )
    }

    pub fn cannot_use_aws_security_group_without_vpc_peering_connection() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "CANNOT_USE_AWS_SECURITY_GROUP_WITHOUT_VPC_PEERING_CONNECTION",
            "An AWS security group can only be added to the access list of a project with a VPC peering connection.",
            vec![],
        )
    }

    pub fn atlas_network_permissions_limit_exceeded(limit: usize) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "ATLAS_NETWORK_PERMISSIONS_LIMIT_EXCEEDED",
            format!("The project access list cannot have more than {limit} entries."),
            vec![json!(limit)],
        )
    }

    // ---- generic request validation -------------------------------------------------------

    pub fn malformed_json() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "MALFORMED_JSON",
            "Received JSON is malformed.",
            vec![],
        )
    }

    pub fn invalid_json() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_JSON",
            "Received JSON does not match expected format.",
            vec![],
        )
    }

    pub fn missing_attribute(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "MISSING_ATTRIBUTE",
            format!("The required attribute {name} was not specified."),
            vec![json!(name)],
        )
    }

    pub fn invalid_attribute(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_ATTRIBUTE",
            format!("Invalid attribute {name} specified."),
            vec![json!(name)],
        )
    }

    pub fn attribute_read_only(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "ATTRIBUTE_READ_ONLY",
            format!("The attribute {name} is read-only and cannot be changed by the user."),
            vec![json!(name)],
        )
    }

    pub fn invalid_query_parameter(name: &str, value: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_QUERY_PARAMETER",
            format!("Invalid query parameter {name} specified: {value}."),
            vec![json!(name), json!(value)],
        )
    }

    pub fn invalid_path_parameter(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "INVALID_PATH_PARAMETER",
            format!("Invalid path parameter {name} specified."),
            vec![json!(name)],
        )
    }

    // ---- routing and versions -------------------------------------------------------------

    pub fn resource_not_found(path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            format!("Cannot find resource {path}."),
            vec![json!(path)],
        )
    }

    pub fn method_not_allowed(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            format!("Method {method} is not allowed for {path}."),
            vec![json!(method), json!(path)],
        )
    }

    /// The operation is in the spec but this sandbox does not emulate it (yet). A 501 rather
    /// than a 404 so that clients never mistake it for "resource gone".
    pub fn not_implemented(operation_id: &str) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "NOT_IMPLEMENTED",
            format!("atlas-sandbox does not emulate operation {operation_id} yet."),
            vec![json!(operation_id)],
        )
    }

    pub fn invalid_version_date(accept: &str, path: &str, supported: &[String]) -> Self {
        Self::new(
            StatusCode::NOT_ACCEPTABLE,
            "INVALID_VERSION_DATE",
            format!(
                "The Accept header \"{accept}\" does not name a supported version of {path}. Send Accept: application/vnd.atlas.<version>+json with one of: {}.",
                supported.join(", ")
            ),
            vec![json!(accept), json!(path)],
        )
    }

    pub fn version_gone(version: &str, path: &str) -> Self {
        Self::new(
            StatusCode::GONE,
            "VERSION_GONE",
            format!("Version {version} of {path} is no longer available."),
            vec![json!(version), json!(path)],
        )
    }

    // ---- faults ---------------------------------------------------------------------------

    pub fn unexpected_error() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNEXPECTED_ERROR",
            "Unexpected error.",
            vec![],
        )
    }

    /// Injected 503 (what Atlas answers mid-poll now and then). Code unverified against the
    /// live API; clients branch on the status.
    pub fn service_unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            "Service temporarily unavailable. Please try again later.",
            vec![],
        )
    }

    pub fn rate_limited(path: &str, retry_after: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED_TOKEN_BUCKET",
            format!("Rate limit exceeded for {path}. Please retry after {retry_after} seconds. Request capacity: 100. Refill rate: 10 per 60 seconds."),
            vec![json!(path), json!(retry_after), json!(100), json!(10), json!(60)],
        )
        .with_header(header::RETRY_AFTER, retry_after.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body().to_string();
        let mut resp = (self.status, body).into_response();
        let headers = resp.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(name, v);
            }
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_echoed_input_is_clipped() {
        let name = "x".repeat(100_000);
        let e = ApiError::invalid_group_name(&name);
        let body = e.body().to_string();
        assert!(body.len() < 2_000, "{} bytes", body.len());
        assert!(e.detail.contains("characters omitted"), "{}", e.detail);
        assert!(
            e.detail.ends_with("+ '."),
            "the explanation stays: {}",
            e.detail
        );
        assert!(e.parameters[0]
            .as_str()
            .is_some_and(|p| p.chars().count() < 300));
        let short = ApiError::invalid_group_name("ok");
        assert!(!short.detail.contains("omitted"));
    }

    #[test]
    fn group_not_found_body_matches_observed_envelope() {
        let body = ApiError::group_not_found("111111111111111111111111").body();
        assert_eq!(
            body,
            json!({
                "detail": "No group with ID 111111111111111111111111 exists.",
                "error": 404,
                "errorCode": "GROUP_NOT_FOUND",
                "parameters": ["111111111111111111111111"],
                "reason": "Not Found"
            })
        );
    }

    #[test]
    fn rate_limited_carries_retry_after() {
        let e = ApiError::rate_limited("api/atlas/v2/groups", 1);
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(e
            .headers
            .iter()
            .any(|(n, v)| n == header::RETRY_AFTER && v == "1"));
    }
}
