//! Project IP access list against the in-process sandbox.

mod common;

use std::time::Duration;

use atlas_admin_sdk::models::{AccessListEntry, AccessListStatus};
use atlas_admin_sdk::{Backoff, Error, ListOptions};
use common::{client, err, ok, project, sandbox_with_transitions};

#[tokio::test]
async fn access_list_batch_create_get_status_delete() {
    let sb = sandbox_with_transitions(0.3).await;
    let c = client(&sb);
    let gid = project(&c, &sb, "sdk-access-list").await;
    let acl = c.access_list().with_backoff(Backoff::new(
        Duration::from_millis(50),
        Duration::from_millis(200),
    ));

    // The digest challenge is cached, so the batch below is exactly one request.
    let before = sb.requests_total();
    let page = ok(acl
        .create(
            &gid,
            &[
                AccessListEntry::ip_address("203.0.113.7").comment("CI runner"),
                AccessListEntry::cidr_block("10.8.0.0/16").comment("office VPN"),
                AccessListEntry::ip_address("198.51.100.20"),
            ],
        )
        .await);
    assert_eq!(
        sb.requests_total() - before,
        1,
        "one POST for three entries"
    );
    assert_eq!(page.results.len(), 3);
    let mut values: Vec<_> = page
        .results
        .iter()
        .filter_map(AccessListEntry::entry_value)
        .collect();
    values.sort();
    assert_eq!(
        values,
        vec!["10.8.0.0/16", "198.51.100.20/32", "203.0.113.7/32"]
    );

    // By IP and by CIDR (the `/` travels as %2F).
    let ip = ok(acl.get(&gid, "203.0.113.7").await);
    assert_eq!(ip.ip_address.as_deref(), Some("203.0.113.7"));
    assert_eq!(ip.comment.as_deref(), Some("CI runner"));
    assert_eq!(ip.group_id.as_deref(), Some(gid.as_str()));
    let cidr = ok(acl.get(&gid, "10.8.0.0/16").await);
    assert_eq!(cidr.cidr_block.as_deref(), Some("10.8.0.0/16"));
    assert_eq!(cidr.comment.as_deref(), Some("office VPN"));

    // PENDING, then ACTIVE.
    let status = ok(acl.status(&gid, "10.8.0.0/16").await);
    assert_eq!(status, AccessListStatus::Pending);
    let settled = ok(acl
        .wait_applied(
            &gid,
            "10.8.0.0/16",
            Duration::from_secs(30),
            std::future::pending(),
        )
        .await);
    assert_eq!(settled, AccessListStatus::Active);
    assert_eq!(
        ok(acl.status(&gid, "10.8.0.0/16").await),
        AccessListStatus::Active
    );

    let all = ok(acl.list_all(&gid).await);
    assert_eq!(all.len(), 3);
    let first = ok(acl.list(&gid, ListOptions::new().items_per_page(2)).await);
    assert_eq!(first.results.len(), 2);
    assert_eq!(first.total_count, Some(3));

    ok(acl.delete(&gid, "10.8.0.0/16").await);
    assert!(ok(acl.get_opt(&gid, "10.8.0.0/16").await).is_none());
    let e = err(acl.get(&gid, "10.8.0.0/16").await);
    assert!(e.is_not_found(), "{e}");
    assert_eq!(
        e.error_code(),
        Some(atlas_admin_sdk::codes::ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND)
    );
    let e = err(acl.delete(&gid, "10.8.0.0/16").await);
    assert!(e.is_not_found(), "{e}");
    // A single IP can also be addressed by its /32 form.
    ok(acl.delete(&gid, "203.0.113.7/32").await);
    assert_eq!(ok(acl.list_all(&gid).await).len(), 1);
}

#[tokio::test]
async fn access_list_errors() {
    let sb = sandbox_with_transitions(0.1).await;
    let c = client(&sb);
    let gid = project(&c, &sb, "sdk-access-list-err").await;
    let acl = c.access_list();

    assert!(ok(acl.get_opt(&gid, "192.0.2.1").await).is_none());
    let e = err(acl.status(&gid, "192.0.2.1").await);
    assert!(e.is_not_found(), "{e}");

    let e = err(acl.create(&gid, &[]).await);
    assert!(matches!(e, Error::InvalidRequest(_)), "{e:?}");

    let e = err(acl
        .create(&gid, &[AccessListEntry::ip_address("not-an-ip")])
        .await);
    assert_eq!(e.status(), Some(400), "{e}");

    let both = AccessListEntry {
        ip_address: Some("192.0.2.1".into()),
        cidr_block: Some("192.0.2.0/24".into()),
        ..Default::default()
    };
    let e = err(acl.create(&gid, &[both]).await);
    assert_eq!(e.status(), Some(400), "{e}");
}

#[tokio::test]
async fn access_list_wait_applied_times_out_while_pending() {
    let sb = sandbox_with_transitions(60.0).await;
    let c = client(&sb);
    let gid = project(&c, &sb, "sdk-access-list-slow").await;
    let acl = c.access_list().with_backoff(Backoff::new(
        Duration::from_millis(50),
        Duration::from_millis(100),
    ));
    ok(acl
        .create(&gid, &[AccessListEntry::ip_address("192.0.2.10")])
        .await);
    let e = err(acl
        .wait_applied(
            &gid,
            "192.0.2.10",
            Duration::from_millis(300),
            std::future::pending(),
        )
        .await);
    match e {
        Error::Timeout { operation } => {
            assert!(operation.contains("192.0.2.10"), "{operation}");
            assert!(operation.contains("PENDING"), "{operation}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}
