//! Clusters over real HTTP: the asynchronous lifecycle, Atlas's error codes, pagination,
//! project integration, processArgs and the control plane. Every answer is validated against
//! the spec subset for the version it was served with.

mod common;

use std::time::Duration;

use atlas_sandbox::Config;
use common::{start_with, Client, Resp};
use reqwest::Method;
use serde_json::{json, Value};

const V20230201: &str = "application/vnd.atlas.2023-02-01+json";
const V20240805: &str = "application/vnd.atlas.2024-08-05+json";
const V20241023: &str = "application/vnd.atlas.2024-10-23+json";
const UNKNOWN_ID: &str = "111111111111111111111111";
/// Longer than the 0.2 s transition used here.
const SETTLE: Duration = Duration::from_millis(350);

async fn start() -> (atlas_sandbox::SandboxHandle, Client) {
    start_with(Config {
        transition_seconds: 0.2,
        ..Config::for_tests()
    })
    .await
}

/// Atlas answers `biConnector.readPreference` in lower case although the spec's enum is
/// upper case (reference §4, observed): compare that one field upper-cased.
fn upper_read_preference(body: &mut Value) {
    let fix = |c: &mut Value| {
        if let Some(p) = c.pointer_mut("/biConnector/readPreference") {
            if let Some(s) = p.as_str() {
                *p = json!(s.to_ascii_uppercase());
            }
        }
    };
    fix(body);
    if let Some(items) = body.get_mut("results").and_then(Value::as_array_mut) {
        items.iter_mut().for_each(fix);
    }
}

fn check(c: &Client, operation_id: &str, r: &Resp) {
    let mut body = r.body.clone();
    upper_read_preference(&mut body);
    let patched = Resp {
        status: r.status,
        headers: r.headers.clone(),
        text: r.text.clone(),
        body,
    };
    c.check_spec(operation_id, &patched);
}

async fn api(
    c: &Client,
    operation_id: &str,
    method: Method,
    path: &str,
    accept: &str,
    body: Option<Value>,
) -> Resp {
    let text = body.map(|b| b.to_string());
    let r = c.call(method, path, Some(accept), text.as_deref()).await;
    check(c, operation_id, &r);
    r
}

fn clusters_path(group: &str) -> String {
    format!("/api/atlas/v2/groups/{group}/clusters")
}

fn cluster_path(group: &str, name: &str) -> String {
    format!("/api/atlas/v2/groups/{group}/clusters/{name}")
}

fn aws_rs(name: &str, size: &str) -> Value {
    json!({
        "name": name,
        "clusterType": "REPLICASET",
        "replicationSpecs": [{"regionConfigs": [{
            "providerName": "AWS", "regionName": "US_EAST_1", "priority": 7,
            "electableSpecs": {"instanceSize": size, "nodeCount": 3}
        }]}]
    })
}

async fn project(sb: &atlas_sandbox::SandboxHandle, c: &Client, name: &str) -> String {
    let g = c.create_project(&sb.org_id, name).await;
    g["id"].as_str().expect("project id").to_string()
}

async fn create(c: &Client, group: &str, body: Value) -> Resp {
    api(
        c,
        "createGroupCluster",
        Method::POST,
        &clusters_path(group),
        V20241023,
        Some(body),
    )
    .await
}

async fn get(c: &Client, group: &str, name: &str) -> Resp {
    api(
        c,
        "getGroupCluster",
        Method::GET,
        &cluster_path(group, name),
        V20240805,
        None,
    )
    .await
}

async fn patch(c: &Client, group: &str, name: &str, body: Value) -> Resp {
    api(
        c,
        "updateGroupCluster",
        Method::PATCH,
        &cluster_path(group, name),
        V20241023,
        Some(body),
    )
    .await
}

async fn delete(c: &Client, group: &str, name: &str) -> Resp {
    api(
        c,
        "deleteGroupCluster",
        Method::DELETE,
        &cluster_path(group, name),
        V20230201,
        None,
    )
    .await
}

async fn group_cluster_count(c: &Client, group: &str) -> Value {
    let r = c
        .api(
            "getGroup",
            Method::GET,
            &format!("/api/atlas/v2/groups/{group}"),
            None,
        )
        .await;
    r.body["clusterCount"].clone()
}

fn is_object_id(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 24
            && s.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    })
}

// ---- lifecycle --------------------------------------------------------------------------------

#[tokio::test]
async fn create_settle_resize_delete() {
    let (sb, c) = start().await;
    let g = project(&sb, &c, "clusters-life").await;

    let r = create(&c, &g, aws_rs("Cluster0", "M10")).await;
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(
        r.content_type(),
        "application/vnd.atlas.2024-10-23+json;charset=utf-8"
    );
    let b = &r.body;
    assert_eq!(b["stateName"], json!("CREATING"));
    assert_eq!(b["connectionStrings"], json!({}));
    assert!(is_object_id(&b["id"]));
    assert_eq!(b["groupId"], json!(g));
    assert_eq!(b["name"], json!("Cluster0"));
    assert_eq!(b["mongoDBMajorVersion"], json!("8.0"));
    assert_eq!(b["mongoDBVersion"], json!("8.0.14"));
    assert_eq!(b["featureCompatibilityVersion"], json!("8.0"));
    assert_eq!(b["versionReleaseSystem"], json!("LTS"));
    assert_eq!(
        b["biConnector"],
        json!({"enabled": false, "readPreference": "secondary"})
    );
    for (field, value) in [
        ("backupEnabled", json!(false)),
        ("paused", json!(false)),
        ("pitEnabled", json!(false)),
        ("terminationProtectionEnabled", json!(false)),
        ("encryptionAtRestProvider", json!("NONE")),
        ("rootCertType", json!("ISRGROOTX1")),
        ("redactClientLogData", json!(false)),
        ("globalClusterSelfManagedSharding", json!(false)),
        ("tags", json!([])),
        ("labels", json!([])),
    ] {
        assert_eq!(b[field], value, "{field}");
    }
    assert!(
        b.get("configServerType").is_none(),
        "replica sets have no config servers"
    );
    let spec = &b["replicationSpecs"][0];
    assert!(is_object_id(&spec["id"]) && is_object_id(&spec["zoneId"]));
    assert_eq!(spec["zoneName"], json!("Zone 1"));
    let rc = &spec["regionConfigs"][0];
    assert_eq!(rc["electableSpecs"]["diskSizeGB"], json!(10.0));
    assert_eq!(rc["electableSpecs"]["ebsVolumeType"], json!("STANDARD"));
    assert_eq!(
        rc["readOnlySpecs"],
        json!({"instanceSize": "M10", "nodeCount": 0, "diskSizeGB": 10.0, "ebsVolumeType": "STANDARD", "diskIOPS": 3000})
    );
    assert_eq!(rc["analyticsSpecs"]["nodeCount"], json!(0));
    assert_eq!(rc["autoScaling"]["compute"]["enabled"], json!(false));
    let created = b["createDate"].as_str().expect("createDate");
    assert!(created.ends_with('Z') && created.len() == 20);
    assert_eq!(
        b["links"][0]["href"],
        json!(format!(
            "{}/api/atlas/v2/groups/{g}/clusters/Cluster0",
            sb.base_url
        ))
    );
    assert_eq!(group_cluster_count(&c, &g).await, json!(1));

    // Still creating right away, IDLE after the transition, connection strings appear.
    assert_eq!(
        get(&c, &g, "Cluster0").await.body["stateName"],
        json!("CREATING")
    );
    tokio::time::sleep(SETTLE).await;
    let r = get(&c, &g, "Cluster0").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.content_type(),
        "application/vnd.atlas.2024-08-05+json;charset=utf-8"
    );
    assert_eq!(r.body["stateName"], json!("IDLE"));
    let cs = r.body["connectionStrings"].clone();
    let srv = cs["standardSrv"].as_str().expect("srv");
    let tag = srv
        .strip_prefix("mongodb+srv://cluster0.")
        .and_then(|s| s.strip_suffix(".mongodb.net"))
        .expect("srv shape");
    assert!(
        tag.len() == 5
            && tag
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit()),
        "{srv}"
    );
    let standard = cs["standard"].as_str().expect("standard");
    assert!(standard.starts_with(&format!(
        "mongodb://cluster0-shard-00-00.{tag}.mongodb.net:27017,cluster0-shard-00-01.{tag}.mongodb.net:27017,cluster0-shard-00-02.{tag}.mongodb.net:27017/?"
    )), "{standard}");
    assert!(
        standard.contains("replicaSet=atlas-") && standard.ends_with("-shard-0"),
        "{standard}"
    );
    assert_eq!(
        get(&c, &g, "Cluster0").await.body["connectionStrings"],
        cs,
        "stable across reads"
    );

    // Resize: UPDATING, ids kept, then IDLE with the new size.
    let spec_id = r.body["replicationSpecs"][0]["id"].clone();
    let resize = json!({"replicationSpecs": [{"id": spec_id, "regionConfigs": [{
        "providerName": "AWS", "regionName": "US_EAST_1", "priority": 7,
        "electableSpecs": {"instanceSize": "M30", "nodeCount": 3}}]}]});
    let r = patch(&c, &g, "Cluster0", resize).await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["stateName"], json!("UPDATING"));
    assert_eq!(r.body["replicationSpecs"][0]["id"], spec_id);
    assert_eq!(
        r.body["connectionStrings"], cs,
        "a primary stays available while updating"
    );
    tokio::time::sleep(SETTLE).await;
    let r = get(&c, &g, "Cluster0").await;
    assert_eq!(r.body["stateName"], json!("IDLE"));
    assert_eq!(
        r.body["replicationSpecs"][0]["regionConfigs"][0]["electableSpecs"]["instanceSize"],
        json!("M30")
    );
    assert_eq!(
        r.body["replicationSpecs"][0]["regionConfigs"][0]["electableSpecs"]["diskSizeGB"],
        json!(10.0)
    );

    // A minimal PATCH changes one field and keeps the rest.
    let r = patch(
        &c,
        &g,
        "Cluster0",
        json!({"backupEnabled": true, "tags": [{"key": "env", "value": "dev"}]}),
    )
    .await;
    assert_eq!(r.body["backupEnabled"], json!(true));
    assert_eq!(r.body["tags"], json!([{"key": "env", "value": "dev"}]));
    assert_eq!(
        r.body["replicationSpecs"][0]["regionConfigs"][0]["electableSpecs"]["instanceSize"],
        json!("M30")
    );
    tokio::time::sleep(SETTLE).await;

    // Delete: 202 {}, DELETING, then 404.
    let r = delete(&c, &g, "Cluster0").await;
    assert_eq!(r.status, 202, "{r:?}");
    assert_eq!(r.body, json!({}));
    assert_eq!(
        get(&c, &g, "Cluster0").await.body["stateName"],
        json!("DELETING")
    );
    let r = delete(&c, &g, "Cluster0").await;
    assert_eq!(
        (r.status, r.code()),
        (400, "CLUSTER_ALREADY_REQUESTED_DELETION")
    );
    tokio::time::sleep(SETTLE).await;
    let r = get(&c, &g, "Cluster0").await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.body,
        json!({"detail": format!("No cluster named Cluster0 exists in group {g}."), "error": 404,
               "errorCode": "CLUSTER_NOT_FOUND", "parameters": ["Cluster0", g], "reason": "Not Found"})
    );
    assert_eq!(group_cluster_count(&c, &g).await, json!(0));
    sb.shutdown().await;
}

#[tokio::test]
async fn process_args_defaults_and_updates() {
    let (sb, c) = start().await;
    let g = project(&sb, &c, "clusters-args").await;
    create(&c, &g, aws_rs("c1", "M10")).await;
    let path = format!("{}/processArgs", cluster_path(&g, "c1"));
    for accept in [V20240805, "application/vnd.atlas.2023-01-01+json"] {
        let r = api(
            &c,
            "getGroupClusterProcessArgs",
            Method::GET,
            &path,
            accept,
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!(r.body["javascriptEnabled"], json!(true));
        assert_eq!(r.body["minimumEnabledTlsProtocol"], json!("TLS1_2"));
        assert_eq!(r.body["noTableScan"], json!(false));
        assert_eq!(r.body["transactionLifetimeLimitSeconds"], json!(60));
        assert_eq!(
            r.body["changeStreamOptionsPreAndPostImagesExpireAfterSeconds"],
            json!(-1)
        );
        assert_eq!(r.body["tlsCipherConfigMode"], json!("DEFAULT"));
        assert_eq!(r.body["oplogSizeMB"], Value::Null);
    }
    let r = api(&c, "updateGroupClusterProcessArgs", Method::PATCH, &path, V20240805,
        Some(json!({"javascriptEnabled": false, "oplogSizeMB": 2048, "minimumEnabledTlsProtocol": "TLS1_3"}))).await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["javascriptEnabled"], json!(false));
    assert_eq!(r.body["oplogSizeMB"], json!(2048));
    assert_eq!(r.body["noTableScan"], json!(false));
    let cluster = get(&c, &g, "c1").await;
    assert_eq!(
        cluster.body["advancedConfiguration"]["minimumEnabledTlsProtocol"],
        json!("TLS1_3")
    );
    for (bad, code) in [
        (json!({"javascriptEnabled": "no"}), "INVALID_ATTRIBUTE"),
        (
            json!({"minimumEnabledTlsProtocol": "SSL3"}),
            "INVALID_ENUM_VALUE",
        ),
        (
            json!({"transactionLifetimeLimitSeconds": 0}),
            "INVALID_ATTRIBUTE",
        ),
    ] {
        let r = api(
            &c,
            "updateGroupClusterProcessArgs",
            Method::PATCH,
            &path,
            V20240805,
            Some(bad),
        )
        .await;
        assert_eq!((r.status, r.code()), (400, code));
    }
    let missing = format!("{}/processArgs", cluster_path(&g, "nope"));
    let r = api(
        &c,
        "getGroupClusterProcessArgs",
        Method::GET,
        &missing,
        V20240805,
        None,
    )
    .await;
    assert_eq!((r.status, r.code()), (404, "CLUSTER_NOT_FOUND"));
    sb.shutdown().await;
}

// ---- errors -----------------------------------------------------------------------------------

#[tokio::test]
async fn create_errors_are_atlas_codes_never_500() {
    let (sb, c) = start().await;
    let g = project(&sb, &c, "clusters-errors").await;
    let post_raw = |body: &'static str| {
        let c = &c;
        let path = clusters_path(&g);
        async move {
            let r = c
                .call(Method::POST, &path, Some(V20241023), Some(body))
                .await;
            check(c, "createGroupCluster", &r);
            r
        }
    };
    assert_eq!(post_raw("{").await.code(), "MALFORMED_JSON");
    assert_eq!(post_raw("[]").await.code(), "INVALID_JSON");
    assert_eq!(post_raw("").await.code(), "INVALID_JSON");

    let with = |patch: Value| {
        let mut b = aws_rs("errs", "M10");
        if let (Some(o), Some(p)) = (b.as_object_mut(), patch.as_object()) {
            o.extend(p.clone());
        }
        b
    };
    let region = |provider: &str, region: &str, size: &str, nodes: i64, priority: i64| {
        json!({"providerName": provider, "regionName": region, "priority": priority,
               "electableSpecs": {"instanceSize": size, "nodeCount": nodes}})
    };
    let rs = |rcs: Vec<Value>| json!({"replicationSpecs": [{"regionConfigs": rcs}]});
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            with(json!({"name": "bad_name"})),
            400,
            "CLUSTER_NAME_INVALID",
        ),
        (
            with(json!({"name": "a".repeat(65)})),
            400,
            "CLUSTER_NAME_TOO_LONG",
        ),
        (with(json!({"name": 7})), 400, "INVALID_ATTRIBUTE"),
        (
            with(json!({"clusterType": "CLUSTER"})),
            400,
            "INVALID_ENUM_VALUE",
        ),
        (
            with(json!({"backupEnabled": "true"})),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            with(json!({"paused": true})),
            400,
            "CANNOT_CREATE_PAUSED_CLUSTER",
        ),
        (
            with(json!({"mongoDBMajorVersion": "5.0"})),
            400,
            "MONGODB_VERSION_INVALID",
        ),
        (
            with(json!({"replicationSpecs": []})),
            400,
            "REPLICATION_SPECS_INVALID",
        ),
        (
            with(json!({"replicationSpecs": [{"regionConfigs": []}]})),
            400,
            "REPLICATION_SPECS_INVALID",
        ),
        (
            with(json!({"replicationSpecs": "x"})),
            400,
            "INVALID_ATTRIBUTE",
        ),
        (
            with(rs(vec![region("IBM", "US_EAST_1", "M10", 3, 7)])),
            400,
            "INVALID_PROVIDER",
        ),
        (
            with(rs(vec![region("AWS", "WESTERN_EUROPE", "M10", 3, 7)])),
            400,
            "INVALID_REGION",
        ),
        (
            with(rs(vec![region("AZURE", "US_EAST_1", "M10", 3, 7)])),
            400,
            "INVALID_REGION",
        ),
        (
            with(rs(vec![region("AWS", "US_EAST_1", "M15", 3, 7)])),
            400,
            "INVALID_ENUM_VALUE",
        ),
        (
            with(rs(vec![region("AWS", "US_EAST_1", "M10", 2, 7)])),
            400,
            "INVALID_CLUSTER_CONFIGURATION",
        ),
        (
            with(rs(vec![
                region("AWS", "US_EAST_1", "M10", 2, 6),
                region("AWS", "US_WEST_2", "M10", 1, 7),
            ])),
            400,
            "INVALID_CLUSTER_CONFIGURATION",
        ),
        (
            with(json!({"clusterType": "SHARDED", "replicationSpecs": [
                {"regionConfigs": [{"providerName": "AWS", "regionName": "US_EAST_1", "priority": 7, "electableSpecs": {"instanceSize": "M30", "nodeCount": 3, "diskSizeGB": 40}}]},
                {"regionConfigs": [{"providerName": "AWS", "regionName": "US_EAST_1", "priority": 7, "electableSpecs": {"instanceSize": "M30", "nodeCount": 3, "diskSizeGB": 80}}]}
            ]})),
            400,
            "DISK_SIZE_GB_INCONSISTENT",
        ),
        (
            with(
                json!({"replicationSpecs": [{"regionConfigs": [{"providerName": "AWS", "regionName": "US_EAST_1", "priority": 7,
                "electableSpecs": {"instanceSize": "M10", "nodeCount": 3, "diskSizeGB": 5000}}]}]}),
            ),
            400,
            "CLUSTER_DISK_SIZE_INVALID",
        ),
    ];
    for (body, status, code) in cases {
        let r = create(&c, &g, body.clone()).await;
        assert_eq!((r.status, r.code()), (status, code), "{body}: {r:?}");
    }
    let r = create(&c, UNKNOWN_ID, aws_rs("x", "M10")).await;
    assert_eq!((r.status, r.code()), (404, "GROUP_NOT_FOUND"));
    let r = create(&c, "not-an-id", aws_rs("x", "M10")).await;
    assert_eq!((r.status, r.code()), (404, "INVALID_GROUP_ID"));

    // Names: exact duplicate (400, not 409) and 23-character prefix collision.
    let long = "abcdefghijklmnopqrstuvw";
    assert_eq!(
        create(&c, &g, aws_rs(&format!("{long}-one"), "M10"))
            .await
            .status,
        201
    );
    let r = create(&c, &g, aws_rs(&format!("{long}-one"), "M10")).await;
    assert_eq!((r.status, r.code()), (400, "DUPLICATE_CLUSTER_NAME"));
    assert_eq!(r.body["parameters"], json!([format!("{long}-one"), g]));
    let r = create(&c, &g, aws_rs(&format!("{long}-two"), "M10")).await;
    assert_eq!((r.status, r.code()), (400, "DUPLICATE_CLUSTER_NAME_PREFIX"));
    sb.shutdown().await;
}

#[tokio::test]
async fn update_and_delete_errors() {
    let (sb, c) = start().await;
    let g = project(&sb, &c, "clusters-update-errors").await;
    create(&c, &g, aws_rs("c1", "M10")).await;
    tokio::time::sleep(SETTLE).await;

    let r = patch(&c, &g, "missing", json!({})).await;
    assert_eq!((r.status, r.code()), (404, "CLUSTER_NOT_FOUND"));
    let r = patch(&c, &g, "c1", json!({"name": "c2"})).await;
    assert_eq!((r.status, r.code()), (400, "CLUSTER_CANNOT_CHANGE_NAME"));
    let gcp = json!({"replicationSpecs": [{"regionConfigs": [{"providerName": "GCP", "regionName": "CENTRAL_US",
        "priority": 7, "electableSpecs": {"instanceSize": "M10", "nodeCount": 3}}]}]});
    let r = patch(&c, &g, "c1", gcp).await;
    assert_eq!(
        (r.status, r.code()),
        (400, "CLUSTER_CANNOT_CHANGE_PROVIDER_NAME")
    );
    let r = patch(&c, &g, "c1", json!({"clusterType": "BIG"})).await;
    assert_eq!((r.status, r.code()), (400, "INVALID_ENUM_VALUE"));
    let r = c
        .call(
            Method::PATCH,
            &cluster_path(&g, "c1"),
            Some(V20241023),
            Some("{\"paused\":"),
        )
        .await;
    check(&c, "updateGroupCluster", &r);
    assert_eq!((r.status, r.code()), (400, "MALFORMED_JSON"));

    // Paused clusters accept only resuming.
    let r = patch(&c, &g, "c1", json!({"paused": true, "backupEnabled": true})).await;
    assert_eq!(
        (r.status, r.code()),
        (409, "CANNOT_UPDATE_AND_PAUSE_CLUSTER")
    );
    let r = patch(&c, &g, "c1", json!({"paused": true})).await;
    assert_eq!((r.status, r.body["paused"].clone()), (200, json!(true)));
    let r = patch(&c, &g, "c1", json!({"backupEnabled": true})).await;
    assert_eq!((r.status, r.code()), (409, "CANNOT_UPDATE_PAUSED_CLUSTER"));
    let r = patch(&c, &g, "c1", json!({"paused": false})).await;
    assert_eq!(r.status, 200);

    // Termination protection blocks DELETE.
    patch(&c, &g, "c1", json!({"terminationProtectionEnabled": true})).await;
    let r = delete(&c, &g, "c1").await;
    assert_eq!(
        (r.status, r.code()),
        (
            400,
            "CANNOT_TERMINATE_CLUSTER_WHEN_TERMINATION_PROTECTION_ENABLED"
        )
    );
    assert_eq!(
        r.body["detail"],
        json!("Cannot terminate a cluster when termination protection is enabled. Disable termination protection and try again.")
    );
    patch(&c, &g, "c1", json!({"terminationProtectionEnabled": false})).await;
    let r = api(
        &c,
        "deleteGroupCluster",
        Method::DELETE,
        &format!("{}?retainBackups=maybe", cluster_path(&g, "c1")),
        V20230201,
        None,
    )
    .await;
    assert_eq!((r.status, r.code()), (400, "INVALID_QUERY_PARAMETER"));
    let r = api(
        &c,
        "deleteGroupCluster",
        Method::DELETE,
        &format!("{}?retainBackups=false", cluster_path(&g, "c1")),
        "application/vnd.atlas.2023-01-01+json",
        None,
    )
    .await;
    assert_eq!(
        r.status, 202,
        "the older DELETE version has the same (empty) body"
    );
    let r = delete(&c, &g, "missing").await;
    assert_eq!((r.status, r.code()), (404, "CLUSTER_NOT_FOUND"));
    sb.shutdown().await;
}

#[tokio::test]
async fn versions_are_the_spec_ones_and_older_shapes_are_501() {
    let (sb, c) = start().await;
    let g = project(&sb, &c, "clusters-versions").await;
    // GET has no 2024-10-23.
    let r = c
        .call(Method::GET, &cluster_path(&g, "x"), Some(V20241023), None)
        .await;
    assert_eq!((r.status, r.code()), (406, "INVALID_VERSION_DATE"));
    // POST/PATCH accept 2024-08-05 as well (same schema).
    let r = api(
        &c,
        "createGroupCluster",
        Method::POST,
        &clusters_path(&g),
        V20240805,
        Some(aws_rs("v0805", "M10")),
    )
    .await;
    assert_eq!(r.status, 201);
    assert!(
        r.header("sunset").is_some(),
        "2024-08-05 POST is deprecated"
    );
    for (op, method, path) in [
        ("getGroupCluster", Method::GET, cluster_path(&g, "v0805")),
        ("listGroupClusters", Method::GET, clusters_path(&g)),
    ] {
        let r = c.call(method, &path, Some(V20230201), None).await;
        check(&c, op, &r);
        assert_eq!((r.status, r.code()), (501, "NOT_IMPLEMENTED"), "{op}");
        assert!(r.header("deprecation").is_some());
    }
    sb.shutdown().await;
}

// ---- lists, projects, topologies ---------------------------------------------------------------

#[tokio::test]
async fn list_paginates_in_creation_order() {
    let (sb, c) = start().await;
    let g = project(&sb, &c, "clusters-list").await;
    let list = |q: &str| {
        let c = &c;
        let path = format!("{}{q}", clusters_path(&g));
        async move { api(c, "listGroupClusters", Method::GET, &path, V20240805, None).await }
    };
    let r = list("").await;
    assert_eq!(
        (
            r.status,
            r.body["results"].clone(),
            r.body["totalCount"].clone()
        ),
        (200, json!([]), json!(0))
    );
    for name in ["c1", "c2", "c3"] {
        assert_eq!(create(&c, &g, aws_rs(name, "M10")).await.status, 201);
    }
    let r = list("?itemsPerPage=2&pageNum=1").await;
    let names: Vec<&str> = r.body["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|x| x["name"].as_str())
        .collect();
    assert_eq!(names, ["c1", "c2"]);
    assert_eq!(r.body["totalCount"], json!(3));
    assert_eq!(
        r.body["links"][0]["href"],
        json!(format!(
            "{}{}?includeCount=true&pageNum=1&itemsPerPage=2",
            sb.base_url,
            clusters_path(&g)
        ))
    );
    let r = list("?itemsPerPage=2&pageNum=2&includeCount=false").await;
    assert_eq!(r.body["results"][0]["name"], json!("c3"));
    assert!(r.body.get("totalCount").is_none());
    assert_eq!(
        list("?itemsPerPage=0").await.code(),
        "INVALID_QUERY_PARAMETER"
    );
    assert_eq!(
        list("?includeDeletedWithRetainedBackups=true").await.status,
        200
    );
    let r = api(
        &c,
        "listGroupClusters",
        Method::GET,
        &clusters_path(UNKNOWN_ID),
        V20240805,
        None,
    )
    .await;
    assert_eq!((r.status, r.code()), (404, "GROUP_NOT_FOUND"));
    sb.shutdown().await;
}

#[tokio::test]
async fn project_with_clusters_cannot_be_deleted_until_they_are_gone() {
    let (sb, c) = start().await;
    let g = project(&sb, &c, "clusters-project").await;
    create(&c, &g, aws_rs("c1", "M10")).await;
    let group_path = format!("/api/atlas/v2/groups/{g}");
    let r = c
        .api("deleteGroup", Method::DELETE, &group_path, None)
        .await;
    assert_eq!(
        (r.status, r.code()),
        (409, "CANNOT_CLOSE_GROUP_ACTIVE_ATLAS_CLUSTERS")
    );
    assert_eq!(delete(&c, &g, "c1").await.status, 202);
    let r = c
        .api("deleteGroup", Method::DELETE, &group_path, None)
        .await;
    assert_eq!(r.status, 409, "a DELETING cluster still blocks");
    tokio::time::sleep(SETTLE).await;
    let r = c
        .api("deleteGroup", Method::DELETE, &group_path, None)
        .await;
    assert_eq!(r.status, 202, "{r:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn control_plane_completes_transitions_and_reset_wipes_clusters() {
    let (sb, c) = start_with(Config {
        transition_seconds: 3600.0,
        ..Config::for_tests()
    })
    .await;
    let g = project(&sb, &c, "clusters-control").await;
    create(&c, &g, aws_rs("slow", "M10")).await;
    create(&c, &g, aws_rs("doomed", "M10")).await;
    delete(&c, &g, "doomed").await;
    let r = c
        .control(Method::POST, "/_sandbox/transitions/complete", None)
        .await;
    assert_eq!((r.status, r.body["completed"].clone()), (200, json!(2)));
    assert_eq!(get(&c, &g, "slow").await.body["stateName"], json!("IDLE"));
    assert_eq!(get(&c, &g, "doomed").await.status, 404);
    c.control(Method::POST, "/_sandbox/reset", None).await;
    let r = get(&c, &g, "slow").await;
    assert_eq!(r.code(), "GROUP_NOT_FOUND");
    sb.shutdown().await;
}

#[tokio::test]
async fn other_topologies_validate_against_the_spec() {
    let (sb, c) = start().await;
    let g = project(&sb, &c, "clusters-topologies").await;

    // Multi-cloud replica set with read-only and analytics nodes and auto-scaling.
    let multi = json!({
        "name": "multi", "clusterType": "REPLICASET", "mongoDBMajorVersion": "7.0", "backupEnabled": true,
        "biConnector": {"enabled": true, "readPreference": "ANALYTICS"},
        "replicationSpecs": [{"regionConfigs": [
            {"providerName": "AWS", "regionName": "US_EAST_1", "priority": 7,
             "electableSpecs": {"instanceSize": "M30", "nodeCount": 3, "diskSizeGB": 60},
             "readOnlySpecs": {"instanceSize": "M30", "nodeCount": 1},
             "analyticsSpecs": {"instanceSize": "M40", "nodeCount": 1},
             "autoScaling": {"compute": {"enabled": true, "scaleDownEnabled": true, "minInstanceSize": "M20", "maxInstanceSize": "M60"}, "diskGB": {"enabled": true}}},
            {"providerName": "GCP", "regionName": "CENTRAL_US", "priority": 6,
             "electableSpecs": {"instanceSize": "M30", "nodeCount": 1}},
            {"providerName": "AZURE", "regionName": "US_EAST_2", "priority": 5,
             "electableSpecs": {"instanceSize": "M30", "nodeCount": 1}}
        ]}]
    });
    let r = create(&c, &g, multi).await;
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.body["mongoDBVersion"], json!("7.0.25"));
    assert_eq!(r.body["biConnector"]["readPreference"], json!("analytics"));
    let rcs = &r.body["replicationSpecs"][0]["regionConfigs"];
    assert_eq!(rcs[1]["electableSpecs"]["diskSizeGB"], json!(60.0));
    assert_eq!(rcs[0]["analyticsSpecs"]["instanceSize"], json!("M40"));
    assert!(
        rcs[1]["electableSpecs"].get("ebsVolumeType").is_none(),
        "GCP has no EBS"
    );

    // Sharded: config servers, same zone for every shard, mongos connection string.
    let shard = json!({"regionConfigs": [{"providerName": "AWS", "regionName": "EU_WEST_1", "priority": 7,
        "electableSpecs": {"instanceSize": "M30", "nodeCount": 3}}]});
    let r = create(&c, &g, json!({"name": "sharded", "clusterType": "SHARDED", "replicationSpecs": [shard.clone(), shard]})).await;
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.body["configServerType"], json!("EMBEDDED"));
    assert_eq!(r.body["configServerManagementMode"], json!("ATLAS_MANAGED"));
    let specs = r.body["replicationSpecs"].as_array().expect("specs");
    assert_ne!(specs[0]["id"], specs[1]["id"]);
    assert_eq!(specs[0]["zoneId"], specs[1]["zoneId"]);

    // Tenant (M0).
    let free = json!({"name": "free", "clusterType": "REPLICASET", "replicationSpecs": [{"regionConfigs": [{
        "providerName": "TENANT", "backingProviderName": "AWS", "regionName": "US_EAST_1", "priority": 7,
        "electableSpecs": {"instanceSize": "M0"}}]}]});
    let r = create(&c, &g, free).await;
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(
        r.body["replicationSpecs"][0]["regionConfigs"][0]["electableSpecs"]
            ["effectiveInstanceSize"],
        json!("M0")
    );
    let path = format!("{}/processArgs", cluster_path(&g, "free"));
    let r = api(
        &c,
        "getGroupClusterProcessArgs",
        Method::GET,
        &path,
        V20240805,
        None,
    )
    .await;
    assert_eq!(
        (r.status, r.code()),
        (400, "TENANT_CLUSTER_PROCESS_ARGS_NOT_SUPPORTED")
    );

    tokio::time::sleep(SETTLE).await;
    let r = get(&c, &g, "sharded").await;
    let standard = r.body["connectionStrings"]["standard"]
        .as_str()
        .expect("standard");
    assert!(
        standard.contains(":27016") && !standard.contains("replicaSet="),
        "{standard}"
    );

    // The effective-fields headers add the effective specs; the list validates too.
    let r = c
        .http
        .get(format!("{}{}", c.base, cluster_path(&g, "multi")))
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status().as_u16(), 401, "digest first");
    let r = {
        // One authenticated call with the extra headers, through the digest client.
        let path = cluster_path(&g, "multi");
        let first = c.call(Method::GET, &path, Some(V20240805), None).await;
        assert_eq!(first.status, 200);
        let www = c
            .raw(Method::GET, &path, &[], None)
            .await
            .header("www-authenticate")
            .map(str::to_string)
            .expect("challenge");
        let nonce = common::challenge_nonce(&www).expect("nonce");
        let auth = common::digest_header(
            &sb.public_key,
            &sb.private_key,
            "GET",
            &path,
            &nonce,
            1,
            "abc",
        );
        c.raw(
            Method::GET,
            &path,
            &[
                ("authorization", auth),
                ("accept", V20240805.to_string()),
                ("use-effective-instance-fields", "true".to_string()),
                ("use-effective-fields-replication-specs", "true".to_string()),
            ],
            None,
        )
        .await
    };
    check(&c, "getGroupCluster", &r);
    assert_eq!(r.status, 200, "{r:?}");
    let rc = &r.body["replicationSpecs"][0]["regionConfigs"][0];
    assert_eq!(rc["effectiveElectableSpecs"], rc["electableSpecs"]);
    assert_eq!(
        r.body["effectiveReplicationSpecs"][0]["id"],
        r.body["replicationSpecs"][0]["id"]
    );
    let r = api(
        &c,
        "listGroupClusters",
        Method::GET,
        &clusters_path(&g),
        V20240805,
        None,
    )
    .await;
    assert_eq!(r.body["totalCount"], json!(3));
    sb.shutdown().await;
}
