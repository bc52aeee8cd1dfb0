//! The multi-resource example (project + cluster + two users + three access entries):
//! applied, re-planned empty, resized in place, destroyed with nothing left in the sandbox.

use acceptance_tests::{actions_for, changed_resources, examples_dir, Harness};
use anyhow::Result;

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");

#[tokio::test(flavor = "multi_thread")]
async fn acc_complete_example_lifecycle() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
    let config = std::fs::read_to_string(examples_dir().join("complete/main.tf"))?;
    let mut wd = h.workdir("complete", &config)?;

    wd.apply().await?;
    wd.assert_empty_plan(&[]).await?;
    wd.assert_empty_plan(&["-refresh=false"]).await?;

    let client = h.client()?;
    let projects = client.projects().list_all().await?;
    assert_eq!(projects.len(), 1, "exactly one project: {projects:?}");
    let pid = projects[0].id.clone();
    assert_eq!(client.clusters().list_all(&pid).await?.len(), 1);
    assert_eq!(client.database_users().list_all(&pid).await?.len(), 2);
    assert_eq!(client.access_list().list_all(&pid).await?.len(), 3);
    let srv = wd
        .ok(&["output", "-raw", "connection_string"])
        .await?
        .stdout;
    assert!(srv.starts_with("mongodb+srv://"), "{srv}");

    // Resize in place: only the cluster changes, and it is an update.
    wd.set_env("TF_VAR_instance_size", "M20");
    let plan = wd.plan_json(&[]).await?;
    assert_eq!(
        changed_resources(&plan),
        vec![(
            "mongodbatlas_advanced_cluster.main".to_string(),
            vec!["update".to_string()]
        )]
    );
    assert_eq!(
        actions_for(&plan, "mongodbatlas_advanced_cluster.main"),
        ["update"]
    );
    wd.apply().await?;
    wd.assert_empty_plan(&[]).await?;
    let cluster = client.clusters().get(&pid, "main").await?;
    let size = cluster
        .replication_specs
        .as_ref()
        .and_then(|s| s.first())
        .and_then(|s| s.region_configs.as_ref())
        .and_then(|r| r.first())
        .and_then(|r| r.electable_specs.as_ref())
        .and_then(|e| e.instance_size.clone());
    assert_eq!(size.as_deref(), Some("M20"));

    wd.destroy().await?;
    assert!(
        client.projects().list_all().await?.is_empty(),
        "nothing left after destroy"
    );
    Ok(())
}
