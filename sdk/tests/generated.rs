//! The checked-in `sdk/src/generated/` is what `sdk/codegen` makes of the spec subset now.
//! After changing the spec, the generator or its model list:
//! `ATLAS_SDK_REGENERATE=1 cargo test -p atlas-admin-sdk --test generated`.

#[path = "../codegen/mod.rs"]
mod codegen;

use std::path::PathBuf;

fn spec() -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/atlas-admin-v2-subset.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

#[test]
fn generated_code_is_current() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/generated");
    let files = codegen::generate(&spec()).unwrap_or_else(|e| panic!("generator: {e}"));
    let regenerate = std::env::var_os("ATLAS_SDK_REGENERATE").is_some();
    let mut stale = Vec::new();
    for (rel, text) in &files {
        let path = dir.join(rel);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == *text {
            continue;
        }
        if regenerate {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{parent:?}: {e}"));
            }
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        } else {
            stale.push(rel.clone());
        }
    }
    // Generated files the generator no longer makes.
    let models = dir.join("models");
    for entry in std::fs::read_dir(&models).into_iter().flatten().flatten() {
        let rel = format!("models/{}", entry.file_name().to_string_lossy());
        if !files.contains_key(&rel) {
            if regenerate {
                std::fs::remove_file(entry.path()).unwrap_or_else(|e| panic!("{rel}: {e}"));
            } else {
                stale.push(format!("{rel} (no longer generated)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "sdk/src/generated is out of date: {stale:?}. Run \
         `ATLAS_SDK_REGENERATE=1 cargo test -p atlas-admin-sdk --test generated`."
    );
}

/// The API areas call the operation table: no hand-written path, method or version outside
/// their unit tests.
#[test]
fn api_areas_use_the_operation_table() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in code.lines().enumerate() {
            let line = line.trim_start();
            if line.starts_with("//") {
                continue;
            }
            for banned in ["ApiVersion", "\"/", "Request::", "Method::"] {
                if line.contains(banned) {
                    found.push(format!("{}:{}: {line}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "hand-written requests: {found:#?}");
}
