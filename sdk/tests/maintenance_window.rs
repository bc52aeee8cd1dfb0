//! A project's maintenance window against the in-process sandbox, through the generated
//! operation table and models.

mod common;

use atlas_admin_sdk::generated::models::{GroupMaintenanceWindowUpdate, ProtectedHours};
use atlas_admin_sdk::{codes, ops, GroupId};
use common::{client, err, ok, project, sandbox};

#[tokio::test]
async fn maintenance_window_get_update_defer_reset() {
    let sb = sandbox().await;
    let c = client(&sb);
    let gid = GroupId::from(project(&c, &sb, "sdk-mw").await);
    let mw = c.maintenance_window();

    // A new project: the default window.
    let fresh = ok(mw.get(&gid).await);
    assert_eq!((fresh.day_of_week, fresh.hour_of_day), (Some(1), Some(0)));
    assert_eq!(fresh.number_of_deferrals, Some(0));
    assert_eq!(fresh.auto_defer_once_enabled, Some(false));
    assert!(fresh.time_zone_id.is_some());

    ok(mw
        .update(
            &gid,
            &GroupMaintenanceWindowUpdate::new()
                .day_of_week(3)
                .hour_of_day(4)
                .auto_defer_once_enabled(true)
                .protected_hours(
                    ProtectedHours::default()
                        .start_hour_of_day(1)
                        .end_hour_of_day(5),
                ),
        )
        .await);
    let got = ok(mw.get(gid.as_str()).await);
    assert_eq!((got.day_of_week, got.hour_of_day), (Some(3), Some(4)));
    assert_eq!(got.auto_defer_once_enabled, Some(true));
    assert_eq!(
        got.protected_hours,
        Some(
            ProtectedHours::default()
                .start_hour_of_day(1)
                .end_hour_of_day(5)
        )
    );

    // Only what is set changes.
    ok(mw
        .update(&gid, &GroupMaintenanceWindowUpdate::new().hour_of_day(0))
        .await);
    let got = ok(mw.get(&gid).await);
    assert_eq!((got.day_of_week, got.hour_of_day), (Some(3), Some(0)));

    ok(mw.defer(&gid).await);
    assert_eq!(ok(mw.get(&gid).await).number_of_deferrals, Some(1));
    ok(mw.toggle_auto_defer(&gid).await);
    assert_eq!(ok(mw.get(&gid).await).auto_defer_once_enabled, Some(false));

    ok(mw.reset(&gid).await);
    let reset = ok(mw.get(&gid).await);
    assert_eq!(reset, fresh);
}

#[tokio::test]
async fn maintenance_window_errors() {
    let sb = sandbox().await;
    let c = client(&sb);
    let gid = project(&c, &sb, "sdk-mw-errors").await;
    let mw = c.maintenance_window();

    let e = err(mw
        .update(&gid, &GroupMaintenanceWindowUpdate::new().day_of_week(8))
        .await);
    assert_eq!(e.status(), Some(400));
    assert!(e.has_code(codes::INVALID_ATTRIBUTE), "{e}");

    let missing = "0123456789abcdef01234567";
    let e = err(mw.get(missing).await);
    assert!(
        e.is_not_found() && e.has_code(codes::GROUP_NOT_FOUND),
        "{e}"
    );

    // Empty ids never leave the client.
    let e = err(mw.get("").await);
    assert!(
        matches!(e, atlas_admin_sdk::Error::InvalidRequest(_)),
        "{e}"
    );
}

#[tokio::test]
async fn generic_call_uses_the_operation_table() {
    let sb = sandbox().await;
    let c = client(&sb);
    let gid = project(&c, &sb, "sdk-generic-call").await;

    let window: atlas_admin_sdk::generated::models::GroupMaintenanceWindow = ok(c
        .call(&ops::GET_GROUP_MAINTENANCE_WINDOW, &[gid.as_str()])
        .await);
    assert_eq!(window.day_of_week, Some(1));
    // Any operation of the table, with a hand-written model.
    let project: atlas_admin_sdk::models::Project =
        ok(c.call(&ops::GET_GROUP, &[gid.as_str()]).await);
    assert_eq!(project.name, "sdk-generic-call");
    let e = err(c
        .call::<serde_json::Value>(&ops::GET_GROUP, &[gid.as_str(), "extra"])
        .await);
    assert!(
        matches!(e, atlas_admin_sdk::Error::InvalidRequest(_)),
        "{e}"
    );
}

#[tokio::test]
async fn list_operations_stream_page_by_page() {
    use futures::TryStreamExt as _;

    let sb = sandbox().await;
    let c = client(&sb);
    for i in 0..3 {
        project(&c, &sb, &format!("sdk-stream-{i}")).await;
    }
    let opts = atlas_admin_sdk::ListOptions::new().items_per_page(2);
    let names: Vec<String> = ok(c
        .call_stream::<atlas_admin_sdk::models::Project>(&ops::LIST_GROUPS, &[], opts.clone())
        .map_ok(|p| p.name)
        .try_collect()
        .await);
    assert_eq!(names, ["sdk-stream-0", "sdk-stream-1", "sdk-stream-2"]);
    let all: Vec<atlas_admin_sdk::models::Project> =
        ok(c.call_all(&ops::LIST_GROUPS, &[], opts.clone()).await);
    assert_eq!(all.len(), 3);
    let page: atlas_admin_sdk::Page<atlas_admin_sdk::models::Project> =
        ok(c.call_page(&ops::LIST_GROUPS, &[], &opts).await);
    assert_eq!(page.results.len(), 2);
    // A bad path parameter is the stream's only item.
    let e = err(c
        .call_stream::<serde_json::Value>(&ops::LIST_GROUP_CLUSTERS, &[""], opts)
        .try_collect::<Vec<_>>()
        .await);
    assert!(
        matches!(e, atlas_admin_sdk::Error::InvalidRequest(_)),
        "{e}"
    );
}
