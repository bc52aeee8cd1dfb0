//! Request bodies → the normalized cluster configuration, with Atlas's validation rules
//! (reference §11 rules 6 and 15–22). Everything here is pure: no store, no clock.
//!
//! Choices where real Atlas is unverified: read-only and unknown fields are ignored (so a
//! body copied from a GET can be sent back); wrong JSON types are `INVALID_ATTRIBUTE`, bad
//! enum strings `INVALID_ENUM_VALUE`; electable node totals other than 3/5/7 and bad
//! priorities are `INVALID_CLUSTER_CONFIGURATION` (the catalogue's legacy name is
//! `CLUSTER_REPLICATION_FACTOR_INVALID`); structural topology errors are
//! `REPLICATION_SPECS_INVALID`; `diskSizeGB` below 10 is raised to 10, as Atlas documents.

use serde_json::{json, Map, Value};

use super::catalog::{self, Provider};
use super::process_args;
use crate::error::ApiError;

pub const NAME_MAX: usize = 64;
/// Host names use the first 23 characters, so they must be unique in a project.
pub const NAME_PREFIX_LEN: usize = 23;

pub const CLUSTER_TYPES: &[&str] = &["REPLICASET", "SHARDED", "GEOSHARDED"];
const EBS_TYPES: &[&str] = &["STANDARD", "PROVISIONED", "HIGH_PERFORMANCE"];
const READ_PREFERENCES: &[&str] = &["PRIMARY", "SECONDARY", "ANALYTICS"];

const TOP_ENUMS: &[(&str, &[&str])] = &[
    ("clusterType", CLUSTER_TYPES),
    (
        "configServerManagementMode",
        &["ATLAS_MANAGED", "FIXED_TO_DEDICATED"],
    ),
    (
        "diskWarmingMode",
        &["FULLY_WARMED", "VISIBLE_EARLIER", "ENHANCED_FULLY_WARMED"],
    ),
    ("encryptionAtRestProvider", &["NONE", "AWS", "AZURE", "GCP"]),
    (
        "replicaSetScalingStrategy",
        &["SEQUENTIAL", "WORKLOAD_TYPE", "NODE_TYPE"],
    ),
    ("rootCertType", &["ISRGROOTX1"]),
    ("versionReleaseSystem", &["LTS", "CONTINUOUS"]),
];

const TOP_BOOLS: &[&str] = &[
    "backupEnabled",
    "globalClusterSelfManagedSharding",
    "paused",
    "pitEnabled",
    "redactClientLogData",
    "terminationProtectionEnabled",
    "useAwsTimeBasedSnapshotCopyForFastInitialSync",
];

/// Shards (replication specs) a cluster may have. Atlas Service Limits: "Shards in
/// Single-region clusters: no hard limit, but contact MongoDB Support for more than 80";
/// "Shards in Multi-Region Clusters: 30". (Older Atlas docs said 70 and 12.) Without a
/// support-raised limit the sandbox refuses more.
pub const MAX_SHARDS_SINGLE_REGION: usize = 80;
pub const MAX_SHARDS_MULTI_REGION: usize = 30;

// ---- names --------------------------------------------------------------------------------

pub fn validate_name(name: &str) -> Result<(), ApiError> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(ApiError::cluster_name_invalid(name));
    }
    if name.len() > NAME_MAX {
        return Err(ApiError::cluster_name_too_long(name, NAME_MAX));
    }
    let lower = name.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("atlas-") {
        if rest.len() == 6 && rest.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ApiError::atlas_reserved_cluster_name(name));
        }
    }
    if name.len() > NAME_PREFIX_LEN && name[..NAME_PREFIX_LEN].ends_with('-') {
        return Err(ApiError::cluster_name_prefix_invalid(name));
    }
    Ok(())
}

/// The part of a name that must be unique in a project (host names are case-insensitive).
pub fn name_prefix(name: &str) -> String {
    name.chars()
        .take(NAME_PREFIX_LEN)
        .collect::<String>()
        .to_ascii_lowercase()
}

// ---- typed access to JSON -------------------------------------------------------------------

/// A present, non-null member.
fn member<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    m.get(key).filter(|v| !v.is_null())
}

fn attr(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

pub fn as_bool(v: &Value, attr: &str) -> Result<bool, ApiError> {
    v.as_bool().ok_or_else(|| ApiError::invalid_attribute(attr))
}

pub fn as_str<'a>(v: &'a Value, attr: &str) -> Result<&'a str, ApiError> {
    v.as_str().ok_or_else(|| ApiError::invalid_attribute(attr))
}

/// Integers; a whole float (`3.0`) counts, since some clients send numbers as doubles.
pub fn as_int(v: &Value, attr: &str) -> Result<i64, ApiError> {
    if let Some(i) = v.as_i64() {
        return Ok(i);
    }
    match v.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        _ => Err(ApiError::invalid_attribute(attr)),
    }
}

pub fn as_num(v: &Value, attr: &str) -> Result<f64, ApiError> {
    v.as_f64().ok_or_else(|| ApiError::invalid_attribute(attr))
}

pub fn as_obj<'a>(v: &'a Value, attr: &str) -> Result<&'a Map<String, Value>, ApiError> {
    v.as_object()
        .ok_or_else(|| ApiError::invalid_attribute(attr))
}

/// A string that must be one of `options` (exact case).
pub fn as_enum(v: &Value, attr: &str, options: &[&'static str]) -> Result<&'static str, ApiError> {
    let s = as_str(v, attr)?;
    options
        .iter()
        .find(|o| **o == s)
        .copied()
        .ok_or_else(|| ApiError::invalid_enum_value(s, attr))
}

/// `tags` / `labels`: `[{key, value}]`, each 1–255 characters.
fn key_values(v: &Value, name: &str) -> Result<Value, ApiError> {
    let items = v
        .as_array()
        .ok_or_else(|| ApiError::invalid_attribute(name))?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("{name}[{i}]");
        let obj = as_obj(item, &at)?;
        let mut pair = Map::new();
        for key in ["key", "value"] {
            let a = format!("{at}.{key}");
            let s = member(obj, key).ok_or_else(|| ApiError::missing_attribute(&a))?;
            let s = as_str(s, &a)?;
            if !(1..=255).contains(&s.chars().count()) {
                return Err(ApiError::invalid_attribute(&a));
            }
            pair.insert(key.to_string(), json!(s));
        }
        out.push(Value::Object(pair));
    }
    Ok(Value::Array(out))
}

// ---- top-level fields -----------------------------------------------------------------------

/// A checked request body: the writable top-level fields it sets (a JSON `null` in `fields`
/// means "clear", used by the nullable `adaptiveCapacity`), its raw replication specs, and
/// its `advancedConfiguration` (process-args fields).
#[derive(Debug, Clone, Default)]
pub struct ClusterRequest {
    pub fields: Map<String, Value>,
    pub specs: Option<Vec<Value>>,
    pub advanced: Map<String, Value>,
}

impl ClusterRequest {
    pub fn name(&self) -> Option<&str> {
        self.fields.get("name").and_then(Value::as_str)
    }

    pub fn paused(&self) -> Option<bool> {
        self.fields.get("paused").and_then(Value::as_bool)
    }
}

pub fn parse_request(body: &Map<String, Value>) -> Result<ClusterRequest, ApiError> {
    let mut req = ClusterRequest::default();
    let f = &mut req.fields;
    if let Some(v) = member(body, "name") {
        let name = as_str(v, "name")?;
        validate_name(name)?;
        f.insert("name".into(), json!(name));
    }
    for (key, options) in TOP_ENUMS {
        if let Some(v) = member(body, key) {
            f.insert((*key).into(), json!(as_enum(v, key, options)?));
        }
    }
    for key in TOP_BOOLS {
        if let Some(v) = member(body, key) {
            f.insert((*key).into(), json!(as_bool(v, key)?));
        }
    }
    // Only used by DELETE (`?retainBackups=`); checked for type, not stored.
    if let Some(v) = member(body, "retainBackups") {
        as_bool(v, "retainBackups")?;
    }
    match body.get("adaptiveCapacity") {
        None => {}
        Some(Value::Null) => {
            f.insert("adaptiveCapacity".into(), Value::Null);
        }
        Some(v) => {
            let s = as_enum(v, "adaptiveCapacity", &["ENABLED", "DISABLED"])?;
            f.insert("adaptiveCapacity".into(), json!(s));
        }
    }
    if let Some(v) = member(body, "acceptDataRisksAndForceReplicaSetReconfig") {
        let a = "acceptDataRisksAndForceReplicaSetReconfig";
        let s = as_str(v, a)?;
        chrono::DateTime::parse_from_rfc3339(s).map_err(|_| ApiError::invalid_attribute(a))?;
        f.insert(a.into(), json!(s));
    }
    if let Some(v) = member(body, "mongoDBMajorVersion") {
        let major = catalog::normalize_major_version(as_str(v, "mongoDBMajorVersion")?)?;
        f.insert("mongoDBMajorVersion".into(), json!(major));
    }
    if f.get("versionReleaseSystem").and_then(Value::as_str) == Some("CONTINUOUS")
        && f.contains_key("mongoDBMajorVersion")
    {
        // Continuous releases pick the version themselves.
        return Err(ApiError::invalid_attribute("mongoDBMajorVersion"));
    }
    if let Some(v) = member(body, "biConnector") {
        let obj = as_obj(v, "biConnector")?;
        let mut bi = Map::new();
        if let Some(e) = member(obj, "enabled") {
            bi.insert("enabled".into(), json!(as_bool(e, "biConnector.enabled")?));
        }
        if let Some(p) = member(obj, "readPreference") {
            let a = "biConnector.readPreference";
            let s = as_str(p, a)?.to_ascii_uppercase();
            if !READ_PREFERENCES.contains(&s.as_str()) {
                return Err(ApiError::invalid_enum_value(&s, a));
            }
            // Observed: Atlas answers the preference in lower case.
            bi.insert("readPreference".into(), json!(s.to_ascii_lowercase()));
        }
        f.insert("biConnector".into(), Value::Object(bi));
    }
    for key in ["tags", "labels"] {
        if let Some(v) = member(body, key) {
            f.insert(key.into(), key_values(v, key)?);
        }
    }
    if let Some(v) = member(body, "advancedConfiguration") {
        let obj = as_obj(v, "advancedConfiguration")?;
        req.advanced = process_args::parse(
            obj,
            "advancedConfiguration",
            Some(&process_args::ADVANCED_CONFIGURATION_KEYS),
        )?;
    }
    if let Some(v) = member(body, "replicationSpecs") {
        let items = v
            .as_array()
            .ok_or_else(|| ApiError::invalid_attribute("replicationSpecs"))?;
        req.specs = Some(items.clone());
    }
    Ok(req)
}

/// Defaults of the writable top-level fields (name, type and topology come from the request).
pub fn default_config() -> Map<String, Value> {
    let v = json!({
        "backupEnabled": false,
        "biConnector": {"enabled": false, "readPreference": "secondary"},
        "configServerManagementMode": "ATLAS_MANAGED",
        "diskWarmingMode": "FULLY_WARMED",
        "encryptionAtRestProvider": "NONE",
        "globalClusterSelfManagedSharding": false,
        "labels": [],
        "mongoDBMajorVersion": catalog::DEFAULT_MAJOR_VERSION,
        "paused": false,
        "pitEnabled": false,
        "redactClientLogData": false,
        "replicaSetScalingStrategy": "WORKLOAD_TYPE",
        "rootCertType": "ISRGROOTX1",
        "tags": [],
        "terminationProtectionEnabled": false,
        "useAwsTimeBasedSnapshotCopyForFastInitialSync": false,
        "versionReleaseSystem": "LTS",
    });
    v.as_object().cloned().unwrap_or_default()
}

/// Overlay a request's fields: present fields replace, `null` clears, `biConnector` merges.
pub fn apply_fields(config: &mut Map<String, Value>, fields: &Map<String, Value>) {
    for (key, value) in fields {
        match (key.as_str(), value) {
            (_, Value::Null) => {
                config.remove(key);
            }
            ("biConnector", Value::Object(patch)) => {
                let mut bi = config
                    .get("biConnector")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                bi.extend(patch.clone());
                config.insert(key.clone(), Value::Object(bi));
            }
            _ => {
                config.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Rules across top-level fields and topology, checked on the final configuration.
pub fn check_cluster(config: &Map<String, Value>) -> Result<(), ApiError> {
    let flag = |k: &str| config.get(k).and_then(Value::as_bool) == Some(true);
    let cluster_type = config.get("clusterType").and_then(Value::as_str);
    if flag("globalClusterSelfManagedSharding") && cluster_type != Some("GEOSHARDED") {
        return Err(ApiError::cannot_set_self_managed_sharding_for_non_global_cluster());
    }
    if flag("pitEnabled") && !flag("backupEnabled") {
        return Err(ApiError::invalid_cluster_configuration(
            "continuous cloud backup (pitEnabled) requires backupEnabled.",
        ));
    }
    let specs = config
        .get("replicationSpecs")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let nvme = specs
        .iter()
        .filter_map(|s| s.get("regionConfigs").and_then(Value::as_array))
        .flatten()
        .filter_map(|rc| rc.pointer("/electableSpecs/instanceSize")?.as_str())
        .any(catalog::is_nvme);
    if nvme && !flag("backupEnabled") {
        return Err(ApiError::invalid_cluster_configuration(
            "NVMe instance sizes require backupEnabled.",
        ));
    }
    Ok(())
}

// ---- topology -------------------------------------------------------------------------------

/// One hardware spec as sent (absent fields `None`).
#[derive(Debug, Clone, Default, PartialEq)]
struct Hw {
    instance_size: Option<String>,
    node_count: Option<i64>,
    disk: Option<f64>,
    ebs: Option<String>,
    iops: Option<i64>,
}

impl Hw {
    /// Fill what the request left out from the stored spec (never `diskSizeGB`, which is a
    /// cluster-wide value).
    fn inherit(mut self, old: Option<&Hw>, with_size: bool) -> Self {
        if let Some(old) = old {
            if with_size && self.instance_size.is_none() {
                self.instance_size.clone_from(&old.instance_size);
            }
            self.node_count = self.node_count.or(old.node_count);
            if self.ebs.is_none() {
                self.ebs.clone_from(&old.ebs);
            }
            self.iops = self.iops.or(old.iops);
        }
        self
    }
}

fn parse_hw(v: &Value, at: &str, provider: Provider) -> Result<Hw, ApiError> {
    let obj = as_obj(v, at)?;
    let mut hw = Hw::default();
    if let Some(s) = member(obj, "instanceSize") {
        let a = attr(at, "instanceSize");
        let size = as_str(s, &a)?;
        if !catalog::size_exists(provider, size) {
            return Err(ApiError::invalid_enum_value(size, &a));
        }
        hw.instance_size = Some(size.to_string());
    }
    if provider != Provider::Tenant {
        if let Some(n) = member(obj, "nodeCount") {
            let a = attr(at, "nodeCount");
            let n = as_int(n, &a)?;
            if !(0..=50).contains(&n) {
                return Err(ApiError::invalid_attribute(&a));
            }
            hw.node_count = Some(n);
        }
    }
    // Tenant disks are fixed by the tier; a value sent back from a GET is ignored.
    if let Some(d) = member(obj, "diskSizeGB") {
        hw.disk = Some(as_num(d, &attr(at, "diskSizeGB"))?);
    }
    if let Some(e) = member(obj, "ebsVolumeType") {
        let a = attr(at, "ebsVolumeType");
        if provider != Provider::Aws {
            return Err(ApiError::invalid_attribute(&a));
        }
        hw.ebs = Some(as_enum(e, &a, EBS_TYPES)?.to_string());
    }
    if let Some(i) = member(obj, "diskIOPS") {
        let a = attr(at, "diskIOPS");
        if !matches!(provider, Provider::Aws | Provider::Azure) {
            return Err(ApiError::invalid_attribute(&a));
        }
        hw.iops = Some(as_int(i, &a)?);
    }
    Ok(hw)
}

/// A parsed region config before defaults and cluster-wide values are applied.
#[derive(Debug, Clone)]
struct RegionDraft {
    at: String,
    provider: Provider,
    backing: Option<Provider>,
    region: String,
    priority: i64,
    electable: Option<Hw>,
    read_only: Option<Hw>,
    analytics: Option<Hw>,
    /// Raw `autoScaling` / `analyticsAutoScaling` objects, merged over the stored ones.
    auto_scaling: Option<Value>,
    analytics_auto_scaling: Option<Value>,
}

fn provider_of(rc: &Map<String, Value>, at: &str) -> Result<Provider, ApiError> {
    let a = attr(at, "providerName");
    let p = member(rc, "providerName").ok_or_else(|| ApiError::missing_attribute(&a))?;
    Provider::parse(as_str(p, &a)?)
}

fn parse_region(v: &Value, at: &str, old: Option<&RegionDraft>) -> Result<RegionDraft, ApiError> {
    let rc = as_obj(v, at)?;
    let provider = provider_of(rc, at)?;
    let backing = match (provider, member(rc, "backingProviderName")) {
        (Provider::Tenant, Some(b)) => Some(Provider::parse_backing(as_str(
            b,
            &attr(at, "backingProviderName"),
        )?)?),
        (Provider::Tenant, None) => {
            return Err(ApiError::missing_attribute(&attr(
                at,
                "backingProviderName",
            )))
        }
        (_, Some(_)) => {
            return Err(ApiError::invalid_attribute(&attr(
                at,
                "backingProviderName",
            )))
        }
        (_, None) => None,
    };
    let a = attr(at, "regionName");
    let region = as_str(
        member(rc, "regionName").ok_or_else(|| ApiError::missing_attribute(&a))?,
        &a,
    )?;
    let cloud = backing.unwrap_or(provider);
    if !catalog::region_exists(cloud, region) {
        return Err(ApiError::invalid_region(region, cloud.as_str()));
    }
    let a = attr(at, "priority");
    let priority = as_int(
        member(rc, "priority").ok_or_else(|| ApiError::missing_attribute(&a))?,
        &a,
    )?;
    if !(0..=7).contains(&priority) {
        return Err(ApiError::invalid_attribute(&a));
    }
    let hw = |key: &str| -> Result<Option<Hw>, ApiError> {
        member(rc, key)
            .map(|v| parse_hw(v, &attr(at, key), provider))
            .transpose()
    };
    let mut draft = RegionDraft {
        at: at.to_string(),
        provider,
        backing,
        region: region.to_string(),
        priority,
        electable: hw("electableSpecs")?,
        read_only: hw("readOnlySpecs")?,
        analytics: hw("analyticsSpecs")?,
        auto_scaling: member(rc, "autoScaling").cloned(),
        analytics_auto_scaling: member(rc, "analyticsAutoScaling").cloned(),
    };
    if provider == Provider::Tenant {
        for key in [
            "readOnlySpecs",
            "analyticsSpecs",
            "autoScaling",
            "analyticsAutoScaling",
        ] {
            if member(rc, key).is_some() {
                return Err(ApiError::invalid_attribute(&attr(at, key)));
            }
        }
    }
    // Omitted sub-objects keep their stored values (clients send minimal updates).
    if let Some(old) = old.filter(|o| o.provider == provider && o.region == draft.region) {
        draft.electable = match draft.electable {
            Some(new) => Some(new.inherit(old.electable.as_ref(), true)),
            None => old.electable.clone(),
        };
        draft.read_only = match draft.read_only {
            Some(new) => Some(new.inherit(old.read_only.as_ref(), false)),
            None => old.read_only.clone().map(|mut h| {
                h.instance_size = None;
                h
            }),
        };
        // Analytics may have their own size, but an unused (0-node) one follows the base.
        let old_analytics = old.analytics.clone().map(|mut h| {
            if h.node_count.unwrap_or(0) == 0 {
                h.instance_size = None;
            }
            h
        });
        draft.analytics = match draft.analytics {
            Some(new) => Some(new.inherit(old_analytics.as_ref(), true)),
            None => old_analytics,
        };
        draft.auto_scaling = merge_objects(old.auto_scaling.as_ref(), draft.auto_scaling);
        draft.analytics_auto_scaling = merge_objects(
            old.analytics_auto_scaling.as_ref(),
            draft.analytics_auto_scaling,
        );
    }
    Ok(draft)
}

/// Deep-merge `patch` over `base` (objects only; other values replace).
fn merge_objects(base: Option<&Value>, patch: Option<Value>) -> Option<Value> {
    match (base, patch) {
        (None, p) => p,
        (Some(b), None) => Some(b.clone()),
        (Some(Value::Object(b)), Some(Value::Object(p))) => {
            let mut out = b.clone();
            for (k, v) in p {
                let merged = merge_objects(b.get(&k), Some(v)).unwrap_or(Value::Null);
                out.insert(k, merged);
            }
            Some(Value::Object(out))
        }
        (Some(_), Some(p)) => Some(p),
    }
}

/// Stored (normalized) region configs parsed back into drafts, for inheritance on updates.
fn stored_regions(spec: &Value) -> Vec<RegionDraft> {
    spec.get("regionConfigs")
        .and_then(Value::as_array)
        .map(|rcs| {
            rcs.iter()
                .filter_map(|rc| parse_region(rc, "stored", None).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// `autoScaling`: defaults, merged request, then the compute rules against the base size.
fn auto_scaling(
    raw: Option<&Value>,
    at: &str,
    provider: Provider,
    size: &str,
) -> Result<Value, ApiError> {
    let mut compute_enabled = false;
    let mut scale_down = false;
    let mut min_size: Option<String> = None;
    let mut max_size: Option<String> = None;
    let mut disk_enabled = false;
    if let Some(raw) = raw {
        let obj = as_obj(raw, at)?;
        if let Some(c) = member(obj, "compute") {
            let ca = attr(at, "compute");
            let c = as_obj(c, &ca)?;
            if let Some(v) = member(c, "enabled") {
                compute_enabled = as_bool(v, &attr(&ca, "enabled"))?;
            }
            if let Some(v) = member(c, "scaleDownEnabled") {
                scale_down = as_bool(v, &attr(&ca, "scaleDownEnabled"))?;
            }
            for (key, slot) in [
                ("minInstanceSize", &mut min_size),
                ("maxInstanceSize", &mut max_size),
            ] {
                if let Some(v) = member(c, key) {
                    let a = attr(&ca, key);
                    let s = as_str(v, &a)?;
                    if !catalog::size_exists(provider, s) {
                        return Err(ApiError::invalid_enum_value(s, &a));
                    }
                    *slot = Some(s.to_string());
                }
            }
        }
        if let Some(d) = member(obj, "diskGB") {
            let da = attr(at, "diskGB");
            if let Some(v) = member(as_obj(d, &da)?, "enabled") {
                disk_enabled = as_bool(v, &attr(&da, "enabled"))?;
            }
        }
    }
    if scale_down && !compute_enabled {
        return Err(ApiError::compute_auto_scaling_scale_down_enabled_invalid());
    }
    if compute_enabled {
        let max = max_size
            .as_deref()
            .ok_or_else(ApiError::compute_auto_scaling_max_instance_size_required)?;
        if catalog::tier(size) > catalog::tier(max) {
            return Err(ApiError::compute_auto_scaling_instance_size_range_invalid(
                size,
            ));
        }
        if scale_down {
            let min = min_size
                .as_deref()
                .ok_or_else(ApiError::compute_auto_scaling_min_instance_size_required)?;
            if catalog::tier(min) > catalog::tier(size) {
                return Err(ApiError::compute_auto_scaling_instance_size_range_invalid(
                    size,
                ));
            }
        }
    }
    let mut compute = json!({"enabled": compute_enabled, "scaleDownEnabled": scale_down});
    if let Some(s) = min_size {
        compute["minInstanceSize"] = json!(s);
    }
    if let Some(s) = max_size {
        compute["maxInstanceSize"] = json!(s);
    }
    Ok(json!({"compute": compute, "diskGB": {"enabled": disk_enabled}}))
}

/// The stored form of one hardware spec.
fn hw_json(
    provider: Provider,
    size: &str,
    nodes: i64,
    disk: f64,
    hw: Option<&Hw>,
    at: &str,
) -> Result<Value, ApiError> {
    let mut out = json!({"instanceSize": size, "nodeCount": nodes, "diskSizeGB": disk});
    match provider {
        Provider::Aws => {
            let ebs = hw.and_then(|h| h.ebs.as_deref()).unwrap_or("STANDARD");
            let iops = match ebs {
                // gp3 volumes get the baseline whatever was asked.
                "STANDARD" => catalog::AWS_STANDARD_IOPS,
                _ => hw
                    .and_then(|h| h.iops)
                    .unwrap_or(catalog::AWS_STANDARD_IOPS),
            };
            if ebs == "PROVISIONED" && catalog::tier(size) < 30 {
                return Err(ApiError::invalid_attribute(&attr(at, "ebsVolumeType")));
            }
            if !(100..=64_000).contains(&iops) {
                return Err(ApiError::invalid_attribute(&attr(at, "diskIOPS")));
            }
            out["ebsVolumeType"] = json!(ebs);
            out["diskIOPS"] = json!(iops);
        }
        Provider::Azure => {
            if let Some(iops) = hw.and_then(|h| h.iops) {
                if iops <= 0 {
                    return Err(ApiError::invalid_attribute(&attr(at, "diskIOPS")));
                }
                out["diskIOPS"] = json!(iops);
            }
        }
        Provider::Gcp | Provider::Tenant => {}
    }
    Ok(out)
}

/// Normalize the replication specs of a cluster of `cluster_type`.
///
/// `old` are the stored specs on an update (empty on create): a request spec is matched to
/// a stored one by `id`, else by position, and keeps its `id`/`zoneId`; omitted sub-objects
/// of a region config keep their stored values. `old_disk` is the cluster's current disk
/// size, kept when the request names none. `new_id` mints 24-hex ids.
pub fn normalize_specs(
    cluster_type: &str,
    raw: &[Value],
    old: &[Value],
    old_disk: Option<f64>,
    new_id: &mut dyn FnMut() -> String,
) -> Result<Vec<Value>, ApiError> {
    if raw.is_empty() {
        return Err(ApiError::replication_specs_invalid(
            "replicationSpecs must contain at least one replication spec.",
        ));
    }
    if cluster_type == "REPLICASET" && raw.len() != 1 {
        return Err(ApiError::replication_specs_invalid(
            "a REPLICASET cluster has exactly one replication spec.",
        ));
    }
    if raw.len() > MAX_SHARDS_SINGLE_REGION {
        return Err(ApiError::replication_specs_invalid(&format!(
            "a cluster has at most {MAX_SHARDS_SINGLE_REGION} shards (replication specs); this one has {}.",
            raw.len()
        )));
    }
    // Match request specs to stored ones: by id first, then by position.
    let mut matched: Vec<Option<usize>> = vec![None; raw.len()];
    let mut claimed = vec![false; old.len()];
    for (i, spec) in raw.iter().enumerate() {
        let at = format!("replicationSpecs[{i}]");
        let obj = as_obj(spec, &at)?;
        let Some(id) = member(obj, "id") else {
            continue;
        };
        let id = as_str(id, &attr(&at, "id"))?;
        if old.is_empty() {
            continue; // ids are read-only on create
        }
        let pos = old
            .iter()
            .position(|o| o.get("id").and_then(Value::as_str) == Some(id))
            .ok_or_else(|| {
                ApiError::replication_specs_invalid(&format!(
                    "{at}.id {id} is not a replication spec of this cluster."
                ))
            })?;
        if claimed[pos] {
            return Err(ApiError::replication_specs_invalid(&format!(
                "replication spec id {id} is used twice."
            )));
        }
        claimed[pos] = true;
        matched[i] = Some(pos);
    }
    for (i, spec) in raw.iter().enumerate() {
        let has_id = spec.get("id").is_some_and(|v| !v.is_null());
        if matched[i].is_none() && !has_id && i < old.len() && !claimed[i] {
            claimed[i] = true;
            matched[i] = Some(i);
        }
    }

    // Parse every region config.
    let mut shards: Vec<(Option<&Value>, String, Vec<RegionDraft>)> = Vec::new();
    for (i, spec) in raw.iter().enumerate() {
        let at = format!("replicationSpecs[{i}]");
        let obj = as_obj(spec, &at)?;
        let old_spec = matched[i].and_then(|p| old.get(p));
        let old_regions = old_spec.map(stored_regions).unwrap_or_default();
        let zone = match member(obj, "zoneName") {
            Some(z) => {
                let z = as_str(z, &attr(&at, "zoneName"))?;
                if z.is_empty() {
                    return Err(ApiError::invalid_attribute(&attr(&at, "zoneName")));
                }
                z.to_string()
            }
            None => old_spec
                .and_then(|s| s.get("zoneName"))
                .and_then(Value::as_str)
                .unwrap_or("Zone 1")
                .to_string(),
        };
        let rcs = match member(obj, "regionConfigs") {
            Some(v) => v
                .as_array()
                .ok_or_else(|| ApiError::invalid_attribute(&attr(&at, "regionConfigs")))?,
            None => {
                return Err(ApiError::replication_specs_invalid(&format!(
                    "{at}.regionConfigs is required."
                )))
            }
        };
        if rcs.is_empty() {
            return Err(ApiError::replication_specs_invalid(&format!(
                "{at}.regionConfigs must not be empty."
            )));
        }
        let mut drafts: Vec<RegionDraft> = Vec::with_capacity(rcs.len());
        for (j, rc) in rcs.iter().enumerate() {
            let rat = format!("{at}.regionConfigs[{j}]");
            let probe = as_obj(rc, &rat)?;
            let provider = provider_of(probe, &rat)?;
            let region = probe.get("regionName").and_then(Value::as_str);
            let old_rc = old_regions
                .iter()
                .find(|o| o.provider == provider && Some(o.region.as_str()) == region);
            let d = parse_region(rc, &rat, old_rc)?;
            if drafts
                .iter()
                .any(|x| x.provider == d.provider && x.region == d.region)
            {
                return Err(ApiError::replication_specs_invalid(&format!(
                    "region {} of provider {} appears twice in {at}.",
                    d.region,
                    d.provider.as_str()
                )));
            }
            drafts.push(d);
        }
        shards.push((old_spec, zone, drafts));
    }

    let regions: std::collections::HashSet<(Provider, &str)> = shards
        .iter()
        .flat_map(|(_, _, d)| d)
        .map(|d| (d.provider, d.region.as_str()))
        .collect();
    if regions.len() > 1 && shards.len() > MAX_SHARDS_MULTI_REGION {
        return Err(ApiError::replication_specs_invalid(&format!(
            "a multi-region cluster has at most {MAX_SHARDS_MULTI_REGION} shards (replication specs); this one has {}.",
            shards.len()
        )));
    }
    let tenant = shards
        .iter()
        .flat_map(|(_, _, d)| d)
        .any(|d| d.provider == Provider::Tenant);
    if tenant {
        let single = shards.len() == 1 && shards[0].2.len() == 1;
        if !single || cluster_type != "REPLICASET" {
            return Err(ApiError::invalid_cluster_configuration(
                "a tenant (M0/M2/M5) cluster is a REPLICASET with a single TENANT region config.",
            ));
        }
    }

    // Base (electable + read-only) instance size per shard.
    let mut bases: Vec<String> = Vec::with_capacity(shards.len());
    for (i, (_, _, drafts)) in shards.iter().enumerate() {
        let base = drafts
            .iter()
            .find_map(|d| d.electable.as_ref()?.instance_size.clone())
            .or_else(|| {
                drafts
                    .iter()
                    .find_map(|d| d.read_only.as_ref()?.instance_size.clone())
            })
            .ok_or_else(|| {
                ApiError::missing_attribute(&format!(
                    "replicationSpecs[{i}].regionConfigs[0].electableSpecs.instanceSize"
                ))
            })?;
        for d in drafts {
            let sizes = [&d.electable, &d.read_only];
            let other = sizes
                .iter()
                .filter_map(|h| h.as_ref()?.instance_size.as_deref())
                .find(|s| *s != base);
            if other.is_some() {
                return Err(ApiError::invalid_cluster_configuration(&format!(
                    "electable and read-only nodes of replicationSpecs[{i}] must share one instance size."
                )));
            }
            if !catalog::size_exists(d.provider, &base) {
                return Err(ApiError::invalid_enum_value(
                    &base,
                    &attr(&d.at, "electableSpecs.instanceSize"),
                ));
            }
        }
        bases.push(base);
    }

    // One disk size for the whole cluster.
    let explicit: Vec<f64> = raw
        .iter()
        .filter_map(|s| s.get("regionConfigs")?.as_array())
        .flatten()
        .flat_map(|rc| {
            ["electableSpecs", "readOnlySpecs", "analyticsSpecs"]
                .into_iter()
                .filter_map(move |k| rc.get(k)?.get("diskSizeGB")?.as_f64())
        })
        .collect();
    if explicit.windows(2).any(|w| w[0] != w[1]) {
        return Err(ApiError::disk_size_gb_inconsistent());
    }
    let disk = match explicit.first().copied().or(old_disk) {
        _ if tenant => catalog::default_disk_gb(&bases[0]),
        Some(d) => {
            let limit_size = bases
                .iter()
                .min_by(|a, b| catalog::max_disk_gb(a).total_cmp(&catalog::max_disk_gb(b)))
                .map_or("M10", String::as_str);
            let max = catalog::max_disk_gb(limit_size);
            if d <= 0.0 || d.fract() != 0.0 || d > max {
                return Err(ApiError::cluster_disk_size_invalid(d, limit_size, max));
            }
            d.max(10.0)
        }
        None => bases
            .iter()
            .map(|b| catalog::default_disk_gb(b))
            .fold(0.0, f64::max),
    };

    // Build the stored form.
    let mut zone_ids: Vec<(String, String)> = old
        .iter()
        .filter_map(|s| {
            Some((
                s.get("zoneName")?.as_str()?.to_string(),
                s.get("zoneId")?.as_str()?.to_string(),
            ))
        })
        .collect();
    let mut out = Vec::with_capacity(shards.len());
    for (i, (old_spec, zone, drafts)) in shards.into_iter().enumerate() {
        let base = &bases[i];
        let single_region = drafts.len() == 1;
        let mut electable_total = 0;
        let mut last_priority = 8;
        let mut regions = Vec::with_capacity(drafts.len());
        for d in &drafts {
            if d.provider == Provider::Tenant {
                if d.priority != 7 {
                    return Err(ApiError::invalid_attribute(&attr(&d.at, "priority")));
                }
                regions.push(json!({
                    "providerName": "TENANT",
                    "backingProviderName": d.backing.map(Provider::as_str),
                    "regionName": d.region,
                    "priority": 7,
                    "electableSpecs": {"instanceSize": base, "diskSizeGB": disk},
                }));
                continue;
            }
            let electable_nodes = match &d.electable {
                None => 0,
                Some(h) => match h.node_count {
                    Some(n) => n,
                    None if single_region => 3,
                    None => {
                        return Err(ApiError::missing_attribute(&attr(
                            &d.at,
                            "electableSpecs.nodeCount",
                        )))
                    }
                },
            };
            if electable_nodes > 0 {
                let ok = d.priority >= 1
                    && d.priority < last_priority
                    && (last_priority != 8 || d.priority == 7);
                if !ok {
                    return Err(ApiError::invalid_cluster_configuration(&format!(
                        "{}.priority {}: electable regions need priorities 7, 6, 5, ... in descending order.",
                        d.at, d.priority
                    )));
                }
                last_priority = d.priority;
            }
            electable_total += electable_nodes;
            let analytics_size = d
                .analytics
                .as_ref()
                .and_then(|h| h.instance_size.clone())
                .unwrap_or_else(|| base.clone());
            let nodes = |h: &Option<Hw>| h.as_ref().and_then(|h| h.node_count).unwrap_or(0);
            regions.push(json!({
                "providerName": d.provider.as_str(),
                "regionName": d.region,
                "priority": d.priority,
                "electableSpecs": hw_json(d.provider, base, electable_nodes, disk, d.electable.as_ref(), &attr(&d.at, "electableSpecs"))?,
                "readOnlySpecs": hw_json(d.provider, base, nodes(&d.read_only), disk, d.read_only.as_ref(), &attr(&d.at, "readOnlySpecs"))?,
                "analyticsSpecs": hw_json(d.provider, &analytics_size, nodes(&d.analytics), disk, d.analytics.as_ref(), &attr(&d.at, "analyticsSpecs"))?,
                "autoScaling": auto_scaling(d.auto_scaling.as_ref(), &attr(&d.at, "autoScaling"), d.provider, base)?,
                "analyticsAutoScaling": auto_scaling(d.analytics_auto_scaling.as_ref(), &attr(&d.at, "analyticsAutoScaling"), d.provider, &analytics_size)?,
            }));
        }
        if !tenant && ![3, 5, 7].contains(&electable_total) {
            return Err(ApiError::invalid_cluster_configuration(&format!(
                "replicationSpecs[{i}] has {electable_total} electable nodes; a shard needs 3, 5 or 7."
            )));
        }
        let id = old_spec
            .and_then(|s| s.get("id"))
            .and_then(Value::as_str)
            .map_or_else(&mut *new_id, str::to_string);
        let zone_id = match zone_ids.iter().find(|(z, _)| *z == zone) {
            Some((_, id)) => id.clone(),
            None => {
                let id = new_id();
                zone_ids.push((zone.clone(), id.clone()));
                id
            }
        };
        out.push(json!({"id": id, "zoneId": zone_id, "zoneName": zone, "regionConfigs": regions}));
    }
    Ok(out)
}

/// The cluster-wide disk size of stored specs.
pub fn stored_disk(specs: &[Value]) -> Option<f64> {
    specs
        .first()?
        .pointer("/regionConfigs/0/electableSpecs/diskSizeGB")?
        .as_f64()
}

/// `providerName` at each (spec, region) position of stored specs.
pub fn providers(specs: &[Value]) -> Vec<Vec<String>> {
    specs
        .iter()
        .map(|s| {
            s.get("regionConfigs")
                .and_then(Value::as_array)
                .map(|rcs| {
                    rcs.iter()
                        .map(|rc| {
                            rc.get("providerName")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .to_string()
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(provider: &str, region: &str, size: &str, nodes: i64, priority: i64) -> Value {
        json!({"providerName": provider, "regionName": region, "priority": priority,
               "electableSpecs": {"instanceSize": size, "nodeCount": nodes}})
    }

    fn spec(regions: Vec<Value>) -> Value {
        json!({"regionConfigs": regions})
    }

    fn normalize(cluster_type: &str, raw: &[Value]) -> Result<Vec<Value>, ApiError> {
        let mut n = 0;
        let mut ids = || {
            n += 1;
            format!("{n:024x}")
        };
        normalize_specs(cluster_type, raw, &[], None, &mut ids)
    }

    fn code(cluster_type: &str, raw: &[Value]) -> &'static str {
        normalize(cluster_type, raw).expect_err("invalid").code
    }

    #[test]
    fn names_follow_atlas_rules() {
        assert!(validate_name("Cluster0").is_ok());
        assert!(validate_name("a-b-1").is_ok());
        let c = |n: &str| validate_name(n).expect_err(n).code;
        assert_eq!(c(""), "CLUSTER_NAME_INVALID");
        assert_eq!(c("-a"), "CLUSTER_NAME_INVALID");
        assert_eq!(c("a_b"), "CLUSTER_NAME_INVALID");
        assert_eq!(c("clüster"), "CLUSTER_NAME_INVALID");
        assert_eq!(c(&"a".repeat(65)), "CLUSTER_NAME_TOO_LONG");
        assert!(validate_name(&"a".repeat(64)).is_ok());
        assert_eq!(c("atlas-abc123"), "ATLAS_RESERVED_CLUSTER_NAME");
        assert_eq!(
            c(&format!("{}-tail", "a".repeat(22))),
            "CLUSTER_NAME_PREFIX_INVALID"
        );
        assert_eq!(
            name_prefix(&format!("{}XYZ", "A".repeat(23))),
            "a".repeat(23)
        );
    }

    #[test]
    fn a_minimal_replica_set_gets_every_default() {
        let specs = normalize(
            "REPLICASET",
            &[spec(vec![region("AWS", "US_EAST_1", "M10", 3, 7)])],
        )
        .expect("valid");
        let s = &specs[0];
        assert!(crate::store::is_object_id(s["id"].as_str().expect("id")));
        assert!(crate::store::is_object_id(
            s["zoneId"].as_str().expect("zoneId")
        ));
        assert_eq!(s["zoneName"], json!("Zone 1"));
        let rc = &s["regionConfigs"][0];
        assert_eq!(
            rc["electableSpecs"],
            json!({"instanceSize": "M10", "nodeCount": 3, "diskSizeGB": 10.0, "ebsVolumeType": "STANDARD", "diskIOPS": 3000})
        );
        assert_eq!(rc["readOnlySpecs"]["nodeCount"], json!(0));
        assert_eq!(rc["analyticsSpecs"]["instanceSize"], json!("M10"));
        assert_eq!(
            rc["autoScaling"],
            json!({"compute": {"enabled": false, "scaleDownEnabled": false}, "diskGB": {"enabled": false}})
        );
        // Normalizing the stored form again changes nothing.
        let mut n = 0;
        let mut ids = || {
            n += 1;
            format!("{n:024x}")
        };
        let again = normalize_specs("REPLICASET", &specs, &specs, stored_disk(&specs), &mut ids)
            .expect("valid");
        assert_eq!(again, specs);
    }

    #[test]
    fn topology_rules() {
        let rs = |r: Vec<Value>| vec![spec(r)];
        assert_eq!(code("REPLICASET", &[]), "REPLICATION_SPECS_INVALID");
        assert_eq!(
            code("REPLICASET", &[json!({"regionConfigs": []})]),
            "REPLICATION_SPECS_INVALID"
        );
        assert_eq!(
            code("REPLICASET", &[json!({})]),
            "REPLICATION_SPECS_INVALID"
        );
        let one = spec(vec![region("AWS", "US_EAST_1", "M10", 3, 7)]);
        assert_eq!(
            code("REPLICASET", &[one.clone(), one.clone()]),
            "REPLICATION_SPECS_INVALID"
        );
        assert!(normalize("SHARDED", &[one.clone(), one]).is_ok());
        assert_eq!(
            code(
                "REPLICASET",
                &rs(vec![region("AWS", "US_EAST_1", "M10", 4, 7)])
            ),
            "INVALID_CLUSTER_CONFIGURATION"
        );
        assert_eq!(
            code(
                "REPLICASET",
                &rs(vec![region("AWS", "US_EAST_1", "M10", 3, 6)])
            ),
            "INVALID_CLUSTER_CONFIGURATION"
        );
        assert_eq!(
            code(
                "REPLICASET",
                &rs(vec![
                    region("AWS", "US_EAST_1", "M10", 2, 6),
                    region("AWS", "US_WEST_2", "M10", 1, 7)
                ])
            ),
            "INVALID_CLUSTER_CONFIGURATION"
        );
        assert!(normalize(
            "REPLICASET",
            &rs(vec![
                region("AWS", "US_EAST_1", "M10", 2, 7),
                region("GCP", "CENTRAL_US", "M10", 2, 6),
                region("AZURE", "US_EAST_2", "M10", 1, 5),
            ])
        )
        .is_ok());
        assert_eq!(
            code(
                "REPLICASET",
                &rs(vec![
                    region("AWS", "US_EAST_1", "M10", 2, 7),
                    region("AWS", "US_EAST_1", "M10", 1, 6)
                ])
            ),
            "REPLICATION_SPECS_INVALID"
        );
        assert_eq!(
            code(
                "REPLICASET",
                &rs(vec![region("NOPE", "US_EAST_1", "M10", 3, 7)])
            ),
            "INVALID_PROVIDER"
        );
        assert_eq!(
            code(
                "REPLICASET",
                &rs(vec![region("AWS", "CENTRAL_US", "M10", 3, 7)])
            ),
            "INVALID_REGION"
        );
        assert_eq!(
            code(
                "REPLICASET",
                &rs(vec![region("GCP", "US_EAST_1", "M10", 3, 7)])
            ),
            "INVALID_REGION"
        );
        assert_eq!(
            code(
                "REPLICASET",
                &rs(vec![region("AWS", "US_EAST_1", "M90", 3, 7)])
            ),
            "INVALID_ENUM_VALUE"
        );
        assert_eq!(
            code(
                "REPLICASET",
                &rs(vec![region("AWS", "US_EAST_1", "M0", 3, 7)])
            ),
            "INVALID_ENUM_VALUE"
        );
        assert_eq!(
            code(
                "REPLICASET",
                &rs(vec![region("AWS", "US_EAST_1", "M10", 3, 9)])
            ),
            "INVALID_ATTRIBUTE"
        );
        let mut no_priority = region("AWS", "US_EAST_1", "M10", 3, 7);
        no_priority.as_object_mut().map(|o| o.remove("priority"));
        assert_eq!(
            code("REPLICASET", &rs(vec![no_priority])),
            "MISSING_ATTRIBUTE"
        );
        let mut wrong_type = region("AWS", "US_EAST_1", "M10", 3, 7);
        wrong_type["electableSpecs"]["nodeCount"] = json!("three");
        assert_eq!(
            code("REPLICASET", &rs(vec![wrong_type])),
            "INVALID_ATTRIBUTE"
        );
    }

    #[test]
    fn disk_rules() {
        let with_disk = |d: Value| {
            let mut r = region("AWS", "US_EAST_1", "M30", 3, 7);
            r["electableSpecs"]["diskSizeGB"] = d;
            r
        };
        let specs = normalize(
            "REPLICASET",
            &[spec(vec![region("AWS", "US_EAST_1", "M30", 3, 7)])],
        )
        .expect("valid");
        assert_eq!(
            specs[0]["regionConfigs"][0]["electableSpecs"]["diskSizeGB"],
            json!(40.0)
        );
        let specs = normalize("REPLICASET", &[spec(vec![with_disk(json!(5))])]).expect("raised");
        assert_eq!(
            specs[0]["regionConfigs"][0]["readOnlySpecs"]["diskSizeGB"],
            json!(10.0)
        );
        assert_eq!(
            code("REPLICASET", &[spec(vec![with_disk(json!(10000))])]),
            "CLUSTER_DISK_SIZE_INVALID"
        );
        assert_eq!(
            code("REPLICASET", &[spec(vec![with_disk(json!(0))])]),
            "CLUSTER_DISK_SIZE_INVALID"
        );
        assert_eq!(
            code("REPLICASET", &[spec(vec![with_disk(json!(40.5))])]),
            "CLUSTER_DISK_SIZE_INVALID"
        );
        assert_eq!(
            code("REPLICASET", &[spec(vec![with_disk(json!("big"))])]),
            "INVALID_ATTRIBUTE"
        );
        assert_eq!(
            code(
                "SHARDED",
                &[
                    spec(vec![with_disk(json!(40))]),
                    spec(vec![with_disk(json!(50))])
                ]
            ),
            "DISK_SIZE_GB_INCONSISTENT"
        );
        let mut both = with_disk(json!(40));
        both["readOnlySpecs"] = json!({"diskSizeGB": 60, "nodeCount": 0});
        assert_eq!(
            code("REPLICASET", &[spec(vec![both])]),
            "DISK_SIZE_GB_INCONSISTENT"
        );
    }

    #[test]
    fn tenant_and_auto_scaling_rules() {
        let tenant = json!({"providerName": "TENANT", "backingProviderName": "AWS", "regionName": "US_EAST_1",
                            "priority": 7, "electableSpecs": {"instanceSize": "M0"}});
        let specs = normalize("REPLICASET", &[spec(vec![tenant.clone()])]).expect("valid");
        assert_eq!(
            specs[0]["regionConfigs"][0]["electableSpecs"],
            json!({"instanceSize": "M0", "diskSizeGB": 0.5})
        );
        assert_eq!(
            code("SHARDED", &[spec(vec![tenant.clone()])]),
            "INVALID_CLUSTER_CONFIGURATION"
        );
        let mut no_backing = tenant.clone();
        no_backing
            .as_object_mut()
            .map(|o| o.remove("backingProviderName"));
        assert_eq!(
            code("REPLICASET", &[spec(vec![no_backing])]),
            "MISSING_ATTRIBUTE"
        );
        let mut bad_backing = tenant.clone();
        bad_backing["backingProviderName"] = json!("TENANT");
        assert_eq!(
            code("REPLICASET", &[spec(vec![bad_backing])]),
            "INVALID_PROVIDER"
        );
        let mut tenant_m10 = tenant;
        tenant_m10["electableSpecs"]["instanceSize"] = json!("M10");
        assert_eq!(
            code("REPLICASET", &[spec(vec![tenant_m10])]),
            "INVALID_ENUM_VALUE"
        );

        let scaled = |auto: Value| {
            let mut r = region("AWS", "US_EAST_1", "M30", 3, 7);
            r["autoScaling"] = auto;
            vec![spec(vec![r])]
        };
        assert_eq!(
            code("REPLICASET", &scaled(json!({"compute": {"enabled": true}}))),
            "COMPUTE_AUTO_SCALING_MAX_INSTANCE_SIZE_REQUIRED"
        );
        assert_eq!(
            code(
                "REPLICASET",
                &scaled(json!({"compute": {"scaleDownEnabled": true}}))
            ),
            "COMPUTE_AUTO_SCALING_SCALE_DOWN_ENABLED_INVALID"
        );
        assert_eq!(
            code(
                "REPLICASET",
                &scaled(
                    json!({"compute": {"enabled": true, "scaleDownEnabled": true, "maxInstanceSize": "M40"}})
                )
            ),
            "COMPUTE_AUTO_SCALING_MIN_INSTANCE_SIZE_REQUIRED"
        );
        assert_eq!(
            code(
                "REPLICASET",
                &scaled(json!({"compute": {"enabled": true, "maxInstanceSize": "M20"}}))
            ),
            "COMPUTE_AUTO_SCALING_INSTANCE_SIZE_RANGE_INVALID"
        );
        let ok = normalize("REPLICASET", &scaled(json!({"compute": {"enabled": true, "scaleDownEnabled": true, "minInstanceSize": "M10", "maxInstanceSize": "M40"}, "diskGB": {"enabled": true}})))
            .expect("valid");
        assert_eq!(
            ok[0]["regionConfigs"][0]["autoScaling"]["compute"]["maxInstanceSize"],
            json!("M40")
        );
        assert_eq!(
            ok[0]["regionConfigs"][0]["autoScaling"]["diskGB"]["enabled"],
            json!(true)
        );
    }

    #[test]
    fn updates_keep_ids_and_omitted_values() {
        let base = vec![spec(vec![region("AWS", "US_EAST_1", "M10", 3, 7)])];
        let stored = normalize("REPLICASET", &base).expect("valid");
        let mut n = 100;
        let mut ids = || {
            n += 1;
            format!("{n:024x}")
        };
        // Resize without ids: matched by position; readOnly/analytics/autoScaling kept.
        let resized = vec![spec(vec![
            json!({"providerName": "AWS", "regionName": "US_EAST_1", "priority": 7,
                                            "electableSpecs": {"instanceSize": "M30"}}),
        ])];
        let out = normalize_specs(
            "REPLICASET",
            &resized,
            &stored,
            stored_disk(&stored),
            &mut ids,
        )
        .expect("valid");
        assert_eq!(out[0]["id"], stored[0]["id"]);
        assert_eq!(out[0]["zoneId"], stored[0]["zoneId"]);
        let e = &out[0]["regionConfigs"][0]["electableSpecs"];
        assert_eq!(e["instanceSize"], json!("M30"));
        assert_eq!(e["nodeCount"], json!(3));
        assert_eq!(e["diskSizeGB"], json!(10.0), "disk size is kept on resize");
        assert_eq!(
            out[0]["regionConfigs"][0]["readOnlySpecs"]["instanceSize"],
            json!("M30")
        );
        // An unknown id is refused; a new shard gets new ids in the same zone.
        let mut bogus = resized[0].clone();
        bogus["id"] = json!("ffffffffffffffffffffffff");
        let err =
            normalize_specs("SHARDED", &[bogus], &stored, None, &mut ids).expect_err("unknown id");
        assert_eq!(err.code, "REPLICATION_SPECS_INVALID");
        let two = vec![resized[0].clone(), resized[0].clone()];
        let out = normalize_specs("SHARDED", &two, &stored, None, &mut ids).expect("valid");
        assert_eq!(out[0]["id"], stored[0]["id"]);
        assert_ne!(out[1]["id"], stored[0]["id"]);
        assert_eq!(out[1]["zoneId"], out[0]["zoneId"]);
    }

    #[test]
    fn request_fields_are_typed_and_normalized() {
        let parse = |v: Value| parse_request(v.as_object().expect("object"));
        let code = |v: Value| parse(v).expect_err("invalid").code;
        assert_eq!(code(json!({"clusterType": "RS"})), "INVALID_ENUM_VALUE");
        assert_eq!(code(json!({"backupEnabled": "yes"})), "INVALID_ATTRIBUTE");
        assert_eq!(code(json!({"name": 5})), "INVALID_ATTRIBUTE");
        assert_eq!(code(json!({"name": "bad name"})), "CLUSTER_NAME_INVALID");
        assert_eq!(
            code(json!({"mongoDBMajorVersion": "4.4"})),
            "MONGODB_VERSION_INVALID"
        );
        assert_eq!(code(json!({"replicationSpecs": {}})), "INVALID_ATTRIBUTE");
        assert_eq!(code(json!({"tags": [{"key": "k"}]})), "MISSING_ATTRIBUTE");
        assert_eq!(
            code(json!({"biConnector": {"readPreference": "nearest"}})),
            "INVALID_ENUM_VALUE"
        );
        assert_eq!(
            code(json!({"versionReleaseSystem": "CONTINUOUS", "mongoDBMajorVersion": "8.0"})),
            "INVALID_ATTRIBUTE"
        );
        let req = parse(
            json!({"mongoDBMajorVersion": "7", "biConnector": {"readPreference": "PRIMARY"},
                               "id": "read-only, ignored", "adaptiveCapacity": null}),
        )
        .expect("valid");
        assert_eq!(req.fields["mongoDBMajorVersion"], json!("7.0"));
        assert_eq!(
            req.fields["biConnector"],
            json!({"readPreference": "primary"})
        );
        assert!(!req.fields.contains_key("id"));
        let mut config = default_config();
        apply_fields(&mut config, &req.fields);
        assert_eq!(
            config["biConnector"],
            json!({"enabled": false, "readPreference": "primary"})
        );
    }
}
