//! State upgrade from schema version 1 (the official provider 1.x, SDKv2: blocks) to version 2
//! (nested attributes), driven by the current schema:
//!
//! - a block that is a single nested object in v2 (`electable_specs`, `auto_scaling`,
//!   `advanced_configuration`, `bi_connector_config`, `connection_strings`, …) was a list of at
//!   most one element: the element, or null when the list is empty;
//! - lists and sets of objects (`replication_specs`, `region_configs`, …) stay lists, their
//!   elements converted the same way;
//! - SDKv2 key/value sets (`tags`, `labels`: `[{key, value}]`) become maps, null when empty;
//! - attributes v2 no longer has (`id`, top-level `disk_size_gb`, `replication_specs[*].id` and
//!   `num_shards`, `pinned_fcv`, retired process arguments, …) are dropped;
//! - attributes new in v2 are null, or their schema default (`delete_on_create_timeout`);
//! - SDKv2 cannot store a null string, so `""` in an optional, non-computed string attribute
//!   (`accept_data_risks_and_force_replica_set_reconfig`, `backing_provider_name`) is null.
//!
//! Everything else, including what the API cannot give back (`timeouts`,
//! `retain_backups_enabled`, `accept_data_risks_and_force_replica_set_reconfig`), is kept; the
//! read terraform runs after the upgrade refreshes the rest. A shape that cannot be converted
//! is an error that says where, and how to recover (state rm, then import).

use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::schema::{Attribute, AttributeKind, Block, ObjectNesting};
use tfplugin::value::Type;

use serde_json::{Map, Value as Json};

/// What could not be converted, and where (`replication_specs[0].region_configs`).
#[derive(Debug)]
struct Problem {
    path: String,
    what: String,
}

type Converted<T> = Result<T, Problem>;

static NULL: Json = Json::Null;

fn problem(path: &str, what: impl Into<String>) -> Problem {
    Problem {
        path: path.to_string(),
        what: what.into(),
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a bool",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

/// The v1 state (attribute name → value) as v2 state of `block`'s shape.
pub fn upgrade_v1(block: &Block, state: &Json) -> Result<Json, Diagnostics> {
    let Json::Object(obj) = state else {
        return Err(failure(
            None,
            &problem("", format!("the state is {}, not an object", kind(state))),
        ));
    };
    let ids = (text(obj, "project_id"), text(obj, "name"));
    let (Some(project_id), Some(name)) = ids else {
        return Err(failure(
            None,
            &problem(
                "",
                "the state has no project_id and name, which identify the cluster",
            ),
        ));
    };
    convert_block(block, obj, "")
        .map(Json::Object)
        .map_err(|p| failure(Some((project_id, name)), &p))
}

fn text<'a>(obj: &'a Map<String, Json>, key: &str) -> Option<&'a str> {
    obj.get(key)
        .and_then(Json::as_str)
        .filter(|s| !s.is_empty())
}

fn failure(ids: Option<(&str, &str)>, p: &Problem) -> Diagnostics {
    let at = if p.path.is_empty() {
        String::new()
    } else {
        format!(" at {}", p.path)
    };
    let id = match ids {
        Some((project, name)) => format!("{project}-{name}"),
        None => "{project_id}-{cluster_name}".to_string(),
    };
    Diagnostics::from(Diagnostic::error(
        "Cannot upgrade mongodbatlas_advanced_cluster state from schema version 1",
        format!(
            "The state written by the official provider 1.x (schema version 1) cannot be converted to schema version 2{at}: {}. The cluster itself is unaffected. To recover, remove it from the state with `terraform state rm <address>` and import it again with `terraform import <address> {id}` (ID format {{project_id}}-{{cluster_name}}).",
            p.what
        ),
    ))
}

fn convert_block(
    block: &Block,
    src: &Map<String, Json>,
    path: &str,
) -> Converted<Map<String, Json>> {
    let mut out = convert_attributes(&block.attributes, src, path)?;
    for b in &block.blocks {
        let p = join(path, &b.type_name);
        let v = src.get(&b.type_name).unwrap_or(&NULL);
        out.insert(b.type_name.clone(), convert_type(&b.ty(), v, &p)?);
    }
    Ok(out)
}

fn convert_attributes(
    attrs: &[Attribute],
    src: &Map<String, Json>,
    path: &str,
) -> Converted<Map<String, Json>> {
    let mut out = Map::new();
    for a in attrs {
        let p = join(path, &a.name);
        let v = src.get(&a.name).unwrap_or(&NULL);
        let mut converted = convert_attribute(a, v, &p)?;
        if converted.is_null() {
            if let Some(d) = &a.default {
                converted = d.to_json_lossy();
            }
        }
        out.insert(a.name.clone(), converted);
    }
    Ok(out)
}

fn convert_attribute(a: &Attribute, v: &Json, path: &str) -> Converted<Json> {
    match &a.kind {
        AttributeKind::Nested(n) => {
            let object = |v: &Json, path: &str| -> Converted<Json> {
                match v {
                    Json::Null => Ok(Json::Null),
                    Json::Object(o) => convert_attributes(&n.attributes, o, path).map(Json::Object),
                    other => Err(problem(
                        path,
                        format!("expected an object, found {}", kind(other)),
                    )),
                }
            };
            match n.nesting {
                ObjectNesting::Single => object(single(v, path)?, path),
                ObjectNesting::List | ObjectNesting::Set => {
                    elements(v, path, |i, e| object(e, &format!("{path}[{i}]")))
                }
                ObjectNesting::Map => entries(v, path, |k, e| object(e, &format!("{path}[{k:?}]"))),
            }
        }
        AttributeKind::Type(t) => {
            // SDKv2 stores an unset optional string as "": that is null in v2.
            if matches!(t, Type::String) && a.optional && !a.computed && v.as_str() == Some("") {
                return Ok(Json::Null);
            }
            convert_type(t, v, path)
        }
    }
}

/// A single nested object, which SDKv2 stored as a list of at most one element.
fn single<'a>(v: &'a Json, path: &str) -> Converted<&'a Json> {
    match v {
        Json::Array(items) => match items.as_slice() {
            [] => Ok(&NULL),
            [one] => Ok(one),
            many => Err(problem(
                path,
                format!(
                    "{} elements where schema version 2 has a single object",
                    many.len()
                ),
            )),
        },
        other => Ok(other),
    }
}

fn elements(v: &Json, path: &str, f: impl Fn(usize, &Json) -> Converted<Json>) -> Converted<Json> {
    match v {
        Json::Null => Ok(Json::Null),
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, e)| f(i, e))
            .collect::<Converted<Vec<_>>>()
            .map(Json::Array),
        other => Err(problem(
            path,
            format!("expected a list, found {}", kind(other)),
        )),
    }
}

fn entries(v: &Json, path: &str, f: impl Fn(&str, &Json) -> Converted<Json>) -> Converted<Json> {
    match v {
        Json::Null => Ok(Json::Null),
        Json::Object(o) => o
            .iter()
            .map(|(k, e)| Ok((k.clone(), f(k, e)?)))
            .collect::<Converted<Map<_, _>>>()
            .map(Json::Object),
        // SDKv2 key/value sets (`tags`, `labels`): [{"key": …, "value": …}]; empty is null.
        Json::Array(items) if items.is_empty() => Ok(Json::Null),
        Json::Array(items) => {
            let mut out = Map::new();
            for (i, item) in items.iter().enumerate() {
                let at = format!("{path}[{i}]");
                let key = item
                    .get("key")
                    .and_then(Json::as_str)
                    .ok_or_else(|| problem(&at, "a key/value element without a string key"))?;
                let value = item.get("value").unwrap_or(&NULL);
                out.insert(key.to_string(), f(key, value)?);
            }
            Ok(Json::Object(out))
        }
        other => Err(problem(
            path,
            format!("expected a map, found {}", kind(other)),
        )),
    }
}

fn convert_type(t: &Type, v: &Json, path: &str) -> Converted<Json> {
    let ok = match (t, v) {
        (_, Json::Null) | (Type::Dynamic, _) => true,
        (Type::String, Json::String(_))
        | (Type::Number, Json::Number(_))
        | (Type::Bool, Json::Bool(_)) => true,
        (Type::String | Type::Number | Type::Bool, _) => false,
        (Type::List(e) | Type::Set(e), _) => {
            return elements(v, path, |i, x| convert_type(e, x, &format!("{path}[{i}]")))
        }
        (Type::Map(e), _) => {
            return entries(v, path, |k, x| {
                convert_type(e, x, &format!("{path}[{k:?}]"))
            })
        }
        (Type::Object(attrs), _) => {
            return match single(v, path)? {
                Json::Null => Ok(Json::Null),
                Json::Object(o) => attrs
                    .iter()
                    .map(|(k, at)| {
                        let x = o.get(k).unwrap_or(&NULL);
                        Ok((k.clone(), convert_type(at, x, &join(path, k))?))
                    })
                    .collect::<Converted<Map<_, _>>>()
                    .map(Json::Object),
                other => Err(problem(
                    path,
                    format!("expected an object, found {}", kind(other)),
                )),
            };
        }
        (Type::Tuple(_), _) => false,
    };
    if ok {
        Ok(v.clone())
    } else {
        Err(problem(
            path,
            format!("expected {}, found {}", type_name(t), kind(v)),
        ))
    }
}

fn type_name(t: &Type) -> &'static str {
    match t {
        Type::String => "a string",
        Type::Number => "a number",
        Type::Bool => "a bool",
        _ => "a value of another type",
    }
}

#[cfg(test)]
mod tests {
    use super::super::AdvancedClusterResource;
    use crate::AtlasClient;
    use serde_json::{json, Value as Json};
    use tfplugin::diagnostics::Diagnostics;
    use tfplugin::resource::{DynResource, Resource};
    use tfplugin::value::{decode_json, Value};

    /// A replica set as the official provider 1.x (SDKv2) writes it.
    fn v1_replica_set() -> Json {
        serde_json::from_str(
            r#"{
            "accept_data_risks_and_force_replica_set_reconfig": "",
            "advanced_configuration": [{
                "change_stream_options_pre_and_post_images_expire_after_seconds": -1,
                "custom_openssl_cipher_config_tls12": [],
                "default_max_time_ms": 0,
                "default_read_concern": "",
                "default_write_concern": "majority",
                "fail_index_key_too_long": false,
                "javascript_enabled": false,
                "minimum_enabled_tls_protocol": "TLS1_2",
                "no_table_scan": false,
                "oplog_min_retention_hours": 0,
                "oplog_size_mb": 0,
                "sample_refresh_interval_bi_connector": 0,
                "sample_size_bi_connector": 0,
                "tls_cipher_config_mode": "DEFAULT",
                "transaction_lifetime_limit_seconds": 0
            }],
            "backup_enabled": true,
            "bi_connector_config": [{"enabled": false, "read_preference": "secondary"}],
            "cluster_id": "65a1b2c3d4e5f60718293a4b",
            "cluster_type": "REPLICASET",
            "config_server_management_mode": "",
            "config_server_type": "",
            "connection_strings": [{
                "private": "",
                "private_endpoint": [],
                "private_srv": "",
                "standard": "mongodb://rs-shard-00-00.abcde.mongodb.net:27017/?ssl=true",
                "standard_srv": "mongodb+srv://rs.abcde.mongodb.net"
            }],
            "create_date": "2024-01-12T10:00:00Z",
            "disk_size_gb": 10,
            "encryption_at_rest_provider": "NONE",
            "global_cluster_self_managed_sharding": false,
            "id": "Y2x1c3Rlcl9pZA==:NjVhMWIy-Y2x1c3Rlcl9uYW1l:cnM=-cHJvamVjdF9pZA==:NjVh",
            "labels": [{"key": "owner", "value": "team-a"}],
            "mongo_db_major_version": "7.0",
            "mongo_db_version": "7.0.12",
            "name": "rs",
            "paused": false,
            "pinned_fcv": [],
            "pit_enabled": false,
            "project_id": "65a1b2c3d4e5f60718293a00",
            "redact_client_log_data": false,
            "replica_set_scaling_strategy": "WORKLOAD_TYPE",
            "replication_specs": [{
                "container_id": {"AWS:US_EAST_1": "65a1b2c3d4e5f60718293aff"},
                "external_id": "65a1b2c3d4e5f60718293a01",
                "id": "65a1b2c3d4e5f60718293a02",
                "num_shards": 1,
                "region_configs": [{
                    "analytics_auto_scaling": [],
                    "analytics_specs": [],
                    "auto_scaling": [{
                        "compute_enabled": false,
                        "compute_max_instance_size": "",
                        "compute_min_instance_size": "",
                        "compute_scale_down_enabled": false,
                        "disk_gb_enabled": true
                    }],
                    "backing_provider_name": "",
                    "electable_specs": [{
                        "disk_iops": 3000,
                        "disk_size_gb": 10,
                        "ebs_volume_type": "",
                        "instance_size": "M10",
                        "node_count": 3
                    }],
                    "priority": 7,
                    "provider_name": "AWS",
                    "read_only_specs": [],
                    "region_name": "US_EAST_1"
                }],
                "zone_id": "65a1b2c3d4e5f60718293a03",
                "zone_name": "ZoneName managed by Terraform"
            }],
            "retain_backups_enabled": true,
            "root_cert_type": "ISRGROOTX1",
            "state_name": "IDLE",
            "tags": [{"key": "env", "value": "prod"}, {"key": "team", "value": "db"}],
            "termination_protection_enabled": false,
            "timeouts": {"create": "2h", "delete": null, "update": null},
            "version_release_system": "LTS"
        }"#,
        )
        .unwrap_or_default()
    }

    /// A geo-sharded cluster with two zones (the second with two shards, the 1.x way).
    fn v1_geo_sharded() -> Json {
        let region = |region: &str, priority: i64, analytics: bool| {
            json!({
                "analytics_auto_scaling": [],
                "analytics_specs": if analytics {
                    json!([{"disk_iops": 3000, "disk_size_gb": 40, "ebs_volume_type": "", "instance_size": "M30", "node_count": 1}])
                } else {
                    json!([])
                },
                "auto_scaling": [{
                    "compute_enabled": true,
                    "compute_max_instance_size": "M50",
                    "compute_min_instance_size": "M30",
                    "compute_scale_down_enabled": true,
                    "disk_gb_enabled": true
                }],
                "backing_provider_name": "",
                "electable_specs": [{"disk_iops": 3000, "disk_size_gb": 40, "ebs_volume_type": "STANDARD", "instance_size": "M30", "node_count": 3}],
                "priority": priority,
                "provider_name": "AWS",
                "read_only_specs": [{"disk_iops": 3000, "disk_size_gb": 40, "ebs_volume_type": "STANDARD", "instance_size": "M30", "node_count": 0}],
                "region_name": region
            })
        };
        json!({
            "accept_data_risks_and_force_replica_set_reconfig": "2025-01-01T00:00:00Z",
            "advanced_configuration": [{
                "default_read_concern": "available",
                "default_write_concern": "majority",
                "fail_index_key_too_long": false,
                "javascript_enabled": true,
                "minimum_enabled_tls_protocol": "TLS1_2",
                "no_table_scan": false,
                "oplog_min_retention_hours": 24.5,
                "oplog_size_mb": 2048,
                "sample_refresh_interval_bi_connector": 300,
                "sample_size_bi_connector": 100,
                "transaction_lifetime_limit_seconds": 60
            }],
            "backup_enabled": false,
            "bi_connector_config": [],
            "cluster_id": "65a1b2c3d4e5f60718293b4b",
            "cluster_type": "GEOSHARDED",
            "connection_strings": [{
                "private": "",
                "private_endpoint": [{
                    "connection_string": "mongodb://pl-0.abcde.mongodb.net:1024",
                    "endpoints": [{"endpoint_id": "vpce-1", "provider_name": "AWS", "region": "US_EAST_1"}],
                    "srv_connection_string": "mongodb+srv://geo-pl-0.abcde.mongodb.net",
                    "srv_shard_optimized_connection_string": "mongodb+srv://geo-pl-0-lb.abcde.mongodb.net",
                    "type": "MONGOS"
                }],
                "private_srv": "",
                "standard": "mongodb://geo.abcde.mongodb.net:27016",
                "standard_srv": "mongodb+srv://geo.abcde.mongodb.net"
            }],
            "create_date": "2024-02-01T00:00:00Z",
            "disk_size_gb": 40,
            "encryption_at_rest_provider": "NONE",
            "global_cluster_self_managed_sharding": true,
            "id": "Y2x1c3Rlcl9pZA==",
            "labels": [],
            "mongo_db_major_version": "8.0",
            "mongo_db_version": "8.0.4",
            "name": "geo",
            "paused": false,
            "pit_enabled": true,
            "project_id": "65a1b2c3d4e5f60718293a00",
            "redact_client_log_data": true,
            "replica_set_scaling_strategy": "",
            "replication_specs": [
                {
                    "container_id": {"AWS:US_EAST_1": "c1", "AWS:US_WEST_2": "c2"},
                    "external_id": "",
                    "id": "65a1b2c3d4e5f60718293b02",
                    "num_shards": 1,
                    "region_configs": [region("US_EAST_1", 7, true), region("US_WEST_2", 6, false)],
                    "zone_id": "z1",
                    "zone_name": "America"
                },
                {
                    "container_id": {"AWS:EU_WEST_1": "c3"},
                    "external_id": "",
                    "id": "65a1b2c3d4e5f60718293b03",
                    "num_shards": 2,
                    "region_configs": [region("EU_WEST_1", 7, false)],
                    "zone_id": "z2",
                    "zone_name": "Europe"
                }
            ],
            "retain_backups_enabled": null,
            "root_cert_type": "ISRGROOTX1",
            "state_name": "IDLE",
            "tags": [{"key": "env", "value": "prod"}],
            "termination_protection_enabled": true,
            "timeouts": null,
            "version_release_system": "CONTINUOUS"
        })
    }

    /// Upgrades through the path terraform drives (UpgradeResourceState): JSON bytes in, a
    /// value of the v2 schema's type out.
    fn upgrade(state: &Json) -> Result<Value, Diagnostics> {
        let bytes = serde_json::to_vec(state).unwrap_or_default();
        DynResource::<AtlasClient>::upgrade(&AdvancedClusterResource, 1, &bytes)
    }

    fn upgraded_json(state: &Json) -> Json {
        let out = AdvancedClusterResource.upgrade_state(1, state.clone());
        let Ok(out) = out else {
            panic!("upgrade failed: {:?}", out.err())
        };
        out
    }

    fn error_text(d: Diagnostics) -> String {
        d.iter()
            .map(|d| format!("{}: {}", d.summary, d.detail))
            .collect()
    }

    #[test]
    fn replica_set_v1_state_upgrades_to_v2() {
        let v1 = v1_replica_set();
        let decoded = upgrade(&v1);
        assert!(decoded.is_ok(), "{:?}", decoded.err());
        let j = upgraded_json(&v1);
        let bytes = serde_json::to_vec(&j).unwrap_or_default();
        assert!(decode_json(
            &bytes,
            &<AdvancedClusterResource as Resource>::schema().ty()
        )
        .is_ok());

        // Dropped: no longer in schema version 2.
        for gone in ["id", "disk_size_gb", "pinned_fcv"] {
            assert!(j.get(gone).is_none(), "{gone}");
        }
        let spec = &j["replication_specs"][0];
        assert!(spec.get("num_shards").is_none() && spec.get("id").is_none());
        assert!(j["advanced_configuration"]
            .get("fail_index_key_too_long")
            .is_none());
        // Lists of one are objects; empty lists are null.
        let rc = &spec["region_configs"][0];
        assert_eq!(rc["electable_specs"]["instance_size"], "M10");
        assert_eq!(rc["electable_specs"]["node_count"], 3);
        assert_eq!(rc["auto_scaling"]["disk_gb_enabled"], true);
        assert_eq!(rc["read_only_specs"], Json::Null);
        assert_eq!(rc["analytics_auto_scaling"], Json::Null);
        assert_eq!(rc["backing_provider_name"], Json::Null);
        assert_eq!(j["bi_connector_config"]["read_preference"], "secondary");
        assert_eq!(
            j["advanced_configuration"]["default_write_concern"],
            "majority"
        );
        assert_eq!(
            j["connection_strings"]["standard_srv"],
            "mongodb+srv://rs.abcde.mongodb.net"
        );
        assert_eq!(j["connection_strings"]["private_endpoint"], json!([]));
        assert_eq!(
            spec["container_id"]["AWS:US_EAST_1"],
            "65a1b2c3d4e5f60718293aff"
        );
        assert_eq!(spec["external_id"], "65a1b2c3d4e5f60718293a01");
        // Key/value sets are maps.
        assert_eq!(j["tags"], json!({"env": "prod", "team": "db"}));
        assert_eq!(j["labels"], json!({"owner": "team-a"}));
        // Kept: what the API cannot give back.
        assert_eq!(
            j["timeouts"],
            json!({"create": "2h", "delete": null, "update": null})
        );
        assert_eq!(j["retain_backups_enabled"], true);
        assert_eq!(j["mongo_db_major_version"], "7.0");
        // SDKv2's "" for an unset optional string is null.
        assert_eq!(
            j["accept_data_risks_and_force_replica_set_reconfig"],
            Json::Null
        );
        // New in v2: null, or the schema default.
        assert_eq!(j["use_effective_fields"], Json::Null);
        assert_eq!(j["delete_on_create_timeout"], true);
    }

    #[test]
    fn geo_sharded_v1_state_upgrades_to_v2() {
        let v1 = v1_geo_sharded();
        let decoded = upgrade(&v1);
        assert!(decoded.is_ok(), "{:?}", decoded.err());
        let j = upgraded_json(&v1);
        let specs = j["replication_specs"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(specs.len(), 2);
        assert_eq!(specs[0]["zone_name"], "America");
        assert_eq!(specs[1]["zone_name"], "Europe");
        assert_eq!(specs[1]["container_id"], json!({"AWS:EU_WEST_1": "c3"}));
        let rcs = specs[0]["region_configs"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(rcs.len(), 2);
        assert_eq!(rcs[0]["analytics_specs"]["instance_size"], "M30");
        assert_eq!(rcs[1]["analytics_specs"], Json::Null);
        assert_eq!(rcs[1]["priority"], 6);
        assert_eq!(rcs[0]["auto_scaling"]["compute_max_instance_size"], "M50");
        assert_eq!(rcs[0]["read_only_specs"]["node_count"], 0);
        let adv = &j["advanced_configuration"];
        assert_eq!(adv["oplog_min_retention_hours"], 24.5);
        assert_eq!(adv["oplog_size_mb"], 2048);
        assert!(adv.get("default_read_concern").is_none());
        assert_eq!(adv["custom_openssl_cipher_config_tls12"], Json::Null);
        let pe = &j["connection_strings"]["private_endpoint"][0];
        assert_eq!(pe["endpoints"][0]["endpoint_id"], "vpce-1");
        assert_eq!(pe["type"], "MONGOS");
        assert_eq!(j["bi_connector_config"], Json::Null);
        assert_eq!(j["labels"], Json::Null);
        assert_eq!(j["tags"], json!({"env": "prod"}));
        assert_eq!(j["timeouts"], Json::Null);
        assert_eq!(j["retain_backups_enabled"], Json::Null);
        assert_eq!(
            j["accept_data_risks_and_force_replica_set_reconfig"],
            "2025-01-01T00:00:00Z"
        );
        // Computed strings keep SDKv2's "" until the read after the upgrade replaces them.
        assert_eq!(j["replica_set_scaling_strategy"], "");
    }

    #[test]
    fn unconvertible_v1_states_are_diagnostics() {
        let mut two_electable = v1_replica_set();
        let e = two_electable["replication_specs"][0]["region_configs"][0]["electable_specs"][0]
            .clone();
        two_electable["replication_specs"][0]["region_configs"][0]["electable_specs"] =
            json!([e.clone(), e]);
        let mut specs_string = v1_replica_set();
        specs_string["replication_specs"] = json!("nope");
        let mut size_number = v1_replica_set();
        size_number["replication_specs"][0]["region_configs"][0]["electable_specs"][0]
            ["instance_size"] = json!(10);
        let mut bad_tag = v1_replica_set();
        bad_tag["tags"] = json!([{"value": "x"}]);
        let mut rc_scalar = v1_replica_set();
        rc_scalar["replication_specs"][0]["region_configs"] = json!([true]);
        let cases = [
            (
                two_electable,
                "replication_specs[0].region_configs[0].electable_specs: 2 elements",
            ),
            (
                specs_string,
                "replication_specs: expected a list, found a string",
            ),
            (
                size_number,
                "electable_specs.instance_size: expected a string, found a number",
            ),
            (bad_tag, "tags[0]: a key/value element without a string key"),
            (
                rc_scalar,
                "replication_specs[0].region_configs[0]: expected an object, found a bool",
            ),
        ];
        for (state, expected) in cases {
            let err = upgrade(&state).err().map(error_text).unwrap_or_default();
            assert!(err.contains(expected), "{expected}: {err}");
            assert!(err.contains("terraform state rm"), "{err}");
            assert!(
                err.contains("terraform import <address> 65a1b2c3d4e5f60718293a00-rs"),
                "{err}"
            );
        }
        for state in [
            json!([]),
            json!({}),
            json!({"project_id": "p", "name": ""}),
            json!(null),
        ] {
            let err = upgrade(&state).err().map(error_text).unwrap_or_default();
            assert!(err.contains("schema version 1"), "{state}: {err}");
            assert!(
                err.contains("{project_id}-{cluster_name}"),
                "{state}: {err}"
            );
        }
        // Not JSON at all: the framework's diagnostic, no panic.
        let r = DynResource::<AtlasClient>::upgrade(&AdvancedClusterResource, 1, b"{");
        assert!(r.is_err());
    }

    #[test]
    fn current_state_passes_and_unknown_versions_fail() {
        let r = AdvancedClusterResource;
        assert!(r.upgrade_state(2, json!({})).is_ok());
        for v in [0, 3] {
            let err = r.upgrade_state(v, v1_replica_set()).err().map(error_text);
            assert!(err.is_some_and(|e| e.contains("Unsupported state version")));
        }
    }
}
