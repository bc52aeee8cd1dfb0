//! Projects, called groups by the API (schemas `Group`, `GroupUpdate`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Link, Tag};

/// An Atlas project (schema `Group`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Project {
    /// 24-hex project id (read-only; always present in responses).
    #[serde(default)]
    pub id: String,
    /// Project name, unique in its organization.
    pub name: String,
    /// Organization id.
    pub org_id: String,
    /// Number of clusters.
    pub cluster_count: i64,
    /// Creation time (UTC).
    pub created: DateTime<Utc>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Whether the project was created with the default alert settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_default_alerts_settings: Option<bool>,
    /// Atlas for Government region restrictions (`COMMERCIAL_FEDRAMP_REGIONS_ONLY`,
    /// `GOV_REGIONS_ONLY`); absent in commercial Atlas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_usage_restrictions: Option<String>,
    /// Links.
    #[serde(default)]
    pub links: Vec<Link>,
}

/// Body of `POST /groups` (schema `Group`, writable fields) plus the `projectOwnerId` query
/// parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateProject {
    /// Project name.
    pub name: String,
    /// Organization to create the project in.
    pub org_id: String,
    /// Create the default alert configurations (server default: true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_default_alerts_settings: Option<bool>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// Atlas for Government only; rejected by commercial Atlas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_usage_restrictions: Option<String>,
    /// Sent as the `projectOwnerId` query parameter, not in the body.
    #[serde(skip)]
    pub project_owner_id: Option<String>,
}

impl CreateProject {
    /// A project named `name` in organization `org_id`.
    pub fn new(name: impl Into<String>, org_id: impl Into<String>) -> Self {
        CreateProject {
            name: name.into(),
            org_id: org_id.into(),
            with_default_alerts_settings: None,
            tags: Vec::new(),
            region_usage_restrictions: None,
            project_owner_id: None,
        }
    }

    /// Sets `withDefaultAlertsSettings`.
    pub fn with_default_alerts_settings(mut self, value: bool) -> Self {
        self.with_default_alerts_settings = Some(value);
        self
    }

    /// Sets the tags.
    pub fn tags(mut self, tags: impl IntoIterator<Item = Tag>) -> Self {
        self.tags = tags.into_iter().collect();
        self
    }

    /// Adds a tag.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.push(Tag::new(key, value));
        self
    }

    /// Sets `regionUsageRestrictions`.
    pub fn region_usage_restrictions(mut self, value: impl Into<String>) -> Self {
        self.region_usage_restrictions = Some(value.into());
        self
    }

    /// Sets the user that becomes project owner (`?projectOwnerId=`).
    pub fn project_owner_id(mut self, user_id: impl Into<String>) -> Self {
        self.project_owner_id = Some(user_id.into());
        self
    }
}

/// Body of `PATCH /groups/{groupId}` (schema `GroupUpdate`). `None` leaves a field unchanged;
/// `tags: Some(vec![])` removes all tags.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateProject {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New tags (replace all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    /// Whether the project can create default alerts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_default_alerts_settings: Option<bool>,
}

impl UpdateProject {
    /// An update that changes nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Renames the project.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Replaces the tags.
    pub fn tags(mut self, tags: impl IntoIterator<Item = Tag>) -> Self {
        self.tags = Some(tags.into_iter().collect());
        self
    }

    /// Sets `withDefaultAlertsSettings`.
    pub fn with_default_alerts_settings(mut self, value: bool) -> Self {
        self.with_default_alerts_settings = Some(value);
        self
    }
}
