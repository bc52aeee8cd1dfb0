//! Code generated from the spec subset by `sdk/codegen` (checked in; the `generated` test
//! fails when it is stale). Not formatted by rustfmt: the generator's output is the reference.

#[rustfmt::skip]
pub mod models;
#[rustfmt::skip]
pub mod operations;
