//! The SDK's wire models against the official OpenAPI subset: request bodies only use writable
//! properties of the schema, response models cover every required property, and the golden
//! fixtures only use properties the spec knows.

use std::collections::BTreeSet;
use std::path::PathBuf;

use atlas_admin_sdk::models::{CreateProject, Organization, Project, Tag, UpdateProject};
use atlas_admin_sdk::{ApiError, Page};
use serde_json::Value;

fn spec() -> Value {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        manifest.join("../spec/atlas-admin-v2-subset.json"),
        manifest.join("../../shared/atlas-openapi/atlas-admin-v2-subset.json"),
    ];
    let path = candidates
        .iter()
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("OpenAPI subset not found in {candidates:?}"));
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn schema<'a>(spec: &'a Value, name: &str) -> &'a Value {
    let s = &spec["components"]["schemas"][name];
    assert!(s.is_object(), "schema {name} missing from the spec");
    s
}

fn properties(schema: &Value) -> BTreeSet<String> {
    schema["properties"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn read_only(schema: &Value) -> BTreeSet<String> {
    schema["properties"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, v)| v["readOnly"] == Value::Bool(true))
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

fn required(schema: &Value) -> BTreeSet<String> {
    schema["required"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn assert_subset(what: &str, sent: &BTreeSet<String>, allowed: &BTreeSet<String>) {
    let unknown: Vec<_> = sent.difference(allowed).collect();
    assert!(
        unknown.is_empty(),
        "{what}: fields not in the spec: {unknown:?}"
    );
}

#[test]
fn spec_create_project_body_uses_writable_group_properties() {
    let spec = spec();
    let group = schema(&spec, "Group");
    let body = CreateProject::new("p", "6a0346c9d21a0d4a1ac1c9e1")
        .with_default_alerts_settings(false)
        .tag("k", "v")
        .region_usage_restrictions("GOV_REGIONS_ONLY")
        .project_owner_id("6a0346c9d21a0d4a1ac1c9ff");
    let json = serde_json::to_value(&body).unwrap_or_default();
    let sent = keys(&json);
    assert_eq!(sent.len(), 5, "every body field set: {sent:?}");
    assert!(
        !sent.contains("projectOwnerId"),
        "projectOwnerId is a query parameter"
    );
    assert_subset("CreateProject", &sent, &properties(group));
    let group_read_only = read_only(group);
    let ro: Vec<_> = sent.intersection(&group_read_only).collect();
    assert!(ro.is_empty(), "CreateProject sends read-only fields {ro:?}");
    // Required request fields are always sent.
    for f in required(group).difference(&group_read_only) {
        if f == "clusterCount" || f == "created" {
            continue; // readOnly in practice (response-only)
        }
        assert!(sent.contains(f), "CreateProject lacks required {f}");
    }
    let tag_keys = keys(&json["tags"][0]);
    assert_eq!(tag_keys, properties(schema(&spec, "ResourceTag")));
}

#[test]
fn spec_update_project_body_uses_group_update_properties() {
    let spec = spec();
    let body = UpdateProject::new()
        .name("n")
        .tags(vec![Tag::new("k", "v")])
        .with_default_alerts_settings(true);
    let sent = keys(&serde_json::to_value(&body).unwrap_or_default());
    assert_eq!(sent, properties(schema(&spec, "GroupUpdate")));
    // An empty update sends an empty object.
    let empty = serde_json::to_value(UpdateProject::new()).unwrap_or_default();
    assert_eq!(empty, serde_json::json!({}));
}

#[test]
fn spec_project_model_matches_group_schema() {
    let spec = spec();
    let group = schema(&spec, "Group");
    let p: Project = serde_json::from_value(fixture("projects/get_group.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut json = serde_json::to_value(&p).unwrap_or_default();
    assert_subset("Project", &keys(&json), &properties(group));
    for f in required(group) {
        assert!(json.get(&f).is_some(), "Project lacks required {f}");
    }
    // With every optional field populated, the model names every Group property.
    json["withDefaultAlertsSettings"] = Value::Bool(true);
    json["regionUsageRestrictions"] = Value::String("GOV_REGIONS_ONLY".into());
    let full: Project = serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"));
    let full_keys = keys(&serde_json::to_value(&full).unwrap_or_default());
    assert_eq!(full_keys, properties(group));
}

#[test]
fn spec_organization_model_matches_atlas_organization_schema() {
    let spec = spec();
    let s = schema(&spec, "AtlasOrganization");
    let o: Organization = serde_json::from_value(fixture("organizations/get_org.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let json_keys = keys(&serde_json::to_value(&o).unwrap_or_default());
    assert_eq!(json_keys, properties(s));
}

#[test]
fn spec_page_matches_paginated_views() {
    let spec = spec();
    let p: Page<Project> = serde_json::from_value(fixture("projects/list_groups.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let k = keys(&serde_json::to_value(&p).unwrap_or_default());
    assert_eq!(k, properties(schema(&spec, "PaginatedAtlasGroupView")));
    assert_eq!(k, properties(schema(&spec, "PaginatedOrganizationView")));
    let link_keys = keys(&serde_json::to_value(&p.links[0]).unwrap_or_default());
    assert_eq!(link_keys, properties(schema(&spec, "Link")));
}

#[test]
fn spec_api_error_matches_schema() {
    let spec = spec();
    let s = schema(&spec, "ApiError");
    let e = ApiError::from_response(
        400,
        serde_json::to_string(&fixture("errors/invalid_attribute.json"))
            .unwrap_or_default()
            .as_bytes(),
    );
    let k = keys(&serde_json::to_value(&e).unwrap_or_default());
    assert_eq!(k, properties(s));
    let violation =
        keys(&fixture("errors/invalid_attribute.json")["badRequestDetail"]["fields"][0]);
    assert_eq!(violation, properties(schema(&spec, "FieldViolation")));
}

#[test]
fn spec_fixtures_only_use_known_properties() {
    let spec = spec();
    let group = properties(schema(&spec, "Group"));
    let org = properties(schema(&spec, "AtlasOrganization"));
    let err = properties(schema(&spec, "ApiError"));
    for f in [
        "projects/create_group.json",
        "projects/get_group.json",
        "projects/update_group.json",
    ] {
        assert_subset(f, &keys(&fixture(f)), &group);
    }
    for item in fixture("projects/list_groups.json")["results"]
        .as_array()
        .into_iter()
        .flatten()
    {
        assert_subset("list_groups result", &keys(item), &group);
    }
    assert_subset(
        "get_org",
        &keys(&fixture("organizations/get_org.json")),
        &org,
    );
    for item in fixture("organizations/list_orgs.json")["results"]
        .as_array()
        .into_iter()
        .flatten()
    {
        assert_subset("list_orgs result", &keys(item), &org);
    }
    for f in [
        "errors/group_not_found.json",
        "errors/group_already_exists.json",
        "errors/unauthorized.json",
        "errors/rate_limited.json",
        "errors/invalid_attribute.json",
    ] {
        let v = fixture(f);
        assert_subset(f, &keys(&v), &err);
        for r in required(schema(&spec, "ApiError")) {
            assert!(v.get(&r).is_some(), "{f} lacks {r}");
        }
    }
}

#[test]
fn spec_operations_offer_the_versions_the_sdk_uses() {
    let spec = spec();
    let ops = [
        ("/api/atlas/v2/orgs", "get", "200"),
        ("/api/atlas/v2/orgs/{orgId}", "get", "200"),
        ("/api/atlas/v2/groups", "get", "200"),
        ("/api/atlas/v2/groups", "post", "200"),
        ("/api/atlas/v2/groups/byName/{groupName}", "get", "200"),
        ("/api/atlas/v2/groups/{groupId}", "get", "200"),
        ("/api/atlas/v2/groups/{groupId}", "patch", "200"),
        ("/api/atlas/v2/groups/{groupId}", "delete", "204"),
    ];
    for (path, method, status) in ops {
        let content = &spec["paths"][path][method]["responses"][status]["content"];
        assert!(
            content
                .get("application/vnd.atlas.2023-01-01+json")
                .is_some(),
            "{method} {path} does not offer 2023-01-01: {content}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Clusters, process args, database users, access list.
//
// A sample instance of a schema is generated from the spec with *every* property set (union
// of `allOf`/`oneOf` variants); decoding it into the model and encoding it back must give the
// same JSON, which proves the model names every property exactly (with a compatible type) and
// adds none. Request bodies are then checked to use only writable properties.

use std::collections::BTreeMap;

use atlas_admin_sdk::models::{
    AccessListEntry, AccessListStatusResponse, AutoScaling, BiConnector, Cluster,
    ComputeAutoScaling, DatabaseUser, DatabaseUserRole, DiskGbAutoScaling, HardwareSpec, Label,
    ProcessArgs, RegionConfig, ReplicationSpec, UserScope,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

fn resolve<'a>(spec: &'a Value, s: &'a Value) -> &'a Value {
    match s["$ref"].as_str() {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap_or_default();
            resolve(spec, schema(spec, name))
        }
        None => s,
    }
}

/// Properties of a schema, including those of its `allOf` and `oneOf` members (a variant's
/// `allOf` refers back to its base, hence the visited set).
fn merged_properties<'a>(spec: &'a Value, s: &'a Value) -> BTreeMap<String, &'a Value> {
    let mut out = BTreeMap::new();
    collect_properties(spec, s, &mut BTreeSet::new(), &mut out);
    out
}

fn collect_properties<'a>(
    spec: &'a Value,
    s: &'a Value,
    visited: &mut BTreeSet<String>,
    out: &mut BTreeMap<String, &'a Value>,
) {
    if let Some(r) = s["$ref"].as_str() {
        if !visited.insert(r.to_owned()) {
            return;
        }
        let name = r.rsplit('/').next().unwrap_or_default();
        return collect_properties(spec, schema(spec, name), visited, out);
    }
    for key in ["allOf", "oneOf"] {
        for member in s[key].as_array().into_iter().flatten() {
            collect_properties(spec, member, visited, out);
        }
    }
    if let Some(props) = s["properties"].as_object() {
        for (k, v) in props {
            out.insert(k.clone(), v);
        }
    }
}

fn first_enum(spec: &Value, s: &Value) -> Option<Value> {
    let s = resolve(spec, s);
    if let Some(e) = s["enum"].as_array().and_then(|e| e.first()) {
        return Some(e.clone());
    }
    let members = s["oneOf"].as_array()?;
    let first = members.first()?;
    if !merged_properties(spec, first).is_empty() {
        return None;
    }
    first_enum(spec, first)
}

fn sample(spec: &Value, s: &Value, depth: usize) -> Value {
    assert!(depth < 12, "schema too deep");
    if let Some(e) = first_enum(spec, s) {
        return e;
    }
    let props = merged_properties(spec, s);
    if !props.is_empty() {
        return Value::Object(
            props
                .into_iter()
                .map(|(k, v)| (k, sample(spec, v, depth + 1)))
                .collect(),
        );
    }
    let s = resolve(spec, s);
    match s["type"].as_str() {
        Some("string") if s["format"] == "date-time" => Value::from("2026-08-10T03:02:58Z"),
        Some("string") => Value::from("s"),
        Some("integer") => Value::from(7),
        Some("number") => Value::from(2.5),
        Some("boolean") => Value::Bool(true),
        Some("array") => Value::Array(vec![sample(spec, &s["items"], depth + 1)]),
        Some("object") => match s.get("additionalProperties") {
            Some(ap) if ap.is_object() => {
                serde_json::json!({ "k": sample(spec, ap, depth + 1) })
            }
            _ => serde_json::json!({}),
        },
        other => panic!("cannot sample schema type {other:?}: {s}"),
    }
}

fn round_trip<T: DeserializeOwned + Serialize>(spec: &Value, schema_name: &str) -> (Value, T) {
    let full = sample(spec, schema(spec, schema_name), 0);
    let model: T = serde_json::from_value(full.clone())
        .unwrap_or_else(|e| panic!("{schema_name}: sample does not decode: {e}\n{full:#}"));
    let back = serde_json::to_value(&model).unwrap_or_default();
    assert_eq!(
        back, full,
        "{schema_name}: the model does not round-trip every property"
    );
    (full, model)
}

/// Paths of keys in `value` that are unknown to `s` or read-only there (recursively),
/// skipping the paths listed in `allowed` (`replicationSpecs[].id`).
fn non_writable(
    spec: &Value,
    s: &Value,
    value: &Value,
    path: &str,
    allowed: &[&str],
) -> Vec<String> {
    let mut bad = Vec::new();
    match value {
        Value::Object(map) => {
            let props = merged_properties(spec, s);
            for (k, v) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match props.get(k) {
                    None => bad.push(format!("{p} (unknown)")),
                    Some(ps) => {
                        // Only the property's own flag counts: the spec also marks some
                        // shared schemas read-only as a whole (`DedicatedHardwareSpec20240805`,
                        // `BaseCloudProviderInstanceSize`, `EmployeeAccessGrantView`) although
                        // `readOnlySpecs`, `analyticsSpecs` and the auto-scaling bounds are
                        // writable in practice (the official provider sends them).
                        let ro = ps["readOnly"] == Value::Bool(true);
                        if ro && !allowed.contains(&p.as_str()) {
                            bad.push(format!("{p} (read-only)"));
                        }
                        bad.extend(non_writable(spec, ps, v, &p, allowed));
                    }
                }
            }
        }
        Value::Array(items) => {
            let item_schema = &resolve(spec, s)["items"];
            for item in items {
                bad.extend(non_writable(
                    spec,
                    item_schema,
                    item,
                    &format!("{path}[]"),
                    allowed,
                ));
            }
        }
        _ => {}
    }
    bad
}

fn assert_writable(spec: &Value, schema_name: &str, body: &impl Serialize, allowed: &[&str]) {
    let json = serde_json::to_value(body).unwrap_or_default();
    let bad = non_writable(spec, schema(spec, schema_name), &json, "", allowed);
    assert!(bad.is_empty(), "{schema_name} body sends {bad:?}\n{json:#}");
}

#[test]
fn spec_cluster_model_names_every_property() {
    let spec = spec();
    let (_, c) = round_trip::<Cluster>(&spec, "ClusterDescription20240805");
    assert!(c.replication_specs.is_some() && c.connection_strings.is_some());
    round_trip::<ReplicationSpec>(&spec, "ReplicationSpec20240805");
    round_trip::<RegionConfig>(&spec, "CloudRegionConfig20240805");
    round_trip::<RegionConfig>(&spec, "AWSRegionConfig20240805");
    round_trip::<RegionConfig>(&spec, "TenantRegionConfig20240805");
    round_trip::<HardwareSpec>(&spec, "HardwareSpec20240805");
    round_trip::<HardwareSpec>(&spec, "DedicatedHardwareSpec20240805");
    round_trip::<AutoScaling>(&spec, "AdvancedAutoScalingSettings");
    round_trip::<BiConnector>(&spec, "BiConnector");
    round_trip::<Tag>(&spec, "ResourceTag");
    round_trip::<Label>(&spec, "ComponentLabel");
    round_trip::<ProcessArgs>(&spec, "ClusterDescriptionProcessArgs20240805");
    round_trip::<Page<Cluster>>(&spec, "PaginatedClusterDescription20240805");
}

#[test]
fn spec_database_user_and_access_list_models_name_every_property() {
    let spec = spec();
    round_trip::<DatabaseUser>(&spec, "CloudDatabaseUser");
    round_trip::<DatabaseUserRole>(&spec, "DatabaseUserRole");
    round_trip::<UserScope>(&spec, "UserScope");
    round_trip::<Page<DatabaseUser>>(&spec, "PaginatedApiAtlasDatabaseUserView");
    round_trip::<AccessListEntry>(&spec, "NetworkPermissionEntry");
    round_trip::<AccessListStatusResponse>(&spec, "NetworkPermissionEntryStatus");
    round_trip::<Page<AccessListEntry>>(&spec, "PaginatedNetworkAccessView");
}

fn terraform_like_create() -> Cluster {
    Cluster {
        name: Some("cluster-607".into()),
        cluster_type: Some("REPLICASET".into()),
        backup_enabled: Some(true),
        mongo_db_major_version: Some("8.0".into()),
        termination_protection_enabled: Some(false),
        bi_connector: Some(BiConnector {
            enabled: Some(false),
            read_preference: Some("SECONDARY".into()),
        }),
        tags: Some(vec![Tag::new("environment", "dev")]),
        labels: Some(vec![Label::new("owner", "team")]),
        replication_specs: Some(vec![ReplicationSpec {
            zone_name: Some("Zone 1".into()),
            region_configs: Some(vec![RegionConfig {
                provider_name: Some("AWS".into()),
                region_name: Some("US_EAST_1".into()),
                priority: Some(7),
                electable_specs: Some(HardwareSpec {
                    instance_size: Some("M10".into()),
                    node_count: Some(3),
                    disk_size_gb: Some(10.0),
                    disk_iops: Some(3000),
                    ebs_volume_type: Some("STANDARD".into()),
                    ..Default::default()
                }),
                auto_scaling: Some(AutoScaling {
                    compute: Some(ComputeAutoScaling {
                        enabled: Some(true),
                        scale_down_enabled: Some(true),
                        min_instance_size: Some("M10".into()),
                        max_instance_size: Some("M40".into()),
                    }),
                    disk_gb: Some(DiskGbAutoScaling {
                        enabled: Some(true),
                    }),
                }),
                ..Default::default()
            }]),
            ..Default::default()
        }]),
        ..Default::default()
    }
}

#[test]
fn spec_cluster_request_bodies_use_writable_properties() {
    let spec = spec();
    assert_writable(
        &spec,
        "ClusterDescription20240805",
        &terraform_like_create(),
        &[],
    );

    // A minimal PATCH: a resize echoing the shard id, which Atlas needs for existing shards.
    let patch = Cluster {
        replication_specs: Some(vec![ReplicationSpec {
            id: Some("6a79f5afd21a0d4a1ac2b9e8".into()),
            region_configs: Some(vec![RegionConfig {
                provider_name: Some("AWS".into()),
                region_name: Some("US_EAST_1".into()),
                priority: Some(7),
                electable_specs: Some(HardwareSpec {
                    instance_size: Some("M20".into()),
                    node_count: Some(3),
                    ..Default::default()
                }),
                ..Default::default()
            }]),
            ..Default::default()
        }]),
        ..Default::default()
    };
    assert_writable(
        &spec,
        "ClusterDescription20240805",
        &patch,
        &["replicationSpecs[].id"],
    );

    // A response turned into a body: `without_read_only` strips every read-only property.
    let full: Cluster = serde_json::from_value(sample(
        &spec,
        schema(&spec, "ClusterDescription20240805"),
        0,
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let full_json = serde_json::to_value(&full).unwrap_or_default();
    let before = non_writable(
        &spec,
        schema(&spec, "ClusterDescription20240805"),
        &full_json,
        "",
        &[],
    );
    for ro in [
        "stateName (read-only)",
        "connectionStrings.standard (read-only)",
        "replicationSpecs[].zoneId (read-only)",
        "replicationSpecs[].regionConfigs[].electableSpecs.diskThroughput (read-only)",
        "replicationSpecs[].regionConfigs[].electableSpecs.effectiveInstanceSize (read-only)",
    ] {
        assert!(
            before.contains(&ro.to_owned()),
            "{ro} not detected in {before:?}"
        );
    }
    let stripped = full.without_read_only();
    assert_writable(
        &spec,
        "ClusterDescription20240805",
        &stripped,
        &["replicationSpecs[].id"],
    );
    assert!(stripped.replication_specs.is_some() && stripped.name.is_some());

    // Same for the golden response.
    let got: Cluster = serde_json::from_value(fixture("clusters/get_cluster.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_writable(
        &spec,
        "ClusterDescription20240805",
        &got.without_read_only(),
        &["replicationSpecs[].id"],
    );

    let args = ProcessArgs {
        javascript_enabled: Some(false),
        oplog_size_mb: Some(2048),
        default_max_time_ms: Some(100),
        sample_size_bi_connector: Some(500),
        ..Default::default()
    };
    assert_writable(&spec, "ClusterDescriptionProcessArgs20240805", &args, &[]);
}

#[test]
fn spec_database_user_and_access_list_bodies_use_writable_properties() {
    let spec = spec();
    let user = DatabaseUser {
        username: Some("app".into()),
        database_name: Some("admin".into()),
        group_id: Some("6a79f2c2d21a0d4a1ac2b3c4".into()),
        password: Some("a-long-password".into()),
        roles: Some(vec![DatabaseUserRole::new("readWrite", "orders")]),
        scopes: Some(vec![UserScope::new("cluster-607", "CLUSTER")]),
        labels: Some(vec![Label::new("k", "v")]),
        description: Some("d".into()),
        ..Default::default()
    };
    assert_writable(&spec, "CloudDatabaseUser", &user, &[]);
    let sent = keys(&serde_json::to_value(&user).unwrap_or_default());
    for r in required(schema(&spec, "CloudDatabaseUser")) {
        assert!(sent.contains(&r), "create body lacks required {r}");
    }
    let role_keys =
        keys(&serde_json::to_value(&user.roles.clone().unwrap_or_default()[0]).unwrap_or_default());
    for r in required(schema(&spec, "DatabaseUserRole")) {
        assert!(role_keys.contains(&r), "role lacks required {r}");
    }

    let entries = vec![
        AccessListEntry::ip_address("203.0.113.7").comment("CI"),
        AccessListEntry::cidr_block("10.0.0.0/24"),
        AccessListEntry::aws_security_group("sg-0123abcd"),
    ];
    for e in &entries {
        assert_writable(&spec, "NetworkPermissionEntry", e, &[]);
    }
    // The POST body is an array of entries.
    let body = &spec["paths"]["/api/atlas/v2/groups/{groupId}/accessList"]["post"]["requestBody"]
        ["content"]["application/vnd.atlas.2023-01-01+json"]["schema"];
    assert_eq!(body["type"], "array");
}

#[test]
fn spec_new_fixtures_only_use_known_properties() {
    let spec = spec();
    let check = |name: &str, schema_name: &str| {
        let v = fixture(name);
        let bad: Vec<_> = non_writable(&spec, schema(&spec, schema_name), &v, "", &[])
            .into_iter()
            .filter(|p| p.ends_with("(unknown)"))
            .collect();
        assert!(bad.is_empty(), "{name}: {bad:?}");
    };
    check("clusters/create_cluster.json", "ClusterDescription20240805");
    check("clusters/get_cluster.json", "ClusterDescription20240805");
    check(
        "clusters/list_clusters.json",
        "PaginatedClusterDescription20240805",
    );
    check(
        "clusters/process_args.json",
        "ClusterDescriptionProcessArgs20240805",
    );
    check("database_users/create_user.json", "CloudDatabaseUser");
    check(
        "database_users/list_users.json",
        "PaginatedApiAtlasDatabaseUserView",
    );
    check(
        "access_list/create_entries.json",
        "PaginatedNetworkAccessView",
    );
    check("access_list/get_entry.json", "NetworkPermissionEntry");
    check(
        "access_list/status_active.json",
        "NetworkPermissionEntryStatus",
    );
    for f in [
        "errors/cluster_not_found.json",
        "errors/duplicate_cluster_name.json",
        "errors/access_list_entry_not_found.json",
    ] {
        assert_subset(
            f,
            &keys(&fixture(f)),
            &properties(schema(&spec, "ApiError")),
        );
    }
}

#[test]
fn spec_cluster_user_access_list_operations_offer_the_sdk_versions() {
    let spec = spec();
    let ops = [
        ("/groups/{groupId}/clusters", "get", "200", "2024-08-05"),
        ("/groups/{groupId}/clusters", "post", "201", "2024-10-23"),
        (
            "/groups/{groupId}/clusters/{clusterName}",
            "get",
            "200",
            "2024-08-05",
        ),
        (
            "/groups/{groupId}/clusters/{clusterName}",
            "patch",
            "200",
            "2024-10-23",
        ),
        (
            "/groups/{groupId}/clusters/{clusterName}",
            "delete",
            "202",
            "2023-02-01",
        ),
        (
            "/groups/{groupId}/clusters/{clusterName}/processArgs",
            "get",
            "200",
            "2024-08-05",
        ),
        (
            "/groups/{groupId}/clusters/{clusterName}/processArgs",
            "patch",
            "200",
            "2024-08-05",
        ),
        (
            "/groups/{groupId}/databaseUsers",
            "get",
            "200",
            "2023-01-01",
        ),
        (
            "/groups/{groupId}/databaseUsers",
            "post",
            "201",
            "2023-01-01",
        ),
        (
            "/groups/{groupId}/databaseUsers/{databaseName}/{username}",
            "get",
            "200",
            "2023-01-01",
        ),
        (
            "/groups/{groupId}/databaseUsers/{databaseName}/{username}",
            "patch",
            "200",
            "2023-01-01",
        ),
        (
            "/groups/{groupId}/databaseUsers/{databaseName}/{username}",
            "delete",
            "204",
            "2023-01-01",
        ),
        ("/groups/{groupId}/accessList", "get", "200", "2023-01-01"),
        ("/groups/{groupId}/accessList", "post", "200", "2023-01-01"),
        (
            "/groups/{groupId}/accessList/{entryValue}",
            "get",
            "200",
            "2023-01-01",
        ),
        (
            "/groups/{groupId}/accessList/{entryValue}",
            "delete",
            "204",
            "2023-01-01",
        ),
        (
            "/groups/{groupId}/accessList/{entryValue}/status",
            "get",
            "200",
            "2023-01-01",
        ),
    ];
    for (path, method, status, version) in ops {
        let op = &spec["paths"][format!("/api/atlas/v2{path}")][method];
        let media = format!("application/vnd.atlas.{version}+json");
        let content = &op["responses"][status]["content"];
        assert!(
            content.get(&media).is_some(),
            "{method} {path} does not answer {media}: {content}"
        );
        if let Some(req) = op["requestBody"]["content"].as_object() {
            assert!(
                req.contains_key(&media),
                "{method} {path} does not accept {media}"
            );
        }
    }
    // The cluster create/update bodies at that version are the 20240805 schema.
    let post = &spec["paths"]["/api/atlas/v2/groups/{groupId}/clusters"]["post"]["requestBody"]
        ["content"]["application/vnd.atlas.2024-10-23+json"]["schema"]["$ref"];
    assert_eq!(post, "#/components/schemas/ClusterDescription20240805");
}

// ---------------------------------------------------------------------------------------------
// Generated models and the operation table.

use atlas_admin_sdk::generated::models::{
    GroupMaintenanceWindow, GroupMaintenanceWindowUpdate, ProtectedHours,
};

#[test]
fn spec_generated_maintenance_window_models_name_every_property() {
    let spec = spec();
    round_trip::<GroupMaintenanceWindow>(&spec, "GroupMaintenanceWindow");
    round_trip::<ProtectedHours>(&spec, "ProtectedHours");
    // The update body: every writable property, nothing read-only.
    let update = GroupMaintenanceWindowUpdate::new()
        .day_of_week(3)
        .hour_of_day(4)
        .start_asap(false)
        .auto_defer_once_enabled(true)
        .protected_hours(
            ProtectedHours::default()
                .start_hour_of_day(1)
                .end_hour_of_day(2),
        );
    assert_writable(&spec, "GroupMaintenanceWindow", &update, &[]);
    let s = schema(&spec, "GroupMaintenanceWindow");
    let writable: BTreeSet<String> = properties(s).difference(&read_only(s)).cloned().collect();
    assert_eq!(
        keys(&serde_json::to_value(&update).unwrap_or_default()),
        writable
    );
    assert_eq!(
        serde_json::to_value(GroupMaintenanceWindowUpdate::new()).unwrap_or_default(),
        serde_json::json!({})
    );
}

#[test]
fn spec_operation_table_matches_the_spec() {
    let spec = spec();
    let mut seen = BTreeSet::new();
    for op in atlas_admin_sdk::ops::ALL {
        let path = format!("/api/atlas/v2{}", op.path);
        let method = format!("{:?}", op.verb).to_ascii_lowercase();
        let doc = &spec["paths"][&path][&method];
        assert_eq!(doc["operationId"].as_str(), Some(op.id), "{path} {method}");
        let media = format!("application/vnd.atlas.{}+json", op.version);
        let offered = doc["responses"]
            .as_object()
            .into_iter()
            .flat_map(|r| r.values())
            .any(|r| r["content"].get(&media).is_some())
            || doc["requestBody"]["content"].get(&media).is_some();
        assert!(offered, "{} does not offer {media}", op.id);
        assert!(op.versions.contains(&op.version));
        for p in op.path_params {
            assert!(op.path.contains(&format!("{{{p}}}")), "{}: {p}", op.id);
        }
        assert!(seen.insert(op.id), "{} twice", op.id);
    }
    let in_spec = spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
        .flat_map(|item| item.as_object().into_iter().flat_map(|m| m.values()))
        .filter(|op| op["operationId"].is_string())
        .count();
    assert_eq!(seen.len(), in_spec, "every spec operation is in the table");
}

// ---------------------------------------------------------------------------------------------
// Generated models of the API areas: the response type names every property but write-only
// ones; the create / update types every writable one (write-only included), nothing read-only;
// required properties are not optional in the response and create types.

use atlas_admin_sdk::generated::models::{
    AtlasOrganization, CloudDatabaseUser, CloudDatabaseUserCreate, CloudDatabaseUserUpdate,
    ClusterDescription20240805, ClusterDescription20240805Create, ClusterDescription20240805Update,
    ClusterDescriptionProcessArgs20240805, ClusterDescriptionProcessArgs20240805Update, Group,
    GroupCreate, GroupUpdate, NetworkPermissionEntry, NetworkPermissionEntryCreate,
    NetworkPermissionEntryStatus,
};

/// `value` without the properties `drop` selects (by their schema), recursively.
fn without(spec: &Value, s: &Value, value: &Value, drop: &dyn Fn(&Value) -> bool) -> Value {
    match value {
        Value::Object(map) => {
            let props = merged_properties(spec, s);
            Value::Object(
                map.iter()
                    .filter_map(|(k, v)| {
                        let ps = props.get(k)?;
                        (!drop(ps)).then(|| (k.clone(), without(spec, ps, v, drop)))
                    })
                    .collect(),
            )
        }
        Value::Array(items) => {
            let item_schema = &resolve(spec, s)["items"];
            Value::Array(
                items
                    .iter()
                    .map(|i| without(spec, item_schema, i, drop))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

/// The full sample of `schema_name`, decoded as `T` and encoded back, must equal the sample
/// without the properties `drop` selects.
fn round_trip_kind<T: DeserializeOwned + Serialize>(
    spec: &Value,
    schema_name: &str,
    drop: &dyn Fn(&Value) -> bool,
) -> T {
    let s = schema(spec, schema_name);
    let expected = without(spec, s, &sample(spec, s, 0), drop);
    let model: T = serde_json::from_value(expected.clone())
        .unwrap_or_else(|e| panic!("{schema_name}: sample does not decode: {e}\n{expected:#}"));
    let back = serde_json::to_value(&model).unwrap_or_default();
    assert_eq!(
        back,
        expected,
        "{schema_name}: {} does not name every property",
        std::any::type_name::<T>()
    );
    model
}

fn is_write_only(p: &Value) -> bool {
    p["writeOnly"] == Value::Bool(true)
}

fn is_read_only(p: &Value) -> bool {
    p["readOnly"] == Value::Bool(true)
}

/// Response, create and update types of one schema.
fn check_generated<R, C, U>(spec: &Value, schema_name: &str)
where
    R: DeserializeOwned + Serialize,
    C: DeserializeOwned + Serialize + Default,
    U: DeserializeOwned + Serialize + Default,
{
    round_trip_kind::<R>(spec, schema_name, &is_write_only);
    for body in [
        serde_json::to_value(round_trip_kind::<C>(spec, schema_name, &is_read_only)),
        serde_json::to_value(round_trip_kind::<U>(spec, schema_name, &is_read_only)),
    ] {
        assert_writable(spec, schema_name, &body.unwrap_or_default(), &[]);
    }
    // An empty update is an empty object.
    assert_eq!(
        serde_json::to_value(U::default()).unwrap_or_default(),
        serde_json::json!({}),
        "{schema_name}"
    );
}

/// Required properties are plain fields: decoding an object without one fails.
fn requires<T: DeserializeOwned>(spec: &Value, schema_name: &str, drop_read_only: bool) {
    let s = schema(spec, schema_name);
    let drop = |p: &Value| is_write_only(p) && !drop_read_only || is_read_only(p) && drop_read_only;
    let full = without(spec, s, &sample(spec, s, 0), &drop);
    for r in required(s) {
        if !full.as_object().is_some_and(|m| m.contains_key(&r)) {
            continue; // read-only (create) or write-only (response): not in this type
        }
        let mut partial = full.clone();
        if let Some(m) = partial.as_object_mut() {
            m.remove(&r);
        }
        assert!(
            serde_json::from_value::<T>(partial).is_err(),
            "{schema_name}: {} accepts an object without required {r}",
            std::any::type_name::<T>()
        );
    }
}

#[test]
fn spec_generated_area_models_name_every_property() {
    let spec = spec();
    round_trip_kind::<AtlasOrganization>(&spec, "AtlasOrganization", &is_write_only);
    round_trip_kind::<Group>(&spec, "Group", &is_write_only);
    let create = round_trip_kind::<GroupCreate>(&spec, "Group", &is_read_only);
    assert_writable(&spec, "Group", &create, &[]);
    let update = round_trip_kind::<GroupUpdate>(&spec, "GroupUpdate", &is_read_only);
    assert_writable(&spec, "GroupUpdate", &update, &[]);
    check_generated::<CloudDatabaseUser, CloudDatabaseUserCreate, CloudDatabaseUserUpdate>(
        &spec,
        "CloudDatabaseUser",
    );
    check_generated::<
        ClusterDescription20240805,
        ClusterDescription20240805Create,
        ClusterDescription20240805Update,
    >(&spec, "ClusterDescription20240805");
    round_trip_kind::<ClusterDescriptionProcessArgs20240805>(
        &spec,
        "ClusterDescriptionProcessArgs20240805",
        &is_write_only,
    );
    let args = round_trip_kind::<ClusterDescriptionProcessArgs20240805Update>(
        &spec,
        "ClusterDescriptionProcessArgs20240805",
        &is_read_only,
    );
    assert_writable(&spec, "ClusterDescriptionProcessArgs20240805", &args, &[]);
    round_trip_kind::<NetworkPermissionEntry>(&spec, "NetworkPermissionEntry", &is_write_only);
    let entry = round_trip_kind::<NetworkPermissionEntryCreate>(
        &spec,
        "NetworkPermissionEntry",
        &is_read_only,
    );
    assert_writable(&spec, "NetworkPermissionEntry", &entry, &[]);
    round_trip_kind::<NetworkPermissionEntryStatus>(
        &spec,
        "NetworkPermissionEntryStatus",
        &is_write_only,
    );
    // The hand-written names are the generated types.
    let _: fn(Project) -> Group = |p| p;
    let _: fn(Organization) -> AtlasOrganization = |o| o;
    let _: fn(UpdateProject) -> GroupUpdate = |u| u;
}

#[test]
fn spec_generated_required_properties_are_not_optional() {
    let spec = spec();
    requires::<AtlasOrganization>(&spec, "AtlasOrganization", false);
    requires::<Group>(&spec, "Group", false);
    requires::<GroupCreate>(&spec, "Group", true);
    requires::<CloudDatabaseUser>(&spec, "CloudDatabaseUser", false);
    requires::<CloudDatabaseUserCreate>(&spec, "CloudDatabaseUser", true);
    requires::<NetworkPermissionEntryStatus>(&spec, "NetworkPermissionEntryStatus", false);
    // Creates carry the write-only properties, responses never do.
    let s = schema(&spec, "CloudDatabaseUser");
    let user: CloudDatabaseUser = round_trip_kind(&spec, "CloudDatabaseUser", &is_write_only);
    let answered = keys(&serde_json::to_value(&user).unwrap_or_default());
    assert!(!answered.contains("password") && !answered.contains("groupId"));
    let create: CloudDatabaseUserCreate =
        round_trip_kind(&spec, "CloudDatabaseUser", &is_read_only);
    let sent = keys(&serde_json::to_value(&create).unwrap_or_default());
    for r in required(s) {
        assert!(sent.contains(&r), "create lacks required {r}");
    }
    // …and never print the password.
    let shown = format!(
        "{:?}",
        CloudDatabaseUserCreate::new("admin", "g", Vec::new(), "u").password("hunter2-secret")
    );
    assert!(
        !shown.contains("hunter2") && shown.contains("[REDACTED]"),
        "{shown}"
    );
}
