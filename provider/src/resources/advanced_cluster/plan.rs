//! Plan adjustments after the generic planner.
//!
//! The schema marks every stable computed value `use_state_for_unknown`, so an update keeps
//! them known. Here the values a change really affects become unknown again:
//! * `mongo_db_version` when `mongo_db_major_version` or `version_release_system` changes;
//! * `config_server_type` and `connection_strings` when `cluster_type` or
//!   `config_server_management_mode` changes, or the topology does (shards or regions added,
//!   removed or moved, node counts changed: the host list changes);
//! * in a shard whose base (electable/read-only) instance size changes: unconfigured
//!   electable/read-only `instance_size`, `disk_iops` and `disk_size_gb` of that shard;
//!   an analytics size change does the same for that region's analytics spec;
//! * when any `disk_size_gb` changes: every unconfigured `disk_size_gb` and `disk_iops`;
//! * after any sizing change: `advanced_configuration.oplog_size_mb` when Atlas set it and the
//!   configuration does not;
//! * `container_id` of a shard whose regions change; a region config whose provider or region
//!   changes gets every unconfigured spec value unknown, as if new.

use tfplugin::value::Value;

const SPEC_KINDS: [&str; 3] = ["electable_specs", "read_only_specs", "analytics_specs"];
const BASE_SPECS: [&str; 2] = ["electable_specs", "read_only_specs"];

fn attr<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.get_attr(name).unwrap_or(&Value::Null)
}

fn list(v: &Value) -> &[Value] {
    v.as_list().unwrap_or(&[])
}

/// Both known and different (an unknown planned value is already "known after apply").
fn changed(planned: &Value, prior: &Value) -> bool {
    !planned.is_unknown() && !planned.semantically_equal(prior)
}

/// Marks `obj.name` unknown when the configuration leaves it null.
fn unknown_if_unconfigured(obj: &mut Value, config: &Value, name: &str) {
    if !attr(config, name).is_null() {
        return;
    }
    if let Some(o) = obj.as_object_mut() {
        if let Some(slot) = o.get_mut(name) {
            *slot = Value::unknown();
        }
    }
}

/// Sizing changes found while comparing planned specs with the prior ones.
#[derive(Debug, Default)]
struct SizingChanges {
    /// Per shard: base instance size changed.
    base_size: Vec<bool>,
    /// Per shard, per region config: analytics instance size changed.
    analytics_size: Vec<Vec<bool>>,
    /// Per shard, per region config: provider or region changed (or the config is new).
    region_moved: Vec<Vec<bool>>,
    disk: bool,
    /// Shards or regions added, removed or moved, or node counts changed: the hosts (and so
    /// the connection strings) and the config server placement may change.
    topology: bool,
}

impl SizingChanges {
    fn any(&self) -> bool {
        self.disk
            || self.base_size.iter().any(|b| *b)
            || self.analytics_size.iter().flatten().any(|b| *b)
    }
}

fn find_changes(planned_specs: &[Value], prior_specs: &[Value]) -> SizingChanges {
    let mut out = SizingChanges {
        topology: planned_specs.len() != prior_specs.len(),
        ..SizingChanges::default()
    };
    for (i, spec) in planned_specs.iter().enumerate() {
        let prior_spec = prior_specs.get(i);
        let mut base = false;
        let mut analytics = Vec::new();
        let mut moved = Vec::new();
        let prior_rcs = prior_spec
            .map(|p| list(attr(p, "region_configs")))
            .unwrap_or(&[]);
        for (j, rc) in list(attr(spec, "region_configs")).iter().enumerate() {
            let Some(prior_rc) = prior_rcs.get(j) else {
                moved.push(true);
                analytics.push(false);
                continue;
            };
            let same_place = ["provider_name", "region_name"]
                .iter()
                .all(|k| attr(rc, k).semantically_equal(attr(prior_rc, k)));
            moved.push(!same_place);
            out.topology |= !same_place;
            for kind in SPEC_KINDS {
                out.topology |= changed(
                    attr(attr(rc, kind), "node_count"),
                    attr(attr(prior_rc, kind), "node_count"),
                );
            }
            let size_changed = |kind: &str| {
                changed(
                    attr(attr(rc, kind), "instance_size"),
                    attr(attr(prior_rc, kind), "instance_size"),
                )
            };
            base |= BASE_SPECS.iter().any(|k| size_changed(k));
            analytics.push(size_changed("analytics_specs"));
            for kind in SPEC_KINDS {
                out.disk |= changed(
                    attr(attr(rc, kind), "disk_size_gb"),
                    attr(attr(prior_rc, kind), "disk_size_gb"),
                );
            }
        }
        out.base_size.push(base);
        out.analytics_size.push(analytics);
        out.region_moved.push(moved);
    }
    out
}

/// Adjusts `planned` for an update from `prior` under `config` (all three top-level objects).
pub fn adjust_update(prior: &Value, config: &Value, planned: &mut Value) {
    if prior.is_null() || planned.is_null() || planned.semantically_equal(prior) {
        return;
    }
    let top_changed = |planned: &Value, name: &str| changed(attr(planned, name), attr(prior, name));

    if top_changed(planned, "mongo_db_major_version")
        || top_changed(planned, "version_release_system")
    {
        unknown_if_unconfigured(planned, config, "mongo_db_version");
    }
    if top_changed(planned, "cluster_type") || top_changed(planned, "config_server_management_mode")
    {
        unknown_if_unconfigured(planned, config, "config_server_type");
        unknown_if_unconfigured(planned, config, "connection_strings");
    }

    let changes = {
        let specs = attr(planned, "replication_specs");
        if specs.is_unknown() {
            return;
        }
        find_changes(list(specs), list(attr(prior, "replication_specs")))
    };
    if changes.topology {
        unknown_if_unconfigured(planned, config, "config_server_type");
        unknown_if_unconfigured(planned, config, "connection_strings");
    }
    let cfg_specs = list(attr(config, "replication_specs"));
    if let Some(specs) = planned
        .as_object_mut()
        .and_then(|o| o.get_mut("replication_specs"))
        .and_then(Value::as_list_mut)
    {
        for (i, spec) in specs.iter_mut().enumerate() {
            let cfg_spec = cfg_specs.get(i).unwrap_or(&Value::Null);
            let moved = changes.region_moved.get(i).cloned().unwrap_or_default();
            if moved.iter().any(|m| *m)
                || list(attr(spec, "region_configs")).len()
                    != list(attr(
                        list(attr(prior, "replication_specs"))
                            .get(i)
                            .unwrap_or(&Value::Null),
                        "region_configs",
                    ))
                    .len()
            {
                unknown_if_unconfigured(spec, cfg_spec, "container_id");
            }
            let cfg_rcs = list(attr(cfg_spec, "region_configs"));
            let base = changes.base_size.get(i).copied().unwrap_or(false);
            let Some(rcs) = spec
                .as_object_mut()
                .and_then(|o| o.get_mut("region_configs"))
                .and_then(Value::as_list_mut)
            else {
                continue;
            };
            for (j, rc) in rcs.iter_mut().enumerate() {
                let cfg_rc = cfg_rcs.get(j).unwrap_or(&Value::Null);
                let rc_moved = moved.get(j).copied().unwrap_or(false);
                let analytics = changes
                    .analytics_size
                    .get(i)
                    .and_then(|a| a.get(j))
                    .copied()
                    .unwrap_or(false);
                let Some(rc_obj) = rc.as_object_mut() else {
                    continue;
                };
                for kind in SPEC_KINDS {
                    let cfg_kind = attr(cfg_rc, kind);
                    let Some(spec_obj) = rc_obj.get_mut(kind) else {
                        continue;
                    };
                    if spec_obj.is_null() || spec_obj.is_unknown() {
                        continue;
                    }
                    let resized = rc_moved
                        || (base && BASE_SPECS.contains(&kind))
                        || (analytics && kind == "analytics_specs");
                    if resized {
                        unknown_if_unconfigured(spec_obj, cfg_kind, "instance_size");
                        unknown_if_unconfigured(spec_obj, cfg_kind, "disk_size_gb");
                        unknown_if_unconfigured(spec_obj, cfg_kind, "disk_iops");
                    }
                    if changes.disk {
                        unknown_if_unconfigured(spec_obj, cfg_kind, "disk_size_gb");
                        unknown_if_unconfigured(spec_obj, cfg_kind, "disk_iops");
                    }
                    if rc_moved {
                        unknown_if_unconfigured(spec_obj, cfg_kind, "node_count");
                        unknown_if_unconfigured(spec_obj, cfg_kind, "ebs_volume_type");
                    }
                }
                if rc_moved {
                    for kind in ["auto_scaling", "analytics_auto_scaling"] {
                        unknown_if_unconfigured(rc, cfg_rc, kind);
                    }
                }
            }
        }
    }

    if changes.any() {
        let cfg_adv = attr(config, "advanced_configuration");
        if let Some(adv) = planned
            .as_object_mut()
            .and_then(|o| o.get_mut("advanced_configuration"))
        {
            let present = !attr(adv, "oplog_size_mb").is_null();
            if present && !adv.is_unknown() {
                unknown_if_unconfigured(adv, cfg_adv, "oplog_size_mb");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(size: &str, disk: i64, iops: Option<i64>) -> Value {
        Value::object([
            ("instance_size", Value::string(size)),
            ("node_count", Value::number(3)),
            ("disk_size_gb", Value::number(disk)),
            ("disk_iops", iops.map_or(Value::Null, Value::number)),
            ("ebs_volume_type", Value::string("STANDARD")),
        ])
    }

    fn cluster(electable: Value, read_only: Value, oplog: Value) -> Value {
        Value::object([
            ("cluster_type", Value::string("REPLICASET")),
            ("mongo_db_major_version", Value::string("8.0")),
            ("mongo_db_version", Value::string("8.0.4")),
            ("version_release_system", Value::string("LTS")),
            ("config_server_type", Value::Null),
            ("config_server_management_mode", Value::Null),
            (
                "connection_strings",
                Value::object([("standard", Value::string("mongodb://x"))]),
            ),
            (
                "advanced_configuration",
                Value::object([
                    ("oplog_size_mb", oplog),
                    ("javascript_enabled", Value::bool(true)),
                ]),
            ),
            (
                "replication_specs",
                Value::list([Value::object([
                    (
                        "container_id",
                        Value::map([("AWS:US_EAST_1", Value::string("c1"))]),
                    ),
                    ("zone_id", Value::string("z")),
                    (
                        "region_configs",
                        Value::list([Value::object([
                            ("provider_name", Value::string("AWS")),
                            ("region_name", Value::string("US_EAST_1")),
                            ("priority", Value::number(7)),
                            ("electable_specs", electable),
                            ("read_only_specs", read_only),
                            ("analytics_specs", Value::Null),
                            (
                                "auto_scaling",
                                Value::object([("compute_enabled", Value::bool(false))]),
                            ),
                        ])]),
                    ),
                ])]),
            ),
        ])
    }

    /// Configuration with only the electable instance size and node count.
    fn config(size: &str) -> Value {
        let electable = Value::object([
            ("instance_size", Value::string(size)),
            ("node_count", Value::number(3)),
            ("disk_size_gb", Value::Null),
            ("disk_iops", Value::Null),
            ("ebs_volume_type", Value::Null),
        ]);
        let mut c = cluster(electable, Value::Null, Value::Null);
        if let Some(o) = c.as_object_mut() {
            for k in [
                "mongo_db_version",
                "connection_strings",
                "advanced_configuration",
            ] {
                o.insert(k.into(), Value::Null);
            }
            if let Some(spec) = o
                .get_mut("replication_specs")
                .and_then(Value::as_list_mut)
                .and_then(|l| l[0].as_object_mut())
            {
                spec.insert("container_id".into(), Value::Null);
                spec.insert("zone_id".into(), Value::Null);
                if let Some(rc) = spec
                    .get_mut("region_configs")
                    .and_then(Value::as_list_mut)
                    .and_then(|l| l[0].as_object_mut())
                {
                    rc.insert("auto_scaling".into(), Value::Null);
                }
            }
        }
        c
    }

    fn rc(v: &Value) -> &Value {
        &list(attr(
            &list(attr(v, "replication_specs"))[0],
            "region_configs",
        ))[0]
    }

    #[test]
    fn resize_makes_only_dependent_values_unknown() {
        let prior = cluster(
            spec("M10", 10, Some(3000)),
            spec("M10", 10, Some(3000)),
            Value::number(990),
        );
        // What the generic planner leaves: the prior with the configured size.
        let mut planned = cluster(
            spec("M20", 10, Some(3000)),
            spec("M10", 10, Some(3000)),
            Value::number(990),
        );
        adjust_update(&prior, &config("M20"), &mut planned);
        let el = attr(rc(&planned), "electable_specs");
        assert_eq!(attr(el, "instance_size"), &Value::string("M20"));
        assert!(attr(el, "disk_size_gb").is_unknown());
        assert!(attr(el, "disk_iops").is_unknown());
        assert_eq!(attr(el, "node_count"), &Value::number(3));
        let ro = attr(rc(&planned), "read_only_specs");
        assert!(attr(ro, "instance_size").is_unknown());
        assert_eq!(attr(ro, "node_count"), &Value::number(3));
        assert!(attr(attr(&planned, "advanced_configuration"), "oplog_size_mb").is_unknown());
        assert_eq!(
            attr(
                attr(&planned, "advanced_configuration"),
                "javascript_enabled"
            ),
            &Value::bool(true)
        );
        // Unaffected values stay known.
        assert_eq!(attr(&planned, "mongo_db_version"), &Value::string("8.0.4"));
        assert!(!attr(&planned, "connection_strings").is_unknown());
        let spec0 = &list(attr(&planned, "replication_specs"))[0];
        assert!(!attr(spec0, "container_id").is_unknown());
        assert!(!attr(rc(&planned), "auto_scaling").is_unknown());
    }

    #[test]
    fn oplog_stays_null_when_atlas_never_set_it() {
        let prior = cluster(spec("M10", 10, None), Value::Null, Value::Null);
        let mut planned = cluster(spec("M20", 10, None), Value::Null, Value::Null);
        adjust_update(&prior, &config("M20"), &mut planned);
        assert!(attr(attr(&planned, "advanced_configuration"), "oplog_size_mb").is_null());
    }

    #[test]
    fn unrelated_change_keeps_everything_known() {
        let prior = cluster(
            spec("M10", 10, None),
            spec("M10", 10, None),
            Value::number(5),
        );
        let mut planned = prior.clone();
        if let Some(o) = planned.as_object_mut() {
            o.insert("tags".into(), Value::map([("a", Value::string("b"))]));
        }
        let before = planned.clone();
        adjust_update(&prior, &config("M10"), &mut planned);
        assert_eq!(planned, before);
        assert!(planned.is_wholly_known());
    }

    #[test]
    fn node_count_change_makes_connection_strings_unknown() {
        let prior = cluster(spec("M10", 10, None), Value::Null, Value::Null);
        let mut five = spec("M10", 10, None);
        if let Some(o) = five.as_object_mut() {
            o.insert("node_count".into(), Value::number(5));
        }
        let mut planned = cluster(five, Value::Null, Value::Null);
        adjust_update(&prior, &config("M10"), &mut planned);
        assert!(attr(&planned, "connection_strings").is_unknown());
        assert_eq!(attr(&planned, "mongo_db_version"), &Value::string("8.0.4"));
    }

    #[test]
    fn major_version_change_makes_version_unknown() {
        let prior = cluster(spec("M10", 10, None), Value::Null, Value::Null);
        let mut planned = prior.clone();
        if let Some(o) = planned.as_object_mut() {
            o.insert("mongo_db_major_version".into(), Value::string("7.0"));
        }
        adjust_update(&prior, &config("M10"), &mut planned);
        assert!(attr(&planned, "mongo_db_version").is_unknown());
        assert!(!attr(&planned, "connection_strings").is_unknown());
    }

    #[test]
    fn disk_change_reaches_every_spec_and_cluster_type_change_reaches_connection_strings() {
        let prior = cluster(spec("M10", 10, None), spec("M10", 10, None), Value::Null);
        let mut planned = cluster(spec("M10", 40, None), spec("M10", 10, None), Value::Null);
        if let Some(o) = planned.as_object_mut() {
            o.insert("cluster_type".into(), Value::string("SHARDED"));
        }
        adjust_update(&prior, &config("M10"), &mut planned);
        let ro = attr(rc(&planned), "read_only_specs");
        assert!(attr(ro, "disk_size_gb").is_unknown());
        assert_eq!(attr(ro, "instance_size"), &Value::string("M10"));
        assert!(attr(&planned, "connection_strings").is_unknown());
        assert!(attr(&planned, "config_server_type").is_unknown());
    }

    #[test]
    fn moved_region_is_treated_as_new() {
        let prior = cluster(spec("M10", 10, None), spec("M10", 10, None), Value::Null);
        let mut planned = prior.clone();
        if let Some(rc) = planned
            .as_object_mut()
            .and_then(|o| o.get_mut("replication_specs"))
            .and_then(Value::as_list_mut)
            .and_then(|l| l[0].as_object_mut())
            .and_then(|s| s.get_mut("region_configs"))
            .and_then(Value::as_list_mut)
            .and_then(|l| l[0].as_object_mut())
        {
            rc.insert("region_name".into(), Value::string("US_WEST_2"));
        }
        adjust_update(&prior, &config("M10"), &mut planned);
        let spec0 = &list(attr(&planned, "replication_specs"))[0];
        assert!(attr(spec0, "container_id").is_unknown());
        assert!(attr(attr(rc(&planned), "read_only_specs"), "node_count").is_unknown());
        assert!(attr(rc(&planned), "auto_scaling").is_unknown());
        assert_eq!(
            attr(attr(rc(&planned), "electable_specs"), "instance_size"),
            &Value::string("M10")
        );
    }
}
