//! Projects against the in-process sandbox.

mod common;

use atlas_admin_sdk::models::{CreateProject, Tag, UpdateProject};
use atlas_admin_sdk::ListOptions;
use common::{client, err, ok, sandbox};

#[tokio::test]
async fn projects_create_get_update_delete() {
    let sb = sandbox().await;
    let projects = client(&sb).projects();

    let created = ok(projects
        .create(CreateProject::new("sdk-crud", &sb.org_id).tag("environment", "test"))
        .await);
    assert_eq!(created.name, "sdk-crud");
    assert_eq!(created.org_id, sb.org_id);
    assert_eq!(created.id.len(), 24);
    assert_eq!(created.cluster_count, 0);
    assert_eq!(created.tags, vec![Tag::new("environment", "test")]);

    let got = ok(projects.get(&created.id).await);
    assert_eq!(got.id, created.id);
    assert_eq!(got.created, created.created);

    let by_name = ok(projects.get_by_name("sdk-crud").await);
    assert_eq!(by_name.id, created.id);

    let updated = ok(projects
        .update(
            &created.id,
            UpdateProject::new().name("sdk-crud-renamed").tags(vec![
                Tag::new("environment", "prod"),
                Tag::new("team", "core"),
            ]),
        )
        .await);
    assert_eq!(updated.name, "sdk-crud-renamed");
    assert_eq!(updated.tags.len(), 2);
    assert_eq!(ok(projects.get(&created.id).await).name, "sdk-crud-renamed");

    // Clearing tags with an explicit empty list.
    let cleared = ok(projects
        .update(&created.id, UpdateProject::new().tags(Vec::new()))
        .await);
    assert!(cleared.tags.is_empty());
    assert_eq!(cleared.name, "sdk-crud-renamed");

    ok(projects.delete(&created.id).await);
    assert_eq!(ok(projects.get_opt(&created.id).await), None);
    assert_eq!(ok(projects.get_by_name_opt("sdk-crud-renamed").await), None);
    let e = err(projects.get(&created.id).await);
    assert!(e.is_not_found(), "{e}");
}

#[tokio::test]
async fn projects_get_unknown_is_not_found() {
    let sb = sandbox().await;
    let projects = client(&sb).projects();
    let e = err(projects.get("111111111111111111111111").await);
    assert!(e.is_not_found(), "{e:?}");
    assert_eq!(
        e.error_code(),
        Some(atlas_admin_sdk::codes::GROUP_NOT_FOUND)
    );
    assert_eq!(e.status(), Some(404));
    assert!(ok(projects.get_opt("111111111111111111111111").await).is_none());
    assert!(ok(projects.get_by_name_opt("no-such-project").await).is_none());
    let e = err(projects.get_by_name("no-such-project").await);
    assert!(e.is_not_found(), "{e:?}");
}

#[tokio::test]
async fn projects_duplicate_name_is_conflict() {
    let sb = sandbox().await;
    let projects = client(&sb).projects();
    ok(projects.create(CreateProject::new("dup", &sb.org_id)).await);
    let e = err(projects.create(CreateProject::new("dup", &sb.org_id)).await);
    assert!(e.is_conflict(), "{e:?}");
    assert_eq!(
        e.error_code(),
        Some(atlas_admin_sdk::codes::GROUP_ALREADY_EXISTS)
    );
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn projects_by_name_with_reserved_characters() {
    let sb = sandbox().await;
    let projects = client(&sb).projects();
    // Every punctuation character the project-name pattern allows.
    let name = "a-b_c.d(e),f:g&h@i+j'k";
    let created = ok(projects.create(CreateProject::new(name, &sb.org_id)).await);
    let got = ok(projects.get_by_name(name).await);
    assert_eq!(got.id, created.id);
    assert_eq!(got.name, name);
}

#[tokio::test]
async fn projects_list_paginates() {
    let sb = sandbox().await;
    let projects = client(&sb).projects();
    let before = ok(projects.list_all().await).len();
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            ok(projects
                .create(CreateProject::new(format!("page-{i}"), &sb.org_id))
                .await)
            .id,
        );
    }
    let total = before + 5;

    let first = ok(projects
        .list(ListOptions::new().items_per_page(2).include_count(true))
        .await);
    assert_eq!(first.results.len(), 2);
    assert_eq!(first.total_count, Some(total as u64));

    let last_page = total.div_ceil(2) as u32;
    let last = ok(projects
        .list(ListOptions::new().items_per_page(2).page_num(last_page))
        .await);
    assert_eq!(last.results.len(), if total % 2 == 0 { 2 } else { 1 });

    let no_count = ok(projects
        .list(ListOptions::new().items_per_page(2).include_count(false))
        .await);
    assert_eq!(no_count.total_count, None);

    let all = ok(projects
        .list_all_with(ListOptions::new().items_per_page(2))
        .await);
    assert_eq!(all.len(), total);
    for id in &ids {
        assert!(
            all.iter().any(|p| &p.id == id),
            "{id} missing from list_all"
        );
    }
    let mut seen: Vec<_> = all.iter().map(|p| p.id.clone()).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), total, "no duplicates across pages");

    let default_all = ok(projects.list_all().await);
    assert_eq!(default_all.len(), total);
}

#[tokio::test]
async fn projects_invalid_request_is_rejected_locally() {
    let sb = sandbox().await;
    let projects = client(&sb).projects();
    let before = sb.requests_total();
    let e = err(projects.get("").await);
    assert!(
        matches!(e, atlas_admin_sdk::Error::InvalidRequest(_)),
        "{e:?}"
    );
    assert_eq!(sb.requests_total(), before);
}
