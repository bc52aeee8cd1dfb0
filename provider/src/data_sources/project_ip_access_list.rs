//! `mongodbatlas_project_ip_access_list` data source: one access list entry by `project_id` and
//! one of `cidr_block`, `ip_address`, `aws_security_group`.

use crate::errors::api_error;
use crate::ids::encode_state_id;
use crate::resources::project_ip_access_list::{flatten, AccessListModel, ENTRY_KINDS};
use crate::AtlasClient;
use async_trait::async_trait;
use atlas_admin_sdk::models::AccessListEntry;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tfplugin::context::Context;
use tfplugin::data_source::DataSource;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::path::AttributePath;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::Value;

pub struct ProjectIpAccessListDataSource;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccessListDataModel {
    pub id: Option<String>,
    pub project_id: Option<String>,
    pub cidr_block: Option<String>,
    pub ip_address: Option<String>,
    pub aws_security_group: Option<String>,
    pub comment: Option<String>,
}

/// An entry as the data sources show it: both address forms filled in, no empty strings.
pub fn flatten_entry(entry: &AccessListEntry, project_id: &str) -> AccessListDataModel {
    let m = flatten(
        entry,
        &AccessListModel {
            project_id: Some(project_id.to_string()),
            ..Default::default()
        },
    );
    // The official data source's id prefers the IP, then the security group, then the block.
    let id_entry = [&m.ip_address, &m.aws_security_group, &m.cidr_block]
        .into_iter()
        .flatten()
        .next()
        .cloned()
        .unwrap_or_default();
    AccessListDataModel {
        id: Some(encode_state_id(&BTreeMap::from([
            ("entry", id_entry.as_str()),
            ("project_id", project_id),
        ]))),
        project_id: Some(project_id.to_string()),
        cidr_block: m.cidr_block,
        ip_address: m.ip_address,
        aws_security_group: m.aws_security_group,
        comment: m.comment,
    }
}

#[async_trait]
impl DataSource for ProjectIpAccessListDataSource {
    type Client = AtlasClient;
    type Model = AccessListDataModel;
    const TYPE_NAME: &'static str = "mongodbatlas_project_ip_access_list";

    fn schema() -> Schema {
        Schema::new(
            Block::new()
                .description("Looks up one IP access list entry.")
                .attribute(Attribute::string("project_id").required())
                .attribute(Attribute::string("cidr_block").optional_computed())
                .attribute(Attribute::string("ip_address").optional_computed())
                .attribute(Attribute::string("aws_security_group").optional_computed())
                .attribute(Attribute::string("comment").computed())
                .attribute(Attribute::string("id").computed()),
        )
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let set: Vec<&str> = ENTRY_KINDS
            .into_iter()
            .filter(|k| config.get_attr(k).is_some_and(|v| !v.is_null()))
            .collect();
        let mut diags = Diagnostics::new();
        if set.len() != 1 {
            diags.push(Diagnostic::error_at(
                AttributePath::root(set.get(1).copied().unwrap_or("cidr_block")),
                "Exactly one of cidr_block, ip_address and aws_security_group is required",
                "Set one of them to choose the entry.",
            ));
        }
        diags
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        config: AccessListDataModel,
    ) -> Result<AccessListDataModel, Diagnostics> {
        let project_id = config.project_id.clone().unwrap_or_default();
        let Some(entry) = [
            &config.cidr_block,
            &config.ip_address,
            &config.aws_security_group,
        ]
        .into_iter()
        .flatten()
        .next()
        .cloned() else {
            return Err(Diagnostic::error(
                "Missing access list entry",
                "Set one of cidr_block, ip_address and aws_security_group.",
            )
            .into());
        };
        let client = cx.client();
        let found = client
            .access_list()
            .get(&project_id, &entry)
            .await
            .map_err(|e| {
                Diagnostics::from(api_error(
                    client,
                    &format!("reading access list entry {entry} of project {project_id}"),
                    &e,
                ))
            })?;
        let mut out = flatten_entry(&found, &project_id);
        // Echo the configured argument exactly.
        out.cidr_block = config.cidr_block.or(out.cidr_block);
        out.ip_address = config.ip_address.or(out.ip_address);
        out.aws_security_group = config.aws_security_group.or(out.aws_security_group);
        Ok(out)
    }
}
