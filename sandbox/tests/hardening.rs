//! Issue 12: the sandbox accepts what Atlas accepts (spaced project names) and rejects what
//! Atlas rejects (control characters, too many shards), and the smaller findings: the signed
//! digest `uri` covers the query, a write's versioned Content-Type must match its Accept, an
//! oversized body is 413, a silent connection is closed, a project owner cannot rewrite an
//! organization owner's key, and errors do not echo huge inputs. Never a 500.

mod common;

use std::time::Duration;

use atlas_sandbox::Config;
use common::{challenge_nonce, digest_header, start, start_with, Client, V20230101};
use reqwest::Method;
use serde_json::{json, Value};

const V20241023: &str = "application/vnd.atlas.2024-10-23+json";

fn no_5xx(r: &common::Resp) {
    assert!(r.status < 500, "server error: {r:?}");
}

#[tokio::test]
async fn project_names_with_spaces_are_accepted_as_atlas_does() {
    let (sb, c) = start().await;
    // The official provider's examples and Atlas's default project name.
    for name in [
        "Project 0",
        "Asymmetric Sharded Cluster",
        "Global Cluster",
        "Multi-Cloud Cluster",
    ] {
        let p = c.create_project(&sb.org_id, name).await;
        assert_eq!(p["name"], json!(name));
        let r = c
            .api(
                "getGroupByName",
                Method::GET,
                &format!("/api/atlas/v2/groups/byName/{}", name.replace(' ', "%20")),
                None,
            )
            .await;
        assert_eq!((r.status, &r.body["id"]), (200, &p["id"]), "{r:?}");
    }
    let gid = c.create_project(&sb.org_id, "renamed-later").await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let r = c
        .api(
            "updateGroup",
            Method::PATCH,
            &format!("/api/atlas/v2/groups/{gid}"),
            Some(&json!({"name": "Renamed Project"}).to_string()),
        )
        .await;
    assert_eq!(
        (r.status, &r.body["name"]),
        (200, &json!("Renamed Project"))
    );
    // What Atlas refuses: control characters, a leading/trailing space, other punctuation.
    for bad in [
        " lead",
        "trail ",
        "tab\there",
        "nul\0byte",
        "new\nline",
        "a/b",
        "a\u{7f}",
    ] {
        let r = c
            .api(
                "createGroup",
                Method::POST,
                "/api/atlas/v2/groups",
                Some(&json!({"name": bad, "orgId": sb.org_id}).to_string()),
            )
            .await;
        assert_eq!(
            (r.status, r.code()),
            (400, "INVALID_GROUP_NAME"),
            "{bad:?}: {r:?}"
        );
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn control_characters_in_a_database_username_are_refused() {
    let (sb, c) = start().await;
    let gid = c.create_project(&sb.org_id, "users").await["id"]
        .as_str()
        .expect("id")
        .to_string();
    for name in ["nul\0user", "line\nbreak", "bell\u{7}", "esc\u{1b}[0m"] {
        let body = json!({
            "username": name, "databaseName": "admin", "groupId": gid,
            "password": "a-long-enough-password-1",
            "roles": [{"roleName": "readWrite", "databaseName": "app"}],
        })
        .to_string();
        let r = c
            .api(
                "createGroupDatabaseUser",
                Method::POST,
                &format!("/api/atlas/v2/groups/{gid}/databaseUsers"),
                Some(&body),
            )
            .await;
        assert_eq!(
            (r.status, r.code()),
            (400, "ATLAS_INVALID_USERNAME"),
            "{name:?}: {r:?}"
        );
    }
    sb.shutdown().await;
}

fn shard(regions: &[(&str, i64, i64)]) -> Value {
    let configs: Vec<Value> = regions
        .iter()
        .map(|(region, priority, nodes)| {
            json!({"providerName": "AWS", "regionName": region, "priority": priority,
                   "electableSpecs": {"instanceSize": "M30", "nodeCount": nodes}})
        })
        .collect();
    json!({"regionConfigs": configs})
}

async fn create_sharded(c: &Client, gid: &str, name: &str, shards: Vec<Value>) -> common::Resp {
    let body = json!({"name": name, "clusterType": "SHARDED", "replicationSpecs": shards});
    let r = c
        .call(
            Method::POST,
            &format!("/api/atlas/v2/groups/{gid}/clusters"),
            Some(V20241023),
            Some(&body.to_string()),
        )
        .await;
    no_5xx(&r);
    r
}

#[tokio::test]
async fn shard_counts_follow_atlas_limits() {
    let (sb, c) = start().await;
    let gid = c.create_project(&sb.org_id, "shards").await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let single = shard(&[("US_EAST_1", 7, 3)]);
    let multi = shard(&[("US_EAST_1", 7, 2), ("US_WEST_2", 6, 1)]);
    for (name, shards, ok) in [
        ("s1000", vec![single.clone(); 1000], false),
        ("s81", vec![single.clone(); 81], false),
        ("s80", vec![single.clone(); 80], true),
        ("m31", vec![multi.clone(); 31], false),
        ("m30", vec![multi.clone(); 30], true),
    ] {
        let r = create_sharded(&c, &gid, name, shards).await;
        if ok {
            assert_eq!(r.status, 201, "{name}: {r:?}");
        } else {
            assert_eq!(
                (r.status, r.code()),
                (400, "REPLICATION_SPECS_INVALID"),
                "{name}: {r:?}"
            );
        }
    }
    sb.shutdown().await;
}

/// An authenticated request whose digest signs `signed_uri` but which asks for `target`.
async fn signed(
    c: &Client,
    sb: &atlas_sandbox::SandboxHandle,
    signed_uri: &str,
    target: &str,
) -> u16 {
    let challenge = c.raw(Method::GET, target, &[], None).await;
    let nonce = challenge
        .header("www-authenticate")
        .and_then(challenge_nonce)
        .expect("challenge");
    let auth = digest_header(
        &sb.public_key,
        &sb.private_key,
        "GET",
        signed_uri,
        &nonce,
        1,
        "c0ffee",
    );
    c.raw(
        Method::GET,
        target,
        &[("accept", V20230101.into()), ("authorization", auth)],
        None,
    )
    .await
    .status
}

#[tokio::test]
async fn the_digest_uri_must_be_the_whole_request_target() {
    let (sb, c) = start().await;
    let base = "/api/atlas/v2/groups";
    assert_eq!(
        signed(
            &c,
            &sb,
            &format!("{base}?itemsPerPage=2"),
            &format!("{base}?itemsPerPage=2")
        )
        .await,
        200
    );
    assert_eq!(signed(&c, &sb, base, base).await, 200);
    // Signed for another query, or for the path alone: refused.
    assert_eq!(
        signed(
            &c,
            &sb,
            &format!("{base}?itemsPerPage=1"),
            &format!("{base}?itemsPerPage=2")
        )
        .await,
        401
    );
    assert_eq!(
        signed(&c, &sb, base, &format!("{base}?itemsPerPage=2")).await,
        401
    );
    assert_eq!(
        signed(&c, &sb, &format!("{base}?itemsPerPage=2"), base).await,
        401
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_write_body_must_be_in_the_version_it_accepts() {
    let (sb, c) = start().await;
    let body = |n: &str| json!({"name": n, "orgId": sb.org_id}).to_string();
    let send = |ct: &'static str, n: String| {
        let c = &c;
        async move {
            // Authenticate first through `call` (nonce cached), then send with this type.
            c.call(Method::GET, "/api/atlas/v2/groups", Some(V20230101), None)
                .await;
            let mut headers = vec![
                ("accept", V20230101.to_string()),
                ("content-type", ct.to_string()),
            ];
            let r = c
                .raw(Method::POST, "/api/atlas/v2/groups", &headers, None)
                .await;
            let nonce = r
                .header("www-authenticate")
                .and_then(challenge_nonce)
                .expect("challenge");
            headers.push((
                "authorization",
                digest_header(
                    &c.user,
                    &c.pass,
                    "POST",
                    "/api/atlas/v2/groups",
                    &nonce,
                    1,
                    "abc",
                ),
            ));
            c.raw(Method::POST, "/api/atlas/v2/groups", &headers, Some(&n))
                .await
        }
    };
    let r = send("application/vnd.atlas.2024-08-05+json", body("mismatch")).await;
    assert_eq!(
        (r.status, r.code()),
        (415, "UNSUPPORTED_MEDIA_TYPE"),
        "{r:?}"
    );
    assert_eq!(r.content_type(), "application/json");
    let r = send("application/vnd.atlas.2023-01-01+json", body("matching")).await;
    assert_eq!(r.status, 201, "{r:?}");
    let r = send("application/json", body("plain-json")).await;
    assert_eq!(r.status, 201, "{r:?}");
    // Only the matching and the plain one exist.
    let r = c
        .call(Method::GET, "/api/atlas/v2/groups", Some(V20230101), None)
        .await;
    assert_eq!(r.body["totalCount"], json!(2), "{r:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn an_oversized_body_is_413_not_invalid_json() {
    let (sb, c) = start().await;
    let huge = format!(
        "{{\"name\": \"{}\", \"orgId\": \"{}\"}}",
        "x".repeat(10 << 20),
        sb.org_id
    );
    let r = c
        .call(
            Method::POST,
            "/api/atlas/v2/groups",
            Some(V20230101),
            Some(&huge),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (413, "PAYLOAD_TOO_LARGE"),
        "{}",
        r.text
    );
    assert_eq!(r.body["error"], json!(413));
    // Also on a route that reads a JSON array, and unauthenticated.
    let r = c
        .raw(Method::POST, "/api/oauth/token", &[], Some(&huge))
        .await;
    assert_eq!(r.status, 413, "{}", r.text);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_connection_that_never_sends_headers_is_closed() {
    use tokio::io::AsyncReadExt as _;
    let (sb, c) = start_with(Config {
        header_read_timeout_seconds: 0.3,
        ..Config::for_tests()
    })
    .await;
    let mut silent = tokio::net::TcpStream::connect(sb.local_addr)
        .await
        .expect("connects");
    let mut buf = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), silent.read_to_end(&mut buf)).await;
    assert!(closed.is_ok(), "the server closed the silent connection");
    // Normal requests still work.
    let r = c
        .call(Method::GET, "/api/atlas/v2/groups", Some(V20230101), None)
        .await;
    assert_eq!(r.status, 200);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_project_owner_cannot_rewrite_an_org_owners_key() {
    let (sb, c) = start().await;
    let org = sb.org_id.clone();
    let gid = c.create_project(&org, "keys").await["id"]
        .as_str()
        .expect("id")
        .to_string();
    // A project owner key, and an organization owner key assigned to the project.
    let r = c
        .call(
            Method::POST,
            &format!("/api/atlas/v2/groups/{gid}/apiKeys"),
            Some(V20230101),
            Some(&json!({"desc": "project owner", "roles": ["GROUP_OWNER"]}).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let owner = Client::new(
        &sb.base_url,
        r.body["publicKey"].as_str().expect("public"),
        r.body["privateKey"].as_str().expect("private"),
    );
    let own_key = r.body["id"].as_str().expect("id").to_string();
    let r = c
        .call(
            Method::POST,
            &format!("/api/atlas/v2/orgs/{org}/apiKeys"),
            Some(V20230101),
            Some(&json!({"desc": "the org owner", "roles": ["ORG_OWNER"]}).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let boss = r.body["id"].as_str().expect("id").to_string();
    let r = c
        .call(
            Method::POST,
            &format!("/api/atlas/v2/groups/{gid}/apiKeys/{boss}"),
            Some(V20230101),
            Some(&json!([{"roles": ["GROUP_READ_ONLY"]}]).to_string()),
        )
        .await;
    assert_eq!(r.status, 204, "{r:?}");

    // One signed attempt (`call` would take a 401 for a stale nonce and retry).
    let path = format!("/api/atlas/v2/groups/{gid}/apiKeys/{boss}");
    let challenge = owner.raw(Method::PATCH, &path, &[], None).await;
    let nonce = challenge
        .header("www-authenticate")
        .and_then(challenge_nonce)
        .expect("challenge");
    let auth = digest_header(&owner.user, &owner.pass, "PATCH", &path, &nonce, 1, "beef");
    let r = owner
        .raw(
            Method::PATCH,
            &path,
            &[("accept", V20230101.into()), ("authorization", auth)],
            Some(&json!({"desc": "pwned"}).to_string()),
        )
        .await;
    assert_eq!((r.status, r.code()), (401, "USER_UNAUTHORIZED"), "{r:?}");
    let r = c
        .call(
            Method::GET,
            &format!("/api/atlas/v2/orgs/{org}/apiKeys/{boss}"),
            Some(V20230101),
            None,
        )
        .await;
    assert_eq!(r.body["desc"], json!("the org owner"), "unchanged");
    // The same owner may rename a project-level key, and the org owner may rename any.
    let r = owner
        .call(
            Method::PATCH,
            &format!("/api/atlas/v2/groups/{gid}/apiKeys/{own_key}"),
            Some(V20230101),
            Some(&json!({"desc": "renamed by its project owner"}).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let r = c
        .call(
            Method::PATCH,
            &format!("/api/atlas/v2/groups/{gid}/apiKeys/{boss}"),
            Some(V20230101),
            Some(&json!({"desc": "renamed by an org owner"}).to_string()),
        )
        .await;
    assert_eq!(
        (r.status, &r.body["desc"]),
        (200, &json!("renamed by an org owner")),
        "{r:?}"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn errors_do_not_echo_huge_inputs() {
    let (sb, c) = start().await;
    let name = "y".repeat(100_000);
    let r = c
        .api(
            "createGroup",
            Method::POST,
            "/api/atlas/v2/groups",
            Some(&json!({"name": name, "orgId": sb.org_id}).to_string()),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "INVALID_GROUP_NAME"));
    assert!(r.text.len() < 2_000, "{} bytes of error", r.text.len());
    assert!(r.body["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("characters omitted"));
    sb.shutdown().await;
}
