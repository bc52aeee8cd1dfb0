//! The sandbox over real HTTP: digest auth, versions, projects, orgs, pagination, errors,
//! control plane. Every API answer is validated against the spec subset.

mod common;

use std::time::Duration;

use atlas_sandbox::Config;
use common::{challenge_nonce, digest_header, start, start_with, V20230101};
use reqwest::Method;
use serde_json::{json, Value};

const UNKNOWN_ID: &str = "111111111111111111111111";

// ---- digest authentication ----------------------------------------------------------------

#[tokio::test]
async fn unauthenticated_request_gets_the_atlas_digest_challenge() {
    let (sb, c) = start().await;
    let r = c
        .raw(
            Method::GET,
            "/api/atlas/v2/groups",
            &[("accept", V20230101.into())],
            None,
        )
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.content_type(), "application/json");
    let www = r.header("www-authenticate").expect("challenge");
    assert!(
        www.starts_with("Digest realm=\"MMS Public API\", domain=\"\", nonce=\""),
        "{www}"
    );
    assert!(
        www.ends_with("\", algorithm=MD5, qop=\"auth\", stale=false"),
        "{www}"
    );
    assert_eq!(challenge_nonce(www).expect("nonce").len(), 32);
    assert_eq!(
        r.body,
        json!({"error":401,"reason":"Unauthorized","detail":"You are not authorized for this resource.","errorCode":"UNEXPECTED_ERROR"})
    );
    c.spec
        .validate_error(&r.body)
        .expect("401 body is an ApiError");
    sb.shutdown().await;
}

#[tokio::test]
async fn auth_is_checked_before_the_version_and_on_unknown_routes() {
    let (_sb, c) = start().await;
    let r = c.raw(Method::GET, "/api/atlas/v2/groups", &[], None).await;
    assert_eq!(r.status, 401, "no Accept, no auth: challenge first");
    let r = c
        .raw(Method::GET, "/api/atlas/v2/no/such/route", &[], None)
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn one_challenge_serves_many_requests_with_increasing_nc() {
    let (sb, c) = start().await;
    for _ in 0..5 {
        let r = c
            .api("listGroups", Method::GET, "/api/atlas/v2/groups", None)
            .await;
        assert_eq!(r.status, 200);
    }
    let stats = c.control(Method::GET, "/_sandbox/stats", None).await;
    assert_eq!(stats.body["challenges_total"], json!(1), "{stats:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn wrong_private_key_is_refused_without_echoing_secrets() {
    let (sb, good) = start().await;
    let bad = common::Client::new(&sb.base_url, &sb.public_key, "not-the-key-0000");
    let r = bad.raw(Method::GET, "/api/atlas/v2/orgs", &[], None).await;
    let nonce = challenge_nonce(r.header("www-authenticate").expect("challenge")).expect("nonce");
    let auth = digest_header(
        &sb.public_key,
        "not-the-key-0000",
        "GET",
        "/api/atlas/v2/orgs",
        &nonce,
        1,
        "abc",
    );
    let r = bad
        .raw(
            Method::GET,
            "/api/atlas/v2/orgs",
            &[("authorization", auth), ("accept", V20230101.into())],
            None,
        )
        .await;
    assert_eq!(r.status, 401);
    assert!(r
        .header("www-authenticate")
        .expect("challenge")
        .ends_with("stale=false"));
    assert!(!r.text.contains("not-the-key") && !r.text.contains(&sb.private_key));
    // Unknown user too.
    let auth = digest_header(
        "nobody00",
        &sb.private_key,
        "GET",
        "/api/atlas/v2/orgs",
        &nonce,
        2,
        "abc",
    );
    let r = good
        .raw(
            Method::GET,
            "/api/atlas/v2/orgs",
            &[("authorization", auth)],
            None,
        )
        .await;
    assert_eq!(r.status, 401);
    // A digest computed for another path does not authenticate this one.
    let auth = digest_header(
        &sb.public_key,
        &sb.private_key,
        "GET",
        "/api/atlas/v2/groups",
        &nonce,
        3,
        "abc",
    );
    let r = good
        .raw(
            Method::GET,
            "/api/atlas/v2/orgs",
            &[("authorization", auth), ("accept", V20230101.into())],
            None,
        )
        .await;
    assert_eq!(r.status, 401);
    sb.shutdown().await;
}

#[tokio::test]
async fn unknown_or_replayed_nonce_is_stale() {
    let (sb, c) = start().await;
    let path = "/api/atlas/v2/orgs";
    let accept = ("accept", V20230101.to_string());
    let auth = digest_header(
        &sb.public_key,
        &sb.private_key,
        "GET",
        path,
        "bm90LWlzc3VlZC1ieS10aGUtc2FuZGJveA==",
        1,
        "c",
    );
    let r = c
        .raw(
            Method::GET,
            path,
            &[("authorization", auth), accept.clone()],
            None,
        )
        .await;
    assert_eq!(r.status, 401);
    assert!(r
        .header("www-authenticate")
        .expect("challenge")
        .ends_with("stale=true"));

    let nonce = challenge_nonce(r.header("www-authenticate").expect("challenge")).expect("nonce");
    let auth = digest_header(&sb.public_key, &sb.private_key, "GET", path, &nonce, 1, "c");
    let r = c
        .raw(
            Method::GET,
            path,
            &[("authorization", auth.clone()), accept.clone()],
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let r = c
        .raw(Method::GET, path, &[("authorization", auth), accept], None)
        .await;
    assert_eq!(r.status, 401, "same nc again is a replay");
    assert!(r
        .header("www-authenticate")
        .expect("challenge")
        .ends_with("stale=true"));
    sb.shutdown().await;
}

#[tokio::test]
async fn expired_nonce_is_stale_and_the_client_recovers() {
    let config = Config {
        nonce_ttl_seconds: 0.2,
        ..Config::for_tests()
    };
    let (sb, c) = start_with(config).await;
    let r = c
        .api("listOrgs", Method::GET, "/api/atlas/v2/orgs", None)
        .await;
    assert_eq!(r.status, 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Send with the cached (now expired) nonce by hand to see the stale challenge.
    let r = c.raw(Method::GET, "/api/atlas/v2/orgs", &[], None).await;
    let first_nonce =
        challenge_nonce(r.header("www-authenticate").expect("challenge")).expect("nonce");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let auth = digest_header(
        &sb.public_key,
        &sb.private_key,
        "GET",
        "/api/atlas/v2/orgs",
        &first_nonce,
        1,
        "c",
    );
    let r = c
        .raw(
            Method::GET,
            "/api/atlas/v2/orgs",
            &[("authorization", auth)],
            None,
        )
        .await;
    assert_eq!(r.status, 401);
    assert!(r
        .header("www-authenticate")
        .expect("challenge")
        .ends_with("stale=true"));
    // The retrying client gets through with the fresh nonce.
    let r = c
        .api("listOrgs", Method::GET, "/api/atlas/v2/orgs", None)
        .await;
    assert_eq!(r.status, 200);
    sb.shutdown().await;
}

// ---- versions -------------------------------------------------------------------------------

#[tokio::test]
async fn missing_or_unknown_version_is_406_and_success_echoes_the_version() {
    let (sb, c) = start().await;
    for accept in [
        None,
        Some("application/json"),
        Some("application/vnd.atlas.2030-01-01+json"),
        Some("*/*"),
    ] {
        let r = c
            .call(Method::GET, "/api/atlas/v2/groups", accept, None)
            .await;
        assert_eq!(r.status, 406, "{accept:?}: {r:?}");
        assert_eq!(r.code(), "INVALID_VERSION_DATE");
        assert_eq!(r.body["reason"], json!("Not Acceptable"));
        assert!(r.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Accept") && d.contains("2023-01-01")));
        assert_eq!(r.content_type(), "application/json");
        c.spec.validate_error(&r.body).expect("406 is an ApiError");
    }
    let r = c
        .call(Method::GET, "/api/atlas/v2/groups", Some(V20230101), None)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.content_type(),
        "application/vnd.atlas.2023-01-01+json;charset=utf-8"
    );
    // A version another operation has is not good enough here.
    let r = c
        .call(
            Method::GET,
            "/api/atlas/v2/groups",
            Some("application/vnd.atlas.2024-08-05+json"),
            None,
        )
        .await;
    assert_eq!(r.status, 406);
    sb.shutdown().await;
}

#[tokio::test]
async fn spec_operations_not_emulated_yet_are_501_and_deprecated_versions_say_so() {
    let (sb, c) = start().await;
    let path = format!("/api/atlas/v2/groups/{UNKNOWN_ID}/clusters");
    let r = c
        .call(
            Method::GET,
            &path,
            Some("application/vnd.atlas.2023-02-01+json"),
            None,
        )
        .await;
    assert_eq!(r.status, 501, "{r:?}");
    assert_eq!(r.code(), "NOT_IMPLEMENTED");
    assert_eq!(r.header("sunset"), Some("Thu, 01 Jul 2027 00:00:00 GMT"));
    assert_eq!(
        r.header("deprecation"),
        Some("Mon, 05 Aug 2024 00:00:00 GMT")
    );
    sb.shutdown().await;
}

// ---- projects -------------------------------------------------------------------------------

#[tokio::test]
async fn project_crud_codes_and_bodies() {
    let (sb, c) = start().await;
    let body =
        json!({"name": "proj-1", "orgId": sb.org_id, "tags": [{"key": "env", "value": "dev"}]})
            .to_string();
    let r = c
        .api(
            "createGroup",
            Method::POST,
            "/api/atlas/v2/groups",
            Some(&body),
        )
        .await;
    assert_eq!(r.status, 201);
    let g = r.body.clone();
    let id = g["id"].as_str().expect("id").to_string();
    assert_eq!(g["name"], json!("proj-1"));
    assert_eq!(g["orgId"], json!(sb.org_id));
    assert_eq!(g["clusterCount"], json!(0));
    assert_eq!(g["withDefaultAlertsSettings"], json!(true));
    assert_eq!(g["tags"], json!([{"key": "env", "value": "dev"}]));
    assert_eq!(
        g["links"],
        json!([{"href": format!("{}/api/atlas/v2/groups/{id}", sb.base_url), "rel": "self"}])
    );
    let created = g["created"].as_str().expect("created");
    assert!(created.len() == 20 && created.ends_with('Z'), "{created}");
    // The id is time-ordered: its first 4 bytes are the creation second.
    let secs = u32::from_str_radix(&id[..8], 16).expect("hex");
    let created_secs = chrono::DateTime::parse_from_rfc3339(created)
        .expect("rfc3339")
        .timestamp();
    assert_eq!(i64::from(secs), created_secs);

    let r = c
        .api(
            "getGroup",
            Method::GET,
            &format!("/api/atlas/v2/groups/{id}"),
            None,
        )
        .await;
    assert_eq!((r.status, &r.body), (200, &g));
    let r = c
        .api(
            "getGroupByName",
            Method::GET,
            "/api/atlas/v2/groups/byName/proj-1",
            None,
        )
        .await;
    assert_eq!((r.status, &r.body), (200, &g));

    let patch =
        json!({"name": "proj-renamed", "tags": [], "withDefaultAlertsSettings": false}).to_string();
    let r = c
        .api(
            "updateGroup",
            Method::PATCH,
            &format!("/api/atlas/v2/groups/{id}"),
            Some(&patch),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["name"], json!("proj-renamed"));
    assert_eq!(r.body["tags"], json!([]));
    assert_eq!(r.body["withDefaultAlertsSettings"], json!(false));
    assert_eq!(r.body["created"], g["created"]);

    let r = c
        .api("listGroups", Method::GET, "/api/atlas/v2/groups", None)
        .await;
    assert_eq!(r.body["totalCount"], json!(1));
    assert_eq!(r.body["results"][0]["id"], json!(id));

    let r = c
        .api(
            "deleteGroup",
            Method::DELETE,
            &format!("/api/atlas/v2/groups/{id}"),
            None,
        )
        .await;
    assert_eq!(r.status, 202);
    assert_eq!(r.body, json!({}));
    let r = c
        .api(
            "getGroup",
            Method::GET,
            &format!("/api/atlas/v2/groups/{id}"),
            None,
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.code(), "GROUP_NOT_FOUND");
    let r = c
        .api(
            "getGroupByName",
            Method::GET,
            "/api/atlas/v2/groups/byName/proj-renamed",
            None,
        )
        .await;
    assert_eq!(r.code(), "GROUP_NAME_NOT_FOUND");
    let r = c
        .api(
            "deleteGroup",
            Method::DELETE,
            &format!("/api/atlas/v2/groups/{id}"),
            None,
        )
        .await;
    assert_eq!(r.status, 404);
    sb.shutdown().await;
}

#[tokio::test]
async fn project_errors_are_atlas_envelopes_never_500() {
    let (sb, c) = start().await;
    c.create_project(&sb.org_id, "taken").await;
    let org = sb.org_id.as_str();
    let cases: Vec<(String, u16, &str)> = vec![
        (
            json!({"name": "taken", "orgId": org}).to_string(),
            409,
            "GROUP_ALREADY_EXISTS",
        ),
        (
            json!({"name": "has/slash", "orgId": org}).to_string(),
            400,
            "INVALID_GROUP_NAME",
        ),
        (
            json!({"name": "a".repeat(65), "orgId": org}).to_string(),
            400,
            "INVALID_GROUP_NAME",
        ),
        (
            json!({"name": "x-10gen", "orgId": org}).to_string(),
            400,
            "INVALID_GROUP_NAME_10GEN",
        ),
        (json!({"orgId": org}).to_string(), 400, "MISSING_ATTRIBUTE"),
        (json!({"name": "p"}).to_string(), 400, "MISSING_ATTRIBUTE"),
        (
            json!({"name": 12, "orgId": org}).to_string(),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            json!({"name": "p", "orgId": org, "tags": "x"}).to_string(),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            json!({"name": "p", "orgId": org, "tags": [{"key": "k", "value": "v".repeat(256)}]})
                .to_string(),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            json!({"name": "p", "orgId": org, "id": UNKNOWN_ID}).to_string(),
            400,
            "ATTRIBUTE_READ_ONLY",
        ),
        (
            json!({"name": "p", "orgId": UNKNOWN_ID}).to_string(),
            404,
            "ORG_NOT_FOUND",
        ),
        (
            json!({"name": "p", "orgId": "nope"}).to_string(),
            404,
            "INVALID_ORG_ID",
        ),
        ("{\"name\": ".to_string(), 400, "MALFORMED_JSON"),
        ("[1,2]".to_string(), 400, "INVALID_JSON"),
        (String::new(), 400, "INVALID_JSON"),
    ];
    for (body, status, code) in cases {
        let r = c
            .api(
                "createGroup",
                Method::POST,
                "/api/atlas/v2/groups",
                Some(&body),
            )
            .await;
        assert_eq!((r.status, r.code()), (status, code), "body {body}: {r:?}");
        assert_eq!(r.body["error"], json!(status));
        assert!(
            r.body["detail"].is_string()
                && r.body["reason"].is_string()
                && r.body["parameters"].is_array()
        );
    }
    let body = json!({"name": "p", "orgId": org}).to_string();
    let r = c
        .api(
            "createGroup",
            Method::POST,
            "/api/atlas/v2/groups?projectOwnerId=zz",
            Some(&body),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "INVALID_QUERY_PARAMETER"));

    let r = c
        .api(
            "getGroup",
            Method::GET,
            &format!("/api/atlas/v2/groups/{UNKNOWN_ID}"),
            None,
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.body["detail"],
        json!(format!("No group with ID {UNKNOWN_ID} exists."))
    );
    assert_eq!(r.body["parameters"], json!([UNKNOWN_ID]));
    let r = c
        .api(
            "getGroup",
            Method::GET,
            "/api/atlas/v2/groups/not-an-id",
            None,
        )
        .await;
    assert_eq!((r.status, r.code()), (404, "INVALID_GROUP_ID"));
    let r = c
        .api(
            "updateGroup",
            Method::PATCH,
            &format!("/api/atlas/v2/groups/{UNKNOWN_ID}"),
            Some("{}"),
        )
        .await;
    assert_eq!((r.status, r.code()), (404, "GROUP_NOT_FOUND"));
    let r = c
        .api(
            "getGroupByName",
            Method::GET,
            &format!("/api/atlas/v2/groups/byName/{}", "n".repeat(65)),
            None,
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "INVALID_PATH_PARAMETER"));
    let r = c
        .api("getGroup", Method::GET, "/api/atlas/v2/groups/%FF%FE", None)
        .await;
    assert!(r.status == 400 || r.status == 404, "{r:?}");

    let taken_id = c
        .api(
            "getGroupByName",
            Method::GET,
            "/api/atlas/v2/groups/byName/taken",
            None,
        )
        .await
        .body["id"]
        .as_str()
        .expect("id")
        .to_string();
    let other = c.create_project(&sb.org_id, "other").await;
    let other_id = other["id"].as_str().expect("id");
    let r = c
        .api(
            "updateGroup",
            Method::PATCH,
            &format!("/api/atlas/v2/groups/{other_id}"),
            Some(&json!({"name": "taken"}).to_string()),
        )
        .await;
    assert_eq!((r.status, r.code()), (409, "GROUP_ALREADY_EXISTS"));
    let r = c
        .api(
            "updateGroup",
            Method::PATCH,
            &format!("/api/atlas/v2/groups/{taken_id}"),
            Some(&json!({"withDefaultAlertsSettings": "no"}).to_string()),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "INVALID_ATTRIBUTE"));
    let r = c
        .api(
            "updateGroup",
            Method::PATCH,
            &format!("/api/atlas/v2/groups/{taken_id}"),
            Some("{oops"),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "MALFORMED_JSON"));

    // Routing errors.
    let r = c
        .call(
            Method::GET,
            "/api/atlas/v2/no/such/route",
            Some(V20230101),
            None,
        )
        .await;
    assert_eq!((r.status, r.code()), (404, "RESOURCE_NOT_FOUND"));
    c.spec.validate_error(&r.body).expect("ApiError");
    let r = c
        .call(Method::GET, "/api/atlas/v2/groups/", Some(V20230101), None)
        .await;
    assert_eq!(
        (r.status, r.code()),
        (404, "RESOURCE_NOT_FOUND"),
        "trailing slash"
    );
    let r = c
        .call(Method::PUT, "/api/atlas/v2/groups", Some(V20230101), None)
        .await;
    assert_eq!((r.status, r.code()), (405, "METHOD_NOT_ALLOWED"));
    let r = c.control(Method::GET, "/elsewhere", None).await;
    assert_eq!((r.status, r.code()), (404, "RESOURCE_NOT_FOUND"));
    sb.shutdown().await;
}

// ---- pagination -----------------------------------------------------------------------------

#[tokio::test]
async fn lists_paginate_in_creation_order() {
    let (sb, c) = start().await;
    let mut ids = Vec::new();
    for name in ["p-c", "p-a", "p-e", "p-b", "p-d"] {
        ids.push(
            c.create_project(&sb.org_id, name).await["id"]
                .as_str()
                .expect("id")
                .to_string(),
        );
    }
    let r = c
        .api(
            "listGroups",
            Method::GET,
            "/api/atlas/v2/groups?pageNum=2&itemsPerPage=2",
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let got: Vec<&str> = r.body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|g| g["id"].as_str().expect("id"))
        .collect();
    assert_eq!(got, [ids[2].as_str(), ids[3].as_str()]);
    assert_eq!(r.body["totalCount"], json!(5));
    assert_eq!(
        r.body["links"],
        json!([{"href": format!("{}/api/atlas/v2/groups?includeCount=true&pageNum=2&itemsPerPage=2", sb.base_url), "rel": "self"}])
    );
    let r = c
        .api(
            "listGroups",
            Method::GET,
            "/api/atlas/v2/groups?pageNum=3&itemsPerPage=2&includeCount=false",
            None,
        )
        .await;
    assert_eq!(r.body["results"].as_array().map(Vec::len), Some(1));
    assert!(r.body.get("totalCount").is_none());
    let r = c
        .api(
            "listGroups",
            Method::GET,
            "/api/atlas/v2/groups?pageNum=9",
            None,
        )
        .await;
    assert_eq!(r.body["results"], json!([]));
    for q in [
        "pageNum=0",
        "itemsPerPage=501",
        "itemsPerPage=0",
        "pageNum=abc",
        "includeCount=maybe",
        "itemsPerPage=-3",
        "envelope=2",
    ] {
        let r = c
            .api(
                "listGroups",
                Method::GET,
                &format!("/api/atlas/v2/groups?{q}"),
                None,
            )
            .await;
        assert_eq!(
            (r.status, r.code()),
            (400, "INVALID_QUERY_PARAMETER"),
            "{q}"
        );
    }
    sb.shutdown().await;
}

// ---- organizations --------------------------------------------------------------------------

#[tokio::test]
async fn orgs_list_get_and_their_projects() {
    let (sb, c) = start().await;
    let r = c
        .api("listOrgs", Method::GET, "/api/atlas/v2/orgs", None)
        .await;
    assert_eq!(r.body["totalCount"], json!(1));
    assert_eq!(r.body["results"][0]["id"], json!(sb.org_id));
    let org_id = sb.org_id.as_str();
    assert!(
        org_id.len() == 24
            && org_id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    let secs = i64::from(u32::from_str_radix(&org_id[..8], 16).expect("hex"));
    assert!(
        (chrono::Utc::now().timestamp() - secs).abs() < 60,
        "time-ordered org id"
    );

    let name = r.body["results"][0]["name"]
        .as_str()
        .expect("name")
        .to_string();
    let prefix = name[..3].to_uppercase();
    let r = c
        .api(
            "listOrgs",
            Method::GET,
            &format!("/api/atlas/v2/orgs?name={prefix}"),
            None,
        )
        .await;
    assert_eq!(
        r.body["totalCount"],
        json!(1),
        "case-insensitive prefix filter"
    );
    let r = c
        .api("listOrgs", Method::GET, "/api/atlas/v2/orgs?name=zzz", None)
        .await;
    assert_eq!(r.body["results"], json!([]));

    let r = c
        .api(
            "getOrg",
            Method::GET,
            &format!("/api/atlas/v2/orgs/{org_id}"),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body["links"][0]["href"],
        json!(format!("{}/api/atlas/v2/orgs/{org_id}", sb.base_url))
    );
    let r = c
        .api(
            "getOrg",
            Method::GET,
            &format!("/api/atlas/v2/orgs/{UNKNOWN_ID}"),
            None,
        )
        .await;
    assert_eq!((r.status, r.code()), (404, "ORG_NOT_FOUND"));
    let r = c
        .api("getOrg", Method::GET, "/api/atlas/v2/orgs/xyz", None)
        .await;
    assert_eq!((r.status, r.code()), (404, "INVALID_ORG_ID"));

    c.create_project(org_id, "alpha").await;
    c.create_project(org_id, "beta").await;
    let r = c
        .api(
            "getOrgGroups",
            Method::GET,
            &format!("/api/atlas/v2/orgs/{org_id}/groups"),
            None,
        )
        .await;
    assert_eq!(r.body["totalCount"], json!(2));
    let r = c
        .api(
            "getOrgGroups",
            Method::GET,
            &format!("/api/atlas/v2/orgs/{org_id}/groups?name=BE"),
            None,
        )
        .await;
    assert_eq!(r.body["results"][0]["name"], json!("beta"));
    assert_eq!(r.body["totalCount"], json!(1));
    let r = c
        .api(
            "getOrgGroups",
            Method::GET,
            &format!("/api/atlas/v2/orgs/{UNKNOWN_ID}/groups"),
            None,
        )
        .await;
    assert_eq!(r.code(), "ORG_NOT_FOUND");
    sb.shutdown().await;
}

// ---- control plane --------------------------------------------------------------------------

#[tokio::test]
async fn stats_count_every_request() {
    let (sb, c) = start().await;
    let before = sb.requests_total();
    assert_eq!(before, 0);
    c.api("listOrgs", Method::GET, "/api/atlas/v2/orgs", None)
        .await; // challenge + request
    let r = c.control(Method::GET, "/_sandbox/stats", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["requests_total"], json!(2), "{:?}", r.body);
    assert_eq!(r.body["requests_by_status"]["401"], json!(1));
    assert_eq!(r.body["requests_by_status"]["200"], json!(1));
    assert_eq!(r.body["requests_by_operation"]["listOrgs"], json!(1));
    assert_eq!(sb.requests_total(), 3, "the stats call itself counts too");
    sb.shutdown().await;
}

#[tokio::test]
async fn reset_wipes_projects_and_keeps_org_and_key() {
    let (sb, c) = start().await;
    c.create_project(&sb.org_id, "one").await;
    c.create_project(&sb.org_id, "two").await;
    let r = c.control(Method::POST, "/_sandbox/reset", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["projects_removed"], json!(2));
    let r = c
        .api("listGroups", Method::GET, "/api/atlas/v2/groups", None)
        .await;
    assert_eq!(r.status, 200, "the key still authenticates");
    assert_eq!(r.body["totalCount"], json!(0));
    let r = c
        .api(
            "getOrg",
            Method::GET,
            &format!("/api/atlas/v2/orgs/{}", sb.org_id),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    c.create_project(&sb.org_id, "one").await;
    let state = c.control(Method::GET, "/_sandbox/state", None).await;
    assert_eq!(state.body["projects"].as_array().map(Vec::len), Some(1));
    assert!(
        !state.text.contains(&sb.private_key),
        "no secrets in the dump"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn faults_hit_the_api_but_never_the_control_plane() {
    let (sb, c) = start().await;
    c.api("listOrgs", Method::GET, "/api/atlas/v2/orgs", None)
        .await; // warm the nonce
    let r = c
        .control(
            Method::POST,
            "/_sandbox/faults",
            Some(r#"{"fail_rate": 1.0}"#),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    // An injected 500 or 503 (the only 5xx the sandbox answers on purpose).
    let r = c
        .call(Method::GET, "/api/atlas/v2/orgs", Some(V20230101), None)
        .await;
    assert!(
        matches!(
            (r.status, r.code()),
            (500, "UNEXPECTED_ERROR") | (503, "SERVICE_UNAVAILABLE")
        ),
        "{r:?}"
    );
    c.spec.validate_error(&r.body).expect("ApiError");
    let r = c
        .control(
            Method::POST,
            "/_sandbox/faults",
            Some(r#"{"fail_rate": 0, "throttle_rate": 1}"#),
        )
        .await;
    assert_eq!(
        r.body,
        json!({"fail_rate": 0.0, "throttle_rate": 1.0, "latency_ms": 0, "retry_after_seconds": 1})
    );
    let r = c
        .api("listOrgs", Method::GET, "/api/atlas/v2/orgs", None)
        .await;
    assert_eq!((r.status, r.code()), (429, "RATE_LIMITED_TOKEN_BUCKET"));
    assert_eq!(r.header("retry-after"), Some("1"));
    let stats = c.control(Method::GET, "/_sandbox/stats", None).await;
    assert_eq!(stats.status, 200);
    let r = c
        .control(
            Method::POST,
            "/_sandbox/faults",
            Some(r#"{"fail_rate": 2}"#),
        )
        .await;
    assert_eq!(r.status, 400);
    c.control(
        Method::POST,
        "/_sandbox/faults",
        Some(r#"{"throttle_rate": 0}"#),
    )
    .await;
    let r = c
        .api("listOrgs", Method::GET, "/api/atlas/v2/orgs", None)
        .await;
    assert_eq!(r.status, 200);
    sb.shutdown().await;
}

#[tokio::test]
async fn invalid_config_is_refused() {
    let config = Config {
        fail_rate: 1.5,
        ..Config::for_tests()
    };
    assert!(atlas_sandbox::spawn(config).await.is_err());
    let config = Config {
        public_key: String::new(),
        ..Config::for_tests()
    };
    assert!(atlas_sandbox::spawn(config).await.is_err());
}

#[tokio::test]
async fn handle_fields_match_the_defaults() {
    let (sb, _c) = start().await;
    assert!(sb.base_url.starts_with("http://127.0.0.1:") && !sb.base_url.ends_with('/'));
    assert_eq!(sb.public_key, atlas_sandbox::DEFAULT_PUBLIC_KEY);
    assert_eq!(sb.private_key, atlas_sandbox::DEFAULT_PRIVATE_KEY);
    let _: Value = json!(sb.org_id);
    sb.shutdown().await;
}

// ---- the binary -----------------------------------------------------------------------------

#[cfg(unix)]
#[tokio::test]
async fn binary_prints_its_url_and_org_and_exits_on_sigterm() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_atlas-sandbox"))
        .args(["--listen", "127.0.0.1:0", "--seed", "42"])
        .env_remove("ATLAS_SANDBOX_PUBLIC_KEY")
        .env_remove("ATLAS_SANDBOX_PRIVATE_KEY")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("prints in time")
        .expect("reads")
        .expect("a line");
    let base = first
        .strip_prefix("atlas-sandbox listening on ")
        .expect("listening line")
        .to_string();
    let second = lines.next_line().await.expect("reads").expect("a line");
    let org_id = second
        .strip_prefix("atlas-sandbox organization id ")
        .expect("org line");
    assert_eq!(org_id.len(), 24);

    let c = common::Client::new(
        &base,
        atlas_sandbox::DEFAULT_PUBLIC_KEY,
        atlas_sandbox::DEFAULT_PRIVATE_KEY,
    );
    let r = c
        .api(
            "getOrg",
            Method::GET,
            &format!("/api/atlas/v2/orgs/{org_id}"),
            None,
        )
        .await;
    assert_eq!(r.status, 200);

    let pid = child.id().expect("running").to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("exits in time")
        .expect("waits");
    assert!(status.success(), "{status:?}");
}

// ---- coverage -------------------------------------------------------------------------------

/// COVERAGE.md tells the truth: ticked operations are served, the others answer 501.
#[tokio::test]
async fn coverage_table_matches_what_the_server_serves() {
    let (sb, c) = start().await;
    let coverage = include_str!("../COVERAGE.md");
    let ticked = |id: &str| coverage.contains(&format!("| [x] | {id} |"));
    let listed = |id: &str| ticked(id) || coverage.contains(&format!("| [ ] | {id} |"));
    for op in c.spec.operations() {
        assert!(
            listed(&op.operation_id),
            "{} missing from COVERAGE.md",
            op.operation_id
        );
        let path: String = op
            .path
            .split('/')
            .map(|seg| match (seg.find('{'), seg.find('}')) {
                (Some(a), Some(b)) => {
                    let name = &seg[a + 1..b];
                    let value = if name.ends_with("Id") && name != "apiUserId" {
                        UNKNOWN_ID
                    } else {
                        "x"
                    };
                    format!("{}{value}{}", &seg[..a], &seg[b + 1..])
                }
                _ => seg.to_string(),
            })
            .collect::<Vec<_>>()
            .join("/");
        let version = op
            .versions
            .iter()
            .rev()
            .find(|v| v.version != "preview")
            .expect("a dated version");
        let accept = format!("application/vnd.atlas.{}+json", version.version);
        let body = matches!(op.method, Method::POST | Method::PATCH | Method::PUT).then_some("{}");
        let r = c.call(op.method.clone(), &path, Some(&accept), body).await;
        if ticked(&op.operation_id) {
            assert!(
                r.status != 501 && r.status != 405 && r.status < 500,
                "{} {path}: {r:?}",
                op.operation_id
            );
        } else {
            assert_eq!(r.status, 501, "{} {path}: {r:?}", op.operation_id);
        }
    }
    sb.shutdown().await;
}
