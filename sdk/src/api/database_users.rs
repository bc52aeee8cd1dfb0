//! Database users: `/groups/{groupId}/databaseUsers` (reference §10.4), all 2023-01-01.
//!
//! Users are addressed by authentication database (`admin` or `$external`) and user name; both
//! are percent-encoded in paths (`$external` → `%24external`; user names may contain
//! `/ @ = ,`). Passwords are write-only: never returned, never logged.

use super::none_if_missing;
use crate::client::{required_segment, ApiVersion, Client, Request};
use crate::models::DatabaseUser;
use crate::pagination::{collect_all, ListOptions, Page};
use crate::Result;

/// `errorCode` of a missing database user.
pub const USERNAME_NOT_FOUND: &str = "USERNAME_NOT_FOUND";

/// Database user operations. Get one with [`Client::database_users`].
#[derive(Debug, Clone)]
pub struct DatabaseUsersApi {
    client: Client,
}

impl DatabaseUsersApi {
    pub(crate) fn new(client: Client) -> Self {
        DatabaseUsersApi { client }
    }

    fn collection(project_id: &str) -> Result<String> {
        Ok(format!(
            "/groups/{}/databaseUsers",
            required_segment("project id", project_id)?
        ))
    }

    fn item(project_id: &str, auth_database_name: &str, username: &str) -> Result<String> {
        Ok(format!(
            "{}/{}/{}",
            Self::collection(project_id)?,
            required_segment("authentication database name", auth_database_name)?,
            required_segment("username", username)?
        ))
    }

    /// One page of the project's database users.
    ///
    /// `GET /groups/{groupId}/databaseUsers` (listGroupDatabaseUsers).
    pub async fn list(&self, project_id: &str, options: ListOptions) -> Result<Page<DatabaseUser>> {
        const VERSION: ApiVersion = ApiVersion::V2023_01_01;
        let request = options.apply(Request::get(Self::collection(project_id)?, VERSION));
        self.client.send(request).await
    }

    /// All the project's database users, fetching every page.
    pub async fn list_all(&self, project_id: &str) -> Result<Vec<DatabaseUser>> {
        collect_all(ListOptions::default(), |o| self.list(project_id, o)).await
    }

    /// A database user.
    ///
    /// `GET /groups/{groupId}/databaseUsers/{databaseName}/{username}`
    /// (getGroupDatabaseUser).
    pub async fn get(
        &self,
        project_id: &str,
        auth_database_name: &str,
        username: &str,
    ) -> Result<DatabaseUser> {
        const VERSION: ApiVersion = ApiVersion::V2023_01_01;
        let path = Self::item(project_id, auth_database_name, username)?;
        self.client.send(Request::get(path, VERSION)).await
    }

    /// A database user, or `None` if it does not exist (404, `USERNAME_NOT_FOUND`).
    pub async fn get_opt(
        &self,
        project_id: &str,
        auth_database_name: &str,
        username: &str,
    ) -> Result<Option<DatabaseUser>> {
        none_if_missing(
            self.get(project_id, auth_database_name, username).await,
            USERNAME_NOT_FOUND,
        )
    }

    /// Creates a database user. `group_id` is required by the API: when `None` it is set to
    /// `project_id`; the other `Some` fields are sent as they are.
    ///
    /// `POST /groups/{groupId}/databaseUsers` (createGroupDatabaseUser), 201.
    pub async fn create(&self, project_id: &str, user: &DatabaseUser) -> Result<DatabaseUser> {
        const VERSION: ApiVersion = ApiVersion::V2023_01_01;
        let path = Self::collection(project_id)?;
        let request = if user.group_id.is_none() {
            let with_group = DatabaseUser {
                group_id: Some(project_id.to_owned()),
                ..user.clone()
            };
            Request::post(path, VERSION).json(&with_group)?
        } else {
            Request::post(path, VERSION).json(user)?
        };
        self.client.send(request).await
    }

    /// Updates a database user; only the `Some` fields of `update` are sent. User name,
    /// authentication database and auth type are immutable (409).
    ///
    /// `PATCH /groups/{groupId}/databaseUsers/{databaseName}/{username}`
    /// (updateGroupDatabaseUser).
    pub async fn update(
        &self,
        project_id: &str,
        auth_database_name: &str,
        username: &str,
        update: &DatabaseUser,
    ) -> Result<DatabaseUser> {
        const VERSION: ApiVersion = ApiVersion::V2023_01_01;
        let path = Self::item(project_id, auth_database_name, username)?;
        self.client
            .send(Request::patch(path, VERSION).json(update)?)
            .await
    }

    /// Deletes a database user (a missing user is a 404 error).
    ///
    /// `DELETE /groups/{groupId}/databaseUsers/{databaseName}/{username}`
    /// (deleteGroupDatabaseUser), 204.
    pub async fn delete(
        &self,
        project_id: &str,
        auth_database_name: &str,
        username: &str,
    ) -> Result<()> {
        const VERSION: ApiVersion = ApiVersion::V2023_01_01;
        let path = Self::item(project_id, auth_database_name, username)?;
        self.client.send_empty(Request::delete(path, VERSION)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_path_encodes_database_and_username() {
        let p = DatabaseUsersApi::item("6a0346c9d21a0d4a1ac1c9e1", "$external", "CN=app,OU=x/y@z")
            .unwrap_or_default();
        assert_eq!(
            p,
            "/groups/6a0346c9d21a0d4a1ac1c9e1/databaseUsers/%24external/CN%3Dapp%2COU%3Dx%2Fy%40z"
        );
        assert!(DatabaseUsersApi::item("g", "admin", "").is_err());
    }
}
