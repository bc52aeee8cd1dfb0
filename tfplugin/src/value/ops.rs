//! Constructors, accessors and comparisons on [`Value`].

use std::collections::BTreeMap;

use super::{Number, Type, Unknown, Value};

impl Value {
    pub fn null() -> Value {
        Value::Null
    }

    /// A wholly unknown value with no refinements.
    pub fn unknown() -> Value {
        Value::Unknown(Unknown::default())
    }

    /// An unknown value carrying a raw refinement payload (the body of msgpack extension 12).
    pub fn unknown_refined(payload: Vec<u8>) -> Value {
        Value::Unknown(Unknown {
            refinement: Some(payload),
        })
    }

    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn bool(b: bool) -> Value {
        Value::Bool(b)
    }

    pub fn number(n: impl Into<Number>) -> Value {
        Value::Number(n.into())
    }

    pub fn list(items: impl IntoIterator<Item = Value>) -> Value {
        Value::List(items.into_iter().collect())
    }

    pub fn set(items: impl IntoIterator<Item = Value>) -> Value {
        Value::Set(items.into_iter().collect())
    }

    pub fn tuple(items: impl IntoIterator<Item = Value>) -> Value {
        Value::Tuple(items.into_iter().collect())
    }

    pub fn map(entries: impl IntoIterator<Item = (impl Into<String>, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn object(attrs: impl IntoIterator<Item = (impl Into<String>, Value)>) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// Null, including a typed null found at a dynamic position.
    pub fn is_null(&self) -> bool {
        matches!(self.strip_dynamic(), Value::Null)
    }

    /// Unknown at the top level (looking through a dynamic wrapper), not inside.
    pub fn is_unknown(&self) -> bool {
        matches!(self.strip_dynamic(), Value::Unknown(_))
    }

    /// No unknown anywhere inside.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().all(Value::is_wholly_known)
            }
            Value::Map(entries) | Value::Object(entries) => {
                entries.values().all(Value::is_wholly_known)
            }
            Value::Dynamic(_, inner) => inner.is_wholly_known(),
        }
    }

    /// Looks through any `Value::Dynamic` wrappers.
    pub fn strip_dynamic(&self) -> &Value {
        let mut v = self;
        while let Value::Dynamic(_, inner) = v {
            v = inner;
        }
        v
    }

    fn strip_dynamic_mut(&mut self) -> &mut Value {
        match self {
            Value::Dynamic(_, inner) => inner.strip_dynamic_mut(),
            v => v,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.strip_dynamic() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.strip_dynamic() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self.strip_dynamic() {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The entries of an object or a map (both are string-keyed).
    pub fn as_object(&self) -> Option<&BTreeMap<String, Value>> {
        match self.strip_dynamic() {
            Value::Object(m) | Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut BTreeMap<String, Value>> {
        match self.strip_dynamic_mut() {
            Value::Object(m) | Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The elements of a list, set or tuple.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self.strip_dynamic() {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_list_mut(&mut self) -> Option<&mut Vec<Value>> {
        match self.strip_dynamic_mut() {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// An attribute of an object (or an entry of a map); `None` for anything else.
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        self.as_object()?.get(name)
    }

    /// A short name of the value's kind, for error messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown(_) => "unknown",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Tuple(_) => "tuple",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
            Value::Dynamic(_, inner) => inner.kind_name(),
        }
    }

    /// The type this value would have on its own, used when it sits at a `dynamic` position.
    /// Null and unknown say nothing, so they infer `dynamic`; a collection whose elements
    /// disagree gets element type `dynamic`, which the wire format can still carry.
    pub fn infer_type(&self) -> Type {
        match self {
            Value::Null | Value::Unknown(_) => Type::Dynamic,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(items) => Type::list(unify(items.iter())),
            Value::Set(items) => Type::set(unify(items.iter())),
            Value::Map(entries) => Type::map(unify(entries.values())),
            Value::Tuple(items) => Type::Tuple(items.iter().map(Value::infer_type).collect()),
            Value::Object(attrs) => Type::Object(
                attrs
                    .iter()
                    .map(|(k, v)| (k.clone(), v.infer_type()))
                    .collect(),
            ),
            Value::Dynamic(t, inner) => match **t {
                Type::Dynamic => inner.infer_type(),
                _ => (**t).clone(),
            },
        }
    }

    /// A plain JSON view for serde-based models: unknown and null become `null`, numbers
    /// become `i64`/`u64` when integral and in range and `f64` otherwise (lossy for big or long
    /// decimals; infinities become `null`), collections become arrays and objects.
    pub fn to_json_lossy(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null | Value::Unknown(_) => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::String(s) => J::String(s.clone()),
            Value::Number(n) => {
                if let Some(i) = n.to_i64() {
                    J::from(i)
                } else if let Some(u) = n.to_u64() {
                    J::from(u)
                } else {
                    serde_json::Number::from_f64(n.to_f64()).map_or(J::Null, J::Number)
                }
            }
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                J::Array(items.iter().map(Value::to_json_lossy).collect())
            }
            Value::Map(entries) | Value::Object(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json_lossy()))
                    .collect(),
            ),
            Value::Dynamic(_, inner) => inner.to_json_lossy(),
        }
    }

    /// Equality by meaning rather than representation: dynamic wrappers are looked through,
    /// numbers compare numerically, sets compare as sets, an object attribute that is absent
    /// equals one that is null, lists and tuples (and maps and objects) compare by content,
    /// and unknowns are equal to each other whatever their refinements.
    pub fn semantically_equal(&self, other: &Value) -> bool {
        let (a, b) = (self.strip_dynamic(), other.strip_dynamic());
        match (a, b) {
            (Value::Null, Value::Null) | (Value::Unknown(_), Value::Unknown(_)) => true,
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::Number(x), Value::Number(y)) => x == y,
            (Value::String(x), Value::String(y)) => x == y,
            (
                Value::List(x) | Value::Tuple(x) | Value::Set(x),
                Value::List(y) | Value::Tuple(y) | Value::Set(y),
            ) => {
                if matches!(a, Value::Set(_)) || matches!(b, Value::Set(_)) {
                    set_equal(x, y)
                } else {
                    x.len() == y.len() && x.iter().zip(y).all(|(e, f)| e.semantically_equal(f))
                }
            }
            (Value::Map(x), Value::Map(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .all(|(k, v)| y.get(k).is_some_and(|w| v.semantically_equal(w)))
            }
            (Value::Map(x) | Value::Object(x), Value::Map(y) | Value::Object(y)) => {
                // Each attribute is compared once; one missing on either side must be null.
                x.iter().all(|(k, v)| match y.get(k) {
                    Some(w) => v.semantically_equal(w),
                    None => v.is_null(),
                }) && y.iter().all(|(k, w)| x.contains_key(k) || w.is_null())
            }
            _ => false,
        }
    }
}

/// Set equality ignoring order and duplicates. Each element pair is compared at most once,
/// so nested sets do not cost exponential time.
fn set_equal(x: &[Value], y: &[Value]) -> bool {
    let mut memo: Vec<Option<bool>> = vec![None; x.len() * y.len()];
    let mut eq = |i: usize, j: usize| {
        let slot = &mut memo[i * y.len() + j];
        *slot.get_or_insert_with(|| x[i].semantically_equal(&y[j]))
    };
    (0..x.len()).all(|i| (0..y.len()).any(|j| eq(i, j)))
        && (0..y.len()).all(|j| (0..x.len()).any(|i| eq(i, j)))
}

/// The common type of collection elements, ignoring untyped nulls and unknowns.
fn unify<'a>(items: impl Iterator<Item = &'a Value>) -> Type {
    let mut found: Option<Type> = None;
    for item in items {
        let t = item.infer_type();
        if t == Type::Dynamic && matches!(item.strip_dynamic(), Value::Null | Value::Unknown(_)) {
            continue;
        }
        match &found {
            None => found = Some(t),
            Some(f) if *f == t => {}
            Some(_) => return Type::Dynamic,
        }
    }
    found.unwrap_or(Type::Dynamic)
}

impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Number(i.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors_look_through_dynamic() {
        let v = Value::Dynamic(
            Box::new(Type::object([("a", Type::String)])),
            Box::new(Value::object([("a", Value::string("x"))])),
        );
        assert_eq!(v.get_attr("a").and_then(Value::as_str), Some("x"));
        assert!(Value::string("x").get_attr("a").is_none());
        assert!(Value::Dynamic(Box::new(Type::String), Box::new(Value::Null)).is_null());
        assert!(Value::unknown().is_unknown());
        assert!(!Value::list([Value::unknown()]).is_unknown());
        assert!(!Value::list([Value::unknown()]).is_wholly_known());
        assert!(Value::list([Value::Null]).is_wholly_known());
        let mut o = Value::object([("a", Value::from(1))]);
        o.as_object_mut().unwrap().insert("b".into(), Value::Null);
        assert_eq!(o.as_object().unwrap().len(), 2);
        assert_eq!(Value::set([Value::from(true)]).as_list().unwrap().len(), 1);
    }

    #[test]
    fn inference() {
        let v = Value::object([
            ("s", Value::string("x")),
            ("n", Value::Null),
            (
                "l",
                Value::list([Value::Null, Value::from(1), Value::unknown()]),
            ),
            ("mixed", Value::list([Value::from(1), Value::string("a")])),
            ("empty", Value::set([])),
            ("m", Value::map([("k", Value::from(false))])),
            ("t", Value::tuple([Value::from(1), Value::string("a")])),
        ]);
        assert_eq!(
            v.infer_type(),
            Type::object([
                ("s", Type::String),
                ("n", Type::Dynamic),
                ("l", Type::list(Type::Number)),
                ("mixed", Type::list(Type::Dynamic)),
                ("empty", Type::set(Type::Dynamic)),
                ("m", Type::map(Type::Bool)),
                ("t", Type::tuple([Type::Number, Type::String])),
            ])
        );
    }

    #[test]
    fn semantic_equality() {
        let one = Value::number(Number::parse("1.0").unwrap());
        assert!(one.semantically_equal(&Value::from(1)));
        assert!(Value::set([Value::from(1), Value::from(2)])
            .semantically_equal(&Value::set([Value::from(2), Value::from(1)])));
        assert!(!Value::list([Value::from(1), Value::from(2)])
            .semantically_equal(&Value::list([Value::from(2), Value::from(1)])));
        assert!(Value::unknown().semantically_equal(&Value::unknown_refined(vec![0x81, 1, 0xc2])));
        assert!(
            Value::object([("a", Value::Null)]).semantically_equal(&Value::object(Vec::<(
                String,
                Value
            )>::new(
            )))
        );
        assert!(
            !Value::map([("a", Value::Null)])
                .semantically_equal(&Value::map(Vec::<(String, Value)>::new()))
        );
        assert!(
            Value::Dynamic(Box::new(Type::String), Box::new(Value::string("a")))
                .semantically_equal(&Value::string("a"))
        );
        assert!(!Value::Null.semantically_equal(&Value::unknown()));
    }

    #[test]
    fn lossy_json() {
        let v = Value::object([
            ("i", Value::from(-3)),
            ("u", Value::number(u64::MAX)),
            ("f", Value::number(Number::parse("2.5").unwrap())),
            ("inf", Value::number(Number::PosInfinity)),
            ("unk", Value::unknown()),
            ("s", Value::set([Value::string("a")])),
        ]);
        assert_eq!(
            v.to_json_lossy(),
            serde_json::json!({"i": -3, "u": u64::MAX, "f": 2.5, "inf": null, "unk": null, "s": ["a"]})
        );
    }
}
