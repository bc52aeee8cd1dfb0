//! Projects (groups): `/groups` (reference §10.2), on the generated operation table.
//!
//! Observed status codes differ from the spec (POST 201, DELETE 202 `{}`); the client accepts
//! any 2xx.

use futures::Stream;

use super::none_if_missing;
use crate::client::Client;
use crate::codes;
use crate::generated::operations as ops;
use crate::ids::{GroupId, GroupName};
use crate::models::{CreateProject, Project, UpdateProject};
use crate::pagination::{ListOptions, Page};
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
        if project.body.name.is_empty() || project.body.org_id.is_empty() {
            return Err(Error::InvalidRequest(
                "project name and org id must not be empty".to_owned(),
            ));
        }
        let request = ops::CREATE_GROUP
            .request(&[])?
            .query_opt("projectOwnerId", project.project_owner_id.as_deref())
            .json(&project)?;
        self.client.send(request).await
    }

    /// A project by id.
    ///
    /// `GET /groups/{groupId}` (getGroup).
    pub async fn get(&self, project_id: impl Into<GroupId>) -> Result<Project> {
        let id = project_id.into();
        self.client.call(&ops::GET_GROUP, &[id.as_str()]).await
    }

    /// A project by id, or `None` if it does not exist (404 / `GROUP_NOT_FOUND`).
    pub async fn get_opt(&self, project_id: impl Into<GroupId>) -> Result<Option<Project>> {
        none_if_missing(self.get(project_id).await, codes::GROUP_NOT_FOUND)
    }

    /// A project by name.
    ///
    /// `GET /groups/byName/{groupName}` (getGroupByName).
    pub async fn get_by_name(&self, name: impl Into<GroupName>) -> Result<Project> {
        let name = name.into();
        self.client
            .call(&ops::GET_GROUP_BY_NAME, &[name.as_str()])
            .await
    }

    /// A project by name, or `None` if there is none (404 / `GROUP_NAME_NOT_FOUND`).
    pub async fn get_by_name_opt(&self, name: impl Into<GroupName>) -> Result<Option<Project>> {
        none_if_missing(self.get_by_name(name).await, codes::GROUP_NAME_NOT_FOUND)
    }

    /// One page of the projects the caller can see.
    ///
    /// `GET /groups` (listGroups).
    pub async fn list(&self, options: ListOptions) -> Result<Page<Project>> {
        self.client
            .call_page(&ops::LIST_GROUPS, &[], &options)
            .await
    }

    /// All projects, fetching every page.
    pub async fn list_all(&self) -> Result<Vec<Project>> {
        self.list_all_with(ListOptions::default()).await
    }

    /// All projects, starting at `options.page_num` with `options.items_per_page` per request.
    pub async fn list_all_with(&self, options: ListOptions) -> Result<Vec<Project>> {
        self.client.call_all(&ops::LIST_GROUPS, &[], options).await
    }

    /// All projects as a stream: pages are fetched as the items are taken.
    pub fn stream(&self, options: ListOptions) -> impl Stream<Item = Result<Project>> + 'static {
        self.client.call_stream(&ops::LIST_GROUPS, &[], options)
    }

    /// Updates a project's name, tags or default-alerts flag.
    ///
    /// `PATCH /groups/{groupId}` (updateGroup).
    pub async fn update(
        &self,
        project_id: impl Into<GroupId>,
        update: UpdateProject,
    ) -> Result<Project> {
        let id = project_id.into();
        self.client
            .call_with(&ops::UPDATE_GROUP, &[id.as_str()], &update)
            .await
    }

    /// Deletes a project (fails with 409 while it still has clusters and the like).
    ///
    /// `DELETE /groups/{groupId}` (deleteGroup).
    pub async fn delete(&self, project_id: impl Into<GroupId>) -> Result<()> {
        let id = project_id.into();
        self.client
            .call_empty::<()>(&ops::DELETE_GROUP, &[id.as_str()], None)
            .await
    }
}
