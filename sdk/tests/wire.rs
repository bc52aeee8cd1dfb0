//! The exact requests of the project, organization, cluster, database-user and access-list
//! APIs (method, encoded path, query, media-type version, body), recorded by a small fake
//! server; and a cluster wait that rides through 503s.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atlas_admin_sdk::models::{
    AccessListEntry, AccessListStatus, Cluster, DatabaseUser, DatabaseUserRole, ProcessArgs,
};
use atlas_admin_sdk::{Backoff, Client, ListOptions, RetryPolicy};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    uri: String,
    accept: String,
    content_type: Option<String>,
    body: Option<Value>,
}

#[derive(Default)]
struct Fake {
    seen: Vec<Seen>,
    /// Canned answers, popped in order; when empty: 200 `{}`-ish defaults.
    script: VecDeque<(u16, Value)>,
}

type Shared = Arc<Mutex<Fake>>;

async fn handler(
    State(state): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    s.seen.push(Seen {
        method: method.to_string(),
        uri: uri.to_string(),
        accept: header("accept").unwrap_or_default(),
        content_type: header("content-type"),
        body: serde_json::from_slice(&body).ok(),
    });
    let (status, body) = s.script.pop_front().unwrap_or_else(|| {
        let path = uri.path();
        if path.ends_with("/status") {
            (200, json!({"STATUS": "ACTIVE"}))
        } else if method == Method::GET
            && (path.ends_with("/clusters")
                || path.ends_with("/databaseUsers")
                || path.ends_with("/accessList"))
        {
            (200, json!({"results": [], "totalCount": 0, "links": []}))
        } else if method == Method::POST && path.ends_with("/accessList") {
            (201, json!({"results": [], "totalCount": 0, "links": []}))
        } else {
            (200, json!({}))
        }
    });
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(body)).into_response()
}

async fn fake(script: Vec<(u16, Value)>) -> (Client, Shared) {
    let state: Shared = Arc::new(Mutex::new(Fake {
        seen: Vec::new(),
        script: script.into(),
    }));
    let app = axum::Router::new()
        .fallback(handler)
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("addr: {e}"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let client = Client::builder()
        .base_url(format!("http://{addr}"))
        .retry_policy(RetryPolicy::new(
            3,
            Duration::from_millis(1),
            Duration::from_millis(5),
            Duration::from_secs(5),
        ))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    (client, state)
}

fn seen(state: &Shared) -> Vec<Seen> {
    state.lock().unwrap_or_else(|e| e.into_inner()).seen.clone()
}

fn ok<T>(r: atlas_admin_sdk::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

const G: &str = "6a79f2c2d21a0d4a1ac2b3c4";
const V2024_08_05: &str = "application/vnd.atlas.2024-08-05+json";
const V2024_10_23: &str = "application/vnd.atlas.2024-10-23+json";
const V2023_02_01: &str = "application/vnd.atlas.2023-02-01+json";
const V2023_01_01: &str = "application/vnd.atlas.2023-01-01+json";

fn check(s: &Seen, method: &str, uri: &str, version: &str, body: Option<Value>) {
    assert_eq!(s.method, method, "{s:?}");
    assert_eq!(s.uri, uri, "{s:?}");
    assert_eq!(s.accept, version, "{s:?}");
    assert_eq!(s.body, body, "{s:?}");
    if body.is_some() {
        assert_eq!(s.content_type.as_deref(), Some(version), "{s:?}");
    }
}

#[tokio::test]
async fn wire_cluster_requests() {
    let (client, state) = fake(Vec::new()).await;
    let clusters = client.clusters();
    ok(clusters.list(G, ListOptions::new().page_num(2)).await);
    ok(clusters.get(G, "c1").await);
    let create = Cluster {
        name: Some("c1".into()),
        cluster_type: Some("REPLICASET".into()),
        ..Default::default()
    };
    ok(clusters.create(G, &create).await);
    let pause = Cluster {
        paused: Some(true),
        ..Default::default()
    };
    ok(clusters.update(G, "c1", &pause).await);
    ok(clusters.delete(G, "c1", Some(true)).await);
    ok(clusters.delete(G, "c1", None).await);
    ok(clusters.get_process_args(G, "c1").await);
    let args = ProcessArgs {
        javascript_enabled: Some(false),
        ..Default::default()
    };
    ok(clusters.update_process_args(G, "c1", &args).await);

    let s = seen(&state);
    let base = format!("/api/atlas/v2/groups/{G}/clusters");
    check(
        &s[0],
        "GET",
        &format!("{base}?pageNum=2"),
        V2024_08_05,
        None,
    );
    check(&s[1], "GET", &format!("{base}/c1"), V2024_08_05, None);
    check(
        &s[2],
        "POST",
        &base,
        V2024_10_23,
        Some(json!({"name": "c1", "clusterType": "REPLICASET"})),
    );
    check(
        &s[3],
        "PATCH",
        &format!("{base}/c1"),
        V2024_10_23,
        Some(json!({"paused": true})),
    );
    check(
        &s[4],
        "DELETE",
        &format!("{base}/c1?retainBackups=true"),
        V2023_02_01,
        None,
    );
    check(&s[5], "DELETE", &format!("{base}/c1"), V2023_02_01, None);
    check(
        &s[6],
        "GET",
        &format!("{base}/c1/processArgs"),
        V2024_08_05,
        None,
    );
    check(
        &s[7],
        "PATCH",
        &format!("{base}/c1/processArgs"),
        V2024_08_05,
        Some(json!({"javascriptEnabled": false})),
    );
}

#[tokio::test]
async fn wire_database_user_requests() {
    let (client, state) = fake(Vec::new()).await;
    let users = client.database_users();
    let user = DatabaseUser {
        username: Some("CN=a,OU=b".into()),
        database_name: Some("$external".into()),
        x509_type: Some("CUSTOMER".into()),
        roles: Some(vec![DatabaseUserRole::new("read", "db")]),
        ..Default::default()
    };
    ok(users.create(G, &user).await);
    ok(users.get(G, "$external", "CN=a,OU=b").await);
    ok(users.get(G, "admin", "idp/group@x").await);
    let patch = DatabaseUser {
        description: Some("d".into()),
        ..Default::default()
    };
    ok(users.update(G, "admin", "a b", &patch).await);
    ok(users.delete(G, "admin", "arn:aws:iam::1:role/x").await);
    ok(users.list(G, ListOptions::new().items_per_page(5)).await);

    let s = seen(&state);
    let base = format!("/api/atlas/v2/groups/{G}/databaseUsers");
    check(
        &s[0],
        "POST",
        &base,
        V2023_01_01,
        Some(json!({
            "username": "CN=a,OU=b",
            "databaseName": "$external",
            "groupId": G,
            "x509Type": "CUSTOMER",
            "roles": [{"roleName": "read", "databaseName": "db"}],
        })),
    );
    check(
        &s[1],
        "GET",
        &format!("{base}/%24external/CN%3Da%2COU%3Db"),
        V2023_01_01,
        None,
    );
    check(
        &s[2],
        "GET",
        &format!("{base}/admin/idp%2Fgroup%40x"),
        V2023_01_01,
        None,
    );
    check(
        &s[3],
        "PATCH",
        &format!("{base}/admin/a%20b"),
        V2023_01_01,
        Some(json!({"description": "d"})),
    );
    check(
        &s[4],
        "DELETE",
        &format!("{base}/admin/arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fx"),
        V2023_01_01,
        None,
    );
    check(
        &s[5],
        "GET",
        &format!("{base}?itemsPerPage=5"),
        V2023_01_01,
        None,
    );
}

#[tokio::test]
async fn wire_access_list_requests() {
    let (client, state) = fake(Vec::new()).await;
    let acl = client.access_list();
    ok(acl
        .create(
            G,
            &[
                AccessListEntry::ip_address("203.0.113.7").comment("ci"),
                AccessListEntry::cidr_block("10.0.0.0/24"),
            ],
        )
        .await);
    ok(acl.get(G, "10.0.0.0/24").await);
    assert_eq!(
        ok(acl.status(G, "10.0.0.0/24").await),
        AccessListStatus::Active
    );
    ok(acl.delete(G, "sg-0123abcd").await);

    let s = seen(&state);
    let base = format!("/api/atlas/v2/groups/{G}/accessList");
    check(
        &s[0],
        "POST",
        &base,
        V2023_01_01,
        Some(json!([
            {"ipAddress": "203.0.113.7", "comment": "ci"},
            {"cidrBlock": "10.0.0.0/24"},
        ])),
    );
    check(
        &s[1],
        "GET",
        &format!("{base}/10.0.0.0%2F24"),
        V2023_01_01,
        None,
    );
    check(
        &s[2],
        "GET",
        &format!("{base}/10.0.0.0%2F24/status"),
        V2023_01_01,
        None,
    );
    check(
        &s[3],
        "DELETE",
        &format!("{base}/sg-0123abcd"),
        V2023_01_01,
        None,
    );
}

#[tokio::test]
async fn wire_wait_idle_rides_through_503_and_429() {
    let unavailable =
        json!({"error": 503, "errorCode": "SERVICE_UNAVAILABLE", "detail": "try later"});
    let throttled = json!({"error": 429, "errorCode": "RATE_LIMITED_TOKEN_BUCKET"});
    let (client, state) = fake(vec![
        (200, json!({"name": "c1", "stateName": "UPDATING"})),
        (503, unavailable.clone()),
        (429, throttled),
        (502, json!({})),
        (200, json!({"name": "c1", "stateName": "UPDATING"})),
        (200, json!({"name": "c1", "stateName": "IDLE"})),
    ])
    .await;
    let clusters = client.clusters().with_backoff(Backoff::new(
        Duration::from_millis(1),
        Duration::from_millis(5),
    ));
    let c = ok(clusters
        .wait_idle(G, "c1", Duration::from_secs(10), std::future::pending())
        .await);
    assert!(c.is_idle());
    assert_eq!(seen(&state).len(), 6);

    // wait_deleted: DELETING, a 503, then the 404 that means done.
    let (client, state) = fake(vec![
        (200, json!({"name": "c1", "stateName": "DELETING"})),
        (503, unavailable),
        (
            404,
            json!({"error": 404, "errorCode": "CLUSTER_NOT_FOUND", "detail": "No cluster named c1"}),
        ),
    ])
    .await;
    let clusters = client.clusters().with_backoff(Backoff::new(
        Duration::from_millis(1),
        Duration::from_millis(5),
    ));
    ok(clusters
        .wait_deleted(G, "c1", Duration::from_secs(10), std::future::pending())
        .await);
    assert_eq!(seen(&state).len(), 3);

    // A 500 is not retryable: the wait ends with it.
    let (client, _state) = fake(vec![(
        500,
        json!({"error": 500, "errorCode": "UNEXPECTED_ERROR"}),
    )])
    .await;
    let e = client
        .clusters()
        .wait_idle(G, "c1", Duration::from_secs(10), std::future::pending())
        .await;
    assert!(matches!(&e, Err(e) if e.status() == Some(500)), "{e:?}");
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[tokio::test]
async fn wire_project_and_organization_requests() {
    use atlas_admin_sdk::models::{CreateProject, UpdateProject};
    use futures::TryStreamExt as _;

    let group = fixture("projects/get_group.json");
    let page = |results: Vec<Value>| json!({"results": results, "totalCount": 1, "links": []});
    let (client, state) = fake(vec![
        (201, group.clone()),
        (200, group.clone()),
        (200, group.clone()),
        (200, page(vec![group.clone()])),
        (200, group.clone()),
        (202, json!({})),
        (200, fixture("organizations/get_org.json")),
        (200, page(vec![fixture("organizations/get_org.json")])),
        (200, page(vec![json!({"ipAddress": "203.0.113.7"})])),
    ])
    .await;
    let projects = client.projects();
    let create = CreateProject::new("p 1", "6a0346c9d21a0d4a1ac1c9e1")
        .tags(Vec::new())
        .project_owner_id("6a0346c9d21a0d4a1ac1c9ff");
    ok(projects.create(create).await);
    ok(projects.get(G).await);
    ok(projects.get_by_name("p 1").await);
    let streamed: Vec<_> = ok(projects
        .stream(ListOptions::new().items_per_page(1))
        .try_collect()
        .await);
    assert_eq!(streamed.len(), 1);
    ok(projects
        .update(
            G.to_owned(),
            UpdateProject::new().name("p2").tags(Vec::new()),
        )
        .await);
    ok(projects.delete(G).await);
    ok(client.organizations().get("6a0346c9d21a0d4a1ac1c9e1").await);
    assert_eq!(ok(client.organizations().list_all().await).len(), 1);
    ok(client
        .access_list()
        .create_with(
            G,
            &[AccessListEntry::ip_address("203.0.113.7")],
            ListOptions::new().items_per_page(500),
        )
        .await);

    let s = seen(&state);
    // Empty tags are left out of the create body, as before the body became GroupCreate.
    check(
        &s[0],
        "POST",
        "/api/atlas/v2/groups?projectOwnerId=6a0346c9d21a0d4a1ac1c9ff",
        V2023_01_01,
        Some(json!({"name": "p 1", "orgId": "6a0346c9d21a0d4a1ac1c9e1"})),
    );
    check(
        &s[1],
        "GET",
        &format!("/api/atlas/v2/groups/{G}"),
        V2023_01_01,
        None,
    );
    check(
        &s[2],
        "GET",
        "/api/atlas/v2/groups/byName/p%201",
        V2023_01_01,
        None,
    );
    check(
        &s[3],
        "GET",
        "/api/atlas/v2/groups?pageNum=1&itemsPerPage=1",
        V2023_01_01,
        None,
    );
    check(
        &s[4],
        "PATCH",
        &format!("/api/atlas/v2/groups/{G}"),
        V2023_01_01,
        Some(json!({"name": "p2", "tags": []})),
    );
    check(
        &s[5],
        "DELETE",
        &format!("/api/atlas/v2/groups/{G}"),
        V2023_01_01,
        None,
    );
    check(
        &s[6],
        "GET",
        "/api/atlas/v2/orgs/6a0346c9d21a0d4a1ac1c9e1",
        V2023_01_01,
        None,
    );
    check(
        &s[7],
        "GET",
        "/api/atlas/v2/orgs?pageNum=1&itemsPerPage=500",
        V2023_01_01,
        None,
    );
    check(
        &s[8],
        "POST",
        &format!("/api/atlas/v2/groups/{G}/accessList?itemsPerPage=500"),
        V2023_01_01,
        Some(json!([{"ipAddress": "203.0.113.7"}])),
    );
    assert_eq!(s.len(), 9);
}
