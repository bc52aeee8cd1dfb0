//! `mongodbatlas_custom_db_role` (resource) and the `mongodbatlas_custom_db_role` /
//! `mongodbatlas_custom_db_roles` data sources: a project's custom database roles.
//!
//! The official resource is an SDKv2 one: `actions` and `inherited_roles` are set blocks,
//! `id` the implicit optional+computed string (the encoded state id of `project_id` and
//! `role_name`); the import ID is `{project_id}-{role_name}`. As there, the create is retried
//! while Atlas answers that a role it depends on does not exist yet (a role Atlas is still
//! applying in the background: the create answers 202), and the delete waits until the role
//! reads as gone. Writes to one project's roles never overlap in this process (the API does
//! not take concurrent role writes).
//!
//! The data sources keep the official SDKv2 shapes, which are not the resource's derived
//! variant: the singular one has `actions` as a computed list attribute and `inherited_roles`
//! as a list block; the plural one a computed `results` list.

use crate::calls;
use crate::crud::AtlasResource;
use crate::errors::api_error;
use crate::ids::encode_state_id;
use crate::AtlasClient;
use async_trait::async_trait;
use atlas_admin_sdk::codes;
use atlas_admin_sdk::generated::models::{
    DatabaseInheritedRole, DatabasePermittedNamespaceResource, DatabasePrivilegeAction,
    UpdateCustomDBRoleUpdate, UserCustomDBRole, UserCustomDBRoleCreate,
};
use atlas_admin_sdk::ids::{CustomRoleName, GroupId};
use atlas_admin_sdk::Error;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tfplugin::context::Context;
use tfplugin::data_source::DataSource;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::model::{TfModel, TfObject};
use tfplugin::path::AttributePath;
use tfplugin::schema::Schema;

/// How long a create waits for the roles it depends on, and a delete for the role to go (as
/// the official provider).
const WAIT: Duration = Duration::from_secs(600);

/// A custom database role of a project.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
pub struct CustomDbRoleModel {
    /// The encoded id of `project_id` and `role_name`.
    #[tf(optional, computed, use_state_for_unknown)]
    pub id: Option<String>,
    /// Unique 24-hexadecimal digit string that identifies the project.
    #[tf(required, requires_replace)]
    pub project_id: String,
    /// Name of the role: letters, digits, underscores and dashes; not starting with `xgen-`.
    #[tf(required, requires_replace)]
    pub role_name: String,
    /// Privilege actions the role grants.
    #[tf(block)]
    pub actions: BTreeSet<ActionModel>,
    /// Roles this role inherits (built-in roles, or other custom roles on `admin`).
    #[tf(block)]
    pub inherited_roles: BTreeSet<InheritedRoleModel>,
}

/// One privilege action and the resources it is granted on.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TfModel,
)]
pub struct ActionModel {
    /// The privilege action, e.g. `FIND`, `INSERT`, `LIST_COLLECTIONS`.
    #[tf(required)]
    pub action: String,
    /// Where the action is granted.
    #[tf(block, min_items = 1)]
    pub resources: BTreeSet<ResourceModel>,
}

/// A namespace (database and collection) or the cluster.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TfModel,
)]
pub struct ResourceModel {
    /// Collection the action is granted on (empty: every collection of the database).
    #[tf(optional)]
    pub collection_name: Option<String>,
    /// Database the action is granted on.
    #[tf(optional)]
    pub database_name: Option<String>,
    /// Whether the action is granted on the cluster resource (then the names are ignored).
    #[tf(optional)]
    pub cluster: Option<bool>,
}

/// A role the custom role inherits.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TfModel,
)]
pub struct InheritedRoleModel {
    /// Database the inherited role is granted on (`admin` for custom roles).
    #[tf(required)]
    pub database_name: String,
    /// Name of the inherited role.
    #[tf(required)]
    pub role_name: String,
}

/// What a role resource's API calls are addressed by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleKey {
    pub project_id: GroupId,
    pub role_name: CustomRoleName,
}

impl fmt::Display for RoleKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.project_id, self.role_name)
    }
}

/// The official encoded state id.
pub fn role_state_id(project_id: &str, role_name: &str) -> String {
    encode_state_id(&BTreeMap::from([
        ("project_id", project_id),
        ("role_name", role_name),
    ]))
}

/// One lock per project: role writes of a project are serialised in this process.
#[derive(Default)]
struct ProjectLocks(Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>);

impl ProjectLocks {
    fn of(&self, project_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(project_id.to_string()).or_default().clone()
    }
}

fn lock_of(cx: &Context<AtlasClient>, project_id: &str) -> Arc<tokio::sync::Mutex<()>> {
    cx.client().shared::<ProjectLocks>().of(project_id)
}

// ---- expand / flatten --------------------------------------------------------------------

fn expand_actions(actions: &BTreeSet<ActionModel>) -> Vec<DatabasePrivilegeAction> {
    actions
        .iter()
        .map(|a| {
            let mut out = DatabasePrivilegeAction::default();
            out.action = a.action.clone();
            out.resources = a
                .resources
                .iter()
                .map(|r| {
                    let mut ns = DatabasePermittedNamespaceResource::default();
                    ns.cluster = r.cluster.unwrap_or(false);
                    ns.db = r.database_name.clone().unwrap_or_default();
                    ns.collection = r.collection_name.clone().unwrap_or_default();
                    ns
                })
                .collect();
            out
        })
        .collect()
}

fn expand_inherited(roles: &BTreeSet<InheritedRoleModel>) -> Vec<DatabaseInheritedRole> {
    roles
        .iter()
        .map(|r| {
            let mut out = DatabaseInheritedRole::default();
            out.db = r.database_name.clone();
            out.role = r.role_name.clone();
            out
        })
        .collect()
}

/// What a resource means to Atlas: the cluster, or a database and collection (`""`: all).
fn meaning(r: &ResourceModel) -> (bool, &str, &str) {
    if r.cluster == Some(true) {
        (true, "", "")
    } else {
        (
            false,
            r.database_name.as_deref().unwrap_or(""),
            r.collection_name.as_deref().unwrap_or(""),
        )
    }
}

/// A resource as Atlas answers it: the cluster alone, or the names (an empty one null).
fn flatten_resource(ns: &DatabasePermittedNamespaceResource) -> ResourceModel {
    let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
    if ns.cluster {
        ResourceModel {
            cluster: Some(true),
            ..Default::default()
        }
    } else {
        ResourceModel {
            collection_name: some(&ns.collection),
            database_name: some(&ns.db),
            cluster: None,
        }
    }
}

/// The actions Atlas holds, spelled as the prior state or plan spells the same resources
/// (`collection_name = ""` and an absent one, `cluster = false` and an absent one mean the same
/// to Atlas), so a refresh never shows a change the configuration did not make.
fn flatten_actions(
    remote: &[DatabasePrivilegeAction],
    prior: &BTreeSet<ActionModel>,
) -> BTreeSet<ActionModel> {
    remote
        .iter()
        .map(|a| {
            let prior_resources: Vec<&ResourceModel> = prior
                .iter()
                .filter(|p| p.action == a.action)
                .flat_map(|p| p.resources.iter())
                .collect();
            let resources = a
                .resources
                .iter()
                .map(|ns| {
                    let fresh = flatten_resource(ns);
                    prior_resources
                        .iter()
                        .find(|p| meaning(p) == meaning(&fresh))
                        .map_or(fresh.clone(), |p| (*p).clone())
                })
                .collect();
            ActionModel {
                action: a.action.clone(),
                resources,
            }
        })
        .collect()
}

fn flatten_inherited(remote: &[DatabaseInheritedRole]) -> BTreeSet<InheritedRoleModel> {
    remote
        .iter()
        .map(|r| InheritedRoleModel {
            database_name: r.db.clone(),
            role_name: r.role.clone(),
        })
        .collect()
}

// ---- the resource ------------------------------------------------------------------------

pub struct CustomDbRoleResource;

/// Whether Atlas says a role the new one depends on does not exist (yet).
fn depends_on_missing_role(e: &Error) -> bool {
    e.error_code() == Some(codes::ATLAS_CUSTOM_ROLE_NOT_FOUND)
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis((200u64 << attempt.min(4)).min(3_000))
}

#[async_trait]
impl AtlasResource for CustomDbRoleResource {
    type Model = CustomDbRoleModel;
    type Key = RoleKey;
    type Remote = UserCustomDBRole;

    const TYPE_NAME: &'static str = "mongodbatlas_custom_db_role";
    const IMPORT_ID_FORMAT: &'static str = "{project_id}-{role_name}";
    const DUPLICATE_CODES: &'static [&'static str] =
        &[codes::ATLAS_CUSTOM_ROLE_NAME_ALREADY_EXISTS];
    const NOT_FOUND_CODES: &'static [&'static str] = &[codes::ATLAS_CUSTOM_ROLE_NOT_FOUND];
    // The data sources have the official SDKv2 shapes: see below.
    const DATA_SOURCE_KEYS: Option<&'static [&'static str]> = None;
    const VALIDATES: bool = true;

    fn key(model: &CustomDbRoleModel) -> Result<RoleKey, String> {
        if model.project_id.is_empty() || model.role_name.is_empty() {
            return Err("no project_id or role_name".into());
        }
        Ok(RoleKey {
            project_id: GroupId::from(&model.project_id),
            role_name: CustomRoleName::from(&model.role_name),
        })
    }

    fn import_stub(id: &str) -> Option<CustomDbRoleModel> {
        // A project id is 24 hex digits: the first dash ends it.
        let (project_id, role_name) = id.split_once('-')?;
        (!project_id.is_empty() && !role_name.is_empty()).then(|| CustomDbRoleModel {
            project_id: project_id.to_string(),
            role_name: role_name.to_string(),
            ..Default::default()
        })
    }

    fn flatten(remote: &UserCustomDBRole, prior: &CustomDbRoleModel) -> CustomDbRoleModel {
        CustomDbRoleModel {
            id: Some(role_state_id(&prior.project_id, &remote.role_name)),
            project_id: prior.project_id.clone(),
            role_name: remote.role_name.clone(),
            actions: flatten_actions(&remote.actions, &prior.actions),
            inherited_roles: flatten_inherited(&remote.inherited_roles),
        }
    }

    fn describe_create(plan: &CustomDbRoleModel) -> String {
        format!(
            "creating custom db role {:?} in project {}",
            plan.role_name, plan.project_id
        )
    }

    async fn create(
        cx: &Context<AtlasClient>,
        plan: &CustomDbRoleModel,
        _config: &CustomDbRoleModel,
    ) -> Result<UserCustomDBRole, Error> {
        let body = UserCustomDBRoleCreate::new(plan.role_name.clone())
            .actions(expand_actions(&plan.actions))
            .inherited_roles(expand_inherited(&plan.inherited_roles));
        let api = cx.client().custom_db_roles();
        let lock = lock_of(cx, &plan.project_id);
        let deadline = Instant::now() + WAIT;
        let mut attempt = 0;
        loop {
            let answer = {
                let _guard = lock.lock().await;
                api.create(&plan.project_id, &body).await
            };
            match answer {
                Err(e) if depends_on_missing_role(&e) && Instant::now() < deadline => {
                    tracing::debug!(role = %plan.role_name, error = %e, "a role this one inherits is not there yet, retrying");
                    tokio::time::sleep(backoff(attempt)).await;
                    attempt += 1;
                }
                r => return r,
            }
        }
    }

    async fn read(cx: &Context<AtlasClient>, key: &RoleKey) -> Result<UserCustomDBRole, Error> {
        cx.client()
            .custom_db_roles()
            .get(&key.project_id, &key.role_name)
            .await
    }

    async fn update(
        cx: &Context<AtlasClient>,
        key: &RoleKey,
        plan: &CustomDbRoleModel,
        _prior: &CustomDbRoleModel,
        _config: &CustomDbRoleModel,
    ) -> Result<UserCustomDBRole, Error> {
        // Both arrays, whole: a PATCH holding absolute values is safe to repeat.
        let body = UpdateCustomDBRoleUpdate::new()
            .actions(expand_actions(&plan.actions))
            .inherited_roles(expand_inherited(&plan.inherited_roles));
        let lock = lock_of(cx, key.project_id.as_str());
        let _guard = lock.lock().await;
        cx.client()
            .custom_db_roles()
            .update(&key.project_id, &key.role_name, &body)
            .await
    }

    /// Deletes, then waits until the role reads as gone (deleting again if it is still there).
    async fn delete(cx: &Context<AtlasClient>, key: &RoleKey) -> Result<(), Error> {
        let api = cx.client().custom_db_roles();
        let lock = lock_of(cx, key.project_id.as_str());
        let deadline = Instant::now() + WAIT;
        let mut attempt = 0;
        loop {
            let deleted = {
                let _guard = lock.lock().await;
                api.delete(&key.project_id, &key.role_name).await
            };
            match deleted {
                Err(e) if !(e.is_not_found() || depends_on_missing_role(&e)) => return Err(e),
                _ => {}
            }
            if api.find(&key.project_id, &key.role_name).await?.is_none() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(Error::Timeout {
                    operation: format!("waiting for custom db role {key} to be deleted"),
                });
            }
            tokio::time::sleep(backoff(attempt)).await;
            attempt += 1;
        }
    }

    fn validate(config: &CustomDbRoleModel) -> Diagnostics {
        let attr = CustomDbRoleModel::ATTR.role_name;
        let name = config.role_name.as_str();
        let mut diags = Diagnostics::new();
        // An unknown name reads as empty here: nothing to check yet.
        if name.is_empty() {
            return diags;
        }
        let valid = name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid {
            diags.push(Diagnostic::error_at(
                AttributePath::root(attr),
                "Invalid attribute value",
                format!("`{attr}` can contain only letters, digits, underscores, and dashes, got {name:?}."),
            ));
        }
        if name.starts_with("xgen-") {
            diags.push(Diagnostic::error_at(
                AttributePath::root(attr),
                "Invalid attribute value",
                format!("`{attr}` cannot start with 'xgen-', got {name:?}."),
            ));
        }
        diags
    }
}

// ---- data sources ------------------------------------------------------------------------

/// `mongodbatlas_custom_db_role`: one role by name.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TfModel)]
pub struct CustomDbRoleData {
    /// The encoded id of `project_id` and `role_name`.
    #[tf(optional, computed)]
    pub id: Option<String>,
    /// Unique 24-hexadecimal digit string that identifies the project.
    #[tf(required)]
    pub project_id: String,
    /// Name of the role.
    #[tf(required)]
    pub role_name: String,
    /// Privilege actions the role grants.
    #[tf(computed)]
    pub actions: Option<Vec<ActionData>>,
    /// Roles this role inherits.
    #[tf(block)]
    pub inherited_roles: Vec<InheritedRoleData>,
}

/// A privilege action as the data sources show it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TfModel)]
pub struct ActionData {
    #[tf(computed)]
    pub action: Option<String>,
    #[tf(computed)]
    pub resources: Option<BTreeSet<ResourceModel>>,
}

/// An inherited role as the data sources show it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TfModel)]
pub struct InheritedRoleData {
    #[tf(computed)]
    pub database_name: Option<String>,
    #[tf(computed)]
    pub role_name: Option<String>,
}

/// One role in `mongodbatlas_custom_db_roles.results`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TfModel)]
pub struct CustomDbRoleResult {
    #[tf(computed)]
    pub role_name: Option<String>,
    #[tf(computed)]
    pub actions: Option<Vec<ActionData>>,
    #[tf(computed)]
    pub inherited_roles: Option<Vec<InheritedRoleData>>,
}

/// `mongodbatlas_custom_db_roles`: every custom role of a project.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TfModel)]
pub struct CustomDbRolesData {
    /// The project id.
    #[tf(optional, computed)]
    pub id: Option<String>,
    /// Unique 24-hexadecimal digit string that identifies the project.
    #[tf(required)]
    pub project_id: String,
    /// The project's custom roles.
    #[tf(computed)]
    pub results: Option<Vec<CustomDbRoleResult>>,
}

fn actions_data(remote: &[DatabasePrivilegeAction]) -> Vec<ActionData> {
    remote
        .iter()
        .map(|a| ActionData {
            action: Some(a.action.clone()),
            resources: Some(a.resources.iter().map(flatten_resource).collect()),
        })
        .collect()
}

fn inherited_data(remote: &[DatabaseInheritedRole]) -> Vec<InheritedRoleData> {
    remote
        .iter()
        .map(|r| InheritedRoleData {
            database_name: Some(r.db.clone()),
            role_name: Some(r.role.clone()),
        })
        .collect()
}

pub struct CustomDbRoleDataSource;

#[async_trait]
impl DataSource for CustomDbRoleDataSource {
    type Client = AtlasClient;
    type Model = CustomDbRoleData;
    const TYPE_NAME: &'static str = "mongodbatlas_custom_db_role";

    fn schema() -> Schema {
        Schema::new(CustomDbRoleData::block())
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        config: CustomDbRoleData,
    ) -> Result<CustomDbRoleData, Diagnostics> {
        let what = format!(
            "reading custom db role {:?} of project {}",
            config.role_name, config.project_id
        );
        let api = cx.client().custom_db_roles();
        let role =
            calls::read(cx, &what, || api.get(&config.project_id, &config.role_name)).await?;
        Ok(CustomDbRoleData {
            id: Some(role_state_id(&config.project_id, &role.role_name)),
            role_name: role.role_name.clone(),
            actions: Some(actions_data(&role.actions)),
            inherited_roles: inherited_data(&role.inherited_roles),
            project_id: config.project_id,
        })
    }
}

pub struct CustomDbRolesDataSource;

#[async_trait]
impl DataSource for CustomDbRolesDataSource {
    type Client = AtlasClient;
    type Model = CustomDbRolesData;
    const TYPE_NAME: &'static str = "mongodbatlas_custom_db_roles";

    fn schema() -> Schema {
        Schema::new(CustomDbRolesData::block())
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        config: CustomDbRolesData,
    ) -> Result<CustomDbRolesData, Diagnostics> {
        let what = format!("listing custom db roles of project {}", config.project_id);
        let client = cx.client();
        let api = client.custom_db_roles();
        let roles = calls::retry(cx, &what, || api.list(&config.project_id))
            .await
            .map_err(|e| Diagnostics::from(api_error(client, &what, &e)))?;
        Ok(CustomDbRolesData {
            id: Some(config.project_id.clone()),
            results: Some(
                roles
                    .iter()
                    .map(|r| CustomDbRoleResult {
                        role_name: Some(r.role_name.clone()),
                        actions: Some(actions_data(&r.actions)),
                        inherited_roles: Some(inherited_data(&r.inherited_roles)),
                    })
                    .collect(),
            ),
            project_id: config.project_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(db: Option<&str>, coll: Option<&str>, cluster: Option<bool>) -> ResourceModel {
        ResourceModel {
            collection_name: coll.map(str::to_string),
            database_name: db.map(str::to_string),
            cluster,
        }
    }

    fn remote_action(action: &str, db: &str, coll: &str, cluster: bool) -> DatabasePrivilegeAction {
        let mut ns = DatabasePermittedNamespaceResource::default();
        ns.db = db.into();
        ns.collection = coll.into();
        ns.cluster = cluster;
        let mut a = DatabasePrivilegeAction::default();
        a.action = action.into();
        a.resources = vec![ns];
        a
    }

    #[test]
    fn flatten_keeps_the_configured_spelling() {
        let prior = BTreeSet::from([
            ActionModel {
                action: "FIND".into(),
                resources: BTreeSet::from([resource(Some("app"), Some(""), Some(false))]),
            },
            ActionModel {
                action: "SERVER_STATUS".into(),
                resources: BTreeSet::from([resource(None, None, Some(true))]),
            },
        ]);
        let remote = [
            remote_action("FIND", "app", "", false),
            remote_action("SERVER_STATUS", "", "", true),
            remote_action("INSERT", "app", "orders", false),
        ];
        let got = flatten_actions(&remote, &prior);
        let find = got.iter().find(|a| a.action == "FIND").expect("FIND");
        assert_eq!(
            find.resources,
            BTreeSet::from([resource(Some("app"), Some(""), Some(false))])
        );
        let insert = got.iter().find(|a| a.action == "INSERT").expect("INSERT");
        assert_eq!(
            insert.resources,
            BTreeSet::from([resource(Some("app"), Some("orders"), None)])
        );
        // Without a prior (import): empty names and a false cluster are null.
        let got = flatten_actions(&remote[..1], &BTreeSet::new());
        let find = got.iter().next().expect("one");
        assert_eq!(
            find.resources,
            BTreeSet::from([resource(Some("app"), None, None)])
        );
    }

    #[test]
    fn import_ids_and_state_ids() {
        let m =
            CustomDbRoleResource::import_stub("5f1d5c2b8a1e4c3d2b1a0f9e-my-role_1").expect("valid");
        assert_eq!(
            (m.project_id.as_str(), m.role_name.as_str()),
            ("5f1d5c2b8a1e4c3d2b1a0f9e", "my-role_1")
        );
        assert!(CustomDbRoleResource::import_stub("-role").is_none());
        assert!(CustomDbRoleResource::import_stub("5f1d5c2b8a1e4c3d2b1a0f9e-").is_none());
        assert!(CustomDbRoleResource::import_stub("nodash").is_none());
        let id = role_state_id("p", "r");
        assert_eq!(
            crate::ids::decode_state_id(&id).expect("decodes"),
            BTreeMap::from([
                ("project_id".to_string(), "p".to_string()),
                ("role_name".to_string(), "r".to_string())
            ])
        );
    }

    #[test]
    fn role_names_are_checked_at_plan_time() {
        let check = |name: &str| {
            CustomDbRoleResource::validate(&CustomDbRoleModel {
                role_name: name.into(),
                ..Default::default()
            })
            .iter()
            .count()
        };
        assert_eq!(check("my-role_1"), 0);
        assert_eq!(check("my role"), 1);
        assert_eq!(check("xgen-x"), 1);
    }
}
