//! `mongodbatlas_project`: an Atlas project (a "group" in API paths).
//!
//! Matches the official resource's names and import format (the project id). Not yet supported:
//! the project settings flags (`is_*_enabled`), `limits`, `teams` and `ip_addresses`; the
//! sandbox does not serve the endpoints behind them yet. `region_usage_restrictions` forces a
//! replacement when changed (the API only takes it at creation).

use crate::calls;
use crate::AtlasClient;
use async_trait::async_trait;
use atlas_admin_sdk::models::{CreateProject, Project, Tag, UpdateProject};
use atlas_admin_sdk::Error;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tfplugin::context::Context;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::resource::{CreateRequest, DeleteRequest, ReadRequest, Resource, UpdateRequest};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::Type;

pub struct ProjectResource;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ProjectModel {
    pub id: Option<String>,
    pub name: Option<String>,
    pub org_id: Option<String>,
    pub project_owner_id: Option<String>,
    pub with_default_alerts_settings: Option<bool>,
    pub region_usage_restrictions: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
    pub cluster_count: Option<i64>,
    pub created: Option<String>,
}

/// API tags → the Terraform map. An empty tag list keeps whichever of null and `{}` the
/// configuration used, so neither shows a perpetual diff.
pub fn tags_to_map(
    tags: &[Tag],
    prior: Option<&BTreeMap<String, String>>,
) -> Option<BTreeMap<String, String>> {
    if tags.is_empty() {
        return prior.filter(|m| m.is_empty()).cloned();
    }
    Some(
        tags.iter()
            .map(|t| (t.key.clone(), t.value.clone()))
            .collect(),
    )
}

pub fn map_to_tags(map: Option<&BTreeMap<String, String>>) -> Vec<Tag> {
    map.map(|m| {
        m.iter()
            .map(|(k, v)| Tag::new(k.clone(), v.clone()))
            .collect()
    })
    .unwrap_or_default()
}

/// Atlas timestamps as the API writes them: ISO 8601, second precision, `Z`.
pub fn format_time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The state for a project as Atlas returns it; `prior` supplies what the API cannot return.
fn flatten(project: &Project, prior: &ProjectModel) -> ProjectModel {
    ProjectModel {
        id: Some(project.id.clone()),
        name: Some(project.name.clone()),
        org_id: Some(project.org_id.clone()),
        project_owner_id: prior.project_owner_id.clone(),
        with_default_alerts_settings: project
            .with_default_alerts_settings
            .or(prior.with_default_alerts_settings),
        region_usage_restrictions: project
            .region_usage_restrictions
            .clone()
            .or_else(|| prior.region_usage_restrictions.clone()),
        tags: tags_to_map(&project.tags, prior.tags.as_ref()),
        cluster_count: Some(project.cluster_count),
        created: Some(format_time(&project.created)),
    }
}

fn required_id(model: &ProjectModel) -> Result<&str, Diagnostics> {
    model.id.as_deref().ok_or_else(|| {
        Diagnostic::error("Missing project id", "The state holds no project id.").into()
    })
}

#[async_trait]
impl Resource for ProjectResource {
    type Client = AtlasClient;
    type Model = ProjectModel;
    const TYPE_NAME: &'static str = "mongodbatlas_project";

    fn schema() -> Schema {
        Schema::new(
            Block::new()
                .description("An Atlas project.")
                .attribute(
                    Attribute::string("id")
                        .computed()
                        .use_state_for_unknown()
                        .description("The project id."),
                )
                .attribute(
                    Attribute::string("name")
                        .required()
                        .description("Project name, unique in the organization."),
                )
                .attribute(
                    Attribute::string("org_id")
                        .required()
                        .requires_replace()
                        .description(
                        "Organization the project belongs to; changing it replaces the project.",
                    ),
                )
                .attribute(
                    Attribute::string("project_owner_id")
                        .optional()
                        .description(
                            "Atlas user made Project Owner at creation. Only used on create.",
                        ),
                )
                .attribute(
                    Attribute::bool("with_default_alerts_settings")
                        .optional_computed()
                        .use_state_for_unknown()
                        .description("Create the default alert configurations (default true)."),
                )
                .attribute(
                    Attribute::string("region_usage_restrictions")
                        .optional_computed()
                        .use_state_for_unknown()
                        .requires_replace()
                        .description("Atlas for Government region restriction."),
                )
                .attribute(
                    Attribute::map_of("tags", Type::String)
                        .optional()
                        .description("Key-value tags."),
                )
                .attribute(
                    Attribute::int64("cluster_count")
                        .computed()
                        .use_state_for_unknown()
                        .description("Number of clusters in the project."),
                )
                .attribute(
                    Attribute::string("created")
                        .computed()
                        .use_state_for_unknown()
                        .description("Creation time (ISO 8601)."),
                ),
        )
    }

    async fn create(
        &self,
        cx: &Context<AtlasClient>,
        req: CreateRequest<ProjectModel>,
    ) -> Result<ProjectModel, Diagnostics> {
        let plan = req.plan;
        let name = plan.name.clone().unwrap_or_default();
        let client = cx.client();
        let mut body = CreateProject::new(name.clone(), plan.org_id.clone().unwrap_or_default())
            .tags(map_to_tags(plan.tags.as_ref()));
        if let Some(v) = plan.with_default_alerts_settings {
            body = body.with_default_alerts_settings(v);
        }
        if let Some(v) = &plan.region_usage_restrictions {
            body = body.region_usage_restrictions(v.clone());
        }
        if let Some(v) = &plan.project_owner_id {
            body = body.project_owner_id(v.clone());
        }
        let org_id = plan.org_id.clone().unwrap_or_default();
        let what = format!("creating project {name:?}");
        let projects = client.projects();
        let project = calls::create(
            cx,
            &what,
            || projects.create(body.clone()),
            || async {
                // Names are unique in an organization; one in another org is not ours.
                Ok(projects
                    .get_by_name_opt(&name)
                    .await?
                    .filter(|p| p.org_id == org_id))
            },
            |e| e.error_code() == Some("GROUP_ALREADY_EXISTS"),
        )
        .await?
        .into_inner();
        Ok(flatten(&project, &plan))
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        req: ReadRequest<ProjectModel>,
    ) -> Result<Option<ProjectModel>, Diagnostics> {
        let id = required_id(&req.state)?;
        let client = cx.client();
        let projects = client.projects();
        let project = calls::read(cx, &format!("reading project {id}"), || {
            projects.get_opt(id)
        })
        .await?;
        Ok(project.map(|p| flatten(&p, &req.state)))
    }

    async fn update(
        &self,
        cx: &Context<AtlasClient>,
        req: UpdateRequest<ProjectModel>,
    ) -> Result<ProjectModel, Diagnostics> {
        let id = required_id(&req.prior)?.to_string();
        let client = cx.client();
        let (plan, prior) = (req.plan, req.prior);
        let changed = plan.name != prior.name
            || plan.tags != prior.tags
            || (plan.with_default_alerts_settings.is_some()
                && plan.with_default_alerts_settings != prior.with_default_alerts_settings);
        let projects = client.projects();
        let what = format!("updating project {id}");
        // PATCH carries absolute values (name, whole tag list), so repeating it after an
        // ambiguous failure is safe.
        let project = if changed {
            let mut body = UpdateProject::new().tags(map_to_tags(plan.tags.as_ref()));
            if let Some(name) = &plan.name {
                body = body.name(name.clone());
            }
            if let Some(v) = plan.with_default_alerts_settings {
                body = body.with_default_alerts_settings(v);
            }
            calls::read(cx, &what, || projects.update(&id, body.clone())).await?
        } else {
            calls::read(cx, &what, || projects.get(&id)).await?
        };
        Ok(flatten(&project, &plan))
    }

    async fn delete(
        &self,
        cx: &Context<AtlasClient>,
        req: DeleteRequest<ProjectModel>,
    ) -> Result<(), Diagnostics> {
        let id = required_id(&req.prior)?;
        let client = cx.client();
        let projects = client.projects();
        calls::delete(
            cx,
            &format!("deleting project {id}"),
            Error::is_not_found,
            || projects.delete(id),
        )
        .await
    }

    async fn import(
        &self,
        _cx: &Context<AtlasClient>,
        id: &str,
    ) -> Result<ProjectModel, Diagnostics> {
        Ok(ProjectModel {
            id: Some(id.to_string()),
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_tags_keep_the_configured_shape() {
        assert_eq!(tags_to_map(&[], None), None);
        assert_eq!(
            tags_to_map(&[], Some(&BTreeMap::new())),
            Some(BTreeMap::new())
        );
        let t = vec![Tag::new("env", "dev")];
        assert_eq!(
            tags_to_map(&t, None),
            Some(BTreeMap::from([("env".to_string(), "dev".to_string())]))
        );
    }
}
