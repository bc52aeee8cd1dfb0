//! `mongodbatlas_projects` data source: every project the key can see, optionally one page.

use crate::data_sources::project::{flatten, project_attributes, ProjectDataModel};
use crate::errors::api_error;
use crate::AtlasClient;
use async_trait::async_trait;
use atlas_admin_sdk::ListOptions;
use serde::{Deserialize, Serialize};
use tfplugin::context::Context;
use tfplugin::data_source::DataSource;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::schema::{Attribute, Block, ObjectNesting, Schema};

pub struct ProjectsDataSource;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProjectsModel {
    pub page_num: Option<i64>,
    pub items_per_page: Option<i64>,
    pub id: Option<String>,
    pub total_count: Option<i64>,
    pub results: Option<Vec<ProjectDataModel>>,
}

#[async_trait]
impl DataSource for ProjectsDataSource {
    type Client = AtlasClient;
    type Model = ProjectsModel;
    const TYPE_NAME: &'static str = "mongodbatlas_projects";

    fn schema() -> Schema {
        let mut result_attrs = vec![
            Attribute::string("project_id").computed(),
            Attribute::string("name").computed(),
        ];
        result_attrs.extend(project_attributes());
        Schema::new(
            Block::new()
                .description("Lists projects. Without page_num, every page is read.")
                .attribute(Attribute::int64("page_num").optional())
                .attribute(Attribute::int64("items_per_page").optional())
                .attribute(Attribute::string("id").computed())
                .attribute(Attribute::int64("total_count").computed())
                .attribute(
                    Attribute::nested("results", ObjectNesting::List, result_attrs).computed(),
                ),
        )
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        config: ProjectsModel,
    ) -> Result<ProjectsModel, Diagnostics> {
        let client = cx.client();
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
            let page = client.projects().list(opts).await.map_err(err)?;
            let total = page.total_count.map(|t| t as i64);
            (page.results, total)
        } else {
            let all = client.projects().list_all().await.map_err(err)?;
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
