//! `mongodbatlas_project`: an Atlas project (a "group" in API paths).
//!
//! Matches the official resource's names and import format (the project id). Not yet supported:
//! the project settings flags (`is_*_enabled`), `limits`, `teams` and `ip_addresses`; the
//! sandbox does not serve the endpoints behind them yet. `region_usage_restrictions` forces a
//! replacement when changed (the API only takes it at creation).

use crate::crud::AtlasResource;
use crate::AtlasClient;
use async_trait::async_trait;
use atlas_admin_sdk::codes;
use atlas_admin_sdk::ids::GroupId;
use atlas_admin_sdk::models::{CreateProject, Project, Tag, UpdateProject};
use atlas_admin_sdk::Error;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tfplugin::context::Context;
use tfplugin::model::TfModel;

/// An Atlas project.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
pub struct ProjectModel {
    /// The project id.
    #[tf(computed, use_state_for_unknown)]
    pub id: Option<String>,
    /// Project name, unique in the organization.
    #[tf(required)]
    pub name: String,
    /// Organization the project belongs to; changing it replaces the project.
    #[tf(required, requires_replace)]
    pub org_id: String,
    /// Atlas user made Project Owner at creation. Only used on create.
    #[tf(optional)]
    pub project_owner_id: Option<String>,
    /// Create the default alert configurations (default true).
    #[tf(optional, computed, use_state_for_unknown)]
    pub with_default_alerts_settings: Option<bool>,
    /// Atlas for Government region restriction.
    #[tf(optional, computed, use_state_for_unknown, requires_replace)]
    pub region_usage_restrictions: Option<String>,
    /// Key-value tags.
    #[tf(optional)]
    pub tags: Option<BTreeMap<String, String>>,
    /// Number of clusters in the project.
    #[tf(computed, use_state_for_unknown)]
    pub cluster_count: Option<i64>,
    /// Creation time (ISO 8601).
    #[tf(computed, use_state_for_unknown)]
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

/// The PATCH body: absolute values (name, the whole tag list), so repeating it is safe.
fn update_body(plan: &ProjectModel) -> UpdateProject {
    let mut body = UpdateProject::new()
        .name(plan.name.clone())
        .tags(map_to_tags(plan.tags.as_ref()));
    if let Some(v) = plan.with_default_alerts_settings {
        body = body.with_default_alerts_settings(v);
    }
    body
}

pub struct ProjectResource;

#[async_trait]
impl AtlasResource for ProjectResource {
    type Model = ProjectModel;
    type Key = GroupId;
    type Remote = Project;

    const TYPE_NAME: &'static str = "mongodbatlas_project";
    const IMPORT_ID_FORMAT: &'static str = "{project_id}";
    const DUPLICATE_CODES: &'static [&'static str] = &[codes::GROUP_ALREADY_EXISTS];
    const NOT_FOUND_CODES: &'static [&'static str] = &[codes::GROUP_NOT_FOUND];

    fn key(model: &ProjectModel) -> Result<GroupId, String> {
        match model.id.as_deref() {
            Some(id) if !id.is_empty() => Ok(GroupId::from(id)),
            _ => Err("The state holds no project id".into()),
        }
    }

    fn import_stub(id: &str) -> Option<ProjectModel> {
        (!id.is_empty()).then(|| ProjectModel {
            id: Some(id.to_string()),
            ..Default::default()
        })
    }

    /// The state for a project as Atlas returns it; `prior` supplies what the API cannot return.
    fn flatten(project: &Project, prior: &ProjectModel) -> ProjectModel {
        ProjectModel {
            id: Some(project.id.clone()),
            name: project.name.clone(),
            org_id: project.org_id.clone(),
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

    fn describe_create(plan: &ProjectModel) -> String {
        format!("creating project {:?}", plan.name)
    }

    async fn create(
        cx: &Context<AtlasClient>,
        plan: &ProjectModel,
        _config: &ProjectModel,
    ) -> Result<Project, Error> {
        let mut body = CreateProject::new(plan.name.clone(), plan.org_id.clone())
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
        cx.client().projects().create(body).await
    }

    /// Names are unique in an organization; a project of that name in another org is not ours.
    async fn find_created(
        cx: &Context<AtlasClient>,
        plan: &ProjectModel,
    ) -> Result<Option<Project>, Error> {
        Ok(cx
            .client()
            .projects()
            .get_by_name_opt(&plan.name)
            .await?
            .filter(|p| p.org_id == plan.org_id))
    }

    async fn read(cx: &Context<AtlasClient>, key: &GroupId) -> Result<Project, Error> {
        cx.client().projects().get(key.as_str()).await
    }

    /// PATCH only when something the API can change did; else read the project back.
    async fn update(
        cx: &Context<AtlasClient>,
        key: &GroupId,
        plan: &ProjectModel,
        prior: &ProjectModel,
        _config: &ProjectModel,
    ) -> Result<Project, Error> {
        let changed = plan.name != prior.name
            || plan.tags != prior.tags
            || (plan.with_default_alerts_settings.is_some()
                && plan.with_default_alerts_settings != prior.with_default_alerts_settings);
        let projects = cx.client().projects();
        if changed {
            projects.update(key.as_str(), update_body(plan)).await
        } else {
            projects.get(key.as_str()).await
        }
    }

    async fn delete(cx: &Context<AtlasClient>, key: &GroupId) -> Result<(), Error> {
        cx.client().projects().delete(key.as_str()).await
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

    #[test]
    fn import_by_project_id() {
        let stub = ProjectResource::import_stub("6414908c207f4d22f4d8f232");
        assert_eq!(
            stub.as_ref().and_then(|m| m.id.as_deref()),
            Some("6414908c207f4d22f4d8f232")
        );
        assert!(ProjectResource::import_stub("").is_none());
        assert!(stub.is_some_and(|m| ProjectResource::key(&m).is_ok()));
        assert!(ProjectResource::key(&ProjectModel::default()).is_err());
    }
}
