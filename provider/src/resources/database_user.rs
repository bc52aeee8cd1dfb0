//! `mongodbatlas_database_user`: a database user of a project.
//!
//! Same names, blocks and encoded `id` as the official resource (`roles`, `labels`, `scopes` are
//! set blocks). `project_id` and `username` replace the user; everything else, the
//! authentication database included, is updated in place (the PATCH path uses the planned
//! `auth_database_name`, as the official provider does).
//!
//! Passwords: `password` is sensitive and kept in state (the API never returns it) and only
//! sent when it differs from state. `password_wo` is write-only (Terraform ≥ 1.11): it never
//! reaches plan or state, and is sent on create and whenever `password_wo_version` changes.
//!
//! Reads go through the project's shared user list ([`crate::read_cache`]) and every write
//! invalidates it, so this resource implements [`Resource`] itself rather than
//! [`crate::crud::AtlasResource`]; its schema is still the model's.
//!
//! Model types: the plan hook decodes the whole planned value, in which any configured value
//! may still be unknown, so every configurable field is a `Tf` (where unknown matters:
//! the id's parts, `password_wo_version`) or an `Option` (unknown reads as `None`).

use crate::calls::{self, Created};
use crate::errors::api_error;
use crate::ids::{encode_state_id, split_database_user_import_id};
use crate::AtlasClient;
use async_trait::async_trait;
use atlas_admin_sdk::codes;
use atlas_admin_sdk::models::{DatabaseUser, DatabaseUserRole, Label, UserScope};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use tfplugin::context::Context;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::model::{Tf, TfModel, TfObject};
use tfplugin::path::AttributePath;
use tfplugin::resource::{
    CreateRequest, DeleteRequest, ModelPlan, ReadRequest, Resource, UpdateRequest,
};
use tfplugin::schema::Schema;

pub struct DatabaseUserResource;

/// A database user of an Atlas project.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, TfModel)]
pub struct DatabaseUserModel {
    /// Encoded id (project, username, auth database).
    #[tf(computed, use_state_for_unknown)]
    pub id: Tf<String>,
    /// The project id; changing it replaces the user.
    #[tf(required, requires_replace)]
    pub project_id: Tf<String>,
    /// User name; changing it replaces the user.
    #[tf(required, requires_replace)]
    pub username: Tf<String>,
    /// Authentication database: admin or $external.
    #[tf(required)]
    pub auth_database_name: Tf<String>,
    /// SCRAM password. Stored in state; see password_wo.
    #[tf(optional, sensitive)]
    pub password: Option<String>,
    /// Write-only SCRAM password (Terraform ≥ 1.11); never stored.
    /// Set password_wo_version and change it to rotate.
    #[tf(optional, sensitive, write_only)]
    pub password_wo: Option<String>,
    /// Changing it sends password_wo again.
    #[tf(optional)]
    pub password_wo_version: Tf<i64>,
    /// Description (≤ 100 characters).
    #[tf(optional)]
    pub description: Option<String>,
    /// Authentication type; default NONE.
    #[tf(optional, computed, default = "NONE")]
    pub x509_type: Option<String>,
    /// Authentication type; default NONE.
    #[tf(optional, computed, default = "NONE")]
    pub ldap_auth_type: Option<String>,
    /// Authentication type; default NONE.
    #[tf(optional, computed, default = "NONE")]
    pub aws_iam_type: Option<String>,
    /// Authentication type; default NONE.
    #[tf(optional, computed, default = "NONE")]
    pub oidc_auth_type: Option<String>,
    // The block descriptions are the element models' doc comments.
    #[tf(block, min_items = 1)]
    pub roles: Option<BTreeSet<RoleModel>>,
    #[tf(block)]
    pub labels: Option<BTreeSet<LabelModel>>,
    #[tf(block)]
    pub scopes: Option<BTreeSet<ScopeModel>>,
}

/// Never prints passwords.
impl std::fmt::Debug for DatabaseUserModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |p: &Option<String>| p.as_ref().map(|_| "[REDACTED]");
        f.debug_struct("DatabaseUserModel")
            .field("id", &self.id)
            .field("project_id", &self.project_id)
            .field("username", &self.username)
            .field("auth_database_name", &self.auth_database_name)
            .field("password", &redacted(&self.password))
            .field("password_wo", &redacted(&self.password_wo))
            .field("password_wo_version", &self.password_wo_version)
            .field("description", &self.description)
            .field("roles", &self.roles)
            .field("labels", &self.labels)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// A role granted on a database (and optionally a collection).
#[derive(
    Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, TfModel,
)]
pub struct RoleModel {
    /// Built-in or custom role name, e.g. readWrite.
    #[tf(required)]
    pub role_name: Option<String>,
    /// Database the role applies to.
    #[tf(required)]
    pub database_name: Option<String>,
    /// Collection the role is limited to.
    #[tf(optional)]
    pub collection_name: Option<String>,
}

#[derive(
    Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, TfModel,
)]
pub struct LabelModel {
    #[tf(optional, computed)]
    pub key: Option<String>,
    #[tf(optional, computed)]
    pub value: Option<String>,
}

#[derive(
    Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, TfModel,
)]
pub struct ScopeModel {
    /// Cluster or data lake name.
    #[tf(optional)]
    pub name: Option<String>,
    /// CLUSTER, DATA_LAKE or STREAM.
    #[tf(optional)]
    pub r#type: Option<String>,
}

/// The official encoded id: keys `auth_database_name`, `project_id`, `username`.
pub fn user_state_id(project_id: &str, username: &str, auth_database_name: &str) -> String {
    encode_state_id(&BTreeMap::from([
        ("auth_database_name", auth_database_name),
        ("project_id", project_id),
        ("username", username),
    ]))
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_ref().filter(|v| !v.is_empty()).cloned()
}

pub fn flatten_roles(roles: Option<&Vec<DatabaseUserRole>>) -> BTreeSet<RoleModel> {
    roles
        .into_iter()
        .flatten()
        .map(|r| RoleModel {
            role_name: r.role_name.clone(),
            database_name: r.database_name.clone(),
            collection_name: non_empty(&r.collection_name),
        })
        .collect()
}

pub fn flatten_labels(labels: Option<&Vec<Label>>) -> BTreeSet<LabelModel> {
    labels
        .into_iter()
        .flatten()
        .map(|l| LabelModel {
            key: l.key.clone(),
            value: l.value.clone(),
        })
        .collect()
}

pub fn flatten_scopes(scopes: Option<&Vec<UserScope>>) -> BTreeSet<ScopeModel> {
    scopes
        .into_iter()
        .flatten()
        .map(|s| ScopeModel {
            name: s.name.clone(),
            r#type: s.r#type.clone(),
        })
        .collect()
}

fn expand_roles(roles: Option<&BTreeSet<RoleModel>>) -> Vec<DatabaseUserRole> {
    roles
        .into_iter()
        .flatten()
        .map(|r| DatabaseUserRole {
            role_name: r.role_name.clone(),
            database_name: r.database_name.clone(),
            collection_name: non_empty(&r.collection_name),
        })
        .collect()
}

fn expand_labels(labels: Option<&BTreeSet<LabelModel>>) -> Vec<Label> {
    labels
        .into_iter()
        .flatten()
        .map(|l| Label {
            key: l.key.clone(),
            value: l.value.clone(),
        })
        .collect()
}

fn expand_scopes(scopes: Option<&BTreeSet<ScopeModel>>) -> Vec<UserScope> {
    scopes
        .into_iter()
        .flatten()
        .map(|s| UserScope {
            name: s.name.clone(),
            r#type: s.r#type.clone(),
        })
        .collect()
}

fn auth_type(v: &Option<String>) -> String {
    non_empty(v).unwrap_or_else(|| "NONE".to_string())
}

/// The create body for `plan`, with the password to set (if any).
pub fn expand_create(plan: &DatabaseUserModel, password: Option<String>) -> DatabaseUser {
    DatabaseUser {
        group_id: plan.project_id.known().cloned(),
        username: plan.username.known().cloned(),
        database_name: plan.auth_database_name.known().cloned(),
        password,
        description: non_empty(&plan.description),
        x509_type: Some(auth_type(&plan.x509_type)),
        ldap_auth_type: Some(auth_type(&plan.ldap_auth_type)),
        aws_iam_type: Some(auth_type(&plan.aws_iam_type)),
        oidc_auth_type: Some(auth_type(&plan.oidc_auth_type)),
        roles: Some(expand_roles(plan.roles.as_ref())),
        labels: Some(expand_labels(plan.labels.as_ref())),
        scopes: Some(expand_scopes(plan.scopes.as_ref())),
        ..Default::default()
    }
}

/// The PATCH body taking `prior` to `plan`: the collections and description always (removing
/// the description sends `""`), authentication types only when they change, and the password
/// only when there is a new one.
pub fn expand_update(
    plan: &DatabaseUserModel,
    prior: &DatabaseUserModel,
    password: Option<String>,
) -> DatabaseUser {
    let changed = |p: &Option<String>, q: &Option<String>| {
        (auth_type(p) != auth_type(q)).then(|| auth_type(p))
    };
    DatabaseUser {
        password,
        description: Some(plan.description.clone().unwrap_or_default()),
        x509_type: changed(&plan.x509_type, &prior.x509_type),
        ldap_auth_type: changed(&plan.ldap_auth_type, &prior.ldap_auth_type),
        aws_iam_type: changed(&plan.aws_iam_type, &prior.aws_iam_type),
        oidc_auth_type: changed(&plan.oidc_auth_type, &prior.oidc_auth_type),
        roles: Some(expand_roles(plan.roles.as_ref())),
        labels: Some(expand_labels(plan.labels.as_ref())),
        scopes: Some(expand_scopes(plan.scopes.as_ref())),
        ..Default::default()
    }
}

/// The password to send on update: a changed `password`, or `password_wo` when
/// `password_wo_version` changed.
pub fn update_password(
    plan: &DatabaseUserModel,
    prior: &DatabaseUserModel,
    config: &DatabaseUserModel,
) -> Option<String> {
    if plan.password.is_some() && plan.password != prior.password {
        return plan.password.clone();
    }
    if plan.password_wo_version != prior.password_wo_version {
        return config.password_wo.clone();
    }
    None
}

/// The state for `user` as Atlas returns it; `prior` supplies what the API never returns
/// (passwords) and the request's identity when the answer omits it.
pub fn flatten(user: &DatabaseUser, prior: &DatabaseUserModel) -> DatabaseUserModel {
    let project_id = prior
        .project_id
        .known()
        .or(user.group_id.as_ref())
        .cloned()
        .unwrap_or_default();
    let username = user
        .username
        .as_ref()
        .or(prior.username.known())
        .cloned()
        .unwrap_or_default();
    let auth_db = user
        .database_name
        .as_ref()
        .or(prior.auth_database_name.known())
        .cloned()
        .unwrap_or_default();
    // An empty description keeps whichever of null and "" the configuration used.
    let description = match non_empty(&user.description) {
        Some(d) => Some(d),
        None => prior.description.clone().filter(|d| d.is_empty()),
    };
    DatabaseUserModel {
        id: Tf::Known(user_state_id(&project_id, &username, &auth_db)),
        project_id: Tf::Known(project_id),
        username: Tf::Known(username),
        auth_database_name: Tf::Known(auth_db),
        password: prior.password.clone(),
        password_wo: None,
        password_wo_version: prior.password_wo_version.clone(),
        description,
        x509_type: Some(auth_type(&user.x509_type)),
        ldap_auth_type: Some(auth_type(&user.ldap_auth_type)),
        aws_iam_type: Some(auth_type(&user.aws_iam_type)),
        oidc_auth_type: Some(auth_type(&user.oidc_auth_type)),
        roles: Some(flatten_roles(user.roles.as_ref())),
        labels: Some(flatten_labels(user.labels.as_ref())),
        scopes: Some(flatten_scopes(user.scopes.as_ref())),
    }
}

struct Key {
    project_id: String,
    username: String,
    auth_database_name: String,
}

fn key_of(model: &DatabaseUserModel) -> Result<Key, Diagnostics> {
    match (
        &model.project_id,
        &model.username,
        &model.auth_database_name,
    ) {
        (Tf::Known(p), Tf::Known(u), Tf::Known(d)) => Ok(Key {
            project_id: p.clone(),
            username: u.clone(),
            auth_database_name: d.clone(),
        }),
        _ => Err(Diagnostic::error(
            "Missing database user identity",
            "project_id, username and auth_database_name must all be known.",
        )
        .into()),
    }
}

fn not_found(e: &atlas_admin_sdk::Error) -> bool {
    e.is_not_found()
        || e.error_code()
            .is_some_and(|c| [codes::USER_NOT_FOUND, codes::USERNAME_NOT_FOUND].contains(&c))
}

#[async_trait]
impl Resource for DatabaseUserResource {
    type Client = AtlasClient;
    type Model = DatabaseUserModel;
    const TYPE_NAME: &'static str = "mongodbatlas_database_user";
    const VALIDATES_MODEL: bool = true;
    const PLANS_MODEL: bool = true;

    fn schema() -> Schema {
        Schema::new(DatabaseUserModel::block())
    }

    /// Configured (known) values only: an unknown password may still turn out null.
    fn validate_model(&self, config: &DatabaseUserModel) -> Diagnostics {
        let a = DatabaseUserModel::ATTR;
        let mut diags = Diagnostics::new();
        if config.password.is_some() && config.password_wo.is_some() {
            diags.push(Diagnostic::error_at(
                AttributePath::root(a.password_wo),
                "Conflicting password attributes",
                "Set either password or password_wo, not both.",
            ));
        }
        // An unknown version will be set: only a null one is missing.
        if config.password_wo.is_some() && config.password_wo_version.is_null() {
            diags.push(Diagnostic::error_at(
                AttributePath::root(a.password_wo_version),
                "Missing password_wo_version",
                "password_wo needs password_wo_version: Terraform never stores the write-only password, so changing password_wo_version is how a new one is sent.",
            ));
        }
        if config.password.is_some() {
            let external = [
                (a.x509_type, &config.x509_type),
                (a.ldap_auth_type, &config.ldap_auth_type),
                (a.aws_iam_type, &config.aws_iam_type),
            ];
            for (name, value) in external {
                if value.as_deref().is_some_and(|t| t != "NONE") {
                    diags.push(Diagnostic::error_at(
                        AttributePath::root(a.password),
                        "Password with external authentication",
                        format!("password cannot be combined with {name}; users authenticated by X.509, LDAP or AWS IAM have no password."),
                    ));
                }
            }
        }
        diags
    }

    /// Plans the encoded id whenever its parts are known, so it is never "(known after
    /// apply)" and follows an in-place change of `auth_database_name`.
    fn plan_model(&self, plan: &mut ModelPlan<'_, DatabaseUserModel>) -> Result<(), Diagnostics> {
        let planned = plan.planned()?;
        planned.id = match (
            &planned.project_id,
            &planned.username,
            &planned.auth_database_name,
        ) {
            (Tf::Known(p), Tf::Known(u), Tf::Known(d)) => Tf::Known(user_state_id(p, u, d)),
            _ => Tf::Unknown,
        };
        Ok(())
    }
    async fn create(
        &self,
        cx: &Context<AtlasClient>,
        req: CreateRequest<DatabaseUserModel>,
    ) -> Result<DatabaseUserModel, Diagnostics> {
        let plan = req.plan;
        let key = key_of(&plan)?;
        let password = plan.password.clone().or(req.config.password_wo.clone());
        let client = cx.client();
        let _invalidate = client.reads.writing(&key.project_id);
        let body = expand_create(&plan, password.clone());
        let users = client.database_users();
        let what = format!("creating database user {:?}", key.username);
        let (p, db, u) = (&key.project_id, &key.auth_database_name, &key.username);
        let created = calls::create(
            cx,
            &what,
            || users.create(p, &body),
            || users.get_opt(p, db, u),
            |e| e.has_code(codes::USER_ALREADY_EXISTS),
        )
        .await?;
        let user = match created {
            Created::New(user) => user,
            // An earlier attempt created it but its answer was lost: PATCH it to the plan
            // (password, roles, labels, scopes, description) so the state we return is true.
            Created::Adopted(_) => {
                let body = expand_update(&plan, &DatabaseUserModel::default(), password);
                calls::read(cx, &what, || users.update(p, db, u, &body)).await?
            }
        };
        Ok(flatten(&user, &plan))
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        req: ReadRequest<DatabaseUserModel>,
    ) -> Result<Option<DatabaseUserModel>, Diagnostics> {
        let key = key_of(&req.state)?;
        let client = cx.client();
        // The project's whole user list, shared by every concurrent read (see
        // crate::read_cache): a user missing from it is gone, as a 404 would say.
        let what = format!("reading database user {:?}", key.username);
        match calls::retry(cx, &what, || {
            client.reads.list(&key.project_id, || async {
                client.api.database_users().list_all(&key.project_id).await
            })
        })
        .await
        {
            Ok(users) => Ok(users
                .iter()
                .find(|u| {
                    u.username.as_deref() == Some(key.username.as_str())
                        && u.database_name.as_deref() == Some(key.auth_database_name.as_str())
                })
                .map(|user| flatten(user, &req.state))),
            Err(e) if not_found(&e) => Ok(None),
            Err(e) => Err(api_error(client, &what, &e).into()),
        }
    }

    async fn update(
        &self,
        cx: &Context<AtlasClient>,
        req: UpdateRequest<DatabaseUserModel>,
    ) -> Result<DatabaseUserModel, Diagnostics> {
        let key = key_of(&req.plan)?;
        let client = cx.client();
        let password = update_password(&req.plan, &req.prior, &req.config);
        let body = expand_update(&req.plan, &req.prior, password);
        let _invalidate = client.reads.writing(&key.project_id);
        let users = client.database_users();
        // The PATCH holds absolute values (whole role/label/scope lists, the password), so
        // it is repeated after an ambiguous failure.
        let user = calls::read(
            cx,
            &format!("updating database user {:?}", key.username),
            || {
                users.update(
                    &key.project_id,
                    &key.auth_database_name,
                    &key.username,
                    &body,
                )
            },
        )
        .await?;
        Ok(flatten(&user, &req.plan))
    }

    async fn delete(
        &self,
        cx: &Context<AtlasClient>,
        req: DeleteRequest<DatabaseUserModel>,
    ) -> Result<(), Diagnostics> {
        let key = key_of(&req.prior)?;
        let _invalidate = cx.client().reads.writing(&key.project_id);
        let users = cx.client().database_users();
        calls::delete(
            cx,
            &format!("deleting database user {:?}", key.username),
            not_found,
            || users.delete(&key.project_id, &key.auth_database_name, &key.username),
        )
        .await
    }

    async fn import(
        &self,
        _cx: &Context<AtlasClient>,
        id: &str,
    ) -> Result<DatabaseUserModel, Diagnostics> {
        let (project_id, username, auth_db) = split_database_user_import_id(id)
            .map_err(|e| Diagnostics::from(Diagnostic::error("Invalid import ID", e)))?;
        Ok(DatabaseUserModel {
            id: Tf::Known(user_state_id(&project_id, &username, &auth_db)),
            project_id: Tf::Known(project_id),
            username: Tf::Known(username),
            auth_database_name: Tf::Known(auth_db),
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::model::{from_model, to_model};
    use tfplugin::resource::DynResource;
    use tfplugin::value::Value;

    const PROJECT: &str = "6414908c207f4d22f4d8f232";

    fn plan_model() -> DatabaseUserModel {
        DatabaseUserModel {
            project_id: Tf::Known(PROJECT.into()),
            username: Tf::Known("app".into()),
            auth_database_name: Tf::Known("admin".into()),
            password: Some("s3cret-pass".into()),
            roles: Some(BTreeSet::from([RoleModel {
                role_name: Some("readWrite".into()),
                database_name: Some("app".into()),
                collection_name: None,
            }])),
            labels: Some(BTreeSet::new()),
            scopes: Some(BTreeSet::new()),
            x509_type: Some("NONE".into()),
            ldap_auth_type: Some("NONE".into()),
            aws_iam_type: Some("NONE".into()),
            oidc_auth_type: Some("NONE".into()),
            ..Default::default()
        }
    }

    /// The configuration of [`plan_model`]: authentication types left to their defaults.
    fn config_model() -> DatabaseUserModel {
        DatabaseUserModel {
            x509_type: None,
            ldap_auth_type: None,
            aws_iam_type: None,
            oidc_auth_type: None,
            ..plan_model()
        }
    }

    fn value(model: &DatabaseUserModel) -> Value {
        let ty = <DatabaseUserResource as Resource>::schema().ty();
        from_model(model, &ty).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn planned(prior: &Value, config: &Value) -> DatabaseUserModel {
        let change = DynResource::plan(&DatabaseUserResource, prior, config, config)
            .unwrap_or_else(|e| panic!("plan failed: {e:?}"));
        to_model(&change.planned).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn error_paths(config: &DatabaseUserModel) -> Vec<AttributePath> {
        DatabaseUserResource
            .validate_model(config)
            .iter()
            .filter_map(|d| d.path.clone())
            .collect()
    }

    #[test]
    fn flatten_keeps_password_and_fits_the_schema() {
        let plan = plan_model();
        let answer = DatabaseUser {
            username: Some("app".into()),
            database_name: Some("admin".into()),
            group_id: Some(PROJECT.into()),
            roles: Some(vec![DatabaseUserRole::new("readWrite", "app")]),
            x509_type: Some("NONE".into()),
            description: Some(String::new()),
            ..Default::default()
        };
        let state = flatten(&answer, &plan);
        assert_eq!(state.password.as_deref(), Some("s3cret-pass"));
        assert_eq!(state.aws_iam_type.as_deref(), Some("NONE"));
        assert_eq!(state.description, None);
        assert_eq!(state.id, Tf::Known(user_state_id(PROJECT, "app", "admin")));
        assert_eq!(state.roles, plan.roles);
        let back: DatabaseUserModel = to_model(&value(&state)).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(back, state);
        let dbg = format!("{state:?}");
        assert!(!dbg.contains("s3cret"), "{dbg}");
    }

    #[test]
    fn update_sends_the_password_only_when_it_changes() {
        let prior = plan_model();
        let mut plan = plan_model();
        let config = plan_model();
        assert_eq!(update_password(&plan, &prior, &config), None);
        plan.password = Some("new-password".into());
        assert_eq!(
            update_password(&plan, &prior, &config).as_deref(),
            Some("new-password")
        );
        let mut plan = plan_model();
        plan.password = None;
        plan.password_wo_version = Tf::Known(2);
        let config = DatabaseUserModel {
            password_wo: Some("wo-secret".into()),
            ..plan.clone()
        };
        let mut prior = plan.clone();
        prior.password_wo_version = Tf::Known(1);
        assert_eq!(
            update_password(&plan, &prior, &config).as_deref(),
            Some("wo-secret")
        );
        prior.password_wo_version = Tf::Known(2);
        assert_eq!(update_password(&plan, &prior, &config), None);
    }

    #[test]
    fn update_body_clears_a_removed_description() {
        let mut prior = plan_model();
        prior.description = Some("old".into());
        let plan = plan_model();
        let body = expand_update(&plan, &prior, None);
        assert_eq!(body.description.as_deref(), Some(""));
        assert_eq!(body.x509_type, None);
        assert_eq!(body.password, None);
        assert_eq!(body.roles.map(|r| r.len()), Some(1));
    }

    #[test]
    fn validate_reports_conflicts_with_paths() {
        let a = DatabaseUserModel::ATTR;
        let both = DatabaseUserModel {
            password: Some("a".into()),
            password_wo: Some("b".into()),
            ..config_model()
        };
        let paths = error_paths(&both);
        assert!(paths.contains(&AttributePath::root(a.password_wo)));
        assert!(paths.contains(&AttributePath::root(a.password_wo_version)));
        // An unknown password reads as None; an unknown version will be set.
        let ok = DatabaseUserModel {
            password: None,
            password_wo: Some("b".into()),
            password_wo_version: Tf::Unknown,
            ..config_model()
        };
        assert!(error_paths(&ok).is_empty());
        let x509 = DatabaseUserModel {
            x509_type: Some("MANAGED".into()),
            ..config_model()
        };
        assert_eq!(error_paths(&x509), [AttributePath::root(a.password)]);
    }

    #[test]
    fn validate_reads_unknowns_from_configuration() {
        let config = value(&DatabaseUserModel {
            password: None,
            password_wo: Some("b".into()),
            password_wo_version: Tf::Unknown,
            project_id: Tf::Unknown,
            ..config_model()
        });
        let diags = DynResource::validate(&DatabaseUserResource, &config);
        assert!(diags.is_empty(), "{diags:?}");
        let missing = value(&DatabaseUserModel {
            password: None,
            password_wo: Some("b".into()),
            ..config_model()
        });
        let diags = DynResource::validate(&DatabaseUserResource, &missing);
        assert!(diags.has_errors());
    }

    #[test]
    fn plan_knows_id_and_defaults_on_create() {
        let p = planned(&Value::Null, &value(&config_model()));
        assert_eq!(p.x509_type.as_deref(), Some("NONE"));
        assert_eq!(p.id, Tf::Known(user_state_id(PROJECT, "app", "admin")));
    }

    #[test]
    fn plan_leaves_id_unknown_while_a_part_is() {
        // A project created in the same configuration.
        let config = DatabaseUserModel {
            project_id: Tf::Unknown,
            ..config_model()
        };
        assert_eq!(planned(&Value::Null, &value(&config)).id, Tf::Unknown);
        // An in-place change of the authentication database to a value not yet known: the id
        // must not keep the prior one (use_state_for_unknown).
        let state = flatten(&expand_create(&plan_model(), None), &plan_model());
        let config = DatabaseUserModel {
            auth_database_name: Tf::Unknown,
            ..config_model()
        };
        let p = planned(&value(&state), &value(&config));
        assert_eq!(p.id, Tf::Unknown);
        assert_eq!(p.project_id, Tf::Known(PROJECT.into()));
        // Unchanged: the id stays known.
        let p = planned(&value(&state), &value(&config_model()));
        assert_eq!(p.id, state.id);
    }

    #[test]
    fn plan_tolerates_unknown_roles() {
        // `dynamic "roles"` over a value not yet known: the whole set is unknown, and stays so.
        let mut config = value(&config_model());
        if let Some(obj) = config.as_object_mut() {
            obj.insert(DatabaseUserModel::ATTR.roles.into(), Value::unknown());
        }
        let change = DynResource::plan(&DatabaseUserResource, &Value::Null, &config, &config)
            .unwrap_or_else(|e| panic!("plan failed: {e:?}"));
        assert!(change
            .planned
            .get_attr(DatabaseUserModel::ATTR.roles)
            .is_some_and(Value::is_unknown));
        let p: DatabaseUserModel = to_model(&change.planned).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(p.id, Tf::Known(user_state_id(PROJECT, "app", "admin")));
    }
}
