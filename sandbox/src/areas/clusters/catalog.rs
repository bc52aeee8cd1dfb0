//! What Atlas offers: providers, regions and instance sizes (read from the embedded spec's
//! enums, so the sandbox accepts exactly what the contract declares), MongoDB versions, and
//! per-tier disk sizes.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::error::ApiError;
use crate::openapi;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    Aws,
    Azure,
    Gcp,
    Tenant,
}

impl Provider {
    pub const ALL: [Provider; 4] = [Self::Aws, Self::Azure, Self::Gcp, Self::Tenant];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aws => "AWS",
            Self::Azure => "AZURE",
            Self::Gcp => "GCP",
            Self::Tenant => "TENANT",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ApiError> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| ApiError::invalid_provider(s))
    }

    /// A cloud a tenant cluster can be backed by (`backingProviderName`).
    pub fn parse_backing(s: &str) -> Result<Self, ApiError> {
        match Self::parse(s)? {
            Self::Tenant => Err(ApiError::invalid_provider(s)),
            p => Ok(p),
        }
    }
}

struct Catalog {
    regions: HashMap<Provider, Vec<String>>,
    sizes: HashMap<Provider, Vec<String>>,
}

fn enum_strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(|e| e.get("enum"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn build() -> Catalog {
    let mut regions = HashMap::new();
    let mut sizes = HashMap::new();
    // The sandbox cannot start without the spec, so an unreadable one only yields empty tables.
    let Ok(spec) = openapi::embedded() else {
        return Catalog { regions, sizes };
    };
    let schemas = spec.document().pointer("/components/schemas");
    let schema = |name: &str| schemas.and_then(|s| s.get(name));
    let region_lists = schema("CloudRegionConfig20240805")
        .and_then(|s| s.pointer("/properties/regionName/oneOf"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for list in &region_lists {
        let title = list.get("title").and_then(Value::as_str).unwrap_or("");
        let provider = match title {
            "AWS Regions" => Provider::Aws,
            "Azure Regions" => Provider::Azure,
            "GCP Regions" => Provider::Gcp,
            _ => continue,
        };
        regions.insert(provider, enum_strings(Some(list)));
    }
    for (provider, name) in [
        (Provider::Aws, "AWSHardwareSpec20240805"),
        (Provider::Azure, "AzureHardwareSpec20240805"),
        (Provider::Gcp, "GCPHardwareSpec20240805"),
        (Provider::Tenant, "TenantHardwareSpec20240805"),
    ] {
        let list = schema(name).and_then(|s| s.pointer("/properties/instanceSize"));
        sizes.insert(provider, enum_strings(list));
    }
    Catalog { regions, sizes }
}

fn catalog() -> &'static Catalog {
    static CELL: OnceLock<Catalog> = OnceLock::new();
    CELL.get_or_init(build)
}

/// Regions of a cloud provider (for TENANT, pass the backing provider).
pub fn region_exists(provider: Provider, region: &str) -> bool {
    catalog()
        .regions
        .get(&provider)
        .is_some_and(|r| r.iter().any(|x| x == region))
}

pub fn size_exists(provider: Provider, size: &str) -> bool {
    catalog()
        .sizes
        .get(&provider)
        .is_some_and(|s| s.iter().any(|x| x == size))
}

/// The numeric tier of a size: `M30_GEN_2` → 30, `R700` → 700, `M0` → 0.
pub fn tier(size: &str) -> u32 {
    size.chars()
        .skip(1)
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

pub fn is_nvme(size: &str) -> bool {
    size.contains("_NVME")
}

/// Storage Atlas provisions when `diskSizeGB` is not given.
pub fn default_disk_gb(size: &str) -> f64 {
    match size {
        "M0" => return 0.5,
        "M2" => return 2.0,
        "M5" => return 5.0,
        _ => {}
    }
    if is_nvme(size) {
        return nvme_disk_gb(size);
    }
    match tier(size) {
        0..=10 => 10.0,
        11..=20 => 20.0,
        21..=30 => 40.0,
        31..=40 => 80.0,
        41..=50 => 160.0,
        51..=60 => 320.0,
        61..=80 => 750.0,
        _ => 1000.0,
    }
}

/// NVMe tiers come with fixed local storage.
fn nvme_disk_gb(size: &str) -> f64 {
    match tier(size) {
        0..=40 => 380.0,
        41..=50 => 760.0,
        51..=80 => 1600.0,
        81..=300 => 3100.0,
        _ => 4000.0,
    }
}

/// Largest `diskSizeGB` a tier accepts.
pub fn max_disk_gb(size: &str) -> f64 {
    if is_nvme(size) {
        return nvme_disk_gb(size);
    }
    match tier(size) {
        0..=10 => 128.0,
        11..=20 => 256.0,
        21..=30 => 512.0,
        31..=40 => 1024.0,
        _ => 4096.0,
    }
}

/// AWS gp3 baseline IOPS returned for `ebsVolumeType: STANDARD`.
pub const AWS_STANDARD_IOPS: i64 = 3000;

/// Supported `mongoDBMajorVersion`s (LTS) and the patch release each runs.
pub const MONGODB_VERSIONS: &[(&str, &str)] = &[("7.0", "7.0.25"), ("8.0", "8.0.14")];
pub const DEFAULT_MAJOR_VERSION: &str = "8.0";

/// `"8"` and `"8.0"` both name 8.0; anything else must be listed.
pub fn normalize_major_version(v: &str) -> Result<&'static str, ApiError> {
    let wanted = if v.contains('.') {
        v.to_string()
    } else {
        format!("{v}.0")
    };
    MONGODB_VERSIONS
        .iter()
        .find(|(major, _)| *major == wanted)
        .map(|(major, _)| *major)
        .ok_or_else(|| ApiError::mongodb_version_invalid(v))
}

pub fn full_version(major: &str) -> &'static str {
    MONGODB_VERSIONS
        .iter()
        .find(|(m, _)| *m == major)
        .map_or("8.0.14", |(_, full)| *full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_come_from_the_spec() {
        assert!(region_exists(Provider::Aws, "US_EAST_1"));
        assert!(region_exists(Provider::Gcp, "CENTRAL_US"));
        assert!(region_exists(Provider::Azure, "US_EAST_2"));
        assert!(!region_exists(Provider::Aws, "CENTRAL_US"));
        assert!(!region_exists(Provider::Tenant, "US_EAST_1"));
        assert!(size_exists(Provider::Aws, "M10"));
        assert!(size_exists(Provider::Aws, "M400_NVME"));
        assert!(size_exists(Provider::Azure, "M90"));
        assert!(!size_exists(Provider::Aws, "M90"));
        assert!(size_exists(Provider::Tenant, "M0"));
        assert!(!size_exists(Provider::Aws, "M0"));
    }

    #[test]
    fn tiers_and_disks() {
        assert_eq!(tier("M30_GEN_2"), 30);
        assert_eq!(tier("R700"), 700);
        assert_eq!(default_disk_gb("M10"), 10.0);
        assert_eq!(default_disk_gb("M30"), 40.0);
        assert_eq!(default_disk_gb("M0"), 0.5);
        assert_eq!(max_disk_gb("M10"), 128.0);
    }

    #[test]
    fn major_versions() {
        assert_eq!(normalize_major_version("8").ok(), Some("8.0"));
        assert_eq!(normalize_major_version("7.0").ok(), Some("7.0"));
        let e = normalize_major_version("5.0").expect_err("unsupported");
        assert_eq!(e.code, "MONGODB_VERSION_INVALID");
        assert_eq!(full_version("8.0"), "8.0.14");
    }
}
