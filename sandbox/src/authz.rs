//! Authorization: after authentication and version resolution, every API operation checks the
//! caller's roles (see [`crate::roles`]) against what the operation requires.
//!
//! What an operation requires comes from a declarative table keyed by operationId: the spec's
//! own `x-rolesRequirements` (any one of the listed labels, e.g. `Project Read Only`,
//! `Project Cluster Manager`, `Organization Owner`), plus [`OVERRIDES`] for the operations the
//! spec leaves without one. An operation in neither (none today) needs `Project Read Only` /
//! `Organization Member` to read and `Project Owner` / `Organization Owner` to write, by scope.
//!
//! The scope comes from the path: `/groups/{groupId}/…` (and `/groups/byName/{name}`) is a
//! project, `/orgs/{orgId}/…` an organization, anything else has none.
//!
//! Answers (reference §5, both 401 as Atlas):
//! * project scope, caller without any role in the project and without organization-wide access
//!   (`ORG_OWNER`/`ORG_READ_ONLY` of its organization) → 401 `NOT_IN_GROUP` — also when the
//!   project does not exist, so ids of other organizations' projects are not revealed;
//! * in scope but without a granting role → 401 `USER_UNAUTHORIZED`;
//! * unknown or malformed project/org ids with sufficient organization-wide roles reach the
//!   handler (404 `GROUP_NOT_FOUND`, `ORG_NOT_FOUND`, …);
//! * `createGroup` is checked by its handler (the organization is in the body): 401
//!   `NOT_ORG_GROUP_CREATOR` without `ORG_OWNER`/`ORG_GROUP_CREATOR`; the creating key or
//!   service account gets `GROUP_OWNER` on the new project;
//! * list operations without scope (`listOrgs`, `listGroups`) are filtered to what the caller
//!   may see.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::Request;
use axum::http::Method;
use axum::response::{IntoResponse, Response};

use crate::areas::{Project, Store};
use crate::auth::{Caller, PrincipalKind};
use crate::error::ApiError;
use crate::openapi::{Spec, API_PREFIX};
use crate::roles::{self, RoleAssignment, ORG_OWNER, ORG_READ_ONLY};
use crate::store::is_object_id;
use crate::AppState;

/// What an operation needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// Any authenticated caller; the handler filters or checks further.
    Authenticated,
    /// Any one of these `x-rolesRequirements` labels.
    AnyOf(Vec<String>),
}

/// Operations the spec gives no `x-rolesRequirements` (checked by a unit test).
pub const OVERRIDES: &[(&str, Option<&[&str]>)] = &[
    // Filtered to the caller's organizations / projects.
    ("listOrgs", None),
    ("listGroups", None),
    // Checked by the handler against the body's orgId (NOT_ORG_GROUP_CREATOR).
    ("createGroup", None),
    ("getGroupByName", Some(&["Project Read Only"])),
    (
        "createOrgApiKeyAccessListEntry",
        Some(&["Organization Owner"]),
    ),
    (
        "deleteOrgApiKeyAccessListEntry",
        Some(&["Organization Owner"]),
    ),
];

/// operationId → rule, from the spec and [`OVERRIDES`].
pub struct PermissionTable(HashMap<String, Rule>);

impl PermissionTable {
    pub fn from_spec(spec: &Spec) -> Self {
        let mut table = HashMap::new();
        let paths = spec.document().get("paths").and_then(|p| p.as_object());
        for item in paths.into_iter().flat_map(|p| p.values()) {
            let Some(item) = item.as_object() else {
                continue;
            };
            for op in item.values() {
                let (Some(id), Some(labels)) = (
                    op.get("operationId").and_then(|v| v.as_str()),
                    op.get("x-rolesRequirements").and_then(|v| v.as_array()),
                ) else {
                    continue;
                };
                let labels: Vec<String> = labels
                    .iter()
                    .filter_map(|l| l.as_str().map(str::to_string))
                    .collect();
                if !labels.is_empty() {
                    table.insert(id.to_string(), Rule::AnyOf(labels));
                }
            }
        }
        for (id, labels) in OVERRIDES {
            let rule = match labels {
                None => Rule::Authenticated,
                Some(l) => Rule::AnyOf(l.iter().map(|s| s.to_string()).collect()),
            };
            table.insert(id.to_string(), rule);
        }
        Self(table)
    }

    pub fn get(&self, operation_id: &str) -> Option<&Rule> {
        self.0.get(operation_id)
    }

    /// The rule for an operation, with the read/write default by scope.
    pub fn rule(&self, operation_id: &str, method: &Method, scope: &Scope) -> Cow<'_, Rule> {
        if let Some(rule) = self.get(operation_id) {
            return Cow::Borrowed(rule);
        }
        let read = matches!(*method, Method::GET | Method::HEAD);
        let label = match (scope, read) {
            (Scope::Org(_), true) => roles::ORGANIZATION_MEMBER,
            (Scope::Org(_), false) | (Scope::None, false) => "Organization Owner",
            (_, true) => roles::PROJECT_READ_ONLY,
            (_, false) => "Project Owner",
        };
        Cow::Owned(Rule::AnyOf(vec![label.to_string()]))
    }
}

fn table() -> Option<&'static PermissionTable> {
    static TABLE: OnceLock<Option<PermissionTable>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            crate::openapi::embedded()
                .ok()
                .map(PermissionTable::from_spec)
        })
        .as_ref()
}

/// What a request is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Project(String),
    ProjectByName(String),
    Org(String),
    None,
}

/// Minimal percent-decoding of one path segment (`+` stays `+`).
fn decode_segment(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn scope_of(path: &str) -> Scope {
    let rest = path.strip_prefix(API_PREFIX).unwrap_or(path);
    let mut segs = rest.trim_start_matches('/').split('/');
    match (segs.next(), segs.next(), segs.next()) {
        (Some("groups"), Some("byName"), Some(name)) => Scope::ProjectByName(decode_segment(name)),
        (Some("groups"), Some(id), _) => Scope::Project(id.to_string()),
        (Some("orgs"), Some(id), _) => Scope::Org(id.to_string()),
        _ => Scope::None,
    }
}

/// The role assignments of the caller (empty if it was deleted meanwhile).
pub fn caller_roles<'a>(store: &'a Store, caller: Option<&Caller>) -> &'a [RoleAssignment] {
    let Some(caller) = caller else {
        return &[];
    };
    match caller.kind {
        PrincipalKind::ApiKey => store
            .api_keys
            .iter()
            .find(|k| k.id == caller.id)
            .map_or(&[], |k| k.roles.as_slice()),
        PrincipalKind::ServiceAccount => store
            .tables
            .service_accounts
            .iter()
            .find(|sa| sa.client_id == caller.id)
            .map_or(&[], |sa| sa.roles.as_slice()),
    }
}

/// Does any of `roles` grant any of `labels`?
fn satisfied<'a>(mut roles: impl Iterator<Item = &'a str>, labels: &[String]) -> bool {
    roles.any(|r| labels.iter().any(|l| roles::grants_label(r, l)))
}

/// Organization-wide roles (`ORG_OWNER`, `ORG_READ_ONLY`) reach every project of their org.
fn org_wide(role: &str) -> bool {
    role == ORG_OWNER || role == ORG_READ_ONLY
}

/// May the caller see this project at all (any project role, or organization-wide access)?
pub fn can_see_project(roles: &[RoleAssignment], project: &Project) -> bool {
    roles::org_roles(roles, &project.org_id).any(org_wide)
        || roles::group_roles(roles, &project.id).next().is_some()
}

/// Is the caller part of this organization (an organization role, or a role in one of its
/// projects)?
pub fn in_org(store: &Store, roles: &[RoleAssignment], org_id: &str) -> bool {
    roles::org_roles(roles, org_id).next().is_some()
        || roles.iter().any(|r| {
            r.group_id
                .as_deref()
                .and_then(|g| store.project(g))
                .is_some_and(|p| p.org_id == org_id)
        })
}

/// May the caller create projects in `org_id`?
pub fn can_create_project(roles: &[RoleAssignment], org_id: &str) -> bool {
    satisfied(
        roles::org_roles(roles, org_id),
        &[roles::ORGANIZATION_PROJECT_CREATOR.to_string()],
    )
}

/// Give the caller `GROUP_OWNER` on a project it just created.
pub fn grant_group_owner(store: &mut Store, caller: &Caller, group_id: &str) {
    let owner = [roles::GROUP_OWNER.to_string()];
    match caller.kind {
        PrincipalKind::ApiKey => {
            if let Some(k) = store.api_keys.iter_mut().find(|k| k.id == caller.id) {
                roles::set_group_roles(&mut k.roles, group_id, &owner);
            }
        }
        PrincipalKind::ServiceAccount => {
            if let Some(sa) = store
                .tables
                .service_accounts
                .iter_mut()
                .find(|sa| sa.client_id == caller.id)
            {
                roles::set_group_roles(&mut sa.roles, group_id, &owner);
            }
        }
    }
}

fn check_project(
    roles: &[RoleAssignment],
    project: Option<&Project>,
    shown_id: &str,
    labels: &[String],
) -> Result<(), ApiError> {
    match project {
        Some(p) => {
            if !can_see_project(roles, p) {
                return Err(ApiError::not_in_group(shown_id));
            }
            let relevant =
                roles::org_roles(roles, &p.org_id).chain(roles::group_roles(roles, &p.id));
            if satisfied(relevant, labels) {
                Ok(())
            } else {
                Err(ApiError::user_unauthorized())
            }
        }
        None => {
            // Unknown project: only organization-wide roles can tell (the handler's 404).
            let wide: Vec<&str> = roles
                .iter()
                .filter(|r| r.group_id.is_none() && org_wide(&r.role_name))
                .map(|r| r.role_name.as_str())
                .collect();
            if wide.is_empty() {
                Err(ApiError::not_in_group(shown_id))
            } else if satisfied(wide.into_iter(), labels) {
                Ok(())
            } else {
                Err(ApiError::user_unauthorized())
            }
        }
    }
}

/// The authorization decision for one request.
pub fn decide(
    store: &Store,
    roles: &[RoleAssignment],
    rule: &Rule,
    scope: &Scope,
) -> Result<(), ApiError> {
    let labels = match rule {
        Rule::Authenticated => return Ok(()),
        Rule::AnyOf(labels) => labels,
    };
    match scope {
        Scope::Project(id) => {
            let project = is_object_id(id).then(|| store.project(id)).flatten();
            check_project(roles, project, id, labels)
        }
        Scope::ProjectByName(name) => {
            let project = store.projects.iter().find(|p| &p.name == name);
            check_project(roles, project, name, labels)
        }
        Scope::Org(id) => {
            if !is_object_id(id) || store.org(id).is_none() {
                // Unknown organizations are the handler's 404 for org-wide callers.
                return if roles.iter().any(|r| r.group_id.is_none()) {
                    Ok(())
                } else {
                    Err(ApiError::user_unauthorized())
                };
            }
            if satisfied(roles::org_roles(roles, id), labels) {
                Ok(())
            } else {
                Err(ApiError::user_unauthorized())
            }
        }
        Scope::None => {
            if satisfied(roles.iter().map(|r| r.role_name.as_str()), labels) {
                Ok(())
            } else {
                Err(ApiError::user_unauthorized())
            }
        }
    }
}

/// The API pipeline's step between version negotiation and the handlers: may the caller run
/// `operation_id` (the resolved operation) on this request's path? `Err`: the refusal.
pub fn authorize(state: &AppState, req: &Request, operation_id: &str) -> Result<(), Box<Response>> {
    let Some(table) = table() else {
        return Err(Box::new(ApiError::unexpected_error().into_response()));
    };
    let path = crate::router::original_path_str(req);
    let scope = scope_of(path);
    let rule = table.rule(operation_id, req.method(), &scope);
    let caller = req.extensions().get::<Caller>();
    let decision = {
        let store = state.store_read();
        decide(&store, caller_roles(&store, caller), &rule, &scope)
    };
    decision.map_err(|e| {
        if let Some(caller) = caller {
            tracing::debug!(caller = %caller.name, operation = %operation_id, code = e.code, "refused");
        }
        Box::new(e.into_response())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roles::RoleAssignment as RA;
    use chrono::Utc;

    fn spec_table() -> PermissionTable {
        PermissionTable::from_spec(crate::openapi::embedded().expect("spec"))
    }

    #[test]
    fn every_spec_operation_has_an_explicit_rule() {
        let spec = crate::openapi::embedded().expect("spec");
        let t = spec_table();
        for op in spec.operations() {
            assert!(
                t.get(&op.operation_id).is_some(),
                "{} needs x-rolesRequirements or an OVERRIDES entry",
                op.operation_id
            );
        }
        for (id, _) in OVERRIDES {
            assert!(spec.operation(id).is_some(), "override for unknown {id}");
        }
        assert_eq!(
            t.get("deleteGroupCluster"),
            Some(&Rule::AnyOf(vec!["Project Owner".into()]))
        );
    }

    #[test]
    fn scope_is_read_from_the_path() {
        assert_eq!(
            scope_of("/api/atlas/v2/groups/abc/clusters"),
            Scope::Project("abc".into())
        );
        assert_eq!(
            scope_of("/api/atlas/v2/groups/byName/a%2Bb+c"),
            Scope::ProjectByName("a+b+c".into())
        );
        assert_eq!(
            scope_of("/api/atlas/v2/orgs/o/apiKeys"),
            Scope::Org("o".into())
        );
        assert_eq!(scope_of("/api/atlas/v2/groups"), Scope::None);
        assert_eq!(decode_segment("%zz%4"), "%zz%4");
    }

    fn world() -> (Store, String, String, String) {
        let now = Utc::now();
        let mut s = Store::bootstrap("k", "p", Some(5), now);
        let org = s.orgs[0].id.clone();
        let mut ids = Vec::new();
        for name in ["a", "b"] {
            let new = crate::areas::projects::parse_create(
                serde_json::json!({"name": name, "orgId": org})
                    .as_object()
                    .expect("object"),
                None,
            )
            .expect("valid");
            ids.push(
                crate::areas::projects::create_project(&mut s, new, now)
                    .expect("created")
                    .id,
            );
        }
        (s, org, ids[0].clone(), ids[1].clone())
    }

    fn code(r: Result<(), ApiError>) -> &'static str {
        r.err().map_or("OK", |e| e.code)
    }

    #[test]
    fn decisions_follow_roles_and_scope() {
        let (s, org, a, b) = world();
        let read = Rule::AnyOf(vec!["Project Read Only".into()]);
        let owner = Rule::AnyOf(vec!["Project Owner".into()]);
        let in_a = Scope::Project(a.clone());
        let in_b = Scope::Project(b.clone());
        let ghost = Scope::Project("111111111111111111111111".into());

        let org_owner = [RA::org(&org, "ORG_OWNER")];
        let org_ro = [RA::org(&org, "ORG_READ_ONLY")];
        let a_owner = [RA::org(&org, "ORG_MEMBER"), RA::group(&a, "GROUP_OWNER")];
        let a_ro = [RA::group(&a, "GROUP_READ_ONLY")];

        assert_eq!(code(decide(&s, &org_owner, &owner, &in_a)), "OK");
        assert_eq!(code(decide(&s, &org_owner, &owner, &ghost)), "OK");
        assert_eq!(code(decide(&s, &org_ro, &read, &in_b)), "OK");
        assert_eq!(
            code(decide(&s, &org_ro, &owner, &in_b)),
            "USER_UNAUTHORIZED"
        );
        assert_eq!(code(decide(&s, &org_ro, &read, &ghost)), "OK");
        assert_eq!(code(decide(&s, &a_owner, &owner, &in_a)), "OK");
        assert_eq!(code(decide(&s, &a_owner, &read, &in_b)), "NOT_IN_GROUP");
        assert_eq!(code(decide(&s, &a_owner, &read, &ghost)), "NOT_IN_GROUP");
        assert_eq!(code(decide(&s, &a_ro, &read, &in_a)), "OK");
        assert_eq!(code(decide(&s, &a_ro, &owner, &in_a)), "USER_UNAUTHORIZED");
        assert_eq!(code(decide(&s, &[], &read, &in_a)), "NOT_IN_GROUP");

        let org_member = Rule::AnyOf(vec!["Organization Member".into()]);
        let org_owner_rule = Rule::AnyOf(vec!["Organization Owner".into()]);
        let o = Scope::Org(org.clone());
        assert_eq!(code(decide(&s, &a_owner, &org_member, &o)), "OK");
        assert_eq!(
            code(decide(&s, &a_owner, &org_owner_rule, &o)),
            "USER_UNAUTHORIZED"
        );
        assert_eq!(
            code(decide(&s, &a_ro, &org_member, &o)),
            "USER_UNAUTHORIZED"
        );
        assert_eq!(code(decide(&s, &org_owner, &org_owner_rule, &o)), "OK");
        assert_eq!(
            code(decide(&s, &a_ro, &Rule::Authenticated, &Scope::None)),
            "OK"
        );
        assert!(can_create_project(&org_owner, &org));
        assert!(can_create_project(
            &[RA::org(&org, "ORG_GROUP_CREATOR")],
            &org
        ));
        assert!(!can_create_project(&org_ro, &org));
        assert!(in_org(&s, &a_ro, &org));
    }

    #[test]
    fn unknown_operations_default_by_method_and_scope() {
        let t = spec_table();
        assert_eq!(
            t.rule("someNewOp", &Method::GET, &Scope::Project("x".into()))
                .into_owned(),
            Rule::AnyOf(vec!["Project Read Only".into()])
        );
        assert_eq!(
            t.rule("someNewOp", &Method::DELETE, &Scope::Org("x".into()))
                .into_owned(),
            Rule::AnyOf(vec!["Organization Owner".into()])
        );
    }
}
