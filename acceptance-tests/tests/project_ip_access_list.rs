//! Acceptance tests for `mongodbatlas_project_ip_access_list` and its data sources: real
//! terraform, real provider binary, real sandbox.

use acceptance_tests::{actions_for, assert_same_attributes, examples_dir, Harness, Workdir};
use anyhow::{anyhow, Result};
use atlas_admin_sdk::models::CreateProject;
use serde_json::Value as Json;
use terraform_provider_mongodbatlas::resources::project_ip_access_list::access_list_state_id;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");

const HEADER: &str = concat!(
    acceptance_tests::required_providers!(),
    r#"
variable "project_id" {
  type = string
}
"#
);

fn entry(name: &str, body: &str) -> String {
    format!(
        r#"
resource "mongodbatlas_project_ip_access_list" "{name}" {{
  project_id = var.project_id
{body}
}}
"#
    )
}

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

/// `GET /_sandbox/stats` over a plain HTTP/1.0 connection.
async fn sandbox_stats(h: &Harness) -> Result<Json> {
    let mut conn = tokio::net::TcpStream::connect(h.sandbox.local_addr).await?;
    conn.write_all(b"GET /_sandbox/stats HTTP/1.0\r\nHost: sandbox\r\n\r\n")
        .await?;
    let mut raw = Vec::new();
    conn.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .ok_or_else(|| anyhow!("no body in {text}"))?;
    Ok(serde_json::from_str(body)?)
}

/// How many access list POSTs the sandbox answered.
fn create_posts(stats: &Json) -> u64 {
    stats["requests_by_operation"]
        .as_object()
        .map(|ops| {
            ops.iter()
                .filter(|(k, _)| k.to_lowercase().contains("create") && k.contains("AccessList"))
                .filter_map(|(_, v)| v.as_u64())
                .sum()
        })
        .unwrap_or(0)
}

const ADDR_IP: &str = "mongodbatlas_project_ip_access_list.ip";
const ADDR_CIDR: &str = "mongodbatlas_project_ip_access_list.cidr";

fn basic_config() -> String {
    format!(
        "{HEADER}{}{}",
        entry(
            "ip",
            "  ip_address = \"1.2.3.4\"\n  comment    = \"single ip\""
        ),
        entry("cidr", "  cidr_block = \"10.1.0.0/16\""),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_project_ip_access_list_basic() -> Result<()> {
    let (h, wd, project_id) = setup("basic", &basic_config()).await?;
    let plan = wd.plan_json(&[]).await?;
    for change in plan["resource_changes"].as_array().into_iter().flatten() {
        let unknown = &change["change"]["after_unknown"];
        assert!(
            unknown
                .as_object()
                .is_none_or(|o| o.values().all(|v| v != true)),
            "nothing is (known after apply) for {}: {unknown}",
            change["address"]
        );
    }
    wd.apply().await?;
    let ip = wd.resource_values(ADDR_IP).await?;
    assert_eq!(ip["ip_address"], "1.2.3.4");
    assert_eq!(ip["cidr_block"], "1.2.3.4/32");
    assert_eq!(ip["comment"], "single ip");
    assert!(ip["aws_security_group"].is_null());
    assert_eq!(
        ip["id"].as_str(),
        Some(access_list_state_id(&project_id, "1.2.3.4/32").as_str())
    );
    let cidr = wd.resource_values(ADDR_CIDR).await?;
    assert_eq!(cidr["cidr_block"], "10.1.0.0/16");
    assert!(cidr["ip_address"].is_null());
    assert!(cidr["comment"].is_null());
    let client = h.client()?;
    // The entry exists at once and Atlas applies it shortly after (the sandbox: 0.5 s).
    let status = client
        .access_list()
        .wait_applied(
            &project_id,
            "1.2.3.4",
            std::time::Duration::from_secs(10),
            std::future::pending(),
        )
        .await?;
    assert_eq!(status.as_str(), "ACTIVE");
    wd.assert_empty_plan(&[]).await?;
    wd.assert_empty_plan(&["-refresh=false"]).await?;
    wd.destroy().await?;
    let left = client.access_list().list_all(&project_id).await?;
    assert!(left.is_empty(), "entries left after destroy: {left:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_project_ip_access_list_single_host_cidr_is_quiet() -> Result<()> {
    let cfg = format!(
        "{HEADER}{}",
        entry("cidr", "  cidr_block = \"192.0.2.10/32\"")
    );
    let (_h, wd, _project_id) = setup("host", &cfg).await?;
    wd.apply().await?;
    let v = wd.resource_values(ADDR_CIDR).await?;
    assert_eq!(v["ip_address"], "192.0.2.10");
    wd.assert_empty_plan(&[]).await?;
    wd.assert_empty_plan(&["-refresh=false"]).await?;
    wd.destroy().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_project_ip_access_list_update() -> Result<()> {
    let (_h, wd, _project_id) = setup("update", &basic_config()).await?;
    wd.apply().await?;
    let before = wd.resource_values(ADDR_IP).await?;
    // Timeouts are the only in-place change the API allows.
    let cfg = basic_config().replace(
        "  comment    = \"single ip\"",
        "  comment    = \"single ip\"\n  timeouts = {\n    delete = \"5m\"\n  }",
    );
    wd.write_config(&cfg)?;
    let plan = wd.plan_json(&[]).await?;
    assert_eq!(actions_for(&plan, ADDR_IP), ["update"]);
    assert!(actions_for(&plan, ADDR_CIDR).iter().all(|a| a == "no-op"));
    wd.apply().await?;
    let after = wd.resource_values(ADDR_IP).await?;
    assert_eq!(after["id"], before["id"]);
    assert_eq!(after["timeouts"]["delete"], "5m");
    wd.assert_empty_plan(&[]).await?;
    wd.destroy().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_project_ip_access_list_replace() -> Result<()> {
    let (h, wd, project_id) = setup("replace", &basic_config()).await?;
    wd.apply().await?;
    for (from, to) in [
        ("\"1.2.3.4\"", "\"1.2.3.5\""),
        ("\"single ip\"", "\"renamed\""),
    ] {
        let cfg = std::fs::read_to_string(wd.dir.join("main.tf"))?.replace(from, to);
        wd.write_config(&cfg)?;
        let plan = wd.plan_json(&[]).await?;
        let actions = actions_for(&plan, ADDR_IP);
        assert!(
            actions == ["delete", "create"] || actions == ["create", "delete"],
            "{from} → {to} replaces: {actions:?}"
        );
        wd.apply().await?;
        wd.assert_empty_plan(&[]).await?;
    }
    let entries = h.client()?.access_list().list_all(&project_id).await?;
    let mut values: Vec<_> = entries.iter().filter_map(|e| e.entry_value()).collect();
    values.sort();
    assert_eq!(values, ["1.2.3.5/32", "10.1.0.0/16"]);
    assert_eq!(
        entries
            .iter()
            .find(|e| e.ip_address.as_deref() == Some("1.2.3.5"))
            .and_then(|e| e.comment.clone())
            .as_deref(),
        Some("renamed")
    );
    wd.destroy().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_project_ip_access_list_import() -> Result<()> {
    let (h, wd, project_id) = setup("import", &basic_config()).await?;
    wd.apply().await?;
    for (addr, value) in [
        (ADDR_IP, "1.2.3.4"),
        (ADDR_IP, "1.2.3.4/32"),
        (ADDR_CIDR, "10.1.0.0/16"),
    ] {
        let applied = wd.resource_values(addr).await?;
        let name = format!("import-{}", value.replace(['/', '.'], "_"));
        let cfg = format!(
            "{HEADER}{}",
            if addr == ADDR_IP {
                entry_ip_only()
            } else {
                entry("cidr", "  cidr_block = \"10.1.0.0/16\"")
            }
        );
        let mut imp = h.workdir(&name, &cfg)?;
        imp.set_env("TF_VAR_project_id", &project_id);
        imp.ok(&[
            "import",
            "-no-color",
            addr,
            &format!("{project_id}-{value}"),
        ])
        .await?;
        let imported = imp.resource_values(addr).await?;
        assert_same_attributes(&applied, &imported, &["timeouts"])?;
        imp.assert_empty_plan(&[]).await?;
    }
    wd.destroy().await?;
    Ok(())
}

fn entry_ip_only() -> String {
    entry(
        "ip",
        "  ip_address = \"1.2.3.4\"\n  comment    = \"single ip\"",
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_project_ip_access_list_disappears() -> Result<()> {
    let (h, wd, project_id) = setup("disappears", &basic_config()).await?;
    wd.apply().await?;
    h.client()?
        .access_list()
        .delete(&project_id, "1.2.3.4/32")
        .await?;
    let plan = wd.plan_json(&[]).await?;
    assert_eq!(actions_for(&plan, ADDR_IP), ["create"]);
    assert!(actions_for(&plan, ADDR_CIDR).iter().all(|a| a == "no-op"));
    wd.apply().await?;
    wd.assert_empty_plan(&[]).await?;
    wd.destroy().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_project_ip_access_list_many_entries_are_batched() -> Result<()> {
    let mut cfg = HEADER.to_string();
    for i in 0..20 {
        cfg.push_str(&entry(
            &format!("e{i}"),
            &format!(
                "  ip_address = \"198.51.100.{}\"\n  comment    = \"entry {i}\"",
                i + 1
            ),
        ));
    }
    let (h, wd, project_id) = setup("many", &cfg).await?;
    let before = create_posts(&sandbox_stats(&h).await?);
    wd.apply().await?;
    let stats = sandbox_stats(&h).await?;
    let posts = create_posts(&stats) - before;
    eprintln!("20 access list entries were created with {posts} POST(s)");
    assert!(
        (1..=10).contains(&posts),
        "20 entries took {posts} POSTs: {stats}"
    );
    assert!(
        stats["requests_by_status"]["500"].is_null(),
        "no concurrent-POST refusals: {stats}"
    );
    let entries = h.client()?.access_list().list_all(&project_id).await?;
    assert_eq!(entries.len(), 20);
    wd.assert_empty_plan(&["-refresh=false"]).await?;
    wd.destroy().await?;
    let left = h.client()?.access_list().list_all(&project_id).await?;
    assert!(left.is_empty(), "entries left after destroy: {left:?}");
    Ok(())
}

/// Two terraform runs (two provider processes, so two batchers) adding entries to one project
/// at the same time: the sandbox refuses overlapping POSTs with a 500, which is retried.
#[tokio::test(flavor = "multi_thread")]
async fn acc_project_ip_access_list_two_processes() -> Result<()> {
    let config = |base: u32| {
        let mut cfg = HEADER.to_string();
        for i in 0..5 {
            cfg.push_str(&entry(
                &format!("e{i}"),
                &format!("  ip_address = \"203.0.113.{}\"", base + i),
            ));
        }
        cfg
    };
    let (h, wd1, project_id) = setup("two-a", &config(1)).await?;
    let mut wd2 = h.workdir("two-b", &config(101))?;
    wd2.set_env("TF_VAR_project_id", &project_id);
    let (a, b) = tokio::join!(wd1.apply(), wd2.apply());
    a?;
    b?;
    let entries = h.client()?.access_list().list_all(&project_id).await?;
    assert_eq!(entries.len(), 10);
    let (a, b) = tokio::join!(wd1.destroy(), wd2.destroy());
    a?;
    b?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_project_ip_access_list_validation() -> Result<()> {
    let cfg = format!(
        "{HEADER}{}",
        entry(
            "ip",
            "  ip_address = \"1.2.3.4\"\n  cidr_block = \"1.2.3.0/24\""
        )
    );
    let (_h, wd, _project_id) = setup("validation", &cfg).await?;
    let out = wd.run(&["plan", "-no-color"]).await?;
    assert_ne!(out.status, 0);
    let text = out.combined();
    assert!(
        text.contains("Conflicting access list entry attributes"),
        "{text}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_project_ip_access_list_data_sources() -> Result<()> {
    let cfg = format!(
        "{}{}",
        basic_config(),
        r#"
data "mongodbatlas_project_ip_access_list" "by_ip" {
  project_id = mongodbatlas_project_ip_access_list.ip.project_id
  ip_address = mongodbatlas_project_ip_access_list.ip.ip_address
}

data "mongodbatlas_project_ip_access_list" "by_cidr" {
  project_id = mongodbatlas_project_ip_access_list.cidr.project_id
  cidr_block = mongodbatlas_project_ip_access_list.cidr.cidr_block
}

data "mongodbatlas_project_ip_access_lists" "all" {
  project_id = var.project_id
  depends_on = [
    mongodbatlas_project_ip_access_list.ip,
    mongodbatlas_project_ip_access_list.cidr,
  ]
}

output "by_ip_comment" {
  value = data.mongodbatlas_project_ip_access_list.by_ip.comment
}

output "by_ip_cidr" {
  value = data.mongodbatlas_project_ip_access_list.by_ip.cidr_block
}

output "by_cidr_ip" {
  value = data.mongodbatlas_project_ip_access_list.by_cidr.ip_address
}

output "all_cidrs" {
  value = sort([for e in data.mongodbatlas_project_ip_access_lists.all.results : e.cidr_block])
}
"#
    );
    let (_h, wd, _project_id) = setup("ds", &cfg).await?;
    wd.apply().await?;
    let out = wd.ok(&["output", "-json"]).await?;
    let outputs: Json = serde_json::from_str(&out.stdout)?;
    assert_eq!(outputs["by_ip_comment"]["value"], "single ip");
    assert_eq!(outputs["by_ip_cidr"]["value"], "1.2.3.4/32");
    assert!(outputs["by_cidr_ip"]["value"].is_null());
    assert_eq!(
        outputs["all_cidrs"]["value"],
        serde_json::json!(["1.2.3.4/32", "10.1.0.0/16"])
    );
    wd.assert_empty_plan(&[]).await?;
    wd.destroy().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_project_ip_access_list_example_applies() -> Result<()> {
    let example = std::fs::read_to_string(
        examples_dir().join("resources/mongodbatlas_project_ip_access_list/resource.tf"),
    )?;
    let (_h, wd, _project_id) = setup("example", &example).await?;
    wd.ok(&["validate", "-no-color"]).await?;
    wd.apply().await?;
    wd.assert_empty_plan(&[]).await?;
    wd.destroy().await?;
    Ok(())
}
