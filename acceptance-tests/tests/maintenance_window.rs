//! Acceptance tests for `mongodbatlas_maintenance_window` and its data source: the declarative
//! matrix (create, update in place, import by project id, replace with another project, drift
//! repaired, destroy resets the window), plus validation at plan time.

use acceptance_tests::{Case, Harness, Step, REQUIRED_PROVIDERS};
use anyhow::{ensure, Result};
use atlas_admin_sdk::generated::models::GroupMaintenanceWindowUpdate;
use atlas_admin_sdk::models::CreateProject;

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");
const ADDR: &str = "mongodbatlas_maintenance_window.test";

/// The window of project `a` or `b` (created through the SDK, ids in `var.a` / `var.b`), and
/// its data source.
fn config(project: &str, day: i64, hour: i64, protected: Option<(i64, i64)>) -> String {
    format!("{}{}", window(project, day, hour, protected), DATA)
}

const DATA: &str = r#"
data "mongodbatlas_maintenance_window" "test" {
  project_id = mongodbatlas_maintenance_window.test.project_id
}
"#;

/// Only the resource: the configuration an import starts from.
fn window(project: &str, day: i64, hour: i64, protected: Option<(i64, i64)>) -> String {
    let protected = protected.map_or(String::new(), |(start, end)| {
        format!(
            "  protected_hours {{\n    start_hour_of_day = {start}\n    end_hour_of_day   = {end}\n  }}\n"
        )
    });
    format!(
        r#"{REQUIRED_PROVIDERS}
variable "a" {{
  type = string
}}

variable "b" {{
  type = string
}}

resource "mongodbatlas_maintenance_window" "test" {{
  project_id  = var.{project}
  day_of_week = {day}
  hour_of_day = {hour}
{protected}}}
"#
    )
}

/// A harness with two projects; returns their ids.
async fn setup() -> Result<(Harness, String, String)> {
    let h = Harness::start(PROVIDER).await?;
    let projects = h.client()?.projects();
    let org = h.sandbox.org_id.clone();
    let a = projects
        .create(CreateProject::new("acc-mw-a", org.clone()))
        .await?;
    let b = projects.create(CreateProject::new("acc-mw-b", org)).await?;
    Ok((h, a.id, b.id))
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_maintenance_window_matrix() -> Result<()> {
    let (h, a, b) = setup().await?;
    let (a_id, b_id) = (a.clone(), b.clone());
    Case::new("maintenance_window")
        .var("a", &a)
        .var("b", &b)
        .step(
            Step::apply(config("a", 3, 4, None))
                .expect_create(ADDR)
                .check_eq(&format!("{ADDR}.id"), a.as_str())
                .check_eq(&format!("{ADDR}.day_of_week"), 3)
                .check_eq(&format!("{ADDR}.hour_of_day"), 4)
                .check_eq(&format!("{ADDR}.number_of_deferrals"), 0)
                .check_eq(&format!("{ADDR}.defer"), false)
                .check_eq(&format!("{ADDR}.protected_hours.#"), 0)
                .check_set(&format!("{ADDR}.time_zone_id"))
                .check_eq("data.mongodbatlas_maintenance_window.test.day_of_week", 3)
                .check_eq("data.mongodbatlas_maintenance_window.test.hour_of_day", 4)
                .check_remote(|ctx| async move {
                    let id = ctx.state.str(&format!("{ADDR}.project_id"))?;
                    let w = ctx.client.maintenance_window().get(id.as_str()).await?;
                    ensure!(
                        w.day_of_week == Some(3) && w.hour_of_day == Some(4),
                        "{w:?}"
                    );
                    Ok(())
                }),
        )
        .step(
            Step::apply(config("a", 7, 23, Some((1, 5))))
                .expect_update_in_place(ADDR)
                .check_unchanged(&format!("{ADDR}.id"))
                .check_eq(&format!("{ADDR}.day_of_week"), 7)
                .check_eq(&format!("{ADDR}.protected_hours.0.start_hour_of_day"), 1)
                .check_eq(&format!("{ADDR}.protected_hours.0.end_hour_of_day"), 5)
                .check_eq(
                    "data.mongodbatlas_maintenance_window.test.protected_hours.0.end_hour_of_day",
                    5,
                ),
        )
        .step(
            Step::import_verify(ADDR, &["defer", "auto_defer"]).import_config(window(
                "a",
                7,
                23,
                Some((1, 5)),
            )),
        )
        // Removing the block clears the protected hours in Atlas too.
        .step(
            Step::apply(config("a", 7, 23, None))
                .expect_update_in_place(ADDR)
                .check_eq(&format!("{ADDR}.protected_hours.#"), 0)
                .check_remote(|ctx| async move {
                    let id = ctx.state.str(&format!("{ADDR}.project_id"))?;
                    let w = ctx.client.maintenance_window().get(id.as_str()).await?;
                    let hours = w.protected_hours.unwrap_or_default();
                    ensure!(hours.start_hour_of_day.is_none(), "{hours:?}");
                    Ok(())
                }),
        )
        // Changed behind terraform's back: the plan puts it back.
        .step(Step::drift(ADDR, |ctx| async move {
            let id = ctx.state.str(&format!("{ADDR}.project_id"))?;
            let mut body = GroupMaintenanceWindowUpdate::new();
            body.day_of_week = Some(1);
            ctx.client
                .maintenance_window()
                .update(id.as_str(), &body)
                .await?;
            Ok(())
        }))
        .step(Step::apply(config("a", 7, 23, None)).expect_update_in_place(ADDR))
        // Another project: the window of the first is reset, the second one's is set.
        .step(
            Step::apply(config("b", 2, 0, None))
                .expect_replace(ADDR)
                .check_eq(&format!("{ADDR}.id"), b.as_str())
                .check_remote(move |ctx| {
                    let a = a_id.clone();
                    async move {
                        let w = ctx.client.maintenance_window().get(a.as_str()).await?;
                        ensure!(
                            w.day_of_week == Some(1) && w.hour_of_day == Some(0),
                            "old window not reset: {w:?}"
                        );
                        Ok(())
                    }
                }),
        )
        .check_destroyed(move |ctx| {
            let b = b_id.clone();
            async move {
                let w = ctx.client.maintenance_window().get(b.as_str()).await?;
                ensure!(
                    w.day_of_week == Some(1) && w.hour_of_day == Some(0),
                    "window not reset by destroy: {w:?}"
                );
                Ok(())
            }
        })
        .run(&h)
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_maintenance_window_validation() -> Result<()> {
    let (h, a, b) = setup().await?;
    Case::new("maintenance_window_validation")
        .var("a", &a)
        .var("b", &b)
        .step(
            Step::plan_only(config("a", 8, 4, None)).expect_error(r"day_of_week.*between 1 and 7"),
        )
        .step(
            Step::plan_only(config("a", 1, 24, None))
                .expect_error(r"hour_of_day.*between 0 and 23"),
        )
        .run(&h)
        .await
}
