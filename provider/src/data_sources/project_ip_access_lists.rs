//! `mongodbatlas_project_ip_access_lists` data source: a project's whole IP access list.

use crate::calls;
use crate::data_sources::project_ip_access_list::flatten_entry;
use crate::errors::api_error;
use crate::AtlasClient;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tfplugin::context::Context;
use tfplugin::data_source::DataSource;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::model::{TfModel, TfObject};
use tfplugin::schema::Schema;

pub struct ProjectIpAccessListsDataSource;

/// Lists a project's IP access list entries.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TfModel)]
pub struct AccessListsModel {
    #[tf(required)]
    pub project_id: String,
    #[tf(computed, nested)]
    pub results: Option<Vec<AccessListResult>>,
}

/// One entry of the list (the official schema describes none of these).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TfModel)]
pub struct AccessListResult {
    #[tf(computed)]
    pub cidr_block: Option<String>,
    #[tf(computed)]
    pub ip_address: Option<String>,
    #[tf(computed)]
    pub aws_security_group: Option<String>,
    #[tf(computed)]
    pub comment: Option<String>,
}

#[async_trait]
impl DataSource for ProjectIpAccessListsDataSource {
    type Client = AtlasClient;
    type Model = AccessListsModel;
    const TYPE_NAME: &'static str = "mongodbatlas_project_ip_access_lists";

    fn schema() -> Schema {
        Schema::new(AccessListsModel::block())
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        config: AccessListsModel,
    ) -> Result<AccessListsModel, Diagnostics> {
        let project_id = config.project_id;
        let client = cx.client();
        let api = client.access_list();
        let entries = calls::retry(cx, "listing the access list", || api.list_all(&project_id))
            .await
            .map_err(|e| {
                Diagnostics::from(api_error(
                    client,
                    &format!("listing the access list of project {project_id}"),
                    &e,
                ))
            })?;
        let results = entries
            .iter()
            .map(|e| {
                let m = flatten_entry(e, &project_id);
                AccessListResult {
                    cidr_block: m.cidr_block.into_known(),
                    ip_address: m.ip_address.into_known(),
                    aws_security_group: m.aws_security_group.into_known(),
                    comment: m.comment,
                }
            })
            .collect();
        Ok(AccessListsModel {
            project_id,
            results: Some(results),
        })
    }
}
