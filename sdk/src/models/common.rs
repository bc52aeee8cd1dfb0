//! Types shared by several areas. `Link` and `Tag` are the generated models; `Label` stays
//! hand-written (the provider builds it with a struct literal, which the generated
//! `#[non_exhaustive]` types forbid outside the crate).

use serde::{Deserialize, Serialize};

/// A related-resource link (schema `Link`, generated).
pub use crate::generated::models::Link;

/// A key-value tag on a project or cluster (schema `ResourceTag`, generated; key and value
/// 1–255 chars).
pub use crate::generated::models::ResourceTag as Tag;

impl Tag {
    /// A tag.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Tag {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// A key-value label (schema `ComponentLabel`; deprecated by Atlas on clusters in favour of
/// tags, still used on database users).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Label {
    /// Label key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Label value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl Label {
    /// A label.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Label {
            key: Some(key.into()),
            value: Some(value.into()),
        }
    }
}
