//! The custom database roles area over real HTTP: create (202), get, list (a bare array),
//! update, delete (204), validation 400s, 404s and 409s, roles (read: Project Read Only; write:
//! Project Database Access Admin or owner), persistence with `--data-dir`. Every answer is
//! checked against the spec subset.

mod common;

use atlas_sandbox::Config;
use common::{challenge_nonce, digest_header, start, start_with, Client, Resp, V20230101};
use reqwest::Method;
use serde_json::{json, Value};

fn roles(gid: &str) -> String {
    format!("/api/atlas/v2/groups/{gid}/customDBRoles/roles")
}

fn role(gid: &str, name: &str) -> String {
    format!("{}/{name}", roles(gid))
}

async fn api(c: &Client, op: &str, method: Method, path: &str, body: Option<Value>) -> Resp {
    let text = body.map(|b| b.to_string());
    let r = c.call(method, path, Some(V20230101), text.as_deref()).await;
    if r.status == 204 {
        assert!(r.text.is_empty(), "{op}: 204 with a body: {r:?}");
    } else {
        c.check_spec(op, &r);
    }
    r
}

async fn create(c: &Client, gid: &str, body: Value) -> Resp {
    api(
        c,
        "createGroupCustomDbRoleRole",
        Method::POST,
        &roles(gid),
        Some(body),
    )
    .await
}

async fn get(c: &Client, gid: &str, name: &str) -> Resp {
    api(
        c,
        "getGroupCustomDbRoleRole",
        Method::GET,
        &role(gid, name),
        None,
    )
    .await
}

async fn project(c: &Client, org_id: &str, name: &str) -> String {
    c.create_project(org_id, name).await["id"]
        .as_str()
        .expect("project id")
        .to_string()
}

fn find_on(name: &str, db: &str) -> Value {
    json!({"roleName": name, "actions": [
        {"action": "FIND", "resources": [{"cluster": false, "collection": "", "db": db}]}
    ]})
}

/// A call as another API key, answering its challenge by hand.
async fn as_key(c: &Client, key: (&str, &str), op: &str, method: Method, path: &str) -> Resp {
    let accept = [("accept", V20230101.to_string())];
    let challenge = c.raw(method.clone(), path, &accept, None).await;
    let nonce = challenge
        .header("www-authenticate")
        .and_then(challenge_nonce)
        .expect("digest challenge");
    let auth = digest_header(key.0, key.1, method.as_str(), path, &nonce, 1, "cafe");
    let headers = [accept[0].clone(), ("authorization", auth)];
    let body = match method {
        Method::POST => Some(find_on("ro-made", "app").to_string()),
        Method::PATCH => Some(json!({"inheritedRoles": []}).to_string()),
        _ => None,
    };
    let r = c.raw(method, path, &headers, body.as_deref()).await;
    if r.status != 204 {
        c.check_spec(op, &r);
    }
    r
}

#[tokio::test]
async fn create_read_list_update_delete() {
    let (sb, c) = start().await;
    let gid = project(&c, &sb.org_id, "roles-crud").await;

    let r = create(&c, &gid, find_on("appReader", "app")).await;
    assert_eq!(r.status, 202, "{r:?}");
    let expected = json!({
        "actions": [{"action": "FIND", "resources": [{"cluster": false, "collection": "", "db": "app"}]}],
        "inheritedRoles": [],
        "roleName": "appReader",
    });
    assert_eq!(r.body, expected);
    let r = get(&c, &gid, "appReader").await;
    assert_eq!((r.status, r.body.clone()), (200, expected.clone()), "{r:?}");

    // A role inheriting a built-in and the first role; a cluster resource keeps no namespace.
    let body = json!({"roleName": "ops", "actions": [
        {"action": "SERVER_STATUS", "resources": [{"cluster": true, "collection": "c", "db": "d"}]}
    ], "inheritedRoles": [{"db": "admin", "role": "appReader"}, {"db": "logs", "role": "read"}]});
    let r = create(&c, &gid, body).await;
    assert_eq!(r.status, 202, "{r:?}");
    assert_eq!(
        r.body["actions"][0]["resources"][0],
        json!({"cluster": true, "collection": "", "db": ""})
    );

    let r = api(
        &c,
        "listGroupCustomDbRoleRoles",
        Method::GET,
        &roles(&gid),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{r:?}");
    let names: Vec<&str> = r
        .body
        .as_array()
        .expect("a bare array")
        .iter()
        .filter_map(|x| x["roleName"].as_str())
        .collect();
    assert_eq!(names, ["appReader", "ops"]);

    // PATCH replaces the arrays it carries.
    let r = api(
        &c,
        "updateGroupCustomDbRoleRole",
        Method::PATCH,
        &role(&gid, "appReader"),
        Some(json!({"actions": [
            {"action": "INSERT", "resources": [{"cluster": false, "collection": "orders", "db": "app"}]}
        ]})),
    )
    .await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["actions"][0]["action"], json!("INSERT"));
    assert_eq!(get(&c, &gid, "appReader").await.body, r.body);

    // In use by another role: 409 until that one is gone.
    let r = api(
        &c,
        "deleteGroupCustomDbRoleRole",
        Method::DELETE,
        &role(&gid, "appReader"),
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.code()),
        (409, "ATLAS_CUSTOM_ROLE_IN_USE_BY_ROLES"),
        "{r:?}"
    );
    for name in ["ops", "appReader"] {
        let r = api(
            &c,
            "deleteGroupCustomDbRoleRole",
            Method::DELETE,
            &role(&gid, name),
            None,
        )
        .await;
        assert_eq!(r.status, 204, "{r:?}");
    }
    let r = get(&c, &gid, "appReader").await;
    assert_eq!(
        (r.status, r.code()),
        (404, "ATLAS_CUSTOM_ROLE_NOT_FOUND"),
        "{r:?}"
    );
    assert_eq!(r.body["parameters"], json!(["appReader"]));
    sb.shutdown().await;
}

#[tokio::test]
async fn bad_bodies_answer_atlas_errors() {
    let (sb, c) = start().await;
    let gid = project(&c, &sb.org_id, "roles-errors").await;
    assert_eq!(create(&c, &gid, find_on("taken", "app")).await.status, 202);

    let cases = [
        (
            json!({"actions": []}),
            400,
            "MISSING_ATTRIBUTE",
            json!("roleName"),
        ),
        (
            json!({"roleName": "x", "actions": [{"action": "FIND", "resources": [{"cluster": false, "collection": ""}]}]}),
            400,
            "MISSING_ATTRIBUTE",
            json!("actions[0].resources[0].db"),
        ),
        (
            json!({"roleName": "x", "actions": [{"action": "JUMP", "resources": []}]}),
            400,
            "INVALID_ENUM_VALUE",
            json!("JUMP"),
        ),
        (
            json!({"roleName": 7}),
            400,
            "INVALID_ATTRIBUTE",
            json!("roleName"),
        ),
        (
            json!({"roleName": "x", "inheritedRoles": [{"db": "admin", "role": "missing"}]}),
            400,
            "ATLAS_INVALID_CUSTOM_ROLE_INHERITANCE",
            json!("missing"),
        ),
        (
            json!({"roleName": "x"}),
            400,
            "ATLAS_CUSTOM_ROLE_HAS_NO_PERMISSIONS",
            json!("x"),
        ),
        (
            find_on("no spaces", "app"),
            400,
            "ATLAS_CUSTOM_ROLE_INVALID_NAME",
            json!("no spaces"),
        ),
        (
            find_on("taken", "app"),
            409,
            "ATLAS_CUSTOM_ROLE_NAME_ALREADY_EXISTS",
            json!("taken"),
        ),
    ];
    for (body, status, code, param) in cases {
        let r = create(&c, &gid, body.clone()).await;
        assert_eq!((r.status, r.code()), (status, code), "{body}: {r:?}");
        assert_eq!(r.body["parameters"][0], param, "{body}: {r:?}");
    }

    // PATCH: roleName is not part of the update schema; unknown roles are 404.
    let r = api(
        &c,
        "updateGroupCustomDbRoleRole",
        Method::PATCH,
        &role(&gid, "taken"),
        Some(json!({"roleName": "other"})),
    )
    .await;
    assert_eq!((r.status, r.code()), (400, "INVALID_ATTRIBUTE"), "{r:?}");
    let r = api(
        &c,
        "updateGroupCustomDbRoleRole",
        Method::PATCH,
        &role(&gid, "nope"),
        Some(json!({})),
    )
    .await;
    assert_eq!(
        (r.status, r.code()),
        (404, "ATLAS_CUSTOM_ROLE_NOT_FOUND"),
        "{r:?}"
    );
    let r = api(
        &c,
        "deleteGroupCustomDbRoleRole",
        Method::DELETE,
        &role(&gid, "nope"),
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.code()),
        (404, "ATLAS_CUSTOM_ROLE_NOT_FOUND"),
        "{r:?}"
    );
    let r = get(&c, "0123456789abcdef01234567", "taken").await;
    assert_eq!((r.status, r.code()), (404, "GROUP_NOT_FOUND"), "{r:?}");
    // Nothing was stored by the refused attempts.
    let r = api(
        &c,
        "listGroupCustomDbRoleRoles",
        Method::GET,
        &roles(&gid),
        None,
    )
    .await;
    assert_eq!(r.body.as_array().map(Vec::len), Some(1), "{r:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn read_only_keys_read_but_cannot_write() {
    let (sb, c) = start().await;
    let gid = project(&c, &sb.org_id, "roles-rbac").await;
    assert_eq!(create(&c, &gid, find_on("r", "app")).await.status, 202);
    let keys = format!("/api/atlas/v2/groups/{gid}/apiKeys");
    let body = json!({"desc": "roles read only", "roles": ["GROUP_READ_ONLY"]}).to_string();
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
        "listGroupCustomDbRoleRoles",
        Method::GET,
        &roles(&gid),
    )
    .await;
    assert_eq!(r.status, 200, "{r:?}");
    let r = as_key(
        &c,
        ro,
        "getGroupCustomDbRoleRole",
        Method::GET,
        &role(&gid, "r"),
    )
    .await;
    assert_eq!(r.status, 200, "{r:?}");
    for (op, method, p) in [
        ("createGroupCustomDbRoleRole", Method::POST, roles(&gid)),
        (
            "updateGroupCustomDbRoleRole",
            Method::PATCH,
            role(&gid, "r"),
        ),
        (
            "deleteGroupCustomDbRoleRole",
            Method::DELETE,
            role(&gid, "r"),
        ),
    ] {
        let r = as_key(&c, ro, op, method, &p).await;
        assert_eq!(
            (r.status, r.code()),
            (401, "USER_UNAUTHORIZED"),
            "{op}: {r:?}"
        );
    }
    assert_eq!(get(&c, &gid, "r").await.status, 200);
    sb.shutdown().await;
}

#[tokio::test]
async fn roles_persist_with_their_project() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = || Config {
        data_dir: Some(dir.path().to_path_buf()),
        ..Config::for_tests()
    };
    let (sb, c) = start_with(config()).await;
    let gid = project(&c, &sb.org_id, "roles-persist").await;
    assert_eq!(create(&c, &gid, find_on("kept", "app")).await.status, 202);
    let before = get(&c, &gid, "kept").await.body;
    sb.shutdown().await;

    let (sb, c) = start_with(config()).await;
    let r = get(&c, &gid, "kept").await;
    assert_eq!((r.status, r.body.clone()), (200, before), "{r:?}");
    sb.shutdown().await;
}
