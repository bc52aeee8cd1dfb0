//! The benchmark suite: prints a table of measured figures next to their targets.
//!
//! Run it through `scripts/bench.sh` (release builds). Every figure is measured on this machine
//! in this run; the numbers recorded in docs/benchmarks.md come from here.

use anyhow::{anyhow, bail, Context as _, Result};
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tfplugin::proto::tfplugin6 as pb;

struct Row {
    name: String,
    measured: String,
    target: String,
    ok: Option<bool>,
}

fn row(name: &str, measured: String, target: &str, ok: Option<bool>) -> Row {
    Row {
        name: name.into(),
        measured,
        target: target.into(),
        ok,
    }
}

fn release_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.parent().map(Path::to_path_buf).unwrap_or_default()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v.get(i).copied().unwrap_or(f64::NAN)
}

/// Starts the provider as Terraform would (plaintext: no PLUGIN_CLIENT_CERT) and returns the
/// child, the time to its handshake line, and the address it serves on.
fn start_provider(bin: &Path) -> Result<(std::process::Child, Duration, String)> {
    let started = Instant::now();
    let mut child = Command::new(bin)
        .env(
            tfplugin::transport::MAGIC_COOKIE_KEY,
            tfplugin::transport::MAGIC_COOKIE_VALUE,
        )
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env_remove("PLUGIN_CLIENT_CERT")
        .env_remove("TF_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let elapsed = started.elapsed();
    let addr = line
        .split('|')
        .nth(3)
        .ok_or_else(|| anyhow!("bad handshake line {line:?}"))?
        .to_string();
    Ok((child, elapsed, addr))
}

/// Handshake latency (exec → first stdout line) and GetProviderSchema latency.
async fn provider_startup(bin: &Path, rows: &mut Vec<Row>) -> Result<()> {
    let mut handshakes = Vec::new();
    let mut schemas = Vec::new();
    for _ in 0..20 {
        let (mut child, elapsed, addr) = start_provider(bin)?;
        handshakes.push(elapsed.as_secs_f64() * 1000.0);
        let mut client =
            pb::provider_client::ProviderClient::connect(format!("http://{addr}")).await?;
        for _ in 0..5 {
            let t = Instant::now();
            client
                .get_provider_schema(pb::get_provider_schema::Request {})
                .await?;
            schemas.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    let p95 = percentile(handshakes.clone(), 0.95);
    rows.push(row(
        "handshake line after exec (median / p95)",
        format!("{:.1} ms / {:.1} ms", median(handshakes), p95),
        "≤ 20 ms",
        Some(p95 <= 20.0),
    ));
    let p95 = percentile(schemas.clone(), 0.95);
    rows.push(row(
        "GetProviderSchema (median / p95)",
        format!("{:.2} ms / {:.2} ms", median(schemas), p95),
        "≤ 5 ms",
        Some(p95 <= 5.0),
    ));
    Ok(())
}

fn binary_size(bin: &Path, rows: &mut Vec<Row>) -> Result<()> {
    let bytes = std::fs::metadata(bin)?.len();
    let mb = bytes as f64 / 1_000_000.0;
    rows.push(row(
        "release provider binary",
        format!("{mb:.1} MB"),
        "≤ 20 MB",
        Some(mb <= 20.0),
    ));
    Ok(())
}

/// A sandbox in its own process, on a free port.
struct SandboxProcess {
    child: std::process::Child,
    base_url: String,
    org_id: String,
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const PUBLIC_KEY: &str = "benchkey";
const PRIVATE_KEY: &str = "0b0b0b0b-1111-2222-3333-444444444444";

fn start_sandbox(extra: &[&str]) -> Result<SandboxProcess> {
    let bin = release_dir().join("atlas-sandbox");
    let mut child = Command::new(&bin)
        .args(["--listen", "127.0.0.1:0", "--public-key", PUBLIC_KEY])
        .args(["--private-key", PRIVATE_KEY])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
    let mut reader = BufReader::new(stdout);
    let (mut base_url, mut org_id) = (String::new(), String::new());
    for _ in 0..10 {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        if let Some(u) = line.trim().strip_prefix("atlas-sandbox listening on ") {
            base_url = u.to_string();
        }
        if let Some(o) = line.trim().strip_prefix("atlas-sandbox organization id ") {
            org_id = o.to_string();
        }
        if !base_url.is_empty() && !org_id.is_empty() {
            break;
        }
    }
    if base_url.is_empty() || org_id.is_empty() {
        bail!("the sandbox did not announce its URL and organization");
    }
    Ok(SandboxProcess {
        child,
        base_url,
        org_id,
    })
}

fn sdk_client(base_url: &str) -> Result<atlas_admin_sdk::Client> {
    Ok(atlas_admin_sdk::Client::builder()
        .base_url(base_url)
        .digest_auth(PUBLIC_KEY, PRIVATE_KEY)
        .build()?)
}

async fn requests_total(base_url: &str) -> Result<u64> {
    let stats: serde_json::Value = reqwest_get_json(&format!("{base_url}/_sandbox/stats")).await?;
    stats["requests_total"]
        .as_u64()
        .ok_or_else(|| anyhow!("stats without requests_total"))
}

/// The control plane needs no auth, so a plain client reads it.
async fn reqwest_get_json(url: &str) -> Result<serde_json::Value> {
    Ok(reqwest::get(url).await?.error_for_status()?.json().await?)
}

/// Digest auth costs one round trip per request after the first (nonce reuse).
async fn digest_round_trips(rows: &mut Vec<Row>) -> Result<()> {
    let sandbox = start_sandbox(&[])?;
    let client = sdk_client(&sandbox.base_url)?;
    let before = requests_total(&sandbox.base_url).await?;
    let n = 100u64;
    for _ in 0..n {
        client.organizations().get(&sandbox.org_id).await?;
    }
    let after = requests_total(&sandbox.base_url).await?;
    // One of the counted requests is the first stats call itself.
    let http = after - before - 1;
    rows.push(row(
        "HTTP requests for 100 API calls (digest)",
        format!("{http}"),
        "101 (one challenge, then one round trip each)",
        Some(http <= n + 1),
    ));
    Ok(())
}

/// Authenticated GETs per second against a sandbox process, from this process.
async fn sandbox_throughput(rows: &mut Vec<Row>) -> Result<()> {
    let sandbox = start_sandbox(&[])?;
    let client = sdk_client(&sandbox.base_url)?;
    let project = client
        .projects()
        .create(atlas_admin_sdk::models::CreateProject::new(
            "bench",
            sandbox.org_id.clone(),
        ))
        .await?;
    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let duration = Duration::from_secs(5);
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let client = sdk_client(&sandbox.base_url)?;
        let (done, errors, id) = (done.clone(), errors.clone(), project.id.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                match client.projects().get(&id).await {
                    Ok(_) => done.fetch_add(1, Ordering::Relaxed),
                    Err(_) => errors.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let rate = done.load(Ordering::Relaxed) as f64 / duration.as_secs_f64();
    rows.push(row(
        "sandbox authenticated GETs/s (2 cores, loadgen in-process 2)",
        format!("{rate:.0}/s ({} errors)", errors.load(Ordering::Relaxed)),
        "≥ 10,000/s",
        Some(rate >= 10_000.0),
    ));
    Ok(())
}

fn print(rows: &[Row]) {
    let w = rows.iter().map(|r| r.name.len()).max().unwrap_or(10);
    let m = rows.iter().map(|r| r.measured.len()).max().unwrap_or(10);
    println!("| {:w$} | {:m$} | target | met |", "figure", "measured");
    println!("|{}|{}|---|---|", "-".repeat(w + 2), "-".repeat(m + 2));
    for r in rows {
        let ok = match r.ok {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "-",
        };
        println!(
            "| {:w$} | {:m$} | {} | {ok} |",
            r.name, r.measured, r.target
        );
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let only: Vec<String> = std::env::args().skip(1).collect();
    let want = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    let provider = release_dir().join("terraform-provider-mongodbatlas");
    if !provider.is_file() {
        bail!(
            "{} is missing: run scripts/bench.sh (it builds the release binaries)",
            provider.display()
        );
    }
    let mut rows = Vec::new();
    if want("startup") {
        binary_size(&provider, &mut rows)?;
        provider_startup(&provider, &mut rows).await?;
    }
    if want("digest") {
        digest_round_trips(&mut rows).await?;
    }
    if want("sandbox") {
        sandbox_throughput(&mut rows).await?;
    }
    print(&rows);
    Ok(())
}
