//! Atlas `errorCode`s the SDK and its users branch on, as constants (compare with
//! [`Error::error_code`](crate::Error::error_code) or [`Error::has_code`](crate::Error::has_code)).
//!
//! Codes are stable API: Atlas documents them per operation; these are the ones this workspace
//! relies on. Add a code here rather than spelling it as a literal elsewhere.

// ---- projects -----------------------------------------------------------------------------

/// No project with the given id (404).
pub const GROUP_NOT_FOUND: &str = "GROUP_NOT_FOUND";
/// No project with the given name (404).
pub const GROUP_NAME_NOT_FOUND: &str = "GROUP_NAME_NOT_FOUND";
/// A project with that name already exists in the organization (409).
pub const GROUP_ALREADY_EXISTS: &str = "GROUP_ALREADY_EXISTS";
/// The project id is not 24 hex digits (404).
pub const INVALID_GROUP_ID: &str = "INVALID_GROUP_ID";
/// The project still has clusters and cannot be deleted (409).
pub const CANNOT_CLOSE_GROUP_ACTIVE_ATLAS_CLUSTERS: &str =
    "CANNOT_CLOSE_GROUP_ACTIVE_ATLAS_CLUSTERS";

// ---- organizations ------------------------------------------------------------------------

/// No organization with the given id (404).
pub const ORG_NOT_FOUND: &str = "ORG_NOT_FOUND";

// ---- clusters -----------------------------------------------------------------------------

/// No cluster with that name in the project (404).
pub const CLUSTER_NOT_FOUND: &str = "CLUSTER_NOT_FOUND";
/// A cluster with that name already exists in the project (400).
pub const DUPLICATE_CLUSTER_NAME: &str = "DUPLICATE_CLUSTER_NAME";
/// The cluster is already being deleted (400).
pub const CLUSTER_ALREADY_REQUESTED_DELETION: &str = "CLUSTER_ALREADY_REQUESTED_DELETION";
/// DELETE refused while `terminationProtectionEnabled` is true (400).
pub const CANNOT_TERMINATE_CLUSTER_WHEN_TERMINATION_PROTECTION_ENABLED: &str =
    "CANNOT_TERMINATE_CLUSTER_WHEN_TERMINATION_PROTECTION_ENABLED";

// ---- database users -----------------------------------------------------------------------

/// No database user with that name (404; current API).
pub const USERNAME_NOT_FOUND: &str = "USERNAME_NOT_FOUND";
/// No database user with that name (404; older answer, still seen).
pub const USER_NOT_FOUND: &str = "USER_NOT_FOUND";
/// A database user with that name already exists (409).
pub const USER_ALREADY_EXISTS: &str = "USER_ALREADY_EXISTS";
/// A database user with that name already exists (409; older answer).
pub const DUPLICATE_DATABASE_USER_NAME: &str = "DUPLICATE_DATABASE_USER_NAME";
/// A user of an external auth type (X.509, AWS IAM, LDAP, OIDC workload) names `admin` as its
/// authentication database instead of `$external` (400).
pub const DATABASE_NAME_INVALID_ADMIN: &str = "DATABASE_NAME_INVALID_ADMIN";
/// The password is too short or too common (400).
pub const WEAK_PASSWORD: &str = "WEAK_PASSWORD";

// ---- project IP access list ---------------------------------------------------------------

/// No access-list entry with that value (404).
pub const ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND: &str =
    "ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND";
/// An entry is neither an IP address nor a CIDR block (400).
pub const INVALID_IP_ADDRESS_OR_CIDR_NOTATION: &str = "INVALID_IP_ADDRESS_OR_CIDR_NOTATION";

// ---- custom database roles ----------------------------------------------------------------

/// No custom database role with that name (404).
pub const ATLAS_CUSTOM_ROLE_NOT_FOUND: &str = "ATLAS_CUSTOM_ROLE_NOT_FOUND";
/// A custom database role with that name already exists (409).
pub const ATLAS_CUSTOM_ROLE_NAME_ALREADY_EXISTS: &str = "ATLAS_CUSTOM_ROLE_NAME_ALREADY_EXISTS";

// ---- generic ------------------------------------------------------------------------------

/// Generic 404 for an unknown path.
pub const RESOURCE_NOT_FOUND: &str = "RESOURCE_NOT_FOUND";
/// A body attribute has a wrong type or value (400).
pub const INVALID_ATTRIBUTE: &str = "INVALID_ATTRIBUTE";
/// A required body attribute is missing (400).
pub const MISSING_ATTRIBUTE: &str = "MISSING_ATTRIBUTE";
/// A read-only attribute was sent (400).
pub const ATTRIBUTE_READ_ONLY: &str = "ATTRIBUTE_READ_ONLY";
/// The body is not valid JSON (400).
pub const MALFORMED_JSON: &str = "MALFORMED_JSON";
/// The body is JSON of the wrong shape (400).
pub const INVALID_JSON: &str = "INVALID_JSON";
/// The caller lacks the role the operation needs (401/403).
pub const USER_UNAUTHORIZED: &str = "USER_UNAUTHORIZED";
/// The caller has no role in the project (401).
pub const NOT_IN_GROUP: &str = "NOT_IN_GROUP";
/// Unspecified server error (500).
pub const UNEXPECTED_ERROR: &str = "UNEXPECTED_ERROR";
/// Request rate limit (429).
pub const RATE_LIMITED: &str = "RATE_LIMITED";
/// Request rate limit, token bucket variant (429).
pub const RATE_LIMITED_TOKEN_BUCKET: &str = "RATE_LIMITED_TOKEN_BUCKET";
/// The `Accept` header names no version of the operation (406).
pub const INVALID_VERSION_DATE: &str = "INVALID_VERSION_DATE";

// ---- OAuth token endpoint (RFC 6749 `error`, reported as the error code) -----------------

/// The service account's client id or secret is wrong (400/401).
pub const OAUTH_INVALID_CLIENT: &str = "invalid_client";
