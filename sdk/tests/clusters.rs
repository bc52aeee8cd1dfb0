//! Clusters and process args against the in-process sandbox.

mod common;

use std::time::Duration;

use atlas_admin_sdk::models::{
    AutoScaling, Cluster, DiskGbAutoScaling, HardwareSpec, ProcessArgs, RegionConfig,
    ReplicationSpec, Tag,
};
use atlas_admin_sdk::{Backoff, Error, ListOptions};
use common::{client, err, ok, project, sandbox_with_transitions};

/// Generous for the sandbox (transitions of a fraction of a second).
const DEADLINE: Duration = Duration::from_secs(30);

fn fast() -> Backoff {
    Backoff::new(Duration::from_millis(50), Duration::from_millis(500))
}

fn m10(name: &str) -> Cluster {
    Cluster {
        name: Some(name.to_owned()),
        cluster_type: Some("REPLICASET".into()),
        mongo_db_major_version: Some("8.0".into()),
        tags: Some(vec![Tag::new("environment", "test")]),
        replication_specs: Some(vec![ReplicationSpec {
            region_configs: Some(vec![RegionConfig {
                provider_name: Some("AWS".into()),
                region_name: Some("US_EAST_1".into()),
                priority: Some(7),
                electable_specs: Some(HardwareSpec {
                    instance_size: Some("M10".into()),
                    node_count: Some(3),
                    disk_size_gb: Some(10.0),
                    ..Default::default()
                }),
                auto_scaling: Some(AutoScaling {
                    disk_gb: Some(DiskGbAutoScaling {
                        enabled: Some(true),
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }]),
            ..Default::default()
        }]),
        ..Default::default()
    }
}

fn electable(c: &Cluster) -> HardwareSpec {
    c.replication_specs
        .as_ref()
        .and_then(|s| s.first())
        .and_then(|s| s.region_configs.as_ref())
        .and_then(|r| r.first())
        .and_then(|r| r.electable_specs.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn clusters_create_wait_list_resize_delete() {
    let sb = sandbox_with_transitions(0.3).await;
    let c = client(&sb);
    let gid = project(&c, &sb, "sdk-clusters").await;
    let clusters = c.clusters().with_backoff(fast());

    let created = ok(clusters.create(&gid, &m10("c1")).await);
    assert_eq!(created.name.as_deref(), Some("c1"));
    assert_eq!(created.state_name.as_deref(), Some("CREATING"));
    assert_eq!(created.group_id.as_deref(), Some(gid.as_str()));
    assert_eq!(created.id.as_ref().map(String::len), Some(24));
    assert_eq!(electable(&created).instance_size.as_deref(), Some("M10"));

    let got = ok(clusters.get(&gid, "c1").await);
    assert_eq!(got.id, created.id);

    let idle = ok(clusters
        .wait_idle(&gid, "c1", DEADLINE, std::future::pending())
        .await);
    assert!(idle.is_idle());
    assert_eq!(idle.mongo_db_major_version.as_deref(), Some("8.0"));
    assert!(idle
        .connection_strings
        .as_ref()
        .and_then(|cs| cs.standard_srv.as_ref())
        .is_some());

    ok(clusters.create(&gid, &m10("c2")).await);
    let page = ok(clusters
        .list(&gid, ListOptions::new().items_per_page(1))
        .await);
    assert_eq!(page.results.len(), 1);
    assert_eq!(page.total_count, Some(2));
    let mut names: Vec<_> = ok(clusters.list_all(&gid).await)
        .into_iter()
        .filter_map(|c| c.name)
        .collect();
    names.sort();
    assert_eq!(names, vec!["c1", "c2"]);

    // Resize with a minimal PATCH that echoes the shard id.
    let shard_id = idle
        .replication_specs
        .as_ref()
        .and_then(|s| s.first())
        .and_then(|s| s.id.clone());
    assert!(shard_id.is_some());
    // Start from what was read, minus read-only fields (the shard id stays).
    let mut specs = idle
        .clone()
        .without_read_only()
        .replication_specs
        .unwrap_or_default();
    assert_eq!(specs[0].id, shard_id);
    for rc in specs
        .iter_mut()
        .flat_map(|s| s.region_configs.iter_mut().flatten())
    {
        assert!(rc.effective_electable_specs.is_none());
        // Electable, read-only and analytics nodes share one size.
        for hw in [
            &mut rc.electable_specs,
            &mut rc.read_only_specs,
            &mut rc.analytics_specs,
        ]
        .into_iter()
        .flatten()
        {
            hw.instance_size = Some("M20".into());
        }
    }
    let resize = Cluster {
        replication_specs: Some(specs),
        ..Default::default()
    };
    let updated = ok(clusters.update(&gid, "c1", &resize).await);
    assert_eq!(electable(&updated).instance_size.as_deref(), Some("M20"));
    assert_ne!(updated.state_name.as_deref(), Some("CREATING"));
    let idle = ok(clusters
        .wait_idle(&gid, "c1", DEADLINE, std::future::pending())
        .await);
    assert_eq!(electable(&idle).instance_size.as_deref(), Some("M20"));
    // Untouched fields survive a minimal PATCH.
    assert_eq!(idle.tags, Some(vec![Tag::new("environment", "test")]));
    assert_eq!(idle.mongo_db_major_version.as_deref(), Some("8.0"));

    ok(clusters.delete(&gid, "c1", Some(false)).await);
    ok(clusters
        .wait_deleted(&gid, "c1", DEADLINE, std::future::pending())
        .await);
    assert!(ok(clusters.get_opt(&gid, "c1").await).is_none());
    let e = err(clusters.get(&gid, "c1").await);
    assert!(e.is_not_found(), "{e}");
    assert_eq!(
        e.error_code(),
        Some(atlas_admin_sdk::codes::CLUSTER_NOT_FOUND)
    );
    // Deleting again is a 404 the caller can ignore.
    let e = err(clusters.delete(&gid, "c1", None).await);
    assert!(e.is_not_found(), "{e}");
    assert_eq!(ok(clusters.list_all(&gid).await).len(), 1);
}

#[tokio::test]
async fn clusters_minimal_patch_changes_only_given_fields() {
    let sb = sandbox_with_transitions(0.1).await;
    let c = client(&sb);
    let gid = project(&c, &sb, "sdk-clusters-patch").await;
    let clusters = c.clusters().with_backoff(fast());
    ok(clusters.create(&gid, &m10("patchme")).await);
    let before = ok(clusters
        .wait_idle(&gid, "patchme", DEADLINE, std::future::pending())
        .await);

    let patch = Cluster {
        tags: Some(vec![Tag::new("team", "core")]),
        termination_protection_enabled: Some(true),
        ..Default::default()
    };
    let after = ok(clusters.update(&gid, "patchme", &patch).await);
    assert_eq!(after.tags, Some(vec![Tag::new("team", "core")]));
    assert_eq!(after.termination_protection_enabled, Some(true));
    assert_eq!(after.replication_specs.as_ref().map(Vec::len), Some(1));
    assert_eq!(electable(&after).instance_size.as_deref(), Some("M10"));
    assert_eq!(after.mongo_db_major_version, before.mongo_db_major_version);

    // Termination protection blocks DELETE (400).
    let e = err(clusters.delete(&gid, "patchme", None).await);
    assert_eq!(e.status(), Some(400), "{e}");
    assert_eq!(
        e.error_code(),
        Some(atlas_admin_sdk::codes::CANNOT_TERMINATE_CLUSTER_WHEN_TERMINATION_PROTECTION_ENABLED)
    );
}

#[tokio::test]
async fn clusters_errors_and_not_found() {
    let sb = sandbox_with_transitions(0.1).await;
    let c = client(&sb);
    let gid = project(&c, &sb, "sdk-clusters-errors").await;
    let clusters = c.clusters();

    assert!(ok(clusters.get_opt(&gid, "nope").await).is_none());
    let e = err(clusters.get(&gid, "nope").await);
    assert_eq!(
        e.error_code(),
        Some(atlas_admin_sdk::codes::CLUSTER_NOT_FOUND)
    );

    ok(clusters.create(&gid, &m10("dup")).await);
    let e = err(clusters.create(&gid, &m10("dup")).await);
    assert_eq!(e.status(), Some(400), "{e}");
    assert_eq!(
        e.error_code(),
        Some(atlas_admin_sdk::codes::DUPLICATE_CLUSTER_NAME)
    );
    assert!(!e.is_conflict() && !e.is_retryable());

    // Unknown project.
    let e = err(clusters
        .list("111111111111111111111111", ListOptions::new())
        .await);
    assert!(e.is_not_found(), "{e}");

    // Empty names never reach the server.
    let e = err(clusters.get(&gid, "").await);
    assert!(matches!(e, Error::InvalidRequest(_)), "{e:?}");
}

#[tokio::test]
async fn clusters_process_args_get_and_update() {
    let sb = sandbox_with_transitions(0.1).await;
    let c = client(&sb);
    let gid = project(&c, &sb, "sdk-process-args").await;
    let clusters = c.clusters().with_backoff(fast());
    ok(clusters.create(&gid, &m10("args")).await);
    ok(clusters
        .wait_idle(&gid, "args", DEADLINE, std::future::pending())
        .await);

    let before = ok(clusters.get_process_args(&gid, "args").await);
    let patch = ProcessArgs {
        javascript_enabled: Some(false),
        transaction_lifetime_limit_seconds: Some(120),
        ..Default::default()
    };
    let updated = ok(clusters.update_process_args(&gid, "args", &patch).await);
    assert_eq!(updated.javascript_enabled, Some(false));
    assert_eq!(updated.transaction_lifetime_limit_seconds, Some(120));
    let again = ok(clusters.get_process_args(&gid, "args").await);
    assert_eq!(again, updated);
    // Only the given fields changed.
    assert_eq!(
        again.minimum_enabled_tls_protocol,
        before.minimum_enabled_tls_protocol
    );
    assert_eq!(again.no_table_scan, before.no_table_scan);

    let e = err(clusters.get_process_args(&gid, "nope").await);
    assert!(e.is_not_found(), "{e}");
}

#[tokio::test]
async fn clusters_wait_idle_times_out_and_cancels() {
    // Transitions slower than the waits below.
    let sb = sandbox_with_transitions(60.0).await;
    let c = client(&sb);
    let gid = project(&c, &sb, "sdk-clusters-slow").await;
    let clusters = c.clusters().with_backoff(fast());
    ok(clusters.create(&gid, &m10("slow")).await);

    let started = std::time::Instant::now();
    let e = err(clusters
        .wait_idle(
            &gid,
            "slow",
            Duration::from_millis(400),
            std::future::pending(),
        )
        .await);
    match &e {
        Error::Timeout { operation } => {
            assert!(operation.contains("\"slow\""), "{operation}");
            assert!(operation.contains("last state: CREATING"), "{operation}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(5));

    let e = err(clusters
        .wait_idle(
            &gid,
            "slow",
            DEADLINE,
            tokio::time::sleep(Duration::from_millis(200)),
        )
        .await);
    assert!(matches!(e, Error::Cancelled { .. }), "{e:?}");

    // A cluster that does not exist ends the wait at once with the 404.
    let e = err(clusters
        .wait_idle(&gid, "ghost", DEADLINE, std::future::pending())
        .await);
    assert!(e.is_not_found(), "{e}");
    // ... and counts as deleted.
    ok(clusters
        .wait_deleted(&gid, "ghost", DEADLINE, std::future::pending())
        .await);
}
