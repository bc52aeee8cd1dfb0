//! `mongodbatlas_project_ip_access_lists` data source: a project's whole IP access list.

use crate::data_sources::project_ip_access_list::flatten_entry;
use crate::errors::api_error;
use crate::AtlasClient;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tfplugin::context::Context;
use tfplugin::data_source::DataSource;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::schema::{Attribute, Block, ObjectNesting, Schema};

pub struct ProjectIpAccessListsDataSource;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccessListsModel {
    pub project_id: Option<String>,
    pub results: Option<Vec<AccessListResult>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccessListResult {
    pub cidr_block: Option<String>,
    pub ip_address: Option<String>,
    pub aws_security_group: Option<String>,
    pub comment: Option<String>,
}

#[async_trait]
impl DataSource for ProjectIpAccessListsDataSource {
    type Client = AtlasClient;
    type Model = AccessListsModel;
    const TYPE_NAME: &'static str = "mongodbatlas_project_ip_access_lists";

    fn schema() -> Schema {
        let s = |n: &str| Attribute::string(n).computed();
        Schema::new(
            Block::new()
                .description("Lists a project's IP access list entries.")
                .attribute(Attribute::string("project_id").required())
                .attribute(
                    Attribute::nested(
                        "results",
                        ObjectNesting::List,
                        vec![
                            s("cidr_block"),
                            s("ip_address"),
                            s("aws_security_group"),
                            s("comment"),
                        ],
                    )
                    .computed(),
                ),
        )
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        config: AccessListsModel,
    ) -> Result<AccessListsModel, Diagnostics> {
        let Some(project_id) = config.project_id.clone() else {
            return Err(Diagnostic::error("Missing project_id", "project_id is required.").into());
        };
        let client = cx.client();
        let entries = client
            .access_list()
            .list_all(&project_id)
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
                    cidr_block: m.cidr_block,
                    ip_address: m.ip_address,
                    aws_security_group: m.aws_security_group,
                    comment: m.comment,
                }
            })
            .collect();
        Ok(AccessListsModel {
            project_id: Some(project_id),
            results: Some(results),
        })
    }
}
