//! Projects, called groups by the API: the generated models of schemas `Group` (response) and
//! `GroupUpdate` (PATCH body), and [`CreateProject`], the POST body (`GroupCreate`) with the
//! `projectOwnerId` query parameter.

use serde::{Deserialize, Serialize};

use super::Tag;
use crate::generated::models::GroupCreate;

/// An Atlas project (schema `Group`, generated; `id` is always answered, `tags` and `links`
/// are empty when absent).
pub use crate::generated::models::Group as Project;

/// Body of `PATCH /groups/{groupId}` (schema `GroupUpdate`, generated). `None` leaves a field
/// unchanged; `tags: Some(vec![])` removes all tags.
pub use crate::generated::models::GroupUpdate as UpdateProject;

/// Body of `POST /groups` (the generated [`GroupCreate`]) plus the `projectOwnerId` query
/// parameter, which is not part of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateProject {
    /// The body.
    #[serde(flatten)]
    pub body: GroupCreate,
    /// Sent as the `projectOwnerId` query parameter, not in the body.
    #[serde(skip)]
    pub project_owner_id: Option<String>,
}

impl CreateProject {
    /// A project named `name` in organization `org_id`.
    pub fn new(name: impl Into<String>, org_id: impl Into<String>) -> Self {
        CreateProject {
            body: GroupCreate::new(name, org_id),
            project_owner_id: None,
        }
    }

    /// Sets `withDefaultAlertsSettings` (server default: true).
    pub fn with_default_alerts_settings(mut self, value: bool) -> Self {
        self.body.with_default_alerts_settings = Some(value);
        self
    }

    /// Sets the tags (none: the body carries no `tags`).
    pub fn tags(mut self, tags: impl IntoIterator<Item = Tag>) -> Self {
        let tags: Vec<Tag> = tags.into_iter().collect();
        self.body.tags = (!tags.is_empty()).then_some(tags);
        self
    }

    /// Adds a tag.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.body
            .tags
            .get_or_insert_with(Vec::new)
            .push(Tag::new(key, value));
        self
    }

    /// Sets `regionUsageRestrictions` (Atlas for Government only; rejected by commercial
    /// Atlas).
    pub fn region_usage_restrictions(mut self, value: impl Into<String>) -> Self {
        self.body.region_usage_restrictions = Some(value.into());
        self
    }

    /// Sets the user that becomes project owner (`?projectOwnerId=`).
    pub fn project_owner_id(mut self, user_id: impl Into<String>) -> Self {
        self.project_owner_id = Some(user_id.into());
        self
    }
}
