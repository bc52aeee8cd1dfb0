//! End-to-end proof of the transport against the real `terraform` CLI (1.11.x): the example
//! provider `examples/null_provider.rs` is started by Terraform through `dev_overrides`
//! (go-plugin handshake, AutoMTLS with the pinned client certificate, Shutdown), and attached
//! through `TF_REATTACH_PROVIDERS` in debug mode. Needs `terraform` on PATH (or
//! `TF_ACC_TERRAFORM_PATH`); fails loudly without it.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const ADDRESS: &str = "registry.terraform.io/example/null";

const MAIN_TF: &str = r#"
terraform {
  required_providers {
    null = { source = "example/null" }
  }
}

resource "null_thing" "a" {}

output "id" {
  value = null_thing.a.id
}
"#;

/// Builds the example (once per test binary) with the cargo running this test and returns
/// its path. `--workspace` resolves features as `cargo test --workspace` did, so the build
/// reuses its artifacts; `-p tfplugin` would resolve them for tfplugin alone and recompile a
/// dozen dependencies (a minute of a CI run).
fn example_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(build_example).clone()
}

fn build_example() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let output = Command::new(env!("CARGO"))
        .arg("build")
        .arg("--manifest-path")
        .arg(&manifest)
        .args([
            "--workspace",
            "--example",
            "null_provider",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo build --example null_provider");
    assert!(
        output.status.success(),
        "building the null_provider example failed"
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| {
            msg["reason"] == "compiler-artifact" && msg["target"]["name"] == "null_provider"
        })
        .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .expect("cargo reported no executable for the null_provider example")
}

/// The terraform binary: `TF_ACC_TERRAFORM_PATH`, else `terraform` on PATH.
fn terraform() -> PathBuf {
    if let Some(path) = std::env::var_os("TF_ACC_TERRAFORM_PATH") {
        return PathBuf::from(path);
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("terraform"))
                .find(|candidate| candidate.is_file())
        })
        .unwrap_or_else(|| {
            panic!(
                "terraform CLI not found: these tests need the real `terraform` (1.11.x) on PATH \
                 or TF_ACC_TERRAFORM_PATH pointing at it"
            )
        })
}

/// A scratch Terraform setup: working dir with `main.tf`, a CLI config, a log file.
struct Workspace {
    _tmp: tempfile::TempDir,
    work: PathBuf,
    cli_config: PathBuf,
    log: PathBuf,
}

impl Workspace {
    /// `installation` gets the scratch root and returns the body of the CLI config's
    /// `provider_installation` block.
    fn new(installation: impl FnOnce(&Path) -> String) -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        let installation = installation(tmp.path());
        let work = tmp.path().join("work");
        std::fs::create_dir_all(&work).expect("work dir");
        std::fs::write(work.join("main.tf"), MAIN_TF).expect("main.tf");
        let cli_config = tmp.path().join("terraformrc");
        std::fs::write(
            &cli_config,
            format!("provider_installation {{\n{installation}\n}}\n"),
        )
        .expect("terraformrc");
        let log = tmp.path().join("terraform.log");
        Self {
            _tmp: tmp,
            work,
            cli_config,
            log,
        }
    }

    fn run(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(terraform());
        cmd.args(args)
            .current_dir(&self.work)
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_LOG", "DEBUG")
            .env("TF_LOG_PATH", &self.log)
            .env_remove("TF_REATTACH_PROVIDERS")
            .env_remove("TF_DISABLE_PLUGIN_TLS")
            .stdin(Stdio::null());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let output = cmd.output().expect("run terraform");
        println!(
            "$ terraform {}\n--- stdout\n{}\n--- stderr\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// apply → empty plan → destroy, all successful.
    fn apply_plan_destroy(&self, extra_env: &[(&str, &str)]) {
        let apply = self.run(
            &["apply", "-auto-approve", "-input=false", "-no-color"],
            extra_env,
        );
        assert!(apply.status.success(), "terraform apply failed");
        let stdout = String::from_utf8_lossy(&apply.stdout);
        assert!(
            stdout.contains("null_thing.a: Creation complete") && stdout.contains("id = \"x\""),
            "unexpected apply output"
        );

        let plan = self.run(
            &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
            extra_env,
        );
        assert_eq!(
            plan.status.code(),
            Some(0),
            "plan after apply must be empty (exit 0)"
        );

        let destroy = self.run(
            &["destroy", "-auto-approve", "-input=false", "-no-color"],
            extra_env,
        );
        assert!(destroy.status.success(), "terraform destroy failed");
        assert!(
            String::from_utf8_lossy(&destroy.stdout).contains("Resources: 1 destroyed"),
            "unexpected destroy output"
        );
    }
}

fn dev_overrides_workspace() -> Workspace {
    let binary = example_binary();
    Workspace::new(|root| {
        let plugin_dir = root.join("plugins");
        std::fs::create_dir_all(&plugin_dir).expect("plugin dir");
        // The executable name must start with terraform-provider-<type>.
        std::fs::copy(&binary, plugin_dir.join("terraform-provider-null")).expect("copy provider");
        format!(
            "  dev_overrides {{\n    \"{ADDRESS}\" = \"{}\"\n  }}",
            plugin_dir.display()
        )
    })
}

#[test]
fn terraform_runs_the_provider_over_auto_mtls() {
    let ws = dev_overrides_workspace();
    ws.apply_plan_destroy(&[]);

    let log = ws.log_text();
    assert!(
        log.contains("configuring client automatic mTLS"),
        "Terraform did not use AutoMTLS"
    );
    assert!(log.contains("using plugin: version=6"));
    // Our hclog JSON lines were parsed (fields became key=value pairs).
    assert!(
        log.contains("configured: @module=provider.null terraform_version=1.11"),
        "provider log line not parsed as hclog JSON"
    );
    // Every process honoured GRPCController/Shutdown instead of being killed.
    assert!(log.contains("plugin shutdown requested by the client"));
    assert!(log.contains("plugin process exited"));
    assert!(
        !log.contains("plugin failed to exit gracefully"),
        "a provider process had to be killed"
    );
    assert!(!log.contains("stdio service not available"));
}

#[test]
fn terraform_runs_the_provider_in_plaintext_when_tls_is_disabled() {
    let ws = dev_overrides_workspace();
    ws.apply_plan_destroy(&[("TF_DISABLE_PLUGIN_TLS", "1")]);
    assert!(!ws.log_text().contains("configuring client automatic mTLS"));
}

/// Kills the debug-mode provider even when an assertion fails.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn terraform_reattaches_to_a_debug_mode_provider() {
    let binary = example_binary();
    let mut child = Command::new(&binary)
        .arg("--debug")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start provider in debug mode");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut child = KillOnDrop(child);

    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
                let _ = tx.send(rest.trim_end_matches('\'').to_owned());
            }
        }
    });
    let reattach = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("debug mode printed no TF_REATTACH_PROVIDERS line");
    let parsed: serde_json::Value = serde_json::from_str(&reattach).expect("reattach JSON");
    let entry = &parsed[ADDRESS];
    assert_eq!(entry["Test"], true);
    assert_eq!(entry["ProtocolVersion"], 6);
    assert_eq!(entry["Pid"], child.0.id());
    let socket = PathBuf::from(entry["Addr"]["String"].as_str().expect("socket path"));
    assert!(socket.exists());

    // No registry, no mirror content: init must succeed offline thanks to the reattach entry.
    let ws = Workspace::new(|root| {
        format!(
            "  filesystem_mirror {{\n    path = \"{}\"\n  }}",
            root.join("empty-mirror").display()
        )
    });
    let env = [("TF_REATTACH_PROVIDERS", reattach.as_str())];
    let init = ws.run(&["init", "-input=false", "-no-color"], &env);
    assert!(init.status.success(), "terraform init failed");
    ws.apply_plan_destroy(&env);

    // One process served every command (Terraform never stops a Test provider).
    assert!(
        child.0.try_wait().expect("try_wait").is_none(),
        "debug provider exited"
    );

    // Ctrl-C stops debug mode and removes the socket.
    let status = Command::new("kill")
        .args(["-INT", &child.0.id().to_string()])
        .status()
        .expect("send SIGINT");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(status) = child.0.try_wait().expect("try_wait") {
            assert!(status.success(), "debug provider exited with {status}");
            break;
        }
        assert!(Instant::now() < deadline, "SIGINT did not stop debug mode");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!socket.exists(), "socket not removed");
}

#[test]
fn running_without_terraform_explains_and_exits_1() {
    let output = Command::new(example_binary())
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .stdin(Stdio::null())
        .output()
        .expect("run example");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "nothing may go to stdout");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("This binary is a plugin. These are not meant to be executed directly."),
        "{stderr}"
    );
    assert!(stderr.contains("dev_overrides"), "{stderr}");
    assert!(stderr.contains("--debug"), "{stderr}");
}

#[test]
fn wrong_protocol_versions_are_refused() {
    let output = Command::new(example_binary())
        .env(
            "TF_PLUGIN_MAGIC_COOKIE",
            "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
        )
        .env("PLUGIN_PROTOCOL_VERSIONS", "4,5")
        .stdin(Stdio::null())
        .output()
        .expect("run example");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no handshake line on failure");
}

/// Starts the example the way go-plugin does (minus Terraform) and returns it with its
/// handshake line.
fn start_as_plugin(client_cert_pem: Option<&str>) -> (KillOnDrop, String) {
    let mut cmd = Command::new(example_binary());
    cmd.env(
        "TF_PLUGIN_MAGIC_COOKIE",
        "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
    )
    .env("PLUGIN_PROTOCOL_VERSIONS", "6,5")
    .env("PLUGIN_MIN_PORT", "10000")
    .env("PLUGIN_MAX_PORT", "25000")
    .env_remove("PLUGIN_CLIENT_CERT")
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::inherit());
    if let Some(pem) = client_cert_pem {
        cmd.env("PLUGIN_CLIENT_CERT", pem);
    }
    let mut child = cmd.spawn().expect("start provider");
    let stdout = child.stdout.take().expect("piped stdout");
    let child = KillOnDrop(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read handshake line");
    (child, line.trim_end().to_owned())
}

#[test]
fn handshake_line_shape_and_sigint_is_ignored() {
    use base64::Engine as _;

    let (mut plain, line) = start_as_plugin(None);
    let fields: Vec<&str> = line.split('|').collect();
    assert_eq!(fields.len(), 6, "{line}");
    assert_eq!(&fields[..3], ["1", "6", "tcp"], "{line}");
    let port: u16 = fields[3]
        .strip_prefix("127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("bad address in {line}"));
    assert!((10000..=25000).contains(&port), "{line}");
    assert_eq!(fields[4], "grpc");
    assert_eq!(fields[5], "", "no certificate without PLUGIN_CLIENT_CERT");

    // Terraform's Ctrl-C reaches the provider too; it must survive it.
    let status = Command::new("kill")
        .args(["-INT", &plain.0.id().to_string()])
        .status()
        .expect("send SIGINT");
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        plain.0.try_wait().expect("try_wait").is_none(),
        "SIGINT killed the provider"
    );

    // AutoMTLS: the last field is unpadded standard base64 of a DER certificate.
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("key");
    let client = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .expect("params")
        .self_signed(&key)
        .expect("client cert");
    let (_tls, line) = start_as_plugin(Some(&client.pem()));
    let cert = line.rsplit('|').next().expect("cert field");
    assert!(cert.len() > 50 && !cert.ends_with('='), "{line}");
    let der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(cert)
        .expect("base64 STANDARD_NO_PAD");
    assert_eq!(der.first(), Some(&0x30), "DER SEQUENCE");
}
