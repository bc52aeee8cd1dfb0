//! The sweeper (`src/bin/sweep.rs`) against the leftovers of a deliberately interrupted run.
//!
//! A sandbox (clusters take 3 s to create and to delete) gets:
//! * an interrupted `terraform apply` of examples/demo named with the prefix: terraform and its
//!   plugin killed with SIGKILL (a CI job timing out) while the cluster is CREATING;
//! * a prefixed, tagged project made through the SDK with an IDLE cluster, a cluster with
//!   termination protection, a cluster whose deletion was already requested, a database user
//!   and an access-list entry (a run whose destroy was cut short);
//! * a shared project without the prefix holding prefixed objects (a cluster, a user, an
//!   access-list entry commented with the prefix) next to a team's own ones;
//! * objects the sweeper must never touch: an unrelated project with its own cluster, user and
//!   entry, and a project whose name only contains the prefix.
//!
//! Then: the sweeper refuses an empty prefix; `--dry-run` lists exactly the prefixed objects and
//! deletes nothing; `--tag` narrows it to the tagged project; the real run deletes every prefixed
//! object (clusters waited out: none is left DELETING when it returns) and leaves everything
//! else as it was; a second run finds nothing.

use acceptance_tests::{examples_dir, terraform_path, Harness};
use anyhow::{anyhow, ensure, Context as _, Result};
use atlas_admin_sdk::models::{AccessListEntry, Cluster, CreateProject, DatabaseUser};
use atlas_admin_sdk::Client;
use serde_json::json;
use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");
const SWEEP: &str = env!("CARGO_BIN_EXE_sweep");
const PREFIX: &str = "tfacc-sweep-";
const TAG: &str = "created-by=acc-test-run";

fn cluster(name: &str, extra: serde_json::Value) -> Result<Cluster> {
    let mut body = json!({
        "name": name,
        "clusterType": "REPLICASET",
        "replicationSpecs": [{"regionConfigs": [{
            "providerName": "AWS", "regionName": "US_EAST_1", "priority": 7,
            "electableSpecs": {"instanceSize": "M10", "nodeCount": 3}
        }]}]
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    Ok(serde_json::from_value(body)?)
}

fn user(username: &str) -> Result<DatabaseUser> {
    Ok(serde_json::from_value(json!({
        "username": username,
        "databaseName": "admin",
        "password": "sweep-password-123",
        "roles": [{"roleName": "read", "databaseName": "app"}]
    }))?)
}

fn entry(cidr: &str, comment: &str) -> AccessListEntry {
    AccessListEntry::cidr_block(cidr).comment(comment)
}

/// Every object in the organization, one line each, as the sweeper prints them.
async fn inventory(client: &Client) -> Result<BTreeSet<String>> {
    let mut all = BTreeSet::new();
    for p in client.projects().list_all().await? {
        all.insert(format!("project {}", p.name));
        for c in client.clusters().list_all(&p.id).await? {
            all.insert(format!(
                "{}: cluster {}",
                p.name,
                c.name.unwrap_or_default()
            ));
        }
        for u in client.database_users().list_all(&p.id).await? {
            all.insert(format!(
                "{}: database user {}/{}",
                p.name,
                u.database_name.unwrap_or_default(),
                u.username.unwrap_or_default()
            ));
        }
        for e in client.access_list().list_all(&p.id).await? {
            all.insert(format!(
                "{}: access-list entry {}",
                p.name,
                e.entry_value().unwrap_or_default()
            ));
        }
    }
    Ok(all)
}

/// What the sweeper's plan lists, in [`inventory`]'s form.
fn listed(stdout: &str) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    let mut project = String::new();
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("project \"") {
            project = rest.split('"').next().unwrap_or_default().to_owned();
            if line.contains("— the whole project") {
                all.insert(format!("project {project}"));
            }
        } else if let Some(item) = line.strip_prefix("  ") {
            // "cluster NAME (STATE…)": the name only.
            let item = match item.strip_prefix("cluster ") {
                Some(c) => format!("cluster {}", c.split(' ').next().unwrap_or_default()),
                None => item.to_owned(),
            };
            all.insert(format!("{project}: {item}"));
        }
    }
    all
}

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

async fn sweep(h: &Harness, args: &[&str], with_org: bool) -> Result<Run> {
    let mut cmd = tokio::process::Command::new(SWEEP);
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("MONGODB_ATLAS_BASE_URL", &h.sandbox.base_url)
        .env("MONGODB_ATLAS_PUBLIC_KEY", &h.sandbox.public_key)
        .env("MONGODB_ATLAS_PRIVATE_KEY", &h.sandbox.private_key)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    if with_org {
        cmd.env("MONGODB_ATLAS_ORG_ID", &h.sandbox.org_id);
    }
    let out = tokio::time::timeout(Duration::from_secs(120), cmd.output())
        .await
        .map_err(|_| anyhow!("sweep {args:?} did not finish within 120 s"))??;
    let run = Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    eprintln!(
        "--- sweep {args:?} exited {}\n{}{}",
        run.status, run.stdout, run.stderr
    );
    Ok(run)
}

/// `terraform apply` of examples/demo as project `<PREFIX>demo`, killed with SIGKILL (terraform
/// and its plugin, one process group) while the cluster is CREATING.
async fn interrupted_apply(h: &Harness, client: &Client) -> Result<()> {
    let config = std::fs::read_to_string(examples_dir().join("demo/main.tf"))?;
    let wd = h.workdir("interrupted", &config)?;
    let mut child = tokio::process::Command::new(terraform_path()?)
        .args(["apply", "-auto-approve", "-no-color"])
        .current_dir(&wd.dir)
        .envs(h.env())
        .env("TF_VAR_project_name", format!("{PREFIX}demo"))
        .env("TF_VAR_db_password", "demo-password-123")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()?;
    let pgid = child.id().context("terraform's pid")?;
    let deadline = Instant::now() + Duration::from_secs(90);
    let creating = loop {
        ensure!(
            Instant::now() < deadline,
            "the demo's cluster never appeared"
        );
        if let Some(p) = client
            .projects()
            .get_by_name_opt(format!("{PREFIX}demo"))
            .await?
        {
            if let Some(c) = client.clusters().get_opt(&p.id, "demo").await? {
                break c.state_name;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    std::process::Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .status()?;
    child.wait().await?;
    ensure!(
        creating.as_deref() == Some("CREATING"),
        "the cluster was {creating:?} when terraform was killed, not CREATING"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acc_sweep_removes_every_leftover_of_an_interrupted_run_and_nothing_else() -> Result<()> {
    let h = Harness::start_with(
        PROVIDER,
        atlas_sandbox::Config {
            listen: "127.0.0.1:0".parse()?,
            transition_seconds: 3.0,
            ..atlas_sandbox::Config::default()
        },
    )
    .await?;
    let client = h.client()?;
    let org = h.sandbox.org_id.clone();

    // Never to be touched.
    let other = client
        .projects()
        .create(CreateProject::new("other-project", &org).tag("created-by", "acc-test-run"))
        .await?;
    client
        .clusters()
        .create(&other.id, &cluster("main", json!({}))?)
        .await?;
    client
        .database_users()
        .create(&other.id, &user(&format!("lookalike-{PREFIX}"))?)
        .await?;
    client
        .access_list()
        .create(&other.id, &[entry("192.0.2.0/24", "office")])
        .await?;
    client
        .projects()
        .create(CreateProject::new(format!("x{PREFIX}not-a-prefix"), &org))
        .await?;

    // A shared project: only its prefixed objects are the run's.
    let shared = client
        .projects()
        .create(CreateProject::new("shared-team", &org))
        .await?;
    let clusters = client.clusters();
    clusters
        .create(&shared.id, &cluster("prod", json!({}))?)
        .await?;
    clusters
        .create(
            &shared.id,
            &cluster(
                &format!("{PREFIX}c"),
                json!({"tags": [{"key": "created-by", "value": "acc-test-run"}]}),
            )?,
        )
        .await?;
    let users = client.database_users();
    users.create(&shared.id, &user("alice")?).await?;
    users
        .create(&shared.id, &user(&format!("{PREFIX}user"))?)
        .await?;
    client
        .access_list()
        .create(
            &shared.id,
            &[
                entry("198.51.100.0/24", "team vpn"),
                entry("203.0.113.9/32", &format!("{PREFIX}ci runner")),
            ],
        )
        .await?;

    // A run whose destroy was cut short: clusters idle, protected, and already deleting.
    let left = client
        .projects()
        .create(CreateProject::new(format!("{PREFIX}sdk"), &org).tag("created-by", "acc-test-run"))
        .await?;
    for (name, extra) in [
        ("idle", json!({})),
        ("protected", json!({"terminationProtectionEnabled": true})),
        ("deleting", json!({})),
    ] {
        clusters.create(&left.id, &cluster(name, extra)?).await?;
    }
    clusters
        .wait_idle(
            &left.id,
            "idle",
            Duration::from_secs(30),
            std::future::pending(),
        )
        .await?;
    clusters
        .delete(&left.id, "deleting", None)
        .await
        .context("requesting the deletion of cluster 'deleting'")?;
    users.create(&left.id, &user("app")?).await?;
    client
        .access_list()
        .create(&left.id, &[entry("10.1.0.0/16", "anything")])
        .await?;

    // The interrupted terraform run.
    interrupted_apply(&h, &client).await?;

    let before = inventory(&client).await?;
    let prefixed: BTreeSet<String> = before
        .iter()
        .filter(|line| {
            line.starts_with(&format!("project {PREFIX}"))
                || line.starts_with(PREFIX)
                || (line.starts_with("shared-team: ")
                    // the entry commented with the prefix (its line shows no comment)
                    && (line.contains(PREFIX) || line.ends_with(" 203.0.113.9/32")))
        })
        .cloned()
        .collect();
    for expected in [
        format!("project {PREFIX}demo"),
        format!("{PREFIX}demo: cluster demo"),
        format!("project {PREFIX}sdk"),
        format!("{PREFIX}sdk: cluster protected"),
        format!("{PREFIX}sdk: cluster deleting"),
        format!("{PREFIX}sdk: database user admin/app"),
        format!("{PREFIX}sdk: access-list entry 10.1.0.0/16"),
        format!("shared-team: cluster {PREFIX}c"),
        format!("shared-team: database user admin/{PREFIX}user"),
        "shared-team: access-list entry 203.0.113.9/32".to_owned(),
    ] {
        ensure!(
            prefixed.contains(&expected),
            "setup: {expected} missing from {prefixed:#?}"
        );
    }
    let kept: BTreeSet<String> = before.difference(&prefixed).cloned().collect();
    ensure!(
        kept.contains("other-project: cluster main") && kept.contains("shared-team: cluster prod")
    );

    // Refusals change nothing.
    for bad in [
        &["--prefix", ""][..],
        &["--prefix", "  "],
        &["--dry-run"],
        &["--prefix", "tf"],
    ] {
        let run = sweep(&h, bad, true).await?;
        ensure!(run.status == 2, "sweep {bad:?} should refuse (exit 2)");
        ensure!(run.stderr.contains("usage: sweep"), "no usage for {bad:?}");
    }
    ensure!(
        inventory(&client).await? == before,
        "a refused sweep changed something"
    );

    // Dry run: exactly the prefixed objects, nothing deleted (the organization is found alone).
    let dry = sweep(&h, &["--prefix", PREFIX, "--dry-run"], false).await?;
    ensure!(dry.status == 0, "dry run failed");
    ensure!(
        dry.stdout.contains(&format!("organization {org}")),
        "the dry run does not name the organization"
    );
    ensure!(
        listed(&dry.stdout) == prefixed,
        "the dry run listed {:#?}\nexpected {prefixed:#?}",
        listed(&dry.stdout)
    );
    ensure!(dry.stdout.contains("nothing was deleted"));
    ensure!(
        dry.stdout
            .contains("cluster protected (IDLE; termination protection on, will be turned off)"),
        "the dry run does not say termination protection is turned off"
    );
    ensure!(
        inventory(&client).await? == before,
        "the dry run changed something"
    );

    // --tag narrows to what carries the tag: the SDK-made project and the shared prefixed cluster.
    let tagged = sweep(&h, &["--prefix", PREFIX, "--tag", TAG, "--dry-run"], true).await?;
    ensure!(tagged.status == 0, "tagged dry run failed");
    let tagged_list = listed(&tagged.stdout);
    ensure!(tagged_list.contains(&format!("project {PREFIX}sdk")));
    ensure!(tagged_list.contains(&format!("shared-team: cluster {PREFIX}c")));
    ensure!(
        !tagged_list.contains(&format!("project {PREFIX}demo"))
            && !tagged_list.contains(&format!("shared-team: database user admin/{PREFIX}user")),
        "--tag listed untagged objects: {tagged_list:#?}"
    );
    ensure!(inventory(&client).await? == before);

    // The real run.
    let real = sweep(&h, &["--prefix", PREFIX, "--org-id", &org], false).await?;
    ensure!(real.status == 0, "the sweep failed");
    ensure!(real.stdout.contains("sweep: done"));
    let after = inventory(&client).await?;
    ensure!(
        after == kept,
        "after the sweep:\n{after:#?}\nexpected exactly what had no prefix:\n{kept:#?}"
    );
    // Clusters were waited out: nothing is left DELETING, in any project.
    ensure!(
        client
            .clusters()
            .get_opt(&shared.id, format!("{PREFIX}c"))
            .await?
            .is_none(),
        "the shared project's prefixed cluster still exists"
    );
    ensure!(
        real.stdout.matches("deleted cluster ").count() == 5,
        "expected five clusters deleted: demo, idle, protected, deleting and the shared project's"
    );

    // Nothing left: a second run has nothing to do.
    let again = sweep(&h, &["--prefix", PREFIX], true).await?;
    ensure!(again.status == 0 && again.stdout.contains("nothing to delete"));
    Ok(())
}
