//! `mongodbatlas_project_ip_access_list` data source: one access list entry by `project_id` and
//! one of `cidr_block`, `ip_address`, `aws_security_group`.

use crate::calls;
use crate::errors::api_error;
use crate::ids::encode_state_id;
use crate::resources::project_ip_access_list::{flatten, AccessListModel};
use crate::AtlasClient;
use async_trait::async_trait;
use atlas_admin_sdk::models::AccessListEntry;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tfplugin::context::Context;
use tfplugin::data_source::DataSource;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::model::{Tf, TfModel, TfObject};
use tfplugin::path::AttributePath;
use tfplugin::schema::Schema;

pub struct ProjectIpAccessListDataSource;

// The official data source describes none of its attributes: no doc comments on the fields.
// `Tf` lookup arguments: an unknown one (another resource's attribute) is set, not missing.
/// Looks up one IP access list entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
pub struct AccessListDataModel {
    #[tf(required)]
    pub project_id: String,
    #[tf(optional, computed)]
    pub cidr_block: Tf<String>,
    #[tf(optional, computed)]
    pub ip_address: Tf<String>,
    #[tf(optional, computed)]
    pub aws_security_group: Tf<String>,
    #[tf(computed)]
    pub comment: Option<String>,
    #[tf(computed)]
    pub id: Option<String>,
}

impl AccessListDataModel {
    fn kinds(&self) -> [(&'static str, &Tf<String>); 3] {
        let a = Self::ATTR;
        [
            (a.cidr_block, &self.cidr_block),
            (a.ip_address, &self.ip_address),
            (a.aws_security_group, &self.aws_security_group),
        ]
    }
}

/// An entry as the data sources show it: both address forms filled in, no empty strings.
pub fn flatten_entry(entry: &AccessListEntry, project_id: &str) -> AccessListDataModel {
    let m = flatten(
        entry,
        &AccessListModel {
            project_id: Tf::Known(project_id.to_string()),
            ..Default::default()
        },
    );
    // The official data source's id prefers the IP, then the security group, then the block.
    let id_entry = [&m.ip_address, &m.aws_security_group, &m.cidr_block]
        .into_iter()
        .find_map(Tf::known)
        .cloned()
        .unwrap_or_default();
    AccessListDataModel {
        id: Some(encode_state_id(&BTreeMap::from([
            ("entry", id_entry.as_str()),
            ("project_id", project_id),
        ]))),
        project_id: project_id.to_string(),
        cidr_block: m.cidr_block,
        ip_address: m.ip_address,
        aws_security_group: m.aws_security_group,
        comment: m.comment.into_known(),
    }
}

/// Exactly one of the entry kinds (an unknown one counts as set).
fn validate_model(config: &AccessListDataModel) -> Diagnostics {
    let set: Vec<&str> = config
        .kinds()
        .into_iter()
        .filter(|(_, v)| v.is_set())
        .map(|(k, _)| k)
        .collect();
    let mut diags = Diagnostics::new();
    if set.len() != 1 {
        let a = AccessListDataModel::ATTR;
        diags.push(Diagnostic::error_at(
            AttributePath::root(set.get(1).copied().unwrap_or(a.cidr_block)),
            "Exactly one of cidr_block, ip_address and aws_security_group is required",
            "Set one of them to choose the entry.",
        ));
    }
    diags
}

#[async_trait]
impl DataSource for ProjectIpAccessListDataSource {
    type Client = AtlasClient;
    type Model = AccessListDataModel;
    const TYPE_NAME: &'static str = "mongodbatlas_project_ip_access_list";

    fn schema() -> Schema {
        Schema::new(AccessListDataModel::block())
    }

    const VALIDATES_MODEL: bool = true;

    fn validate_model(&self, config: &AccessListDataModel) -> Diagnostics {
        validate_model(config)
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        config: AccessListDataModel,
    ) -> Result<AccessListDataModel, Diagnostics> {
        let project_id = config.project_id.clone();
        let Some(entry) = config
            .kinds()
            .into_iter()
            .find_map(|(_, v)| v.known())
            .cloned()
        else {
            return Err(Diagnostic::error(
                "Missing access list entry",
                "Set one of cidr_block, ip_address and aws_security_group.",
            )
            .into());
        };
        let client = cx.client();
        let api = client.access_list();
        let found = calls::retry(cx, "reading access list entry", || {
            api.get(&project_id, &entry)
        })
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
        let echo = |configured: Tf<String>, answered: Tf<String>| {
            if configured.is_known() {
                configured
            } else {
                answered
            }
        };
        out.cidr_block = echo(config.cidr_block, out.cidr_block);
        out.ip_address = echo(config.ip_address, out.ip_address);
        out.aws_security_group = echo(config.aws_security_group, out.aws_security_group);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_entry_kind() {
        let a = AccessListDataModel::ATTR;
        let path =
            |m: &AccessListDataModel| validate_model(m).iter().next().and_then(|d| d.path.clone());
        let by_ip = AccessListDataModel {
            ip_address: Tf::Known("1.2.3.4".into()),
            ..Default::default()
        };
        assert_eq!(path(&by_ip), None);
        let unknown = AccessListDataModel {
            cidr_block: Tf::Unknown,
            ..Default::default()
        };
        assert_eq!(path(&unknown), None);
        let both = AccessListDataModel {
            cidr_block: Tf::Unknown,
            ..by_ip
        };
        assert_eq!(path(&both), Some(AttributePath::root(a.ip_address)));
        assert_eq!(
            path(&AccessListDataModel::default()),
            Some(AttributePath::root(a.cidr_block))
        );
    }

    #[test]
    fn entries_show_both_address_forms() {
        let m = flatten_entry(&AccessListEntry::ip_address("1.2.3.4"), "p");
        assert_eq!(m.cidr_block, Tf::Known("1.2.3.4/32".into()));
        assert_eq!(m.ip_address, Tf::Known("1.2.3.4".into()));
        assert_eq!(m.aws_security_group, Tf::Null);
        assert_eq!(m.comment, None);
    }
}
