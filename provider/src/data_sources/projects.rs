//! `mongodbatlas_projects` data source: every project the key can see, optionally one page.

use crate::calls;
use crate::data_sources::project::{flatten, ProjectDataModel};
use crate::errors::api_error;
use crate::AtlasClient;
use async_trait::async_trait;
use atlas_admin_sdk::ListOptions;
use serde::{Deserialize, Serialize};
use tfplugin::context::Context;
use tfplugin::data_source::DataSource;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::model::{data_source_block, TfModel, TfObject};
use tfplugin::schema::{Attribute, ObjectNesting, Schema};

pub struct ProjectsDataSource;

/// Lists projects. Without page_num, every page is read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TfModel)]
pub struct ProjectsModel {
    #[tf(optional)]
    pub page_num: Option<i64>,
    #[tf(optional)]
    pub items_per_page: Option<i64>,
    #[tf(computed)]
    pub id: Option<String>,
    #[tf(computed)]
    pub total_count: Option<i64>,
    #[tf(attribute = results_attribute())]
    pub results: Option<Vec<ProjectDataModel>>,
}

/// Each result is a `mongodbatlas_project` data source with every attribute computed.
fn results_attribute() -> Attribute {
    let project = data_source_block(&ProjectDataModel::block(), &[]);
    Attribute::nested("results", ObjectNesting::List, project.attributes).computed()
}

#[async_trait]
impl DataSource for ProjectsDataSource {
    type Client = AtlasClient;
    type Model = ProjectsModel;
    const TYPE_NAME: &'static str = "mongodbatlas_projects";

    fn schema() -> Schema {
        Schema::new(ProjectsModel::block())
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        config: ProjectsModel,
    ) -> Result<ProjectsModel, Diagnostics> {
        let client = cx.client();
        let api = client.projects();
        let err = |e: atlas_admin_sdk::Error| {
            Diagnostics::from(api_error(client, "listing projects", &e))
        };
        let (projects, total) = if config.page_num.is_some() || config.items_per_page.is_some() {
            let mut opts = ListOptions::new().include_count(true);
            if let Some(n) = config.page_num {
                opts = opts.page_num(n.clamp(1, i64::from(u32::MAX)) as u32);
            }
            if let Some(n) = config.items_per_page {
                opts = opts.items_per_page(n.clamp(1, 500) as u32);
            }
            let page = calls::retry(cx, "listing projects", || api.list(opts.clone()))
                .await
                .map_err(err)?;
            let total = page.total_count.map(|t| t as i64);
            (page.results, total)
        } else {
            let all = calls::retry(cx, "listing projects", || api.list_all())
                .await
                .map_err(err)?;
            let n = all.len() as i64;
            (all, Some(n))
        };
        Ok(ProjectsModel {
            id: Some("projects".to_string()),
            total_count: total,
            results: Some(projects.iter().map(flatten).collect()),
            ..config
        })
    }
}
