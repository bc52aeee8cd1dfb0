//! Atlas organization and project roles, what each one grants, and the role assignments of
//! API keys and service accounts.
//!
//! Operations state what they need in the spec's `x-rolesRequirements` (any one of a list of
//! labels such as `Project Read Only` or `Organization Owner`, see [`crate::authz`]). A role
//! grants a set of such labels; `ORG_OWNER` grants every label in its organization and all its
//! projects, `GROUP_OWNER` every project label in its project. Labels no role here grants
//! explicitly (`Project Alerts Manager`, `Project Network Access Manager`, ...) are left to the
//! owners.
//!
//! Choices where the exact Atlas privilege matrix is unverified: every project role includes
//! `Project Read Only`; `ORG_READ_ONLY` grants `Project Read Only` on every project of its
//! organization; a key created through a project gets `ORG_MEMBER` in the organization.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub const ORG_OWNER: &str = "ORG_OWNER";
pub const ORG_MEMBER: &str = "ORG_MEMBER";
pub const ORG_READ_ONLY: &str = "ORG_READ_ONLY";
pub const GROUP_OWNER: &str = "GROUP_OWNER";

/// The organization roles the spec enumerates (`CreateAtlasOrganizationApiKey.roles`).
pub const ORG_ROLES: &[&str] = &[
    "ORG_OWNER",
    "ORG_MEMBER",
    "ORG_GROUP_CREATOR",
    "ORG_BILLING_ADMIN",
    "ORG_BILLING_READ_ONLY",
    "ORG_STREAM_PROCESSING_ADMIN",
    "ORG_READ_ONLY",
];

/// Project roles (reference §10.10; the current spec types them as free strings).
pub const GROUP_ROLES: &[&str] = &[
    "GROUP_OWNER",
    "GROUP_CLUSTER_MANAGER",
    "GROUP_STREAM_PROCESSING_OWNER",
    "GROUP_DATA_ACCESS_ADMIN",
    "GROUP_DATA_ACCESS_READ_WRITE",
    "GROUP_DATA_ACCESS_READ_ONLY",
    "GROUP_READ_ONLY",
    "GROUP_SEARCH_INDEX_EDITOR",
    "GROUP_BACKUP_MANAGER",
    "GROUP_OBSERVABILITY_VIEWER",
    "GROUP_DATABASE_ACCESS_ADMIN",
];

pub const PROJECT_READ_ONLY: &str = "Project Read Only";
pub const ORGANIZATION_MEMBER: &str = "Organization Member";
pub const ORGANIZATION_PROJECT_CREATOR: &str = "Organization Project Creator";

pub fn is_org_role(name: &str) -> bool {
    ORG_ROLES.contains(&name)
}

pub fn is_group_role(name: &str) -> bool {
    GROUP_ROLES.contains(&name)
}

/// The `x-rolesRequirements` labels a role grants (owners: see [`grants_label`]).
fn labels(role: &str) -> &'static [&'static str] {
    match role {
        "ORG_MEMBER" => &["Organization Member"],
        "ORG_READ_ONLY" => &[
            "Organization Member",
            "Organization Read Only",
            "Organization Billing Viewer",
            // On every project of the organization.
            "Project Read Only",
        ],
        "ORG_GROUP_CREATOR" => &["Organization Member", "Organization Project Creator"],
        "ORG_BILLING_ADMIN" => &[
            "Organization Member",
            "Organization Billing Viewer",
            "Organization Billing Admin",
        ],
        "ORG_BILLING_READ_ONLY" => &["Organization Member", "Organization Billing Viewer"],
        "ORG_STREAM_PROCESSING_ADMIN" => &[
            "Organization Member",
            "Organization Stream Processing Admin",
        ],
        "GROUP_READ_ONLY" => &["Project Read Only"],
        "GROUP_CLUSTER_MANAGER" => &[
            "Project Read Only",
            "Project Cluster Manager",
            "Project Cluster Creator",
        ],
        "GROUP_DATA_ACCESS_ADMIN" => &[
            "Project Read Only",
            "Project Data Access Admin",
            "Project Data Access Read Write",
            "Project Data Access Read Only",
            "Project Search Index Editor",
            "Project Index Manager",
        ],
        "GROUP_DATA_ACCESS_READ_WRITE" => &[
            "Project Read Only",
            "Project Data Access Read Write",
            "Project Data Access Read Only",
        ],
        "GROUP_DATA_ACCESS_READ_ONLY" => &["Project Read Only", "Project Data Access Read Only"],
        "GROUP_SEARCH_INDEX_EDITOR" => &["Project Read Only", "Project Search Index Editor"],
        "GROUP_STREAM_PROCESSING_OWNER" => &[
            "Project Read Only",
            "Project Stream Processing Owner",
            "Project Stream Processing Manager",
        ],
        "GROUP_BACKUP_MANAGER" => &[
            "Project Read Only",
            "Project Backup Manager",
            "Project Backup Creator",
            "Project Backup Recovery Operator",
            "Project Backup Export Operator",
        ],
        "GROUP_OBSERVABILITY_VIEWER" => &["Project Read Only", "Project Cluster Log Viewer"],
        "GROUP_DATABASE_ACCESS_ADMIN" => &["Project Read Only", "Project Database Access Admin"],
        _ => &[],
    }
}

/// Does `role` grant the requirement `label`? `ORG_OWNER` grants everything, `GROUP_OWNER`
/// every project label.
pub fn grants_label(role: &str, label: &str) -> bool {
    match role {
        ORG_OWNER => true,
        GROUP_OWNER => label.starts_with("Project "),
        _ => labels(role).contains(&label),
    }
}

/// One role on one organization or one project (`CloudAccessRoleAssignment`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    pub role_name: String,
}

impl RoleAssignment {
    pub fn org(org_id: &str, role: &str) -> Self {
        Self {
            org_id: Some(org_id.to_string()),
            group_id: None,
            role_name: role.to_string(),
        }
    }

    pub fn group(group_id: &str, role: &str) -> Self {
        Self {
            org_id: None,
            group_id: Some(group_id.to_string()),
            role_name: role.to_string(),
        }
    }

    pub fn to_json(&self) -> Value {
        match (&self.org_id, &self.group_id) {
            (_, Some(g)) => json!({"groupId": g, "roleName": self.role_name}),
            (Some(o), None) => json!({"orgId": o, "roleName": self.role_name}),
            (None, None) => json!({"roleName": self.role_name}),
        }
    }
}

/// Roles of `assignments` on organization `org_id`.
pub fn org_roles<'a>(
    assignments: &'a [RoleAssignment],
    org_id: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    assignments
        .iter()
        .filter(move |r| r.group_id.is_none() && r.org_id.as_deref() == Some(org_id))
        .map(|r| r.role_name.as_str())
}

/// Roles of `assignments` on project `group_id`.
pub fn group_roles<'a>(
    assignments: &'a [RoleAssignment],
    group_id: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    assignments
        .iter()
        .filter(move |r| r.group_id.as_deref() == Some(group_id))
        .map(|r| r.role_name.as_str())
}

/// Replace the roles of `assignments` on project `group_id` (an empty list removes it).
pub fn set_group_roles(assignments: &mut Vec<RoleAssignment>, group_id: &str, roles: &[String]) {
    assignments.retain(|r| r.group_id.as_deref() != Some(group_id));
    for role in roles {
        assignments.push(RoleAssignment::group(group_id, role));
    }
}

/// Replace the organization roles of `assignments` on `org_id`.
pub fn set_org_roles(assignments: &mut Vec<RoleAssignment>, org_id: &str, roles: &[String]) {
    assignments.retain(|r| r.group_id.is_some() || r.org_id.as_deref() != Some(org_id));
    for role in roles {
        assignments.push(RoleAssignment::org(org_id, role));
    }
}

/// Deduplicate role names keeping the first occurrence.
pub fn dedup(roles: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(roles.len());
    for r in roles {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_grant_everything_in_their_scope_and_read_only_only_reads() {
        assert!(grants_label(ORG_OWNER, "Organization Owner"));
        assert!(grants_label(ORG_OWNER, "Project Owner"));
        assert!(grants_label(GROUP_OWNER, "Project Cluster Manager"));
        assert!(!grants_label(GROUP_OWNER, "Organization Owner"));
        assert!(grants_label("GROUP_READ_ONLY", PROJECT_READ_ONLY));
        assert!(!grants_label("GROUP_READ_ONLY", "Project Owner"));
        assert!(grants_label(ORG_READ_ONLY, PROJECT_READ_ONLY));
        assert!(!grants_label(ORG_READ_ONLY, "Organization Owner"));
        assert!(grants_label(
            "GROUP_DATABASE_ACCESS_ADMIN",
            "Project Database Access Admin"
        ));
        assert!(!grants_label("GROUP_CLUSTER_MANAGER", "Project Owner"));
        assert!(!grants_label("NOPE", PROJECT_READ_ONLY));
    }

    #[test]
    fn every_known_role_is_granted_read_access_in_its_scope() {
        for r in GROUP_ROLES {
            assert!(grants_label(r, PROJECT_READ_ONLY), "{r}");
        }
        for r in ORG_ROLES {
            assert!(grants_label(r, ORGANIZATION_MEMBER), "{r}");
        }
    }

    #[test]
    fn assignments_render_and_replace_per_scope() {
        let mut a = vec![
            RoleAssignment::org("o", ORG_MEMBER),
            RoleAssignment::group("g", "GROUP_READ_ONLY"),
        ];
        assert_eq!(
            a[0].to_json(),
            json!({"orgId": "o", "roleName": "ORG_MEMBER"})
        );
        set_group_roles(&mut a, "g", &["GROUP_OWNER".to_string()]);
        assert_eq!(
            group_roles(&a, "g").collect::<Vec<_>>(),
            vec!["GROUP_OWNER"]
        );
        set_org_roles(&mut a, "o", &[ORG_OWNER.to_string()]);
        assert_eq!(org_roles(&a, "o").collect::<Vec<_>>(), vec![ORG_OWNER]);
        set_group_roles(&mut a, "g", &[]);
        assert_eq!(a.len(), 1);
        assert_eq!(
            dedup(vec!["a".into(), "b".into(), "a".into()]),
            vec!["a", "b"]
        );
    }
}
