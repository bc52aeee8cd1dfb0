//! Project IP access list (schemas `NetworkPermissionEntry`, `NetworkPermissionEntryStatus`).
//!
//! [`AccessListEntry`] stays hand-written: the provider builds it with a struct literal (the
//! generated `NetworkPermissionEntry` is `#[non_exhaustive]`) and one type serves the POST
//! body and the answer; `deleteAfterDate` is kept as the API's string.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Link;

/// One project IP access list entry (schema `NetworkPermissionEntry`): exactly one of
/// `ip_address`, `cidr_block`, `aws_security_group` in requests. Responses for a single IP
/// also carry `cidr_block: "<ip>/32"`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessListEntry {
    /// AWS security group id (`sg-…`; needs VPC peering).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_security_group: Option<String>,
    /// CIDR block, e.g. `10.0.0.0/24`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr_block: Option<String>,
    /// Comment (≤ 80 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Expiry of a temporary entry, ISO 8601 (≤ 1 week ahead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_after_date: Option<String>,
    /// Project id (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// Single IPv4 or IPv6 address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// Links (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<Link>>,
}

impl AccessListEntry {
    /// An entry for one IP address.
    pub fn ip_address(ip: impl Into<String>) -> Self {
        AccessListEntry {
            ip_address: Some(ip.into()),
            ..Default::default()
        }
    }

    /// An entry for a CIDR block.
    pub fn cidr_block(cidr: impl Into<String>) -> Self {
        AccessListEntry {
            cidr_block: Some(cidr.into()),
            ..Default::default()
        }
    }

    /// An entry for an AWS security group.
    pub fn aws_security_group(sg: impl Into<String>) -> Self {
        AccessListEntry {
            aws_security_group: Some(sg.into()),
            ..Default::default()
        }
    }

    /// Sets the comment.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// The value that names the entry in paths (`{entryValue}`): the CIDR block, else the IP
    /// address, else the security group. Responses for an IP address carry both, and the CIDR
    /// form (`1.2.3.4/32`) is the one Atlas uses in its own links.
    pub fn entry_value(&self) -> Option<String> {
        [&self.cidr_block, &self.ip_address, &self.aws_security_group]
            .into_iter()
            .flatten()
            .find(|v| !v.is_empty())
            .cloned()
    }
}

/// Whether an access-list entry is applied to the project's clusters (`GET
/// /accessList/{entry}/status`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AccessListStatus {
    /// Not applied yet.
    Pending,
    /// Applied.
    Active,
    /// Could not be applied.
    Failed,
    /// A value this SDK does not know.
    Other(String),
}

impl AccessListStatus {
    /// The wire value (`PENDING`, `ACTIVE`, `FAILED`, …).
    pub fn as_str(&self) -> &str {
        match self {
            AccessListStatus::Pending => "PENDING",
            AccessListStatus::Active => "ACTIVE",
            AccessListStatus::Failed => "FAILED",
            AccessListStatus::Other(s) => s,
        }
    }

    /// Parses a wire value; unknown values become [`AccessListStatus::Other`].
    pub fn from_wire(value: &str) -> Self {
        match value {
            "PENDING" => AccessListStatus::Pending,
            "ACTIVE" => AccessListStatus::Active,
            "FAILED" => AccessListStatus::Failed,
            other => AccessListStatus::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for AccessListStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for AccessListStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AccessListStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(AccessListStatus::from_wire(&s))
    }
}

/// Body of the status endpoint (schema `NetworkPermissionEntryStatus`, generated): `status` is
/// the wire string, [`AccessListStatus::from_wire`] types it.
pub use crate::generated::models::NetworkPermissionEntryStatus as AccessListStatusResponse;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_value_prefers_cidr_then_ip_then_sg() {
        let both = AccessListEntry {
            ip_address: Some("1.2.3.4".into()),
            cidr_block: Some("1.2.3.4/32".into()),
            ..Default::default()
        };
        assert_eq!(both.entry_value().as_deref(), Some("1.2.3.4/32"));
        assert_eq!(
            AccessListEntry::ip_address("1.2.3.4")
                .entry_value()
                .as_deref(),
            Some("1.2.3.4")
        );
        assert_eq!(
            AccessListEntry::aws_security_group("sg-0123abcd")
                .entry_value()
                .as_deref(),
            Some("sg-0123abcd")
        );
        assert_eq!(AccessListEntry::default().entry_value(), None);
    }

    #[test]
    fn status_parses_known_and_unknown() {
        let r: AccessListStatusResponse =
            serde_json::from_str(r#"{"STATUS":"ACTIVE"}"#).unwrap_or_default();
        assert_eq!(
            AccessListStatus::from_wire(&r.status),
            AccessListStatus::Active
        );
        assert_eq!(
            AccessListStatus::from_wire("DELETING"),
            AccessListStatus::Other("DELETING".into())
        );
        assert_eq!(AccessListStatus::Pending.to_string(), "PENDING");
    }
}
