//! Types shared by several areas.

use serde::{Deserialize, Serialize};

/// A related-resource link (schema `Link`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Link {
    /// Absolute URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// Relation, e.g. `self`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rel: Option<String>,
}

/// A key-value tag on a project or cluster (schema `ResourceTag`; key and value 1–255 chars).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    /// Tag key, e.g. `environment`.
    pub key: String,
    /// Tag value, e.g. `production`.
    pub value: String,
}

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
