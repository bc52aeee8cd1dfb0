//! Acceptance tests for `mongodbatlas_custom_db_role` and its data sources: the declarative
//! matrix (create, update in place by changing actions, import by `{project_id}-{role_name}`,
//! replace by renaming, disappears), a role inheriting another one and a built-in role (with
//! a cluster resource and the `collection_name = ""` spelling kept), both data sources, and
//! validation (plan time and Atlas's 400s).

use acceptance_tests::case::encoded_state_id;
use acceptance_tests::{Case, Harness, Matrix, Step, REQUIRED_PROVIDERS};
use anyhow::{ensure, Result};
use atlas_admin_sdk::models::CreateProject;

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");
const ADDR: &str = "mongodbatlas_custom_db_role.test";

fn header() -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
variable "project_id" {{
  type = string
}}
"#
    )
}

/// `action` on database `db` (and `collection`, when given).
fn action(action: &str, db: &str, collection: Option<&str>) -> String {
    let collection = collection.map_or(String::new(), |c| {
        format!("\n      collection_name = \"{c}\"")
    });
    format!(
        r#"
  actions {{
    action = "{action}"
    resources {{
      database_name = "{db}"{collection}
    }}
  }}"#
    )
}

fn role(name: &str, body: &str) -> String {
    format!(
        r#"{}
resource "mongodbatlas_custom_db_role" "test" {{
  project_id = var.project_id
  role_name  = "{name}"{body}
}}
"#,
        header()
    )
}

async fn setup(name: &str) -> Result<(Harness, String)> {
    let h = Harness::start(PROVIDER).await?;
    let project = h
        .client()?
        .projects()
        .create(CreateProject::new(name, h.sandbox.org_id.clone()))
        .await?;
    Ok((h, project.id))
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_custom_db_role_matrix() -> Result<()> {
    let (h, project_id) = setup("acc-roles").await?;
    let find = action("FIND", "app", None);
    let two = format!("{find}{}", action("INSERT", "app", Some("orders")));
    let pid = project_id.clone();
    Matrix::new(
        ADDR,
        Step::apply(role("acc-reader", &find))
            .check_eq(
                &format!("{ADDR}.id"),
                encoded_state_id(&[
                    ("project_id", project_id.as_str()),
                    ("role_name", "acc-reader"),
                ]),
            )
            .check_eq(&format!("{ADDR}.role_name"), "acc-reader")
            .check_eq(&format!("{ADDR}.actions.#"), 1)
            .check_eq(&format!("{ADDR}.actions.0.action"), "FIND")
            .check_eq(
                &format!("{ADDR}.actions.0.resources.0.database_name"),
                "app",
            )
            .check_absent(&format!("{ADDR}.actions.0.resources.0.collection_name"))
            .check_eq(&format!("{ADDR}.inherited_roles.#"), 0)
            .check_remote(|ctx| async move {
                let pid = ctx.state.str(&format!("{ADDR}.project_id"))?;
                let r = ctx.client.custom_db_roles().get(&pid, "acc-reader").await?;
                ensure!(
                    r.actions.len() == 1 && r.actions[0].resources[0].db == "app",
                    "{r:?}"
                );
                Ok(())
            }),
    )
    .update_in_place(
        Step::apply(role("acc-reader", &two))
            .check_eq(&format!("{ADDR}.actions.#"), 2)
            .check_remote(|ctx| async move {
                let pid = ctx.state.str(&format!("{ADDR}.project_id"))?;
                let r = ctx.client.custom_db_roles().get(&pid, "acc-reader").await?;
                let mut actions: Vec<_> = r.actions.iter().map(|a| a.action.as_str()).collect();
                actions.sort();
                ensure!(actions == ["FIND", "INSERT"], "{r:?}");
                Ok(())
            }),
    )
    .import(Step::import_verify(ADDR, &[]).import_id_fn(|state| {
        Ok(format!(
            "{}-{}",
            state.str(&format!("{ADDR}.project_id"))?,
            state.str(&format!("{ADDR}.role_name"))?
        ))
    }))
    .import(
        Step::import_verify(ADDR, &[])
            .import_id("not-a-valid-import-id-without-project")
            .expect_error(
                r"(?s)custom.db.role|ATLAS_CUSTOM_ROLE_NOT_FOUND|GROUP|not exist|Cannot import",
            ),
    )
    .replace(
        Step::apply(role("acc-reader-2", &two))
            .check_eq(&format!("{ADDR}.role_name"), "acc-reader-2")
            .check_remote(|ctx| async move {
                let pid = ctx.state.str(&format!("{ADDR}.project_id"))?;
                let api = ctx.client.custom_db_roles();
                ensure!(
                    api.find(&pid, "acc-reader").await?.is_none(),
                    "old role left"
                );
                ensure!(
                    api.find(&pid, "acc-reader-2").await?.is_some(),
                    "new role missing"
                );
                Ok(())
            }),
    )
    .disappears(Step::disappears(ADDR, |ctx| async move {
        let pid = ctx.state.str(&format!("{ADDR}.project_id"))?;
        let name = ctx.state.str(&format!("{ADDR}.role_name"))?;
        ctx.client.custom_db_roles().delete(&pid, &name).await?;
        Ok(())
    }))
    .into_case("custom_db_role")
    .var("project_id", project_id.as_str())
    .check_destroyed(move |ctx| {
        let pid = pid.clone();
        async move {
            let left = ctx.client.custom_db_roles().list(&pid).await?;
            ensure!(left.is_empty(), "roles left after destroy: {left:?}");
            Ok(())
        }
    })
    .run(&h)
    .await
}

const INHERITING: &str = r#"
resource "mongodbatlas_custom_db_role" "base" {
  project_id = var.project_id
  role_name  = "acc-base"

  actions {
    action = "FIND"
    resources {
      database_name   = "app"
      collection_name = ""
    }
  }
  actions {
    action = "SERVER_STATUS"
    resources {
      cluster = true
    }
  }
}

resource "mongodbatlas_custom_db_role" "child" {
  project_id = var.project_id
  role_name  = "acc-child"

  inherited_roles {
    role_name     = mongodbatlas_custom_db_role.base.role_name
    database_name = "admin"
  }
  inherited_roles {
    role_name     = "read"
    database_name = "logs"
  }
}
"#;

#[tokio::test(flavor = "multi_thread")]
async fn acc_custom_db_role_inherited_roles() -> Result<()> {
    let (h, project_id) = setup("acc-roles-inherit").await?;
    let pid = project_id.clone();
    const CHILD: &str = "mongodbatlas_custom_db_role.child";
    let child = CHILD;
    Case::new("custom_db_role_inherited")
        .var("project_id", project_id.as_str())
        .step(
            Step::apply(format!("{}{INHERITING}", header()))
                .expect_create(child)
                .expect_create("mongodbatlas_custom_db_role.base")
                .check_eq(&format!("{child}.inherited_roles.#"), 2)
                .check_eq("mongodbatlas_custom_db_role.base.actions.#", 2)
                .check_remote(|ctx| async move {
                    let pid = ctx.state.str(&format!("{CHILD}.project_id"))?;
                    let r = ctx.client.custom_db_roles().get(&pid, "acc-child").await?;
                    let mut inherited: Vec<_> = r
                        .inherited_roles
                        .iter()
                        .map(|i| format!("{}@{}", i.role, i.db))
                        .collect();
                    inherited.sort();
                    ensure!(inherited == ["acc-base@admin", "read@logs"], "{r:?}");
                    Ok(())
                }),
        )
        // The child goes first, so the base is never deleted while inherited (409).
        .check_destroyed(move |ctx| {
            let pid = pid.clone();
            async move {
                let left = ctx.client.custom_db_roles().list(&pid).await?;
                ensure!(left.is_empty(), "roles left after destroy: {left:?}");
                Ok(())
            }
        })
        .run(&h)
        .await
}

const DATA: &str = r#"
data "mongodbatlas_custom_db_role" "one" {
  project_id = mongodbatlas_custom_db_role.test.project_id
  role_name  = mongodbatlas_custom_db_role.test.role_name
}

data "mongodbatlas_custom_db_roles" "all" {
  project_id = var.project_id
  depends_on = [mongodbatlas_custom_db_role.test]
}
"#;

#[tokio::test(flavor = "multi_thread")]
async fn acc_custom_db_role_data_sources() -> Result<()> {
    let (h, project_id) = setup("acc-roles-data").await?;
    let body = format!(
        "{}\n  inherited_roles {{\n    role_name     = \"read\"\n    database_name = \"logs\"\n  }}",
        action("FIND", "app", Some("orders"))
    );
    let config = format!("{}{DATA}", role("acc-data", &body));
    let one = "data.mongodbatlas_custom_db_role.one";
    let all = "data.mongodbatlas_custom_db_roles.all";
    Case::new("custom_db_role_data_sources")
        .var("project_id", project_id.as_str())
        .step(
            Step::apply(config)
                .expect_create(ADDR)
                .check_eq(
                    &format!("{one}.id"),
                    encoded_state_id(&[
                        ("project_id", project_id.as_str()),
                        ("role_name", "acc-data"),
                    ]),
                )
                .check_eq(&format!("{one}.actions.#"), 1)
                .check_eq(&format!("{one}.actions.0.action"), "FIND")
                .check_eq(&format!("{one}.actions.0.resources.0.database_name"), "app")
                .check_eq(
                    &format!("{one}.actions.0.resources.0.collection_name"),
                    "orders",
                )
                .check_eq(&format!("{one}.inherited_roles.#"), 1)
                .check_eq(&format!("{one}.inherited_roles.0.role_name"), "read")
                .check_eq(&format!("{one}.inherited_roles.0.database_name"), "logs")
                .check_eq(&format!("{all}.results.#"), 1)
                .check_eq(&format!("{all}.results.0.role_name"), "acc-data")
                .check_eq(&format!("{all}.results.0.actions.0.action"), "FIND")
                .check_eq(
                    &format!("{all}.results.0.inherited_roles.0.role_name"),
                    "read",
                ),
        )
        .run(&h)
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_custom_db_role_validation() -> Result<()> {
    let (h, project_id) = setup("acc-roles-invalid").await?;
    let find = action("FIND", "app", None);
    let missing_parent =
        "\n  inherited_roles {\n    role_name     = \"no-such-role\"\n    database_name = \"admin\"\n  }";
    Case::new("custom_db_role_validation")
        .var("project_id", project_id.as_str())
        // Plan time: the name's characters and reserved prefix.
        .step(
            Step::plan_only(role("no spaces allowed", &find))
                .expect_error(r"role_name.*letters, digits, underscores, and dashes"),
        )
        .step(
            Step::plan_only(role("xgen-internal", &find))
                .expect_error(r"cannot start with 'xgen-'"),
        )
        // Atlas's 400s, at apply: an unknown action, a role to inherit that does not exist.
        .step(
            Step::apply(role("acc-bad-action", &action("FLY", "app", None)))
                .expect_error(r"INVALID_ENUM_VALUE"),
        )
        .step(
            Step::apply(role("acc-orphan", missing_parent))
                .expect_error(r"ATLAS_INVALID_CUSTOM_ROLE_INHERITANCE"),
        )
        .check_destroyed(move |ctx| {
            let pid = project_id.clone();
            async move {
                let left = ctx.client.custom_db_roles().list(&pid).await?;
                ensure!(
                    left.is_empty(),
                    "roles created by refused applies: {left:?}"
                );
                Ok(())
            }
        })
        .run(&h)
        .await
}
