//! `mongodbatlas_database_user` data source: one database user by `project_id`, `username`
//! and `auth_database_name`. Its schema is the resource's, read-only, without passwords.
//!
//! The official data sources' attributes carry no descriptions and their `id` is the plain
//! `{project}-{username}-{db}`, so they have their own model ([`DatabaseUserData`], shared with
//! `mongodbatlas_database_users`) rather than [`crate::crud::Lookup`] of the resource's.

use crate::calls;
use crate::errors::api_error;
use crate::resources::database_user::{
    flatten_labels, flatten_roles, flatten_scopes, LabelModel, RoleModel, ScopeModel,
};
use crate::AtlasClient;
use async_trait::async_trait;
use atlas_admin_sdk::models::DatabaseUser;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use tfplugin::context::Context;
use tfplugin::data_source::DataSource;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::model::{data_source_block, TfModel, TfObject};
use tfplugin::schema::Schema;

pub struct DatabaseUserDataSource;

/// A database user as the data sources show it. This data source's schema is this model's
/// with the lookup keys required ([`data_source_block`]); in `mongodbatlas_database_users`
/// every attribute is computed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TfModel)]
#[tf(description = "Looks up one database user.")]
pub struct DatabaseUserData {
    #[tf(computed)]
    pub id: Option<String>,
    #[tf(computed)]
    pub project_id: String,
    #[tf(computed)]
    pub username: String,
    #[tf(computed)]
    pub auth_database_name: String,
    #[tf(computed)]
    pub description: Option<String>,
    #[tf(computed)]
    pub x509_type: Option<String>,
    #[tf(computed)]
    pub ldap_auth_type: Option<String>,
    #[tf(computed)]
    pub aws_iam_type: Option<String>,
    #[tf(computed)]
    pub oidc_auth_type: Option<String>,
    #[tf(computed, nested)]
    pub roles: Option<BTreeSet<RoleData>>,
    #[tf(computed, nested)]
    pub labels: Option<BTreeSet<LabelData>>,
    #[tf(computed, nested)]
    pub scopes: Option<BTreeSet<ScopeData>>,
}

// The elements of the resource's blocks, read-only.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, TfModel)]
pub struct RoleData {
    #[tf(computed)]
    pub role_name: Option<String>,
    #[tf(computed)]
    pub database_name: Option<String>,
    #[tf(computed)]
    pub collection_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, TfModel)]
pub struct LabelData {
    #[tf(computed)]
    pub key: Option<String>,
    #[tf(computed)]
    pub value: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, TfModel)]
pub struct ScopeData {
    #[tf(computed)]
    pub name: Option<String>,
    #[tf(computed)]
    pub r#type: Option<String>,
}

impl From<RoleModel> for RoleData {
    fn from(r: RoleModel) -> Self {
        RoleData {
            role_name: r.role_name,
            database_name: r.database_name,
            collection_name: r.collection_name,
        }
    }
}

impl From<LabelModel> for LabelData {
    fn from(l: LabelModel) -> Self {
        LabelData {
            key: l.key,
            value: l.value,
        }
    }
}

impl From<ScopeModel> for ScopeData {
    fn from(s: ScopeModel) -> Self {
        ScopeData {
            name: s.name,
            r#type: s.r#type,
        }
    }
}

fn converted<T, U: From<T> + Ord>(items: BTreeSet<T>) -> Option<BTreeSet<U>> {
    Some(items.into_iter().map(U::from).collect())
}

/// A user as the data sources show it. `id` is the plain `{project}-{username}-{db}`, as the
/// official data source writes it.
pub fn flatten_user(user: &DatabaseUser, project_id: &str) -> DatabaseUserData {
    let username = user.username.clone().unwrap_or_default();
    let db = user.database_name.clone().unwrap_or_default();
    let auth = |v: &Option<String>| {
        Some(
            v.clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "NONE".into()),
        )
    };
    DatabaseUserData {
        id: Some(format!("{project_id}-{username}-{db}")),
        project_id: project_id.to_string(),
        username,
        auth_database_name: db,
        description: user.description.clone().filter(|d| !d.is_empty()),
        x509_type: auth(&user.x509_type),
        ldap_auth_type: auth(&user.ldap_auth_type),
        aws_iam_type: auth(&user.aws_iam_type),
        oidc_auth_type: auth(&user.oidc_auth_type),
        roles: converted(flatten_roles(user.roles.as_ref())),
        labels: converted(flatten_labels(user.labels.as_ref())),
        scopes: converted(flatten_scopes(user.scopes.as_ref())),
    }
}

#[async_trait]
impl DataSource for DatabaseUserDataSource {
    type Client = AtlasClient;
    type Model = DatabaseUserData;
    const TYPE_NAME: &'static str = "mongodbatlas_database_user";

    fn schema() -> Schema {
        let a = DatabaseUserData::ATTR;
        Schema::new(data_source_block(
            &DatabaseUserData::block(),
            &[a.project_id, a.username, a.auth_database_name],
        ))
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        config: DatabaseUserData,
    ) -> Result<DatabaseUserData, Diagnostics> {
        let client = cx.client();
        let api = client.database_users();
        let user = calls::retry(cx, "reading database user", || {
            api.get(
                &config.project_id,
                &config.auth_database_name,
                &config.username,
            )
        })
        .await
        .map_err(|e| {
            Diagnostics::from(api_error(
                client,
                &format!("reading database user {:?}", config.username),
                &e,
            ))
        })?;
        // Echo the configured arguments exactly.
        Ok(DatabaseUserData {
            username: config.username,
            auth_database_name: config.auth_database_name,
            ..flatten_user(&user, &config.project_id)
        })
    }
}
