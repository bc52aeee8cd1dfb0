//! Lists the projects an API key can see, against Atlas or the sandbox.
//!
//! ```sh
//! export MONGODB_ATLAS_PUBLIC_KEY=... MONGODB_ATLAS_PRIVATE_KEY=...
//! export MONGODB_ATLAS_BASE_URL=http://127.0.0.1:8080   # the sandbox; unset for Atlas
//! cargo run -p atlas-admin-sdk --example list_projects
//! ```
//!
//! The SDK needs a Tokio runtime (any flavour: it only uses Tokio's timers and locks).

use atlas_admin_sdk::client::DEFAULT_BASE_URL;
use atlas_admin_sdk::Client;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let client = Client::builder()
        .base_url(std::env::var("MONGODB_ATLAS_BASE_URL").unwrap_or(DEFAULT_BASE_URL.to_string()))
        .digest_auth(
            var("MONGODB_ATLAS_PUBLIC_KEY")?,
            var("MONGODB_ATLAS_PRIVATE_KEY")?,
        )
        .build()?;
    // Every page, fetched as needed.
    for project in client.projects().list_all().await? {
        println!("{}  {}", project.id, project.name);
    }
    Ok(())
}
