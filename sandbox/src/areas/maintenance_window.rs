//! A project's maintenance window (`/groups/{groupId}/maintenanceWindow`): GET, PATCH (200
//! `{}`), DELETE (reset, 204), and the `defer` / `autoDefer` actions (200 `{}`). Version
//! 2023-01-01, and `preview` for GET/PATCH (adds `waveAssignment`, 1-3, `null` clears it, and
//! the read-only `effectiveWaveAssignment`). A [`ProjectSingleton`]: the types below are the
//! area.
//!
//! Choices where the real API is unverified:
//! * a project without a chosen window (new, or reset) answers the default window, Sunday
//!   (`dayOfWeek` 1) at hour 0: the spec requires `dayOfWeek` in 1-7 in every answer;
//!   `timeZoneId` is always `UTC` (only the Atlas UI changes it); `effectiveWaveAssignment`
//!   is shown only with a `waveAssignment`;
//! * a PATCH setting `dayOfWeek` without `hourOfDay` on a window without an hour sets hour 0
//!   (the official provider's acceptance tests); a PATCH resets `numberOfDeferrals` (spec);
//! * unknown attributes and read-only ones (`numberOfDeferrals`, `timeZoneId`,
//!   `effectiveWaveAssignment`; dropped when null) are refused
//!   (`INVALID_ATTRIBUTE`, `ATTRIBUTE_READ_ONLY`); out-of-range hours and days are
//!   `INVALID_ATTRIBUTE`; `protectedHours` needs both hours, or neither (which clears it);
//! * the sandbox never schedules maintenance, so `defer` always has a maintenance to defer:
//!   it counts deferrals, two at most (`MAINTENANCE_DEFERRAL_LIMIT_REACHED`, code
//!   unverified); `startASAP` is kept as sent.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::singleton::{self, check_version, ProjectSingleton};
use crate::areas::ProjectChildren;
use crate::error::ApiError;
use crate::extract::{ApiPath, Query};
use crate::versions::ResolvedVersion;
use crate::AppState;

const PATH: &str = "/groups/{group_id}/maintenanceWindow";
const VERSIONS: &[&str] = &["2023-01-01", "preview"];
const PREVIEW: &str = "preview";
/// The window of a project that never chose one (Sunday, midnight).
pub const DEFAULT_DAY_OF_WEEK: u8 = 1;
pub const DEFAULT_HOUR_OF_DAY: u8 = 0;
/// Deferrals allowed per maintenance event (Atlas documentation: "up to two times").
pub const MAX_DEFERRALS: u32 = 2;

pub fn routes() -> Router<AppState> {
    singleton::routes::<MaintenanceWindow>(PATH)
        .route(&format!("{PATH}/defer"), post(defer))
        .route(&format!("{PATH}/autoDefer"), post(toggle_auto_defer))
}

// ---- types ------------------------------------------------------------------------------

/// What the sandbox keeps per project (persisted with it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MaintenanceWindow {
    pub day_of_week: Option<u8>,
    pub hour_of_day: Option<u8>,
    pub start_asap: bool,
    pub auto_defer_once_enabled: bool,
    pub number_of_deferrals: u32,
    pub protected_hours: Option<ProtectedHours>,
    /// Maintenance wave (1-3), set through the `preview` version only.
    pub wave_assignment: Option<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProtectedHours {
    pub start_hour_of_day: u8,
    pub end_hour_of_day: u8,
}

/// PATCH body (schema `GroupMaintenanceWindow`, writable attributes).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MaintenanceWindowPatch {
    day_of_week: Option<i64>,
    hour_of_day: Option<i64>,
    #[serde(rename = "startASAP")]
    start_asap: Option<bool>,
    auto_defer_once_enabled: Option<bool>,
    protected_hours: Option<ProtectedHoursPatch>,
    /// `preview` only; `null` clears it (hence the two levels).
    #[serde(default, deserialize_with = "present")]
    wave_assignment: Option<Option<i64>>,
}

/// A present attribute, `null` included (`Some(None)`); absent is the `default` (`None`).
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ProtectedHoursPatch {
    start_hour_of_day: Option<i64>,
    end_hour_of_day: Option<i64>,
}

/// GET body (schema `GroupMaintenanceWindow`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MaintenanceWindowView {
    auto_defer_once_enabled: bool,
    day_of_week: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    effective_wave_assignment: Option<u8>,
    hour_of_day: u8,
    number_of_deferrals: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    protected_hours: Option<ProtectedHours>,
    #[serde(rename = "startASAP")]
    start_asap: bool,
    time_zone_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    wave_assignment: Option<u8>,
}

// ---- behaviour --------------------------------------------------------------------------

fn in_range(attr: &str, value: i64, min: i64, max: i64) -> Result<u8, ApiError> {
    if (min..=max).contains(&value) {
        u8::try_from(value).map_err(|_| ApiError::invalid_attribute(attr))
    } else {
        Err(ApiError::invalid_attribute(attr))
    }
}

impl ProjectSingleton for MaintenanceWindow {
    type Patch = MaintenanceWindowPatch;
    type View = MaintenanceWindowView;
    const VERSIONS: &'static [&'static str] = VERSIONS;
    const READ_ONLY: &'static [&'static str] =
        &["numberOfDeferrals", "timeZoneId", "effectiveWaveAssignment"];

    fn of(children: &ProjectChildren) -> &Self {
        &children.maintenance_window
    }

    fn of_mut(children: &mut ProjectChildren) -> &mut Self {
        &mut children.maintenance_window
    }

    fn apply(&mut self, patch: MaintenanceWindowPatch, version: &str) -> Result<(), ApiError> {
        let wave = match patch.wave_assignment {
            Some(_) if version != PREVIEW => {
                return Err(ApiError::invalid_attribute("waveAssignment"))
            }
            Some(Some(w)) => Some(Some(in_range("waveAssignment", w, 1, 3)?)),
            Some(None) => Some(None),
            None => None,
        };
        let day = patch
            .day_of_week
            .map(|d| in_range("dayOfWeek", d, 1, 7))
            .transpose()?;
        let hour = patch
            .hour_of_day
            .map(|h| in_range("hourOfDay", h, 0, 23))
            .transpose()?;
        let protected = match patch.protected_hours {
            None => None,
            Some(p) => Some(match (p.start_hour_of_day, p.end_hour_of_day) {
                (None, None) => None,
                (Some(s), Some(e)) => Some(ProtectedHours {
                    start_hour_of_day: in_range("protectedHours.startHourOfDay", s, 0, 23)?,
                    end_hour_of_day: in_range("protectedHours.endHourOfDay", e, 0, 23)?,
                }),
                (None, Some(_)) => {
                    return Err(ApiError::missing_attribute("protectedHours.startHourOfDay"))
                }
                (Some(_), None) => {
                    return Err(ApiError::missing_attribute("protectedHours.endHourOfDay"))
                }
            }),
        };
        if let Some(day) = day {
            self.day_of_week = Some(day);
            if self.hour_of_day.is_none() && hour.is_none() {
                self.hour_of_day = Some(0);
            }
        }
        if let Some(hour) = hour {
            self.hour_of_day = Some(hour);
        }
        if let Some(flag) = patch.start_asap {
            self.start_asap = flag;
        }
        if let Some(flag) = patch.auto_defer_once_enabled {
            self.auto_defer_once_enabled = flag;
        }
        if let Some(protected) = protected {
            self.protected_hours = protected;
        }
        if let Some(wave) = wave {
            self.wave_assignment = wave;
        }
        self.number_of_deferrals = 0;
        Ok(())
    }

    fn view(&self, version: &str) -> MaintenanceWindowView {
        let wave = self.wave_assignment.filter(|_| version == PREVIEW);
        MaintenanceWindowView {
            auto_defer_once_enabled: self.auto_defer_once_enabled,
            day_of_week: self.day_of_week.unwrap_or(DEFAULT_DAY_OF_WEEK),
            effective_wave_assignment: wave,
            hour_of_day: self.hour_of_day.unwrap_or(DEFAULT_HOUR_OF_DAY),
            number_of_deferrals: self.number_of_deferrals,
            protected_hours: self.protected_hours,
            start_asap: self.start_asap,
            time_zone_id: "UTC",
            wave_assignment: wave,
        }
    }
}

fn deferral_limit_reached() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "MAINTENANCE_DEFERRAL_LIMIT_REACHED",
        format!("The scheduled maintenance has already been deferred {MAX_DEFERRALS} times."),
        vec![json!(MAX_DEFERRALS)],
    )
}

// ---- actions ----------------------------------------------------------------------------

/// `POST …/defer` (deferGroupMaintenanceWindow).
async fn defer(
    State(state): State<AppState>,
    resolved: Option<Extension<ResolvedVersion>>,
    ApiPath(group_id): ApiPath<String>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    check_version(&VERSIONS[..1], resolved.as_deref())?;
    q.check_common()?;
    singleton::update::<MaintenanceWindow, _>(
        &mut state.store(),
        &group_id,
        |w| {
            if w.number_of_deferrals >= MAX_DEFERRALS {
                return Err(deferral_limit_reached());
            }
            w.number_of_deferrals += 1;
            Ok(())
        },
        |_| (),
    )?;
    Ok((StatusCode::OK, Json(json!({}))).into_response())
}

/// `POST …/autoDefer` (toggleGroupMaintenanceWindowAutoDefer): flips
/// `autoDeferOnceEnabled`.
async fn toggle_auto_defer(
    State(state): State<AppState>,
    resolved: Option<Extension<ResolvedVersion>>,
    ApiPath(group_id): ApiPath<String>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    check_version(&VERSIONS[..1], resolved.as_deref())?;
    q.check_common()?;
    singleton::update::<MaintenanceWindow, _>(
        &mut state.store(),
        &group_id,
        |w| {
            w.auto_defer_once_enabled = !w.auto_defer_once_enabled;
            Ok(())
        },
        |_| (),
    )?;
    Ok((StatusCode::OK, Json(json!({}))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::areas::singleton::typed_body;

    fn patch(body: &str) -> Result<MaintenanceWindowPatch, ApiError> {
        typed_body(body.as_bytes(), MaintenanceWindow::READ_ONLY)
    }

    fn apply(w: &mut MaintenanceWindow, body: &str) -> Result<(), ApiError> {
        w.apply(patch(body)?, "2023-01-01")
    }

    #[test]
    fn a_new_window_is_the_default_one() {
        let v = serde_json::to_value(MaintenanceWindow::default().view("2023-01-01"))
            .unwrap_or_default();
        assert_eq!(
            v,
            json!({"autoDeferOnceEnabled": false, "dayOfWeek": 1, "hourOfDay": 0, "numberOfDeferrals": 0, "startASAP": false, "timeZoneId": "UTC"})
        );
    }

    #[test]
    fn wave_assignment_is_preview_only() {
        let mut w = MaintenanceWindow::default();
        let e = apply(&mut w, r#"{"waveAssignment": 2}"#).expect_err("2023-01-01");
        assert_eq!(e.code, "INVALID_ATTRIBUTE");
        let p = patch(r#"{"waveAssignment": 2}"#).expect("decodes");
        w.apply(p, PREVIEW).expect("preview");
        assert_eq!(w.wave_assignment, Some(2));
        let v = serde_json::to_value(w.view(PREVIEW)).unwrap_or_default();
        assert_eq!(
            (
                v["waveAssignment"].clone(),
                v["effectiveWaveAssignment"].clone()
            ),
            (json!(2), json!(2))
        );
        let v = serde_json::to_value(w.view("2023-01-01")).unwrap_or_default();
        assert!(v.get("waveAssignment").is_none());
        let p = patch(r#"{"waveAssignment": 4}"#).expect("decodes");
        assert_eq!(
            w.apply(p, PREVIEW).expect_err("range").code,
            "INVALID_ATTRIBUTE"
        );
        let p = patch(r#"{"waveAssignment": null}"#).expect("decodes");
        w.apply(p, PREVIEW).expect("clears");
        assert_eq!(w.wave_assignment, None);
    }

    #[test]
    fn patch_sets_day_defaults_hour_and_resets_deferrals() {
        let mut w = MaintenanceWindow {
            number_of_deferrals: 2,
            ..Default::default()
        };
        apply(&mut w, r#"{"dayOfWeek": 3}"#).expect("valid");
        assert_eq!((w.day_of_week, w.hour_of_day), (Some(3), Some(0)));
        assert_eq!(w.number_of_deferrals, 0);
        apply(&mut w, r#"{"hourOfDay": 23, "autoDeferOnceEnabled": true}"#).expect("valid");
        assert_eq!((w.day_of_week, w.hour_of_day), (Some(3), Some(23)));
        assert!(w.auto_defer_once_enabled);
        apply(
            &mut w,
            r#"{"protectedHours": {"startHourOfDay": 1, "endHourOfDay": 5}}"#,
        )
        .expect("valid");
        assert!(w.protected_hours.is_some());
        apply(&mut w, r#"{"protectedHours": {}}"#).expect("clears");
        assert!(w.protected_hours.is_none());
    }

    #[test]
    fn patch_validation_names_the_attribute() {
        let mut w = MaintenanceWindow::default();
        let attr = |body: &str| {
            let mut w = MaintenanceWindow::default();
            let e = apply(&mut w, body).expect_err("invalid");
            (
                e.code,
                e.parameters[0].as_str().unwrap_or_default().to_string(),
            )
        };
        assert_eq!(
            attr(r#"{"dayOfWeek": 0}"#),
            ("INVALID_ATTRIBUTE", "dayOfWeek".into())
        );
        assert_eq!(
            attr(r#"{"dayOfWeek": 8}"#),
            ("INVALID_ATTRIBUTE", "dayOfWeek".into())
        );
        assert_eq!(
            attr(r#"{"hourOfDay": 24}"#),
            ("INVALID_ATTRIBUTE", "hourOfDay".into())
        );
        assert_eq!(
            attr(r#"{"hourOfDay": "1"}"#),
            ("INVALID_ATTRIBUTE", "hourOfDay".into())
        );
        assert_eq!(
            attr(r#"{"dayOfWeek": 1.5}"#),
            ("INVALID_ATTRIBUTE", "dayOfWeek".into())
        );
        assert_eq!(
            attr(r#"{"colour": 1}"#),
            ("INVALID_ATTRIBUTE", "colour".into())
        );
        assert_eq!(
            attr(r#"{"protectedHours": {"startHourOfDay": 1}}"#),
            ("MISSING_ATTRIBUTE", "protectedHours.endHourOfDay".into())
        );
        assert_eq!(
            attr(r#"{"protectedHours": {"startHourOfDay": 1, "endHourOfDay": 99}}"#),
            ("INVALID_ATTRIBUTE", "protectedHours.endHourOfDay".into())
        );
        assert_eq!(
            attr(r#"{"numberOfDeferrals": 1}"#),
            ("ATTRIBUTE_READ_ONLY", "numberOfDeferrals".into())
        );
        // Nothing was stored by the failed attempts.
        apply(&mut w, r#"{"timeZoneId": null}"#).expect("null read-only attribute is fine");
        assert_eq!(w, MaintenanceWindow::default());
    }
}
