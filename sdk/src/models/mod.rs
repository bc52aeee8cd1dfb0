//! Wire models, named after the API's nouns and matching the OpenAPI schemas field by field.
//!
//! Where the generated model ([`crate::generated::models`]) has the shape callers need, the
//! name here is that type: [`Organization`] (`AtlasOrganization`), [`Project`] (`Group`),
//! [`UpdateProject`] (`GroupUpdate`), [`Tag`] (`ResourceTag`), [`Link`],
//! [`AccessListStatusResponse`] (`NetworkPermissionEntryStatus`); [`CreateProject`] wraps
//! `GroupCreate` with the `projectOwnerId` query parameter. The others stay hand-written, each
//! module says why (mostly: callers build them with struct literals, which the generated
//! `#[non_exhaustive]` types forbid, and one type serves create, PATCH and answer).
//!
//! Conventions: `camelCase` on the wire; optional fields are `Option<T>` with `#[serde(default)]`
//! and are not serialised when `None`; arrays default to empty; unknown fields are ignored.

mod access_list;
mod clusters;
mod common;
mod database_users;
mod organizations;
mod projects;

pub use access_list::{AccessListEntry, AccessListStatus, AccessListStatusResponse};
pub use clusters::{
    AdvancedConfiguration, AutoScaling, BiConnector, Cluster, ComputeAutoScaling,
    ConnectionStrings, DiskGbAutoScaling, EmployeeAccessGrant, HardwareSpec, PrivateEndpoint,
    PrivateEndpointConnectionString, ProcessArgs, RegionConfig, ReplicationSpec,
    CLUSTER_STATE_IDLE,
};
pub use common::{Label, Link, Tag};
pub use database_users::{
    DatabaseUser, DatabaseUserRole, UserScope, AUTH_DATABASE_ADMIN, AUTH_DATABASE_EXTERNAL,
};
pub use organizations::Organization;
pub use projects::{CreateProject, Project, UpdateProject};
