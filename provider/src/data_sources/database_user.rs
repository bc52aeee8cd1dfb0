//! `mongodbatlas_database_user` data source: one database user by `project_id`, `username`
//! and `auth_database_name`. Its schema is the resource's, read-only, without passwords.

use crate::errors::api_error;
use crate::resources::database_user::{
    flatten_labels, flatten_roles, flatten_scopes, LabelModel, RoleModel, ScopeModel, AUTH_TYPES,
};
use crate::AtlasClient;
use async_trait::async_trait;
use atlas_admin_sdk::models::DatabaseUser;
use serde::{Deserialize, Serialize};
use tfplugin::context::Context;
use tfplugin::data_source::DataSource;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::schema::{Attribute, Block, ObjectNesting, Schema};

pub struct DatabaseUserDataSource;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DatabaseUserDataModel {
    pub id: Option<String>,
    pub project_id: Option<String>,
    pub username: Option<String>,
    pub auth_database_name: Option<String>,
    pub description: Option<String>,
    pub x509_type: Option<String>,
    pub ldap_auth_type: Option<String>,
    pub aws_iam_type: Option<String>,
    pub oidc_auth_type: Option<String>,
    pub roles: Option<Vec<RoleModel>>,
    pub labels: Option<Vec<LabelModel>>,
    pub scopes: Option<Vec<ScopeModel>>,
}

/// The attributes of a user other than `project_id`, `username`, `auth_database_name`, all
/// computed; shared with `mongodbatlas_database_users`.
pub fn user_attributes() -> Vec<Attribute> {
    let s = |n: &str| Attribute::string(n).computed();
    let mut attrs = vec![s("id"), s("description")];
    attrs.extend(AUTH_TYPES.iter().map(|n| s(n)));
    attrs.push(
        Attribute::nested(
            "roles",
            ObjectNesting::Set,
            vec![s("role_name"), s("database_name"), s("collection_name")],
        )
        .computed(),
    );
    attrs.push(
        Attribute::nested("labels", ObjectNesting::Set, vec![s("key"), s("value")]).computed(),
    );
    attrs.push(
        Attribute::nested("scopes", ObjectNesting::Set, vec![s("name"), s("type")]).computed(),
    );
    attrs
}

/// A user as the data sources show it. `id` is the plain `{project}-{username}-{db}`, as the
/// official data source writes it.
pub fn flatten_user(user: &DatabaseUser, project_id: &str) -> DatabaseUserDataModel {
    let username = user.username.clone().unwrap_or_default();
    let db = user.database_name.clone().unwrap_or_default();
    let auth = |v: &Option<String>| {
        Some(
            v.clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "NONE".into()),
        )
    };
    DatabaseUserDataModel {
        id: Some(format!("{project_id}-{username}-{db}")),
        project_id: Some(project_id.to_string()),
        username: Some(username),
        auth_database_name: Some(db),
        description: user.description.clone().filter(|d| !d.is_empty()),
        x509_type: auth(&user.x509_type),
        ldap_auth_type: auth(&user.ldap_auth_type),
        aws_iam_type: auth(&user.aws_iam_type),
        oidc_auth_type: auth(&user.oidc_auth_type),
        roles: Some(flatten_roles(user.roles.as_ref())),
        labels: Some(flatten_labels(user.labels.as_ref())),
        scopes: Some(flatten_scopes(user.scopes.as_ref())),
    }
}

#[async_trait]
impl DataSource for DatabaseUserDataSource {
    type Client = AtlasClient;
    type Model = DatabaseUserDataModel;
    const TYPE_NAME: &'static str = "mongodbatlas_database_user";

    fn schema() -> Schema {
        let mut block = Block::new()
            .description("Looks up one database user.")
            .attribute(Attribute::string("project_id").required())
            .attribute(Attribute::string("username").required())
            .attribute(Attribute::string("auth_database_name").required());
        for a in user_attributes() {
            block = block.attribute(a);
        }
        Schema::new(block)
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        config: DatabaseUserDataModel,
    ) -> Result<DatabaseUserDataModel, Diagnostics> {
        let (Some(project_id), Some(username), Some(db)) = (
            config.project_id.as_deref(),
            config.username.as_deref(),
            config.auth_database_name.as_deref(),
        ) else {
            return Err(Diagnostic::error(
                "Missing lookup arguments",
                "project_id, username and auth_database_name are required.",
            )
            .into());
        };
        let client = cx.client();
        let user = client
            .database_users()
            .get(project_id, db, username)
            .await
            .map_err(|e| {
                Diagnostics::from(api_error(
                    client,
                    &format!("reading database user {username:?}"),
                    &e,
                ))
            })?;
        let mut out = flatten_user(&user, project_id);
        // Echo the configured arguments exactly.
        out.username = config.username.clone();
        out.auth_database_name = config.auth_database_name.clone();
        Ok(out)
    }
}
