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

use super::model::{ClusterModel, RegionConfigModel, ReplicationSpecModel, SpecsModel};
use tfplugin::model::Tf;

/// The three kinds of nodes of a region config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Electable,
    ReadOnly,
    Analytics,
}

const KINDS: [Kind; 3] = [Kind::Electable, Kind::ReadOnly, Kind::Analytics];

impl Kind {
    /// Electable and read-only nodes are a shard's base nodes and share one size.
    fn is_base(self) -> bool {
        self != Kind::Analytics
    }

    fn of(self, rc: &RegionConfigModel) -> &Tf<SpecsModel> {
        match self {
            Kind::Electable => &rc.electable_specs,
            Kind::ReadOnly => &rc.read_only_specs,
            Kind::Analytics => &rc.analytics_specs,
        }
    }

    fn of_mut(self, rc: &mut RegionConfigModel) -> &mut Tf<SpecsModel> {
        match self {
            Kind::Electable => &mut rc.electable_specs,
            Kind::ReadOnly => &mut rc.read_only_specs,
            Kind::Analytics => &mut rc.analytics_specs,
        }
    }

    /// The spec of this kind; null and unknown specs read as absent.
    fn spec(self, rc: Option<&RegionConfigModel>) -> Option<&SpecsModel> {
        rc.and_then(|rc| self.of(rc).known())
    }
}

fn list<T>(v: &Tf<Vec<T>>) -> &[T] {
    v.known().map_or(&[], Vec::as_slice)
}

fn region_configs(spec: Option<&ReplicationSpecModel>) -> &[RegionConfigModel] {
    spec.map_or(&[], |s| list(&s.region_configs))
}

/// A spec value, null when the spec is absent.
fn field<T: Clone>(spec: Option<&SpecsModel>, f: fn(&SpecsModel) -> &Tf<T>) -> Tf<T> {
    spec.map_or(Tf::Null, |s| f(s).clone())
}

/// Whether a value of the `kind` spec changed from the prior region config to the planned one.
fn spec_changed<T: Clone + PartialEq>(
    kind: Kind,
    planned: &RegionConfigModel,
    prior: &RegionConfigModel,
    f: fn(&SpecsModel) -> &Tf<T>,
) -> bool {
    changed(
        &field(kind.spec(Some(planned)), f),
        &field(kind.spec(Some(prior)), f),
    )
}

/// Both known and different (an unknown planned value is already "known after apply").
fn changed<T: PartialEq>(planned: &Tf<T>, prior: &Tf<T>) -> bool {
    !planned.is_unknown() && planned != prior
}

/// Marks `slot` unknown unless the configuration sets it.
fn unknown_unless_configured<T>(slot: &mut Tf<T>, configured: bool) {
    if !configured {
        *slot = Tf::Unknown;
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

fn find_changes(
    planned_specs: &[ReplicationSpecModel],
    prior_specs: &[ReplicationSpecModel],
) -> SizingChanges {
    let mut out = SizingChanges {
        topology: planned_specs.len() != prior_specs.len(),
        ..SizingChanges::default()
    };
    for (i, spec) in planned_specs.iter().enumerate() {
        let prior_rcs = region_configs(prior_specs.get(i));
        let mut base = false;
        let mut analytics = Vec::new();
        let mut moved = Vec::new();
        for (j, rc) in list(&spec.region_configs).iter().enumerate() {
            let Some(prior_rc) = prior_rcs.get(j) else {
                moved.push(true);
                analytics.push(false);
                continue;
            };
            let same_place = rc.provider_name == prior_rc.provider_name
                && rc.region_name == prior_rc.region_name;
            moved.push(!same_place);
            out.topology |= !same_place;
            for kind in KINDS {
                out.topology |= spec_changed(kind, rc, prior_rc, |s| &s.node_count);
                out.disk |= spec_changed(kind, rc, prior_rc, |s| &s.disk_size_gb);
            }
            let size_changed = |kind: Kind| spec_changed(kind, rc, prior_rc, |s| &s.instance_size);
            base |= KINDS.iter().any(|k| k.is_base() && size_changed(*k));
            analytics.push(size_changed(Kind::Analytics));
        }
        out.base_size.push(base);
        out.analytics_size.push(analytics);
        out.region_moved.push(moved);
    }
    out
}

/// Makes the unconfigured values of a region config's `kind` spec unknown that its changes
/// affect.
fn adjust_spec(
    spec: &mut SpecsModel,
    config: Option<&SpecsModel>,
    resized: bool,
    disk: bool,
    moved: bool,
) {
    let set = |f: fn(&SpecsModel) -> bool| config.is_some_and(f);
    if resized {
        unknown_unless_configured(&mut spec.instance_size, set(|c| c.instance_size.is_set()));
    }
    if resized || disk {
        unknown_unless_configured(&mut spec.disk_size_gb, set(|c| c.disk_size_gb.is_set()));
        unknown_unless_configured(&mut spec.disk_iops, set(|c| c.disk_iops.is_set()));
    }
    if moved {
        unknown_unless_configured(&mut spec.node_count, set(|c| c.node_count.is_set()));
        unknown_unless_configured(
            &mut spec.ebs_volume_type,
            set(|c| c.ebs_volume_type.is_set()),
        );
    }
}

/// Adjusts `planned` for an update from `prior` under `config`.
pub fn adjust_update(prior: &ClusterModel, config: &ClusterModel, planned: &mut ClusterModel) {
    if planned == prior {
        return;
    }
    if changed(
        &planned.mongo_db_major_version,
        &prior.mongo_db_major_version,
    ) || changed(
        &planned.version_release_system,
        &prior.version_release_system,
    ) {
        unknown_unless_configured(
            &mut planned.mongo_db_version,
            config.mongo_db_version.is_set(),
        );
    }
    let hosts_may_change = |planned: &mut ClusterModel| {
        unknown_unless_configured(
            &mut planned.config_server_type,
            config.config_server_type.is_set(),
        );
        unknown_unless_configured(
            &mut planned.connection_strings,
            config.connection_strings.is_set(),
        );
    };
    if changed(&planned.cluster_type, &prior.cluster_type)
        || changed(
            &planned.config_server_management_mode,
            &prior.config_server_management_mode,
        )
    {
        hosts_may_change(planned);
    }
    if planned.replication_specs.is_unknown() {
        return;
    }
    let prior_specs = list(&prior.replication_specs);
    let changes = find_changes(list(&planned.replication_specs), prior_specs);
    if changes.topology {
        hosts_may_change(planned);
    }
    let cfg_specs = list(&config.replication_specs);
    if let Tf::Known(specs) = &mut planned.replication_specs {
        for (i, spec) in specs.iter_mut().enumerate() {
            let cfg_spec = cfg_specs.get(i);
            let moved = changes.region_moved.get(i).cloned().unwrap_or_default();
            if moved.iter().any(|m| *m)
                || list(&spec.region_configs).len() != region_configs(prior_specs.get(i)).len()
            {
                unknown_unless_configured(
                    &mut spec.container_id,
                    cfg_spec.is_some_and(|c| c.container_id.is_set()),
                );
            }
            let cfg_rcs = region_configs(cfg_spec);
            let base = changes.base_size.get(i).copied().unwrap_or(false);
            let Tf::Known(rcs) = &mut spec.region_configs else {
                continue;
            };
            for (j, rc) in rcs.iter_mut().enumerate() {
                let cfg_rc = cfg_rcs.get(j);
                let rc_moved = moved.get(j).copied().unwrap_or(false);
                let analytics = changes
                    .analytics_size
                    .get(i)
                    .and_then(|a| a.get(j))
                    .copied()
                    .unwrap_or(false);
                for kind in KINDS {
                    let Tf::Known(spec) = kind.of_mut(rc) else {
                        continue;
                    };
                    let resized = rc_moved
                        || (base && kind.is_base())
                        || (analytics && kind == Kind::Analytics);
                    adjust_spec(spec, kind.spec(cfg_rc), resized, changes.disk, rc_moved);
                }
                if rc_moved {
                    let cfg = |f: fn(&RegionConfigModel) -> bool| cfg_rc.is_some_and(f);
                    unknown_unless_configured(
                        &mut rc.auto_scaling,
                        cfg(|c| c.auto_scaling.is_set()),
                    );
                    unknown_unless_configured(
                        &mut rc.analytics_auto_scaling,
                        cfg(|c| c.analytics_auto_scaling.is_set()),
                    );
                }
            }
        }
    }

    if changes.any() {
        if let Tf::Known(adv) = &mut planned.advanced_configuration {
            if !adv.oplog_size_mb.is_null() {
                let configured = config
                    .advanced_configuration
                    .known()
                    .is_some_and(|c| c.oplog_size_mb.is_set());
                unknown_unless_configured(&mut adv.oplog_size_mb, configured);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::{
        AdvancedConfigurationModel, AutoScalingModel, ConnectionStringsModel,
    };
    use super::*;
    use std::collections::BTreeMap;

    fn known<T: Into<String>>(s: T) -> Tf<String> {
        Tf::Known(s.into())
    }

    fn spec(size: &str, disk: f64, iops: Option<i64>) -> Tf<SpecsModel> {
        Tf::Known(SpecsModel {
            instance_size: known(size),
            node_count: Tf::Known(3),
            disk_size_gb: Tf::Known(disk),
            disk_iops: iops.into(),
            ebs_volume_type: known("STANDARD"),
        })
    }

    fn cluster(
        electable: Tf<SpecsModel>,
        read_only: Tf<SpecsModel>,
        oplog: Tf<i64>,
    ) -> ClusterModel {
        ClusterModel {
            cluster_type: known("REPLICASET"),
            mongo_db_major_version: known("8.0"),
            mongo_db_version: known("8.0.4"),
            version_release_system: known("LTS"),
            connection_strings: Tf::Known(ConnectionStringsModel {
                standard: Some("mongodb://x".into()),
                ..Default::default()
            }),
            advanced_configuration: Tf::Known(AdvancedConfigurationModel {
                oplog_size_mb: oplog,
                javascript_enabled: Some(true),
                ..Default::default()
            }),
            replication_specs: Tf::Known(vec![ReplicationSpecModel {
                container_id: Tf::Known(BTreeMap::from([(
                    "AWS:US_EAST_1".to_string(),
                    "c1".to_string(),
                )])),
                zone_id: Some("z".into()),
                region_configs: Tf::Known(vec![RegionConfigModel {
                    provider_name: known("AWS"),
                    region_name: known("US_EAST_1"),
                    priority: Tf::Known(7),
                    electable_specs: electable,
                    read_only_specs: read_only,
                    auto_scaling: Tf::Known(AutoScalingModel {
                        compute_enabled: Some(false),
                        ..Default::default()
                    }),
                    ..Default::default()
                }]),
                ..Default::default()
            }]),
            ..Default::default()
        }
    }

    /// Configuration with only the electable instance size and node count.
    fn config(size: &str) -> ClusterModel {
        let electable = Tf::Known(SpecsModel {
            instance_size: known(size),
            node_count: Tf::Known(3),
            ..Default::default()
        });
        let mut c = cluster(electable, Tf::Null, Tf::Null);
        c.mongo_db_version = Tf::Null;
        c.connection_strings = Tf::Null;
        c.advanced_configuration = Tf::Null;
        let spec = &mut specs(&mut c)[0];
        spec.container_id = Tf::Null;
        spec.zone_id = None;
        rc_mut(&mut c).auto_scaling = Tf::Null;
        c
    }

    fn specs(m: &mut ClusterModel) -> &mut Vec<ReplicationSpecModel> {
        match &mut m.replication_specs {
            Tf::Known(s) => s,
            _ => panic!("specs"),
        }
    }

    fn rc_mut(m: &mut ClusterModel) -> &mut RegionConfigModel {
        match &mut specs(m)[0].region_configs {
            Tf::Known(rcs) => &mut rcs[0],
            _ => panic!("region configs"),
        }
    }

    fn rc(m: &ClusterModel) -> &RegionConfigModel {
        &region_configs(list(&m.replication_specs).first())[0]
    }

    fn specs_of(t: &Tf<SpecsModel>) -> &SpecsModel {
        t.known().unwrap_or_else(|| panic!("spec"))
    }

    fn oplog(m: &ClusterModel) -> &Tf<i64> {
        &m.advanced_configuration
            .known()
            .unwrap_or_else(|| panic!("advanced_configuration"))
            .oplog_size_mb
    }

    #[test]
    fn resize_makes_only_dependent_values_unknown() {
        let prior = cluster(
            spec("M10", 10.0, Some(3000)),
            spec("M10", 10.0, Some(3000)),
            Tf::Known(990),
        );
        // What the generic planner leaves: the prior with the configured size.
        let mut planned = cluster(
            spec("M20", 10.0, Some(3000)),
            spec("M10", 10.0, Some(3000)),
            Tf::Known(990),
        );
        adjust_update(&prior, &config("M20"), &mut planned);
        let el = specs_of(&rc(&planned).electable_specs);
        assert_eq!(el.instance_size, known("M20"));
        assert!(el.disk_size_gb.is_unknown());
        assert!(el.disk_iops.is_unknown());
        assert_eq!(el.node_count, Tf::Known(3));
        let ro = specs_of(&rc(&planned).read_only_specs);
        assert!(ro.instance_size.is_unknown());
        assert_eq!(ro.node_count, Tf::Known(3));
        assert!(oplog(&planned).is_unknown());
        assert_eq!(
            planned
                .advanced_configuration
                .known()
                .and_then(|a| a.javascript_enabled),
            Some(true)
        );
        // Unaffected values stay known.
        assert_eq!(planned.mongo_db_version, known("8.0.4"));
        assert!(planned.connection_strings.is_known());
        assert!(list(&planned.replication_specs)[0].container_id.is_known());
        assert!(rc(&planned).auto_scaling.is_known());
    }

    #[test]
    fn oplog_stays_null_when_atlas_never_set_it() {
        let prior = cluster(spec("M10", 10.0, None), Tf::Null, Tf::Null);
        let mut planned = cluster(spec("M20", 10.0, None), Tf::Null, Tf::Null);
        adjust_update(&prior, &config("M20"), &mut planned);
        assert!(oplog(&planned).is_null());
    }

    #[test]
    fn unrelated_change_keeps_everything_known() {
        let prior = cluster(
            spec("M10", 10.0, None),
            spec("M10", 10.0, None),
            Tf::Known(5),
        );
        let mut planned = prior.clone();
        planned.tags = Some(BTreeMap::from([("a".to_string(), known("b"))]));
        let before = planned.clone();
        adjust_update(&prior, &config("M10"), &mut planned);
        assert_eq!(planned, before);
    }

    #[test]
    fn node_count_change_makes_connection_strings_unknown() {
        let prior = cluster(spec("M10", 10.0, None), Tf::Null, Tf::Null);
        let mut five = spec("M10", 10.0, None);
        if let Tf::Known(s) = &mut five {
            s.node_count = Tf::Known(5);
        }
        let mut planned = cluster(five, Tf::Null, Tf::Null);
        adjust_update(&prior, &config("M10"), &mut planned);
        assert!(planned.connection_strings.is_unknown());
        assert_eq!(planned.mongo_db_version, known("8.0.4"));
    }

    #[test]
    fn major_version_change_makes_version_unknown() {
        let prior = cluster(spec("M10", 10.0, None), Tf::Null, Tf::Null);
        let mut planned = prior.clone();
        planned.mongo_db_major_version = known("7.0");
        adjust_update(&prior, &config("M10"), &mut planned);
        assert!(planned.mongo_db_version.is_unknown());
        assert!(planned.connection_strings.is_known());
    }

    #[test]
    fn unknown_planned_values_are_not_changes() {
        let prior = cluster(spec("M10", 10.0, None), spec("M10", 10.0, None), Tf::Null);
        let mut planned = prior.clone();
        planned.mongo_db_major_version = Tf::Unknown;
        planned.cluster_type = Tf::Unknown;
        if let Tf::Known(s) = &mut rc_mut(&mut planned).electable_specs {
            s.instance_size = Tf::Unknown;
        }
        adjust_update(&prior, &config("M10"), &mut planned);
        assert_eq!(planned.mongo_db_version, known("8.0.4"));
        assert!(planned.connection_strings.is_known());
        assert_eq!(
            specs_of(&rc(&planned).read_only_specs).instance_size,
            known("M10")
        );
    }

    #[test]
    fn disk_change_reaches_every_spec_and_cluster_type_change_reaches_connection_strings() {
        let prior = cluster(spec("M10", 10.0, None), spec("M10", 10.0, None), Tf::Null);
        let mut planned = cluster(spec("M10", 40.0, None), spec("M10", 10.0, None), Tf::Null);
        planned.cluster_type = known("SHARDED");
        adjust_update(&prior, &config("M10"), &mut planned);
        let ro = specs_of(&rc(&planned).read_only_specs);
        assert!(ro.disk_size_gb.is_unknown());
        assert_eq!(ro.instance_size, known("M10"));
        assert!(planned.connection_strings.is_unknown());
        assert!(planned.config_server_type.is_unknown());
    }

    #[test]
    fn moved_region_is_treated_as_new() {
        let prior = cluster(spec("M10", 10.0, None), spec("M10", 10.0, None), Tf::Null);
        let mut planned = prior.clone();
        rc_mut(&mut planned).region_name = known("US_WEST_2");
        adjust_update(&prior, &config("M10"), &mut planned);
        assert!(list(&planned.replication_specs)[0]
            .container_id
            .is_unknown());
        assert!(specs_of(&rc(&planned).read_only_specs)
            .node_count
            .is_unknown());
        assert!(rc(&planned).auto_scaling.is_unknown());
        assert_eq!(
            specs_of(&rc(&planned).electable_specs).instance_size,
            known("M10")
        );
    }

    /// Through the framework: the typed hook changes only what it sets, and unknowns the
    /// model reads as absent (a tag value from another resource) stay unknown.
    #[test]
    fn plan_rpc_keeps_unknowns_it_does_not_touch() {
        use super::super::AdvancedClusterResource;
        use crate::AtlasClient;
        use tfplugin::model::{from_model, TfObject};
        use tfplugin::resource::DynResource;

        let ty = ClusterModel::block().ty();
        let value = |m: &ClusterModel| from_model(m, &ty).unwrap_or_else(|e| panic!("{e:?}"));
        let mut prior = cluster(
            spec("M10", 10.0, Some(3000)),
            spec("M10", 10.0, Some(3000)),
            Tf::Known(990),
        );
        prior.project_id = "5f1d5c2b8a1e4c3d2b1a0f9e".into();
        prior.name = "c1".into();
        let mut config = config("M20");
        config.project_id = prior.project_id.clone();
        config.name = prior.name.clone();
        config.tags = Some(BTreeMap::from([("owner".to_string(), Tf::Unknown)]));
        let mut proposed = prior.clone();
        proposed.tags = config.tags.clone();
        if let Tf::Known(s) = &mut rc_mut(&mut proposed).electable_specs {
            s.instance_size = known("M20");
        }
        let r = AdvancedClusterResource;
        let change = DynResource::<AtlasClient>::plan(
            &r,
            &value(&prior),
            &value(&proposed),
            &value(&config),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(change.requires_replace.is_empty());
        let planned: ClusterModel =
            tfplugin::model::to_model(&change.planned).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(planned.tags, config.tags);
        let el = specs_of(&rc(&planned).electable_specs);
        assert_eq!(el.instance_size, known("M20"));
        assert!(el.disk_size_gb.is_unknown());
        assert_eq!(planned.mongo_db_version, known("8.0.4"));
        assert!(oplog(&planned).is_unknown());
    }
}
