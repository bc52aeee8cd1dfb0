//! A serde `Deserializer` reading a model straight from a [`Value`], so that unknowns reach
//! [`Tf`](super::Tf) fields instead of being flattened to null on the way through JSON.

use super::tf::TF_MAGIC;
use crate::value::{Number, Value};
use serde::de::value::{BorrowedStrDeserializer, Error, MapDeserializer, SeqDeserializer};
use serde::de::{self, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

#[derive(Clone, Copy)]
pub(super) struct ValueDeserializer<'de> {
    value: &'de Value,
    /// Unknown reads as the zero value of a plain field, and null as an empty collection
    /// (see `to_model_lenient`).
    lenient: bool,
}

impl<'de> ValueDeserializer<'de> {
    pub(super) fn new(value: &'de Value, lenient: bool) -> Self {
        let mut value = value;
        while let Value::Dynamic(_, inner) = value {
            value = inner;
        }
        ValueDeserializer { value, lenient }
    }

    fn child(&self, value: &'de Value) -> Self {
        ValueDeserializer::new(value, self.lenient)
    }

    fn is_absent(&self) -> bool {
        matches!(self.value, Value::Null | Value::Unknown(_))
    }
}

impl<'de> IntoDeserializer<'de, Error> for ValueDeserializer<'de> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

fn visit_number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value, Error> {
    if let Some(i) = n.to_i64() {
        visitor.visit_i64(i)
    } else if let Some(u) = n.to_u64() {
        visitor.visit_u64(u)
    } else {
        visitor.visit_f64(n.to_f64())
    }
}

macro_rules! lenient_zero {
    ($($method:ident => $visit:ident($zero:expr)),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
                if self.lenient && matches!(self.value, Value::Unknown(_)) {
                    return visitor.$visit($zero);
                }
                self.deserialize_any(visitor)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for ValueDeserializer<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Null | Value::Unknown(_) => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => visit_number(n, visitor),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                let mut seq = SeqDeserializer::new(items.iter().map(|v| self.child(v)));
                let out = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(out)
            }
            Value::Map(entries) | Value::Object(entries) => {
                let mut map = MapDeserializer::new(
                    entries
                        .iter()
                        .map(|(k, v)| (BorrowedStrDeserializer::new(k), self.child(v))),
                );
                let out = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(out)
            }
            Value::Dynamic(_, inner) => self.child(inner).deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.is_absent() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == TF_MAGIC {
            return match self.value {
                Value::Unknown(_) => visitor.visit_unit(),
                Value::Null => visitor.visit_none(),
                _ => visitor.visit_some(self),
            };
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.value {
            Value::String(s) => visitor.visit_enum(BorrowedStrDeserializer::new(s)),
            _ => self.deserialize_any(visitor),
        }
    }

    lenient_zero! {
        deserialize_bool => visit_bool(false),
        deserialize_i8 => visit_i64(0),
        deserialize_i16 => visit_i64(0),
        deserialize_i32 => visit_i64(0),
        deserialize_i64 => visit_i64(0),
        deserialize_u8 => visit_u64(0),
        deserialize_u16 => visit_u64(0),
        deserialize_u32 => visit_u64(0),
        deserialize_u64 => visit_u64(0),
        deserialize_f32 => visit_f64(0.0),
        deserialize_f64 => visit_f64(0.0),
        deserialize_str => visit_borrowed_str(""),
        deserialize_string => visit_borrowed_str(""),
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.lenient && self.is_absent() {
            return visitor.visit_seq(SeqDeserializer::<_, Error>::new(std::iter::empty::<
                ValueDeserializer<'de>,
            >()));
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.lenient && self.is_absent() {
            return visitor.visit_map(MapDeserializer::<_, Error>::new(std::iter::empty::<(
                BorrowedStrDeserializer<'de, Error>,
                ValueDeserializer<'de>,
            )>()));
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit unit_struct tuple tuple_struct identifier ignored_any
    }
}
