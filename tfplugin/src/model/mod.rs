//! Typed models: resources work with plain structs that declare their schema once
//! (`#[derive(TfModel)]`, see [`tfplugin_derive`]) and cross into [`Value`]s here.
//!
//! * A field's cty type comes from its Rust type ([`TfType`]); `#[tf(...)]` keys on the field
//!   give the flags (required / optional / computed, sensitive, write-only, requires-replace,
//!   …) and its doc comment the description. The schema is built from the model, so a field
//!   and its attribute cannot drift.
//! * Three states: a [`Tf<T>`] field keeps null, unknown and known apart (as
//!   terraform-plugin-framework's `types.String`); an `Option<T>` field reads an unknown as
//!   `None`; a plain `T` field is for values that are always known (required arguments in a
//!   plan or state). In [`to_model_lenient`] (validation, where any configured value may still
//!   be unknown) a plain field that is unknown reads as its zero value: use `Tf<T>` for a
//!   field a validator must not misread.

mod de;
mod derive;
mod tf;

pub use derive::{
    data_source_block, default_value, DefaultValue, Nesting, TfNest, TfObject, TfType,
};
pub use tf::Tf;
pub(crate) use tf::UNKNOWN_MARKER;
pub use tfplugin_derive::TfModel;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::path::AttributePath;
use crate::value::{Type, Value};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Converts a value of the schema's type into a model (unknowns as described in the module
/// docs; a plain field that is unknown is an error).
pub fn to_model<M: DeserializeOwned>(value: &Value) -> Result<M, Diagnostics> {
    decode(value, false)
}

/// [`to_model`] for configuration that may hold unknowns anywhere: a plain (not `Option`, not
/// [`Tf`]) field that is unknown reads as its zero value instead of failing, and a plain
/// collection that is null as empty (a block list read through a data source's schema).
pub fn to_model_lenient<M: DeserializeOwned>(value: &Value) -> Result<M, Diagnostics> {
    decode(value, true)
}

fn decode<M: DeserializeOwned>(value: &Value, lenient: bool) -> Result<M, Diagnostics> {
    let de = de::ValueDeserializer::new(value, lenient);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = AttributePath::from_serde_path(&e.path().to_string());
        Diagnostic::error_at(
            path,
            "Value does not fit the provider's model",
            format!("{}. This is a bug in the provider.", e.inner()),
        )
        .into()
    })
}

/// Converts a model back into a complete value of `ty` ([`Tf::Unknown`] fields become unknown).
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

/// `updated` where it differs from what `original` becomes after a round trip through the
/// model, `original` everywhere else. A typed plan hook then changes exactly the values it set:
/// an unknown the model could not hold (an `Option` field) stays unknown, with its refinements.
///
/// An unknown the model could not hold (read as a zero-valued stand-in, e.g. a whole list
/// element) stays unknown whatever the hook did to the stand-in; an unknown the model held as
/// [`Tf::Unknown`] is the hook's to set.
pub fn merge_changes(original: &Value, round_trip: &Value, updated: &Value) -> Value {
    if round_trip == updated || (original.is_unknown() && !round_trip.is_unknown()) {
        return original.clone();
    }
    match (original, round_trip, updated) {
        (Value::Object(o), Value::Object(r), Value::Object(u)) => Value::Object(
            u.iter()
                .map(|(k, uv)| {
                    let merged = match (o.get(k), r.get(k)) {
                        (Some(ov), Some(rv)) => merge_changes(ov, rv, uv),
                        _ => uv.clone(),
                    };
                    (k.clone(), merged)
                })
                .collect(),
        ),
        (Value::List(o), Value::List(r), Value::List(u))
            if o.len() == r.len() && r.len() == u.len() =>
        {
            Value::List(
                o.iter()
                    .zip(r)
                    .zip(u)
                    .map(|((ov, rv), uv)| merge_changes(ov, rv, uv))
                    .collect(),
            )
        }
        _ => updated.clone(),
    }
}

/// `value` reshaped to the object type `ty`: attributes `ty` lacks are dropped, attributes
/// `value` lacks are null, recursively through nested objects and collections of them. Moves
/// a value between a resource's schema and its data-source variant.
pub fn conform(value: &Value, ty: &Type) -> Value {
    match (value, ty) {
        (Value::Object(attrs), Type::Object(types)) => Value::Object(
            types
                .iter()
                .map(|(name, t)| {
                    let v = attrs.get(name).map_or(Value::Null, |v| conform(v, t));
                    (name.clone(), v)
                })
                .collect(),
        ),
        (Value::List(items), Type::List(t)) => {
            Value::List(items.iter().map(|v| conform(v, t)).collect())
        }
        (Value::Set(items), Type::Set(t)) => {
            Value::Set(items.iter().map(|v| conform(v, t)).collect())
        }
        (Value::Map(items), Type::Map(t)) => Value::Map(
            items
                .iter()
                .map(|(k, v)| (k.clone(), conform(v, t)))
                .collect(),
        ),
        _ => value.clone(),
    }
}

#[cfg(test)]
mod tests;
