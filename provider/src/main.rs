//! terraform-provider-mongodbatlas: started by Terraform, never by hand (except `--debug`).

fn main() -> std::process::ExitCode {
    terraform_provider_mongodbatlas::run_main()
}
