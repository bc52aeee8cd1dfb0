//! Database users over real HTTP: CRUD codes and bodies, path encoding, every validation error,
//! the per-project limit, pagination. Every answer is validated against the spec subset, and
//! no answer ever contains a password.

mod common;

use common::{Client, Resp, V20230101};
use reqwest::Method;
use serde_json::{json, Value};

const UNKNOWN_ID: &str = "111111111111111111111111";
const PASSWORD: &str = "Zq8-long-enough-Secret";

/// Spec check, allowing exactly one known deviation: real responses include `groupId`
/// although the spec marks it writeOnly (reference §10.4, observed).
fn check(c: &Client, operation_id: &str, r: &Resp) {
    assert!(r.status < 500, "server error: {r:?}");
    let media_type = r.content_type().split(';').next().unwrap_or_default();
    if r.status >= 400 {
        assert_eq!(media_type, "application/json", "{r:?}");
    } else {
        assert!(media_type.starts_with("application/vnd.atlas."), "{r:?}");
    }
    if let Err(violations) = c
        .spec
        .validate_response(operation_id, r.status, media_type, &r.body)
    {
        let real: Vec<String> = violations
            .iter()
            .filter(|v| {
                !(v.path.ends_with(".groupId")
                    && v.message == "writeOnly property returned in a response")
            })
            .map(ToString::to_string)
            .collect();
        assert!(
            real.is_empty(),
            "{operation_id} {}:\n{}\nbody: {}",
            r.status,
            real.join("\n"),
            r.text
        );
    }
    for secret in [PASSWORD, "An0ther-Long-Secret", "short7!", "Sh0rt-7"] {
        assert!(!r.text.contains(secret), "a password leaked: {}", r.text);
    }
    if r.status < 300 {
        assert!(!has_password_key(&r.body), "a password field: {}", r.text);
    }
}

fn has_password_key(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.contains_key("password") || m.values().any(has_password_key),
        Value::Array(items) => items.iter().any(has_password_key),
        _ => false,
    }
}

async fn api(c: &Client, op: &str, method: Method, path: &str, body: Option<&Value>) -> Resp {
    let body = body.map(Value::to_string);
    let r = c.call(method, path, Some(V20230101), body.as_deref()).await;
    check(c, op, &r);
    r
}

async fn setup() -> (atlas_sandbox::SandboxHandle, Client, String) {
    let (sb, c) = common::start().await;
    let project = c.create_project(&sb.org_id, "users-proj").await;
    let gid = project["id"].as_str().expect("id").to_string();
    (sb, c, gid)
}

fn users_path(gid: &str) -> String {
    format!("/api/atlas/v2/groups/{gid}/databaseUsers")
}

fn scram(gid: &str, username: &str) -> Value {
    json!({
        "databaseName": "admin",
        "groupId": gid,
        "username": username,
        "password": PASSWORD,
        "roles": [{"databaseName": "sales", "roleName": "readWrite"}],
    })
}

async fn create(c: &Client, gid: &str, body: &Value) -> Resp {
    api(
        c,
        "createGroupDatabaseUser",
        Method::POST,
        &users_path(gid),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn crud_codes_and_bodies_never_show_the_password() {
    let (sb, c, gid) = setup().await;
    let mut body = scram(&gid, "alice");
    body["labels"] = json!([{"key": "team", "value": "data"}]);
    body["scopes"] = json!([{"name": "Cluster0", "type": "CLUSTER"}]);
    body["description"] = json!("reporting user");
    let r = create(&c, &gid, &body).await;
    assert_eq!(r.status, 201, "{r:?}");
    let user_url = format!("{}/admin/alice", users_path(&gid));
    assert_eq!(
        r.body,
        json!({
            "awsIAMType": "NONE",
            "databaseName": "admin",
            "description": "reporting user",
            "groupId": gid,
            "labels": [{"key": "team", "value": "data"}],
            "ldapAuthType": "NONE",
            "links": [{"href": format!("{}{user_url}", sb.base_url), "rel": "self"}],
            "oidcAuthType": "NONE",
            "roles": [{"databaseName": "sales", "roleName": "readWrite"}],
            "scopes": [{"name": "Cluster0", "type": "CLUSTER"}],
            "username": "alice",
            "x509Type": "NONE",
        })
    );
    let got = api(&c, "getGroupDatabaseUser", Method::GET, &user_url, None).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, r.body);

    let list = api(
        &c,
        "listGroupDatabaseUsers",
        Method::GET,
        &users_path(&gid),
        None,
    )
    .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["totalCount"], json!(1));
    assert_eq!(list.body["results"][0], r.body);

    // PATCH merges: roles replaced, password changed, the rest kept.
    let patch = json!({
        "password": "An0ther-Long-Secret",
        "roles": [{"databaseName": "admin", "roleName": "readAnyDatabase"},
                  {"databaseName": "sales", "roleName": "read", "collectionName": "orders"}],
    });
    let up = api(
        &c,
        "updateGroupDatabaseUser",
        Method::PATCH,
        &user_url,
        Some(&patch),
    )
    .await;
    assert_eq!(up.status, 200, "{up:?}");
    assert_eq!(up.body["roles"], patch["roles"]);
    assert_eq!(up.body["labels"], body["labels"]);
    assert_eq!(up.body["description"], json!("reporting user"));
    assert!(!up.text.contains("An0ther"));
    // Terraform clears a description with "".
    let up = api(
        &c,
        "updateGroupDatabaseUser",
        Method::PATCH,
        &user_url,
        Some(&json!({"description": ""})),
    )
    .await;
    assert!(up.body.get("description").is_none(), "{up:?}");

    let del = api(
        &c,
        "deleteGroupDatabaseUser",
        Method::DELETE,
        &user_url,
        None,
    )
    .await;
    assert_eq!(del.status, 204);
    assert!(del.text.is_empty());
    let gone = api(&c, "getGroupDatabaseUser", Method::GET, &user_url, None).await;
    assert_eq!(gone.status, 404);
    assert_eq!(
        gone.body,
        json!({"detail": "No user with username alice exists.", "error": 404,
               "errorCode": "USERNAME_NOT_FOUND", "parameters": ["alice"], "reason": "Not Found"})
    );
    let again = api(
        &c,
        "deleteGroupDatabaseUser",
        Method::DELETE,
        &user_url,
        None,
    )
    .await;
    assert_eq!(again.code(), "USERNAME_NOT_FOUND");
    sb.shutdown().await;
}

#[tokio::test]
async fn path_encoding_external_database_and_special_usernames() {
    let (sb, c, gid) = setup().await;
    let role = json!([{"databaseName": "admin", "roleName": "readAnyDatabase"}]);
    let cases = [
        (
            json!({"databaseName": "$external", "x509Type": "CUSTOMER",
                   "username": "CN=Dylan Bloggs,OU=Sales,DC=example,DC=com", "roles": role}),
            "%24external/CN%3DDylan%20Bloggs%2COU%3DSales%2CDC%3Dexample%2CDC%3Dcom",
        ),
        (
            json!({"databaseName": "$external", "awsIAMType": "ROLE",
                   "username": "arn:aws:iam::123456789012:role/app/reader", "roles": role}),
            "%24external/arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fapp%2Freader",
        ),
        (
            json!({"databaseName": "admin", "oidcAuthType": "IDP_GROUP",
                   "username": "5dd7496c7a3e5a648454341c/sales", "roles": role}),
            "admin/5dd7496c7a3e5a648454341c%2Fsales",
        ),
        (
            json!({"databaseName": "$external", "oidcAuthType": "USER",
                   "username": "5dd7496c7a3e5a648454341c/svc@corp", "roles": role}),
            "%24external/5dd7496c7a3e5a648454341c%2Fsvc%40corp",
        ),
        (
            json!({"databaseName": "$external", "ldapAuthType": "USER",
                   "username": "CN=ann,OU=users,DC=corp", "roles": role}),
            "%24external/CN%3Dann%2COU%3Dusers%2CDC%3Dcorp",
        ),
        (
            json!({"databaseName": "admin", "ldapAuthType": "GROUP",
                   "username": "CN=analysts,OU=groups,DC=corp", "roles": role}),
            "admin/CN%3Danalysts%2COU%3Dgroups%2CDC%3Dcorp",
        ),
        (
            json!({"databaseName": "admin", "password": PASSWORD,
                   "username": "bob@example.com", "roles": role}),
            "admin/bob%40example.com",
        ),
    ];
    for (body, encoded) in &cases {
        let r = create(&c, &gid, body).await;
        assert_eq!(r.status, 201, "{body}: {r:?}");
        let path = format!("{}/{encoded}", users_path(&gid));
        assert_eq!(
            r.body["links"][0]["href"],
            json!(format!("{}{path}", sb.base_url)),
            "self link percent-encodes"
        );
        let got = api(&c, "getGroupDatabaseUser", Method::GET, &path, None).await;
        assert_eq!(got.status, 200, "{path}: {got:?}");
        assert_eq!(got.body["username"], body["username"]);
    }
    // `$` unencoded works too, and a database outside admin/$external holds no user.
    let raw = format!(
        "{}/$external/CN%3Dann%2COU%3Dusers%2CDC%3Dcorp",
        users_path(&gid)
    );
    let got = api(&c, "getGroupDatabaseUser", Method::GET, &raw, None).await;
    assert_eq!(got.status, 200);
    let wrong_db = format!("{}/sales/bob%40example.com", users_path(&gid));
    let r = api(&c, "getGroupDatabaseUser", Method::GET, &wrong_db, None).await;
    assert_eq!(r.code(), "USERNAME_NOT_FOUND");
    // The same username under the other database is a different (missing) user.
    let other = format!("{}/%24external/bob%40example.com", users_path(&gid));
    let r = api(&c, "getGroupDatabaseUser", Method::GET, &other, None).await;
    assert_eq!(r.status, 404);
    sb.shutdown().await;
}

#[tokio::test]
async fn every_create_validation_error() {
    let (sb, c, gid) = setup().await;
    let base = scram(&gid, "val");
    let with = |patch: Value| {
        let mut b = base.clone();
        for (k, v) in patch.as_object().expect("object") {
            if v.is_null() {
                b.as_object_mut().expect("object").remove(k);
            } else {
                b[k] = v.clone();
            }
        }
        b
    };
    let soon = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let too_late = (chrono::Utc::now() + chrono::Duration::days(8)).to_rfc3339();
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let role = json!([{"databaseName": "admin", "roleName": "read"}]);
    let cases: Vec<(Value, u16, &str)> = vec![
        (with(json!({"username": null})), 400, "MISSING_ATTRIBUTE"),
        (with(json!({"roles": null})), 400, "MISSING_ATTRIBUTE"),
        (with(json!({"password": null})), 400, "MISSING_ATTRIBUTE"),
        (with(json!({"username": ""})), 400, "INVALID_ATTRIBUTE"),
        (
            with(json!({"username": "x".repeat(1025)})),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            with(json!({"username": "has space"})),
            400,
            "ATLAS_INVALID_USERNAME",
        ),
        (with(json!({"username": 7})), 400, "INVALID_ATTRIBUTE"),
        (
            with(json!({"databaseName": "sales"})),
            400,
            "INVALID_ENUM_VALUE",
        ),
        (
            with(json!({"databaseName": "$external"})),
            400,
            "DATABASE_NAME_INVALID_ADMIN",
        ),
        (with(json!({"password": "short7!"})), 400, "WEAK_PASSWORD"),
        (
            with(json!({"password": "password"})),
            400,
            "COMMON_PASSWORD",
        ),
        (
            with(json!({"password": "Password1"})),
            400,
            "COMMON_PASSWORD",
        ),
        (with(json!({"roles": []})), 400, "INVALID_ATTRIBUTE"),
        (
            with(json!({"roles": [{"roleName": "read"}]})),
            400,
            "MISSING_ATTRIBUTE",
        ),
        (
            with(json!({"roles": [{"databaseName": "a"}]})),
            400,
            "MISSING_ATTRIBUTE",
        ),
        (
            with(json!({"roles": [{"databaseName": "a", "roleName": "myCustom"}]})),
            400,
            "UNSUPPORTED_ROLE",
        ),
        (
            with(json!({"roles": [{"databaseName": "a", "roleName": "dbOwner"}]})),
            400,
            "ATLAS_RESTRICTED_ROLE",
        ),
        (
            with(json!({"roles": [{"databaseName": "sales", "roleName": "atlasAdmin"}]})),
            400,
            "ATLAS_INVALID_ROLE_DATABASE",
        ),
        (
            with(
                json!({"roles": [{"databaseName": "a", "roleName": "dbAdmin", "collectionName": "c"}]}),
            ),
            400,
            "ATLAS_INVALID_ROLE",
        ),
        (
            with(
                json!({"roles": [{"databaseName": "a", "roleName": "read", "collectionName": "system.users"}]}),
            ),
            400,
            "ATLAS_RESTRICTED_COLLECTION",
        ),
        (
            with(
                json!({"roles": [{"databaseName": "a", "roleName": "read"}, {"databaseName": "a", "roleName": "read"}]}),
            ),
            400,
            "DUPLICATE_DATABASE_ROLES",
        ),
        (
            with(json!({"scopes": [{"name": "-bad", "type": "CLUSTER"}]})),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            with(json!({"scopes": [{"name": "c0", "type": "SHARD"}]})),
            400,
            "INVALID_ENUM_VALUE",
        ),
        (
            with(json!({"scopes": [{"name": "c0"}]})),
            400,
            "MISSING_ATTRIBUTE",
        ),
        (
            with(json!({"labels": [{"key": "", "value": "v"}]})),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            with(json!({"description": "d".repeat(101)})),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            with(json!({"awsIAMType": "GROUP"})),
            400,
            "INVALID_ENUM_VALUE",
        ),
        (
            with(json!({"deleteAfterDate": "tomorrow"})),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            with(json!({"deleteAfterDate": past})),
            400,
            "EXPIRATION_DATE_IN_PAST",
        ),
        (
            with(json!({"deleteAfterDate": too_late})),
            400,
            "EXPIRATION_DATE_EXCEEDS_MAX",
        ),
        (with(json!({"groupId": UNKNOWN_ID})), 400, "GROUP_MISMATCH"),
        (with(json!({"links": []})), 400, "ATTRIBUTE_READ_ONLY"),
        (
            json!({"databaseName": "admin", "x509Type": "MANAGED", "username": "m", "roles": role}),
            400,
            "DATABASE_NAME_INVALID_EXTERNAL",
        ),
        (
            json!({"databaseName": "$external", "x509Type": "MANAGED", "username": "m", "roles": role, "password": PASSWORD}),
            400,
            "ATLAS_X509_USER_CANNOT_USE_SCRAM",
        ),
        (
            json!({"databaseName": "$external", "x509Type": "MANAGED", "username": "m", "roles": role, "deleteAfterDate": soon}),
            400,
            "ATLAS_X509_USER_CANNOT_BE_TEMPORARY",
        ),
        (
            json!({"databaseName": "$external", "x509Type": "CUSTOMER", "ldapAuthType": "USER", "username": "CN=a", "roles": role}),
            400,
            "ATLAS_X509_USER_CANNOT_USE_LDAP",
        ),
        (
            json!({"databaseName": "$external", "awsIAMType": "USER", "username": "arn:aws:iam::1:user/u", "roles": role, "password": PASSWORD}),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            json!({"databaseName": "$external", "awsIAMType": "USER", "username": "not-an-arn", "roles": role}),
            400,
            "ATLAS_INVALID_USERNAME",
        ),
        (
            json!({"databaseName": "$external", "ldapAuthType": "USER", "username": "plain", "roles": role}),
            400,
            "ATLAS_INVALID_LDAP_NAME",
        ),
        (
            json!({"databaseName": "admin", "oidcAuthType": "IDP_GROUP", "username": "no-slash", "roles": role}),
            400,
            "ATLAS_INVALID_USERNAME",
        ),
        (
            json!({"databaseName": "admin", "oidcAuthType": "USER", "username": "idp/u", "roles": role}),
            400,
            "DATABASE_NAME_INVALID_EXTERNAL",
        ),
    ];
    for (body, status, code) in &cases {
        let r = create(&c, &gid, body).await;
        assert_eq!((r.status, r.code()), (*status, *code), "{body}: {r:?}");
    }
    // Body syntax and an unknown project.
    for (text, code) in [
        ("", "INVALID_JSON"),
        ("{", "MALFORMED_JSON"),
        ("[]", "INVALID_JSON"),
    ] {
        let r = c
            .call(Method::POST, &users_path(&gid), Some(V20230101), Some(text))
            .await;
        check(&c, "createGroupDatabaseUser", &r);
        assert_eq!(r.code(), code);
    }
    let r = create(&c, UNKNOWN_ID, &scram(UNKNOWN_ID, "x")).await;
    assert_eq!(r.code(), "GROUP_NOT_FOUND");
    // None of the refused users exists.
    let list = api(
        &c,
        "listGroupDatabaseUsers",
        Method::GET,
        &users_path(&gid),
        None,
    )
    .await;
    assert_eq!(list.body["totalCount"], json!(0));
    sb.shutdown().await;
}

#[tokio::test]
async fn patch_rules_duplicates_and_temporary_users() {
    let (sb, c, gid) = setup().await;
    assert_eq!(create(&c, &gid, &scram(&gid, "carol")).await.status, 201);
    let dup = create(&c, &gid, &scram(&gid, "carol")).await;
    assert_eq!((dup.status, dup.code()), (409, "USER_ALREADY_EXISTS"));
    assert_eq!(
        dup.body["detail"],
        json!("A user with username carol already exists.")
    );

    let url = format!("{}/admin/carol", users_path(&gid));
    let soon = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            json!({"username": "dave"}),
            409,
            "DATABASE_USERNAME_CANNOT_BE_CHANGED",
        ),
        (
            json!({"databaseName": "$external"}),
            409,
            "DATABASE_NAME_CANNOT_BE_CHANGED",
        ),
        (
            json!({"x509Type": "MANAGED"}),
            409,
            "AUTH_TYPE_CANNOT_BE_CHANGED",
        ),
        (json!({"groupId": UNKNOWN_ID}), 400, "GROUP_MISMATCH"),
        (json!({"password": "Sh0rt-7"}), 400, "WEAK_PASSWORD"),
        (json!({"password": "changeme"}), 400, "COMMON_PASSWORD"),
        (json!({"roles": []}), 400, "INVALID_ATTRIBUTE"),
        (
            json!({"deleteAfterDate": soon}),
            400,
            "PERMANENT_ENTITY_CANNOT_BE_MADE_TEMPORARY",
        ),
    ];
    for (body, status, code) in &cases {
        let r = api(
            &c,
            "updateGroupDatabaseUser",
            Method::PATCH,
            &url,
            Some(body),
        )
        .await;
        assert_eq!((r.status, r.code()), (*status, *code), "{body}: {r:?}");
    }
    // Sending the unchanged identity (as Terraform does) is fine.
    let same = json!({"username": "carol", "databaseName": "admin", "groupId": gid,
                      "x509Type": "NONE", "awsIAMType": "NONE", "ldapAuthType": "NONE", "oidcAuthType": "NONE"});
    let r = api(
        &c,
        "updateGroupDatabaseUser",
        Method::PATCH,
        &url,
        Some(&same),
    )
    .await;
    assert_eq!(r.status, 200, "{r:?}");
    let missing = format!("{}/admin/nobody", users_path(&gid));
    let r = api(
        &c,
        "updateGroupDatabaseUser",
        Method::PATCH,
        &missing,
        Some(&json!({})),
    )
    .await;
    assert_eq!(r.code(), "USERNAME_NOT_FOUND");

    // A temporary user keeps its (second-precision) expiry and may move it.
    let mut temp = scram(&gid, "temp");
    temp["deleteAfterDate"] = json!(soon);
    let r = create(&c, &gid, &temp).await;
    assert_eq!(r.status, 201, "{r:?}");
    let expected = chrono::DateTime::parse_from_rfc3339(&soon)
        .expect("date")
        .with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(r.body["deleteAfterDate"], json!(expected));
    sb.shutdown().await;
}

#[tokio::test]
async fn limit_of_100_users_per_project_and_pagination() {
    let (sb, c, gid) = setup().await;
    for i in 0..100 {
        let r = create(&c, &gid, &scram(&gid, &format!("u{i:03}"))).await;
        assert_eq!(r.status, 201, "{i}: {r:?}");
    }
    let r = create(&c, &gid, &scram(&gid, "one-too-many")).await;
    assert_eq!((r.status, r.code()), (403, "GROUP_USERS_LIMIT_EXCEEDED"));
    let page = api(
        &c,
        "listGroupDatabaseUsers",
        Method::GET,
        &format!("{}?pageNum=4&itemsPerPage=30", users_path(&gid)),
        None,
    )
    .await;
    assert_eq!(page.body["totalCount"], json!(100));
    let names: Vec<&str> = page.body["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|u| u["username"].as_str())
        .collect();
    assert_eq!(
        names,
        ["u090", "u091", "u092", "u093", "u094", "u095", "u096", "u097", "u098", "u099"]
    );
    assert!(
        page.body["links"][0]["href"].as_str().is_some_and(
            |h| h.ends_with("/databaseUsers?includeCount=true&pageNum=4&itemsPerPage=30")
        )
    );
    // Deleting one frees a slot.
    let del = format!("{}/admin/u000", users_path(&gid));
    assert_eq!(
        api(&c, "deleteGroupDatabaseUser", Method::DELETE, &del, None)
            .await
            .status,
        204
    );
    assert_eq!(create(&c, &gid, &scram(&gid, "late")).await.status, 201);
    sb.shutdown().await;
}

#[tokio::test]
async fn users_go_with_their_project_and_with_reset() {
    let (sb, c, gid) = setup().await;
    assert_eq!(create(&c, &gid, &scram(&gid, "erin")).await.status, 201);
    let r = api(
        &c,
        "listGroupDatabaseUsers",
        Method::GET,
        &users_path(UNKNOWN_ID),
        None,
    )
    .await;
    assert_eq!(r.code(), "GROUP_NOT_FOUND");
    let r = api(
        &c,
        "listGroupDatabaseUsers",
        Method::GET,
        &users_path("zzz"),
        None,
    )
    .await;
    assert_eq!(r.code(), "INVALID_GROUP_ID");
    let del = c
        .api(
            "deleteGroup",
            Method::DELETE,
            &format!("/api/atlas/v2/groups/{gid}"),
            None,
        )
        .await;
    assert_eq!(del.status, 202);
    let url = format!("{}/admin/erin", users_path(&gid));
    let r = api(&c, "getGroupDatabaseUser", Method::GET, &url, None).await;
    assert_eq!(r.code(), "GROUP_NOT_FOUND");

    let project = c.create_project(&sb.org_id, "again").await;
    let gid = project["id"].as_str().expect("id").to_string();
    assert_eq!(create(&c, &gid, &scram(&gid, "erin")).await.status, 201);
    let reset = c.control(Method::POST, "/_sandbox/reset", None).await;
    assert_eq!(reset.status, 200);
    let r = api(
        &c,
        "listGroupDatabaseUsers",
        Method::GET,
        &users_path(&gid),
        None,
    )
    .await;
    assert_eq!(r.code(), "GROUP_NOT_FOUND");
    sb.shutdown().await;
}
