//! Compiles the protocol schemas in `../proto` into Rust with protox (a pure-Rust protobuf
//! compiler, so no system `protoc` is needed; it ships the well-known types such as
//! `google/protobuf/empty.proto`) and tonic-prost-build.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let proto_dir = manifest_dir.join("..").join("proto");
    let files = [
        proto_dir.join("tfplugin6.8.proto"),
        proto_dir.join("plugin.proto"),
    ];
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    println!("cargo:rerun-if-changed=build.rs");

    let fds = protox::compile(&files, [&proto_dir])?;

    tonic_prost_build::configure()
        // Server code is what the provider needs; clients are kept for tests and tools.
        .build_server(true)
        .build_client(true)
        // RPCs a provider does not implement answer `Unimplemented` instead of failing to compile.
        .generate_default_stubs(true)
        .compile_fds(fds)?;
    Ok(())
}
