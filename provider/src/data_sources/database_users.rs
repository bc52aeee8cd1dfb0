//! `mongodbatlas_database_users` data source: every database user of a project.

use crate::data_sources::database_user::{flatten_user, user_attributes, DatabaseUserDataModel};
use crate::errors::api_error;
use crate::AtlasClient;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tfplugin::context::Context;
use tfplugin::data_source::DataSource;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::schema::{Attribute, Block, ObjectNesting, Schema};

pub struct DatabaseUsersDataSource;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DatabaseUsersModel {
    pub project_id: Option<String>,
    pub id: Option<String>,
    pub results: Option<Vec<DatabaseUserDataModel>>,
}

#[async_trait]
impl DataSource for DatabaseUsersDataSource {
    type Client = AtlasClient;
    type Model = DatabaseUsersModel;
    const TYPE_NAME: &'static str = "mongodbatlas_database_users";

    fn schema() -> Schema {
        let mut attrs = vec![
            Attribute::string("project_id").computed(),
            Attribute::string("username").computed(),
            Attribute::string("auth_database_name").computed(),
        ];
        attrs.extend(user_attributes());
        Schema::new(
            Block::new()
                .description("Lists the database users of a project.")
                .attribute(Attribute::string("project_id").required())
                .attribute(Attribute::string("id").computed())
                .attribute(Attribute::nested("results", ObjectNesting::List, attrs).computed()),
        )
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        config: DatabaseUsersModel,
    ) -> Result<DatabaseUsersModel, Diagnostics> {
        let Some(project_id) = config.project_id.clone() else {
            return Err(Diagnostic::error("Missing project_id", "project_id is required.").into());
        };
        let client = cx.client();
        let mut users = client
            .database_users()
            .list_all(&project_id)
            .await
            .map_err(|e| {
                Diagnostics::from(api_error(
                    client,
                    &format!("listing database users of project {project_id}"),
                    &e,
                ))
            })?;
        users.sort_by(|a, b| (&a.database_name, &a.username).cmp(&(&b.database_name, &b.username)));
        Ok(DatabaseUsersModel {
            id: Some(project_id.clone()),
            results: Some(users.iter().map(|u| flatten_user(u, &project_id)).collect()),
            project_id: Some(project_id),
        })
    }
}
