//! [`Tf<T>`]: a value that is null, unknown, or known.

use serde::de::{Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::fmt;
use std::marker::PhantomData;

/// The newtype-struct name [`Tf`] asks for, so that our [`Value`](crate::value::Value)
/// deserializer can tell it an unknown (`visit_unit`) from a null (`visit_none`).
pub(crate) const TF_MAGIC: &str = "$tfplugin::Tf";

/// The JSON object a [`Tf::Unknown`] serializes to; `Value::from_json_typed` turns it back
/// into an unknown. (No attribute name can contain a NUL, so it cannot collide with data.)
pub(crate) const UNKNOWN_MARKER: &str = "\u{0}tfplugin_unknown";

/// A Terraform value of type `T` in one of its three states.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Tf<T> {
    #[default]
    Null,
    /// Known only after apply.
    Unknown,
    Known(T),
}

impl<T> Tf<T> {
    /// The value if it is known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Tf::Known(v) => Some(v),
            _ => None,
        }
    }

    pub fn into_known(self) -> Option<T> {
        match self {
            Tf::Known(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Tf::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Tf::Unknown)
    }

    pub fn is_known(&self) -> bool {
        matches!(self, Tf::Known(_))
    }

    /// Set in configuration: known or unknown (a value will be there).
    pub fn is_set(&self) -> bool {
        !self.is_null()
    }

    pub fn as_ref(&self) -> Tf<&T> {
        match self {
            Tf::Null => Tf::Null,
            Tf::Unknown => Tf::Unknown,
            Tf::Known(v) => Tf::Known(v),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Tf<U> {
        match self {
            Tf::Null => Tf::Null,
            Tf::Unknown => Tf::Unknown,
            Tf::Known(v) => Tf::Known(f(v)),
        }
    }
}

impl<T: std::ops::Deref> Tf<T> {
    /// The known value through its `Deref` (`Tf<String>` → `Option<&str>`).
    pub fn known_deref(&self) -> Option<&T::Target> {
        self.known().map(|v| &**v)
    }
}

impl<T> From<Option<T>> for Tf<T> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Tf::Null, Tf::Known)
    }
}

impl<T> From<T> for Tf<T> {
    fn from(v: T) -> Self {
        Tf::Known(v)
    }
}

struct UnknownMarker;

impl Serialize for UnknownMarker {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(UNKNOWN_MARKER, &true)?;
        map.end()
    }
}

impl<T: Serialize> Serialize for Tf<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Tf::Null => s.serialize_none(),
            Tf::Unknown => UnknownMarker.serialize(s),
            Tf::Known(v) => s.serialize_some(v),
        }
    }
}

struct TfVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for TfVisitor<T> {
    type Value = Tf<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value, null or unknown")
    }

    fn visit_unit<E>(self) -> Result<Tf<T>, E> {
        Ok(Tf::Unknown)
    }

    fn visit_none<E>(self) -> Result<Tf<T>, E> {
        Ok(Tf::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Tf<T>, D::Error> {
        T::deserialize(d).map(Tf::Known)
    }

    /// Deserializers that do not know [`TF_MAGIC`] (serde_json) land here: two states.
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Tf<T>, D::Error> {
        Option::<T>::deserialize(d).map(Tf::from)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Tf<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(TF_MAGIC, TfVisitor(PhantomData))
    }
}
