//! The maintenance window area over real HTTP: defaults of a new project, PATCH, DELETE
//! (reset), defer and autoDefer, validation 400s naming the attribute, 404s, roles, versions,
//! persistence with `--data-dir`. Every answer is checked against the spec subset.

mod common;

use atlas_sandbox::Config;
use common::{challenge_nonce, digest_header, start, start_with, Client, Resp, V20230101};
use reqwest::Method;
use serde_json::{json, Value};

fn path(gid: &str) -> String {
    format!("/api/atlas/v2/groups/{gid}/maintenanceWindow")
}

/// Checks an answer against the spec (a 204 has no body to check).
fn check(c: &Client, op: &str, r: &Resp) {
    if r.status == 204 {
        assert!(r.text.is_empty(), "{op}: 204 with a body: {r:?}");
        assert!(r.content_type().starts_with(V20230101), "{op}: {r:?}");
        return;
    }
    c.check_spec(op, r);
}

async fn api(c: &Client, op: &str, method: Method, path: &str, body: Option<Value>) -> Resp {
    let text = body.map(|b| b.to_string());
    let r = c.call(method, path, Some(V20230101), text.as_deref()).await;
    check(c, op, &r);
    r
}

/// A call as another API key, answering its challenge by hand (the shared client expects
/// every 401 to be a challenge; a refusal is one too).
async fn as_key(c: &Client, key: (&str, &str), op: &str, method: Method, path: &str) -> Resp {
    let accept = [("accept", V20230101.to_string())];
    let challenge = c.raw(method.clone(), path, &accept, None).await;
    let nonce = challenge
        .header("www-authenticate")
        .and_then(challenge_nonce)
        .expect("digest challenge");
    let auth = digest_header(key.0, key.1, method.as_str(), path, &nonce, 1, "cafe");
    let headers = [accept[0].clone(), ("authorization", auth)];
    let body = (method == Method::PATCH).then_some(r#"{"dayOfWeek": 2}"#);
    let r = c.raw(method, path, &headers, body).await;
    check(c, op, &r);
    r
}

async fn get(c: &Client, gid: &str) -> Value {
    let r = api(
        c,
        "getGroupMaintenanceWindow",
        Method::GET,
        &path(gid),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{r:?}");
    r.body
}

async fn patch(c: &Client, gid: &str, body: Value) -> Resp {
    api(
        c,
        "updateGroupMaintenanceWindow",
        Method::PATCH,
        &path(gid),
        Some(body),
    )
    .await
}

async fn project(c: &Client, org_id: &str, name: &str) -> String {
    c.create_project(org_id, name).await["id"]
        .as_str()
        .expect("project id")
        .to_string()
}

fn fresh() -> Value {
    json!({
        "autoDeferOnceEnabled": false,
        "dayOfWeek": 1,
        "hourOfDay": 0,
        "numberOfDeferrals": 0,
        "startASAP": false,
        "timeZoneId": "UTC",
    })
}

#[tokio::test]
async fn a_new_project_has_the_default_window_and_patch_changes_it() {
    let (sb, c) = start().await;
    let gid = project(&c, &sb.org_id, "mw-crud").await;
    assert_eq!(get(&c, &gid).await, fresh());

    let r = patch(&c, &gid, json!({"dayOfWeek": 7})).await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body, json!({}));
    assert!(r.content_type().starts_with(V20230101), "{r:?}");
    let w = get(&c, &gid).await;
    // An hour defaults to midnight once a day is chosen.
    assert_eq!(
        (w["dayOfWeek"].clone(), w["hourOfDay"].clone()),
        (json!(7), json!(0))
    );

    let r = patch(
        &c,
        &gid,
        json!({
            "hourOfDay": 23, "autoDeferOnceEnabled": true, "startASAP": false,
            "protectedHours": {"startHourOfDay": 2, "endHourOfDay": 6},
        }),
    )
    .await;
    assert_eq!(r.status, 200, "{r:?}");
    let w = get(&c, &gid).await;
    assert_eq!(
        w,
        json!({
            "autoDeferOnceEnabled": true, "dayOfWeek": 7, "hourOfDay": 23,
            "numberOfDeferrals": 0, "protectedHours": {"endHourOfDay": 6, "startHourOfDay": 2},
            "startASAP": false, "timeZoneId": "UTC",
        })
    );

    // A GET body sent back with the read-only attributes nulled is accepted.
    let mut echo = w.clone();
    echo["numberOfDeferrals"] = Value::Null;
    echo["timeZoneId"] = Value::Null;
    assert_eq!(patch(&c, &gid, echo).await.status, 200);
    assert_eq!(get(&c, &gid).await, w);

    // Defer counts (twice at most); a PATCH resets the count; autoDefer toggles.
    let defer = format!("{}/defer", path(&gid));
    for n in 1..=2 {
        let r = api(
            &c,
            "deferGroupMaintenanceWindow",
            Method::POST,
            &defer,
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!(get(&c, &gid).await["numberOfDeferrals"], json!(n));
    }
    let r = api(
        &c,
        "deferGroupMaintenanceWindow",
        Method::POST,
        &defer,
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.code()),
        (400, "MAINTENANCE_DEFERRAL_LIMIT_REACHED"),
        "{r:?}"
    );
    assert_eq!(patch(&c, &gid, json!({"hourOfDay": 1})).await.status, 200);
    assert_eq!(get(&c, &gid).await["numberOfDeferrals"], json!(0));
    let toggle = format!("{}/autoDefer", path(&gid));
    let r = api(
        &c,
        "toggleGroupMaintenanceWindowAutoDefer",
        Method::POST,
        &toggle,
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(get(&c, &gid).await["autoDeferOnceEnabled"], json!(false));

    // `protectedHours: {}` clears them.
    assert_eq!(
        patch(&c, &gid, json!({"protectedHours": {}})).await.status,
        200
    );
    assert!(get(&c, &gid).await.get("protectedHours").is_none());

    // DELETE resets to the default.
    let r = api(
        &c,
        "resetGroupMaintenanceWindow",
        Method::DELETE,
        &path(&gid),
        None,
    )
    .await;
    assert_eq!(r.status, 204, "{r:?}");
    assert_eq!(get(&c, &gid).await, fresh());
    sb.shutdown().await;
}

#[tokio::test]
async fn bad_bodies_answer_400_naming_the_attribute() {
    let (sb, c) = start().await;
    let gid = project(&c, &sb.org_id, "mw-400").await;
    let cases = [
        (json!({"dayOfWeek": 0}), "INVALID_ATTRIBUTE", "dayOfWeek"),
        (json!({"dayOfWeek": 8}), "INVALID_ATTRIBUTE", "dayOfWeek"),
        (
            json!({"dayOfWeek": "MONDAY"}),
            "INVALID_ATTRIBUTE",
            "dayOfWeek",
        ),
        (json!({"hourOfDay": 24}), "INVALID_ATTRIBUTE", "hourOfDay"),
        (json!({"hourOfDay": 1.5}), "INVALID_ATTRIBUTE", "hourOfDay"),
        (
            json!({"startASAP": "yes"}),
            "INVALID_ATTRIBUTE",
            "startASAP",
        ),
        (json!({"dayofweek": 1}), "INVALID_ATTRIBUTE", "dayofweek"),
        (
            json!({"protectedHours": {"startHourOfDay": 1, "endHourOfDay": "x"}}),
            "INVALID_ATTRIBUTE",
            "protectedHours.endHourOfDay",
        ),
        (
            json!({"protectedHours": {"startHourOfDay": 1, "endHourOfDay": 3, "extra": 1}}),
            "INVALID_ATTRIBUTE",
            "protectedHours.extra",
        ),
        (
            json!({"protectedHours": {"startHourOfDay": 1}}),
            "MISSING_ATTRIBUTE",
            "protectedHours.endHourOfDay",
        ),
        (
            json!({"numberOfDeferrals": 3}),
            "ATTRIBUTE_READ_ONLY",
            "numberOfDeferrals",
        ),
        (
            json!({"timeZoneId": "UTC"}),
            "ATTRIBUTE_READ_ONLY",
            "timeZoneId",
        ),
    ];
    for (body, code, attr) in cases {
        let r = patch(&c, &gid, body.clone()).await;
        assert_eq!((r.status, r.code()), (400, code), "{body}: {r:?}");
        assert_eq!(r.body["parameters"][0], json!(attr), "{body}: {r:?}");
    }
    for (text, code) in [
        ("{", "MALFORMED_JSON"),
        ("[1]", "INVALID_JSON"),
        ("", "INVALID_JSON"),
    ] {
        let r = c
            .call(Method::PATCH, &path(&gid), Some(V20230101), Some(text))
            .await;
        check(&c, "updateGroupMaintenanceWindow", &r);
        assert_eq!((r.status, r.code()), (400, code), "{text:?}: {r:?}");
    }
    // Nothing was stored by the refused requests.
    assert_eq!(get(&c, &gid).await, fresh());
    sb.shutdown().await;
}

#[tokio::test]
async fn unknown_projects_versions_and_roles() {
    let (sb, c) = start().await;
    let gid = project(&c, &sb.org_id, "mw-errors").await;

    // Unknown and malformed project ids: 404 before the body is looked at.
    let missing = "0123456789abcdef01234567";
    let r = api(
        &c,
        "getGroupMaintenanceWindow",
        Method::GET,
        &path(missing),
        None,
    )
    .await;
    assert_eq!((r.status, r.code()), (404, "GROUP_NOT_FOUND"), "{r:?}");
    let r = patch(&c, missing, json!({"dayOfWeek": 99})).await;
    assert_eq!((r.status, r.code()), (404, "GROUP_NOT_FOUND"), "{r:?}");
    let r = api(
        &c,
        "resetGroupMaintenanceWindow",
        Method::DELETE,
        &path("nope"),
        None,
    )
    .await;
    assert_eq!((r.status, r.code()), (404, "INVALID_GROUP_ID"), "{r:?}");

    // The preview version adds the maintenance wave; other versions are 406.
    const PREVIEW: &str = "application/vnd.atlas.preview+json";
    let r = c
        .call(
            Method::PATCH,
            &path(&gid),
            Some(PREVIEW),
            Some(r#"{"waveAssignment": 2}"#),
        )
        .await;
    c.check_spec("updateGroupMaintenanceWindow", &r);
    assert_eq!(r.status, 200, "{r:?}");
    let r = c.call(Method::GET, &path(&gid), Some(PREVIEW), None).await;
    c.check_spec("getGroupMaintenanceWindow", &r);
    assert!(r.content_type().starts_with(PREVIEW), "{r:?}");
    assert_eq!(
        (
            r.body["waveAssignment"].clone(),
            r.body["effectiveWaveAssignment"].clone()
        ),
        (json!(2), json!(2)),
        "{r:?}"
    );
    // The dated version neither shows nor takes it.
    assert!(get(&c, &gid).await.get("waveAssignment").is_none());
    let r = patch(&c, &gid, json!({"waveAssignment": 1})).await;
    assert_eq!((r.status, r.code()), (400, "INVALID_ATTRIBUTE"), "{r:?}");
    let r = c
        .call(
            Method::PATCH,
            &path(&gid),
            Some(PREVIEW),
            Some(r#"{"waveAssignment": null}"#),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let r = c
        .call(
            Method::GET,
            &path(&gid),
            Some("application/vnd.atlas.2024-08-05+json"),
            None,
        )
        .await;
    assert_eq!(r.status, 406, "{r:?}");

    // A project read-only key reads but cannot write.
    let keys = format!("/api/atlas/v2/groups/{gid}/apiKeys");
    let body = json!({"desc": "mw read only", "roles": ["GROUP_READ_ONLY"]}).to_string();
    let r = c
        .call(Method::POST, &keys, Some(V20230101), Some(&body))
        .await;
    assert!(r.status < 300, "{r:?}");
    let public = r.body["publicKey"].as_str().expect("publicKey").to_string();
    let private = r.body["privateKey"]
        .as_str()
        .expect("privateKey")
        .to_string();
    let ro = (public.as_str(), private.as_str());
    let r = as_key(
        &c,
        ro,
        "getGroupMaintenanceWindow",
        Method::GET,
        &path(&gid),
    )
    .await;
    assert_eq!((r.status, r.body.clone()), (200, fresh()), "{r:?}");
    for (op, method, p) in [
        ("updateGroupMaintenanceWindow", Method::PATCH, path(&gid)),
        ("resetGroupMaintenanceWindow", Method::DELETE, path(&gid)),
        (
            "deferGroupMaintenanceWindow",
            Method::POST,
            format!("{}/defer", path(&gid)),
        ),
        (
            "toggleGroupMaintenanceWindowAutoDefer",
            Method::POST,
            format!("{}/autoDefer", path(&gid)),
        ),
    ] {
        let r = as_key(&c, ro, op, method, &p).await;
        assert_eq!(
            (r.status, r.code()),
            (401, "USER_UNAUTHORIZED"),
            "{op}: {r:?}"
        );
    }
    // The key sees nothing of another project.
    let other = project(&c, &sb.org_id, "mw-other").await;
    let r = as_key(
        &c,
        ro,
        "getGroupMaintenanceWindow",
        Method::GET,
        &path(&other),
    )
    .await;
    assert_eq!((r.status, r.code()), (401, "NOT_IN_GROUP"), "{r:?}");
    assert_eq!(get(&c, &gid).await, fresh());
    sb.shutdown().await;
}

#[tokio::test]
async fn the_window_persists_with_its_project_and_goes_with_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = || Config {
        data_dir: Some(dir.path().to_path_buf()),
        ..Config::for_tests()
    };
    let (sb, c) = start_with(config()).await;
    let gid = project(&c, &sb.org_id, "mw-persist").await;
    let gone = project(&c, &sb.org_id, "mw-deleted").await;
    let body = json!({"dayOfWeek": 5, "hourOfDay": 3, "autoDeferOnceEnabled": true});
    assert_eq!(patch(&c, &gid, body.clone()).await.status, 200);
    assert_eq!(patch(&c, &gone, body).await.status, 200);
    let before = get(&c, &gid).await;
    let r = api(
        &c,
        "deleteGroup",
        Method::DELETE,
        &format!("/api/atlas/v2/groups/{gone}"),
        None,
    )
    .await;
    assert!(r.status < 300, "{r:?}");
    sb.shutdown().await;

    let (sb, c) = start_with(config()).await;
    assert_eq!(get(&c, &gid).await, before);
    assert_eq!(before["dayOfWeek"], json!(5));
    let r = api(
        &c,
        "getGroupMaintenanceWindow",
        Method::GET,
        &path(&gone),
        None,
    )
    .await;
    assert_eq!((r.status, r.code()), (404, "GROUP_NOT_FOUND"), "{r:?}");
    sb.shutdown().await;
}
