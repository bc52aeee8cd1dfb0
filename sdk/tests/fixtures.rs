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
    assert_eq!(nf.error_code(), Some("GROUP_NOT_FOUND"));

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
