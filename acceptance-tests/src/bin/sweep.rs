//! `sweep`: deletes what earlier acceptance runs (or demos) left behind in an Atlas
//! organization — after a Ctrl-C, a killed CI job or a failed destroy — and nothing else, so it
//! is safe against a shared organization.
//!
//! ```text
//! sweep --prefix <prefix> [--tag <key>=<value>] [--org-id <id>] [--dry-run] [--wait-timeout <seconds>]
//! ```
//!
//! Base URL and credentials come from the provider's own environment variables
//! (`MONGODB_ATLAS_BASE_URL`, then `MONGODB_ATLAS_ACCESS_TOKEN`, `MONGODB_ATLAS_CLIENT_ID` /
//! `MONGODB_ATLAS_CLIENT_SECRET`, `MONGODB_ATLAS_PUBLIC_KEY` / `MONGODB_ATLAS_PRIVATE_KEY`, with the
//! provider's aliases and precedence); the organization from `--org-id`, else
//! `MONGODB_ATLAS_ORG_ID`, else the only organization the credentials see.
//!
//! What it selects (the naming convention of runs against an external target, docs/DESIGN.md
//! "Sweeping leftovers"):
//! * a project of the organization whose name starts with the prefix (and, with `--tag`, that
//!   carries the tag) is swept whole: its access-list entries, database users and clusters, then
//!   the project itself;
//! * in every other project of the organization only objects that carry the prefix themselves:
//!   clusters by name (and the tag, with `--tag`), database users by username (and a label equal
//!   to the tag, with `--tag`), access-list entries by comment (they have no name or tags).
//!
//! Order: access-list entries and database users, then clusters (termination protection turned
//! off first, deletion requested, then waited out until the API no longer knows them), then the
//! projects: a project is deleted only once its clusters are gone. Objects already gone count as
//! deleted. `--dry-run` lists the same plan and changes nothing. Exit status: 0 when everything
//! selected is gone (or, with `--dry-run`, was listed), 1 when some deletion failed (each is
//! named), 2 for a usage error.

use anyhow::{anyhow, bail, Context as _, Result};
use atlas_admin_sdk::models::Cluster;
use atlas_admin_sdk::{codes, Backoff, Client};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

const USAGE: &str = "usage: sweep --prefix <prefix> [--tag <key>=<value>] [--org-id <id>] [--dry-run] [--wait-timeout <seconds>]

Deletes the projects of the organization whose name starts with <prefix> (with everything in
them: access-list entries, database users, clusters), and in the other projects the clusters and
database users named <prefix>… and the access-list entries whose comment starts with <prefix>.
--tag narrows it to projects and clusters carrying that tag (database users: that label).
--dry-run prints what would be deleted and deletes nothing.

Reads MONGODB_ATLAS_BASE_URL and the credentials the provider reads (MONGODB_ATLAS_PUBLIC_KEY /
MONGODB_ATLAS_PRIVATE_KEY, MONGODB_ATLAS_CLIENT_ID / MONGODB_ATLAS_CLIENT_SECRET or
MONGODB_ATLAS_ACCESS_TOKEN); the organization from --org-id or MONGODB_ATLAS_ORG_ID.";

/// Shorter prefixes match too much of a shared organization to be a run's own.
const MIN_PREFIX_LEN: usize = 4;

const DEFAULT_BASE_URL: &str = "https://cloud.mongodb.com";
// The provider's variables, in its order of precedence (provider/src/config.rs).
const PUBLIC_KEY_ENV: &[&str] = &[
    "MONGODB_ATLAS_PUBLIC_API_KEY",
    "MONGODB_ATLAS_PUBLIC_KEY",
    "MCLI_PUBLIC_API_KEY",
];
const PRIVATE_KEY_ENV: &[&str] = &[
    "MONGODB_ATLAS_PRIVATE_API_KEY",
    "MONGODB_ATLAS_PRIVATE_KEY",
    "MCLI_PRIVATE_API_KEY",
];
const BASE_URL_ENV: &[&str] = &["MONGODB_ATLAS_BASE_URL", "MCLI_OPS_MANAGER_URL"];

#[derive(Debug)]
struct Args {
    prefix: String,
    tag: Option<(String, String)>,
    org_id: Option<String>,
    dry_run: bool,
    wait_timeout: Duration,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args> {
    let mut prefix = None;
    let mut tag = None;
    let mut org_id = None;
    let mut dry_run = false;
    let mut wait_timeout = Duration::from_secs(3600);
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String> {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| anyhow!("{name} needs a value"))
        };
        match flag.as_str() {
            "--prefix" => prefix = Some(value("--prefix")?),
            "--tag" => {
                let t = value("--tag")?;
                let (k, v) = t
                    .split_once('=')
                    .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                    .ok_or_else(|| anyhow!("--tag takes <key>=<value>, not {t:?}"))?;
                tag = Some((k.to_owned(), v.to_owned()));
            }
            "--org-id" => org_id = Some(value("--org-id")?),
            "--dry-run" if inline.is_none() => dry_run = true,
            "--wait-timeout" => {
                let v = value("--wait-timeout")?;
                let secs: u64 = v
                    .parse()
                    .map_err(|_| anyhow!("--wait-timeout takes seconds, not {v:?}"))?;
                wait_timeout = Duration::from_secs(secs);
            }
            _ => bail!("unknown argument {arg:?}"),
        }
    }
    let prefix = prefix.ok_or_else(|| anyhow!("--prefix is required"))?;
    if prefix.trim().is_empty() {
        bail!("refusing an empty --prefix: it would match everything in the organization");
    }
    if prefix.chars().count() < MIN_PREFIX_LEN {
        bail!("refusing --prefix {prefix:?}: shorter than {MIN_PREFIX_LEN} characters, it matches too much of a shared organization");
    }
    Ok(Args {
        prefix,
        tag,
        org_id: org_id.filter(|o| !o.is_empty()),
        dry_run,
        wait_timeout,
    })
}

fn env_first(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()))
}

/// A client as the provider would build it from the environment.
fn client_from_env() -> Result<Client> {
    let base_url = env_first(BASE_URL_ENV).unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    let builder = Client::builder()
        .base_url(base_url)
        .timeout(Duration::from_secs(120))
        .user_agent(concat!("atlas-sweep/", env!("CARGO_PKG_VERSION")));
    let builder = if let Some(token) = env_first(&["MONGODB_ATLAS_ACCESS_TOKEN"]) {
        builder.bearer_token(token)
    } else if let (Some(id), Some(secret)) = (
        env_first(&["MONGODB_ATLAS_CLIENT_ID"]),
        env_first(&["MONGODB_ATLAS_CLIENT_SECRET"]),
    ) {
        builder.service_account(id, secret)
    } else if let (Some(public), Some(private)) =
        (env_first(PUBLIC_KEY_ENV), env_first(PRIVATE_KEY_ENV))
    {
        builder.digest_auth(public, private)
    } else {
        bail!("no credentials: set MONGODB_ATLAS_PUBLIC_KEY and MONGODB_ATLAS_PRIVATE_KEY, MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET, or MONGODB_ATLAS_ACCESS_TOKEN");
    };
    builder.build().context("building the Atlas client")
}

#[derive(Debug)]
struct ClusterItem {
    name: String,
    state: String,
    protected: bool,
}

#[derive(Debug)]
struct UserItem {
    database: String,
    username: String,
}

/// What to delete in one project.
#[derive(Debug)]
struct ProjectPlan {
    id: String,
    name: String,
    /// The project itself is selected (deleted last, with everything in it).
    whole: bool,
    entries: Vec<String>,
    users: Vec<UserItem>,
    clusters: Vec<ClusterItem>,
}

impl ProjectPlan {
    fn is_empty(&self) -> bool {
        !self.whole && self.entries.is_empty() && self.users.is_empty() && self.clusters.is_empty()
    }
}

fn has_tag<'a>(mut tags: impl Iterator<Item = (&'a str, &'a str)>, tag: &(String, String)) -> bool {
    tags.any(|(k, v)| k == tag.0 && v == tag.1)
}

async fn plan_project(
    client: &Client,
    args: &Args,
    project: &atlas_admin_sdk::models::Project,
) -> Result<ProjectPlan> {
    let whole = project.name.starts_with(&args.prefix)
        && args.tag.as_ref().is_none_or(|t| {
            has_tag(
                project
                    .tags
                    .iter()
                    .map(|t| (t.key.as_str(), t.value.as_str())),
                t,
            )
        });
    let id = project.id.as_str();
    let what = |kind: &str| format!("listing the {kind} of project {:?} ({id})", project.name);
    let clusters = client
        .clusters()
        .list_all(id)
        .await
        .with_context(|| what("clusters"))?;
    let users = client
        .database_users()
        .list_all(id)
        .await
        .with_context(|| what("database users"))?;
    let entries = client
        .access_list()
        .list_all(id)
        .await
        .with_context(|| what("access-list entries"))?;
    let prefixed = |name: Option<&str>| name.is_some_and(|n| n.starts_with(&args.prefix));
    let tagged = |tags: Vec<(&str, &str)>| {
        args.tag
            .as_ref()
            .is_none_or(|t| has_tag(tags.into_iter(), t))
    };
    Ok(ProjectPlan {
        id: project.id.clone(),
        name: project.name.clone(),
        whole,
        entries: entries
            .iter()
            .filter(|e| whole || prefixed(e.comment.as_deref()))
            .filter_map(|e| e.entry_value())
            .collect(),
        users: users
            .iter()
            .filter(|u| {
                whole
                    || (prefixed(u.username.as_deref())
                        && tagged(
                            u.labels
                                .iter()
                                .flatten()
                                .filter_map(|l| Some((l.key.as_deref()?, l.value.as_deref()?)))
                                .collect(),
                        ))
            })
            .filter_map(|u| {
                Some(UserItem {
                    database: u.database_name.clone()?,
                    username: u.username.clone()?,
                })
            })
            .collect(),
        clusters: clusters
            .iter()
            .filter(|c| {
                whole
                    || (prefixed(c.name.as_deref())
                        && tagged(
                            c.tags
                                .iter()
                                .flatten()
                                .map(|t| (t.key.as_str(), t.value.as_str()))
                                .collect(),
                        ))
            })
            .filter_map(|c| {
                Some(ClusterItem {
                    name: c.name.clone()?,
                    state: c.state_name.clone().unwrap_or_default(),
                    protected: c.termination_protection_enabled == Some(true),
                })
            })
            .collect(),
    })
}

fn describe(plan: &ProjectPlan) -> String {
    let mut out = String::new();
    if plan.whole {
        let _ = writeln!(
            out,
            "project {:?} ({}) — the whole project",
            plan.name, plan.id
        );
    } else {
        let _ = writeln!(
            out,
            "project {:?} ({}) — kept; only its prefixed objects",
            plan.name, plan.id
        );
    }
    for e in &plan.entries {
        let _ = writeln!(out, "  access-list entry {e}");
    }
    for u in &plan.users {
        let _ = writeln!(out, "  database user {}/{}", u.database, u.username);
    }
    for c in &plan.clusters {
        let protection = if c.protected {
            "; termination protection on, will be turned off"
        } else {
            ""
        };
        let _ = writeln!(out, "  cluster {} ({}{protection})", c.name, c.state);
    }
    out
}

/// Deleting something already gone is success.
fn gone_ok(result: atlas_admin_sdk::Result<()>) -> atlas_admin_sdk::Result<()> {
    match result {
        Err(e) if e.is_not_found() => Ok(()),
        other => other,
    }
}

/// Sweeps one project; returns the failures (each naming its object).
async fn sweep_project(client: &Client, plan: &ProjectPlan, wait: Duration) -> Vec<String> {
    let mut failures = Vec::new();
    let pid = plan.id.as_str();
    let at = format!("in project {:?} ({pid})", plan.name);
    for e in &plan.entries {
        match gone_ok(client.access_list().delete(pid, e.as_str()).await) {
            Ok(()) => println!("deleted access-list entry {e} {at}"),
            Err(err) => failures.push(format!("access-list entry {e} {at}: {err}")),
        }
    }
    for u in &plan.users {
        let result = client
            .database_users()
            .delete(pid, u.database.as_str(), u.username.as_str())
            .await;
        match gone_ok(result) {
            Ok(()) => println!("deleted database user {}/{} {at}", u.database, u.username),
            Err(err) => failures.push(format!(
                "database user {}/{} {at}: {err}",
                u.database, u.username
            )),
        }
    }
    let clusters = client.clusters().with_backoff(Backoff::new(
        Duration::from_millis(250),
        Duration::from_secs(15),
    ));
    // Every cluster's deletion is requested and waited out side by side.
    let mut tasks = tokio::task::JoinSet::new();
    for (i, c) in plan.clusters.iter().enumerate() {
        let (clusters, pid, name, protected, at) = (
            clusters.clone(),
            pid.to_owned(),
            c.name.clone(),
            c.protected,
            at.clone(),
        );
        tasks.spawn(async move {
            let result = async {
                if protected {
                    let off = Cluster {
                        termination_protection_enabled: Some(false),
                        ..Default::default()
                    };
                    gone_ok(clusters.update(&pid, &name, &off).await.map(drop))?;
                }
                match gone_ok(clusters.delete(&pid, &name, None).await) {
                    Err(e) if e.has_code(codes::CLUSTER_ALREADY_REQUESTED_DELETION) => {}
                    other => other?,
                }
                println!("cluster {name} {at}: deletion requested, waiting until it is gone");
                clusters
                    .wait_deleted(&pid, &name, wait, std::future::pending())
                    .await
            }
            .await;
            (i, result)
        });
    }
    let mut results: Vec<_> = tasks.join_all().await;
    results.sort_by_key(|(i, _)| *i);
    let mut clusters_left = false;
    for (c, (_, result)) in plan.clusters.iter().zip(results) {
        match result {
            Ok(()) => println!("deleted cluster {} {at}", c.name),
            Err(err) => {
                clusters_left = true;
                failures.push(format!("cluster {} {at}: {err}", c.name));
            }
        }
    }
    if plan.whole {
        if clusters_left {
            failures.push(format!(
                "project {:?} ({pid}): not deleted, clusters are left in it",
                plan.name
            ));
        } else {
            match delete_project(client, pid, wait).await {
                Ok(()) => println!("deleted project {:?} ({pid})", plan.name),
                Err(err) => failures.push(format!("project {:?} ({pid}): {err}", plan.name)),
            }
        }
    }
    failures
}

/// Deletes a project whose clusters are gone; Atlas may refuse for a short while after the last
/// cluster went (409), so conflicts are retried until `wait`.
async fn delete_project(client: &Client, pid: &str, wait: Duration) -> atlas_admin_sdk::Result<()> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut delay = Duration::from_millis(250);
    loop {
        match gone_ok(client.projects().delete(pid).await) {
            Err(e)
                if (e.is_conflict()
                    || e.has_code(codes::CANNOT_CLOSE_GROUP_ACTIVE_ATLAS_CLUSTERS))
                    && tokio::time::Instant::now() + delay < deadline =>
            {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
            other => return other,
        }
    }
}

async fn run(args: Args) -> Result<bool> {
    let client = client_from_env()?;
    let org_id = match args
        .org_id
        .clone()
        .or_else(|| env_first(&["MONGODB_ATLAS_ORG_ID"]))
    {
        Some(org) => org,
        None => {
            let orgs = client
                .organizations()
                .list_all()
                .await
                .context("listing organizations")?;
            match orgs.as_slice() {
                [only] => only.id.clone(),
                _ => bail!(
                    "the credentials see {} organizations: name one with --org-id or MONGODB_ATLAS_ORG_ID",
                    orgs.len()
                ),
            }
        }
    };
    let tag = args
        .tag
        .as_ref()
        .map(|(k, v)| format!(", tag {k}={v}"))
        .unwrap_or_default();
    println!(
        "sweep: {} organization {org_id}, prefix {:?}{tag}{}",
        client.base_url(),
        args.prefix,
        if args.dry_run { " (dry run)" } else { "" }
    );
    let projects: Vec<_> = client
        .projects()
        .list_all()
        .await
        .context("listing projects")?
        .into_iter()
        .filter(|p| p.org_id == org_id)
        .collect();
    let mut plans = Vec::new();
    for project in &projects {
        let plan = plan_project(&client, &args, project).await?;
        if !plan.is_empty() {
            plans.push(Arc::new(plan));
        }
    }
    let count = |f: fn(&ProjectPlan) -> usize| plans.iter().map(|p| f(p)).sum::<usize>();
    let summary = format!(
        "{} projects, {} clusters, {} database users, {} access-list entries",
        count(|p| usize::from(p.whole)),
        count(|p| p.clusters.len()),
        count(|p| p.users.len()),
        count(|p| p.entries.len()),
    );
    if plans.is_empty() {
        println!(
            "nothing to delete ({} projects in the organization looked at)",
            projects.len()
        );
        return Ok(true);
    }
    for plan in &plans {
        print!("{}", describe(plan));
    }
    if args.dry_run {
        println!("dry run: would delete {summary}; nothing was deleted");
        return Ok(true);
    }
    println!("deleting {summary}");
    // Projects are swept side by side: their clusters are waited out concurrently.
    let mut tasks = tokio::task::JoinSet::new();
    for plan in &plans {
        let (client, plan) = (client.clone(), Arc::clone(plan));
        tasks.spawn(async move { sweep_project(&client, &plan, args.wait_timeout).await });
    }
    let mut failures = Vec::new();
    while let Some(result) = tasks.join_next().await {
        failures.extend(result.context("a sweeping task panicked")?);
    }
    if failures.is_empty() {
        println!("sweep: done, deleted {summary}");
        Ok(true)
    } else {
        for f in &failures {
            eprintln!("sweep: failed: {f}");
        }
        eprintln!("sweep: {} deletions failed; run it again", failures.len());
        Ok(false)
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let args = match parse_args(args) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("sweep: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("sweep: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn refuses_empty_and_short_prefixes() {
        assert!(parse(&[]).is_err());
        assert!(parse(&["--prefix", ""]).is_err());
        assert!(parse(&["--prefix="]).is_err());
        assert!(parse(&["--prefix", "   "]).is_err());
        assert!(parse(&["--prefix", "tf"]).is_err());
        assert!(parse(&["--prefix", "tfacc-"]).is_ok());
    }

    #[test]
    fn parses_every_flag() {
        let a = parse(&[
            "--prefix=tfacc-1-",
            "--tag",
            "created-by=acc-test-run",
            "--org-id",
            "abc",
            "--dry-run",
            "--wait-timeout=60",
        ])
        .unwrap();
        assert_eq!(a.prefix, "tfacc-1-");
        assert_eq!(
            a.tag,
            Some(("created-by".to_owned(), "acc-test-run".to_owned()))
        );
        assert_eq!(a.org_id.as_deref(), Some("abc"));
        assert!(a.dry_run);
        assert_eq!(a.wait_timeout, Duration::from_secs(60));
        assert!(parse(&["--prefix", "tfacc-", "--tag", "novalue"]).is_err());
        assert!(parse(&["--prefix", "tfacc-", "--bogus"]).is_err());
    }
}
