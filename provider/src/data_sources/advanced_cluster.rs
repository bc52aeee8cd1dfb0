//! `mongodbatlas_advanced_cluster` data source: one cluster by `project_id` and `name`, with
//! the resource's attributes (all computed, derived from the resource schema).

use crate::errors::api_error;
use crate::resources::advanced_cluster::flatten::flatten;
use crate::resources::advanced_cluster::model::ClusterModel;
use crate::resources::advanced_cluster::schema::{data_source_attributes, RESOURCE_ONLY};
use crate::AtlasClient;
use async_trait::async_trait;
use atlas_admin_sdk::models::Cluster;
use serde_json::{Map, Value as Json};
use tfplugin::context::Context;
use tfplugin::data_source::DataSource;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::path::AttributePath;
use tfplugin::schema::{Attribute, Block, Schema};

pub struct AdvancedClusterDataSource;

/// The data source's view of a cluster: the resource model without its operation-only
/// attributes, and `use_effective_fields` as given.
pub fn cluster_json(
    cluster: &Cluster,
    args: Option<&atlas_admin_sdk::models::ProcessArgs>,
    use_effective_fields: Option<bool>,
) -> Result<Map<String, Json>, Diagnostics> {
    let model = flatten(
        cluster,
        args,
        &ClusterModel {
            use_effective_fields,
            ..Default::default()
        },
    );
    let json = serde_json::to_value(&model).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "Could not encode the cluster",
            format!("{e}. This is a bug in the provider."),
        ))
    })?;
    let mut map = match json {
        Json::Object(m) => m,
        _ => Map::new(),
    };
    for key in RESOURCE_ONLY {
        map.remove(*key);
    }
    map.insert(
        "use_effective_fields".into(),
        use_effective_fields.map_or(Json::Null, Json::Bool),
    );
    Ok(map)
}

/// Process arguments for the data sources; shared tiers have none.
pub async fn process_args(
    client: &AtlasClient,
    project_id: &str,
    cluster: &Cluster,
) -> Result<Option<atlas_admin_sdk::models::ProcessArgs>, Diagnostics> {
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
    match client.clusters().get_process_args(project_id, &name).await {
        Ok(a) => Ok(Some(a)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(api_error(
            client,
            &format!("reading the process arguments of cluster {name:?}"),
            &e,
        )
        .into()),
    }
}

#[async_trait]
impl DataSource for AdvancedClusterDataSource {
    type Client = AtlasClient;
    type Model = Map<String, Json>;
    const TYPE_NAME: &'static str = "mongodbatlas_advanced_cluster";

    fn schema() -> Schema {
        let mut block = Block::new()
            .description("One cluster of a project, by name.")
            .attribute(Attribute::string("project_id").required())
            .attribute(Attribute::string("name").required())
            .attribute(
                Attribute::bool("use_effective_fields")
                    .optional()
                    .description("Report the configured spec values instead of auto-scaled ones."),
            );
        for a in data_source_attributes(&["project_id", "name", "use_effective_fields"]) {
            block = block.attribute(a);
        }
        Schema::new(block)
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        config: Map<String, Json>,
    ) -> Result<Map<String, Json>, Diagnostics> {
        let get = |k: &str| config.get(k).and_then(Json::as_str).map(str::to_string);
        let (Some(project_id), Some(name)) = (get("project_id"), get("name")) else {
            return Err(Diagnostic::error_at(
                AttributePath::root("name"),
                "Missing project_id or name",
                "Set project_id and name.",
            )
            .into());
        };
        let use_effective = config.get("use_effective_fields").and_then(Json::as_bool);
        let client = cx.client();
        let cluster = client
            .clusters()
            .get(&project_id, &name)
            .await
            .map_err(|e| {
                Diagnostics::from(
                    api_error(client, &format!("reading cluster {name:?}"), &e)
                        .with_path(AttributePath::root("name")),
                )
            })?;
        let args = process_args(client, &project_id, &cluster).await?;
        cluster_json(&cluster, args.as_ref(), use_effective)
    }
}
