//! Declarative acceptance cases, modelled on terraform-plugin-testing's `TestCase` / `TestStep`.
//!
//! A [`Case`] is a list of [`Step`]s run in one working directory against one [`Harness`]
//! (one sandbox). The step contract:
//!
//! * [`Step::apply`]: write the config, `terraform plan -out`, assert the expected plan actions
//!   (`expect_create`, `expect_update_in_place`, `expect_replace`, …) and plan checks from
//!   `terraform show -json` of that plan, apply exactly that plan, run the state checks on
//!   `terraform show -json`, then require an empty `terraform plan -detailed-exitcode` both with
//!   refresh and with `-refresh=false`.
//! * [`Step::plan_only`]: plan the config without applying: the expected actions, or an empty
//!   plan (with and without refresh) when none are given, or an expected error.
//! * [`Step::import_verify`]: `terraform import` the resource into a fresh state in a scratch
//!   directory (same config as the last apply), compare every attribute with the applied state
//!   except the ignored ones, and require an empty plan there (or, when the step expects
//!   actions, a plan of exactly those).
//! * [`Step::disappears`]: delete the object out of band, then require the next (refreshing)
//!   plan to succeed and propose creating it again.
//! * At the end (also after a failed step) the case restores the last applied config, runs
//!   the optional `before_destroy`, `terraform destroy`, requires an empty state and runs the
//!   optional `check_destroyed` (also when nothing was applied).
//! * `Case::check_outputs` sees every terraform command of the case and what it printed.
//!
//! Failures name the case, the step number and kind, and carry terraform's output.

use crate::{actions_for, assert_same_attributes, CommandObserver, Harness, Output, Workdir};
use anyhow::{anyhow, bail, ensure, Context as _, Result};
use regex::Regex;
use serde_json::Value as Json;
use std::fmt::Write as _;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

pub use regex;

/// What async checks and out-of-band actions get: an SDK client pointed at the sandbox and
/// the state after the last apply step.
#[derive(Clone)]
pub struct Ctx {
    pub client: atlas_admin_sdk::Client,
    pub org_id: String,
    pub base_url: String,
    pub state: State,
    /// The working directory of the step (`main.tf`, `tfplan`, `terraform.tfstate`).
    pub workdir: PathBuf,
}

/// `terraform show -json` of a state, addressed the way the checks address it.
#[derive(Clone, Debug, Default)]
pub struct State {
    json: Json,
}

type LocalFuture = Pin<Box<dyn Future<Output = Result<()>>>>;
type AsyncFn = Box<dyn Fn(Ctx) -> LocalFuture>;
type StateFn = Box<dyn Fn(&State) -> Result<()>>;
type FilesFn = Box<dyn Fn(&Path) -> Result<()>>;
type PlanFn = Box<dyn Fn(&Json) -> Result<()>>;
type OutputFn = Box<dyn Fn(&Output) -> Result<()>>;
type IdFn = Box<dyn Fn(&State) -> Result<String>>;

fn boxed<F, Fut>(f: F) -> AsyncFn
where
    F: Fn(Ctx) -> Fut + 'static,
    Fut: Future<Output = Result<()>> + 'static,
{
    Box::new(move |ctx| Box::pin(f(ctx)))
}

impl State {
    pub fn new(json: Json) -> State {
        State { json }
    }

    /// The whole `terraform show -json` document.
    pub fn json(&self) -> &Json {
        &self.json
    }

    /// Every resource and data source address in the state (child modules included).
    pub fn addresses(&self) -> Vec<String> {
        self.resources()
            .iter()
            .filter_map(|r| r["address"].as_str().map(str::to_string))
            .collect()
    }

    fn resources(&self) -> Vec<&Json> {
        fn walk<'a>(module: &'a Json, out: &mut Vec<&'a Json>) {
            out.extend(module["resources"].as_array().into_iter().flatten());
            for child in module["child_modules"].as_array().into_iter().flatten() {
                walk(child, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.json["values"]["root_module"], &mut out);
        out
    }

    /// The attribute values of one resource (`mongodbatlas_project.p`, `data.x.y`, `x.y[0]`).
    pub fn resource(&self, address: &str) -> Option<&Json> {
        self.resources()
            .into_iter()
            .find(|r| r["address"] == address)
            .map(|r| &r["values"])
    }

    /// The value at `path`: `<resource address>.<attr>[.<key or index>…]` or
    /// `output.<name>[.<key or index>…]`. `#` (or `%`) as a segment is the length of a list,
    /// set or map. A missing attribute or key is `null`; an unknown resource is an error.
    pub fn get(&self, path: &str) -> Result<Json> {
        let (root, rest) = if let Some(rest) = path.strip_prefix("output.") {
            let (name, rest) = rest.split_once('.').unwrap_or((rest, ""));
            // Terraform leaves null outputs out of the state: missing is null.
            (&self.json["values"]["outputs"][name]["value"], rest)
        } else {
            let resources = self.resources();
            let found = resources
                .iter()
                .filter_map(|r| {
                    let address = r["address"].as_str()?;
                    let rest = path.strip_prefix(address)?;
                    let rest = if rest.is_empty() {
                        rest
                    } else {
                        rest.strip_prefix('.')?
                    };
                    Some((address.len(), &r["values"], rest))
                })
                .max_by_key(|(len, _, _)| *len);
            let Some((_, values, rest)) = found else {
                bail!(
                    "{path:?} names no resource in the state (it has {:?})",
                    self.addresses()
                );
            };
            (values, rest)
        };
        let mut value = root.clone();
        for segment in rest.split('.').filter(|s| !s.is_empty()) {
            value = match (segment, &value) {
                ("#" | "%", Json::Array(a)) => Json::from(a.len()),
                ("#" | "%", Json::Object(o)) => Json::from(o.len()),
                ("#" | "%", Json::Null) => Json::from(0),
                (_, Json::Array(a)) => match segment.parse::<usize>() {
                    Ok(i) => a.get(i).cloned().unwrap_or(Json::Null),
                    Err(_) => bail!("{path:?}: {segment:?} indexes a list"),
                },
                (_, Json::Object(o)) => o.get(segment).cloned().unwrap_or(Json::Null),
                (_, Json::Null) => Json::Null,
                (_, other) => bail!("{path:?}: {segment:?} goes into the scalar {other}"),
            };
        }
        Ok(value)
    }

    /// The string at `path`; an error if it is anything else.
    pub fn str(&self, path: &str) -> Result<String> {
        match self.get(path)? {
            Json::String(s) => Ok(s),
            other => bail!("{path} is {other}, not a string"),
        }
    }
}

/// A check on the state after a step.
enum Check {
    Equals(String, Json),
    Set(String),
    Absent(String),
    Matches(String, Regex),
    Pair(String, String),
    Unchanged(String),
    State(StateFn),
    Files(FilesFn),
    Async(AsyncFn),
}

impl Check {
    /// Runs the check; `prev` is the state after the previous apply step.
    async fn run(&self, ctx: &Ctx, prev: Option<&State>) -> Result<()> {
        let state = &ctx.state;
        match self {
            Check::Equals(path, want) => {
                let got = state.get(path)?;
                ensure!(&got == want, "{path}: expected {want}, got {got}");
            }
            Check::Set(path) => {
                let got = state.get(path)?;
                ensure!(!got.is_null(), "{path}: expected a value, got null");
            }
            Check::Absent(path) => {
                let got = state.get(path)?;
                ensure!(got.is_null(), "{path}: expected null, got {got}");
            }
            Check::Matches(path, re) => {
                let got = state.get(path)?;
                let text = match &got {
                    Json::String(s) => s.clone(),
                    Json::Null => bail!("{path}: expected a match of /{re}/, got null"),
                    other => other.to_string(),
                };
                ensure!(re.is_match(&text), "{path}: {got} does not match /{re}/");
            }
            Check::Pair(a, b) => {
                let (x, y) = (state.get(a)?, state.get(b)?);
                ensure!(!x.is_null(), "{a}: expected a value equal to {b}, got null");
                ensure!(x == y, "{a} is {x} but {b} is {y}");
            }
            Check::Unchanged(path) => {
                let prev = prev.ok_or_else(|| {
                    anyhow!("check_unchanged({path}) needs an earlier apply step")
                })?;
                let (before, now) = (prev.get(path)?, state.get(path)?);
                ensure!(!before.is_null(), "{path} was null before this step");
                ensure!(before == now, "{path} changed from {before} to {now}");
            }
            Check::State(f) => f(state)?,
            Check::Files(f) => f(&ctx.workdir)?,
            Check::Async(f) => f(ctx.clone()).await?,
        }
        Ok(())
    }
}

/// Planned actions for one address, as `terraform show -json` of a plan lists them.
#[derive(Clone, Debug)]
enum Expected {
    Create,
    UpdateInPlace,
    Replace,
    NoOp,
    Destroy,
    Exact(Vec<String>),
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expected::Create => f.write_str("create"),
            Expected::UpdateInPlace => f.write_str("update in place"),
            Expected::Replace => f.write_str("replace"),
            Expected::NoOp => f.write_str("no-op"),
            Expected::Destroy => f.write_str("destroy"),
            Expected::Exact(actions) => write!(f, "{actions:?}"),
        }
    }
}

impl Expected {
    fn matches(&self, actions: &[String]) -> bool {
        let is = |want: &[&str]| actions.iter().map(String::as_str).eq(want.iter().copied());
        match self {
            Expected::Create => is(&["create"]),
            Expected::UpdateInPlace => is(&["update"]),
            Expected::Replace => is(&["delete", "create"]) || is(&["create", "delete"]),
            Expected::NoOp => is(&["no-op"]),
            Expected::Destroy => is(&["delete"]),
            Expected::Exact(want) => actions == want.as_slice(),
        }
    }
}

enum ImportId {
    /// The imported resource's `id` attribute in the applied state.
    FromState,
    Fixed(String),
    Fn(IdFn),
}

struct Import {
    address: String,
    ignore: Vec<String>,
    id: ImportId,
    empty_plan: bool,
    /// The config of the scratch directory; the last applied one when `None`.
    config: Option<String>,
}

enum Kind {
    Apply {
        config: String,
    },
    PlanOnly {
        config: String,
    },
    ImportVerify(Import),
    Disappears {
        address: String,
        delete: AsyncFn,
    },
    /// Out-of-band change, then the refreshing plan must propose `expect` for `address`.
    OutOfBand {
        address: String,
        change: AsyncFn,
        expect: Expected,
    },
}

/// One step of a [`Case`]; build it with [`Step::apply`], [`Step::plan_only`],
/// [`Step::import_verify`] or [`Step::disappears`] and the builder methods.
pub struct Step {
    kind: Kind,
    env: Vec<(String, Option<String>)>,
    errors: Vec<Regex>,
    error_checks: Vec<OutputFn>,
    actions: Vec<(String, Expected)>,
    plan_checks: Vec<PlanFn>,
    checks: Vec<Check>,
}

impl Step {
    fn new(kind: Kind) -> Step {
        Step {
            kind,
            env: Vec::new(),
            errors: Vec::new(),
            error_checks: Vec::new(),
            actions: Vec::new(),
            plan_checks: Vec::new(),
            checks: Vec::new(),
        }
    }

    /// Plans and applies `config`; then the state checks, then an empty plan with and
    /// without refresh.
    pub fn apply(config: impl Into<String>) -> Step {
        Step::new(Kind::Apply {
            config: config.into(),
        })
    }

    /// Plans `config` without applying. Without expected actions the plan must be empty
    /// (with and without refresh).
    pub fn plan_only(config: impl Into<String>) -> Step {
        Step::new(Kind::PlanOnly {
            config: config.into(),
        })
    }

    /// Imports `address` into a fresh state (with the last applied config) and compares its
    /// attributes with the applied state, except `ignore`. The import id is the resource's
    /// `id` unless [`Step::import_id`] or [`Step::import_id_fn`] says otherwise. The plan
    /// there must be empty, or, when the step expects actions (`expect_update_in_place`, …)
    /// or has `check_plan`s, propose exactly those (for configuration-only attributes an
    /// import cannot read back).
    pub fn import_verify(address: &str, ignore: &[&str]) -> Step {
        Step::new(Kind::ImportVerify(Import {
            address: address.to_string(),
            ignore: ignore.iter().map(|s| s.to_string()).collect(),
            id: ImportId::FromState,
            empty_plan: true,
            config: None,
        }))
    }

    /// Runs `delete` (the object removed behind terraform's back), then requires the next
    /// plan to refresh without error and propose creating `address` again.
    pub fn disappears<F, Fut>(address: &str, delete: F) -> Step
    where
        F: Fn(Ctx) -> Fut + 'static,
        Fut: Future<Output = Result<()>> + 'static,
    {
        Step::new(Kind::Disappears {
            address: address.to_string(),
            delete: boxed(delete),
        })
    }

    /// Runs `change` (the object modified behind terraform's back, not deleted), then requires
    /// the next refreshing plan to detect the drift and update `address` in place.
    pub fn drift<F, Fut>(address: &str, change: F) -> Step
    where
        F: Fn(Ctx) -> Fut + 'static,
        Fut: Future<Output = Result<()>> + 'static,
    {
        Step::new(Kind::OutOfBand {
            address: address.to_string(),
            change: boxed(change),
            expect: Expected::UpdateInPlace,
        })
    }

    // ---- environment ----

    /// Sets an environment variable for this step's terraform commands only.
    pub fn env(mut self, key: &str, value: &str) -> Step {
        self.env.push((key.to_string(), Some(value.to_string())));
        self
    }

    /// Removes an environment variable for this step's terraform commands only.
    pub fn unset_env(mut self, key: &str) -> Step {
        self.env.push((key.to_string(), None));
        self
    }

    // ---- expected errors ----

    /// The step must fail with terraform's stderr matching `regex` (several calls: all must
    /// match). Panics on an invalid regex.
    pub fn expect_error(mut self, regex: &str) -> Step {
        self.errors.push(compile(regex));
        self
    }

    /// The step must fail, and `check` gets terraform's output.
    pub fn check_error(mut self, check: impl Fn(&Output) -> Result<()> + 'static) -> Step {
        self.error_checks.push(Box::new(check));
        self
    }

    fn expects_error(&self) -> bool {
        !self.errors.is_empty() || !self.error_checks.is_empty()
    }

    // ---- plan expectations ----

    pub fn expect_create(self, address: &str) -> Step {
        self.expect(address, Expected::Create)
    }

    pub fn expect_update_in_place(self, address: &str) -> Step {
        self.expect(address, Expected::UpdateInPlace)
    }

    /// Delete-then-create or create-then-delete.
    pub fn expect_replace(self, address: &str) -> Step {
        self.expect(address, Expected::Replace)
    }

    pub fn expect_no_op(self, address: &str) -> Step {
        self.expect(address, Expected::NoOp)
    }

    pub fn expect_destroy(self, address: &str) -> Step {
        self.expect(address, Expected::Destroy)
    }

    /// Exactly these actions, in this order (e.g. `["delete", "create"]`).
    pub fn expect_actions(self, address: &str, actions: &[&str]) -> Step {
        let actions = actions.iter().map(|a| a.to_string()).collect();
        self.expect(address, Expected::Exact(actions))
    }

    fn expect(mut self, address: &str, expected: Expected) -> Step {
        self.actions.push((address.to_string(), expected));
        self
    }

    /// A check on `terraform show -json` of the step's plan (before it is applied).
    pub fn check_plan(mut self, check: impl Fn(&Json) -> Result<()> + 'static) -> Step {
        self.plan_checks.push(Box::new(check));
        self
    }

    // ---- state checks ----

    /// The value at `path` (see [`State::get`]) equals `value` exactly (JSON types included).
    pub fn check_eq(mut self, path: &str, value: impl Into<Json>) -> Step {
        self.checks
            .push(Check::Equals(path.to_string(), value.into()));
        self
    }

    /// The value at `path` is not null.
    pub fn check_set(mut self, path: &str) -> Step {
        self.checks.push(Check::Set(path.to_string()));
        self
    }

    /// The value at `path` is null or missing.
    pub fn check_absent(mut self, path: &str) -> Step {
        self.checks.push(Check::Absent(path.to_string()));
        self
    }

    /// The value at `path` (a string, else its JSON text) matches `regex`.
    pub fn check_matches(mut self, path: &str, regex: &str) -> Step {
        self.checks
            .push(Check::Matches(path.to_string(), compile(regex)));
        self
    }

    /// The values at `a` and `b` are equal and not null.
    pub fn check_pair(mut self, a: &str, b: &str) -> Step {
        self.checks.push(Check::Pair(a.to_string(), b.to_string()));
        self
    }

    /// The value at `path` is the one it had after the previous apply step (and not null).
    pub fn check_unchanged(mut self, path: &str) -> Step {
        self.checks.push(Check::Unchanged(path.to_string()));
        self
    }

    /// A custom check on the state.
    pub fn check(mut self, check: impl Fn(&State) -> Result<()> + 'static) -> Step {
        self.checks.push(Check::State(Box::new(check)));
        self
    }

    /// A custom check on the step's working directory (the raw `terraform.tfstate`, the
    /// step's plan file `tfplan`).
    pub fn check_files(mut self, check: impl Fn(&Path) -> Result<()> + 'static) -> Step {
        self.checks.push(Check::Files(Box::new(check)));
        self
    }

    /// A custom async check, typically asking the sandbox through `ctx.client`.
    pub fn check_remote<F, Fut>(mut self, check: F) -> Step
    where
        F: Fn(Ctx) -> Fut + 'static,
        Fut: Future<Output = Result<()>> + 'static,
    {
        self.checks.push(Check::Async(boxed(check)));
        self
    }

    // ---- import ----

    /// Imports with this id instead of the resource's `id`.
    pub fn import_id(mut self, id: &str) -> Step {
        self.import_mut("import_id").id = ImportId::Fixed(id.to_string());
        self
    }

    /// Imports with the id `f` computes from the applied state.
    pub fn import_id_fn(mut self, f: impl Fn(&State) -> Result<String> + 'static) -> Step {
        self.import_mut("import_id_fn").id = ImportId::Fn(Box::new(f));
        self
    }

    /// Does not require an empty plan on the imported state (for attributes import cannot
    /// read back, like a password).
    pub fn import_plan_may_change(mut self) -> Step {
        self.import_mut("import_plan_may_change").empty_plan = false;
        self
    }

    /// Imports with this config instead of the last applied one (e.g. only the imported
    /// resource, so the plan after the import has nothing else to create).
    pub fn import_config(mut self, config: impl Into<String>) -> Step {
        self.import_mut("import_config").config = Some(config.into());
        self
    }

    fn import_mut(&mut self, method: &str) -> &mut Import {
        match &mut self.kind {
            Kind::ImportVerify(import) => import,
            _ => panic!("{method} only applies to Step::import_verify"),
        }
    }

    /// "apply", "plan_only mongodbatlas_x.y: update", … for failure messages.
    fn describe(&self) -> String {
        let mut s = match &self.kind {
            Kind::Apply { .. } => "apply".to_string(),
            Kind::PlanOnly { .. } => "plan_only".to_string(),
            Kind::ImportVerify(import) => format!("import_verify {}", import.address),
            Kind::Disappears { address, .. } => format!("disappears {address}"),
            Kind::OutOfBand { address, .. } => format!("drift {address}"),
        };
        for (address, expected) in &self.actions {
            let _ = write!(s, ", expect {expected} of {address}");
        }
        if self.expects_error() {
            s.push_str(", expect error");
        }
        s
    }
}

fn compile(regex: &str) -> Regex {
    Regex::new(regex).unwrap_or_else(|e| panic!("invalid regex {regex:?}: {e}"))
}

/// A list of steps run in one working directory, then destroyed.
pub struct Case {
    name: String,
    steps: Vec<Step>,
    vars: Vec<(String, String)>,
    env: Vec<(String, Option<String>)>,
    outputs: Option<CommandObserver>,
    before_destroy: Option<AsyncFn>,
    check_destroyed: Option<AsyncFn>,
}

impl Case {
    /// `name` names the working directory and prefixes failures.
    pub fn new(name: &str) -> Case {
        Case {
            name: name.to_string(),
            steps: Vec::new(),
            vars: Vec::new(),
            env: Vec::new(),
            outputs: None,
            before_destroy: None,
            check_destroyed: None,
        }
    }

    pub fn step(mut self, step: Step) -> Case {
        self.steps.push(step);
        self
    }

    pub fn steps(mut self, steps: impl IntoIterator<Item = Step>) -> Case {
        self.steps.extend(steps);
        self
    }

    /// A terraform input variable (`TF_VAR_<name>`) for every command of the case.
    pub fn var(mut self, name: &str, value: &str) -> Case {
        self.vars.push((name.to_string(), value.to_string()));
        self
    }

    /// An environment variable for every terraform command of the case (imports and the
    /// final destroy included), e.g. `TF_LOG`; a relative path is relative to the working
    /// directory (`ctx.workdir`).
    pub fn env(mut self, key: &str, value: &str) -> Case {
        self.env.push((key.to_string(), Some(value.to_string())));
        self
    }

    /// Removes an environment variable (e.g. one the harness sets) for the whole case.
    pub fn unset_env(mut self, key: &str) -> Case {
        self.env.push((key.to_string(), None));
        self
    }

    /// A check on the output of every terraform command the case runs (steps, imports, the
    /// post-apply plans and the final destroy; failed commands too): it gets the command's
    /// arguments and what it printed, and an error fails the case at that command.
    pub fn check_outputs(
        mut self,
        check: impl Fn(&[&str], &Output) -> Result<()> + Send + Sync + 'static,
    ) -> Case {
        self.outputs = Some(std::sync::Arc::new(check));
        self
    }

    /// Runs just before the final destroy (also after a failed step), e.g. to change the
    /// sandbox's behaviour for it; `ctx.state` is the state it destroys.
    pub fn before_destroy<F, Fut>(mut self, hook: F) -> Case
    where
        F: Fn(Ctx) -> Fut + 'static,
        Fut: Future<Output = Result<()>> + 'static,
    {
        self.before_destroy = Some(boxed(hook));
        self
    }

    /// Runs after the final destroy; `ctx.state` is the state just before it (empty when
    /// nothing was applied: the check runs all the same).
    pub fn check_destroyed<F, Fut>(mut self, check: F) -> Case
    where
        F: Fn(Ctx) -> Fut + 'static,
        Fut: Future<Output = Result<()>> + 'static,
    {
        self.check_destroyed = Some(boxed(check));
        self
    }

    /// Starts a harness (its own sandbox) for this case and runs it.
    pub async fn run_new(self, provider_bin: &str) -> Result<()> {
        let h = Harness::start(provider_bin).await?;
        self.run(&h).await
    }

    /// Runs every step in order, stopping at the first failure, then always destroys.
    pub async fn run(self, h: &Harness) -> Result<()> {
        ensure!(!self.steps.is_empty(), "case {}: no steps", self.name);
        let mut wd = h.workdir(&format!("case-{}", self.name), "")?;
        for (k, v) in &self.vars {
            wd.set_env(&format!("TF_VAR_{k}"), v);
        }
        for (k, v) in &self.env {
            match v {
                Some(v) => wd.set_env(k, v),
                None => wd.remove_env(k),
            }
        }
        if let Some(observer) = &self.outputs {
            wd.observe(observer.clone());
        }
        let mut runner = Runner {
            h,
            name: &self.name,
            client: h.client()?,
            wd,
            last_config: None,
            state: None,
            prev_state: None,
        };
        let total = self.steps.len();
        let mut result = Ok(());
        for (i, step) in self.steps.iter().enumerate() {
            if let Err(e) = runner.step(i, step).await {
                result = Err(e.context(format!(
                    "case {}: step {}/{total} ({}) failed",
                    self.name,
                    i + 1,
                    step.describe()
                )));
                break;
            }
        }
        let destroyed = runner
            .destroy(self.before_destroy.as_ref(), self.check_destroyed.as_ref())
            .await
            .with_context(|| format!("case {}: the final destroy failed", self.name));
        match (result, destroyed) {
            (Err(e), Err(d)) => Err(e.context(format!("(and then: {d:#})"))),
            (Err(e), Ok(())) | (Ok(()), Err(e)) => Err(e),
            (Ok(()), Ok(())) => Ok(()),
        }
    }
}

struct Runner<'a> {
    h: &'a Harness,
    name: &'a str,
    client: atlas_admin_sdk::Client,
    wd: Workdir,
    /// The config of the last apply step (import and the final destroy use it).
    last_config: Option<String>,
    /// The state after the last apply step, and the one before it.
    state: Option<State>,
    prev_state: Option<State>,
}

impl Runner<'_> {
    fn ctx(&self, state: State, workdir: &Path) -> Ctx {
        Ctx {
            workdir: workdir.to_path_buf(),
            client: self.client.clone(),
            org_id: self.h.sandbox.org_id.clone(),
            base_url: self.h.sandbox.base_url.clone(),
            state,
        }
    }

    /// The main working directory with the step's environment on top.
    fn with_env(&self, wd: &Workdir, step: &Step) -> Workdir {
        let mut out = Workdir {
            dir: wd.dir.clone(),
            env: wd.env.clone(),
            observer: wd.observer.clone(),
        };
        for (k, v) in &step.env {
            match v {
                Some(v) => out.set_env(k, v),
                None => out.remove_env(k),
            }
        }
        out
    }

    async fn step(&mut self, i: usize, step: &Step) -> Result<()> {
        match &step.kind {
            Kind::Apply { config } => self.apply(step, config).await,
            Kind::PlanOnly { config } => self.plan_only(step, config).await,
            Kind::ImportVerify(import) => self.import_verify(i, step, import).await,
            Kind::Disappears { address, delete } => {
                self.out_of_band(step, address, delete, &Expected::Create)
                    .await
            }
            Kind::OutOfBand {
                address,
                change,
                expect,
            } => self.out_of_band(step, address, change, expect).await,
        }
    }

    async fn apply(&mut self, step: &Step, config: &str) -> Result<()> {
        self.wd.write_config(config)?;
        let wd = self.with_env(&self.wd, step);
        let planned = wd
            .run(&["plan", "-no-color", "-input=false", "-out=tfplan"])
            .await?;
        if planned.status != 0 {
            return expected_failure(step, "plan", &planned);
        }
        if !step.actions.is_empty() || !step.plan_checks.is_empty() {
            let plan = show_plan(&wd).await?;
            check_plan(step, &plan, &wd).await?;
        }
        let applied = wd
            .run(&[
                "apply",
                "-no-color",
                "-input=false",
                "-auto-approve",
                "tfplan",
            ])
            .await?;
        if applied.status != 0 {
            // Whatever the failed apply created is destroyed at the end with this config.
            if self.last_config.is_none() {
                self.last_config = Some(config.to_string());
            }
            return expected_failure(step, "apply", &applied);
        }
        ensure_no_error_expected(step)?;
        self.last_config = Some(config.to_string());
        self.prev_state = self.state.take();
        let state = State::new(show_state(&wd).await?);
        self.state = Some(state.clone());
        run_checks(step, &self.ctx(state, &wd.dir), self.prev_state.as_ref()).await?;
        assert_no_changes(&wd, "after apply").await
    }

    async fn plan_only(&mut self, step: &Step, config: &str) -> Result<()> {
        self.wd.write_config(config)?;
        let wd = self.with_env(&self.wd, step);
        let planned = wd
            .run(&[
                "plan",
                "-no-color",
                "-input=false",
                "-detailed-exitcode",
                "-out=tfplan",
            ])
            .await?;
        if planned.status != 0 && planned.status != 2 {
            return expected_failure(step, "plan", &planned);
        }
        ensure_no_error_expected(step)?;
        if !step.actions.is_empty() || !step.plan_checks.is_empty() {
            let plan = show_plan(&wd).await?;
            check_plan(step, &plan, &wd).await?;
        }
        if step.actions.is_empty() {
            ensure!(
                planned.status == 0,
                "expected an empty plan:\n{}",
                planned.stdout
            );
            let out = wd
                .run(&[
                    "plan",
                    "-no-color",
                    "-input=false",
                    "-lock=false",
                    "-refresh=false",
                    "-detailed-exitcode",
                ])
                .await?;
            match out.status {
                0 => {}
                2 => bail!(
                    "expected an empty plan with -refresh=false:\n{}",
                    out.stdout
                ),
                s => bail!(
                    "terraform plan -refresh=false failed ({s}):\n{}",
                    out.combined()
                ),
            }
        }
        Ok(())
    }

    async fn import_verify(&mut self, i: usize, step: &Step, import: &Import) -> Result<()> {
        let Import {
            address,
            ignore,
            id,
            empty_plan,
            config,
        } = import;
        let (Some(last_config), Some(state)) = (&self.last_config, &self.state) else {
            bail!("import_verify needs an earlier apply step");
        };
        let config = config.as_ref().unwrap_or(last_config);
        let applied = state
            .resource(address)
            .ok_or_else(|| anyhow!("{address} is not in the applied state"))?
            .clone();
        let import_id = match id {
            ImportId::FromState => state.str(&format!("{address}.id"))?,
            ImportId::Fixed(s) => s.clone(),
            ImportId::Fn(f) => f(state).context("computing the import id")?,
        };
        let scratch = self
            .h
            .workdir(&format!("case-{}-step{}-import", self.name, i + 1), config)?;
        let scratch = Workdir {
            dir: scratch.dir,
            env: self.wd.env.clone(),
            observer: self.wd.observer.clone(),
        };
        let imp = self.with_env(&scratch, step);
        let out = imp
            .run(&["import", "-no-color", "-input=false", address, &import_id])
            .await?;
        if out.status != 0 {
            return expected_failure(step, &format!("import {address} {import_id}"), &out);
        }
        ensure_no_error_expected(step)?;
        let imported = State::new(show_state(&imp).await?);
        let values = imported
            .resource(address)
            .ok_or_else(|| anyhow!("{address} is not in the state after importing {import_id}"))?;
        let ignore: Vec<&str> = ignore.iter().map(String::as_str).collect();
        assert_same_attributes(&applied, values, &ignore)
            .with_context(|| format!("importing {import_id:?}"))?;
        run_checks(step, &self.ctx(imported, &imp.dir), Some(state)).await?;
        if !step.actions.is_empty() || !step.plan_checks.is_empty() {
            // The plan after the import must propose exactly what the step expects.
            let planned = imp
                .run(&["plan", "-no-color", "-input=false", "-out=tfplan"])
                .await?;
            ensure!(
                planned.status == 0,
                "terraform plan after importing {import_id:?} failed ({}):\n{}",
                planned.status,
                planned.combined()
            );
            let plan = show_plan(&imp).await?;
            check_plan(step, &plan, &imp)
                .await
                .with_context(|| format!("the plan after importing {import_id:?}"))?;
        } else if *empty_plan {
            assert_no_changes(&imp, &format!("after importing {import_id:?}")).await?;
        }
        Ok(())
    }

    async fn out_of_band(
        &mut self,
        step: &Step,
        address: &str,
        delete: &AsyncFn,
        expect: &Expected,
    ) -> Result<()> {
        let state = self
            .state
            .clone()
            .ok_or_else(|| anyhow!("disappears needs an earlier apply step"))?;
        ensure!(
            state.resource(address).is_some(),
            "{address} is not in the applied state"
        );
        delete(self.ctx(state, &self.wd.dir))
            .await
            .context("changing the object out of band")?;
        if let Some(config) = &self.last_config {
            self.wd.write_config(config)?;
        }
        let wd = self.with_env(&self.wd, step);
        let planned = wd
            .run(&["plan", "-no-color", "-input=false", "-out=tfplan"])
            .await?;
        if planned.status != 0 {
            return expected_failure(step, "plan (refreshing the deleted object)", &planned);
        }
        ensure_no_error_expected(step)?;
        let plan = show_plan(&wd).await?;
        let actions = actions_for(&plan, address);
        ensure!(
            expect.matches(&actions),
            "after changing {address} out of band the plan should {expect} it, but plans {actions:?}:\n{}",
            planned.stdout
        );
        check_plan(step, &plan, &wd).await
    }

    /// Destroys whatever the case applied (with the last applied config), requires an empty
    /// state, then runs `check_destroyed`.
    async fn destroy(
        &mut self,
        before_destroy: Option<&AsyncFn>,
        check_destroyed: Option<&AsyncFn>,
    ) -> Result<()> {
        if !self.wd.dir.join("terraform.tfstate").exists() {
            // Nothing was ever applied: nothing to destroy, but the checks still run.
            let empty = State::default();
            if let Some(before) = before_destroy {
                before(self.ctx(empty.clone(), &self.wd.dir))
                    .await
                    .context("before_destroy")?;
            }
            if let Some(check) = check_destroyed {
                check(self.ctx(empty, &self.wd.dir))
                    .await
                    .context("check_destroyed")?;
            }
            return Ok(());
        }
        if let Some(config) = &self.last_config {
            self.wd.write_config(config)?;
        }
        let before = State::new(show_state(&self.wd).await?);
        if let Some(hook) = before_destroy {
            hook(self.ctx(before.clone(), &self.wd.dir))
                .await
                .context("before_destroy")?;
        }
        let out = self
            .wd
            .run(&["destroy", "-no-color", "-input=false", "-auto-approve"])
            .await?;
        ensure!(
            out.status == 0,
            "terraform destroy failed ({}):\n{}",
            out.status,
            out.combined()
        );
        let after = State::new(show_state(&self.wd).await?);
        let left = after.addresses();
        ensure!(
            left.is_empty(),
            "the state still holds {left:?} after destroy"
        );
        if let Some(check) = check_destroyed {
            check(self.ctx(before, &self.wd.dir))
                .await
                .context("check_destroyed")?;
        }
        Ok(())
    }
}

/// A failed command is what the step wanted if every expected error matches; otherwise the
/// failure with terraform's output.
fn expected_failure(step: &Step, what: &str, out: &Output) -> Result<()> {
    if !step.expects_error() {
        bail!(
            "terraform {what} failed ({}):\n{}",
            out.status,
            out.combined()
        );
    }
    for re in &step.errors {
        ensure!(
            re.is_match(&out.stderr),
            "terraform {what} failed as expected, but its stderr does not match /{re}/:\n{}",
            out.combined()
        );
    }
    for check in &step.error_checks {
        check(out).with_context(|| format!("checking the error of terraform {what}"))?;
    }
    Ok(())
}

fn ensure_no_error_expected(step: &Step) -> Result<()> {
    ensure!(
        !step.expects_error(),
        "expected an error matching {:?}, but terraform succeeded",
        step.errors.iter().map(Regex::as_str).collect::<Vec<_>>()
    );
    Ok(())
}

async fn show_plan(wd: &Workdir) -> Result<Json> {
    let shown = wd.ok(&["show", "-json", "tfplan"]).await?;
    serde_json::from_str(&shown.stdout).context("parsing terraform show -json tfplan")
}

async fn show_state(wd: &Workdir) -> Result<Json> {
    let shown = wd.ok(&["show", "-json"]).await?;
    serde_json::from_str(&shown.stdout).context("parsing terraform show -json")
}

/// The step's expected actions and plan checks against a shown plan.
async fn check_plan(step: &Step, plan: &Json, wd: &Workdir) -> Result<()> {
    for (address, expected) in &step.actions {
        let actions = actions_for(plan, address);
        if !expected.matches(&actions) {
            let text = wd.run(&["show", "-no-color", "tfplan"]).await?;
            bail!(
                "{address}: expected {expected}, the plan has {actions:?}:\n{}",
                text.stdout
            );
        }
    }
    for check in &step.plan_checks {
        check(plan).context("plan check")?;
    }
    Ok(())
}

async fn run_checks(step: &Step, ctx: &Ctx, prev: Option<&State>) -> Result<()> {
    let mut failures = Vec::new();
    for check in &step.checks {
        if let Err(e) = check.run(ctx, prev).await {
            failures.push(format!("{e:#}"));
        }
    }
    ensure!(
        failures.is_empty(),
        "{} check(s) failed:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    Ok(())
}

/// terraform-plugin-testing's post-apply contract: `terraform plan` proposes nothing, both
/// refreshing and with `-refresh=false`. Plans do not write the state, so both run at once.
pub async fn assert_no_changes(wd: &Workdir, when: &str) -> Result<()> {
    let refresh = [
        "plan",
        "-no-color",
        "-input=false",
        "-lock=false",
        "-detailed-exitcode",
    ];
    let no_refresh = [
        "plan",
        "-no-color",
        "-input=false",
        "-lock=false",
        "-refresh=false",
        "-detailed-exitcode",
    ];
    let (a, b) = tokio::join!(wd.run(&refresh), wd.run(&no_refresh));
    for (label, out) in [("plan", a?), ("plan -refresh=false", b?)] {
        match out.status {
            0 => {}
            2 => bail!("{when}: `terraform {label}` is not empty:\n{}", out.stdout),
            s => bail!(
                "{when}: `terraform {label}` failed ({s}):\n{}",
                out.combined()
            ),
        }
    }
    Ok(())
}

/// The standard matrix of one resource: create, update in place, import-verify, replace,
/// disappears and re-create, then the case's destroy. Each entry is a step with its own checks;
/// the matrix adds the expected plan actions (and, for updates, that the `id` is kept). Steps
/// run in the order the entries are added, after `create`; every kind must be present once
/// at least, so each resource runs the same matrix.
pub struct Matrix {
    address: String,
    steps: Vec<Step>,
    has: [bool; 4],
    /// The attribute an update in place must keep (`id` unless [`Matrix::identity`] says).
    identity: String,
    /// The indices in `steps` of the update_in_place steps.
    updates: Vec<usize>,
}

impl Matrix {
    /// `create` is the apply step of the basic config; it must create `address`.
    pub fn new(address: &str, create: Step) -> Matrix {
        Matrix {
            address: address.to_string(),
            steps: vec![create.expect_create(address)],
            has: [false; 4],
            identity: "id".to_string(),
            updates: Vec::new(),
        }
    }

    /// The attribute that identifies the object (an update in place must keep it), for a
    /// resource without an `id` (e.g. `cluster_id`). `id` by default.
    pub fn identity(mut self, attribute: &str) -> Matrix {
        self.identity = attribute.to_string();
        self
    }

    /// An apply step that must update the resource in place and keep its `id` (or the
    /// [`Matrix::identity`] attribute). Repeatable.
    pub fn update_in_place(mut self, step: Step) -> Matrix {
        self.updates.push(self.steps.len());
        self.steps.push(step.expect_update_in_place(&self.address));
        self.has[0] = true;
        self
    }

    /// An import_verify step (repeatable: several import id forms, a bad id).
    pub fn import(mut self, step: Step) -> Matrix {
        assert!(
            matches!(step.kind, Kind::ImportVerify(_)),
            "Matrix::import takes a Step::import_verify"
        );
        self.steps.push(step);
        self.has[1] = true;
        self
    }

    /// An apply (or, when the replacement cannot be applied, plan_only) step that must
    /// replace the resource.
    pub fn replace(mut self, step: Step) -> Matrix {
        self.steps.push(step.expect_replace(&self.address));
        self.has[2] = true;
        self
    }

    /// A `Step::disappears` of the matrix's resource; the matrix then applies the last
    /// applied config again (a create).
    pub fn disappears(mut self, step: Step) -> Matrix {
        assert!(
            matches!(&step.kind, Kind::Disappears { address, .. } if *address == self.address),
            "Matrix::disappears takes a Step::disappears of {}",
            self.address
        );
        let last_applied = self
            .steps
            .iter()
            .rev()
            .find_map(|s| match &s.kind {
                Kind::Apply { config } => Some(config.clone()),
                _ => None,
            })
            .expect("the create step is an apply step");
        self.steps.push(step);
        self.steps
            .push(Step::apply(last_applied).expect_create(&self.address));
        self.has[3] = true;
        self
    }

    /// The case. Panics when an entry of the matrix is missing.
    pub fn into_case(mut self, name: &str) -> Case {
        let identity = format!("{}.{}", self.address, self.identity);
        for &i in &self.updates {
            let step = std::mem::replace(&mut self.steps[i], Step::plan_only(""));
            self.steps[i] = step.check_unchanged(&identity);
        }
        let missing: Vec<_> = ["update_in_place", "import", "replace", "disappears"]
            .into_iter()
            .zip(self.has)
            .filter_map(|(kind, has)| (!has).then_some(kind))
            .collect();
        assert!(
            missing.is_empty(),
            "the matrix of {} lacks {missing:?} (write a Case to leave them out)",
            self.address
        );
        Case::new(name).steps(self.steps)
    }
}

/// A state id as the official provider encodes it (and so as users see and import it):
/// `base64(key):base64(value)` pairs sorted by key, joined with `-`. Written here from the
/// format, not taken from the provider, so a change of format fails the tests.
pub fn encoded_state_id(pairs: &[(&str, &str)]) -> String {
    fn b64(input: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in input.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 0x3f) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
    let mut pairs = pairs.to_vec();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{}:{}", b64(k.as_bytes()), b64(v.as_bytes())))
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn state() -> State {
        State::new(json!({
            "values": {
                "outputs": { "ids": { "value": ["a", "b"] } },
                "root_module": {
                    "resources": [
                        { "address": "x_thing.t", "values": {
                            "id": "1", "tags": { "env": "test" }, "roles": [{ "name": "r" }] } },
                        { "address": "x_thing.t2", "values": { "id": "2" } },
                        { "address": "data.x_thing.d", "values": { "id": "3" } }
                    ],
                    "child_modules": [{ "resources": [
                        { "address": "module.m.x_thing.t", "values": { "id": "4" } }
                    ] }]
                }
            }
        }))
    }

    #[test]
    fn paths_address_resources_outputs_and_nested_values() {
        let s = state();
        assert_eq!(s.get("x_thing.t.id").unwrap(), "1");
        assert_eq!(s.get("x_thing.t2.id").unwrap(), "2", "longest address wins");
        assert_eq!(s.get("data.x_thing.d.id").unwrap(), "3");
        assert_eq!(s.get("module.m.x_thing.t.id").unwrap(), "4");
        assert_eq!(s.get("x_thing.t.tags.env").unwrap(), "test");
        assert_eq!(s.get("x_thing.t.tags.%").unwrap(), 1);
        assert_eq!(s.get("x_thing.t.roles.#").unwrap(), 1);
        assert_eq!(s.get("x_thing.t.roles.0.name").unwrap(), "r");
        assert_eq!(s.get("x_thing.t.missing").unwrap(), Json::Null);
        assert_eq!(s.get("output.ids.1").unwrap(), "b");
        assert!(s.get("x_thing.nope.id").is_err());
        assert_eq!(s.get("output.nope").unwrap(), Json::Null);
        assert!(s.get("x_thing.t.id.deeper").is_err());
    }

    #[test]
    fn replace_accepts_both_orders_and_nothing_else() {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(Expected::Replace.matches(&v(&["delete", "create"])));
        assert!(Expected::Replace.matches(&v(&["create", "delete"])));
        assert!(!Expected::Replace.matches(&v(&["update"])));
        assert!(!Expected::NoOp.matches(&v(&[])));
        assert!(Expected::Exact(v(&["delete", "create"])).matches(&v(&["delete", "create"])));
        assert!(!Expected::Exact(v(&["delete", "create"])).matches(&v(&["create", "delete"])));
    }

    #[test]
    fn encoded_state_id_is_the_official_format() {
        // base64("project_id") = cHJvamVjdF9pZA==, base64("abc") = YWJj.
        assert_eq!(
            encoded_state_id(&[("project_id", "abc"), ("entry", "1.2.3.4/32")]),
            "ZW50cnk=:MS4yLjMuNC8zMg==-cHJvamVjdF9pZA==:YWJj"
        );
    }
}
