//! Acceptance tests for `mongodbatlas_database_user` and its data sources: real terraform,
//! real provider binary, real sandbox.

use acceptance_tests::{actions_for, assert_same_attributes, examples_dir, Harness, Workdir};
use anyhow::{Context as _, Result};
use atlas_admin_sdk::models::CreateProject;
use terraform_provider_mongodbatlas::resources::database_user::user_state_id;

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");
const ADDR: &str = "mongodbatlas_database_user.test";

const HEADER: &str = concat!(
    acceptance_tests::required_providers!(),
    r#"
variable "project_id" {
  type = string
}
"#
);

/// A user block; `extra` goes inside the resource (roles, scopes, password …).
fn user(username: &str, extra: &str) -> String {
    format!(
        r#"{HEADER}
resource "mongodbatlas_database_user" "test" {{
  project_id         = var.project_id
  username           = "{username}"
  auth_database_name = "admin"
{extra}
}}
"#
    )
}

const ROLES_A: &str = r#"
  password    = "first-password-1"
  description = "first"
  roles {
    role_name     = "readWrite"
    database_name = "app"
  }
  roles {
    role_name       = "read"
    database_name   = "reporting"
    collection_name = "daily"
  }
  labels {
    key   = "team"
    value = "payments"
  }
"#;

const ROLES_B: &str = r#"
  password    = "second-password-2"
  description = "second"
  roles {
    role_name     = "readWriteAnyDatabase"
    database_name = "admin"
  }
  labels {
    key   = "team"
    value = "payments"
  }
  scopes {
    name = "cluster-0"
    type = "CLUSTER"
  }
"#;

/// A sandbox, a project made through the SDK, and a working directory pointed at it.
async fn setup(name: &str, config: &str) -> Result<(Harness, Workdir, String)> {
    let h = Harness::start(PROVIDER).await?;
    let project = h
        .client()?
        .projects()
        .create(CreateProject::new(
            format!("acc-{name}"),
            h.sandbox.org_id.clone(),
        ))
        .await?;
    let mut wd = h.workdir(name, config)?;
    wd.set_env("TF_VAR_project_id", &project.id);
    Ok((h, wd, project.id))
}

fn text(v: &serde_json::Value) -> &str {
    v.as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_database_user_basic() -> Result<()> {
    let (h, wd, project_id) = setup("basic", &user("acc-user", ROLES_A)).await?;
    let plan = wd.plan_json(&[]).await?;
    let change = plan["resource_changes"][0]["change"].clone();
    assert_eq!(
        change["after"]["x509_type"], "NONE",
        "defaults are planned: {change}"
    );
    assert_eq!(
        change["after_unknown"]["id"],
        serde_json::Value::Null,
        "id is planned, not (known after apply): {change}"
    );
    wd.apply().await?;
    let state = wd.resource_values(ADDR).await?;
    assert_eq!(
        text(&state["id"]),
        user_state_id(&project_id, "acc-user", "admin")
    );
    assert_eq!(state["project_id"], project_id.as_str());
    assert_eq!(state["description"], "first");
    assert_eq!(state["aws_iam_type"], "NONE");
    assert_eq!(state["oidc_auth_type"], "NONE");
    assert_eq!(state["roles"].as_array().map(Vec::len), Some(2));
    assert_eq!(state["labels"][0]["key"], "team");
    assert_eq!(state["password"], "first-password-1");
    assert!(state["password_wo"].is_null());
    let remote = h
        .client()?
        .database_users()
        .get(&project_id, "admin", "acc-user")
        .await?;
    assert_eq!(remote.roles.map(|r| r.len()), Some(2));
    wd.assert_empty_plan(&[]).await?;
    wd.assert_empty_plan(&["-refresh=false"]).await?;
    wd.destroy().await?;
    let left = h.client()?.database_users().list_all(&project_id).await?;
    assert!(left.is_empty(), "users left after destroy: {left:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_database_user_update() -> Result<()> {
    let (h, wd, project_id) = setup("update", &user("acc-user", ROLES_A)).await?;
    wd.apply().await?;
    let before = wd.resource_values(ADDR).await?;
    wd.write_config(&user("acc-user", ROLES_B))?;
    let plan = wd.plan_json(&[]).await?;
    assert_eq!(actions_for(&plan, ADDR), ["update"]);
    wd.apply().await?;
    let after = wd.resource_values(ADDR).await?;
    assert_eq!(after["id"], before["id"]);
    assert_eq!(after["description"], "second");
    assert_eq!(after["password"], "second-password-2");
    assert_eq!(after["scopes"][0]["name"], "cluster-0");
    let remote = h
        .client()?
        .database_users()
        .get(&project_id, "admin", "acc-user")
        .await?;
    let roles = remote.roles.unwrap_or_default();
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].role_name.as_deref(), Some("readWriteAnyDatabase"));
    assert_eq!(remote.scopes.map(|s| s.len()), Some(1));
    wd.assert_empty_plan(&[]).await?;

    // Removing the description and the scopes is an in-place update too.
    let trimmed = ROLES_B.replace("  description = \"second\"\n", "").replace(
        "  scopes {\n    name = \"cluster-0\"\n    type = \"CLUSTER\"\n  }\n",
        "",
    );
    wd.write_config(&user("acc-user", &trimmed))?;
    let plan = wd.plan_json(&[]).await?;
    assert_eq!(actions_for(&plan, ADDR), ["update"]);
    wd.apply().await?;
    let remote = h
        .client()?
        .database_users()
        .get(&project_id, "admin", "acc-user")
        .await?;
    assert!(remote.description.unwrap_or_default().is_empty());
    assert!(remote.scopes.unwrap_or_default().is_empty());
    wd.assert_empty_plan(&[]).await?;
    wd.destroy().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_database_user_replace() -> Result<()> {
    let (h, wd, project_id) = setup("replace", &user("acc-user", ROLES_A)).await?;
    wd.apply().await?;
    wd.write_config(&user("acc-user-renamed", ROLES_A))?;
    let plan = wd.plan_json(&[]).await?;
    let actions = actions_for(&plan, ADDR);
    assert!(
        actions == ["delete", "create"] || actions == ["create", "delete"],
        "username change replaces: {actions:?}"
    );
    wd.apply().await?;
    let users = h.client()?.database_users().list_all(&project_id).await?;
    let names: Vec<_> = users.iter().filter_map(|u| u.username.clone()).collect();
    assert_eq!(names, ["acc-user-renamed"]);
    wd.assert_empty_plan(&[]).await?;
    wd.destroy().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_database_user_import() -> Result<()> {
    let username = "acc-user-with-dashes";
    let (h, wd, project_id) = setup("import", &user(username, ROLES_B)).await?;
    wd.apply().await?;
    let applied = wd.resource_values(ADDR).await?;
    for (i, id) in [
        format!("{project_id}-{username}-admin"),
        format!("{project_id}/{username}/admin"),
    ]
    .iter()
    .enumerate()
    {
        let mut imp = h.workdir(&format!("import{i}"), &user(username, ROLES_B))?;
        imp.set_env("TF_VAR_project_id", &project_id);
        imp.ok(&["import", "-no-color", ADDR, id])
            .await
            .with_context(|| format!("importing {id}"))?;
        let imported = imp.resource_values(ADDR).await?;
        assert_same_attributes(
            &applied,
            &imported,
            &["password", "password_wo", "password_wo_version"],
        )?;
    }
    let mut bad = h.workdir("import-bad", &user(username, ROLES_B))?;
    bad.set_env("TF_VAR_project_id", &project_id);
    let out = bad.run(&["import", "-no-color", ADDR, "nonsense"]).await?;
    assert_ne!(out.status, 0);
    assert!(
        out.combined()
            .contains("{project_id}-{username}-{auth_database_name}"),
        "{}",
        out.combined()
    );
    wd.destroy().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_database_user_disappears() -> Result<()> {
    let (h, wd, project_id) = setup("disappears", &user("acc-user", ROLES_A)).await?;
    wd.apply().await?;
    h.client()?
        .database_users()
        .delete(&project_id, "admin", "acc-user")
        .await?;
    let plan = wd.plan_json(&[]).await?;
    assert_eq!(actions_for(&plan, ADDR), ["create"]);
    wd.apply().await?;
    wd.assert_empty_plan(&[]).await?;
    wd.destroy().await?;
    Ok(())
}

const WO_SECRET: &str = "write-only-Secret-4711";

fn wo_config(version: i64) -> String {
    format!(
        r#"{}
variable "pw" {{
  type      = string
  sensitive = true
  ephemeral = true
}}
"#,
        user(
            "acc-wo",
            &format!(
                r#"
  password_wo         = var.pw
  password_wo_version = {version}
  roles {{
    role_name     = "read"
    database_name = "app"
  }}
"#
            ),
        )
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_database_user_password_wo() -> Result<()> {
    let (_h, mut wd, _project_id) = setup("wo", &wo_config(1)).await?;
    wd.set_env("TF_VAR_pw", WO_SECRET);
    let plan = wd.plan_json(&[]).await?;
    assert!(
        !plan.to_string().contains(WO_SECRET),
        "the saved plan holds the write-only password"
    );
    let plan_file = std::fs::read(wd.dir.join("tfplan"))?;
    assert!(
        !String::from_utf8_lossy(&plan_file).contains(WO_SECRET),
        "the plan file holds the write-only password"
    );
    wd.apply().await?;
    let state = wd.state().await?;
    assert!(!state.to_string().contains(WO_SECRET), "state: {state}");
    let raw = std::fs::read_to_string(wd.dir.join("terraform.tfstate"))?;
    assert!(!raw.contains(WO_SECRET), "terraform.tfstate holds it");
    let values = wd.resource_values(ADDR).await?;
    assert!(values["password_wo"].is_null());
    assert!(values["password"].is_null());
    assert_eq!(values["password_wo_version"], 1);
    wd.assert_empty_plan(&[]).await?;

    // A new version sends the password again, in place.
    wd.write_config(&wo_config(2))?;
    wd.set_env("TF_VAR_pw", "rotated-Secret-0815");
    let plan = wd.plan_json(&[]).await?;
    assert_eq!(actions_for(&plan, ADDR), ["update"]);
    wd.apply().await?;
    let values = wd.resource_values(ADDR).await?;
    assert_eq!(values["password_wo_version"], 2);
    wd.assert_empty_plan(&[]).await?;
    let raw = std::fs::read_to_string(wd.dir.join("terraform.tfstate"))?;
    assert!(!raw.contains("rotated-Secret-0815"));

    // password and password_wo together: a validation error naming password_wo.
    wd.write_config(&wo_config(2).replace(
        "  password_wo         = var.pw\n",
        "  password_wo         = var.pw\n  password = \"plain-password-1\"\n",
    ))?;
    let out = wd.run(&["plan", "-no-color"]).await?;
    assert_ne!(out.status, 0);
    let text = out.combined();
    assert!(
        text.contains("Conflicting password attributes") && text.contains("password_wo"),
        "{text}"
    );
    wd.write_config(&wo_config(2))?;
    wd.destroy().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_database_user_data_sources() -> Result<()> {
    let cfg = format!(
        "{}{}",
        user("acc-ds", ROLES_B),
        r#"
data "mongodbatlas_database_user" "one" {
  project_id         = mongodbatlas_database_user.test.project_id
  username           = mongodbatlas_database_user.test.username
  auth_database_name = "admin"
}

data "mongodbatlas_database_users" "all" {
  project_id = var.project_id
  depends_on = [mongodbatlas_database_user.test]
}

output "one_roles" {
  value = [for r in data.mongodbatlas_database_user.one.roles : r.role_name]
}

output "one_scope" {
  value = [for s in data.mongodbatlas_database_user.one.scopes : s.name]
}

output "one_description" {
  value = data.mongodbatlas_database_user.one.description
}

output "all_names" {
  value = [for u in data.mongodbatlas_database_users.all.results : u.username]
}

output "all_types" {
  value = [for u in data.mongodbatlas_database_users.all.results : u.x509_type]
}
"#
    );
    let (_h, wd, _project_id) = setup("ds", &cfg).await?;
    wd.apply().await?;
    let out = wd.ok(&["output", "-json"]).await?;
    let outputs: serde_json::Value = serde_json::from_str(&out.stdout)?;
    assert_eq!(
        outputs["one_roles"]["value"],
        serde_json::json!(["readWriteAnyDatabase"])
    );
    assert_eq!(
        outputs["one_scope"]["value"],
        serde_json::json!(["cluster-0"])
    );
    assert_eq!(outputs["one_description"]["value"], "second");
    assert_eq!(outputs["all_names"]["value"], serde_json::json!(["acc-ds"]));
    assert_eq!(outputs["all_types"]["value"], serde_json::json!(["NONE"]));
    wd.assert_empty_plan(&[]).await?;
    wd.destroy().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_database_user_example_applies() -> Result<()> {
    let example = std::fs::read_to_string(
        examples_dir().join("resources/mongodbatlas_database_user/resource.tf"),
    )?;
    let (_h, mut wd, _project_id) = setup("example", &example).await?;
    wd.set_env("TF_VAR_app_password", "example-Password-1");
    wd.ok(&["validate", "-no-color"]).await?;
    wd.apply().await?;
    wd.assert_empty_plan(&[]).await?;
    wd.destroy().await?;
    Ok(())
}
