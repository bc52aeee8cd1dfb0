//! Typed identifiers: a project id cannot be passed where a cluster name is expected.
//!
//! Each is a thin `String` newtype, serialised as the plain string, built from `&str` or
//! `String` (`GroupId::from("5f1d…")`), and read back with [`as_str`](GroupId::as_str) or
//! `Display`. They check nothing: the API answers malformed ids with its own errors, and empty
//! ones are refused before a request is sent.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id.
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }

            /// The id as sent on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The inner `String`.
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name(id)
            }
        }

        impl From<&String> for $name {
            fn from(id: &String) -> Self {
                $name(id.clone())
            }
        }

        impl From<&$name> for $name {
            fn from(id: &$name) -> Self {
                id.clone()
            }
        }
    };
}

id_type!(
    /// A project (group) id: 24 hex digits (`groupId` in paths).
    GroupId
);
id_type!(
    /// An organization id: 24 hex digits (`orgId`).
    OrgId
);
id_type!(
    /// A cluster name, unique in its project (`clusterName`).
    ClusterName
);
id_type!(
    /// A database user's name (`username`).
    DatabaseUsername
);
id_type!(
    /// A project's name (`groupName`), unique in its organization.
    GroupName
);
id_type!(
    /// A database user's authentication database (`databaseName` in its path): `admin` or
    /// `$external`.
    AuthDatabaseName
);
id_type!(
    /// A project IP access list entry's value (`entryValue`): an IP address, a CIDR block
    /// (`10.0.0.0/24`, its `/` is percent-encoded in paths) or an AWS security group (`sg-…`).
    AccessListEntryValue
);
id_type!(
    /// A custom database role's name (`roleName`), unique in its project.
    CustomRoleName
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_serialise_as_plain_strings() {
        let g = GroupId::from("5f1d5c2b8a1e4c3d2b1a0f9e");
        assert_eq!(
            serde_json::to_string(&g).unwrap_or_default(),
            "\"5f1d5c2b8a1e4c3d2b1a0f9e\""
        );
        assert_eq!(g.to_string(), g.as_str());
        let back: ClusterName = serde_json::from_str("\"c1\"").unwrap_or_default();
        assert_eq!(back, ClusterName::new("c1"));
    }
}
