//! Wire models, named after the API's nouns and matching the OpenAPI schemas field by field.
//!
//! Conventions: `camelCase` on the wire; optional fields are `Option<T>` with `#[serde(default)]`
//! and are not serialised when `None`; arrays default to empty; unknown fields are ignored.

mod common;
mod organizations;
mod projects;

pub use common::{Link, Tag};
pub use organizations::Organization;
pub use projects::{CreateProject, Project, UpdateProject};
