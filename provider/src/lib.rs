//! The `mongodbatlas` Terraform provider: a drop-in for the official provider's
//! configuration, written in Rust on the [`tfplugin`] framework and the Atlas Admin SDK.

pub mod access_list_batcher;
pub mod calls;
pub mod config;
pub mod crud;
pub mod data_sources;
pub mod errors;
pub mod ids;
pub mod read_cache;
pub mod resources;
#[cfg(test)]
mod schema_parity;
#[cfg(test)]
mod schema_snapshot;
mod shared;

use async_trait::async_trait;
use atlas_admin_sdk::Client;
use tfplugin::data_source::DynDataSource;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::provider::{ConfigureRequest, Provider};
use tfplugin::resource::DynResource;
use tfplugin::schema::Schema;

/// The address Terraform knows this provider by; configurations keep `source = "mongodb/mongodbatlas"`.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/mongodb/mongodbatlas";

/// The release version: the package's `<VERSION>`, `--version` and the User-Agent all carry it
/// (`2.x.y+rs.N`: the official major it is a drop-in for, build metadata marking this build).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What every resource receives: the Atlas API client (it derefs to
/// [`atlas_admin_sdk::Client`]) plus state shared by all calls of one provider process, such as
/// request coalescing.
#[derive(Clone)]
pub struct AtlasClient {
    pub api: Client,
    /// Per-project coalescing of list reads (one list call serves a refresh); every write to a
    /// project invalidates it.
    pub reads: std::sync::Arc<read_cache::ReadCache>,
    /// Process-wide state a resource needs (such as the access list's write batcher), one
    /// value per type, made on first use: a resource adds none of its own fields here.
    shared: std::sync::Arc<shared::Shared>,
}

impl AtlasClient {
    pub fn new(api: Client) -> Self {
        AtlasClient {
            api,
            reads: std::sync::Arc::default(),
            shared: std::sync::Arc::default(),
        }
    }

    /// This process's one `T` (made with `T::default()` on first use).
    pub fn shared<T: Default + Send + Sync + 'static>(&self) -> std::sync::Arc<T> {
        self.shared.get::<T>()
    }
}

impl std::ops::Deref for AtlasClient {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.api
    }
}

pub struct AtlasProvider;

#[async_trait]
impl Provider for AtlasProvider {
    type Client = AtlasClient;
    type Config = config::ProviderConfig;
    const TYPE_NAME: &'static str = "mongodbatlas";

    fn schema(&self) -> Schema {
        config::schema()
    }

    fn validate_config(&self, config: &config::ProviderConfig) -> Diagnostics {
        config::validate(config)
    }

    async fn configure(
        &self,
        req: &ConfigureRequest<Self::Config>,
    ) -> Result<Self::Client, Diagnostics> {
        config::configure(req)
    }

    fn resources(&self) -> Vec<Box<dyn DynResource<Self::Client>>> {
        resources::all()
    }

    fn data_sources(&self) -> Vec<Box<dyn DynDataSource<Self::Client>>> {
        data_sources::all()
    }
}

/// The binary's whole `main`: serve until Terraform shuts the plugin down, then revoke any
/// service account token. `--debug` serves for a debugger and prints the
/// `TF_REATTACH_PROVIDERS` value to use; `--version` prints the version and exits.
pub fn run_main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--version" || a == "-version") {
        println!("terraform-provider-mongodbatlas {VERSION}");
        return std::process::ExitCode::SUCCESS;
    }
    let debug = args.iter().any(|a| a == "--debug" || a == "-debug");
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("terraform-provider-mongodbatlas: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let served = tfplugin::serve(AtlasProvider, PROVIDER_ADDRESS, debug).await;
        // Best effort, bounded: a service account's token is not left valid after exit.
        config::revoke_at_exit().await;
        match served {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("terraform-provider-mongodbatlas: {e}");
                std::process::ExitCode::FAILURE
            }
        }
    })
}
