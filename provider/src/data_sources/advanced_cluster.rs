//! `mongodbatlas_advanced_cluster` data source: one cluster by `project_id` and `name`, with
//! the resource's attributes (all computed, derived from the resource model).

use crate::calls;
use crate::errors::api_error;
use crate::resources::advanced_cluster::flatten::flatten;
use crate::resources::advanced_cluster::model::ClusterModel;
use crate::AtlasClient;
use async_trait::async_trait;
use atlas_admin_sdk::models::{Cluster, ProcessArgs};
use serde::{Deserialize, Serialize};
use tfplugin::context::Context;
use tfplugin::data_source::DynDataSource;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::model::{conform, data_source_block, from_model, to_model, TfModel, TfObject};
use tfplugin::path::AttributePath;
use tfplugin::schema::{Attribute, Schema};
use tfplugin::value::Value;

/// One cluster of a project, by name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
pub struct ClusterLookup {
    #[tf(required)]
    pub project_id: String,
    #[tf(required)]
    pub name: String,
    /// Report the configured spec values instead of auto-scaled ones.
    #[tf(optional)]
    pub use_effective_fields: Option<bool>,
}

/// Attributes that only steer the resource's operations; the data sources do not have them.
const RESOURCE_ONLY: [&str; 4] = [
    ClusterModel::ATTR.timeouts,
    ClusterModel::ATTR.delete_on_create_timeout,
    ClusterModel::ATTR.retain_backups_enabled,
    ClusterModel::ATTR.accept_data_risks_and_force_replica_set_reconfig,
];

/// The cluster attributes a data source returns: the resource's data-source variant without
/// the operation-only attributes (and without deprecation warnings: nothing is configured),
/// except `skip`.
pub fn cluster_attributes(skip: &[&str]) -> Vec<Attribute> {
    data_source_block(&ClusterModel::block(), &[])
        .attributes
        .into_iter()
        .filter(|a| !RESOURCE_ONLY.contains(&a.name.as_str()) && !skip.contains(&a.name.as_str()))
        .map(|a| Attribute {
            deprecated: None,
            ..a
        })
        .collect()
}

/// A cluster as the data sources return it: flattened as the resource reads it, with the
/// lookup's `use_effective_fields`.
pub async fn cluster_model(
    cx: &Context<AtlasClient>,
    project_id: &str,
    cluster: &Cluster,
    use_effective_fields: Option<bool>,
) -> Result<ClusterModel, Diagnostics> {
    let args = process_args(cx, project_id, cluster).await?;
    let prior = ClusterModel {
        project_id: project_id.to_string(),
        use_effective_fields,
        ..Default::default()
    };
    Ok(flatten(cluster, args.as_ref(), &prior))
}

/// Process arguments for the data sources; shared tiers have none.
async fn process_args(
    cx: &Context<AtlasClient>,
    project_id: &str,
    cluster: &Cluster,
) -> Result<Option<ProcessArgs>, Diagnostics> {
    let shared = cluster
        .replication_specs
        .iter()
        .flatten()
        .flat_map(|s| s.region_configs.iter().flatten())
        .any(|rc| matches!(rc.provider_name.as_deref(), Some("TENANT") | Some("FLEX")));
    if shared {
        return Ok(None);
    }
    let name = cluster.name.clone().unwrap_or_default();
    let what = format!("reading the process arguments of cluster {name:?}");
    let client = cx.client();
    let clusters = client.clusters();
    match calls::retry(cx, &what, || clusters.get_process_args(project_id, &name)).await {
        Ok(a) => Ok(Some(a)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(api_error(client, &what, &e).into()),
    }
}

pub struct AdvancedClusterDataSource;

#[async_trait]
impl DynDataSource<AtlasClient> for AdvancedClusterDataSource {
    fn type_name(&self) -> &'static str {
        "mongodbatlas_advanced_cluster"
    }

    fn schema(&self) -> Schema {
        let mut block = ClusterLookup::block();
        let args = ClusterLookup::ATTR;
        block.attributes.extend(cluster_attributes(&[
            args.project_id,
            args.name,
            args.use_effective_fields,
        ]));
        Schema::new(block)
    }

    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    async fn read(&self, cx: &Context<AtlasClient>, config: &Value) -> Result<Value, Diagnostics> {
        let lookup: ClusterLookup = to_model(&conform(config, &ClusterLookup::block().ty()))?;
        let (project_id, name) = (&lookup.project_id, &lookup.name);
        let client = cx.client();
        let what = format!("reading cluster {name:?}");
        let clusters = client.clusters();
        let cluster = calls::retry(cx, &what, || clusters.get(project_id, name))
            .await
            .map_err(|e| {
                Diagnostics::from(
                    api_error(client, &what, &e)
                        .with_path(AttributePath::root(ClusterLookup::ATTR.name)),
                )
            })?;
        let model = cluster_model(cx, project_id, &cluster, lookup.use_effective_fields).await?;
        let state = from_model(&model, &ClusterModel::block().ty())?;
        Ok(conform(&state, &self.schema().ty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data_sources::advanced_clusters::AdvancedClustersDataSource;

    fn all_computed(a: &Attribute) {
        assert!(a.computed && !a.optional && !a.required, "{}", a.name);
        assert!(
            a.deprecated.is_none() && !a.use_state_for_unknown,
            "{}",
            a.name
        );
        if let Some(n) = a.nested_attributes() {
            n.attributes.iter().for_each(all_computed);
        }
    }

    #[test]
    fn cluster_attributes_are_computed_without_operation_attributes() {
        let attrs = cluster_attributes(&[]);
        attrs.iter().for_each(all_computed);
        for name in RESOURCE_ONLY {
            assert!(attrs.iter().all(|a| a.name != name), "{name}");
        }
        let one = AdvancedClusterDataSource.schema();
        let many = AdvancedClustersDataSource.schema();
        let results = many
            .block
            .find_attribute("results")
            .and_then(|a| a.nested_attributes());
        let names = |attrs: &[Attribute]| {
            let mut n: Vec<String> = attrs.iter().map(|a| a.name.clone()).collect();
            n.sort();
            n
        };
        assert_eq!(
            results.map(|n| names(&n.attributes)),
            Some(names(&one.block.attributes))
        );
    }
}
