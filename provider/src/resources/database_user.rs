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

use crate::calls::{self, Created};
use crate::errors::api_error;
use crate::ids::{encode_state_id, split_database_user_import_id};
use crate::AtlasClient;
use async_trait::async_trait;
use atlas_admin_sdk::models::{DatabaseUser, DatabaseUserRole, Label, UserScope};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tfplugin::context::Context;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::path::AttributePath;
use tfplugin::resource::{
    CreateRequest, DeleteRequest, PlanContext, ReadRequest, Resource, UpdateRequest,
};
use tfplugin::schema::{Attribute, Block, BlockNesting, NestedBlock, Schema};
use tfplugin::value::Value;

pub struct DatabaseUserResource;

/// The authentication-type attributes, all optional+computed with default `NONE`.
pub const AUTH_TYPES: [&str; 4] = [
    "x509_type",
    "ldap_auth_type",
    "aws_iam_type",
    "oidc_auth_type",
];

#[derive(Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DatabaseUserModel {
    pub id: Option<String>,
    pub project_id: Option<String>,
    pub username: Option<String>,
    pub auth_database_name: Option<String>,
    pub password: Option<String>,
    pub password_wo: Option<String>,
    pub password_wo_version: Option<i64>,
    pub description: Option<String>,
    pub x509_type: Option<String>,
    pub ldap_auth_type: Option<String>,
    pub aws_iam_type: Option<String>,
    pub oidc_auth_type: Option<String>,
    pub roles: Option<Vec<RoleModel>>,
    pub labels: Option<Vec<LabelModel>>,
    pub scopes: Option<Vec<ScopeModel>>,
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

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct RoleModel {
    pub role_name: Option<String>,
    pub database_name: Option<String>,
    pub collection_name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct LabelModel {
    pub key: Option<String>,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScopeModel {
    pub name: Option<String>,
    #[serde(rename = "type")]
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

pub fn flatten_roles(roles: Option<&Vec<DatabaseUserRole>>) -> Vec<RoleModel> {
    let mut out: Vec<RoleModel> = roles
        .map(|r| {
            r.iter()
                .map(|r| RoleModel {
                    role_name: r.role_name.clone(),
                    database_name: r.database_name.clone(),
                    collection_name: non_empty(&r.collection_name),
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out.dedup();
    out
}

pub fn flatten_labels(labels: Option<&Vec<Label>>) -> Vec<LabelModel> {
    let mut out: Vec<LabelModel> = labels
        .map(|l| {
            l.iter()
                .map(|l| LabelModel {
                    key: l.key.clone(),
                    value: l.value.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out.dedup();
    out
}

pub fn flatten_scopes(scopes: Option<&Vec<UserScope>>) -> Vec<ScopeModel> {
    let mut out: Vec<ScopeModel> = scopes
        .map(|s| {
            s.iter()
                .map(|s| ScopeModel {
                    name: s.name.clone(),
                    r#type: s.r#type.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out.dedup();
    out
}

fn expand_roles(roles: Option<&Vec<RoleModel>>) -> Vec<DatabaseUserRole> {
    roles
        .map(|r| {
            r.iter()
                .map(|r| DatabaseUserRole {
                    role_name: r.role_name.clone(),
                    database_name: r.database_name.clone(),
                    collection_name: non_empty(&r.collection_name),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn expand_labels(labels: Option<&Vec<LabelModel>>) -> Vec<Label> {
    labels
        .map(|l| {
            l.iter()
                .map(|l| Label {
                    key: l.key.clone(),
                    value: l.value.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn expand_scopes(scopes: Option<&Vec<ScopeModel>>) -> Vec<UserScope> {
    scopes
        .map(|s| {
            s.iter()
                .map(|s| UserScope {
                    name: s.name.clone(),
                    r#type: s.r#type.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn auth_type(v: &Option<String>) -> String {
    non_empty(v).unwrap_or_else(|| "NONE".to_string())
}

/// The create body for `plan`, with the password to set (if any).
pub fn expand_create(plan: &DatabaseUserModel, password: Option<String>) -> DatabaseUser {
    DatabaseUser {
        group_id: plan.project_id.clone(),
        username: plan.username.clone(),
        database_name: plan.auth_database_name.clone(),
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
        .clone()
        .or_else(|| user.group_id.clone())
        .unwrap_or_default();
    let username = user
        .username
        .clone()
        .or_else(|| prior.username.clone())
        .unwrap_or_default();
    let auth_db = user
        .database_name
        .clone()
        .or_else(|| prior.auth_database_name.clone())
        .unwrap_or_default();
    // An empty description keeps whichever of null and "" the configuration used.
    let description = match non_empty(&user.description) {
        Some(d) => Some(d),
        None => prior.description.clone().filter(|d| d.is_empty()),
    };
    DatabaseUserModel {
        id: Some(user_state_id(&project_id, &username, &auth_db)),
        project_id: Some(project_id),
        username: Some(username),
        auth_database_name: Some(auth_db),
        password: prior.password.clone(),
        password_wo: None,
        password_wo_version: prior.password_wo_version,
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
        (Some(p), Some(u), Some(d)) => Ok(Key {
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

fn known_str(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str)
}

fn set_in_config(config: &Value, name: &str) -> bool {
    config
        .get_attr(name)
        .is_some_and(|v| !v.is_null() && !v.is_unknown())
}

/// The `roles` / `labels` / `scopes` blocks (shared with the data sources through
/// [`crate::data_sources::database_user`]).
fn roles_block() -> NestedBlock {
    NestedBlock::new(
        "roles",
        BlockNesting::Set,
        Block::new()
            .description("A role granted on a database (and optionally a collection).")
            .attribute(
                Attribute::string("role_name")
                    .required()
                    .description("Built-in or custom role name, e.g. readWrite."),
            )
            .attribute(
                Attribute::string("database_name")
                    .required()
                    .description("Database the role applies to."),
            )
            .attribute(
                Attribute::string("collection_name")
                    .optional()
                    .description("Collection the role is limited to."),
            ),
    )
    .items(1, 0)
}

fn labels_block() -> NestedBlock {
    NestedBlock::new(
        "labels",
        BlockNesting::Set,
        Block::new()
            .attribute(Attribute::string("key").optional_computed())
            .attribute(Attribute::string("value").optional_computed()),
    )
}

fn scopes_block() -> NestedBlock {
    NestedBlock::new(
        "scopes",
        BlockNesting::Set,
        Block::new()
            .attribute(
                Attribute::string("name")
                    .optional()
                    .description("Cluster or data lake name."),
            )
            .attribute(
                Attribute::string("type")
                    .optional()
                    .description("CLUSTER, DATA_LAKE or STREAM."),
            ),
    )
}

fn not_found(e: &atlas_admin_sdk::Error) -> bool {
    e.is_not_found()
        || matches!(
            e.error_code(),
            Some("USER_NOT_FOUND" | "USERNAME_NOT_FOUND")
        )
}

#[async_trait]
impl Resource for DatabaseUserResource {
    type Client = AtlasClient;
    type Model = DatabaseUserModel;
    const TYPE_NAME: &'static str = "mongodbatlas_database_user";

    fn schema() -> Schema {
        let mut block = Block::new()
            .description("A database user of an Atlas project.")
            .attribute(
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .description("Encoded id (project, username, auth database)."),
            )
            .attribute(
                Attribute::string("project_id")
                    .required()
                    .requires_replace()
                    .description("The project id; changing it replaces the user."),
            )
            .attribute(
                Attribute::string("username")
                    .required()
                    .requires_replace()
                    .description("User name; changing it replaces the user."),
            )
            .attribute(
                Attribute::string("auth_database_name")
                    .required()
                    .description("Authentication database: admin or $external."),
            )
            .attribute(
                Attribute::string("password")
                    .optional()
                    .sensitive()
                    .description("SCRAM password. Stored in state; see password_wo."),
            )
            .attribute(
                Attribute::string("password_wo")
                    .optional()
                    .sensitive()
                    .write_only()
                    .description("Write-only SCRAM password (Terraform ≥ 1.11); never stored. Set password_wo_version and change it to rotate."),
            )
            .attribute(
                Attribute::int64("password_wo_version")
                    .optional()
                    .description("Changing it sends password_wo again."),
            )
            .attribute(
                Attribute::string("description")
                    .optional()
                    .description("Description (≤ 100 characters)."),
            );
        for name in AUTH_TYPES {
            block = block.attribute(
                Attribute::string(name)
                    .optional_computed()
                    .default_value(Value::string("NONE"))
                    .description("Authentication type; default NONE."),
            );
        }
        Schema::new(
            block
                .block(roles_block())
                .block(labels_block())
                .block(scopes_block()),
        )
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if set_in_config(config, "password") && set_in_config(config, "password_wo") {
            diags.push(Diagnostic::error_at(
                AttributePath::root("password_wo"),
                "Conflicting password attributes",
                "Set either password or password_wo, not both.",
            ));
        }
        if set_in_config(config, "password_wo")
            && config
                .get_attr("password_wo_version")
                .is_none_or(Value::is_null)
        {
            diags.push(Diagnostic::error_at(
                AttributePath::root("password_wo_version"),
                "Missing password_wo_version",
                "password_wo needs password_wo_version: Terraform never stores the write-only password, so changing password_wo_version is how a new one is sent.",
            ));
        }
        if set_in_config(config, "password") {
            for name in ["x509_type", "ldap_auth_type", "aws_iam_type"] {
                if known_str(config.get_attr(name)).is_some_and(|t| t != "NONE") {
                    diags.push(Diagnostic::error_at(
                        AttributePath::root("password"),
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
    fn modify_plan(&self, plan: PlanContext<'_>) -> Diagnostics {
        let planned = &plan.change.planned;
        let parts = (
            known_str(planned.get_attr("project_id")),
            known_str(planned.get_attr("username")),
            known_str(planned.get_attr("auth_database_name")),
        );
        let id = match parts {
            (Some(p), Some(u), Some(d)) => Value::string(user_state_id(p, u, d)),
            _ => Value::unknown(),
        };
        if let Some(obj) = plan.change.planned.as_object_mut() {
            obj.insert("id".into(), id);
        }
        Diagnostics::new()
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
            |e| e.error_code() == Some("USER_ALREADY_EXISTS"),
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
            client.reads.database_users(&client.api, &key.project_id)
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
            id: Some(user_state_id(&project_id, &username, &auth_db)),
            project_id: Some(project_id),
            username: Some(username),
            auth_database_name: Some(auth_db),
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::model::from_model;
    use tfplugin::resource::DynResource;

    fn plan_model() -> DatabaseUserModel {
        DatabaseUserModel {
            project_id: Some("6414908c207f4d22f4d8f232".into()),
            username: Some("app".into()),
            auth_database_name: Some("admin".into()),
            password: Some("s3cret-pass".into()),
            roles: Some(vec![RoleModel {
                role_name: Some("readWrite".into()),
                database_name: Some("app".into()),
                collection_name: None,
            }]),
            labels: Some(vec![]),
            scopes: Some(vec![]),
            x509_type: Some("NONE".into()),
            ldap_auth_type: Some("NONE".into()),
            aws_iam_type: Some("NONE".into()),
            oidc_auth_type: Some("NONE".into()),
            ..Default::default()
        }
    }

    #[test]
    fn flatten_keeps_password_and_fits_the_schema() {
        let plan = plan_model();
        let answer = DatabaseUser {
            username: Some("app".into()),
            database_name: Some("admin".into()),
            group_id: Some("6414908c207f4d22f4d8f232".into()),
            roles: Some(vec![DatabaseUserRole::new("readWrite", "app")]),
            x509_type: Some("NONE".into()),
            description: Some(String::new()),
            ..Default::default()
        };
        let state = flatten(&answer, &plan);
        assert_eq!(state.password.as_deref(), Some("s3cret-pass"));
        assert_eq!(state.aws_iam_type.as_deref(), Some("NONE"));
        assert_eq!(state.description, None);
        assert_eq!(
            state.id.as_deref(),
            Some(user_state_id("6414908c207f4d22f4d8f232", "app", "admin").as_str())
        );
        let schema = <DatabaseUserResource as Resource>::schema();
        assert!(from_model(&state, &schema.ty()).is_ok());
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
        plan.password_wo_version = Some(2);
        let config = DatabaseUserModel {
            password_wo: Some("wo-secret".into()),
            ..plan.clone()
        };
        let mut prior = plan.clone();
        prior.password_wo_version = Some(1);
        assert_eq!(
            update_password(&plan, &prior, &config).as_deref(),
            Some("wo-secret")
        );
        prior.password_wo_version = Some(2);
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
        let r = DatabaseUserResource;
        let config = Value::object([
            ("password", Value::string("a")),
            ("password_wo", Value::string("b")),
            ("password_wo_version", Value::Null),
        ]);
        let diags = Resource::validate(&r, &config);
        let paths: Vec<_> = diags.iter().filter_map(|d| d.path.clone()).collect();
        assert!(paths.contains(&AttributePath::root("password_wo")));
        assert!(paths.contains(&AttributePath::root("password_wo_version")));
        let ok = Value::object([
            ("password", Value::unknown()),
            ("password_wo", Value::string("b")),
            ("password_wo_version", Value::number(1)),
        ]);
        assert!(Resource::validate(&r, &ok).iter().next().is_none());
    }

    #[test]
    fn plan_knows_id_and_defaults_on_create() {
        let r = DatabaseUserResource;
        let schema = <DatabaseUserResource as Resource>::schema();
        let mut config_model = plan_model();
        config_model.x509_type = None;
        config_model.ldap_auth_type = None;
        config_model.aws_iam_type = None;
        config_model.oidc_auth_type = None;
        let config = from_model(&config_model, &schema.ty()).unwrap_or(Value::Null);
        let change = DynResource::plan(&r, &Value::Null, &config, &config)
            .unwrap_or_else(|_| panic!("plan failed"));
        let p = &change.planned;
        assert_eq!(
            p.get_attr("x509_type").and_then(Value::as_str),
            Some("NONE")
        );
        assert_eq!(
            p.get_attr("id").and_then(Value::as_str),
            Some(user_state_id("6414908c207f4d22f4d8f232", "app", "admin").as_str())
        );
    }
}
