//! Offline: starts the Atlas sandbox in this process, then creates, finds, lists and deletes
//! a project through the SDK, as a test against the sandbox would.
//!
//! ```sh
//! cargo run -p atlas-admin-sdk --example sandbox_roundtrip
//! ```

use atlas_admin_sdk::models::CreateProject;
use atlas_admin_sdk::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = atlas_sandbox::spawn(atlas_sandbox::Config {
        listen: "127.0.0.1:0".parse()?,
        ..atlas_sandbox::Config::default()
    })
    .await?;
    println!("sandbox at {}", sandbox.base_url);

    let client = Client::builder()
        .base_url(sandbox.base_url.clone())
        .digest_auth(sandbox.public_key.clone(), sandbox.private_key.clone())
        .build()?;

    let created = client
        .projects()
        .create(CreateProject::new("sdk-example", sandbox.org_id.clone()))
        .await?;
    println!("created {} ({})", created.name, created.id);

    let found = client.projects().get_by_name("sdk-example").await?;
    assert_eq!(found.id, created.id);

    let all = client.projects().list_all().await?;
    println!("{} project(s) in the organization", all.len());

    client.projects().delete(created.id.as_str()).await?;
    let gone = client
        .projects()
        .get_opt(created.id.as_str())
        .await?
        .is_none();
    println!("deleted: {gone}");
    Ok(())
}
