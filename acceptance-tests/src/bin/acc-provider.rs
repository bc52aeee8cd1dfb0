//! The provider, built under a test-only name for the acceptance harness.

fn main() -> std::process::ExitCode {
    terraform_provider_mongodbatlas::run_main()
}
