//! `mongodbatlas_project` data source: one project by `project_id` or by `name`.

use crate::calls;
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
use tfplugin::model::{Tf, TfModel, TfObject};
use tfplugin::path::AttributePath;
use tfplugin::schema::Schema;

pub struct ProjectDataSource;

// The official data source describes none of its attributes: no doc comments on the fields.
/// Looks up one project by project_id or name.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TfModel)]
pub struct ProjectDataModel {
    // `Tf`: an unknown lookup argument (another resource's id) is set, not missing.
    #[tf(optional, computed)]
    pub project_id: Tf<String>,
    #[tf(optional, computed)]
    pub name: Tf<String>,
    #[tf(computed)]
    pub id: Option<String>,
    #[tf(computed)]
    pub org_id: Option<String>,
    #[tf(computed)]
    pub cluster_count: Option<i64>,
    #[tf(computed)]
    pub created: Option<String>,
    #[tf(computed)]
    pub tags: Option<BTreeMap<String, String>>,
    #[tf(computed)]
    pub region_usage_restrictions: Option<String>,
}

/// A project as the data sources show it (also each of `mongodbatlas_projects`' results).
pub fn flatten(p: &Project) -> ProjectDataModel {
    ProjectDataModel {
        project_id: Tf::Known(p.id.clone()),
        name: Tf::Known(p.name.clone()),
        id: Some(p.id.clone()),
        org_id: Some(p.org_id.clone()),
        cluster_count: Some(p.cluster_count),
        created: Some(format_time(&p.created)),
        tags: Some(tags_to_map(&p.tags, None).unwrap_or_default()),
        region_usage_restrictions: p.region_usage_restrictions.clone(),
    }
}

/// Exactly one of `project_id` and `name` (an unknown one counts as set).
fn validate_model(config: &ProjectDataModel) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if config.project_id.is_set() == config.name.is_set() {
        diags.push(Diagnostic::error_at(
            AttributePath::root(ProjectDataModel::ATTR.project_id),
            "Exactly one of project_id and name is required",
            "Set project_id or name to choose the project, not both.",
        ));
    }
    diags
}

#[async_trait]
impl DataSource for ProjectDataSource {
    type Client = AtlasClient;
    type Model = ProjectDataModel;
    const TYPE_NAME: &'static str = "mongodbatlas_project";

    fn schema() -> Schema {
        Schema::new(ProjectDataModel::block())
    }

    const VALIDATES_MODEL: bool = true;

    fn validate_model(&self, config: &ProjectDataModel) -> Diagnostics {
        validate_model(config)
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        config: ProjectDataModel,
    ) -> Result<ProjectDataModel, Diagnostics> {
        let client = cx.client();
        let api = client.projects();
        let result = match (config.project_id.known(), config.name.known()) {
            (Some(id), _) => calls::retry(cx, "reading project", || api.get(id)).await,
            (None, Some(name)) => {
                calls::retry(cx, "reading project", || api.get_by_name(name)).await
            }
            (None, None) => {
                return Err(Diagnostic::error_at(
                    AttributePath::root(ProjectDataModel::ATTR.project_id),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_lookup_argument() {
        let by = |project_id: Tf<String>, name: Tf<String>| ProjectDataModel {
            project_id,
            name,
            ..Default::default()
        };
        let id = || Tf::Known("6414908c207f4d22f4d8f232".to_string());
        assert!(validate_model(&by(id(), Tf::Null)).is_empty());
        assert!(validate_model(&by(Tf::Null, Tf::Known("p".into()))).is_empty());
        // Another resource's id, unknown until apply, is a lookup argument all the same.
        assert!(validate_model(&by(Tf::Unknown, Tf::Null)).is_empty());
        assert!(!validate_model(&by(id(), Tf::Known("p".into()))).is_empty());
        assert!(!validate_model(&by(Tf::Null, Tf::Null)).is_empty());
    }
}
