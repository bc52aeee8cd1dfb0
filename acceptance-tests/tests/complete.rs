//! The multi-resource example (project + cluster + two users + three access entries):
//! applied, re-planned empty, resized in place, destroyed with nothing left in the sandbox, as
//! a declarative case (see `acceptance_tests::case`).

use acceptance_tests::{changed_resources, examples_dir, Case, Ctx, Step};
use anyhow::{ensure, Context as _, Result};

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");
const CLUSTER: &str = "mongodbatlas_advanced_cluster.main";

/// The one project in the sandbox, and that it is the one in the state.
async fn the_project(ctx: &Ctx) -> Result<String> {
    let projects = ctx.client.projects().list_all().await?;
    ensure!(projects.len() == 1, "exactly one project: {projects:?}");
    let pid = projects[0].id.clone();
    let in_state = ctx.state.str("mongodbatlas_project.this.id")?;
    ensure!(in_state == pid, "the state holds {in_state}, Atlas {pid}");
    Ok(pid)
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_complete_example_lifecycle() -> Result<()> {
    let config = std::fs::read_to_string(examples_dir().join("complete/main.tf"))?;
    Case::new("complete")
        .steps([
            Step::apply(config.clone())
                .check_matches("output.connection_string", "^mongodb\\+srv://")
                .check_remote(|ctx| async move {
                    let pid = the_project(&ctx).await?;
                    let c = &ctx.client;
                    let clusters = c.clusters().list_all(&pid).await?.len();
                    let users = c.database_users().list_all(&pid).await?.len();
                    let entries = c.access_list().list_all(&pid).await?.len();
                    ensure!(
                        (clusters, users, entries) == (1, 2, 3),
                        "{clusters} cluster(s), {users} user(s), {entries} access list entries"
                    );
                    Ok(())
                }),
            // Resize in place: only the cluster changes, and it is an update.
            Step::apply(config)
                .env("TF_VAR_instance_size", "M20")
                .expect_update_in_place(CLUSTER)
                .check_plan(|plan| {
                    let changes = changed_resources(plan);
                    ensure!(
                        changes == [(CLUSTER.to_string(), vec!["update".to_string()])],
                        "only the cluster should change: {changes:?}"
                    );
                    Ok(())
                })
                .check_eq(
                    &format!("{CLUSTER}.replication_specs.0.region_configs.0.electable_specs.instance_size"),
                    "M20",
                )
                .check_remote(|ctx| async move {
                    let pid = the_project(&ctx).await?;
                    let cluster = ctx.client.clusters().get(&pid, "main").await?;
                    let size = cluster
                        .replication_specs
                        .as_ref()
                        .and_then(|s| s.first())
                        .and_then(|s| s.region_configs.as_ref())
                        .and_then(|r| r.first())
                        .and_then(|r| r.electable_specs.as_ref())
                        .and_then(|e| e.instance_size.clone())
                        .context("no instance size in Atlas")?;
                    ensure!(size == "M20", "Atlas has {size}");
                    Ok(())
                }),
        ])
        .check_destroyed(|ctx| async move {
            let left = ctx.client.projects().list_all().await?;
            ensure!(left.is_empty(), "nothing left after destroy: {left:?}");
            Ok(())
        })
        .run_new(PROVIDER)
        .await
}
