//! The declarative case runner itself: it passes a good case, and it fails (naming the step)
//! when terraform's behaviour breaks the step contract. Uses the built-in `terraform_data`
//! resource, so these tests do not depend on the provider's behaviour.

use acceptance_tests::{Case, Harness, Matrix, Step, REQUIRED_PROVIDERS};
use anyhow::{ensure, Result};
use std::cell::Cell;
use std::rc::Rc;

const PROVIDER: &str = env!("CARGO_BIN_EXE_acc-provider");
const ADDR: &str = "terraform_data.d";

fn data(input: &str, trigger: &str) -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
resource "terraform_data" "d" {{
  input            = "{input}"
  triggers_replace = "{trigger}"
}}

output "echo" {{
  value = terraform_data.d.output
}}
"#
    )
}

/// Runs `case` and returns its error message with every cause (it must fail).
async fn failure(h: &Harness, case: Case) -> Result<String> {
    match case.run(h).await {
        Ok(()) => anyhow::bail!("the case passed but should have failed"),
        Err(e) => Ok(format!("{e:#}")),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn case_runs_apply_update_replace_and_plan_only() -> Result<()> {
    let destroyed = Rc::new(Cell::new(false));
    let seen = destroyed.clone();
    Case::new("good")
        .steps([
            Step::apply(data("a", "1"))
                .expect_create(ADDR)
                .check_eq(&format!("{ADDR}.output"), "a")
                .check_pair("output.echo", &format!("{ADDR}.output"))
                .check_set(&format!("{ADDR}.id"))
                .check_absent(&format!("{ADDR}.nothing"))
                .check_matches(&format!("{ADDR}.triggers_replace"), "^1$"),
            Step::apply(data("b", "1"))
                .expect_update_in_place(ADDR)
                .check_unchanged(&format!("{ADDR}.id"))
                .check_eq("output.echo", "b"),
            Step::plan_only(data("b", "1")),
            Step::plan_only(data("b", "2")).expect_replace(ADDR),
            Step::apply(data("b", "2"))
                .expect_actions(ADDR, &["delete", "create"])
                .check(|state| {
                    ensure!(state.addresses() == [ADDR], "{:?}", state.addresses());
                    Ok(())
                }),
        ])
        .check_destroyed(move |ctx| {
            let seen = seen.clone();
            async move {
                ensure!(
                    ctx.state.resource(ADDR).is_some(),
                    "the state before destroy"
                );
                seen.set(true);
                Ok(())
            }
        })
        .run_new(PROVIDER)
        .await?;
    ensure!(destroyed.get(), "check_destroyed did not run");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn case_fails_on_a_plan_that_is_not_empty_after_apply() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
    let destroyed = Rc::new(Cell::new(false));
    let seen = destroyed.clone();
    // timestamp() is new on every plan: the post-apply plan is never empty.
    let cfg = data("a", "1").replace("\"1\"", "timestamp()");
    let msg = failure(
        &h,
        Case::new("unstable")
            .step(Step::apply(cfg))
            .check_destroyed(move |_| {
                let seen = seen.clone();
                async move {
                    seen.set(true);
                    Ok(())
                }
            }),
    )
    .await?;
    ensure!(msg.contains("step 1/1 (apply)"), "{msg}");
    ensure!(msg.contains("is not empty"), "{msg}");
    ensure!(msg.contains("must be replaced"), "shows the plan: {msg}");
    ensure!(destroyed.get(), "a failed case is still destroyed");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn case_fails_on_wrong_actions_checks_and_errors() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
    let msg = failure(
        &h,
        Case::new("wrong-action").steps([
            Step::apply(data("a", "1")),
            Step::apply(data("b", "1")).expect_replace(ADDR),
        ]),
    )
    .await?;
    ensure!(
        msg.contains("step 2/2 (apply, expect replace of terraform_data.d)")
            && msg.contains("[\"update\"]"),
        "{msg}"
    );

    let msg = failure(
        &h,
        Case::new("wrong-check").step(
            Step::apply(data("a", "1"))
                .check_eq(&format!("{ADDR}.output"), "z")
                .check_absent(&format!("{ADDR}.id")),
        ),
    )
    .await?;
    ensure!(msg.contains("2 check(s) failed"), "{msg}");
    ensure!(msg.contains("expected \"z\", got \"a\""), "{msg}");

    let msg = failure(
        &h,
        Case::new("no-error").step(Step::plan_only(data("a", "1")).expect_error("boom")),
    )
    .await?;
    ensure!(msg.contains("but terraform succeeded"), "{msg}");

    let msg = failure(
        &h,
        Case::new("other-error")
            .step(Step::plan_only(data("a", "1").replace("input", "inptu")).expect_error("boom")),
    )
    .await?;
    ensure!(msg.contains("does not match /boom/"), "{msg}");
    ensure!(msg.contains("inptu"), "shows terraform's error: {msg}");

    let msg = failure(&h, Case::new("diff").step(Step::plan_only(data("a", "1")))).await?;
    ensure!(msg.contains("expected an empty plan"), "{msg}");
    Ok(())
}

/// An import_verify step with expected actions: the plan after the import must propose
/// exactly those (an import of `terraform_data` reads back neither `input` nor
/// `triggers_replace`, so the config replaces it), else the step fails naming the plan.
#[tokio::test(flavor = "multi_thread")]
async fn case_import_verify_checks_the_expected_plan_after_the_import() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
    let ignore = ["input", "output", "triggers_replace"];
    // Three independent cases (own working directories), run at once.
    let (good, wrong, not_empty) = tokio::join!(
        Case::new("import-plan")
            .steps([
                Step::apply(data("a", "1")),
                Step::import_verify(ADDR, &ignore).expect_replace(ADDR),
                Step::import_verify(ADDR, &ignore).check_plan(|plan| {
                    let n = plan["resource_changes"].as_array().map_or(0, Vec::len);
                    ensure!(n == 1, "{n} changes");
                    Ok(())
                }),
            ])
            .run(&h),
        failure(
            &h,
            Case::new("import-plan-wrong").steps([
                Step::apply(data("a", "1")),
                Step::import_verify(ADDR, &ignore).expect_update_in_place(ADDR),
            ]),
        ),
        failure(
            &h,
            Case::new("import-plan-not-empty").steps([
                Step::apply(data("a", "1")),
                Step::import_verify(ADDR, &ignore),
            ]),
        ),
    );
    good?;
    let msg = wrong?;
    ensure!(
        msg.contains("step 2/2 (import_verify terraform_data.d, expect update in place of")
            && msg.contains("the plan after importing")
            && msg.contains("[\"delete\", \"create\"]"),
        "{msg}"
    );
    let msg = not_empty?;
    ensure!(msg.contains("is not empty"), "{msg}");
    Ok(())
}

/// `Matrix::identity` names the attribute every update in place must keep.
#[tokio::test(flavor = "multi_thread")]
async fn matrix_update_keeps_the_identity_attribute() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
    // terraform_data's `output` follows `input`: as the identity, an update changes it.
    let case = Matrix::new(ADDR, Step::apply(data("a", "1")))
        .identity("output")
        .update_in_place(Step::apply(data("b", "1")))
        .import(Step::import_verify(ADDR, &[]))
        .replace(Step::apply(data("b", "2")))
        .disappears(Step::disappears(ADDR, |_| async { Ok(()) }))
        .into_case("identity");
    let msg = failure(&h, case).await?;
    ensure!(
        msg.contains("step 2/") && msg.contains("terraform_data.d.output changed from"),
        "{msg}"
    );
    Ok(())
}

/// `Case::env` reaches every command (here a variable the config needs), `Case::check_outputs`
/// sees every command of the case, the final destroy included, and its error fails the case
/// naming the command.
#[tokio::test(flavor = "multi_thread")]
async fn case_env_and_check_outputs_cover_every_command() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
    let cfg = format!(
        "{}variable \"from_env\" {{\n  type = string\n}}\n",
        data("a", "1").replace("\"a\"", "var.from_env")
    );
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    Case::new("env-outputs")
        .env("TF_VAR_from_env", "from-the-case")
        .check_outputs(move |args, out| {
            log.lock().unwrap().push(args.join(" "));
            ensure!(!out.stdout.contains("forbidden"), "forbidden printed");
            Ok(())
        })
        .step(Step::apply(cfg.clone()).check_eq("output.echo", "from-the-case"))
        .run(&h)
        .await?;
    let seen = seen.lock().unwrap().clone();
    for command in ["plan", "apply", "show -json", "destroy"] {
        ensure!(
            seen.iter().any(|c| c.starts_with(command)),
            "{command} not observed: {seen:?}"
        );
    }

    let msg = failure(
        &h,
        Case::new("env-outputs-fail")
            .env("TF_VAR_from_env", "forbidden")
            .check_outputs(|_, out| {
                ensure!(!out.stdout.contains("forbidden"), "forbidden printed");
                Ok(())
            })
            .step(Step::apply(cfg)),
    )
    .await?;
    ensure!(
        msg.contains("step 1/1 (apply)")
            && msg.contains("the output of terraform")
            && msg.contains("forbidden printed"),
        "{msg}"
    );
    Ok(())
}

/// `before_destroy` runs before the final destroy with the state it destroys; `check_destroyed`
/// runs after it, also when no step applied anything.
#[tokio::test(flavor = "multi_thread")]
async fn case_before_destroy_and_check_destroyed_always_run() -> Result<()> {
    let h = Harness::start(PROVIDER).await?;
    let order = Rc::new(std::cell::RefCell::new(Vec::<&str>::new()));
    let (before, after) = (order.clone(), order.clone());
    Case::new("hooks")
        .step(Step::apply(data("a", "1")))
        .before_destroy(move |ctx| {
            let before = before.clone();
            async move {
                ensure!(ctx.state.resource(ADDR).is_some(), "the state to destroy");
                before.borrow_mut().push("before");
                Ok(())
            }
        })
        .check_destroyed(move |_| {
            let after = after.clone();
            async move {
                after.borrow_mut().push("after");
                Ok(())
            }
        })
        .run(&h)
        .await?;
    ensure!(
        *order.borrow() == ["before", "after"],
        "{:?}",
        order.borrow()
    );

    let checked = Rc::new(Cell::new(false));
    let seen = checked.clone();
    Case::new("hooks-nothing-applied")
        .step(Step::plan_only(data("a", "1").replace("input", "inptu")).expect_error("inptu"))
        .check_destroyed(move |ctx| {
            let seen = seen.clone();
            async move {
                ensure!(ctx.state.addresses().is_empty(), "nothing applied");
                seen.set(true);
                Ok(())
            }
        })
        .run(&h)
        .await?;
    ensure!(checked.get(), "check_destroyed did not run");
    Ok(())
}
