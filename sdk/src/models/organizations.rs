//! Organizations (schema `AtlasOrganization`).

use serde::{Deserialize, Serialize};

use super::Link;

/// An Atlas organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Organization {
    /// 24-hex id (read-only; always present in responses).
    #[serde(default)]
    pub id: String,
    /// Organization name.
    pub name: String,
    /// Whether the organization has been deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_deleted: Option<bool>,
    /// Whether automatic alert creation is disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_default_alerts_settings: Option<bool>,
    /// Links.
    #[serde(default)]
    pub links: Vec<Link>,
}
