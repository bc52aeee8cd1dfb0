//! Acceptance tests for `mongodbatlas_project_ip_access_list` and its data sources: real
//! terraform, real provider binary, real sandbox; the single-object behaviour as declarative
//! cases (see `acceptance_tests::case`).

use acceptance_tests::case::encoded_state_id;
use acceptance_tests::{examples_dir, Case, Harness, Matrix, Step, Workdir};
use anyhow::{anyhow, ensure, Result};
use atlas_admin_sdk::models::CreateProject;
use serde_json::{json, Value as Json};
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

/// A sandbox and a project made through the SDK (the case's `project_id` variable).
async fn setup(name: &str) -> Result<(Harness, String)> {
    let h = Harness::start(PROVIDER).await?;
    let project = h
        .client()?
        .projects()
        .create(CreateProject::new(
            format!("acc-{name}"),
            h.sandbox.org_id.clone(),
        ))
        .await?;
    Ok((h, project.id))
}

/// `setup` plus a working directory for tests that drive terraform by hand.
async fn setup_workdir(name: &str, config: &str) -> Result<(Harness, Workdir, String)> {
    let (h, project_id) = setup(name).await?;
    let mut wd = h.workdir(name, config)?;
    wd.set_env("TF_VAR_project_id", &project_id);
    Ok((h, wd, project_id))
}

/// `GET /_sandbox/stats` over a plain HTTP/1.0 connection.
async fn sandbox_stats(sandbox: std::net::SocketAddr) -> Result<Json> {
    let mut conn = tokio::net::TcpStream::connect(sandbox).await?;
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

fn ip(attr: &str) -> String {
    format!("{ADDR_IP}.{attr}")
}

fn cidr(attr: &str) -> String {
    format!("{ADDR_CIDR}.{attr}")
}

/// Create (an IP and a CIDR entry), timeouts in place, import (IP with and without /32, the
/// CIDR), the IP and the comment each replace, deleted out of band and re-created, nothing
/// left after destroy. The CIDR entry stays untouched throughout.
#[tokio::test(flavor = "multi_thread")]
async fn acc_project_ip_access_list_matrix() -> Result<()> {
    let (h, project_id) = setup("matrix").await?;
    // Timeouts are the only in-place change the API allows.
    let with_timeouts = basic_config().replace(
        "  comment    = \"single ip\"",
        "  comment    = \"single ip\"\n  timeouts = {\n    delete = \"5m\"\n  }",
    );
    let new_ip = with_timeouts.replace("\"1.2.3.4\"", "\"1.2.3.5\"");
    let new_comment = new_ip.replace("\"single ip\"", "\"renamed\"");
    let import = |addr: &str, value: &str, only: String| {
        Step::import_verify(addr, &["timeouts"])
            .import_id(&format!("{project_id}-{value}"))
            .import_config(format!("{HEADER}{only}"))
    };
    Matrix::new(
        ADDR_IP,
        Step::apply(basic_config())
            .expect_create(ADDR_CIDR)
            .check_plan(|plan| {
                for change in plan["resource_changes"].as_array().into_iter().flatten() {
                    let unknown = &change["change"]["after_unknown"];
                    ensure!(
                        unknown
                            .as_object()
                            .is_none_or(|o| o.values().all(|v| v != true)),
                        "nothing is (known after apply) for {}: {unknown}",
                        change["address"]
                    );
                }
                Ok(())
            })
            .check_eq(&ip("ip_address"), "1.2.3.4")
            .check_eq(&ip("cidr_block"), "1.2.3.4/32")
            .check_eq(&ip("comment"), "single ip")
            .check_absent(&ip("aws_security_group"))
            .check_eq(
                &ip("id"),
                encoded_state_id(&[("project_id", &project_id), ("entry", "1.2.3.4/32")]),
            )
            .check_eq(&cidr("cidr_block"), "10.1.0.0/16")
            .check_absent(&cidr("ip_address"))
            .check_absent(&cidr("comment"))
            .check_remote(|ctx| async move {
                // The entry exists at once and Atlas applies it shortly after (the sandbox:
                // 0.5 s).
                let project_id = ctx.state.str(&ip("project_id"))?;
                let status = ctx
                    .client
                    .access_list()
                    .wait_applied(
                        &project_id,
                        "1.2.3.4",
                        std::time::Duration::from_secs(10),
                        std::future::pending(),
                    )
                    .await?;
                ensure!(status.as_str() == "ACTIVE", "{status:?}");
                Ok(())
            }),
    )
    .update_in_place(
        Step::apply(with_timeouts)
            .expect_no_op(ADDR_CIDR)
            .check_eq(&ip("timeouts.delete"), "5m"),
    )
    .import(import(ADDR_IP, "1.2.3.4", entry_ip_only()))
    .import(import(ADDR_IP, "1.2.3.4/32", entry_ip_only()))
    .import(import(
        ADDR_CIDR,
        "10.1.0.0/16",
        entry("cidr", "  cidr_block = \"10.1.0.0/16\""),
    ))
    .replace(Step::apply(new_ip).check_eq(&ip("ip_address"), "1.2.3.5"))
    .replace(Step::apply(new_comment).check_remote(|ctx| async move {
        let project_id = ctx.state.str(&ip("project_id"))?;
        let entries = ctx.client.access_list().list_all(&project_id).await?;
        let mut values: Vec<_> = entries.iter().filter_map(|e| e.entry_value()).collect();
        values.sort();
        ensure!(values == ["1.2.3.5/32", "10.1.0.0/16"], "{values:?}");
        let comment = entries
            .iter()
            .find(|e| e.ip_address.as_deref() == Some("1.2.3.5"))
            .and_then(|e| e.comment.clone());
        ensure!(comment.as_deref() == Some("renamed"), "{comment:?}");
        Ok(())
    }))
    .disappears(
        Step::disappears(ADDR_IP, |ctx| async move {
            let project_id = ctx.state.str(&ip("project_id"))?;
            let entry = ctx.state.str(&ip("cidr_block"))?;
            ctx.client.access_list().delete(&project_id, &entry).await?;
            Ok(())
        })
        .expect_no_op(ADDR_CIDR),
    )
    .into_case("access-list")
    .var("project_id", &project_id)
    .check_destroyed(move |ctx| {
        let project_id = project_id.clone();
        async move {
            let left = ctx.client.access_list().list_all(&project_id).await?;
            ensure!(left.is_empty(), "entries left after destroy: {left:?}");
            Ok(())
        }
    })
    .run(&h)
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_project_ip_access_list_single_host_cidr_is_quiet() -> Result<()> {
    let cfg = format!(
        "{HEADER}{}",
        entry("cidr", "  cidr_block = \"192.0.2.10/32\"")
    );
    let (h, project_id) = setup("host").await?;
    Case::new("host")
        .var("project_id", &project_id)
        .step(Step::apply(cfg).check_eq(&cidr("ip_address"), "192.0.2.10"))
        .run(&h)
        .await
}

fn entry_ip_only() -> String {
    entry(
        "ip",
        "  ip_address = \"1.2.3.4\"\n  comment    = \"single ip\"",
    )
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
    let (h, project_id) = setup("many").await?;
    let sandbox = h.sandbox.local_addr;
    // Plans do not POST: the count from here to the step's checks is the apply's.
    let before = create_posts(&sandbox_stats(sandbox).await?);
    let pid = project_id.clone();
    Case::new("many")
        .var("project_id", &project_id)
        .step(Step::apply(cfg).check_remote(move |ctx| {
            let pid = pid.clone();
            async move {
                let stats = sandbox_stats(sandbox).await?;
                let posts = create_posts(&stats) - before;
                eprintln!("20 access list entries were created with {posts} POST(s)");
                ensure!(
                    (1..=10).contains(&posts),
                    "20 entries took {posts} POSTs: {stats}"
                );
                ensure!(
                    stats["requests_by_status"]["500"].is_null(),
                    "no concurrent-POST refusals: {stats}"
                );
                let entries = ctx.client.access_list().list_all(&pid).await?;
                ensure!(entries.len() == 20, "{} entries", entries.len());
                Ok(())
            }
        }))
        .check_destroyed(move |ctx| {
            let pid = project_id.clone();
            async move {
                let left = ctx.client.access_list().list_all(&pid).await?;
                ensure!(left.is_empty(), "entries left after destroy: {left:?}");
                Ok(())
            }
        })
        .run(&h)
        .await
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
    let (h, wd1, project_id) = setup_workdir("two-a", &config(1)).await?;
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
    let (h, project_id) = setup("validation").await?;
    Case::new("validation")
        .var("project_id", &project_id)
        .step(Step::plan_only(cfg).expect_error("Conflicting access list entry attributes"))
        .run(&h)
        .await
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
    let (h, project_id) = setup("ds").await?;
    Case::new("ds")
        .var("project_id", &project_id)
        .step(
            Step::apply(cfg)
                .check_eq("output.by_ip_comment", "single ip")
                .check_eq("output.by_ip_cidr", "1.2.3.4/32")
                .check_absent("output.by_cidr_ip")
                .check_eq("output.all_cidrs", json!(["1.2.3.4/32", "10.1.0.0/16"])),
        )
        .run(&h)
        .await
}

/// The example applies as written (`terraform plan` validates it first), and plans empty.
#[tokio::test(flavor = "multi_thread")]
async fn acc_project_ip_access_list_example_applies() -> Result<()> {
    let example = std::fs::read_to_string(
        examples_dir().join("resources/mongodbatlas_project_ip_access_list/resource.tf"),
    )?;
    let (h, project_id) = setup("example").await?;
    Case::new("example")
        .var("project_id", &project_id)
        .step(Step::apply(example).check(|state| {
            ensure!(!state.addresses().is_empty(), "the example creates nothing");
            Ok(())
        }))
        .run(&h)
        .await
}
