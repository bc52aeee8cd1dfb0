//! A project's custom database roles: `/groups/{groupId}/customDBRoles/roles` (2023-01-01).
//!
//! Built on the generated operation table and models ([`crate::ops`],
//! [`crate::generated::models`]) and [`Client::call`]. The list is one bare array (not
//! paginated). A create answers 202: Atlas applies it in the background, so a role may be
//! missing from reads for a moment after it.

use crate::api::none_if_missing;
use crate::client::Client;
use crate::codes;
use crate::generated::models::{
    UpdateCustomDBRoleUpdate, UserCustomDBRole, UserCustomDBRoleCreate,
};
use crate::generated::operations as ops;
use crate::ids::{CustomRoleName, GroupId};
use crate::Result;

/// Custom database role operations. Get one with [`Client::custom_db_roles`].
#[derive(Debug, Clone)]
pub struct CustomDbRolesApi {
    client: Client,
}

impl Client {
    /// A project's custom database roles (`/groups/{groupId}/customDBRoles/roles`).
    pub fn custom_db_roles(&self) -> CustomDbRolesApi {
        CustomDbRolesApi::new(self.clone())
    }
}

impl CustomDbRolesApi {
    pub(crate) fn new(client: Client) -> Self {
        CustomDbRolesApi { client }
    }

    /// Every custom role of the project.
    ///
    /// `GET /groups/{groupId}/customDBRoles/roles` (listGroupCustomDbRoleRoles).
    pub async fn list(&self, project_id: impl Into<GroupId>) -> Result<Vec<UserCustomDBRole>> {
        let id = project_id.into();
        self.client
            .call(&ops::LIST_GROUP_CUSTOM_DB_ROLE_ROLES, &[id.as_str()])
            .await
    }

    /// One role by name.
    ///
    /// `GET /groups/{groupId}/customDBRoles/roles/{roleName}` (getGroupCustomDbRoleRole).
    pub async fn get(
        &self,
        project_id: impl Into<GroupId>,
        role_name: impl Into<CustomRoleName>,
    ) -> Result<UserCustomDBRole> {
        let (id, name) = (project_id.into(), role_name.into());
        self.client
            .call(
                &ops::GET_GROUP_CUSTOM_DB_ROLE_ROLE,
                &[id.as_str(), name.as_str()],
            )
            .await
    }

    /// [`Self::get`], with `None` when the role does not exist.
    pub async fn find(
        &self,
        project_id: impl Into<GroupId>,
        role_name: impl Into<CustomRoleName>,
    ) -> Result<Option<UserCustomDBRole>> {
        none_if_missing(
            self.get(project_id, role_name).await,
            codes::ATLAS_CUSTOM_ROLE_NOT_FOUND,
        )
    }

    /// Creates a role (answered 202, with the role).
    ///
    /// `POST /groups/{groupId}/customDBRoles/roles` (createGroupCustomDbRoleRole).
    pub async fn create(
        &self,
        project_id: impl Into<GroupId>,
        role: &UserCustomDBRoleCreate,
    ) -> Result<UserCustomDBRole> {
        let id = project_id.into();
        self.client
            .call_with(&ops::CREATE_GROUP_CUSTOM_DB_ROLE_ROLE, &[id.as_str()], role)
            .await
    }

    /// Changes a role's actions and inherited roles (the arrays `update` carries).
    ///
    /// `PATCH /groups/{groupId}/customDBRoles/roles/{roleName}` (updateGroupCustomDbRoleRole).
    pub async fn update(
        &self,
        project_id: impl Into<GroupId>,
        role_name: impl Into<CustomRoleName>,
        update: &UpdateCustomDBRoleUpdate,
    ) -> Result<UserCustomDBRole> {
        let (id, name) = (project_id.into(), role_name.into());
        self.client
            .call_with(
                &ops::UPDATE_GROUP_CUSTOM_DB_ROLE_ROLE,
                &[id.as_str(), name.as_str()],
                update,
            )
            .await
    }

    /// Deletes a role (204).
    ///
    /// `DELETE /groups/{groupId}/customDBRoles/roles/{roleName}` (deleteGroupCustomDbRoleRole).
    pub async fn delete(
        &self,
        project_id: impl Into<GroupId>,
        role_name: impl Into<CustomRoleName>,
    ) -> Result<()> {
        let (id, name) = (project_id.into(), role_name.into());
        self.client
            .call_empty::<()>(
                &ops::DELETE_GROUP_CUSTOM_DB_ROLE_ROLE,
                &[id.as_str(), name.as_str()],
                None,
            )
            .await
    }
}
