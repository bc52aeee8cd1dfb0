//! cty types and their JSON encoding (`cty.Type.MarshalJSON`): the form used in schema
//! attribute types and inside msgpack/JSON values at `dynamic` positions.

use std::collections::BTreeMap;
use std::fmt;

use super::util::{write_json_string, MAX_DEPTH};
use super::CodecError;

/// A cty type. `Dynamic` is cty's `DynamicPseudoType` ("any type, decided by the value").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    String,
    Number,
    Bool,
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

impl Type {
    pub fn object(attrs: impl IntoIterator<Item = (impl Into<String>, Type)>) -> Type {
        Type::Object(attrs.into_iter().map(|(k, t)| (k.into(), t)).collect())
    }

    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }

    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }

    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    pub fn tuple(elems: impl IntoIterator<Item = Type>) -> Type {
        Type::Tuple(elems.into_iter().collect())
    }

    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::String | Type::Number | Type::Bool)
    }

    /// List, set or map: the kinds with a single element type.
    pub fn is_collection(&self) -> bool {
        matches!(self, Type::List(_) | Type::Set(_) | Type::Map(_))
    }

    /// The element type of a list, set or map.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(t) | Type::Set(t) | Type::Map(t) => Some(t),
            _ => None,
        }
    }

    /// True when `Dynamic` appears anywhere in the type.
    pub fn has_dynamic(&self) -> bool {
        match self {
            Type::Dynamic => true,
            Type::String | Type::Number | Type::Bool => false,
            Type::List(t) | Type::Set(t) | Type::Map(t) => t.has_dynamic(),
            Type::Object(attrs) => attrs.values().any(Type::has_dynamic),
            Type::Tuple(elems) => elems.iter().any(Type::has_dynamic),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        let tagged = |kind: &str, inner: J| J::Array(vec![J::String(kind.into()), inner]);
        match self {
            Type::String => J::String("string".into()),
            Type::Number => J::String("number".into()),
            Type::Bool => J::String("bool".into()),
            Type::Dynamic => J::String("dynamic".into()),
            Type::List(t) => tagged("list", t.to_json()),
            Type::Set(t) => tagged("set", t.to_json()),
            Type::Map(t) => tagged("map", t.to_json()),
            Type::Object(attrs) => tagged(
                "object",
                J::Object(
                    attrs
                        .iter()
                        .map(|(k, t)| (k.clone(), t.to_json()))
                        .collect(),
                ),
            ),
            Type::Tuple(elems) => {
                tagged("tuple", J::Array(elems.iter().map(Type::to_json).collect()))
            }
        }
    }

    /// Compact JSON, attributes in sorted order, as cty writes it.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let mut out = String::new();
        self.write_json(&mut out);
        out.into_bytes()
    }

    pub(crate) fn write_json(&self, out: &mut String) {
        let tagged = |out: &mut String, kind: &str, t: &Type| {
            out.push_str("[\"");
            out.push_str(kind);
            out.push_str("\",");
            t.write_json(out);
            out.push(']');
        };
        match self {
            Type::String => out.push_str("\"string\""),
            Type::Number => out.push_str("\"number\""),
            Type::Bool => out.push_str("\"bool\""),
            Type::Dynamic => out.push_str("\"dynamic\""),
            Type::List(t) => tagged(out, "list", t),
            Type::Set(t) => tagged(out, "set", t),
            Type::Map(t) => tagged(out, "map", t),
            Type::Object(attrs) => {
                out.push_str("[\"object\",{");
                for (i, (name, t)) in attrs.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_string(out, name);
                    out.push(':');
                    t.write_json(out);
                }
                out.push_str("}]");
            }
            Type::Tuple(elems) => {
                out.push_str("[\"tuple\",[");
                for (i, t) in elems.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    t.write_json(out);
                }
                out.push_str("]]");
            }
        }
    }

    /// Parses cty's JSON type encoding. The optional third element of an object type (the names
    /// of optional attributes, used only in type constraints) is accepted and ignored.
    pub fn from_json(v: &serde_json::Value) -> Result<Type, CodecError> {
        from_json_at(v, 0)
    }

    pub fn from_json_bytes(b: &[u8]) -> Result<Type, CodecError> {
        let v: serde_json::Value =
            serde_json::from_slice(b).map_err(|e| type_error(format!("invalid JSON: {e}")))?;
        Type::from_json(&v)
    }
}

fn type_error(message: impl Into<String>) -> CodecError {
    CodecError {
        path: String::new(),
        message: format!("invalid type description: {}", message.into()),
    }
}

fn from_json_at(v: &serde_json::Value, depth: usize) -> Result<Type, CodecError> {
    use serde_json::Value as J;
    if depth > MAX_DEPTH {
        return Err(type_error("nested too deeply"));
    }
    let items = match v {
        J::String(name) => {
            return match name.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(type_error(format!("unknown primitive type {other:?}"))),
            };
        }
        J::Array(items) => items,
        _ => return Err(type_error("expected a string or an array")),
    };
    let Some(J::String(kind)) = items.first() else {
        return Err(type_error("complex type must start with its kind name"));
    };
    let max_len = if kind == "object" { 3 } else { 2 };
    if items.len() < 2 || items.len() > max_len {
        return Err(type_error(format!("wrong number of elements for {kind:?}")));
    }
    let inner = &items[1];
    Ok(match kind.as_str() {
        "list" => Type::list(from_json_at(inner, depth + 1)?),
        "set" => Type::set(from_json_at(inner, depth + 1)?),
        "map" => Type::map(from_json_at(inner, depth + 1)?),
        "object" => {
            let J::Object(attrs) = inner else {
                return Err(type_error("object attributes must be a JSON object"));
            };
            if let Some(optional) = items.get(2) {
                if !optional.is_array() {
                    return Err(type_error("optional attributes must be an array"));
                }
            }
            let mut out = BTreeMap::new();
            for (name, t) in attrs {
                out.insert(name.clone(), from_json_at(t, depth + 1)?);
            }
            Type::Object(out)
        }
        "tuple" => {
            let J::Array(elems) = inner else {
                return Err(type_error("tuple elements must be a JSON array"));
            };
            Type::Tuple(
                elems
                    .iter()
                    .map(|t| from_json_at(t, depth + 1))
                    .collect::<Result<_, _>>()?,
            )
        }
        other => return Err(type_error(format!("unknown type kind {other:?}"))),
    })
}

impl fmt::Display for Type {
    /// cty's friendly names ("list of string", "object", …), for error messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::String => f.write_str("string"),
            Type::Number => f.write_str("number"),
            Type::Bool => f.write_str("bool"),
            Type::Dynamic => f.write_str("dynamic"),
            Type::List(t) => write!(f, "list of {t}"),
            Type::Set(t) => write!(f, "set of {t}"),
            Type::Map(t) => write!(f, "map of {t}"),
            Type::Object(_) => f.write_str("object"),
            Type::Tuple(_) => f.write_str("tuple"),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// Arbitrary cty types, a few levels deep.
    pub(crate) fn arb_type() -> impl Strategy<Value = Type> {
        let leaf = prop_oneof![
            Just(Type::String),
            Just(Type::Number),
            Just(Type::Bool),
            Just(Type::Dynamic),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                inner.clone().prop_map(Type::list),
                inner.clone().prop_map(Type::set),
                inner.clone().prop_map(Type::map),
                proptest::collection::btree_map("[a-z_\"é]{1,6}", inner.clone(), 0..4)
                    .prop_map(Type::Object),
                proptest::collection::vec(inner, 0..4).prop_map(Type::Tuple),
            ]
        })
    }

    #[test]
    fn json_forms() {
        let t = Type::object([
            ("name", Type::String),
            ("tags", Type::map(Type::String)),
            ("ports", Type::list(Type::Number)),
            ("ids", Type::set(Type::Bool)),
            ("pair", Type::tuple([Type::String, Type::Dynamic])),
        ]);
        let expected = json!(["object", {
            "ids": ["set", "bool"],
            "name": "string",
            "pair": ["tuple", ["string", "dynamic"]],
            "ports": ["list", "number"],
            "tags": ["map", "string"],
        }]);
        assert_eq!(t.to_json(), expected);
        assert_eq!(
            String::from_utf8(t.to_json_bytes()).unwrap(),
            r#"["object",{"ids":["set","bool"],"name":"string","pair":["tuple",["string","dynamic"]],"ports":["list","number"],"tags":["map","string"]}]"#
        );
        assert_eq!(Type::from_json(&expected).unwrap(), t);
    }

    #[test]
    fn optional_attribute_list_is_ignored() {
        let v = json!(["object", {"a": "string", "b": "number"}, ["b"]]);
        assert_eq!(
            Type::from_json(&v).unwrap(),
            Type::object([("a", Type::String), ("b", Type::Number)])
        );
    }

    #[test]
    fn rejects_bad_descriptions() {
        for bad in [
            json!("str"),
            json!(1),
            json!([]),
            json!(["list"]),
            json!(["list", "string", "extra"]),
            json!(["object", ["a"]]),
            json!(["object", {}, "x"]),
            json!(["tuple", "string"]),
            json!(["frob", "string"]),
            json!([1, "string"]),
        ] {
            assert!(Type::from_json(&bad).is_err(), "{bad}");
        }
        assert!(Type::from_json_bytes(b"\"string\" x").is_err());
        assert!(Type::from_json_bytes(&[b'['; 10_000]).is_err());
    }

    proptest! {
        #[test]
        fn json_round_trip(t in arb_type()) {
            prop_assert_eq!(Type::from_json(&t.to_json()).unwrap(), t.clone());
            prop_assert_eq!(Type::from_json_bytes(&t.to_json_bytes()).unwrap(), t.clone());
            prop_assert_eq!(serde_json::to_vec(&t.to_json()).unwrap(), t.to_json_bytes());
        }
    }
}
