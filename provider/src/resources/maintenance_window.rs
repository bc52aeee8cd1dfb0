//! `mongodbatlas_maintenance_window` (resource and data source): a project's maintenance
//! window, one per project. Create and update PATCH it, delete resets it to Atlas's default;
//! the import ID is the project id.

use crate::calls;
use crate::crud::AtlasResource;
use crate::AtlasClient;
use async_trait::async_trait;
use atlas_admin_sdk::codes;
use atlas_admin_sdk::generated::models::{
    GroupMaintenanceWindow, GroupMaintenanceWindowUpdate, ProtectedHours,
};
use atlas_admin_sdk::ids::GroupId;
use atlas_admin_sdk::Error;
use serde::{Deserialize, Serialize};
use tfplugin::context::Context;
use tfplugin::data_source::DataSource;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::model::{TfModel, TfObject};
use tfplugin::schema::Schema;
use tfplugin::validators::in_range;

/// A project's maintenance window: when Atlas may start maintenance, and its deferrals.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
pub struct MaintenanceWindowModel {
    /// The project id.
    #[tf(optional, computed, use_state_for_unknown)]
    pub id: Option<String>,
    /// Unique 24-hexadecimal digit string that identifies the project.
    #[tf(required, requires_replace)]
    pub project_id: String,
    /// Day of the week the maintenance window starts (1 = Sunday … 7 = Saturday).
    #[tf(required)]
    pub day_of_week: i64,
    /// Hour of the day the maintenance window starts, on a 24-hour clock (0 = midnight).
    #[tf(required)]
    pub hour_of_day: i64,
    /// Whether Atlas starts the maintenance window at once upon receiving the request.
    #[tf(computed)]
    pub start_asap: Option<bool>,
    /// Number of times the current maintenance event was deferred.
    #[tf(computed)]
    pub number_of_deferrals: Option<i64>,
    /// Defer the next scheduled maintenance by one week.
    #[tf(optional, computed)]
    pub defer: Option<bool>,
    /// Toggle automatic deferral of every maintenance for one week (a change flips it).
    #[tf(optional, computed)]
    pub auto_defer: Option<bool>,
    /// Whether Atlas defers all maintenance windows for one week once they are enabled.
    #[tf(optional, computed)]
    pub auto_defer_once_enabled: Option<bool>,
    /// Time zone of the maintenance window (set in the project settings).
    #[tf(computed, use_state_for_unknown)]
    pub time_zone_id: Option<String>,
    /// Hours of the day when maintenance must not begin.
    #[tf(block, max_items = 1)]
    pub protected_hours: Vec<ProtectedHoursModel>,
}

/// Hours of the day when maintenance must not begin.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
pub struct ProtectedHoursModel {
    /// Hour of the day the protected period starts (0–23).
    #[tf(required)]
    pub start_hour_of_day: i64,
    /// Hour of the day the protected period ends (0–23).
    #[tf(required)]
    pub end_hour_of_day: i64,
}

pub struct MaintenanceWindow;

fn hour(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// The PATCH body: what the configuration sets; a removed `protected_hours` block is cleared.
fn expand(
    plan: &MaintenanceWindowModel,
    prior: Option<&MaintenanceWindowModel>,
) -> GroupMaintenanceWindowUpdate {
    let mut body = GroupMaintenanceWindowUpdate::new();
    body.day_of_week = Some(hour(plan.day_of_week));
    body.hour_of_day = Some(hour(plan.hour_of_day));
    body.auto_defer_once_enabled = plan.auto_defer_once_enabled;
    body.protected_hours = match plan.protected_hours.first() {
        Some(p) => Some(
            ProtectedHours::default()
                .start_hour_of_day(hour(p.start_hour_of_day))
                .end_hour_of_day(hour(p.end_hour_of_day)),
        ),
        None if prior.is_some_and(|p| !p.protected_hours.is_empty()) => {
            Some(ProtectedHours::default())
        }
        None => None,
    };
    body
}

async fn patch(
    cx: &Context<AtlasClient>,
    project: &GroupId,
    plan: &MaintenanceWindowModel,
    prior: Option<&MaintenanceWindowModel>,
) -> Result<GroupMaintenanceWindow, Error> {
    let api = cx.client().maintenance_window();
    let defer_now = plan.defer == Some(true) && prior.is_none_or(|p| p.defer != Some(true));
    if defer_now {
        api.defer(project).await?;
    }
    api.update(project, &expand(plan, prior)).await?;
    let was = prior.and_then(|p| p.auto_defer).unwrap_or(false);
    if plan.auto_defer.is_some_and(|v| v != was) {
        api.toggle_auto_defer(project).await?;
    }
    api.get(project).await
}

#[async_trait]
impl AtlasResource for MaintenanceWindow {
    type Model = MaintenanceWindowModel;
    type Key = GroupId;
    type Remote = GroupMaintenanceWindow;

    const TYPE_NAME: &'static str = "mongodbatlas_maintenance_window";
    const IMPORT_ID_FORMAT: &'static str = "{project_id}";
    const NOT_FOUND_CODES: &'static [&'static str] = &[codes::GROUP_NOT_FOUND];
    // The data source has the official SDKv2 shape (below), not the derived variant.
    const VALIDATES: bool = true;

    fn key(model: &MaintenanceWindowModel) -> Result<GroupId, String> {
        if model.project_id.is_empty() {
            return Err("no project_id".into());
        }
        Ok(GroupId::from(&model.project_id))
    }

    fn import_stub(id: &str) -> Option<MaintenanceWindowModel> {
        // The read after import takes Atlas's day and hour.
        (!id.is_empty() && !id.contains('/')).then(|| MaintenanceWindowModel {
            project_id: id.to_string(),
            ..Default::default()
        })
    }

    fn flatten(
        w: &GroupMaintenanceWindow,
        prior: &MaintenanceWindowModel,
    ) -> MaintenanceWindowModel {
        MaintenanceWindowModel {
            id: Some(prior.project_id.clone()),
            project_id: prior.project_id.clone(),
            // Atlas always answers a day and hour (Sunday 0h by default).
            day_of_week: w.day_of_week.map_or(prior.day_of_week, i64::from),
            hour_of_day: w.hour_of_day.map_or(prior.hour_of_day, i64::from),
            start_asap: Some(w.start_asap.unwrap_or(false)),
            number_of_deferrals: Some(i64::from(w.number_of_deferrals.unwrap_or(0))),
            defer: Some(prior.defer.unwrap_or(false)),
            auto_defer: Some(prior.auto_defer.unwrap_or(false)),
            auto_defer_once_enabled: Some(w.auto_defer_once_enabled.unwrap_or(false)),
            time_zone_id: w
                .time_zone_id
                .clone()
                .or_else(|| prior.time_zone_id.clone()),
            protected_hours: w
                .protected_hours
                .as_ref()
                .and_then(|p| {
                    Some(ProtectedHoursModel {
                        start_hour_of_day: i64::from(p.start_hour_of_day?),
                        end_hour_of_day: i64::from(p.end_hour_of_day?),
                    })
                })
                .into_iter()
                .collect(),
        }
    }

    async fn create(
        cx: &Context<AtlasClient>,
        plan: &MaintenanceWindowModel,
        _config: &MaintenanceWindowModel,
    ) -> Result<GroupMaintenanceWindow, Error> {
        patch(cx, &GroupId::from(&plan.project_id), plan, None).await
    }

    /// A PATCH is safe to repeat, and the window always exists: never adopt, re-send.
    async fn find_created(
        _cx: &Context<AtlasClient>,
        _plan: &MaintenanceWindowModel,
    ) -> Result<Option<GroupMaintenanceWindow>, Error> {
        Ok(None)
    }

    async fn read(
        cx: &Context<AtlasClient>,
        key: &GroupId,
    ) -> Result<GroupMaintenanceWindow, Error> {
        cx.client().maintenance_window().get(key).await
    }

    async fn update(
        cx: &Context<AtlasClient>,
        key: &GroupId,
        plan: &MaintenanceWindowModel,
        prior: &MaintenanceWindowModel,
        _config: &MaintenanceWindowModel,
    ) -> Result<GroupMaintenanceWindow, Error> {
        patch(cx, key, plan, Some(prior)).await
    }

    async fn delete(cx: &Context<AtlasClient>, key: &GroupId) -> Result<(), Error> {
        cx.client().maintenance_window().reset(key).await
    }

    fn validate(config: &MaintenanceWindowModel) -> Diagnostics {
        let a = MaintenanceWindowModel::ATTR;
        let mut diags = in_range(a.day_of_week, Some(config.day_of_week), 1, 7);
        diags.extend(in_range(a.hour_of_day, Some(config.hour_of_day), 0, 23));
        diags
    }
}

// The data source, in the official SDKv2 shape: no `defer` / `auto_defer` (actions of the
// resource), `protected_hours` a computed list attribute, `id` optional and computed.

/// A project's maintenance window: when Atlas may start maintenance, and its deferrals.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TfModel)]
pub struct MaintenanceWindowData {
    /// The project id.
    #[tf(optional, computed)]
    pub id: Option<String>,
    /// Unique 24-hexadecimal digit string that identifies the project.
    #[tf(required)]
    pub project_id: String,
    /// Day of the week the maintenance window starts (1 = Sunday … 7 = Saturday).
    #[tf(computed)]
    pub day_of_week: Option<i64>,
    /// Hour of the day the maintenance window starts, on a 24-hour clock (0 = midnight).
    #[tf(computed)]
    pub hour_of_day: Option<i64>,
    /// Whether Atlas starts the maintenance window at once upon receiving the request.
    #[tf(computed)]
    pub start_asap: Option<bool>,
    /// Number of times the current maintenance event was deferred.
    #[tf(computed)]
    pub number_of_deferrals: Option<i64>,
    /// Whether Atlas defers all maintenance windows for one week once they are enabled.
    #[tf(computed)]
    pub auto_defer_once_enabled: Option<bool>,
    /// Time zone of the maintenance window (set in the project settings).
    #[tf(computed)]
    pub time_zone_id: Option<String>,
    /// Hours of the day when maintenance must not begin.
    #[tf(computed)]
    pub protected_hours: Option<Vec<ProtectedHoursData>>,
}

/// Hours of the day when maintenance must not begin (as the data source shows them).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TfModel)]
pub struct ProtectedHoursData {
    #[tf(computed)]
    pub end_hour_of_day: Option<i64>,
    #[tf(computed)]
    pub start_hour_of_day: Option<i64>,
}

pub struct MaintenanceWindowDataSource;

#[async_trait]
impl DataSource for MaintenanceWindowDataSource {
    type Client = AtlasClient;
    type Model = MaintenanceWindowData;
    const TYPE_NAME: &'static str = "mongodbatlas_maintenance_window";

    fn schema() -> Schema {
        Schema::new(MaintenanceWindowData::block())
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        config: MaintenanceWindowData,
    ) -> Result<MaintenanceWindowData, Diagnostics> {
        let what = format!("reading maintenance window {}", config.project_id);
        let api = cx.client().maintenance_window();
        let w = calls::read(cx, &what, || api.get(&config.project_id)).await?;
        let state = MaintenanceWindow::flatten(
            &w,
            &MaintenanceWindowModel {
                project_id: config.project_id.clone(),
                ..Default::default()
            },
        );
        Ok(MaintenanceWindowData {
            id: Some(config.project_id.clone()),
            project_id: config.project_id,
            day_of_week: Some(state.day_of_week),
            hour_of_day: Some(state.hour_of_day),
            start_asap: state.start_asap,
            number_of_deferrals: state.number_of_deferrals,
            auto_defer_once_enabled: state.auto_defer_once_enabled,
            time_zone_id: state.time_zone_id,
            protected_hours: Some(
                state
                    .protected_hours
                    .iter()
                    .map(|p| ProtectedHoursData {
                        end_hour_of_day: Some(p.end_hour_of_day),
                        start_hour_of_day: Some(p.start_hour_of_day),
                    })
                    .collect(),
            ),
        })
    }
}
