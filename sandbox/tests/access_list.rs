//! The project IP access list over real HTTP: POST an array (201 + whole list), reads,
//! deletes, `{entryValue}` encodings, validation errors, the 200-entry limit, PENDING →
//! ACTIVE, and concurrent POSTs (exactly one refused). Answers are validated against the spec.

mod common;

use std::time::Duration;

use atlas_sandbox::Config;
use common::{Client, Resp, V20230101};
use reqwest::Method;
use serde_json::{json, Value};

const UNKNOWN_ID: &str = "111111111111111111111111";

fn list_path(gid: &str) -> String {
    format!("/api/atlas/v2/groups/{gid}/accessList")
}

async fn post(c: &Client, gid: &str, body: &Value) -> Resp {
    c.api(
        "createGroupAccessListEntry",
        Method::POST,
        &list_path(gid),
        Some(&body.to_string()),
    )
    .await
}

async fn get(c: &Client, gid: &str, entry: &str) -> Resp {
    c.api(
        "getGroupAccessListEntry",
        Method::GET,
        &format!("{}/{entry}", list_path(gid)),
        None,
    )
    .await
}

async fn project(c: &Client, org_id: &str, name: &str) -> String {
    c.create_project(org_id, name).await["id"]
        .as_str()
        .expect("id")
        .to_string()
}

/// Tests that are not about the POST window run without it.
fn no_window() -> Config {
    Config {
        access_list_post_window_ms: 0,
        ..Config::for_tests()
    }
}

#[tokio::test]
async fn crud_codes_bodies_and_encodings() {
    let (sb, c) = common::start_with(no_window()).await;
    let gid = project(&c, &sb.org_id, "acl-proj").await;
    let r = post(
        &c,
        &gid,
        &json!([{"ipAddress": "192.0.2.1", "comment": "office"}]),
    )
    .await;
    assert_eq!(r.status, 201, "{r:?}");
    let base = format!("{}{}", sb.base_url, list_path(&gid));
    let ip_entry = json!({
        "cidrBlock": "192.0.2.1/32",
        "comment": "office",
        "groupId": gid,
        "ipAddress": "192.0.2.1",
        "links": [{"href": format!("{base}/192.0.2.1%2F32"), "rel": "self"}],
    });
    assert_eq!(
        r.body,
        json!({
            "links": [{"href": format!("{base}?includeCount=true&pageNum=1&itemsPerPage=100"), "rel": "self"}],
            "results": [ip_entry],
            "totalCount": 1,
        })
    );
    // A second POST answers the whole list.
    let r = post(
        &c,
        &gid,
        &json!([{"cidrBlock": "10.0.0.0/24", "groupId": gid}]),
    )
    .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["totalCount"], json!(2));
    let cidr_entry = &r.body["results"][1];
    assert_eq!(cidr_entry["cidrBlock"], json!("10.0.0.0/24"));
    assert!(cidr_entry.get("ipAddress").is_none() && cidr_entry.get("comment").is_none());
    assert_eq!(
        cidr_entry["links"][0]["href"],
        json!(format!("{base}/10.0.0.0%2F24"))
    );

    for value in ["192.0.2.1", "192.0.2.1%2F32", "192.0.2.1%2f32"] {
        let r = get(&c, &gid, value).await;
        assert_eq!(r.status, 200, "{value}: {r:?}");
        assert_eq!(r.body, ip_entry);
    }
    for value in ["10.0.0.0%2F24", "10.0.0.0%2f24"] {
        let r = get(&c, &gid, value).await;
        assert_eq!(r.status, 200, "{value}: {r:?}");
        assert_eq!(&r.body, cidr_entry);
    }
    let list = c
        .api(
            "listGroupAccessListEntries",
            Method::GET,
            &format!("{}?itemsPerPage=1&pageNum=2", list_path(&gid)),
            None,
        )
        .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["results"], json!([cidr_entry]));
    assert_eq!(list.body["totalCount"], json!(2));

    let del = c
        .api(
            "deleteGroupAccessListEntry",
            Method::DELETE,
            &format!("{}/192.0.2.1", list_path(&gid)),
            None,
        )
        .await;
    assert_eq!(del.status, 204);
    assert!(del.text.is_empty());
    let gone = get(&c, &gid, "192.0.2.1").await;
    assert_eq!(
        gone.body,
        json!({
            "detail": format!("IP Address 192.0.2.1/32 not on Atlas access list for group {gid}."),
            "error": 404,
            "errorCode": "ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND",
            "parameters": ["192.0.2.1/32", gid],
            "reason": "Not Found",
        })
    );
    let again = c
        .api(
            "deleteGroupAccessListEntry",
            Method::DELETE,
            &format!("{}/192.0.2.1", list_path(&gid)),
            None,
        )
        .await;
    assert_eq!(again.code(), "ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND");
    let sg = get(&c, &gid, "sg-903004f8").await;
    assert_eq!(sg.code(), "ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND");
    for bad in ["x", "10.0.0.300", "10.0.0.0%2F33", "10.0.0.0%252F24"] {
        let r = get(&c, &gid, bad).await;
        assert_eq!(r.code(), "INVALID_IP_ADDRESS_OR_CIDR_NOTATION", "{bad}");
    }
    assert_eq!(
        get(&c, &gid, "10.0.0.1%2F24").await.code(),
        "INVALID_CIDR_BLOCK"
    );
    assert_eq!(
        get(&c, UNKNOWN_ID, "10.0.0.1").await.code(),
        "GROUP_NOT_FOUND"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn a_slash_32_cidr_is_the_same_entry_and_reposting_upserts_the_comment() {
    let (sb, c) = common::start_with(no_window()).await;
    let gid = project(&c, &sb.org_id, "acl-upsert").await;
    let r = post(
        &c,
        &gid,
        &json!([{"cidrBlock": "198.51.100.7/32", "comment": "first"}]),
    )
    .await;
    assert_eq!(r.body["results"][0]["ipAddress"], json!("198.51.100.7"));
    let r = post(
        &c,
        &gid,
        &json!([{"ipAddress": "198.51.100.7", "comment": "second"}]),
    )
    .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["totalCount"], json!(1), "upsert, not a second entry");
    assert_eq!(r.body["results"][0]["comment"], json!("second"));
    // A permanent entry cannot become temporary; a new temporary one shows its expiry.
    let soon = chrono::Utc::now() + chrono::Duration::days(1);
    let r = post(
        &c,
        &gid,
        &json!([{"ipAddress": "198.51.100.7", "deleteAfterDate": soon.to_rfc3339()}]),
    )
    .await;
    assert_eq!(r.code(), "PERMANENT_ENTITY_CANNOT_BE_MADE_TEMPORARY");
    let r = post(
        &c,
        &gid,
        &json!([{"ipAddress": "198.51.100.8", "deleteAfterDate": soon.to_rfc3339()}]),
    )
    .await;
    assert_eq!(r.status, 201);
    assert_eq!(
        r.body["results"][1]["deleteAfterDate"],
        json!(soon.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn every_validation_error() {
    let (sb, c) = common::start_with(no_window()).await;
    let gid = project(&c, &sb.org_id, "acl-val").await;
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let late = (chrono::Utc::now() + chrono::Duration::days(8)).to_rfc3339();
    let soon = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            json!([{"ipAddress": "10.0.0.1", "cidrBlock": "10.0.0.1/32"}]),
            400,
            "MULTIPLE_VALUES_SPECIFIED_FOR_ONE_NETWORK_PERMISSION_ENTRY",
        ),
        (
            json!([{"cidrBlock": "10.0.0.0/8", "awsSecurityGroup": "sg-12345678"}]),
            400,
            "MULTIPLE_VALUES_SPECIFIED_FOR_ONE_NETWORK_PERMISSION_ENTRY",
        ),
        (json!([{"comment": "nothing"}]), 400, "MISSING_ATTRIBUTE"),
        (
            json!([{"ipAddress": "10.0.0.256"}]),
            400,
            "INVALID_IP_ADDRESS_OR_CIDR_NOTATION",
        ),
        (
            json!([{"ipAddress": "10.0.0.0/24"}]),
            400,
            "INVALID_IP_ADDRESS_OR_CIDR_NOTATION",
        ),
        (
            json!([{"ipAddress": "not-an-ip"}]),
            400,
            "INVALID_IP_ADDRESS_OR_CIDR_NOTATION",
        ),
        (
            json!([{"cidrBlock": "10.0.0.0"}]),
            400,
            "INVALID_IP_ADDRESS_OR_CIDR_NOTATION",
        ),
        (
            json!([{"cidrBlock": "10.0.0.0/33"}]),
            400,
            "INVALID_IP_ADDRESS_OR_CIDR_NOTATION",
        ),
        (
            json!([{"cidrBlock": "2001:db8::/129"}]),
            400,
            "INVALID_IP_ADDRESS_OR_CIDR_NOTATION",
        ),
        (
            json!([{"cidrBlock": "10.0.0.1/24"}]),
            400,
            "INVALID_CIDR_BLOCK",
        ),
        (
            json!([{"cidrBlock": "2001:db8::1/64"}]),
            400,
            "INVALID_CIDR_BLOCK",
        ),
        (json!([{"ipAddress": 10}]), 400, "INVALID_ATTRIBUTE"),
        (
            json!([{"awsSecurityGroup": "group-1"}]),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            json!([{"awsSecurityGroup": "sg-12345678"}]),
            400,
            "CANNOT_USE_AWS_SECURITY_GROUP_WITHOUT_VPC_PEERING_CONNECTION",
        ),
        (
            json!([{"awsSecurityGroup": "sg-12345678", "deleteAfterDate": soon}]),
            400,
            "NETWORK_PERMISSION_EXPIRATION_NOT_SUPPORTED",
        ),
        (
            json!([{"ipAddress": "10.0.0.1", "comment": "c".repeat(81)}]),
            400,
            "INVALID_NETWORK_PERMISSION_COMMENT",
        ),
        (
            json!([{"ipAddress": "10.0.0.1", "deleteAfterDate": past}]),
            400,
            "EXPIRATION_DATE_IN_PAST",
        ),
        (
            json!([{"ipAddress": "10.0.0.1", "deleteAfterDate": late}]),
            400,
            "EXPIRATION_DATE_EXCEEDS_MAX",
        ),
        (
            json!([{"ipAddress": "10.0.0.1", "deleteAfterDate": "soon"}]),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            json!([{"ipAddress": "10.0.0.1"}, {"cidrBlock": "10.0.0.1/32"}]),
            400,
            "DUPLICATE_ADDRESSES_IN_INPUT",
        ),
        (
            json!([{"cidrBlock": "10.1.0.0/16"}, {"cidrBlock": "10.1.0.0/16"}]),
            400,
            "DUPLICATE_ADDRESSES_IN_INPUT",
        ),
        (
            json!([{"ipAddress": "10.0.0.1", "groupId": UNKNOWN_ID}]),
            400,
            "GROUP_MISMATCH",
        ),
        (json!(["10.0.0.1"]), 400, "INVALID_ATTRIBUTE"),
        (json!({"ipAddress": "10.0.0.1"}), 400, "INVALID_JSON"),
    ];
    for (body, status, code) in &cases {
        let r = post(&c, &gid, body).await;
        assert_eq!((r.status, r.code()), (*status, *code), "{body}: {r:?}");
    }
    for (text, code) in [("", "INVALID_JSON"), ("[", "MALFORMED_JSON")] {
        let r = c
            .call(Method::POST, &list_path(&gid), Some(V20230101), Some(text))
            .await;
        c.check_spec("createGroupAccessListEntry", &r);
        assert_eq!(r.code(), code);
    }
    // A refused POST adds nothing, even its valid entries.
    let r = post(
        &c,
        &gid,
        &json!([{"ipAddress": "10.9.9.9"}, {"ipAddress": "bad"}]),
    )
    .await;
    assert_eq!(r.status, 400);
    let list = c
        .api(
            "listGroupAccessListEntries",
            Method::GET,
            &list_path(&gid),
            None,
        )
        .await;
    assert_eq!(list.body["totalCount"], json!(0));
    assert_eq!(
        post(&c, UNKNOWN_ID, &json!([{"ipAddress": "10.0.0.1"}]))
            .await
            .code(),
        "GROUP_NOT_FOUND"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn ipv6_addresses_and_blocks() {
    let (sb, c) = common::start_with(no_window()).await;
    let gid = project(&c, &sb.org_id, "acl-v6").await;
    let body = json!([{"ipAddress": "2001:DB8::1"}, {"cidrBlock": "2001:db8:85a3::/48"}]);
    let r = c
        .call(
            Method::POST,
            &list_path(&gid),
            Some(V20230101),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    // The spec's cidrBlock pattern admits compressed IPv6 only in its `%2F` path form, so
    // that one property is exempt here; everything else must match.
    let violations = c
        .spec
        .validate_response(
            "createGroupAccessListEntry",
            201,
            "application/vnd.atlas.2023-01-01+json",
            &r.body,
        )
        .err()
        .unwrap_or_default();
    assert!(
        violations.iter().all(|v| v.path.ends_with(".cidrBlock")),
        "{violations:?}"
    );
    assert_eq!(r.body["results"][0]["ipAddress"], json!("2001:db8::1"));
    assert_eq!(r.body["results"][0]["cidrBlock"], json!("2001:db8::1/128"));
    assert_eq!(
        r.body["results"][1]["cidrBlock"],
        json!("2001:db8:85a3::/48")
    );
    assert!(r.body["results"][1].get("ipAddress").is_none());
    let r = c
        .call(
            Method::GET,
            &format!("{}/2001:db8:85a3::%2F48", list_path(&gid)),
            Some(V20230101),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let r = c
        .call(
            Method::DELETE,
            &format!("{}/2001:db8::1", list_path(&gid)),
            Some(V20230101),
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{r:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn status_is_pending_then_active() {
    let (sb, c) = common::start_with(Config {
        transition_seconds: 0.4,
        ..no_window()
    })
    .await;
    let gid = project(&c, &sb.org_id, "acl-status").await;
    assert_eq!(
        post(&c, &gid, &json!([{"cidrBlock": "203.0.113.0/24"}]))
            .await
            .status,
        201
    );
    let status_path = format!("{}/203.0.113.0%2F24/status", list_path(&gid));
    let r = c
        .api("getGroupAccessListStatus", Method::GET, &status_path, None)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, json!({"STATUS": "PENDING"}));
    tokio::time::sleep(Duration::from_millis(600)).await;
    let r = c
        .api("getGroupAccessListStatus", Method::GET, &status_path, None)
        .await;
    assert_eq!(r.body, json!({"STATUS": "ACTIVE"}));
    let missing = format!("{}/203.0.114.0%2F24/status", list_path(&gid));
    let r = c
        .api("getGroupAccessListStatus", Method::GET, &missing, None)
        .await;
    assert_eq!(r.code(), "ATLAS_NETWORK_PERMISSION_ENTRY_NOT_FOUND");
    sb.shutdown().await;
}

#[tokio::test]
async fn limit_of_200_entries_per_project() {
    let (sb, c) = common::start_with(no_window()).await;
    let gid = project(&c, &sb.org_id, "acl-limit").await;
    let batch = |from: u32, n: u32| -> Value {
        Value::Array(
            (from..from + n)
                .map(|i| json!({"ipAddress": format!("10.1.{}.{}", i / 256, i % 256)}))
                .collect(),
        )
    };
    let r = post(&c, &gid, &batch(0, 150)).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["results"].as_array().map(Vec::len), Some(100));
    assert_eq!(r.body["totalCount"], json!(150));
    let r = post(&c, &gid, &batch(150, 51)).await;
    assert_eq!(
        (r.status, r.code()),
        (403, "ATLAS_NETWORK_PERMISSIONS_LIMIT_EXCEEDED")
    );
    let r = post(&c, &gid, &batch(150, 50)).await;
    assert_eq!(r.body["totalCount"], json!(200));
    // Re-posting an existing entry at the limit is an update, not a new entry.
    let r = post(
        &c,
        &gid,
        &json!([{"ipAddress": "10.1.0.0", "comment": "x"}]),
    )
    .await;
    assert_eq!(r.status, 201);
    let r = post(&c, &gid, &json!([{"ipAddress": "10.2.0.0"}])).await;
    assert_eq!(r.code(), "ATLAS_NETWORK_PERMISSIONS_LIMIT_EXCEEDED");
    sb.shutdown().await;
}

#[tokio::test]
async fn concurrent_posts_to_one_project_exactly_one_is_refused() {
    let (sb, c) = common::start_with(Config {
        access_list_post_window_ms: 400,
        ..Config::for_tests()
    })
    .await;
    let gid = project(&c, &sb.org_id, "acl-race").await;
    let other = project(&c, &sb.org_id, "acl-other").await;
    // Separate clients, each with its own primed digest nonce, so both requests are in
    // flight at once.
    let a = Client::new(&sb.base_url, &sb.public_key, &sb.private_key);
    let b = Client::new(&sb.base_url, &sb.public_key, &sb.private_key);
    let d = Client::new(&sb.base_url, &sb.public_key, &sb.private_key);
    for client in [&a, &b, &d] {
        let r = client
            .api(
                "listGroupAccessListEntries",
                Method::GET,
                &list_path(&gid),
                None,
            )
            .await;
        assert_eq!(r.status, 200);
    }
    let body_a = json!([{"ipAddress": "192.0.2.10"}]).to_string();
    let body_b = json!([{"ipAddress": "192.0.2.11"}]).to_string();
    let body_d = json!([{"ipAddress": "192.0.2.12"}]).to_string();
    let path_gid = list_path(&gid);
    let path_other = list_path(&other);
    let (ra, rb, rd) = tokio::join!(
        a.call(Method::POST, &path_gid, Some(V20230101), Some(&body_a)),
        async {
            // Arrive while the first is surely inside its window.
            tokio::time::sleep(Duration::from_millis(100)).await;
            b.call(Method::POST, &path_gid, Some(V20230101), Some(&body_b))
                .await
        },
        async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            d.call(Method::POST, &path_other, Some(V20230101), Some(&body_d))
                .await
        },
    );
    assert_eq!(ra.status, 201, "{ra:?}");
    a.check_spec("createGroupAccessListEntry", &ra);
    assert_eq!(rd.status, 201, "another project is not blocked: {rd:?}");
    assert_eq!(rb.status, 500, "{rb:?}");
    assert_eq!(rb.code(), "UNEXPECTED_ERROR");
    assert_eq!(rb.content_type(), "application/json");
    b.spec.validate_error(&rb.body).expect("an ApiError");
    // The refused POST changed nothing; once the first is done, POSTs work again.
    let r = c
        .api("listGroupAccessListEntries", Method::GET, &path_gid, None)
        .await;
    assert_eq!(r.body["totalCount"], json!(1));
    assert_eq!(r.body["results"][0]["ipAddress"], json!("192.0.2.10"));
    let r = post(&c, &gid, &json!([{"ipAddress": "192.0.2.11"}])).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["totalCount"], json!(2));
    sb.shutdown().await;
}

#[tokio::test]
async fn entries_go_with_their_project_and_with_reset() {
    let (sb, c) = common::start_with(no_window()).await;
    let gid = project(&c, &sb.org_id, "acl-gone").await;
    assert_eq!(
        post(&c, &gid, &json!([{"ipAddress": "192.0.2.1"}]))
            .await
            .status,
        201
    );
    let del = c
        .api(
            "deleteGroup",
            Method::DELETE,
            &format!("/api/atlas/v2/groups/{gid}"),
            None,
        )
        .await;
    assert_eq!(del.status, 202);
    assert_eq!(get(&c, &gid, "192.0.2.1").await.code(), "GROUP_NOT_FOUND");
    let gid = project(&c, &sb.org_id, "acl-reset").await;
    assert_eq!(
        post(&c, &gid, &json!([{"ipAddress": "192.0.2.1"}]))
            .await
            .status,
        201
    );
    sb.reset();
    let r = c
        .api(
            "listGroupAccessListEntries",
            Method::GET,
            &list_path(&gid),
            None,
        )
        .await;
    assert_eq!(r.code(), "GROUP_NOT_FOUND");
    sb.shutdown().await;
}
