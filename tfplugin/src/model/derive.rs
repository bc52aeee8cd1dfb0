//! The traits `#[derive(TfModel)]` builds on: a Rust type's cty type, a model's attributes
//! and blocks, and how a container nests objects.

use crate::schema::{Attribute, AttributeKind, Block, BlockNesting, ObjectNesting};
use crate::value::{Number, Type, Value};
use std::collections::{BTreeMap, BTreeSet};

use super::Tf;

/// The cty type of a Rust type used as a model field.
pub trait TfType {
    fn tf_type() -> Type;
}

macro_rules! tf_type {
    ($ty:expr => $($t:ty),*) => {
        $(impl TfType for $t {
            fn tf_type() -> Type {
                $ty
            }
        })*
    };
}

tf_type!(Type::String => String);
tf_type!(Type::Bool => bool);
tf_type!(Type::Number => i64, i32, u32, u64, f64);

impl<T: TfType> TfType for Option<T> {
    fn tf_type() -> Type {
        T::tf_type()
    }
}

impl<T: TfType> TfType for Tf<T> {
    fn tf_type() -> Type {
        T::tf_type()
    }
}

impl<T: TfType> TfType for Vec<T> {
    fn tf_type() -> Type {
        Type::List(Box::new(T::tf_type()))
    }
}

impl<T: TfType> TfType for BTreeSet<T> {
    fn tf_type() -> Type {
        Type::Set(Box::new(T::tf_type()))
    }
}

impl<T: TfType> TfType for BTreeMap<String, T> {
    fn tf_type() -> Type {
        Type::Map(Box::new(T::tf_type()))
    }
}

/// A model struct: its attributes and nested blocks (implemented by `#[derive(TfModel)]`).
pub trait TfObject {
    fn attributes() -> Vec<Attribute>;
    fn blocks() -> Vec<crate::schema::NestedBlock>;
    fn description() -> String;

    fn block() -> Block {
        Block {
            attributes: Self::attributes(),
            blocks: Self::blocks(),
            description: Self::description(),
            deprecated: false,
        }
    }
}

/// How a field's container nests objects: `Vec` a list, `BTreeSet` a set, `BTreeMap` a map,
/// `Option` or the model itself a single object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
}

impl Nesting {
    pub const fn object_nesting(self) -> ObjectNesting {
        match self {
            Nesting::Single => ObjectNesting::Single,
            Nesting::List => ObjectNesting::List,
            Nesting::Set => ObjectNesting::Set,
            Nesting::Map => ObjectNesting::Map,
        }
    }

    pub const fn block_nesting(self) -> BlockNesting {
        match self {
            Nesting::Single => BlockNesting::Single,
            Nesting::List => BlockNesting::List,
            Nesting::Set => BlockNesting::Set,
            Nesting::Map => BlockNesting::Map,
        }
    }
}

/// A field type that nests model objects ([`Nesting`]); `Elem` is the model.
pub trait TfNest {
    type Elem: TfObject;
    const NESTING: Nesting;
}

impl<T: TfNest> TfNest for Option<T> {
    type Elem = T::Elem;
    const NESTING: Nesting = T::NESTING;
}

impl<T: TfNest> TfNest for Tf<T> {
    type Elem = T::Elem;
    const NESTING: Nesting = T::NESTING;
}

impl<T: TfObject> TfNest for Vec<T> {
    type Elem = T;
    const NESTING: Nesting = Nesting::List;
}

impl<T: TfObject> TfNest for BTreeSet<T> {
    type Elem = T;
    const NESTING: Nesting = Nesting::Set;
}

impl<T: TfObject> TfNest for BTreeMap<String, T> {
    type Elem = T;
    const NESTING: Nesting = Nesting::Map;
}

/// A Rust value usable as `#[tf(default = …)]`.
pub trait DefaultValue {
    fn into_value(self) -> Value;
}

impl DefaultValue for bool {
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}

impl DefaultValue for &str {
    fn into_value(self) -> Value {
        Value::String(self.to_string())
    }
}

impl DefaultValue for i64 {
    fn into_value(self) -> Value {
        Value::Number(Number::from_i64(self))
    }
}

impl DefaultValue for i32 {
    fn into_value(self) -> Value {
        Value::Number(Number::from_i64(i64::from(self)))
    }
}

impl DefaultValue for f64 {
    fn into_value(self) -> Value {
        Number::from_f64(self).map_or(Value::Null, Value::Number)
    }
}

impl DefaultValue for Value {
    fn into_value(self) -> Value {
        self
    }
}

pub fn default_value(v: impl DefaultValue) -> Value {
    v.into_value()
}

/// The data-source variant of a resource's schema: every attribute computed except the lookup
/// `keys` (required), no plan behaviour, no write-only attributes, no `timeouts`; nested
/// blocks become computed nested attributes.
pub fn data_source_block(resource: &Block, keys: &[&str]) -> Block {
    let mut attributes: Vec<Attribute> = resource
        .attributes
        .iter()
        .filter(|a| !a.write_only && a.name != "timeouts")
        .map(|a| {
            let mut a = computed_copy(a);
            if keys.contains(&a.name.as_str()) {
                a = a.required();
            }
            a
        })
        .collect();
    for b in resource.blocks.iter().filter(|b| b.type_name != "timeouts") {
        let nesting = match b.nesting {
            BlockNesting::Single | BlockNesting::Group => ObjectNesting::Single,
            BlockNesting::List => ObjectNesting::List,
            BlockNesting::Set => ObjectNesting::Set,
            BlockNesting::Map => ObjectNesting::Map,
        };
        // The recursion already turned the block's own nested blocks into attributes.
        let inner = data_source_block(&b.block, &[]);
        attributes.push(
            Attribute::nested(b.type_name.clone(), nesting, inner.attributes)
                .computed()
                .description(b.block.description.clone()),
        );
    }
    Block {
        attributes,
        blocks: Vec::new(),
        description: resource.description.clone(),
        deprecated: resource.deprecated,
    }
}

fn computed_copy(a: &Attribute) -> Attribute {
    let mut out = a.clone();
    out.required = false;
    out.optional = false;
    out.computed = true;
    out.requires_replace = false;
    out.use_state_for_unknown = false;
    out.default = None;
    if let AttributeKind::Nested(n) = &mut out.kind {
        n.attributes = n.attributes.iter().map(computed_copy).collect();
    }
    out
}
