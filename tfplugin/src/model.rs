//! Typed models: resources work with plain serde structs; values cross into them here.
//!
//! Unknown values become `null` on the way in (a model only sees what is known), and a model
//! becomes a complete object of the schema's type on the way out.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::path::AttributePath;
use crate::value::{Type, Value};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Converts a value of the schema's type into a model.
pub fn to_model<M: DeserializeOwned>(value: &Value) -> Result<M, Diagnostics> {
    let json = value.to_json_lossy();
    serde_path_to_error::deserialize(json).map_err(|e| {
        let path = AttributePath::from_serde_path(&e.path().to_string());
        Diagnostic::error_at(
            path,
            "Value does not fit the provider's model",
            format!("{}. This is a bug in the provider.", e.inner()),
        )
        .into()
    })
}

/// Converts a model back into a complete value of `ty`.
pub fn from_model<M: Serialize>(model: &M, ty: &Type) -> Result<Value, Diagnostics> {
    let json = serde_json::to_value(model).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "Could not encode the provider's model",
            format!("{e}. This is a bug in the provider."),
        ))
    })?;
    Value::from_json_typed(&json, ty).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "The provider's model does not match its schema",
            format!("{e}. This is a bug in the provider."),
        ))
    })
}
