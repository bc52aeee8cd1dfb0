//! Database users: `/groups/{groupId}/databaseUsers` (reference §10.4), all 2023-01-01, on the
//! generated operation table.
//!
//! Users are addressed by authentication database (`admin` or `$external`) and user name; both
//! are percent-encoded in paths (`$external` → `%24external`; user names may contain
//! `/ @ = ,`). Passwords are write-only: never returned, never logged.

use futures::Stream;

use super::none_if_missing;
use crate::client::Client;
use crate::codes;
use crate::generated::operations as ops;
use crate::ids::{AuthDatabaseName, DatabaseUsername, GroupId};
use crate::models::DatabaseUser;
use crate::pagination::{ListOptions, Page};
use crate::Result;

/// `errorCode` of a missing database user (also [`codes::USERNAME_NOT_FOUND`]).
pub use crate::codes::USERNAME_NOT_FOUND;

/// Database user operations. Get one with [`Client::database_users`].
#[derive(Debug, Clone)]
pub struct DatabaseUsersApi {
    client: Client,
}

/// The path parameters of one user, in operation order.
struct UserKey(GroupId, AuthDatabaseName, DatabaseUsername);

impl UserKey {
    fn new(
        project_id: impl Into<GroupId>,
        auth_database_name: impl Into<AuthDatabaseName>,
        username: impl Into<DatabaseUsername>,
    ) -> Self {
        UserKey(
            project_id.into(),
            auth_database_name.into(),
            username.into(),
        )
    }

    fn params(&self) -> [&str; 3] {
        [self.0.as_str(), self.1.as_str(), self.2.as_str()]
    }
}

impl DatabaseUsersApi {
    pub(crate) fn new(client: Client) -> Self {
        DatabaseUsersApi { client }
    }

    /// One page of the project's database users.
    ///
    /// `GET /groups/{groupId}/databaseUsers` (listGroupDatabaseUsers).
    pub async fn list(
        &self,
        project_id: impl Into<GroupId>,
        options: ListOptions,
    ) -> Result<Page<DatabaseUser>> {
        let id = project_id.into();
        self.client
            .call_page(&ops::LIST_GROUP_DATABASE_USERS, &[id.as_str()], &options)
            .await
    }

    /// All the project's database users, fetching every page.
    pub async fn list_all(&self, project_id: impl Into<GroupId>) -> Result<Vec<DatabaseUser>> {
        let id = project_id.into();
        self.client
            .call_all(
                &ops::LIST_GROUP_DATABASE_USERS,
                &[id.as_str()],
                ListOptions::default(),
            )
            .await
    }

    /// All the project's database users as a stream: pages are fetched as the items are taken.
    pub fn stream(
        &self,
        project_id: impl Into<GroupId>,
        options: ListOptions,
    ) -> impl Stream<Item = Result<DatabaseUser>> + 'static {
        let id = project_id.into();
        self.client
            .call_stream(&ops::LIST_GROUP_DATABASE_USERS, &[id.as_str()], options)
    }

    /// A database user.
    ///
    /// `GET /groups/{groupId}/databaseUsers/{databaseName}/{username}`
    /// (getGroupDatabaseUser).
    pub async fn get(
        &self,
        project_id: impl Into<GroupId>,
        auth_database_name: impl Into<AuthDatabaseName>,
        username: impl Into<DatabaseUsername>,
    ) -> Result<DatabaseUser> {
        let key = UserKey::new(project_id, auth_database_name, username);
        self.client
            .call(&ops::GET_GROUP_DATABASE_USER, &key.params())
            .await
    }

    /// A database user, or `None` if it does not exist (404, `USERNAME_NOT_FOUND`).
    pub async fn get_opt(
        &self,
        project_id: impl Into<GroupId>,
        auth_database_name: impl Into<AuthDatabaseName>,
        username: impl Into<DatabaseUsername>,
    ) -> Result<Option<DatabaseUser>> {
        none_if_missing(
            self.get(project_id, auth_database_name, username).await,
            codes::USERNAME_NOT_FOUND,
        )
    }

    /// Creates a database user. `group_id` is required by the API: when `None` it is set to
    /// `project_id`; the other `Some` fields are sent as they are.
    ///
    /// `POST /groups/{groupId}/databaseUsers` (createGroupDatabaseUser), 201.
    pub async fn create(
        &self,
        project_id: impl Into<GroupId>,
        user: &DatabaseUser,
    ) -> Result<DatabaseUser> {
        let id = project_id.into();
        let op = &ops::CREATE_GROUP_DATABASE_USER;
        if user.group_id.is_none() {
            let with_group = DatabaseUser {
                group_id: Some(id.as_str().to_owned()),
                ..user.clone()
            };
            self.client.call_with(op, &[id.as_str()], &with_group).await
        } else {
            self.client.call_with(op, &[id.as_str()], user).await
        }
    }

    /// Updates a database user; only the `Some` fields of `update` are sent. User name,
    /// authentication database and auth type are immutable (409).
    ///
    /// `PATCH /groups/{groupId}/databaseUsers/{databaseName}/{username}`
    /// (updateGroupDatabaseUser).
    pub async fn update(
        &self,
        project_id: impl Into<GroupId>,
        auth_database_name: impl Into<AuthDatabaseName>,
        username: impl Into<DatabaseUsername>,
        update: &DatabaseUser,
    ) -> Result<DatabaseUser> {
        let key = UserKey::new(project_id, auth_database_name, username);
        self.client
            .call_with(&ops::UPDATE_GROUP_DATABASE_USER, &key.params(), update)
            .await
    }

    /// Deletes a database user (a missing user is a 404 error).
    ///
    /// `DELETE /groups/{groupId}/databaseUsers/{databaseName}/{username}`
    /// (deleteGroupDatabaseUser), 204.
    pub async fn delete(
        &self,
        project_id: impl Into<GroupId>,
        auth_database_name: impl Into<AuthDatabaseName>,
        username: impl Into<DatabaseUsername>,
    ) -> Result<()> {
        let key = UserKey::new(project_id, auth_database_name, username);
        self.client
            .call_empty::<()>(&ops::DELETE_GROUP_DATABASE_USER, &key.params(), None)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_path_encodes_database_and_username() {
        let key = UserKey::new("6a0346c9d21a0d4a1ac1c9e1", "$external", "CN=app,OU=x/y@z");
        let p = ops::GET_GROUP_DATABASE_USER
            .path_with(&key.params())
            .unwrap_or_default();
        assert_eq!(
            p,
            "/groups/6a0346c9d21a0d4a1ac1c9e1/databaseUsers/%24external/CN%3Dapp%2COU%3Dx%2Fy%40z"
        );
        let empty = UserKey::new("g", "admin", "");
        assert!(ops::GET_GROUP_DATABASE_USER
            .path_with(&empty.params())
            .is_err());
    }
}
