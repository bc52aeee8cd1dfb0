//! A typed client for the MongoDB Atlas Administration API v2.
//!
//! The crate is laid out like `kube`/`octocrab`: a cheap-to-clone [`Client`] owns transport,
//! authentication (HTTP Digest with programmatic API keys, a service account's OAuth token, or
//! a bearer token), versioned media types and retries of what is safe to retry
//! ([`RetryPolicy`], on by default; [`Error::is_ambiguous`] flags writes that may or may not
//! have been applied). Per-area handlers ([`OrganizationsApi`], [`ProjectsApi`],
//! [`ClustersApi`], [`DatabaseUsersApi`], [`AccessListApi`], [`MaintenanceWindowApi`]) are
//! reached through it and call the generated operation table ([`ops`]) with [`Client::call`];
//! ids are newtypes ([`GroupId`], [`ClusterName`], …) that `&str` and `String` convert into. [`wait`] polls long-running operations (cluster changes, access-list
//! entries) with backoff, a deadline and cancellation.
//!
//! ```no_run
//! # async fn example() -> atlas_admin_sdk::Result<()> {
//! use atlas_admin_sdk::{Client, models::CreateProject};
//!
//! let client = Client::builder()
//!     .digest_auth("abcdefgh", "00000000-0000-0000-0000-000000000000")
//!     .build()?;
//! let project = client
//!     .projects()
//!     .create(CreateProject::new("my-project", "5f1d5c2b8a1e4c3d2b1a0f9e"))
//!     .await?;
//! println!("created {} ({})", project.name, project.id);
//! # Ok(())
//! # }
//! ```

pub mod api;
pub mod client;
pub mod codes;
pub mod error;
pub mod generated;
pub mod ids;
pub mod models;
pub mod operation;
pub mod pagination;
#[cfg(test)]
mod proptests;
pub mod wait;

pub use api::access_list::AccessListApi;
pub use api::clusters::ClustersApi;
pub use api::database_users::DatabaseUsersApi;
pub use api::maintenance_window::MaintenanceWindowApi;
pub use api::organizations::OrganizationsApi;
pub use api::projects::ProjectsApi;
pub use client::auth::{Credentials, Secret};
pub use client::retry::RetryPolicy;
pub use client::{ApiVersion, Client, ClientBuilder, RawResponse, Request};
pub use error::{ApiError, BadRequestDetail, Error, FieldViolation, Result};
pub use generated::operations as ops;
pub use ids::{
    AccessListEntryValue, AuthDatabaseName, ClusterName, DatabaseUsername, GroupId, GroupName,
    OrgId,
};
pub use operation::{Operation, Verb};
pub use pagination::{ListOptions, Page};
pub use wait::{wait_for, wait_for_with, with_cancellation, Backoff, Poll};

/// Re-export of the HTTP method type used by [`Request`].
pub use reqwest::Method;
