//! Golden JSON fixtures (hand-written after the real API's recorded responses) decode into the
//! SDK models.

use atlas_admin_sdk::models::{Organization, Project, Tag};
use atlas_admin_sdk::{ApiError, Error, Page};
use serde::de::DeserializeOwned;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn decode<T: DeserializeOwned>(name: &str) -> T {
    let text = fixture(name);
    let de = &mut serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(de).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn fixture_list_orgs_decodes() {
    let page: Page<Organization> = decode("organizations/list_orgs.json");
    assert_eq!(page.total_count, Some(2));
    assert_eq!(page.results.len(), 2);
    assert_eq!(page.results[0].id, "6a0346c9d21a0d4a1ac1c9e1");
    assert_eq!(page.results[0].name, "Atlas CLI E2E");
    assert_eq!(page.results[0].is_deleted, Some(false));
    assert_eq!(page.results[1].skip_default_alerts_settings, Some(true));
    assert_eq!(page.links[0].rel.as_deref(), Some("self"));
}

#[test]
fn fixture_get_org_decodes() {
    let org: Organization = decode("organizations/get_org.json");
    assert_eq!(org.name, "Atlas CLI E2E");
    assert_eq!(
        org.links[0].href.as_deref(),
        Some("https://cloud.mongodb.com/api/atlas/v2/orgs/6a0346c9d21a0d4a1ac1c9e1")
    );
}

#[test]
fn fixture_create_group_decodes() {
    let p: Project = decode("projects/create_group.json");
    assert_eq!(p.id, "6a79f2c2d21a0d4a1ac2b3c4");
    assert_eq!(p.org_id, "6a0346c9d21a0d4a1ac1c9e1");
    assert_eq!(p.cluster_count, 0);
    assert_eq!(p.created.to_rfc3339(), "2026-08-10T03:02:58+00:00");
    assert!(p.tags.is_empty());
    assert_eq!(p.with_default_alerts_settings, Some(true));
    assert_eq!(p.region_usage_restrictions, None);
}

#[test]
fn fixture_get_group_decodes_tags() {
    let p: Project = decode("projects/get_group.json");
    assert_eq!(p.cluster_count, 2);
    assert_eq!(
        p.tags,
        vec![
            Tag::new("environment", "production"),
            Tag::new("team", "payments & billing")
        ]
    );
}

#[test]
fn fixture_list_groups_decodes() {
    let page: Page<Project> = decode("projects/list_groups.json");
    assert_eq!(page.total_count, Some(5));
    assert_eq!(page.results.len(), 2);
    assert_eq!(page.results[1].name, "My Project (dev)");
    assert_eq!(page.results[1].with_default_alerts_settings, None);
}

#[test]
fn fixture_update_group_decodes() {
    let p: Project = decode("projects/update_group.json");
    assert_eq!(p.name, "e2e-proj-318-renamed");
    assert_eq!(p.with_default_alerts_settings, Some(false));
}

#[test]
fn fixture_project_ignores_unknown_fields() {
    let mut v: serde_json::Value =
        serde_json::from_str(&fixture("projects/get_group.json")).unwrap_or_default();
    v["someFutureField"] = serde_json::json!({"nested": true});
    let p: Project = serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.name, "e2e-proj-318");
}

fn api_error(name: &str, status: u16) -> Error {
    Error::Api(ApiError::from_response(status, fixture(name).as_bytes()))
}

#[test]
fn fixture_errors_classify() {
    let nf = api_error("errors/group_not_found.json", 404);
    assert!(nf.is_not_found());
    assert_eq!(
        nf.error_code(),
        Some(atlas_admin_sdk::codes::GROUP_NOT_FOUND)
    );

    let dup = api_error("errors/group_already_exists.json", 409);
    assert!(dup.is_conflict());
    assert_eq!(
        dup.to_string(),
        "conflict (409 GROUP_ALREADY_EXISTS): A group with name \"e2e-proj-318\" already exists."
    );

    let unauth = api_error("errors/unauthorized.json", 401);
    assert!(unauth.is_unauthorized());
    assert_eq!(
        unauth.to_string(),
        "authentication failed (401 UNEXPECTED_ERROR): You are not authorized for this resource."
    );

    let rl = api_error("errors/rate_limited.json", 429);
    assert!(rl.is_retryable());
    assert_eq!(rl.status(), Some(429));

    let bad = api_error("errors/invalid_attribute.json", 400);
    let detail = bad
        .as_api_error()
        .and_then(|e| e.bad_request_detail.clone())
        .map(|b| *b)
        .unwrap_or_default();
    assert_eq!(detail.fields.len(), 1);
    assert_eq!(detail.fields[0].field, "name");
}

// ---------------------------------------------------------------------------------------------
// Clusters, database users, access list.

use atlas_admin_sdk::models::{
    AccessListEntry, AccessListStatus, AccessListStatusResponse, Cluster, DatabaseUser,
    DatabaseUserRole, Label, ProcessArgs, UserScope,
};

#[test]
fn fixture_create_cluster_decodes() {
    let c: Cluster = decode("clusters/create_cluster.json");
    assert_eq!(c.name.as_deref(), Some("cluster-607"));
    assert_eq!(c.state_name.as_deref(), Some("CREATING"));
    assert!(!c.is_idle());
    assert_eq!(c.id.as_deref(), Some("6a79f5afd21a0d4a1ac2b9f0"));
    assert_eq!(c.group_id.as_deref(), Some("6a79f2c2d21a0d4a1ac2b3c4"));
    assert_eq!(c.mongo_db_major_version.as_deref(), Some("8.0"));
    assert_eq!(c.mongo_db_version.as_deref(), Some("8.0.14"));
    assert_eq!(c.create_date.as_deref(), Some("2026-08-10T03:14:07Z"));
    assert_eq!(c.tags, Some(vec![Tag::new("environment", "dev")]));
    assert_eq!(c.labels, Some(vec![]));
    // Connection strings are empty while creating.
    assert_eq!(c.connection_strings, Some(Default::default()));
    let specs = c.replication_specs.unwrap_or_default();
    assert_eq!(specs.len(), 1);
    assert_eq!(specs[0].id.as_deref(), Some("6a79f5afd21a0d4a1ac2b9e8"));
    let rc = &specs[0].region_configs.clone().unwrap_or_default()[0];
    assert_eq!(rc.provider_name.as_deref(), Some("AWS"));
    assert_eq!(rc.region_name.as_deref(), Some("US_EAST_1"));
    assert_eq!(rc.priority, Some(7));
    let e = rc.electable_specs.clone().unwrap_or_default();
    assert_eq!(e.instance_size.as_deref(), Some("M10"));
    assert_eq!(e.node_count, Some(3));
    assert_eq!(e.disk_size_gb, Some(10.0));
    assert_eq!(e.disk_iops, Some(3000));
    assert_eq!(e.disk_throughput, Some(125));
    assert_eq!(e.ebs_volume_type.as_deref(), Some("STANDARD"));
    let auto = rc.auto_scaling.clone().unwrap_or_default();
    assert_eq!(auto.disk_gb.and_then(|d| d.enabled), Some(true));
    assert_eq!(auto.compute.and_then(|c| c.scale_down_enabled), Some(false));
}

#[test]
fn fixture_get_cluster_decodes() {
    let c: Cluster = decode("clusters/get_cluster.json");
    assert!(c.is_idle());
    assert_eq!(c.termination_protection_enabled, Some(true));
    assert_eq!(c.pit_enabled, Some(true));
    assert_eq!(
        c.labels,
        Some(vec![Label::new(
            "Infrastructure Tool",
            "MongoDB Atlas Terraform Provider"
        )])
    );
    let bi = c.bi_connector.clone().unwrap_or_default();
    assert_eq!(bi.read_preference.as_deref(), Some("secondary"));
    let adv = c.advanced_configuration.clone().unwrap_or_default();
    assert_eq!(adv.tls_cipher_config_mode.as_deref(), Some("CUSTOM"));
    assert_eq!(
        adv.custom_openssl_cipher_config_tls12.map(|v| v.len()),
        Some(2)
    );
    let cs = c.connection_strings.clone().unwrap_or_default();
    assert_eq!(
        cs.standard_srv.as_deref(),
        Some("mongodb+srv://cluster-607.x5bxq.mongodb.net")
    );
    assert_eq!(cs.aws_private_link.map(|m| m.len()), Some(0));
    let pe = cs.private_endpoint.unwrap_or_default();
    assert_eq!(pe[0].r#type.as_deref(), Some("MONGOD"));
    let ep = pe[0].endpoints.clone().unwrap_or_default();
    assert_eq!(ep[0].endpoint_id.as_deref(), Some("vpce-0a1b2c3d4e5f67890"));
    let specs = c.replication_specs.clone().unwrap_or_default();
    let rcs = specs[0].region_configs.clone().unwrap_or_default();
    assert_eq!(rcs.len(), 2);
    let compute = rcs[0]
        .auto_scaling
        .clone()
        .and_then(|a| a.compute)
        .unwrap_or_default();
    assert_eq!(compute.enabled, Some(true));
    assert_eq!(compute.max_instance_size.as_deref(), Some("M40"));
    assert_eq!(compute.min_instance_size.as_deref(), Some("M10"));
    // Auto-scaling moved the cluster past the configured size.
    assert_eq!(
        rcs[0]
            .effective_electable_specs
            .clone()
            .and_then(|s| s.instance_size)
            .as_deref(),
        Some("M30")
    );
    assert_eq!(rcs[1].provider_name.as_deref(), Some("GCP"));
    assert_eq!(rcs[1].priority, Some(6));
    assert_eq!(rcs[1].read_only_specs, None);
}

#[test]
fn fixture_list_clusters_decodes() {
    let page: Page<Cluster> = decode("clusters/list_clusters.json");
    assert_eq!(page.total_count, Some(2));
    let free = &page.results[0];
    let rc = &free.replication_specs.clone().unwrap_or_default()[0]
        .region_configs
        .clone()
        .unwrap_or_default()[0];
    assert_eq!(rc.provider_name.as_deref(), Some("TENANT"));
    assert_eq!(rc.backing_provider_name.as_deref(), Some("AWS"));
    let e = rc.electable_specs.clone().unwrap_or_default();
    assert_eq!(e.effective_instance_size.as_deref(), Some("M0"));
    assert_eq!(e.disk_size_gb, Some(0.5));
    let sharded = &page.results[1];
    assert_eq!(sharded.cluster_type.as_deref(), Some("SHARDED"));
    assert_eq!(sharded.config_server_type.as_deref(), Some("EMBEDDED"));
    assert_eq!(sharded.replication_specs.as_ref().map(Vec::len), Some(2));
    assert_eq!(sharded.state_name.as_deref(), Some("UPDATING"));
}

#[test]
fn fixture_process_args_decodes_nulls() {
    let p: ProcessArgs = decode("clusters/process_args.json");
    assert_eq!(p.oplog_size_mb, None);
    assert_eq!(p.default_max_time_ms, None);
    assert_eq!(p.oplog_min_retention_hours, Some(24.5));
    assert_eq!(
        p.change_stream_options_pre_and_post_images_expire_after_seconds,
        Some(-1)
    );
    assert_eq!(p.sample_size_bi_connector, Some(1000));
    assert_eq!(p.default_write_concern.as_deref(), Some("majority"));
    assert_eq!(p.transaction_lifetime_limit_seconds, Some(60));
}

#[test]
fn fixture_cluster_ignores_unknown_fields() {
    let mut v: serde_json::Value =
        serde_json::from_str(&fixture("clusters/get_cluster.json")).unwrap_or_default();
    v["someFutureField"] = serde_json::json!(1);
    v["replicationSpecs"][0]["regionConfigs"][0]["autoScaling"]["compute"]["predictiveEnabled"] =
        serde_json::json!(false);
    let c: Cluster = serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"));
    assert!(c.is_idle());
}

#[test]
fn fixture_database_users_decode() {
    let u: DatabaseUser = decode("database_users/create_user.json");
    assert_eq!(u.username.as_deref(), Some("app-user"));
    assert_eq!(u.database_name.as_deref(), Some("admin"));
    assert_eq!(u.password, None);
    assert_eq!(
        u.roles,
        Some(vec![
            DatabaseUserRole::new("readWrite", "orders"),
            DatabaseUserRole::new("read", "audit").collection("events"),
        ])
    );
    assert_eq!(
        u.scopes,
        Some(vec![UserScope::new("cluster-607", "CLUSTER")])
    );
    assert_eq!(u.labels, Some(vec![Label::new("owner", "payments")]));
    assert_eq!(u.aws_iam_type.as_deref(), Some("NONE"));

    let page: Page<DatabaseUser> = decode("database_users/list_users.json");
    assert_eq!(page.total_count, Some(3));
    assert_eq!(
        page.results[0].delete_after_date.as_deref(),
        Some("2026-08-15T00:00:00Z")
    );
    assert_eq!(page.results[1].aws_iam_type.as_deref(), Some("ROLE"));
    assert_eq!(page.results[1].database_name.as_deref(), Some("$external"));
    assert_eq!(page.results[2].x509_type.as_deref(), Some("CUSTOMER"));
}

#[test]
fn fixture_access_list_decodes() {
    let page: Page<AccessListEntry> = decode("access_list/create_entries.json");
    assert_eq!(page.results.len(), 3);
    assert_eq!(page.results[0].ip_address, None);
    assert_eq!(
        page.results[0].entry_value().as_deref(),
        Some("10.8.0.0/16")
    );
    assert_eq!(
        page.results[1].entry_value().as_deref(),
        Some("179.154.226.127/32")
    );
    assert_eq!(
        page.results[2].delete_after_date.as_deref(),
        Some("2026-08-12T18:00:00Z")
    );
    let e: AccessListEntry = decode("access_list/get_entry.json");
    assert_eq!(e.ip_address.as_deref(), Some("179.154.226.127"));
    assert_eq!(e.comment.as_deref(), Some("CI runner"));
    let s: AccessListStatusResponse = decode("access_list/status_pending.json");
    assert_eq!(
        AccessListStatus::from_wire(&s.status),
        AccessListStatus::Pending
    );
    let s: AccessListStatusResponse = decode("access_list/status_active.json");
    assert_eq!(
        AccessListStatus::from_wire(&s.status),
        AccessListStatus::Active
    );
}

#[test]
fn fixture_cluster_and_access_list_errors_classify() {
    let nf = api_error("errors/cluster_not_found.json", 404);
    assert!(nf.is_not_found());
    assert_eq!(
        nf.error_code(),
        Some(atlas_admin_sdk::codes::CLUSTER_NOT_FOUND)
    );
    let dup = api_error("errors/duplicate_cluster_name.json", 400);
    assert!(!dup.is_conflict());
    assert_eq!(dup.status(), Some(400));
    assert_eq!(
        dup.error_code(),
        Some(atlas_admin_sdk::codes::DUPLICATE_CLUSTER_NAME)
    );
    let al = api_error("errors/access_list_entry_not_found.json", 404);
    assert!(al.is_not_found());
    assert_eq!(
        al.error_code(),
        Some(atlas_admin_sdk::codes::ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND)
    );
}
