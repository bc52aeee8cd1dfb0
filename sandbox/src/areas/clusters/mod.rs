//! Clusters (`/groups/{groupId}/clusters`): list, create (201, CREATING), get, update
//! (UPDATING), delete (202 `{}`, DELETING → 404), and processArgs get/update.
//!
//! Transitions last `transition_seconds` and are evaluated lazily from timestamps (see
//! [`lifecycle`]). Bodies follow `ClusterDescription20240805` (versions 2024-08-05 and
//! 2024-10-23); the older cluster shapes (2023-01-01 `LegacyAtlasCluster`, 2023-02-01
//! `AdvancedClusterDescription`) answer 501 `NOT_IMPLEMENTED`, except DELETE, whose body is
//! the same in every version.
//!
//! Choices where real Atlas is unverified: updates are accepted while CREATING/UPDATING
//! (the transition restarts; nothing is lost); a PATCH that changes nothing leaves the
//! cluster IDLE; any change to a DELETING cluster is `CLUSTER_ALREADY_REQUESTED_DELETION`;
//! cluster names are looked up exactly but compared case-insensitively for duplicates; the
//! provider of an existing region config (by position), or tenant ↔ dedicated, cannot
//! change (`CLUSTER_CANNOT_CHANGE_PROVIDER_NAME`); more than 25 clusters in a project is
//! `MAX_CLUSTERS_PER_GROUP_EXCEEDED` (code unverified).

pub mod catalog;
mod errors;
pub mod lifecycle;
pub mod process_args;
pub mod render;
pub mod validate;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Json, Router};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Map, Value};

use super::collection::{items_mut, ProjectCollection};
use super::{api_url, respond};
use crate::areas::{ProjectChildren, Store};
use crate::error::ApiError;
use crate::extract::{ApiPath, JsonObject, Query};
use crate::pagination::ListParams;
use crate::versions::ResolvedVersion;
use crate::AppState;

pub use lifecycle::{count_active, Cluster, Phase};
use render::View;
use validate::ClusterRequest;

use crate::lifecycle::Life;

/// Atlas's default `atlas.project.deployment.clusters` limit.
pub const MAX_CLUSTERS_PER_PROJECT: usize = 25;

/// The first version with the `ClusterDescription20240805` body.
const FIRST_EMULATED_VERSION: &str = "2024-08-05";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/groups/{group_id}/clusters",
            get(list_clusters).post(create_cluster_handler),
        )
        .route(
            "/groups/{group_id}/clusters/{cluster_name}",
            get(get_cluster_handler)
                .patch(update_cluster_handler)
                .delete(delete_cluster_handler),
        )
        .route(
            "/groups/{group_id}/clusters/{cluster_name}/processArgs",
            get(get_process_args_handler).patch(update_process_args_handler),
        )
}

// ---- backend ----------------------------------------------------------------------------

/// The project's clusters, in creation order; finished transitions are applied before every
/// access.
pub struct Clusters;

impl ProjectCollection for Clusters {
    type Item = Cluster;

    fn of_mut(children: &mut ProjectChildren) -> &mut Vec<Cluster> {
        &mut children.clusters
    }

    fn tidy(clusters: &mut Vec<Cluster>, now: DateTime<Utc>) {
        lifecycle::settle(clusters, now);
    }
}

/// The project's clusters with finished transitions applied.
fn settled_clusters<'a>(
    store: &'a mut Store,
    group_id: &str,
    now: DateTime<Utc>,
) -> Result<&'a mut Vec<Cluster>, ApiError> {
    items_mut::<Clusters>(store, group_id, now)
}

fn find_mut<'a>(
    clusters: &'a mut [Cluster],
    group_id: &str,
    name: &str,
) -> Result<&'a mut Cluster, ApiError> {
    clusters
        .iter_mut()
        .find(|c| c.name == name)
        .ok_or_else(|| ApiError::cluster_not_found(name, group_id))
}

pub fn list(
    store: &mut Store,
    group_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Cluster>, ApiError> {
    Ok(settled_clusters(store, group_id, now)?.clone())
}

pub fn get_cluster(
    store: &mut Store,
    group_id: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<Cluster, ApiError> {
    let clusters = settled_clusters(store, group_id, now)?;
    Ok(find_mut(clusters, group_id, name)?.clone())
}

pub fn create_cluster(
    store: &mut Store,
    group_id: &str,
    body: &Map<String, Value>,
    now: DateTime<Utc>,
    transition: Duration,
) -> Result<Cluster, ApiError> {
    settled_clusters(store, group_id, now)?;
    let req = validate::parse_request(body)?;
    let name = req
        .name()
        .ok_or_else(|| ApiError::missing_attribute("name"))?
        .to_string();
    if req.paused() == Some(true) {
        return Err(ApiError::cannot_create_paused_cluster());
    }
    let Store { projects, ids, .. } = store;
    let project = projects
        .iter_mut()
        .find(|p| p.id == group_id)
        .ok_or_else(|| ApiError::group_not_found(group_id))?;
    let clusters = &mut project.children.clusters;
    let lower = name.to_ascii_lowercase();
    if clusters
        .iter()
        .any(|c| c.name.to_ascii_lowercase() == lower)
    {
        return Err(ApiError::duplicate_cluster_name(&name, group_id));
    }
    let prefix = validate::name_prefix(&name);
    if let Some(other) = clusters
        .iter()
        .find(|c| validate::name_prefix(&c.name) == prefix)
    {
        return Err(ApiError::duplicate_cluster_name_prefix(&name, &other.name));
    }
    if clusters.len() >= MAX_CLUSTERS_PER_PROJECT {
        return Err(ApiError::max_clusters_per_group_exceeded(
            MAX_CLUSTERS_PER_PROJECT,
            group_id,
        ));
    }
    let mut config = validate::default_config();
    validate::apply_fields(&mut config, &req.fields);
    let cluster_type = config
        .get("clusterType")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::missing_attribute("clusterType"))?
        .to_string();
    let raw_specs = req
        .specs
        .as_deref()
        .ok_or_else(|| ApiError::missing_attribute("replicationSpecs"))?;
    let mut new_id = || ids.next_id(now);
    let specs = validate::normalize_specs(&cluster_type, raw_specs, &[], None, &mut new_id)?;
    config.insert("replicationSpecs".into(), Value::Array(specs));
    validate::check_cluster(&config)?;
    let mut process_args = process_args::defaults();
    process_args.extend(req.advanced.clone());
    let cluster = Cluster {
        id: ids.next_id(now),
        name,
        created: now,
        config,
        process_args,
        life: Life::start(Phase::Creating, now, transition),
    };
    clusters.push(cluster.clone());
    Ok(cluster)
}

/// Topology and immutability rules between the stored and the requested configuration.
fn check_transition(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    req: &ClusterRequest,
) -> Result<(), ApiError> {
    let s = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
    let (old_type, new_type) = (s(old, "clusterType"), s(new, "clusterType"));
    if old_type != new_type {
        if old_type.as_deref() == Some("GEOSHARDED") {
            return Err(ApiError::cannot_change_geosharded_cluster_type());
        }
        if new_type.as_deref() == Some("REPLICASET") {
            return Err(ApiError::sharded_cluster_cant_become_replica_set());
        }
    }
    if req.fields.contains_key("globalClusterSelfManagedSharding")
        && old.get("globalClusterSelfManagedSharding")
            != new.get("globalClusterSelfManagedSharding")
    {
        return Err(ApiError::cannot_modify_global_cluster_management_setting());
    }
    let specs = |m: &Map<String, Value>| {
        m.get("replicationSpecs")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (before, after) = (
        validate::providers(&specs(old)),
        validate::providers(&specs(new)),
    );
    let tenant = |p: &[Vec<String>]| p.iter().flatten().any(|x| x == "TENANT");
    let moved = before
        .iter()
        .zip(&after)
        .any(|(b, a)| b.iter().zip(a).any(|(x, y)| x != y));
    if tenant(&before) != tenant(&after) || moved {
        return Err(ApiError::cluster_cannot_change_provider_name());
    }
    Ok(())
}

fn without_paused(m: &Map<String, Value>) -> Map<String, Value> {
    let mut m = m.clone();
    m.remove("paused");
    m
}

pub fn update_cluster(
    store: &mut Store,
    group_id: &str,
    name: &str,
    body: &Map<String, Value>,
    now: DateTime<Utc>,
    transition: Duration,
) -> Result<Cluster, ApiError> {
    settled_clusters(store, group_id, now)?;
    let Store { projects, ids, .. } = store;
    let project = projects
        .iter_mut()
        .find(|p| p.id == group_id)
        .ok_or_else(|| ApiError::group_not_found(group_id))?;
    let cluster = find_mut(&mut project.children.clusters, group_id, name)?;
    if !cluster.life.allows(Phase::Updating, now, transition) {
        return Err(ApiError::cluster_already_requested_deletion(name));
    }
    let req = validate::parse_request(body)?;
    if req.name().is_some_and(|n| n != cluster.name) {
        return Err(ApiError::cluster_cannot_change_name());
    }
    let mut config = cluster.config.clone();
    validate::apply_fields(&mut config, &req.fields);
    let type_changed = config.get("clusterType") != cluster.config.get("clusterType");
    if req.specs.is_some() || type_changed {
        let cluster_type = config
            .get("clusterType")
            .and_then(Value::as_str)
            .unwrap_or("REPLICASET")
            .to_string();
        let old_specs = cluster.specs().to_vec();
        let raw = req.specs.clone().unwrap_or_else(|| old_specs.clone());
        let old_disk = validate::stored_disk(&old_specs);
        let mut new_id = || ids.next_id(now);
        let specs =
            validate::normalize_specs(&cluster_type, &raw, &old_specs, old_disk, &mut new_id)?;
        config.insert("replicationSpecs".into(), Value::Array(specs));
    }
    check_transition(&cluster.config, &config, &req)?;
    validate::check_cluster(&config)?;
    let mut args = cluster.process_args.clone();
    args.extend(req.advanced.clone());

    let was_paused = cluster.bool_field("paused");
    let pausing = req.paused() == Some(true) && !was_paused;
    let other_changes =
        without_paused(&config) != without_paused(&cluster.config) || args != cluster.process_args;
    if was_paused && other_changes {
        return Err(ApiError::cannot_update_paused_cluster(name));
    }
    if pausing && other_changes {
        return Err(ApiError::cannot_update_and_pause_cluster(name));
    }
    if config != cluster.config || args != cluster.process_args {
        cluster
            .life
            .request(Phase::Updating, now, transition)
            .map_err(|_| ApiError::cluster_already_requested_deletion(name))?;
        cluster.config = config;
        cluster.process_args = args;
    }
    Ok(cluster.clone())
}

pub fn delete_cluster(
    store: &mut Store,
    group_id: &str,
    name: &str,
    now: DateTime<Utc>,
    transition: Duration,
) -> Result<(), ApiError> {
    let clusters = settled_clusters(store, group_id, now)?;
    let cluster = find_mut(clusters, group_id, name)?;
    if !cluster.life.allows(Phase::Deleting, now, transition) {
        return Err(ApiError::cluster_already_requested_deletion(name));
    }
    if cluster.bool_field("terminationProtectionEnabled") {
        return Err(ApiError::cannot_terminate_cluster_when_termination_protection_enabled());
    }
    cluster
        .life
        .request(Phase::Deleting, now, transition)
        .map_err(|_| ApiError::cluster_already_requested_deletion(name))?;
    Ok(())
}

pub fn get_process_args(
    store: &mut Store,
    group_id: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<Map<String, Value>, ApiError> {
    let clusters = settled_clusters(store, group_id, now)?;
    let cluster = find_mut(clusters, group_id, name)?;
    if cluster.is_tenant() {
        return Err(ApiError::tenant_cluster_process_args_not_supported(name));
    }
    Ok(cluster.process_args.clone())
}

pub fn update_process_args(
    store: &mut Store,
    group_id: &str,
    name: &str,
    body: &Map<String, Value>,
    now: DateTime<Utc>,
    transition: Duration,
) -> Result<Map<String, Value>, ApiError> {
    let clusters = settled_clusters(store, group_id, now)?;
    let cluster = find_mut(clusters, group_id, name)?;
    if cluster.is_tenant() {
        return Err(ApiError::tenant_cluster_process_args_not_supported(name));
    }
    if !cluster.life.allows(Phase::Updating, now, transition) {
        return Err(ApiError::cluster_already_requested_deletion(name));
    }
    let patch = process_args::parse_body(body)?;
    let mut args = cluster.process_args.clone();
    args.extend(patch);
    if args != cluster.process_args {
        if cluster.bool_field("paused") {
            return Err(ApiError::cannot_update_paused_cluster(name));
        }
        cluster
            .life
            .request(Phase::Updating, now, transition)
            .map_err(|_| ApiError::cluster_already_requested_deletion(name))?;
        cluster.process_args = args;
    }
    Ok(cluster.process_args.clone())
}

/// Finish every pending cluster transition in every project (control plane).
pub fn complete_transitions(store: &mut Store, now: DateTime<Utc>) -> usize {
    store
        .projects
        .iter_mut()
        .map(|p| lifecycle::complete_all(&mut p.children.clusters, now))
        .sum()
}

// ---- handlers ---------------------------------------------------------------------------

/// Older versions describe clusters with other schemas the sandbox does not produce.
fn require_current_shape(resolved: &ResolvedVersion) -> Result<(), ApiError> {
    if &*resolved.version < FIRST_EMULATED_VERSION {
        return Err(ApiError::version_not_emulated(
            &resolved.operation_id,
            &resolved.version,
        ));
    }
    Ok(())
}

fn header_flag(headers: &HeaderMap, name: &str) -> bool {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

fn view(headers: &HeaderMap) -> View {
    View {
        effective_instance_fields: header_flag(headers, "use-effective-instance-fields"),
        effective_replication_specs: header_flag(headers, "use-effective-fields-replication-specs"),
    }
}

fn transition(state: &AppState) -> Duration {
    lifecycle::transition(state.transition_seconds())
}

fn render(
    state: &AppState,
    c: &Cluster,
    group_id: &str,
    now: DateTime<Utc>,
    headers: &HeaderMap,
) -> Value {
    render::cluster_json(c, group_id, state.base_url(), now, view(headers))
}

async fn list_clusters(
    State(state): State<AppState>,
    Extension(resolved): Extension<ResolvedVersion>,
    ApiPath(group_id): ApiPath<String>,
    headers: HeaderMap,
    Query(q): Query,
) -> Result<Response, ApiError> {
    require_current_shape(&resolved)?;
    let params = ListParams::from_query(&q)?;
    q.bool("includeDeletedWithRetainedBackups", false)?;
    let now = Utc::now();
    let clusters = list(&mut state.store(), &group_id, now)?;
    let items: Vec<Value> = clusters
        .iter()
        .map(|c| render(&state, c, &group_id, now, &headers))
        .collect();
    let href = api_url(state.base_url(), &format!("/groups/{group_id}/clusters"));
    Ok(respond(StatusCode::OK, params.page(items, &href)))
}

async fn create_cluster_handler(
    State(state): State<AppState>,
    Extension(resolved): Extension<ResolvedVersion>,
    ApiPath(group_id): ApiPath<String>,
    headers: HeaderMap,
    Query(q): Query,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    require_current_shape(&resolved)?;
    q.check_common()?;
    let now = Utc::now();
    let cluster = create_cluster(
        &mut state.store(),
        &group_id,
        &body,
        now,
        transition(&state),
    )?;
    tracing::info!(%group_id, name = %cluster.name, "cluster created");
    Ok(respond(
        StatusCode::CREATED,
        render(&state, &cluster, &group_id, now, &headers),
    ))
}

async fn get_cluster_handler(
    State(state): State<AppState>,
    Extension(resolved): Extension<ResolvedVersion>,
    ApiPath((group_id, name)): ApiPath<(String, String)>,
    headers: HeaderMap,
    Query(q): Query,
) -> Result<Response, ApiError> {
    require_current_shape(&resolved)?;
    q.check_common()?;
    let now = Utc::now();
    let cluster = get_cluster(&mut state.store(), &group_id, &name, now)?;
    Ok(respond(
        StatusCode::OK,
        render(&state, &cluster, &group_id, now, &headers),
    ))
}

async fn update_cluster_handler(
    State(state): State<AppState>,
    Extension(resolved): Extension<ResolvedVersion>,
    ApiPath((group_id, name)): ApiPath<(String, String)>,
    headers: HeaderMap,
    Query(q): Query,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    require_current_shape(&resolved)?;
    q.check_common()?;
    let now = Utc::now();
    let cluster = update_cluster(
        &mut state.store(),
        &group_id,
        &name,
        &body,
        now,
        transition(&state),
    )?;
    Ok(respond(
        StatusCode::OK,
        render(&state, &cluster, &group_id, now, &headers),
    ))
}

async fn delete_cluster_handler(
    State(state): State<AppState>,
    ApiPath((group_id, name)): ApiPath<(String, String)>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    q.bool("retainBackups", false)?;
    delete_cluster(
        &mut state.store(),
        &group_id,
        &name,
        Utc::now(),
        transition(&state),
    )?;
    tracing::info!(%group_id, %name, "cluster deletion requested");
    // Observed: 202 with `{}`.
    Ok(respond(StatusCode::ACCEPTED, json!({})))
}

async fn get_process_args_handler(
    State(state): State<AppState>,
    ApiPath((group_id, name)): ApiPath<(String, String)>,
    Query(q): Query,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let args = get_process_args(&mut state.store(), &group_id, &name, Utc::now())?;
    Ok(respond(StatusCode::OK, Value::Object(args)))
}

async fn update_process_args_handler(
    State(state): State<AppState>,
    ApiPath((group_id, name)): ApiPath<(String, String)>,
    Query(q): Query,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    q.check_common()?;
    let args = update_process_args(
        &mut state.store(),
        &group_id,
        &name,
        &body,
        Utc::now(),
        transition(&state),
    )?;
    Ok(respond(StatusCode::OK, Value::Object(args)))
}

/// `POST /_sandbox/transitions/complete`: every CREATING/UPDATING cluster becomes IDLE and
/// every DELETING one disappears, now.
pub async fn complete_transitions_handler(State(state): State<AppState>) -> Json<Value> {
    let completed = complete_transitions(&mut state.store(), Utc::now());
    tracing::info!(completed, "transitions completed");
    Json(json!({"completed": completed}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::areas::projects::{create_project, parse_create};

    fn setup() -> (Store, String) {
        let mut s = Store::bootstrap("k", "p", Some(3), Utc::now());
        let body = json!({"name": "p", "orgId": s.orgs[0].id});
        let new = parse_create(body.as_object().expect("object"), None).expect("valid");
        let p = create_project(&mut s, new, Utc::now()).expect("created");
        (s, p.id)
    }

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("object")
    }

    fn rs(name: &str, size: &str) -> Map<String, Value> {
        body(json!({
            "name": name, "clusterType": "REPLICASET",
            "replicationSpecs": [{"regionConfigs": [{"providerName": "AWS", "regionName": "US_EAST_1",
                "priority": 7, "electableSpecs": {"instanceSize": size, "nodeCount": 3}}]}]
        }))
    }

    fn t(n: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + n, 0).expect("valid time")
    }

    const TR: Duration = Duration::seconds(10);

    #[test]
    fn create_then_settle_then_update_then_delete() {
        let (mut s, g) = setup();
        let c = create_cluster(&mut s, &g, &rs("c1", "M10"), t(0), TR).expect("created");
        assert_eq!(c.phase(), Phase::Creating);
        assert!(crate::store::is_object_id(&c.id));
        assert_eq!(
            get_cluster(&mut s, &g, "c1", t(5)).expect("get").phase(),
            Phase::Creating
        );
        assert_eq!(
            get_cluster(&mut s, &g, "c1", t(10)).expect("get").phase(),
            Phase::Idle
        );
        assert_eq!(s.project(&g).expect("p").children.active_cluster_count(), 1);

        // A no-op PATCH leaves it IDLE; a resize starts UPDATING.
        let same = update_cluster(&mut s, &g, "c1", &body(json!({"name": "c1"})), t(11), TR)
            .expect("noop");
        assert_eq!(same.phase(), Phase::Idle);
        let patch = body(
            json!({"replicationSpecs": [{"regionConfigs": [{"providerName": "AWS",
            "regionName": "US_EAST_1", "priority": 7, "electableSpecs": {"instanceSize": "M30", "nodeCount": 3}}]}]}),
        );
        let up = update_cluster(&mut s, &g, "c1", &patch, t(12), TR).expect("resize");
        assert_eq!(up.phase(), Phase::Updating);
        assert_eq!(up.specs()[0]["id"], c.specs()[0]["id"]);
        assert_eq!(
            get_cluster(&mut s, &g, "c1", t(22)).expect("get").phase(),
            Phase::Idle
        );

        delete_cluster(&mut s, &g, "c1", t(23), TR).expect("delete");
        let again = delete_cluster(&mut s, &g, "c1", t(24), TR).expect_err("twice");
        assert_eq!(again.code, "CLUSTER_ALREADY_REQUESTED_DELETION");
        let patch_err =
            update_cluster(&mut s, &g, "c1", &body(json!({})), t(24), TR).expect_err("deleting");
        assert_eq!(patch_err.code, "CLUSTER_ALREADY_REQUESTED_DELETION");
        assert_eq!(s.project(&g).expect("p").children.active_cluster_count(), 1);
        let gone = get_cluster(&mut s, &g, "c1", t(33)).expect_err("gone");
        assert_eq!(gone.code, "CLUSTER_NOT_FOUND");
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
        assert_eq!(gone.parameters, vec![json!("c1"), json!(g)]);
    }

    #[test]
    fn create_rules() {
        let (mut s, g) = setup();
        let code = |s: &mut Store, b: Map<String, Value>| {
            create_cluster(s, &g, &b, t(0), TR)
                .expect_err("invalid")
                .code
        };
        assert_eq!(
            create_cluster(
                &mut s,
                "111111111111111111111111",
                &rs("a", "M10"),
                t(0),
                TR
            )
            .expect_err("group")
            .code,
            "GROUP_NOT_FOUND"
        );
        let mut no_name = rs("a", "M10");
        no_name.remove("name");
        assert_eq!(code(&mut s, no_name), "MISSING_ATTRIBUTE");
        let mut no_type = rs("a", "M10");
        no_type.remove("clusterType");
        assert_eq!(code(&mut s, no_type), "MISSING_ATTRIBUTE");
        let mut no_specs = rs("a", "M10");
        no_specs.remove("replicationSpecs");
        assert_eq!(code(&mut s, no_specs), "MISSING_ATTRIBUTE");
        let mut paused = rs("a", "M10");
        paused.insert("paused".into(), json!(true));
        assert_eq!(code(&mut s, paused), "CANNOT_CREATE_PAUSED_CLUSTER");
        let mut self_managed = rs("a", "M10");
        self_managed.insert("globalClusterSelfManagedSharding".into(), json!(true));
        assert_eq!(
            code(&mut s, self_managed),
            "CANNOT_SET_SELF_MANAGED_SHARDING_FOR_NON_GLOBAL_CLUSTER"
        );

        let long = "abcdefghijklmnopqrstuvw";
        create_cluster(&mut s, &g, &rs(&format!("{long}1"), "M10"), t(0), TR).expect("created");
        let dup =
            create_cluster(&mut s, &g, &rs(&format!("{long}1"), "M10"), t(0), TR).expect_err("dup");
        assert_eq!(
            (dup.code, dup.status),
            ("DUPLICATE_CLUSTER_NAME", StatusCode::BAD_REQUEST)
        );
        assert_eq!(
            code(&mut s, rs(&format!("{long}2"), "M10")),
            "DUPLICATE_CLUSTER_NAME_PREFIX"
        );
        for i in 1..MAX_CLUSTERS_PER_PROJECT {
            create_cluster(&mut s, &g, &rs(&format!("c{i}"), "M10"), t(0), TR).expect("room");
        }
        assert_eq!(
            code(&mut s, rs("one-more", "M10")),
            "MAX_CLUSTERS_PER_GROUP_EXCEEDED"
        );
    }

    #[test]
    fn update_rules() {
        let (mut s, g) = setup();
        create_cluster(&mut s, &g, &rs("c", "M10"), t(0), TR).expect("created");
        let code = |s: &mut Store, v: Value| {
            update_cluster(s, &g, "c", &body(v), t(20), TR)
                .expect_err("invalid")
                .code
        };
        assert_eq!(
            code(&mut s, json!({"name": "other"})),
            "CLUSTER_CANNOT_CHANGE_NAME"
        );
        assert_eq!(
            code(
                &mut s,
                json!({"replicationSpecs": [{"regionConfigs": [{"providerName": "GCP", "regionName": "CENTRAL_US",
                "priority": 7, "electableSpecs": {"instanceSize": "M10", "nodeCount": 3}}]}]})
            ),
            "CLUSTER_CANNOT_CHANGE_PROVIDER_NAME"
        );
        assert_eq!(
            code(&mut s, json!({"paused": true, "backupEnabled": true})),
            "CANNOT_UPDATE_AND_PAUSE_CLUSTER"
        );
        assert_eq!(
            code(&mut s, json!({"globalClusterSelfManagedSharding": true})),
            "CANNOT_MODIFY_GLOBAL_CLUSTER_MANAGEMENT_SETTING"
        );
        assert_eq!(
            update_cluster(&mut s, &g, "nope", &body(json!({})), t(20), TR)
                .expect_err("missing")
                .code,
            "CLUSTER_NOT_FOUND"
        );
        // RS → SHARDED is allowed, SHARDED → RS is not.
        let sharded = update_cluster(
            &mut s,
            &g,
            "c",
            &body(json!({"clusterType": "SHARDED"})),
            t(20),
            TR,
        )
        .expect("to sharded");
        assert_eq!(sharded.phase(), Phase::Updating);
        assert_eq!(
            code(&mut s, json!({"clusterType": "REPLICASET"})),
            "SHARDED_CLUSTER_CANT_BECOME_REPLICA_SET"
        );
        // Pause alone, then only resuming is accepted.
        let paused = update_cluster(&mut s, &g, "c", &body(json!({"paused": true})), t(40), TR)
            .expect("pause");
        assert!(paused.bool_field("paused"));
        let err = update_cluster(
            &mut s,
            &g,
            "c",
            &body(json!({"backupEnabled": true})),
            t(60),
            TR,
        )
        .expect_err("paused");
        assert_eq!(
            (err.code, err.status),
            ("CANNOT_UPDATE_PAUSED_CLUSTER", StatusCode::CONFLICT)
        );
        let args_err = update_process_args(
            &mut s,
            &g,
            "c",
            &body(json!({"noTableScan": true})),
            t(60),
            TR,
        )
        .expect_err("paused");
        assert_eq!(args_err.code, "CANNOT_UPDATE_PAUSED_CLUSTER");
        update_cluster(&mut s, &g, "c", &body(json!({"paused": false})), t(60), TR)
            .expect("resume");
        // Termination protection blocks DELETE.
        update_cluster(
            &mut s,
            &g,
            "c",
            &body(json!({"terminationProtectionEnabled": true})),
            t(80),
            TR,
        )
        .expect("protect");
        assert_eq!(
            delete_cluster(&mut s, &g, "c", t(100), TR)
                .expect_err("protected")
                .code,
            "CANNOT_TERMINATE_CLUSTER_WHEN_TERMINATION_PROTECTION_ENABLED"
        );
    }

    #[test]
    fn process_args_defaults_merge_and_tenants() {
        let (mut s, g) = setup();
        create_cluster(&mut s, &g, &rs("c", "M10"), t(0), TR).expect("created");
        let args = get_process_args(&mut s, &g, "c", t(1)).expect("args");
        assert_eq!(args["javascriptEnabled"], json!(true));
        assert_eq!(args["transactionLifetimeLimitSeconds"], json!(60));
        let args = update_process_args(
            &mut s,
            &g,
            "c",
            &body(json!({"javascriptEnabled": false, "oplogSizeMB": 2000})),
            t(20),
            TR,
        )
        .expect("patched");
        assert_eq!(args["javascriptEnabled"], json!(false));
        assert_eq!(args["oplogSizeMB"], json!(2000));
        assert_eq!(
            args["noTableScan"],
            json!(false),
            "absent keys keep their values"
        );
        assert_eq!(
            get_cluster(&mut s, &g, "c", t(21)).expect("get").phase(),
            Phase::Updating
        );
        // advancedConfiguration on the cluster body writes the same TLS settings.
        update_cluster(
            &mut s,
            &g,
            "c",
            &body(json!({"advancedConfiguration": {"minimumEnabledTlsProtocol": "TLS1_3"}})),
            t(40),
            TR,
        )
        .expect("patched");
        assert_eq!(
            get_process_args(&mut s, &g, "c", t(41)).expect("args")["minimumEnabledTlsProtocol"],
            json!("TLS1_3")
        );

        let tenant = body(
            json!({"name": "free", "clusterType": "REPLICASET", "replicationSpecs": [{"regionConfigs": [{
            "providerName": "TENANT", "backingProviderName": "AWS", "regionName": "US_EAST_1", "priority": 7,
            "electableSpecs": {"instanceSize": "M0"}}]}]}),
        );
        create_cluster(&mut s, &g, &tenant, t(0), TR).expect("tenant");
        assert_eq!(
            get_process_args(&mut s, &g, "free", t(1))
                .expect_err("tenant")
                .code,
            "TENANT_CLUSTER_PROCESS_ARGS_NOT_SUPPORTED"
        );
    }

    #[test]
    fn complete_transitions_fast_forwards_everything() {
        let (mut s, g) = setup();
        create_cluster(&mut s, &g, &rs("a", "M10"), t(0), TR).expect("a");
        create_cluster(&mut s, &g, &rs("b", "M10"), t(0), TR).expect("b");
        delete_cluster(&mut s, &g, "b", t(1), TR).expect("delete b");
        assert_eq!(complete_transitions(&mut s, t(2)), 2);
        assert_eq!(list(&mut s, &g, t(2)).expect("list").len(), 1);
        assert_eq!(
            get_cluster(&mut s, &g, "a", t(2)).expect("a").phase(),
            Phase::Idle
        );
    }
}
