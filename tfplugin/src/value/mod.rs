//! cty values and types, as Terraform exchanges them with providers.
//!
//! [`Value`] is untyped on its own; the [`Type`] (from the schema) drives encoding and decoding,
//! as in cty. Unknown values keep their refinement bytes so that echoing a config value into a
//! plan is lossless.

mod json;
mod msgpack;
mod number;
mod ops;
#[cfg(test)]
mod proptests;
mod types;
mod util;

pub use json::{decode_json, encode_json};
pub use msgpack::{decode_msgpack, encode_msgpack};
pub use number::{Number, ParseNumberError};
pub use types::Type;

use std::collections::BTreeMap;

/// An unknown value ("known after apply"). `refinement` holds the raw msgpack payload of a
/// refined unknown (extension type 12), kept verbatim so it can be echoed back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Unknown {
    pub refinement: Option<Vec<u8>>,
}

/// A cty value. Collections keep their kind so that encoding and type inference stay exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Unknown(Unknown),
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Tuple(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    /// A value found at a `dynamic` position, with the concrete type it arrived with.
    Dynamic(Box<Type>, Box<Value>),
}

/// Errors from the codecs. They name the attribute path where the problem was found.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{message} (at {path})")]
pub struct CodecError {
    pub path: String,
    pub message: String,
}
