//! `atlas-sandbox`: run the Atlas Admin API emulator until SIGINT/SIGTERM (see `--help`).

fn main() -> std::process::ExitCode {
    atlas_sandbox::cli::run_main()
}
