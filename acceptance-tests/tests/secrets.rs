//! Secrets never reach logs: a whole apply at TF_LOG=TRACE (Terraform's and the provider's
//! logs, including every request the SDK makes) must not contain the private key.

use acceptance_tests::Harness;
use anyhow::Result;

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");

const CONFIG: &str = r#"
terraform {
  required_providers {
    mongodbatlas = {
      source = "mongodb/mongodbatlas"
    }
  }
}

variable "org_id" {
  type = string
}

resource "mongodbatlas_project" "test" {
  name   = "acc-secrets"
  org_id = var.org_id
}
"#;

#[tokio::test(flavor = "multi_thread")]
async fn acc_trace_logs_hold_no_secrets() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
    let mut wd = h.workdir("main", CONFIG)?;
    let log = wd.dir.join("trace.log");
    wd.set_env("TF_LOG", "TRACE");
    wd.set_env("TF_LOG_PATH", &log.display().to_string());
    let applied = wd.apply().await?;
    wd.destroy().await?;
    let logs = std::fs::read_to_string(&log)?;
    assert!(
        logs.contains("provider.terraform-provider-mongodbatlas"),
        "the provider's own log lines reached Terraform's log"
    );
    let secret = &h.sandbox.private_key;
    for (what, text) in [
        ("TF_LOG_PATH", logs.as_str()),
        ("stdout", applied.stdout.as_str()),
        ("stderr", applied.stderr.as_str()),
    ] {
        assert!(
            !text.contains(secret.as_str()),
            "the private key appears in {what}"
        );
    }
    Ok(())
}
