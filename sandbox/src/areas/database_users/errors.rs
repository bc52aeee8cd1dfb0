//! Database users (and the temporary-entity rules the access list shares): the error codes this area answers (same envelope as every other, see
//! [`crate::error`]).

use axum::http::StatusCode;
use serde_json::json;

use crate::error::ApiError;

impl ApiError {
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
}
