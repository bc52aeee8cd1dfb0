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

/// Authenticated GETs per second against a sandbox process, from a load generator in this
/// process: first a lean one (its own HTTP/1.1 over keep-alive connections and digest auth, so
/// the figure is the sandbox's, not the client's), then the full SDK client for comparison.
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
    let duration = Duration::from_secs(5);

    let before = requests_total(&sandbox.base_url).await?;
    let lean = loadgen::run(&sandbox, &project.id, duration).await?;
    let served = requests_total(&sandbox.base_url).await? - before;
    // The sandbox counts every request it answered (challenges and the stats call too): it
    // cannot have answered fewer than the loadgen counted.
    if served < lean.ok + lean.errors {
        bail!(
            "the loadgen counted {} answers, the sandbox served only {served}",
            lean.ok + lean.errors
        );
    }
    let rate = lean.ok as f64 / lean.elapsed.as_secs_f64();
    rows.push(row(
        "sandbox authenticated GETs/s (lean digest loadgen in a 2nd process, 2 cores shared)",
        format!(
            "{rate:.0}/s ({} errors; CPU: sandbox {:.2} cores, loadgen {:.2})",
            lean.errors, lean.sandbox_cores, lean.loadgen_cores
        ),
        "≥ 10,000/s",
        Some(rate >= 10_000.0 && lean.errors == 0),
    ));

    // The same GETs through the SDK (typed models, retry policy, reqwest): the client's own
    // cost shares the two cores with the sandbox.
    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let cpu_before = (
        process_cpu(std::process::id()),
        process_cpu(sandbox.child.id()),
    );
    let started = Instant::now();
    let deadline = started + duration;
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
    let elapsed = started.elapsed().as_secs_f64();
    let cores = |before: Option<f64>, after: Option<f64>| match (before, after) {
        (Some(b), Some(a)) => (a - b) / elapsed,
        _ => f64::NAN,
    };
    let loadgen_cores = cores(cpu_before.0, process_cpu(std::process::id()));
    let sandbox_cores = cores(cpu_before.1, process_cpu(sandbox.child.id()));
    let rate = done.load(Ordering::Relaxed) as f64 / elapsed;
    rows.push(row(
        "same, loadgen = 32 SDK clients (typed models, retries; 2nd process)",
        format!(
            "{rate:.0}/s ({} errors; CPU: sandbox {sandbox_cores:.2} cores, loadgen {loadgen_cores:.2})",
            errors.load(Ordering::Relaxed)
        ),
        "-",
        None,
    ));
    Ok(())
}

/// CPU seconds (user + system) a process used so far, from `/proc/<pid>/stat`.
fn process_cpu(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces: fields are counted after its closing parenthesis.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    // utime and stime are fields 14 and 15 of stat(5), 12 and 13 after the name; in clock
    // ticks of USER_HZ, 100 on Linux.
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

/// A lean load generator: each of [`loadgen::CONNECTIONS`] keep-alive connections takes the
/// digest challenge once, then sends GETs each with a fresh `Authorization` (the same nonce, `nc`
/// incremented, the MD5 `response` computed for that `nc`), reads the whole answer, and counts
/// it when it is a 200 with the project's JSON. Anything else is an error (a stale nonce
/// included: it is not expected within the run).
mod loadgen {
    use super::{process_cpu, SandboxProcess, PRIVATE_KEY, PUBLIC_KEY};
    use anyhow::{anyhow, bail, Context as _, Result};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use http_body_util::{BodyExt as _, Empty};
    use hyper::body::Bytes;
    use hyper::client::conn::http1::SendRequest;
    use hyper_util::rt::TokioIo;
    use tokio::net::TcpStream;

    pub const CONNECTIONS: usize = 32;
    const REALM: &str = "MMS Public API";
    const ACCEPT: &str = "application/vnd.atlas.2023-01-01+json";

    pub struct Outcome {
        pub ok: u64,
        pub errors: u64,
        pub elapsed: Duration,
        pub sandbox_cores: f64,
        pub loadgen_cores: f64,
    }

    /// GET `/api/atlas/v2/groups/{project_id}` for `duration` on one thread of its own.
    pub async fn run(
        sandbox: &SandboxProcess,
        project_id: &str,
        duration: Duration,
    ) -> Result<Outcome> {
        self_test()?;
        let host = sandbox
            .base_url
            .strip_prefix("http://")
            .ok_or_else(|| anyhow!("unexpected base URL {}", sandbox.base_url))?
            .to_string();
        let path = format!("/api/atlas/v2/groups/{project_id}");
        let project_id = project_id.to_string();
        let sandbox_pid = sandbox.child.id();
        tokio::task::spawn_blocking(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async move {
                let ok = Arc::new(AtomicU64::new(0));
                let errors = Arc::new(AtomicU64::new(0));
                let cpu_before = (process_cpu(std::process::id()), process_cpu(sandbox_pid));
                let started = Instant::now();
                let deadline = started + duration;
                let mut tasks = Vec::new();
                for i in 0..CONNECTIONS {
                    let conn = Connection {
                        host: host.clone(),
                        path: path.clone(),
                        expect_id: format!("\"id\":\"{project_id}\""),
                        cnonce: format!("{:08x}{i:08x}", std::process::id()),
                    };
                    let (ok, errors) = (ok.clone(), errors.clone());
                    tasks.push(tokio::spawn(async move {
                        conn.run(deadline, &ok, &errors).await
                    }));
                }
                for t in tasks {
                    t.await??;
                }
                let elapsed = started.elapsed();
                let cores = |before: Option<f64>, after: Option<f64>| match (before, after) {
                    (Some(b), Some(a)) => (a - b) / elapsed.as_secs_f64(),
                    _ => f64::NAN,
                };
                Ok(Outcome {
                    ok: ok.load(Ordering::Relaxed),
                    errors: errors.load(Ordering::Relaxed),
                    elapsed,
                    loadgen_cores: cores(cpu_before.0, process_cpu(std::process::id())),
                    sandbox_cores: cores(cpu_before.1, process_cpu(sandbox_pid)),
                })
            })
        })
        .await?
    }

    struct Connection {
        host: String,
        path: String,
        /// What the body of a right answer contains.
        expect_id: String,
        cnonce: String,
    }

    /// One parsed answer.
    struct Answer {
        status: u16,
        www_authenticate: Option<String>,
        body_ok: bool,
    }

    impl Connection {
        async fn run(&self, deadline: Instant, ok: &AtomicU64, errors: &AtomicU64) -> Result<()> {
            let ha1 = md5_hex(&[
                PUBLIC_KEY.as_bytes(),
                REALM.as_bytes(),
                PRIVATE_KEY.as_bytes(),
            ]);
            // HA2 covers the method and the URI, the same for every request.
            let ha2 = md5_hex(&[b"GET", self.path.as_bytes()]);
            let (mut sender, mut nonce) = self.connect().await?;
            let mut nc: u32 = 0;
            while Instant::now() < deadline {
                nc += 1;
                let nc_hex = format!("{nc:08x}");
                let response = md5_hex(&[
                    ha1.as_bytes(),
                    nonce.as_bytes(),
                    nc_hex.as_bytes(),
                    self.cnonce.as_bytes(),
                    b"auth",
                    ha2.as_bytes(),
                ]);
                let authorization = format!(
                    "Digest username=\"{PUBLIC_KEY}\", realm=\"{REALM}\", nonce=\"{nonce}\", \
                     uri=\"{}\", qop=auth, nc={nc_hex}, cnonce=\"{}\", response=\"{response}\", \
                     algorithm=MD5",
                    self.path, self.cnonce
                );
                match self.get(&mut sender, Some(&authorization)).await {
                    Ok(a) if a.status == 200 && a.body_ok => {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(a) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        if a.status == 401 {
                            nonce = challenge_nonce(&a)?;
                            nc = 0;
                        }
                    }
                    Err(_) => {
                        // A broken connection: count it, start over on a new one.
                        errors.fetch_add(1, Ordering::Relaxed);
                        (sender, nonce) = self.connect().await?;
                        nc = 0;
                    }
                }
            }
            Ok(())
        }

        /// A keep-alive HTTP/1.1 connection and the nonce of its first, unauthenticated
        /// request's challenge.
        async fn connect(&self) -> Result<(SendRequest<Empty<Bytes>>, String)> {
            let stream = TcpStream::connect(&self.host)
                .await
                .with_context(|| format!("connecting to {}", self.host))?;
            stream.set_nodelay(true)?;
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(connection);
            let nonce = challenge_nonce(&self.get(&mut sender, None).await?)?;
            Ok((sender, nonce))
        }

        /// `GET path`, with `authorization` when given; reads the whole answer.
        async fn get(
            &self,
            sender: &mut SendRequest<Empty<Bytes>>,
            authorization: Option<&str>,
        ) -> Result<Answer> {
            let mut request = http::Request::get(self.path.as_str())
                .header(http::header::HOST, self.host.as_str())
                .header(http::header::ACCEPT, ACCEPT);
            if let Some(value) = authorization {
                request = request.header(http::header::AUTHORIZATION, value);
            }
            sender.ready().await?;
            let answer = sender.send_request(request.body(Empty::new())?).await?;
            let status = answer.status().as_u16();
            let www_authenticate = answer
                .headers()
                .get(http::header::WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let body = answer.into_body().collect().await?.to_bytes();
            let expect = self.expect_id.as_bytes();
            let body_ok = body.starts_with(b"{") && body.windows(expect.len()).any(|w| w == expect);
            Ok(Answer {
                status,
                www_authenticate,
                body_ok,
            })
        }
    }

    /// The nonce of a 401 digest challenge.
    fn challenge_nonce(answer: &Answer) -> Result<String> {
        let header = answer
            .www_authenticate
            .as_deref()
            .filter(|_| answer.status == 401)
            .ok_or_else(|| anyhow!("expected a digest challenge, got {}", answer.status))?;
        let start = header
            .find("nonce=\"")
            .ok_or_else(|| anyhow!("challenge without nonce: {header}"))?
            + "nonce=\"".len();
        let len = header[start..]
            .find('"')
            .ok_or_else(|| anyhow!("unterminated nonce: {header}"))?;
        Ok(header[start..start + len].to_string())
    }

    /// Lower-case hex MD5 of the parts joined by `:`.
    fn md5_hex(parts: &[&[u8]]) -> String {
        use md5::Digest as _;
        let digest = md5::Md5::digest(parts.join(&b':'));
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// RFC 2617's digest example: the response is composed the way the server checks it.
    fn self_test() -> Result<()> {
        let ha1 = md5_hex(&[b"Mufasa", b"testrealm@host.com", b"Circle Of Life"]);
        let ha2 = md5_hex(&[b"GET", b"/dir/index.html"]);
        let response = md5_hex(&[
            ha1.as_bytes(),
            b"dcd98b7102dd2f0e8b11d0f600bfb0c093",
            b"00000001",
            b"0a4f113b",
            b"auth",
            ha2.as_bytes(),
        ]);
        if response != "6629fae49393a05397450978507c4ef1" {
            bail!("digest self-test failed");
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Terraform scenarios: our provider against the sandbox, next to the same graph built from
// `terraform_data` (terraform's own floor), measured in the same run.

const PROJECTS: usize = 5;
const ENTRIES_PER_PROJECT: usize = 200;
const RUNS: usize = 3;

use acceptance_tests::REQUIRED_PROVIDERS;

/// 5 projects × 200 access list entries (distinct CIDRs), each entry depending on its project.
fn atlas_config(tag: &str) -> String {
    let entries = PROJECTS * ENTRIES_PER_PROJECT;
    format!(
        r#"{REQUIRED_PROVIDERS}
variable "org_id" {{
  type = string
}}

resource "mongodbatlas_project" "p" {{
  count  = {PROJECTS}
  name   = "bench-{tag}-${{count.index}}"
  org_id = var.org_id
}}

resource "mongodbatlas_project_ip_access_list" "e" {{
  count      = {entries}
  project_id = mongodbatlas_project.p[floor(count.index / {ENTRIES_PER_PROJECT})].id
  cidr_block = "10.${{floor(count.index / {ENTRIES_PER_PROJECT})}}.${{count.index % {ENTRIES_PER_PROJECT}}}.0/24"
  comment    = "bench"
}}
"#
    )
}

/// The same graph from `terraform_data`: 5 nodes, and 1,000 nodes each depending on one of them.
fn floor_config(tag: &str) -> String {
    let entries = PROJECTS * ENTRIES_PER_PROJECT;
    format!(
        r#"variable "org_id" {{
  type = string
}}

resource "terraform_data" "p" {{
  count = {PROJECTS}
  input = {{
    name   = "bench-{tag}-${{count.index}}"
    org_id = var.org_id
  }}
}}

resource "terraform_data" "e" {{
  count = {entries}
  input = {{
    project_id = terraform_data.p[floor(count.index / {ENTRIES_PER_PROJECT})].id
    cidr_block = "10.${{floor(count.index / {ENTRIES_PER_PROJECT})}}.${{count.index % {ENTRIES_PER_PROJECT}}}.0/24"
    comment    = "bench"
  }}
}}
"#
    )
}

/// 200 entries in one existing project.
fn one_project_config() -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
variable "project_id" {{
  type = string
}}

resource "mongodbatlas_project_ip_access_list" "e" {{
  count      = {ENTRIES_PER_PROJECT}
  project_id = var.project_id
  cidr_block = "10.9.${{count.index}}.0/24"
  comment    = "bench"
}}
"#
    )
}

/// The floor for [`one_project_config`]: 200 `terraform_data` with the same inputs.
fn one_project_floor_config() -> String {
    format!(
        r#"resource "terraform_data" "e" {{
  count = {ENTRIES_PER_PROJECT}
  input = {{
    project_id = "6a79f2c2d21a0d4a1ac2b3c4"
    cidr_block = "10.9.${{count.index}}.0/24"
    comment    = "bench"
  }}
}}
"#
    )
}

/// A directory with the provider installed through dev_overrides, and terraform's environment.
struct TerraformEnv {
    root: tempfile::TempDir,
    env: Vec<(String, String)>,
    terraform: PathBuf,
}

impl TerraformEnv {
    fn new(provider: &Path, sandbox: &SandboxProcess) -> Result<TerraformEnv> {
        let terraform = acceptance_tests::terraform_path()?;
        let root = tempfile::Builder::new().prefix("tfbench-").tempdir()?;
        let plugins = root.path().join("plugins");
        std::fs::create_dir_all(&plugins)?;
        std::os::unix::fs::symlink(provider, plugins.join("terraform-provider-mongodbatlas"))?;
        let cli_config = root.path().join("terraformrc");
        std::fs::write(
            &cli_config,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"mongodb/mongodbatlas\" = \"{}\"\n  }}\n}}\n",
                plugins.display()
            ),
        )?;
        let env = [
            ("TF_CLI_CONFIG_FILE", cli_config.display().to_string()),
            ("CHECKPOINT_DISABLE", "1".into()),
            ("TF_IN_AUTOMATION", "1".into()),
            ("TF_INPUT", "0".into()),
            ("MONGODB_ATLAS_PUBLIC_KEY", PUBLIC_KEY.into()),
            ("MONGODB_ATLAS_PRIVATE_KEY", PRIVATE_KEY.into()),
            ("MONGODB_ATLAS_BASE_URL", sandbox.base_url.clone()),
            ("TF_VAR_org_id", sandbox.org_id.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        Ok(TerraformEnv {
            root,
            env,
            terraform,
        })
    }

    fn workdir(&self, name: &str, config: &str) -> Result<PathBuf> {
        let dir = self.root.path().join(name);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("main.tf"), config)?;
        Ok(dir)
    }

    /// Runs terraform in `dir`; fails with its output unless it exits 0. Returns the wall
    /// time and stdout.
    fn run(&self, dir: &Path, args: &[&str], extra_env: &[(&str, &str)]) -> Result<(f64, String)> {
        let mut cmd = Command::new(&self.terraform);
        cmd.args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .env_remove("TF_LOG");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let started = Instant::now();
        let out = cmd.output().context("running terraform")?;
        let secs = started.elapsed().as_secs_f64();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if !out.status.success() {
            bail!(
                "terraform {args:?} in {} failed:\n{stdout}\n{}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok((secs, stdout))
    }

    fn apply(&self, dir: &Path) -> Result<f64> {
        let (secs, _) = self.run(dir, &["apply", "-auto-approve", "-no-color"], &[])?;
        Ok(secs)
    }

    /// A refresh plan that must find nothing to change.
    fn refresh_plan(&self, dir: &Path) -> Result<f64> {
        let (secs, out) = self.run(dir, &["plan", "-no-color"], &[])?;
        if !out.contains("No changes.") {
            bail!(
                "the refresh plan in {} proposed changes:\n{out}",
                dir.display()
            );
        }
        Ok(secs)
    }
}

/// What [`RssSampler`] saw of the processes running one executable.
#[derive(Default)]
struct Sampled {
    /// Largest VmHWM (kB) of any of them.
    peak_kb: u64,
    /// How many there were.
    processes: usize,
    /// Their CPU time (user + system), summed, in seconds (as last sampled).
    cpu_secs: f64,
}

/// Samples the peak RSS (VmHWM) and CPU time of every process running `exe`, every ~10 ms,
/// until stopped.
struct RssSampler {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<Sampled>>,
}

impl RssSampler {
    fn start(exe: &Path) -> RssSampler {
        let exe = std::fs::canonicalize(exe).unwrap_or_else(|_| exe.to_path_buf());
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut peaks: std::collections::HashMap<u32, u64> = Default::default();
            let mut cpu: std::collections::HashMap<u32, u64> = Default::default();
            loop {
                let last = flag.load(Ordering::Relaxed);
                if let Ok(procs) = std::fs::read_dir("/proc") {
                    for p in procs.flatten() {
                        let Some(pid) = p.file_name().to_str().and_then(|n| n.parse::<u32>().ok())
                        else {
                            continue;
                        };
                        if std::fs::read_link(p.path().join("exe")).ok().as_deref()
                            != Some(exe.as_path())
                        {
                            continue;
                        }
                        let status =
                            std::fs::read_to_string(p.path().join("status")).unwrap_or_default();
                        let hwm = status
                            .lines()
                            .find_map(|l| l.strip_prefix("VmHWM:"))
                            .and_then(|v| {
                                v.trim().trim_end_matches("kB").trim().parse::<u64>().ok()
                            });
                        if let Some(kb) = hwm {
                            let peak = peaks.entry(pid).or_default();
                            *peak = (*peak).max(kb);
                        }
                        // utime and stime: fields 14 and 15, counted after the `(comm)`.
                        let stat =
                            std::fs::read_to_string(p.path().join("stat")).unwrap_or_default();
                        let ticks: u64 = stat
                            .rsplit_once(')')
                            .map(|(_, rest)| {
                                rest.split_whitespace()
                                    .skip(11)
                                    .take(2)
                                    .filter_map(|v| v.parse::<u64>().ok())
                                    .sum()
                            })
                            .unwrap_or(0);
                        let t = cpu.entry(pid).or_default();
                        *t = (*t).max(ticks);
                    }
                }
                if last {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            // USER_HZ is 100 on Linux.
            Sampled {
                peak_kb: peaks.values().copied().max().unwrap_or(0),
                processes: peaks.len(),
                cpu_secs: cpu.values().sum::<u64>() as f64 / 100.0,
            }
        });
        RssSampler {
            stop,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> Sampled {
        self.stop.store(true, Ordering::Relaxed);
        self.thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default()
    }
}

async fn stats_json(base_url: &str) -> Result<serde_json::Value> {
    reqwest_get_json(&format!("{base_url}/_sandbox/stats")).await
}

fn fmt_times(v: &[f64]) -> String {
    v.iter()
        .map(|t| format!("{t:.2}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Scenario 1 and 3: apply and refresh of 5 projects × 200 entries, next to the floor.
async fn terraform_at_scale(provider: &Path, rows: &mut Vec<Row>) -> Result<()> {
    let sandbox = start_sandbox(&["--transition-seconds", "0"])?;
    let tf = TerraformEnv::new(provider, &sandbox)?;
    let (mut ours_apply, mut floor_apply) = (Vec::new(), Vec::new());
    let mut ours_dir = PathBuf::new();
    let mut floor_dir = PathBuf::new();
    for run in 0..RUNS {
        let tag = format!("r{run}");
        floor_dir = tf.workdir(&format!("floor-{run}"), &floor_config(&tag))?;
        floor_apply.push(tf.apply(&floor_dir)?);
        ours_dir = tf.workdir(&format!("atlas-{run}"), &atlas_config(&tag))?;
        ours_apply.push(tf.apply(&ours_dir)?);
        eprintln!(
            "apply run {run}: ours {:.2} s, floor {:.2} s",
            ours_apply[run], floor_apply[run]
        );
    }
    let (mut ours_plan, mut floor_plan, mut requests, mut rss, mut cpu) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut processes = 0;
    for run in 0..RUNS {
        floor_plan.push(tf.refresh_plan(&floor_dir)?);
        let before = requests_total(&sandbox.base_url).await?;
        let sampler = RssSampler::start(provider);
        ours_plan.push(tf.refresh_plan(&ours_dir)?);
        let sampled = sampler.finish();
        let (peak_kb, procs) = (sampled.peak_kb, sampled.processes);
        cpu.push(sampled.cpu_secs);
        let after = requests_total(&sandbox.base_url).await?;
        // The first stats call is counted by the second.
        requests.push((after - before - 1) as f64);
        rss.push(peak_kb as f64 / 1024.0);
        processes = processes.max(procs);
        eprintln!(
            "refresh run {run}: ours {:.2} s, floor {:.2} s, {} requests, peak RSS {:.1} MB, provider CPU {:.2} s",
            ours_plan[run],
            floor_plan[run],
            after - before - 1,
            peak_kb as f64 / 1024.0,
            sampled.cpu_secs
        );
    }
    let by_operation = stats_json(&sandbox.base_url).await?["requests_by_operation"].clone();
    eprintln!("requests by operation over the whole scenario: {by_operation}");

    let (o, f) = (median(ours_plan.clone()), median(floor_plan.clone()));
    rows.push(row(
        "refresh plan, 5 × 200 entries: ours / terraform_data floor (median of 3)",
        format!(
            "{o:.2} s / {f:.2} s = {:.2}× (ours {} s; floor {} s)",
            o / f,
            fmt_times(&ours_plan),
            fmt_times(&floor_plan)
        ),
        "≤ 1.2×",
        Some(o <= 1.2 * f),
    ));
    let r = median(requests.clone());
    rows.push(row(
        "API requests during that refresh (median)",
        format!("{r:.0} (runs: {})", fmt_times(&requests).replace(".00", "")),
        "≤ 15",
        Some(r <= 15.0),
    ));
    let peak = rss.iter().copied().fold(0.0, f64::max);
    rows.push(row(
        "provider peak RSS during that refresh (max VmHWM)",
        format!("{peak:.1} MB ({processes} provider process(es) per plan)"),
        "≤ 30 MB",
        Some(peak > 0.0 && peak <= 30.0),
    ));
    rows.push(row(
        "provider CPU time (user+sys, all its processes) during that refresh (median)",
        format!("{:.2} s", median(cpu)),
        "- (where the time goes)",
        None,
    ));
    let (o, f) = (median(ours_apply.clone()), median(floor_apply.clone()));
    rows.push(row(
        "apply of 1,005 resources: ours / terraform_data floor (median of 3)",
        format!(
            "{o:.2} s / {f:.2} s = {:.2}× (ours {} s; floor {} s)",
            o / f,
            fmt_times(&ours_apply),
            fmt_times(&floor_apply)
        ),
        "≤ 1.3×",
        Some(o <= 1.3 * f),
    ));
    Ok(())
}

/// Scenario 2: 200 entries in one project, the sandbox adding 100 ms to every request.
async fn terraform_batched_creates(provider: &Path, rows: &mut Vec<Row>) -> Result<()> {
    let sandbox = start_sandbox(&["--transition-seconds", "0", "--latency-ms", "100"])?;
    let tf = TerraformEnv::new(provider, &sandbox)?;
    let client = sdk_client(&sandbox.base_url)?;
    // Terraform's default -parallelism (10) is the target's setting; 20 shows how batches grow
    // with more creates in flight.
    for parallelism in [10, 20] {
        let mut times = Vec::new();
        let mut floors = Vec::new();
        let mut posts = Vec::new();
        let mut requests = Vec::new();
        let flag = format!("-parallelism={parallelism}");
        for run in 0..RUNS {
            let tag = format!("latency-p{parallelism}-{run}");
            let project = client
                .projects()
                .create(atlas_admin_sdk::models::CreateProject::new(
                    tag.clone(),
                    sandbox.org_id.clone(),
                ))
                .await?;
            let dir = tf.workdir(&tag, &one_project_config())?;
            let before = stats_json(&sandbox.base_url).await?;
            let (secs, _) = tf.run(
                &dir,
                &["apply", "-auto-approve", "-no-color", &flag],
                &[("TF_VAR_project_id", &project.id)],
            )?;
            let after = stats_json(&sandbox.base_url).await?;
            let count = |v: &serde_json::Value, op: &str| {
                v["requests_by_operation"][op].as_u64().unwrap_or(0)
            };
            let op = "createGroupAccessListEntry";
            posts.push((count(&after, op) - count(&before, op)) as f64);
            let total = |v: &serde_json::Value| v["requests_total"].as_u64().unwrap_or(0);
            requests.push((total(&after) - total(&before) - 1) as f64);
            times.push(secs);
            let floor_dir = tf.workdir(&format!("{tag}-floor"), &one_project_floor_config())?;
            let (floor, _) = tf.run(
                &floor_dir,
                &["apply", "-auto-approve", "-no-color", &flag],
                &[],
            )?;
            floors.push(floor);
            eprintln!(
                "latency {flag} run {run}: {secs:.2} s (floor {floor:.2} s), {} POSTs, {} requests",
                posts[run], requests[run]
            );
        }
        let t = median(times.clone());
        let measured = format!(
            "{t:.2} s (runs {} s; {:.0} POSTs, {:.0} requests); terraform_data floor {:.2} s",
            fmt_times(&times),
            median(posts),
            median(requests),
            median(floors),
        );
        if parallelism == 10 {
            rows.push(row(
                "create 200 entries in one project, +100 ms per request (median of 3)",
                measured,
                "≤ 5 s",
                Some(t <= 5.0),
            ));
        } else {
            rows.push(row(
                &format!("the same at terraform apply {flag}"),
                measured,
                "–",
                None,
            ));
        }
    }
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
    if want("terraform") || want("scale") {
        terraform_at_scale(&provider, &mut rows).await?;
    }
    if want("terraform") || want("creates") {
        terraform_batched_creates(&provider, &mut rows).await?;
    }
    print(&rows);
    Ok(())
}
