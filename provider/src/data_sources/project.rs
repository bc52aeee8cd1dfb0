//! `mongodbatlas_project` data source: one project by `project_id` or by `name`.

use crate::errors::api_error;
use crate::resources::project::{format_time, tags_to_map};
use crate::AtlasClient;
use async_trait::async_trait;
use atlas_admin_sdk::models::Project;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tfplugin::context::Context;
use tfplugin::data_source::DataSource;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::path::AttributePath;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{Type, Value};

pub struct ProjectDataSource;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProjectDataModel {
    pub project_id: Option<String>,
    pub name: Option<String>,
    pub id: Option<String>,
    pub org_id: Option<String>,
    pub cluster_count: Option<i64>,
    pub created: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
    pub region_usage_restrictions: Option<String>,
}

/// The computed attributes a project exposes; shared with `mongodbatlas_projects`.
pub fn project_attributes() -> Vec<Attribute> {
    vec![
        Attribute::string("id").computed(),
        Attribute::string("org_id").computed(),
        Attribute::int64("cluster_count").computed(),
        Attribute::string("created").computed(),
        Attribute::map_of("tags", Type::String).computed(),
        Attribute::string("region_usage_restrictions").computed(),
    ]
}

pub fn flatten(p: &Project) -> ProjectDataModel {
    ProjectDataModel {
        project_id: Some(p.id.clone()),
        name: Some(p.name.clone()),
        id: Some(p.id.clone()),
        org_id: Some(p.org_id.clone()),
        cluster_count: Some(p.cluster_count),
        created: Some(format_time(&p.created)),
        tags: Some(tags_to_map(&p.tags, None).unwrap_or_default()),
        region_usage_restrictions: p.region_usage_restrictions.clone(),
    }
}

#[async_trait]
impl DataSource for ProjectDataSource {
    type Client = AtlasClient;
    type Model = ProjectDataModel;
    const TYPE_NAME: &'static str = "mongodbatlas_project";

    fn schema() -> Schema {
        let mut block = Block::new()
            .description("Looks up one project by project_id or name.")
            .attribute(Attribute::string("project_id").optional_computed())
            .attribute(Attribute::string("name").optional_computed());
        for a in project_attributes() {
            block = block.attribute(a);
        }
        Schema::new(block)
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let set = |name: &str| config.get_attr(name).is_some_and(|v| !v.is_null());
        let mut diags = Diagnostics::new();
        if set("project_id") == set("name") {
            diags.push(Diagnostic::error_at(
                AttributePath::root("project_id"),
                "Exactly one of project_id and name is required",
                "Set project_id or name to choose the project, not both.",
            ));
        }
        diags
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        config: ProjectDataModel,
    ) -> Result<ProjectDataModel, Diagnostics> {
        let client = cx.client();
        let result = match (&config.project_id, &config.name) {
            (Some(id), _) => client.projects().get(id).await,
            (None, Some(name)) => client.projects().get_by_name(name).await,
            (None, None) => {
                return Err(Diagnostic::error_at(
                    AttributePath::root("project_id"),
                    "Missing project_id or name",
                    "Set project_id or name.",
                )
                .into())
            }
        };
        let project =
            result.map_err(|e| Diagnostics::from(api_error(client, "reading project", &e)))?;
        Ok(flatten(&project))
    }
}
