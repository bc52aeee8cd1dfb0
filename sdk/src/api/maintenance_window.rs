//! A project's maintenance window: `/groups/{groupId}/maintenanceWindow` (2023-01-01).
//!
//! Built on the generated operation table and models ([`crate::ops`],
//! [`crate::generated::models`]) and [`Client::call`]: no hand-written paths or versions.
//! Every project has exactly one window; [`MaintenanceWindowApi::reset`] returns it to
//! Atlas's default.

use crate::client::Client;
use crate::generated::models::{GroupMaintenanceWindow, GroupMaintenanceWindowUpdate};
use crate::generated::operations as ops;
use crate::ids::GroupId;
use crate::Result;

/// Maintenance-window operations. Get one with [`Client::maintenance_window`].
#[derive(Debug, Clone)]
pub struct MaintenanceWindowApi {
    client: Client,
}

impl Client {
    /// A project's maintenance window (`/groups/{groupId}/maintenanceWindow`).
    pub fn maintenance_window(&self) -> MaintenanceWindowApi {
        MaintenanceWindowApi::new(self.clone())
    }
}

impl MaintenanceWindowApi {
    pub(crate) fn new(client: Client) -> Self {
        MaintenanceWindowApi { client }
    }

    /// The project's maintenance window (`day_of_week` is required by the spec but kept
    /// optional in case Atlas omits it for a project without a chosen window).
    ///
    /// `GET /groups/{groupId}/maintenanceWindow` (getGroupMaintenanceWindow).
    pub async fn get(&self, project_id: impl Into<GroupId>) -> Result<GroupMaintenanceWindow> {
        let id = project_id.into();
        self.client
            .call(&ops::GET_GROUP_MAINTENANCE_WINDOW, &[id.as_str()])
            .await
    }

    /// Changes the window: only the attributes set in `update` change. Resets the count of
    /// deferrals. The answer carries no body: read the window back with [`Self::get`].
    ///
    /// `PATCH /groups/{groupId}/maintenanceWindow` (updateGroupMaintenanceWindow).
    pub async fn update(
        &self,
        project_id: impl Into<GroupId>,
        update: &GroupMaintenanceWindowUpdate,
    ) -> Result<()> {
        let id = project_id.into();
        self.client
            .call_empty(
                &ops::UPDATE_GROUP_MAINTENANCE_WINDOW,
                &[id.as_str()],
                Some(update),
            )
            .await
    }

    /// Resets the window to Atlas's default.
    ///
    /// `DELETE /groups/{groupId}/maintenanceWindow` (resetGroupMaintenanceWindow).
    pub async fn reset(&self, project_id: impl Into<GroupId>) -> Result<()> {
        let id = project_id.into();
        self.client
            .call_empty::<()>(&ops::RESET_GROUP_MAINTENANCE_WINDOW, &[id.as_str()], None)
            .await
    }

    /// Defers the scheduled maintenance by one week (at most twice per maintenance event).
    ///
    /// `POST /groups/{groupId}/maintenanceWindow/defer` (deferGroupMaintenanceWindow).
    pub async fn defer(&self, project_id: impl Into<GroupId>) -> Result<()> {
        let id = project_id.into();
        self.client
            .call_empty::<()>(&ops::DEFER_GROUP_MAINTENANCE_WINDOW, &[id.as_str()], None)
            .await
    }

    /// Flips `autoDeferOnceEnabled`. Prefer setting it explicitly with [`Self::update`].
    ///
    /// `POST /groups/{groupId}/maintenanceWindow/autoDefer`
    /// (toggleGroupMaintenanceWindowAutoDefer).
    pub async fn toggle_auto_defer(&self, project_id: impl Into<GroupId>) -> Result<()> {
        let id = project_id.into();
        self.client
            .call_empty::<()>(
                &ops::TOGGLE_GROUP_MAINTENANCE_WINDOW_AUTO_DEFER,
                &[id.as_str()],
                None,
            )
            .await
    }
}
