//! Database users (schema `CloudDatabaseUser`).
//!
//! Hand-written rather than the generated `CloudDatabaseUser` / `…Create` / `…Update`: the
//! provider builds [`DatabaseUser`], [`DatabaseUserRole`] and [`UserScope`] with struct
//! literals (the generated types are `#[non_exhaustive]`) and uses one type for the POST body,
//! the PATCH body and the answer (the generated response type has no `password`/`groupId`,
//! the create type makes `roles` required).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Label, Link};

/// `databaseName` of SCRAM and OIDC workforce users.
pub const AUTH_DATABASE_ADMIN: &str = "admin";
/// `databaseName` of X.509, AWS IAM, LDAP and OIDC workload users.
pub const AUTH_DATABASE_EXTERNAL: &str = "$external";

/// A database user (schema `CloudDatabaseUser`). One struct serves create, PATCH (only the
/// `Some` fields are sent) and responses.
///
/// `password` is write-only: the API never returns it, and `Debug` never prints it.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseUser {
    /// `NONE` / `USER` / `ROLE`.
    #[serde(
        default,
        rename = "awsIAMType",
        skip_serializing_if = "Option::is_none"
    )]
    pub aws_iam_type: Option<String>,
    /// Authentication database: `admin` or `$external`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_name: Option<String>,
    /// Expiry of a temporary user, ISO 8601 (≤ 1 week ahead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_after_date: Option<String>,
    /// Description (≤ 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Project id (required in create bodies; [`crate::DatabaseUsersApi::create`] fills it in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// Labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<Label>>,
    /// `NONE` / `GROUP` / `USER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ldap_auth_type: Option<String>,
    /// Links (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<Link>>,
    /// `NONE` / `IDP_GROUP` / `USER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_auth_type: Option<String>,
    /// SCRAM password (write-only, ≥ 8 characters). Redacted in `Debug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<DatabaseUserRole>>,
    /// Clusters / data lakes / stream instances the user is limited to (empty = all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<UserScope>>,
    /// User name (format depends on the auth type: plain, DN, ARN, `idpId/name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `NONE` / `CUSTOMER` / `MANAGED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x509_type: Option<String>,
}

impl fmt::Debug for DatabaseUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseUser")
            .field("username", &self.username)
            .field("database_name", &self.database_name)
            .field("group_id", &self.group_id)
            .field("password", &self.password.as_ref().map(|_| "[REDACTED]"))
            .field("roles", &self.roles)
            .field("scopes", &self.scopes)
            .field("labels", &self.labels)
            .field("description", &self.description)
            .field("x509_type", &self.x509_type)
            .field("ldap_auth_type", &self.ldap_auth_type)
            .field("aws_iam_type", &self.aws_iam_type)
            .field("oidc_auth_type", &self.oidc_auth_type)
            .field("delete_after_date", &self.delete_after_date)
            .field("links", &self.links)
            .finish()
    }
}

/// A role granted to a database user (schema `DatabaseUserRole`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseUserRole {
    /// Collection the role is limited to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_name: Option<String>,
    /// Database the role applies to (`admin` for the *AnyDatabase roles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_name: Option<String>,
    /// Built-in (`readWrite`, `atlasAdmin`, …) or custom role name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
}

impl DatabaseUserRole {
    /// `role_name` on `database_name`.
    pub fn new(role_name: impl Into<String>, database_name: impl Into<String>) -> Self {
        DatabaseUserRole {
            collection_name: None,
            database_name: Some(database_name.into()),
            role_name: Some(role_name.into()),
        }
    }

    /// Limits the role to a collection.
    pub fn collection(mut self, collection_name: impl Into<String>) -> Self {
        self.collection_name = Some(collection_name.into());
        self
    }
}

/// A resource a database user is limited to (schema `UserScope`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserScope {
    /// Cluster, data lake or stream instance name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `CLUSTER` / `DATA_LAKE` / `STREAM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
}

impl UserScope {
    /// A scope.
    pub fn new(name: impl Into<String>, r#type: impl Into<String>) -> Self {
        UserScope {
            name: Some(name.into()),
            r#type: Some(r#type.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_password() {
        let u = DatabaseUser {
            username: Some("app".into()),
            password: Some("hunter2-very-secret".into()),
            ..Default::default()
        };
        let dbg = format!("{u:?}");
        assert!(!dbg.contains("hunter2"), "{dbg}");
        assert!(dbg.contains("[REDACTED]") && dbg.contains("app"), "{dbg}");
        let none = format!("{:?}", DatabaseUser::default());
        assert!(none.contains("password: None"), "{none}");
    }

    #[test]
    fn wire_names() {
        let u = DatabaseUser {
            aws_iam_type: Some("NONE".into()),
            x509_type: Some("NONE".into()),
            scopes: Some(vec![UserScope::new("c1", "CLUSTER")]),
            roles: Some(vec![DatabaseUserRole::new("read", "db").collection("c")]),
            ..Default::default()
        };
        let v = serde_json::to_value(&u).unwrap_or_default();
        assert_eq!(
            v,
            serde_json::json!({
                "awsIAMType": "NONE",
                "x509Type": "NONE",
                "scopes": [{"name": "c1", "type": "CLUSTER"}],
                "roles": [{"roleName": "read", "databaseName": "db", "collectionName": "c"}],
            })
        );
    }
}
