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
