//! Organizations: the generated model of schema `AtlasOrganization`.

/// An Atlas organization (schema `AtlasOrganization`, generated; `id` is always answered).
pub use crate::generated::models::AtlasOrganization as Organization;
