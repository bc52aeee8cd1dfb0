//! `mongodbatlas_database_users` data source: every database user of a project.

use crate::calls;
use crate::data_sources::database_user::{flatten_user, DatabaseUserData};
use crate::errors::api_error;
use crate::AtlasClient;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tfplugin::context::Context;
use tfplugin::data_source::DataSource;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::model::{TfModel, TfObject};
use tfplugin::schema::Schema;

pub struct DatabaseUsersDataSource;

/// Lists the database users of a project.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TfModel)]
pub struct DatabaseUsersModel {
    #[tf(required)]
    pub project_id: String,
    #[tf(computed)]
    pub id: Option<String>,
    #[tf(computed, nested)]
    pub results: Option<Vec<DatabaseUserData>>,
}

#[async_trait]
impl DataSource for DatabaseUsersDataSource {
    type Client = AtlasClient;
    type Model = DatabaseUsersModel;
    const TYPE_NAME: &'static str = "mongodbatlas_database_users";

    fn schema() -> Schema {
        Schema::new(DatabaseUsersModel::block())
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        config: DatabaseUsersModel,
    ) -> Result<DatabaseUsersModel, Diagnostics> {
        let project_id = config.project_id;
        let client = cx.client();
        let api = client.database_users();
        let mut users = calls::retry(cx, "listing database users", || api.list_all(&project_id))
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
            project_id,
        })
    }
}
