//! Issue 12: names Atlas accepts apply against the sandbox. The official provider's example
//! configurations create projects named "Asymmetric Sharded Cluster", "Global Cluster" and
//! "Multi-Cloud Cluster", and Atlas's default project is "Project 0"; the spec's name pattern
//! has no space, but Atlas takes them (sandbox/COVERAGE.md, "Deviations from the spec").

use acceptance_tests::{Case, Step, REQUIRED_PROVIDERS};
use anyhow::{ensure, Result};

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");

const NAMES: [&str; 4] = [
    "Asymmetric Sharded Cluster",
    "Global Cluster",
    "Multi-Cloud Cluster",
    "Project 0",
];

fn config() -> String {
    let mut cfg = format!(
        r#"{REQUIRED_PROVIDERS}
variable "org_id" {{
  type = string
}}
"#
    );
    for (i, name) in NAMES.iter().enumerate() {
        cfg.push_str(&format!(
            r#"
resource "mongodbatlas_project" "p{i}" {{
  name   = "{name}"
  org_id = var.org_id
}}
"#
        ));
    }
    // Looked up by its spaced name, as the official examples' data sources do.
    cfg.push_str(
        r#"
data "mongodbatlas_project" "by_name" {
  name = mongodbatlas_project.p3.name
}

output "by_name_id" {
  value = data.mongodbatlas_project.by_name.id
}

output "p3_id" {
  value = mongodbatlas_project.p3.id
}
"#,
    );
    cfg
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_projects_with_spaced_names_apply() -> Result<()> {
    let mut steps = Step::apply(config())
        // The data source found "Project 0" by name.
        .check_pair("output.by_name_id", "output.p3_id")
        .check_remote(|ctx| async move {
            let mut remote: Vec<String> = ctx
                .client
                .projects()
                .list_all()
                .await?
                .into_iter()
                .map(|p| p.name)
                .collect();
            remote.sort();
            let mut expected: Vec<String> = NAMES.iter().map(|n| n.to_string()).collect();
            expected.sort();
            ensure!(remote == expected, "projects in the sandbox: {remote:?}");
            Ok(())
        });
    for (i, name) in NAMES.iter().enumerate() {
        steps = steps
            .expect_create(&format!("mongodbatlas_project.p{i}"))
            .check_eq(&format!("mongodbatlas_project.p{i}.name"), *name);
    }
    Case::new("spaced-names")
        .step(steps)
        .check_destroyed(|ctx| async move {
            let left = ctx.client.projects().list_all().await?;
            ensure!(left.is_empty(), "projects left after destroy: {left:?}");
            Ok(())
        })
        .run_new(PROVIDER)
        .await
}
