//! Generated gRPC code: the tfplugin6.8 protocol and go-plugin's auxiliary services.
//!
//! Built by `build.rs` from `proto/*.proto` (protox + tonic-prost-build). Only this module and
//! `server`/`transport` should touch these types.

/// Terraform plugin protocol 6.8 (`tfplugin6.Provider` and its messages).
#[allow(
    clippy::all,
    clippy::pedantic,
    missing_docs,
    rustdoc::all,
    unreachable_pub,
    non_snake_case
)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's `GRPCController`, `GRPCStdio` and `GRPCBroker` services.
#[allow(
    clippy::all,
    clippy::pedantic,
    missing_docs,
    rustdoc::all,
    unreachable_pub,
    non_snake_case
)]
pub mod plugin {
    tonic::include_proto!("plugin");
}
