//! The sandbox as a separate process, for tests that kill it (`kill -9`) and start it again on
//! the same `--data-dir`: the `atlas-sandbox` binary under a test-only name, so cargo builds it
//! for the tests and hands them its path (CARGO_BIN_EXE_acc-sandbox).

fn main() -> std::process::ExitCode {
    atlas_sandbox::cli::run_main()
}
