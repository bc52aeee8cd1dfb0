//! The sandbox as a separate process, for tests that kill it (`kill -9`) and start it again on
//! the same `--data-dir`. Minimal flags: `--listen`, `--data-dir`, `--transition-seconds`,
//! `--seed`. Prints `atlas-sandbox listening on <url>` and `atlas-sandbox organization id <id>`
//! and serves until SIGINT/SIGTERM.

use std::process::ExitCode;

fn usage(msg: &str) -> ExitCode {
    eprintln!("acc-sandbox: {msg}\nusage: acc-sandbox [--listen ADDR] [--data-dir DIR] [--transition-seconds S] [--seed N]");
    ExitCode::FAILURE
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut config = atlas_sandbox::Config::for_tests();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let Some(value) = args.next() else {
            return usage(&format!("{flag} needs a value"));
        };
        let ok = match flag.as_str() {
            "--listen" => value.parse().map(|v| config.listen = v).is_ok(),
            "--data-dir" => {
                config.data_dir = Some(value.clone().into());
                true
            }
            "--transition-seconds" => value.parse().map(|v| config.transition_seconds = v).is_ok(),
            "--seed" => value.parse().map(|v| config.seed = Some(v)).is_ok(),
            _ => return usage(&format!("unknown flag {flag}")),
        };
        if !ok {
            return usage(&format!("bad value for {flag}: {value}"));
        }
    }
    let handle = match atlas_sandbox::spawn(config).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("acc-sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("atlas-sandbox listening on {}", handle.base_url);
    println!("atlas-sandbox organization id {}", handle.org_id);
    let stopped = async {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
        }
    };
    stopped.await;
    handle.shutdown().await;
    ExitCode::SUCCESS
}
