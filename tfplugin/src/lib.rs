//! A framework for Terraform providers speaking plugin protocol 6 (tfplugin6.8, Terraform 1.11).
//!
//! It knows nothing of any particular provider: implement [`provider::Provider`],
//! [`resource::Resource`] and [`data_source::DataSource`], then call [`serve`].

pub mod context;
pub mod data_source;
pub mod diagnostics;
pub mod model;
pub mod path;
pub mod plan;
pub mod proto;
pub mod provider;
pub mod resource;
pub mod schema;
pub mod server;
pub mod timeouts;
pub mod transport;
pub mod validators;
pub mod value;

pub use transport::{ServeOptions, TransportError};

// `#[derive(TfModel)]` names `::tfplugin::…`; this lets the framework use it on its own types.
extern crate self as tfplugin;

/// Serves `provider` to Terraform: the go-plugin handshake and AutoMTLS, or with `debug` a
/// plaintext server that prints `TF_REATTACH_PROVIDERS` for a debugger or test harness.
/// Returns when Terraform shuts the plugin down.
pub async fn serve<P>(provider: P, address: &str, debug: bool) -> Result<(), TransportError>
where
    P: provider::Provider,
    P::Client: Clone,
{
    transport::init_logging(P::TYPE_NAME);
    let service = server::ProviderService::new(provider);
    transport::serve(
        service,
        ServeOptions {
            provider_address: address.to_string(),
            debug,
        },
    )
    .await
}
