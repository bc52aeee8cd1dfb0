//! `mongodbatlas_advanced_clusters` data source: every cluster of a project in `results`.

use crate::calls;
use crate::data_sources::advanced_cluster::{cluster_attributes, cluster_model};
use crate::errors::api_error;
use crate::resources::advanced_cluster::model::ClusterModel;
use crate::AtlasClient;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tfplugin::context::Context;
use tfplugin::data_source::DynDataSource;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::model::{conform, from_model, to_model, TfModel, TfObject};
use tfplugin::path::AttributePath;
use tfplugin::schema::{AttributeKind, Schema};
use tfplugin::value::Value;

/// All clusters of a project.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
pub struct ClustersLookup {
    #[tf(required)]
    pub project_id: String,
    /// Report the configured spec values instead of auto-scaled ones.
    #[tf(optional)]
    pub use_effective_fields: Option<bool>,
    /// The clusters.
    #[tf(computed, nested)]
    pub results: Option<Vec<ClusterModel>>,
}

pub struct AdvancedClustersDataSource;

#[async_trait]
impl DynDataSource<AtlasClient> for AdvancedClustersDataSource {
    fn type_name(&self) -> &'static str {
        "mongodbatlas_advanced_clusters"
    }

    /// The model's, with each result as the singular data source returns a cluster.
    fn schema(&self) -> Schema {
        let mut block = ClustersLookup::block();
        for a in &mut block.attributes {
            if let AttributeKind::Nested(n) = &mut a.kind {
                if a.name == ClustersLookup::ATTR.results {
                    n.attributes = cluster_attributes(&[]);
                }
            }
        }
        Schema::new(block)
    }

    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    async fn read(&self, cx: &Context<AtlasClient>, config: &Value) -> Result<Value, Diagnostics> {
        let model_ty = ClustersLookup::block().ty();
        let mut lookup: ClustersLookup = to_model(&conform(config, &model_ty))?;
        let project_id = &lookup.project_id;
        let client = cx.client();
        let api = client.clusters();
        let clusters = calls::retry(cx, "listing clusters", || api.list_all(project_id))
            .await
            .map_err(|e| {
                Diagnostics::from(
                    api_error(client, "listing clusters", &e)
                        .with_path(AttributePath::root(ClustersLookup::ATTR.project_id)),
                )
            })?;
        let mut results = Vec::with_capacity(clusters.len());
        for cluster in &clusters {
            results
                .push(cluster_model(cx, project_id, cluster, lookup.use_effective_fields).await?);
        }
        lookup.results = Some(results);
        let state = from_model(&lookup, &model_ty)?;
        Ok(conform(&state, &self.schema().ty()))
    }
}
