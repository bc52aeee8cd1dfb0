//! `mongodbatlas_advanced_cluster`: an Atlas cluster described per shard
//! (`replication_specs`) and region (`region_configs`), with the official provider v2.x schema
//! (nested attributes, state schema version 2) and import ID `{project_id}-{cluster_name}`.
//!
//! Create posts the cluster and waits for IDLE (`timeouts.create`, default 3h; on timeout with
//! `delete_on_create_timeout` a DELETE is fired), then sets process arguments. Updates send a
//! minimal PATCH (resume alone first, pause alone last) and wait for IDLE; deletes wait until
//! the cluster is gone. Waits poll with a short, growing backoff and stop on Ctrl-C.
//!
//! Plans stay quiet: stable computed values keep their state value on updates (see
//! [`plan`] for the values a change does make unknown).
//!
//! State written at schema version 1 (the official provider 1.x, blocks) is converted by
//! [`upgrade`].

pub mod expand;
pub mod flatten;
pub mod model;
pub mod plan;
pub mod upgrade;

use crate::calls;
use crate::errors::api_error;
use crate::AtlasClient;
use async_trait::async_trait;
use atlas_admin_sdk::codes;
use atlas_admin_sdk::models::{Cluster, ProcessArgs};
use atlas_admin_sdk::Error;
use model::{parse_import_id, ClusterModel, SCHEMA_VERSION};
use std::time::Duration;
use tfplugin::context::Context;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::model::TfObject;
use tfplugin::path::AttributePath;
use tfplugin::resource::{
    CreateRequest, DeleteRequest, ModelPlan, ReadRequest, Resource, UpdateRequest,
};
use tfplugin::schema::Schema;
use tfplugin::timeouts::Timeouts;

/// Default for each of `timeouts.create`, `.update`, `.delete`, as in the official provider.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3 * 3600);

pub struct AdvancedClusterResource;

fn diags(d: Diagnostic) -> Diagnostics {
    Diagnostics::from(d)
}

fn timeout(model: &ClusterModel, operation: &str) -> Result<Duration, Diagnostics> {
    Timeouts::get(model.timeouts.as_ref(), operation, DEFAULT_TIMEOUT).map_err(diags)
}

/// Process arguments do not exist on shared tiers (TENANT/FLEX).
fn has_process_args(cluster: &Cluster) -> bool {
    let shared = cluster
        .replication_specs
        .iter()
        .flatten()
        .flat_map(|s| s.region_configs.iter().flatten())
        .any(|rc| matches!(rc.provider_name.as_deref(), Some("TENANT") | Some("FLEX")));
    !shared
}

/// A failed wait as a diagnostic, at `timeouts.<operation>` when it timed out.
fn wait_error(
    client: &AtlasClient,
    what: &str,
    operation: &str,
    limit: Duration,
    err: &Error,
) -> Diagnostic {
    match err {
        Error::Timeout { operation: detail } => Diagnostic::error_at(
            AttributePath::root(ClusterModel::ATTR.timeouts).attr(operation),
            format!("Timeout while {what}"),
            format!(
                "The cluster did not become ready within the {operation} timeout ({}s): {detail}. Raise timeouts.{operation} if Atlas needs longer.",
                limit.as_secs_f64()
            ),
        ),
        other => api_error(client, what, other),
    }
}

impl AdvancedClusterResource {
    async fn wait_idle(
        cx: &Context<AtlasClient>,
        project_id: &str,
        name: &str,
        limit: Duration,
        what: &str,
        operation: &str,
    ) -> Result<Cluster, Diagnostics> {
        let client = cx.client();
        let clusters = client.clusters();
        calls::wait(|| clusters.wait_idle(project_id, name, limit, cx.cancellation().cancelled()))
            .await
            .map_err(|e| diags(wait_error(client, what, operation, limit, &e)))
    }

    async fn patch(
        cx: &Context<AtlasClient>,
        project_id: &str,
        name: &str,
        body: &Cluster,
        limit: Duration,
    ) -> Result<Cluster, Diagnostics> {
        let client = cx.client();
        let what = format!("updating cluster {name:?}");
        // Absolute values only: repeating the PATCH after an ambiguous failure is safe (the
        // sandbox and Atlas accept a PATCH while the cluster is UPDATING).
        let clusters = client.clusters();
        calls::read(cx, &what, || clusters.update(project_id, name, body)).await?;
        Self::wait_idle(cx, project_id, name, limit, &what, "update").await
    }

    async fn read_process_args(
        cx: &Context<AtlasClient>,
        project_id: &str,
        cluster: &Cluster,
    ) -> Result<Option<ProcessArgs>, Diagnostics> {
        if !has_process_args(cluster) {
            return Ok(None);
        }
        let name = cluster.name.clone().unwrap_or_default();
        let client = cx.client();
        let clusters = client.clusters();
        let what = format!("reading the process arguments of cluster {name:?}");
        match calls::retry(cx, &what, || clusters.get_process_args(project_id, &name)).await {
            Ok(a) => Ok(Some(a)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(diags(api_error(client, &what, &e))),
        }
    }

    async fn write_process_args(
        cx: &Context<AtlasClient>,
        project_id: &str,
        name: &str,
        args: &ProcessArgs,
        limit: Duration,
        operation: &str,
    ) -> Result<(), Diagnostics> {
        let client = cx.client();
        let what = format!("updating the process arguments of cluster {name:?}");
        let clusters = client.clusters();
        calls::retry(cx, &what, || {
            clusters.update_process_args(project_id, name, args)
        })
        .await
        .map_err(|e| {
            diags(api_error(client, &what, &e).with_path(AttributePath::root(
                ClusterModel::ATTR.advanced_configuration,
            )))
        })?;
        Self::wait_idle(cx, project_id, name, limit, &what, operation).await?;
        Ok(())
    }

    /// The final read after create/update: cluster and process arguments.
    async fn read_back(
        cx: &Context<AtlasClient>,
        project_id: &str,
        name: &str,
        plan: &ClusterModel,
    ) -> Result<ClusterModel, Diagnostics> {
        let clusters = cx.client().clusters();
        let cluster = calls::read(cx, &format!("reading cluster {name:?}"), || {
            clusters.get(project_id, name)
        })
        .await?;
        let args = Self::read_process_args(cx, project_id, &cluster).await?;
        Ok(flatten::flatten(&cluster, args.as_ref(), plan))
    }

    /// After a create timeout: fire a DELETE when asked to, and say what happened.
    async fn create_timed_out(
        cx: &Context<AtlasClient>,
        plan: &ClusterModel,
        project_id: &str,
        name: &str,
        limit: Duration,
        err: &Error,
    ) -> Diagnostics {
        let client = cx.client();
        let mut d = wait_error(
            client,
            &format!("creating cluster {name:?}"),
            "create",
            limit,
            err,
        );
        if plan.delete_on_create_timeout == Some(false) {
            d.detail.push_str(
                " delete_on_create_timeout is false, so the cluster was left in Atlas; import it or delete it before applying again.",
            );
        } else {
            let clusters = client.clusters();
            let what = format!("deleting cluster {name:?}");
            match calls::retry(cx, &what, || clusters.delete(project_id, name, None)).await {
                Ok(()) => d.detail.push_str(
                    " delete_on_create_timeout is true, so the provider asked Atlas to delete the cluster; the deletion continues in Atlas.",
                ),
                Err(e) if e.is_not_found() => {}
                Err(e) => d.detail.push_str(&format!(
                    " delete_on_create_timeout is true, but deleting the cluster failed too: {e}. Delete it in Atlas before applying again."
                )),
            }
        }
        diags(d)
    }
}

/// Whether `mongo_db_major_version` is a major version such as "8" or "8.0".
fn is_major_version(v: &str) -> bool {
    let mut parts = v.split('.');
    let major = parts.next().unwrap_or_default();
    let minor = parts.next();
    !major.is_empty()
        && major.bytes().all(|b| b.is_ascii_digit())
        && minor.is_none_or(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
        && parts.next().is_none()
}

#[async_trait]
impl Resource for AdvancedClusterResource {
    type Client = AtlasClient;
    type Model = ClusterModel;
    const TYPE_NAME: &'static str = "mongodbatlas_advanced_cluster";

    const VALIDATES_MODEL: bool = true;
    const PLANS_MODEL: bool = true;

    fn schema() -> Schema {
        Schema::new(ClusterModel::block()).with_version(SCHEMA_VERSION)
    }

    fn validate_model(&self, config: &ClusterModel) -> Diagnostics {
        let mut out = Diagnostics::new();
        for op in ["create", "update", "delete"] {
            if let Err(d) = Timeouts::get(config.timeouts.as_ref(), op, DEFAULT_TIMEOUT) {
                out.push(d);
            }
        }
        if let Some(v) = config.mongo_db_major_version.known() {
            if !is_major_version(v) {
                out.push(Diagnostic::error_at(
                    AttributePath::root(ClusterModel::ATTR.mongo_db_major_version),
                    "Invalid MongoDB major version",
                    format!("{v:?} is not a major version such as \"8.0\"."),
                ));
            }
        }
        out
    }

    /// Keeps the plan quiet (see [`plan`]). A create has no prior values to keep, and a
    /// replacement (also when `project_id` or `name` is unknown) is planned again as a create.
    fn plan_model(&self, plan: &mut ModelPlan<'_, ClusterModel>) -> Result<(), Diagnostics> {
        if plan.is_create() || !plan.replacements().is_empty() {
            return Ok(());
        }
        let Some(prior) = plan.prior()?.cloned() else {
            return Ok(());
        };
        let config = plan.config()?.clone();
        plan::adjust_update(&prior, &config, plan.planned()?);
        Ok(())
    }

    async fn create(
        &self,
        cx: &Context<AtlasClient>,
        req: CreateRequest<ClusterModel>,
    ) -> Result<ClusterModel, Diagnostics> {
        let plan = req.plan;
        let (project_id, name) = (plan.project_id.clone(), plan.name.clone());
        let limit = timeout(&plan, "create")?;
        let client = cx.client();
        let what = format!("creating cluster {name:?}");
        let body = expand::create_body(&plan);
        let clusters = client.clusters();
        // After an ambiguous failure: a cluster of that name is ours (adopted, then awaited).
        calls::create(
            cx,
            &what,
            || clusters.create(&project_id, &body),
            || clusters.get_opt(&project_id, &name),
            |e| e.error_code() == Some(codes::DUPLICATE_CLUSTER_NAME),
        )
        .await?;
        if let Err(e) = calls::wait(|| {
            clusters.wait_idle(&project_id, &name, limit, cx.cancellation().cancelled())
        })
        .await
        {
            if matches!(e, Error::Timeout { .. }) {
                return Err(Self::create_timed_out(cx, &plan, &project_id, &name, limit, &e).await);
            }
            return Err(diags(wait_error(client, &what, "create", limit, &e)));
        }
        // Atlas cannot create a paused cluster: create, then pause.
        if plan.paused == Some(true) {
            let body = Cluster {
                paused: Some(true),
                ..Default::default()
            };
            Self::patch(cx, &project_id, &name, &body, limit).await?;
        }
        if let Some(args) = expand::process_args(plan.advanced_configuration.known(), None) {
            Self::write_process_args(cx, &project_id, &name, &args, limit, "create").await?;
        }
        Self::read_back(cx, &project_id, &name, &plan).await
    }

    async fn read(
        &self,
        cx: &Context<AtlasClient>,
        req: ReadRequest<ClusterModel>,
    ) -> Result<Option<ClusterModel>, Diagnostics> {
        let (project_id, name) = (&req.state.project_id, &req.state.name);
        let clusters = cx.client().clusters();
        let Some(cluster) = calls::read(cx, &format!("reading cluster {name:?}"), || {
            clusters.get_opt(project_id, name)
        })
        .await?
        else {
            return Ok(None);
        };
        let args = Self::read_process_args(cx, project_id, &cluster).await?;
        Ok(Some(flatten::flatten(&cluster, args.as_ref(), &req.state)))
    }

    async fn update(
        &self,
        cx: &Context<AtlasClient>,
        req: UpdateRequest<ClusterModel>,
    ) -> Result<ClusterModel, Diagnostics> {
        let (plan, prior) = (req.plan, req.prior);
        let (project_id, name) = (prior.project_id.clone(), prior.name.clone());
        let limit = timeout(&plan, "update")?;
        let pausing = plan.paused == Some(true) && prior.paused != Some(true);
        let resuming = plan.paused == Some(false) && prior.paused == Some(true);
        if resuming {
            let body = Cluster {
                paused: Some(false),
                ..Default::default()
            };
            Self::patch(cx, &project_id, &name, &body, limit).await?;
        }
        if let Some(body) = expand::update_body(&plan, &prior) {
            Self::patch(cx, &project_id, &name, &body, limit).await?;
        }
        if let Some(args) = expand::process_args(
            plan.advanced_configuration.known(),
            prior.advanced_configuration.known(),
        ) {
            Self::write_process_args(cx, &project_id, &name, &args, limit, "update").await?;
        }
        if pausing {
            let body = Cluster {
                paused: Some(true),
                ..Default::default()
            };
            Self::patch(cx, &project_id, &name, &body, limit).await?;
        }
        Self::read_back(cx, &project_id, &name, &plan).await
    }

    async fn delete(
        &self,
        cx: &Context<AtlasClient>,
        req: DeleteRequest<ClusterModel>,
    ) -> Result<(), Diagnostics> {
        let prior = req.prior;
        let (project_id, name) = (prior.project_id.clone(), prior.name.clone());
        let limit = timeout(&prior, "delete")?;
        let client = cx.client();
        let what = format!("deleting cluster {name:?}");
        let clusters = client.clusters();
        match calls::retry(cx, &what, || {
            clusters.delete(&project_id, &name, prior.retain_backups_enabled)
        })
        .await
        {
            Ok(()) => {}
            Err(e) if e.is_not_found() => return Ok(()),
            // An earlier, ambiguous attempt was accepted: wait for it.
            Err(e) if e.error_code() == Some(codes::CLUSTER_ALREADY_REQUESTED_DELETION) => {}
            Err(e) => return Err(diags(api_error(client, &what, &e))),
        }
        calls::wait(|| {
            clusters.wait_deleted(&project_id, &name, limit, cx.cancellation().cancelled())
        })
        .await
        .map_err(|e| diags(wait_error(client, &what, "delete", limit, &e)))
    }

    async fn import(
        &self,
        _cx: &Context<AtlasClient>,
        id: &str,
    ) -> Result<ClusterModel, Diagnostics> {
        let (project_id, name) =
            parse_import_id(id).map_err(|e| diags(Diagnostic::error("Invalid import ID", e)))?;
        Ok(ClusterModel {
            project_id,
            name,
            delete_on_create_timeout: Some(true),
            ..Default::default()
        })
    }

    fn upgrade_state(
        &self,
        version: i64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        match version {
            SCHEMA_VERSION => Ok(state),
            1 => upgrade::upgrade_v1(&ClusterModel::block(), &state),
            v => Err(diags(Diagnostic::error(
                "Unsupported state version",
                format!(
                    "mongodbatlas_advanced_cluster state version {v} cannot be read by this provider (it writes version {}).",
                    SCHEMA_VERSION
                ),
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use tfplugin::model::Tf;
    use tfplugin::resource::DynResource;
    use tfplugin::value::Value;

    #[test]
    fn validate_rejects_bad_timeouts_and_versions() {
        let r = AdvancedClusterResource;
        let config = |create: &str, version: &str| ClusterModel {
            timeouts: Some(Timeouts {
                create: Some(create.into()),
                ..Default::default()
            }),
            mongo_db_major_version: Tf::Known(version.into()),
            ..Default::default()
        };
        let d = r.validate_model(&config("10 minutes", "eight"));
        let paths: Vec<_> = d.iter().filter_map(|d| d.path.clone()).collect();
        assert_eq!(
            paths,
            vec![
                AttributePath::root("timeouts").attr("create"),
                AttributePath::root("mongo_db_major_version")
            ]
        );
        assert!(r.validate_model(&config("2h", "8.0")).is_empty());
        assert!(r.validate_model(&config("2h", "8")).is_empty());
    }

    #[test]
    fn validation_of_a_configuration_value_skips_unknowns() {
        let r = AdvancedClusterResource;
        let config = |version: Value| {
            Value::object([
                ("project_id", Value::unknown()),
                ("name", Value::string("c1")),
                ("mongo_db_major_version", version),
                (
                    "timeouts",
                    Value::object([("create", Value::unknown()), ("delete", Value::string("x"))]),
                ),
            ])
        };
        let validate = |v: Value| DynResource::<AtlasClient>::validate(&r, &config(v));
        let paths = |d: Diagnostics| d.iter().filter_map(|d| d.path.clone()).collect::<Vec<_>>();
        assert_eq!(
            paths(validate(Value::unknown())),
            vec![AttributePath::root("timeouts").attr("delete")]
        );
        assert_eq!(paths(validate(Value::string("8.x"))).len(), 2);
    }

    #[tokio::test]
    async fn import_parses_the_id() {
        let r = AdvancedClusterResource;
        let client = atlas_admin_sdk::Client::builder()
            .base_url("http://127.0.0.1:9")
            .digest_auth("k", "s")
            .build();
        let Ok(client) = client else { panic!("client") };
        let cx = Context::new(AtlasClient::new(client), Default::default());
        let m = Resource::import(&r, &cx, "5f1d5c2b8a1e4c3d2b1a0f9e-Cluster0")
            .await
            .unwrap_or_default();
        assert_eq!(m.name, "Cluster0");
        assert_eq!(m.project_id, "5f1d5c2b8a1e4c3d2b1a0f9e");
        assert_eq!(m.delete_on_create_timeout, Some(true));
        assert!(Resource::import(&r, &cx, "nonsense").await.is_err());
    }
}
