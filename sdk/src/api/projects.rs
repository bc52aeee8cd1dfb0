//! Projects (groups): `/groups` (reference §10.2).
//!
//! Observed status codes differ from the spec (POST 201, DELETE 202 `{}`); the client accepts
//! any 2xx.

use super::none_if_missing;
use crate::client::{required_segment, ApiVersion, Client, Request};
use crate::models::{CreateProject, Project, UpdateProject};
use crate::pagination::{collect_all, ListOptions, Page};
use crate::{Error, Result};

/// Project operations. Get one with [`Client::projects`].
#[derive(Debug, Clone)]
pub struct ProjectsApi {
    client: Client,
}

impl ProjectsApi {
    pub(crate) fn new(client: Client) -> Self {
        ProjectsApi { client }
    }

    /// Creates a project.
    ///
    /// `POST /groups` (createGroup), `?projectOwnerId=`.
    pub async fn create(&self, project: CreateProject) -> Result<Project> {
        const VERSION: ApiVersion = ApiVersion::V2023_01_01;
        if project.name.is_empty() || project.org_id.is_empty() {
            return Err(Error::InvalidRequest(
                "project name and org id must not be empty".to_owned(),
            ));
        }
        let request = Request::post("/groups", VERSION)
            .query_opt("projectOwnerId", project.project_owner_id.as_deref())
            .json(&project)?;
        self.client.send(request).await
    }

    /// A project by id.
    ///
    /// `GET /groups/{groupId}` (getGroup).
    pub async fn get(&self, project_id: &str) -> Result<Project> {
        const VERSION: ApiVersion = ApiVersion::V2023_01_01;
        let path = format!("/groups/{}", required_segment("project id", project_id)?);
        self.client.send(Request::get(path, VERSION)).await
    }

    /// A project by id, or `None` if it does not exist (404 / `GROUP_NOT_FOUND`).
    pub async fn get_opt(&self, project_id: &str) -> Result<Option<Project>> {
        none_if_missing(self.get(project_id).await, "GROUP_NOT_FOUND")
    }

    /// A project by name.
    ///
    /// `GET /groups/byName/{groupName}` (getGroupByName).
    pub async fn get_by_name(&self, name: &str) -> Result<Project> {
        const VERSION: ApiVersion = ApiVersion::V2023_01_01;
        let path = format!("/groups/byName/{}", required_segment("project name", name)?);
        self.client.send(Request::get(path, VERSION)).await
    }

    /// A project by name, or `None` if there is none (404 / `GROUP_NAME_NOT_FOUND`).
    pub async fn get_by_name_opt(&self, name: &str) -> Result<Option<Project>> {
        none_if_missing(self.get_by_name(name).await, "GROUP_NAME_NOT_FOUND")
    }

    /// One page of the projects the caller can see.
    ///
    /// `GET /groups` (listGroups).
    pub async fn list(&self, options: ListOptions) -> Result<Page<Project>> {
        const VERSION: ApiVersion = ApiVersion::V2023_01_01;
        let request = options.apply(Request::get("/groups", VERSION));
        self.client.send(request).await
    }

    /// All projects, fetching every page.
    pub async fn list_all(&self) -> Result<Vec<Project>> {
        self.list_all_with(ListOptions::default()).await
    }

    /// All projects, starting at `options.page_num` with `options.items_per_page` per request.
    pub async fn list_all_with(&self, options: ListOptions) -> Result<Vec<Project>> {
        collect_all(options, |o| self.list(o)).await
    }

    /// Updates a project's name, tags or default-alerts flag.
    ///
    /// `PATCH /groups/{groupId}` (updateGroup).
    pub async fn update(&self, project_id: &str, update: UpdateProject) -> Result<Project> {
        const VERSION: ApiVersion = ApiVersion::V2023_01_01;
        let path = format!("/groups/{}", required_segment("project id", project_id)?);
        self.client
            .send(Request::patch(path, VERSION).json(&update)?)
            .await
    }

    /// Deletes a project (fails with 409 while it still has clusters and the like).
    ///
    /// `DELETE /groups/{groupId}` (deleteGroup).
    pub async fn delete(&self, project_id: &str) -> Result<()> {
        const VERSION: ApiVersion = ApiVersion::V2023_01_01;
        let path = format!("/groups/{}", required_segment("project id", project_id)?);
        self.client.send_empty(Request::delete(path, VERSION)).await
    }
}
