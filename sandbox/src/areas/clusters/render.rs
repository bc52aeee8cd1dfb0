//! The `ClusterDescription20240805` representation of a stored cluster.

use chrono::{DateTime, Utc};
use md5::{Digest as _, Md5};
use serde_json::{json, Value};

use super::catalog;
use super::lifecycle::{Cluster, Phase};
use super::process_args;
use crate::areas::self_links;
use crate::store::timestamp;

/// The optional request headers that add the `effective*` fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct View {
    /// `Use-Effective-Instance-Fields: true` → `effective{Electable,ReadOnly,Analytics}Specs`.
    pub effective_instance_fields: bool,
    /// `Use-Effective-Fields-Replication-Specs: true` → `effectiveReplicationSpecs`.
    pub effective_replication_specs: bool,
}

/// Lower-case letters and digits derived from the cluster identity: stable across reads and
/// restarts of the same store, different per cluster.
fn host_token(group_id: &str, cluster_id: &str, salt: &str, len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let digest = Md5::digest(format!("{salt}/{group_id}/{cluster_id}").as_bytes());
    digest
        .iter()
        .take(len)
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// `connectionStrings`: empty until the cluster has been created.
pub fn connection_strings(c: &Cluster, group_id: &str, phase: Phase) -> Value {
    if phase == Phase::Creating {
        return json!({});
    }
    let host = c.name.to_ascii_lowercase();
    let domain = format!("{}.mongodb.net", host_token(group_id, &c.id, "host", 5));
    let first = c.specs().first();
    let nodes: i64 = first
        .and_then(|s| s.get("regionConfigs"))
        .and_then(Value::as_array)
        .map(|rcs| {
            rcs.iter()
                .map(|rc| {
                    ["electableSpecs", "readOnlySpecs"]
                        .iter()
                        .filter_map(|k| rc.get(*k)?.get("nodeCount")?.as_i64())
                        .sum::<i64>()
                })
                .sum()
        })
        .unwrap_or(0);
    // Tenant specs carry no node count: a tenant is a 3-node replica set.
    let nodes = if nodes > 0 { nodes } else { 3 };
    let sharded = c.str_field("clusterType") != "REPLICASET";
    // Sharded clusters are reached through mongos on 27016.
    let port = if sharded { 27016 } else { 27017 };
    let hosts: Vec<String> = (0..nodes)
        .map(|i| format!("{host}-shard-00-{i:02}.{domain}:{port}"))
        .collect();
    let options = if sharded {
        "ssl=true&authSource=admin".to_string()
    } else {
        format!(
            "ssl=true&authSource=admin&replicaSet=atlas-{}-shard-0",
            host_token(group_id, &c.id, "rs", 6)
        )
    };
    json!({
        "standard": format!("mongodb://{}/?{options}", hosts.join(",")),
        "standardSrv": format!("mongodb+srv://{host}.{domain}"),
    })
}

/// `effective*Specs` mirror the configured specs: the sandbox never auto-scales.
fn with_effective_specs(specs: &[Value]) -> Vec<Value> {
    specs
        .iter()
        .map(|spec| {
            let mut spec = spec.clone();
            if let Some(rcs) = spec.get_mut("regionConfigs").and_then(Value::as_array_mut) {
                for rc in rcs {
                    let Some(obj) = rc.as_object_mut() else {
                        continue;
                    };
                    for (from, to) in [
                        ("electableSpecs", "effectiveElectableSpecs"),
                        ("readOnlySpecs", "effectiveReadOnlySpecs"),
                        ("analyticsSpecs", "effectiveAnalyticsSpecs"),
                    ] {
                        if obj.get("providerName").and_then(Value::as_str) == Some("TENANT") {
                            break;
                        }
                        if let Some(v) = obj.get(from).cloned() {
                            obj.insert(to.to_string(), v);
                        }
                    }
                }
            }
            spec
        })
        .collect()
}

/// Tenant electable specs show the size actually running (`effectiveInstanceSize`).
fn with_tenant_effective_size(specs: &mut [Value]) {
    for spec in specs {
        let Some(rcs) = spec.get_mut("regionConfigs").and_then(Value::as_array_mut) else {
            continue;
        };
        for rc in rcs {
            if rc.get("providerName").and_then(Value::as_str) != Some("TENANT") {
                continue;
            }
            if let Some(e) = rc.get_mut("electableSpecs").and_then(Value::as_object_mut) {
                let size = e.get("instanceSize").cloned().unwrap_or(Value::Null);
                e.insert("effectiveInstanceSize".into(), size);
            }
        }
    }
}

/// The representation at `now`.
pub fn cluster_json(
    c: &Cluster,
    group_id: &str,
    base_url: &str,
    now: DateTime<Utc>,
    view: View,
) -> Value {
    let phase = c.phase_at(now);
    let mut body = c.config.clone();
    let mut specs = c.specs().to_vec();
    if view.effective_instance_fields {
        specs = with_effective_specs(&specs);
    }
    with_tenant_effective_size(&mut specs);
    body.insert("replicationSpecs".into(), Value::Array(specs.clone()));
    if view.effective_replication_specs {
        body.insert("effectiveReplicationSpecs".into(), Value::Array(specs));
    }
    let cluster_type = c.str_field("clusterType");
    if cluster_type == "REPLICASET" {
        body.remove("configServerManagementMode");
    } else {
        // ATLAS_MANAGED embeds the config servers in small sharded clusters.
        let dedicated = c.str_field("configServerManagementMode") == "FIXED_TO_DEDICATED"
            || c.specs().len() >= 3;
        let kind = if dedicated { "DEDICATED" } else { "EMBEDDED" };
        body.insert("configServerType".into(), json!(kind));
    }
    let major = c
        .config
        .get("mongoDBMajorVersion")
        .and_then(Value::as_str)
        .unwrap_or(catalog::DEFAULT_MAJOR_VERSION)
        .to_string();
    let path = format!("/groups/{group_id}/clusters/{}", c.name);
    let extra = json!({
        "advancedConfiguration": process_args::advanced_configuration(&c.process_args),
        "connectionStrings": connection_strings(c, group_id, phase),
        "createDate": timestamp(c.created),
        "featureCompatibilityVersion": major,
        "groupId": group_id,
        "id": c.id,
        "internalClusterRole": "NONE",
        "links": self_links(base_url, &path),
        "mongoDBVersion": catalog::full_version(&major),
        "name": c.name,
        "stateName": phase.state_name(),
    });
    if let Value::Object(extra) = extra {
        body.extend(extra);
    }
    Value::Object(body)
}
