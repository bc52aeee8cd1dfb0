//! `mongodbatlas_advanced_clusters` data source: every cluster of a project in `results`.

use crate::data_sources::advanced_cluster::{cluster_json, process_args};
use crate::errors::api_error;
use crate::resources::advanced_cluster::schema::data_source_attributes;
use crate::AtlasClient;
use async_trait::async_trait;
use serde_json::{Map, Value as Json};
use tfplugin::context::Context;
use tfplugin::data_source::DataSource;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::path::AttributePath;
use tfplugin::schema::{Attribute, Block, ObjectNesting, Schema};

pub struct AdvancedClustersDataSource;

#[async_trait]
impl DataSource for AdvancedClustersDataSource {
    type Client = AtlasClient;
    type Model = Map<String, Json>;
    const TYPE_NAME: &'static str = "mongodbatlas_advanced_clusters";

    fn schema() -> Schema {
        Schema::new(
            Block::new()
                .description("All clusters of a project.")
                .attribute(Attribute::string("project_id").required())
                .attribute(
                    Attribute::bool("use_effective_fields")
                        .optional()
                        .description(
                            "Report the configured spec values instead of auto-scaled ones.",
                        ),
                )
                .attribute(
                    Attribute::nested("results", ObjectNesting::List, data_source_attributes(&[]))
                        .computed()
                        .description("The clusters."),
                ),
        )
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        config: Map<String, Json>,
    ) -> Result<Map<String, Json>, Diagnostics> {
        let Some(project_id) = config
            .get("project_id")
            .and_then(Json::as_str)
            .map(str::to_string)
        else {
            return Err(Diagnostic::error_at(
                AttributePath::root("project_id"),
                "Missing project_id",
                "Set project_id.",
            )
            .into());
        };
        let use_effective = config.get("use_effective_fields").and_then(Json::as_bool);
        let client = cx.client();
        let clusters = client.clusters().list_all(&project_id).await.map_err(|e| {
            Diagnostics::from(
                api_error(client, "listing clusters", &e)
                    .with_path(AttributePath::root("project_id")),
            )
        })?;
        let mut results = Vec::with_capacity(clusters.len());
        for cluster in &clusters {
            let args = process_args(client, &project_id, cluster).await?;
            results.push(Json::Object(cluster_json(
                cluster,
                args.as_ref(),
                use_effective,
            )?));
        }
        let mut out = config;
        out.insert("results".into(), Json::Array(results));
        Ok(out)
    }
}
