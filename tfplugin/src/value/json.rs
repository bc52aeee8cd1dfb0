//! The JSON value encoding (go-cty `cty/json`): `RawState.json` in UpgradeResourceState and
//! MoveResourceState. Also the typed conversion from plain `serde_json` values.
//!
//! Numbers must stay exact, and serde_json (without `arbitrary_precision`, which would change
//! it for the whole workspace) parses them to f64, so this module has its own small JSON
//! reader that keeps number tokens as text.

use std::collections::BTreeMap;

use super::msgpack::{check_no_extra_attrs, dedupe_set, mismatch, tuple_length_error};
use super::util::{write_json_string, PathBuf, MAX_DEPTH};
use super::{CodecError, Number, Type, Value};

/// Decodes a JSON value of type `ty`. Object attributes missing from the JSON become null;
/// attributes the type does not have are ignored (Terraform strips removed attributes from
/// state, but an older state may still carry some). Numbers may also be given as strings,
/// and primitives convert as cty's `convert` package would.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let j = Parser { b: bytes, pos: 0 }.document()?;
    Conv {
        mode: Mode::Codec,
        path: PathBuf::new(),
    }
    .value(&j, ty, 0)
}

/// Encodes a value of type `ty` as JSON. Unknown values and infinities have no JSON form.
pub fn encode_json(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = String::new();
    let mut path = PathBuf::new();
    encode_value(&mut out, &mut path, value, ty, 0)?;
    Ok(out.into_bytes())
}

impl Value {
    /// The inverse of [`Value::to_json_lossy`], conforming to `ty`: missing object attributes
    /// become null, attributes not in the type are an error, numbers become exact
    /// [`Number`]s, duplicate set elements collapse, and at a `dynamic` position the type is
    /// inferred from the JSON (string, number, bool, tuple, object) and the value wrapped in
    /// [`Value::Dynamic`].
    pub fn from_json_typed(v: &serde_json::Value, ty: &Type) -> Result<Value, CodecError> {
        let mut path = PathBuf::new();
        let j = J::from_serde(v, &mut path, 0)?;
        Conv {
            mode: Mode::Model,
            path,
        }
        .value(&j, ty, 0)
    }
}

// ---------------------------------------------------------------------------------------------
// A minimal JSON tree with numbers kept as their source text.

#[derive(Debug)]
enum J {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<J>),
    /// In source order; for duplicate keys the last one wins, as in Go.
    Obj(Vec<(String, J)>),
}

impl J {
    fn from_serde(
        v: &serde_json::Value,
        path: &mut PathBuf,
        depth: usize,
    ) -> Result<J, CodecError> {
        use serde_json::Value as S;
        if depth > MAX_DEPTH {
            return Err(path.depth_error());
        }
        Ok(match v {
            S::Null => J::Null,
            S::Bool(b) => J::Bool(*b),
            S::Number(n) => J::Num(n.to_string()),
            S::String(s) => J::Str(s.clone()),
            S::Array(items) => J::Arr(
                items
                    .iter()
                    .map(|i| J::from_serde(i, path, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            S::Object(entries) => J::Obj(
                entries
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), J::from_serde(v, path, depth + 1)?)))
                    .collect::<Result<_, CodecError>>()?,
            ),
        })
    }

    /// For type descriptions, which serde_json can parse (they hold no numbers).
    fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value as S;
        match self {
            J::Null => S::Null,
            J::Bool(b) => S::Bool(*b),
            J::Num(raw) => raw.parse().map_or(S::Null, S::Number),
            J::Str(s) => S::String(s.clone()),
            J::Arr(items) => S::Array(items.iter().map(J::to_serde).collect()),
            J::Obj(entries) => S::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_serde()))
                    .collect(),
            ),
        }
    }

    /// What a model's `Tf::Unknown` serializes to (see `crate::model::Tf`).
    fn is_unknown_marker(&self) -> bool {
        matches!(self, J::Obj(entries)
            if entries.len() == 1 && entries[0].0 == crate::model::UNKNOWN_MARKER)
    }

    fn kind(&self) -> &'static str {
        match self {
            J::Null => "null",
            J::Bool(_) => "bool",
            J::Num(_) => "number",
            J::Str(_) => "string",
            J::Arr(_) => "array",
            J::Obj(_) => "object",
        }
    }

    /// The type a JSON value implies: arrays are tuples, objects are objects, null is dynamic.
    fn infer_type(&self) -> Type {
        match self {
            J::Null => Type::Dynamic,
            J::Bool(_) => Type::Bool,
            J::Num(_) => Type::Number,
            J::Str(_) => Type::String,
            J::Arr(items) => Type::Tuple(items.iter().map(J::infer_type).collect()),
            J::Obj(entries) => Type::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.infer_type()))
                    .collect(),
            ),
        }
    }
}

struct Parser<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    #[cold]
    #[inline(never)]
    fn error(&self, message: &str) -> CodecError {
        CodecError {
            path: String::new(),
            message: format!("invalid JSON at byte {}: {message}", self.pos),
        }
    }

    fn document(mut self) -> Result<J, CodecError> {
        let v = self.value(0)?;
        self.ws();
        if self.pos != self.b.len() {
            return Err(self.error("unexpected data after the value"));
        }
        Ok(v)
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.pos) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    #[inline(never)]
    fn literal(&mut self, word: &[u8], v: J) -> Result<J, CodecError> {
        if self.b[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<J, CodecError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.ws();
        match self.b.get(self.pos) {
            None => Err(self.error("unexpected end of input")),
            Some(b'n') => self.literal(b"null", J::Null),
            Some(b't') => self.literal(b"true", J::Bool(true)),
            Some(b'f') => self.literal(b"false", J::Bool(false)),
            Some(b'"') => Ok(J::Str(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => self.array(depth),
            Some(b'{') => self.object(depth),
            Some(_) => Err(self.error("unexpected character")),
        }
    }

    #[inline(never)]
    fn array(&mut self, depth: usize) -> Result<J, CodecError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.ws();
        if self.eat(b']') {
            return Ok(J::Arr(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.ws();
            if self.eat(b']') {
                return Ok(J::Arr(items));
            }
            if !self.eat(b',') {
                return Err(self.error("expected ',' or ']'"));
            }
        }
    }

    #[inline(never)]
    fn object(&mut self, depth: usize) -> Result<J, CodecError> {
        self.pos += 1;
        let mut entries = Vec::new();
        self.ws();
        if self.eat(b'}') {
            return Ok(J::Obj(entries));
        }
        loop {
            self.ws();
            if self.b.get(self.pos) != Some(&b'"') {
                return Err(self.error("expected a string key"));
            }
            let key = self.string()?;
            self.ws();
            if !self.eat(b':') {
                return Err(self.error("expected ':'"));
            }
            entries.push((key, self.value(depth + 1)?));
            self.ws();
            if self.eat(b'}') {
                return Ok(J::Obj(entries));
            }
            if !self.eat(b',') {
                return Err(self.error("expected ',' or '}'"));
            }
        }
    }

    /// A number token per the JSON grammar, kept as text.
    #[inline(never)]
    fn number(&mut self) -> Result<J, CodecError> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let s = p.pos;
            while let Some(b'0'..=b'9') = p.b.get(p.pos) {
                p.pos += 1;
            }
            p.pos - s
        };
        self.eat(b'-');
        match self.b.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(self.error("invalid number")),
        }
        if self.eat(b'.') && digits(self) == 0 {
            return Err(self.error("invalid number: no digits after '.'"));
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if digits(self) == 0 {
                return Err(self.error("invalid number: no exponent digits"));
            }
        }
        let raw = String::from_utf8_lossy(&self.b[start..self.pos]).into_owned();
        Ok(J::Num(raw))
    }

    /// A string token. Invalid UTF-8 and lone surrogates become U+FFFD, as Go's decoder does.
    #[inline(never)]
    fn string(&mut self) -> Result<String, CodecError> {
        self.pos += 1; // opening quote
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&c) = self.b.get(self.pos) else {
                return Err(self.error("unterminated string"));
            };
            self.pos += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.b.get(self.pos) else {
                        return Err(self.error("unterminated string"));
                    };
                    self.pos += 1;
                    let simple = match e {
                        b'"' => Some(b'"'),
                        b'\\' => Some(b'\\'),
                        b'/' => Some(b'/'),
                        b'b' => Some(0x08),
                        b'f' => Some(0x0c),
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        b'u' => None,
                        _ => return Err(self.error("invalid escape")),
                    };
                    if let Some(b) = simple {
                        out.push(b);
                        continue;
                    }
                    let ch = self.unicode_escape()?;
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                0x00..=0x1f => return Err(self.error("control character in string")),
                _ => out.push(c),
            }
        }
        Ok(match String::from_utf8(out) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    fn hex4(&mut self) -> Result<u32, CodecError> {
        let s = self
            .b
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("short \\u escape"))?;
        let s = std::str::from_utf8(s).map_err(|_| self.error("invalid \\u escape"))?;
        let v = u32::from_str_radix(s, 16).map_err(|_| self.error("invalid \\u escape"))?;
        if !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.error("invalid \\u escape"));
        }
        self.pos += 4;
        Ok(v)
    }

    /// After `\u`: one code point, combining a surrogate pair when one follows.
    fn unicode_escape(&mut self) -> Result<char, CodecError> {
        let hi = self.hex4()?;
        if (0xd800..0xdc00).contains(&hi) && self.b[self.pos..].starts_with(b"\\u") {
            let save = self.pos;
            self.pos += 2;
            let lo = self.hex4()?;
            if (0xdc00..0xe000).contains(&lo) {
                let c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                return Ok(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            self.pos = save;
        }
        Ok(char::from_u32(hi).unwrap_or(char::REPLACEMENT_CHARACTER))
    }
}

// ---------------------------------------------------------------------------------------------
// JSON tree → Value

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// cty's JSON value encoding: dynamic values are `{"value":…,"type":…}`, unknown object
    /// attributes are ignored.
    Codec,
    /// Plain JSON from a serde model: dynamic types are inferred, unknown attributes rejected.
    Model,
}

struct Conv {
    mode: Mode,
    path: PathBuf,
}

impl Conv {
    #[cold]
    #[inline(never)]
    fn mismatch(&self, ty: &Type, j: &J) -> CodecError {
        self.path
            .error(format!("{ty} is required, found {}", j.kind()))
    }

    /// The recursive step; helpers are out of line to keep its stack frame small.
    fn value(&mut self, j: &J, ty: &Type, depth: usize) -> Result<Value, CodecError> {
        if depth > MAX_DEPTH {
            return Err(self.path.depth_error());
        }
        if self.mode == Mode::Model && j.is_unknown_marker() {
            return Ok(Value::Unknown(Default::default()));
        }
        match (ty, j) {
            (Type::Dynamic, _) => self.dynamic(j, depth),
            (_, J::Null) => Ok(Value::Null),
            (Type::String | Type::Number | Type::Bool, _) => self.primitive(j, ty),
            (Type::List(ety), _) => Ok(Value::List(self.elements(j, ty, |_| ety, depth)?)),
            (Type::Set(ety), _) => {
                let items = self.elements(j, ty, |_| ety, depth)?;
                Ok(Value::Set(dedupe_set(items, ety)))
            }
            (Type::Tuple(etys), J::Arr(items)) if items.len() != etys.len() => {
                Err(self.length_error(etys.len(), items.len()))
            }
            (Type::Tuple(etys), _) => {
                Ok(Value::Tuple(self.elements(j, ty, |i| &etys[i], depth)?))
            }
            (Type::Map(ety), _) => self.map(j, ty, ety, depth),
            (Type::Object(atys), _) => self.object(j, ty, atys, depth),
        }
    }

    #[cold]
    #[inline(never)]
    fn length_error(&self, want: usize, got: usize) -> CodecError {
        self.path.error(format!(
            "a tuple of {want} elements is required ({got} given)"
        ))
    }

    #[inline(never)]
    fn primitive(&mut self, j: &J, ty: &Type) -> Result<Value, CodecError> {
        match (ty, j) {
            (Type::String, J::Str(s) | J::Num(s)) => Ok(Value::String(s.clone())),
            (Type::String, J::Bool(b)) => Ok(Value::String(b.to_string())),
            (Type::Number, J::Num(raw) | J::Str(raw)) => Number::parse(raw)
                .map(Value::Number)
                .map_err(|e| self.path.error(format!("number is required: {e}"))),
            (Type::Bool, J::Bool(b)) => Ok(Value::Bool(*b)),
            // cty's string-to-bool conversion.
            (Type::Bool, J::Str(s)) if s == "true" || s == "1" => Ok(Value::Bool(true)),
            (Type::Bool, J::Str(s)) if s == "false" || s == "0" => Ok(Value::Bool(false)),
            _ => Err(self.mismatch(ty, j)),
        }
    }

    #[inline(never)]
    fn elements<'t>(
        &mut self,
        j: &J,
        ty: &Type,
        ety: impl Fn(usize) -> &'t Type,
        depth: usize,
    ) -> Result<Vec<Value>, CodecError> {
        let J::Arr(items) = j else {
            return Err(self.mismatch(ty, j));
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let mark = self.path.push_index(i);
            out.push(self.value(item, ety(i), depth + 1)?);
            self.path.truncate(mark);
        }
        Ok(out)
    }

    #[inline(never)]
    fn map(&mut self, j: &J, ty: &Type, ety: &Type, depth: usize) -> Result<Value, CodecError> {
        let J::Obj(entries) = j else {
            return Err(self.mismatch(ty, j));
        };
        let mut out = BTreeMap::new();
        for (k, item) in entries {
            let mark = self.path.push_key(k);
            out.insert(k.clone(), self.value(item, ety, depth + 1)?);
            self.path.truncate(mark);
        }
        Ok(Value::Map(out))
    }

    #[inline(never)]
    fn object(
        &mut self,
        j: &J,
        ty: &Type,
        atys: &BTreeMap<String, Type>,
        depth: usize,
    ) -> Result<Value, CodecError> {
        let J::Obj(entries) = j else {
            return Err(self.mismatch(ty, j));
        };
        let mut out = BTreeMap::new();
        for (k, item) in entries {
            let Some(aty) = atys.get(k) else {
                if self.mode == Mode::Model {
                    return Err(self.path.error(format!("unsupported attribute {k:?}")));
                }
                continue;
            };
            let mark = self.path.push_attr(k);
            out.insert(k.clone(), self.value(item, aty, depth + 1)?);
            self.path.truncate(mark);
        }
        for name in atys.keys() {
            if !out.contains_key(name) {
                out.insert(name.clone(), Value::Null);
            }
        }
        Ok(Value::Object(out))
    }

    #[inline(never)]
    fn dynamic(&mut self, j: &J, depth: usize) -> Result<Value, CodecError> {
        if let J::Null = j {
            return Ok(Value::Null);
        }
        if self.mode == Mode::Model {
            let ty = j.infer_type();
            let v = self.value(j, &ty, depth + 1)?;
            return Ok(Value::Dynamic(Box::new(ty), Box::new(v)));
        }
        let J::Obj(entries) = j else {
            return Err(self.path.error(
                "a dynamically-typed value must be a JSON object {\"value\": …, \"type\": …}",
            ));
        };
        let mut ty_json = None;
        let mut value = None;
        for (k, v) in entries {
            match k.as_str() {
                "type" => ty_json = Some(v),
                "value" => value = Some(v),
                other => {
                    return Err(self
                        .path
                        .error(format!("invalid key {other:?} in dynamically-typed value")))
                }
            }
        }
        let ty_json =
            ty_json.ok_or_else(|| self.path.error("missing type in dynamically-typed value"))?;
        let value =
            value.ok_or_else(|| self.path.error("missing value in dynamically-typed value"))?;
        let ty = Type::from_json(&ty_json.to_serde()).map_err(|e| self.path.error(e.message))?;
        let inner = self.value(value, &ty, depth + 1)?;
        Ok(match ty {
            Type::Dynamic => inner,
            ty => Value::Dynamic(Box::new(ty), Box::new(inner)),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Encoding

/// The recursive step of encoding; helpers are out of line to keep its stack frame small.
fn encode_value(
    out: &mut String,
    path: &mut PathBuf,
    v: &Value,
    ty: &Type,
    depth: usize,
) -> Result<(), CodecError> {
    if depth > MAX_DEPTH {
        return Err(path.depth_error());
    }
    match (ty, v) {
        (Type::Dynamic, _) => encode_dynamic(out, path, v, depth),
        (_, Value::Dynamic(_, inner)) => encode_value(out, path, inner, ty, depth + 1),
        (_, Value::Null) => {
            out.push_str("null");
            Ok(())
        }
        (_, Value::Unknown(_)) => Err(unknown_error(path)),
        (Type::String | Type::Bool | Type::Number, _) => encode_primitive(out, path, v, ty),
        (Type::List(ety) | Type::Set(ety), _) => {
            let items = v.as_list().ok_or_else(|| mismatch(path, ty, v))?;
            encode_array(out, path, items, |_| ety, depth)
        }
        (Type::Tuple(etys), _) => {
            let items = v.as_list().ok_or_else(|| mismatch(path, ty, v))?;
            if items.len() != etys.len() {
                return Err(tuple_length_error(path, etys.len(), items.len()));
            }
            encode_array(out, path, items, |i| &etys[i], depth)
        }
        (Type::Map(ety), _) => encode_map(out, path, v, ty, ety, depth),
        (Type::Object(atys), _) => encode_object(out, path, v, ty, atys, depth),
    }
}

#[cold]
#[inline(never)]
fn unknown_error(path: &PathBuf) -> CodecError {
    path.error("value is not known; JSON cannot represent unknowns")
}

#[inline(never)]
fn encode_primitive(
    out: &mut String,
    path: &PathBuf,
    v: &Value,
    ty: &Type,
) -> Result<(), CodecError> {
    match (ty, v) {
        (Type::String, Value::String(s)) => write_json_string(out, s),
        (Type::Bool, Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        (Type::Number, Value::Number(n)) if n.is_finite() => out.push_str(&n.to_string()),
        (Type::Number, Value::Number(_)) => {
            return Err(path.error("JSON cannot represent an infinite number"))
        }
        _ => return Err(mismatch(path, ty, v)),
    }
    Ok(())
}

#[inline(never)]
fn encode_array<'t>(
    out: &mut String,
    path: &mut PathBuf,
    items: &[Value],
    ety: impl Fn(usize) -> &'t Type,
    depth: usize,
) -> Result<(), CodecError> {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let mark = path.push_index(i);
        encode_value(out, path, item, ety(i), depth + 1)?;
        path.truncate(mark);
    }
    out.push(']');
    Ok(())
}

#[inline(never)]
fn encode_map(
    out: &mut String,
    path: &mut PathBuf,
    v: &Value,
    ty: &Type,
    ety: &Type,
    depth: usize,
) -> Result<(), CodecError> {
    let entries = v.as_object().ok_or_else(|| mismatch(path, ty, v))?;
    out.push('{');
    for (i, (k, item)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json_string(out, k);
        out.push(':');
        let mark = path.push_key(k);
        encode_value(out, path, item, ety, depth + 1)?;
        path.truncate(mark);
    }
    out.push('}');
    Ok(())
}

#[inline(never)]
fn encode_object(
    out: &mut String,
    path: &mut PathBuf,
    v: &Value,
    ty: &Type,
    atys: &BTreeMap<String, Type>,
    depth: usize,
) -> Result<(), CodecError> {
    let attrs = v.as_object().ok_or_else(|| mismatch(path, ty, v))?;
    check_no_extra_attrs(path, attrs, atys)?;
    out.push('{');
    for (i, (name, aty)) in atys.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json_string(out, name);
        out.push(':');
        let mark = path.push_attr(name);
        match attrs.get(name) {
            Some(item) => encode_value(out, path, item, aty, depth + 1)?,
            None => out.push_str("null"),
        }
        path.truncate(mark);
    }
    out.push('}');
    Ok(())
}

/// `{"value": V, "type": T}` at a dynamic position; a typeless null is plain `null`.
#[inline(never)]
fn encode_dynamic(
    out: &mut String,
    path: &mut PathBuf,
    v: &Value,
    depth: usize,
) -> Result<(), CodecError> {
    let (ty, inner) = match v {
        Value::Null => {
            out.push_str("null");
            return Ok(());
        }
        Value::Unknown(_) => return Err(unknown_error(path)),
        Value::Dynamic(t, inner) if **t == Type::Dynamic => {
            return encode_value(out, path, inner, &Type::Dynamic, depth + 1);
        }
        Value::Dynamic(t, inner) => ((**t).clone(), &**inner),
        other => (other.infer_type(), other),
    };
    out.push_str("{\"value\":");
    encode_value(out, path, inner, &ty, depth + 1)?;
    out.push_str(",\"type\":");
    ty.write_json(out);
    out.push('}');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj_ty() -> Type {
        Type::object([
            ("id", Type::String),
            ("count", Type::Number),
            ("enabled", Type::Bool),
            ("tags", Type::map(Type::String)),
            ("ports", Type::list(Type::Number)),
            ("names", Type::set(Type::String)),
        ])
    }

    #[test]
    fn raw_state_decodes_exactly() {
        let raw = br#"{"id":"abc","count":123456789012345678901234567890.5,"enabled":true,
            "tags":{"a":"b"},"ports":[1,2e3,-0.25],"names":["x","y","x"],"removed_attr":42}"#;
        let v = decode_json(raw, &obj_ty()).unwrap();
        assert_eq!(
            v.get_attr("count")
                .unwrap()
                .as_number()
                .unwrap()
                .to_string(),
            "123456789012345678901234567890.5"
        );
        assert_eq!(
            v.get_attr("ports").unwrap().as_list().unwrap()[1],
            Value::from(2000)
        );
        assert_eq!(v.get_attr("names").unwrap().as_list().unwrap().len(), 2);
        assert!(v.get_attr("removed_attr").is_none());
        assert_eq!(
            v.get_attr("tags").unwrap().get_attr("a").unwrap().as_str(),
            Some("b")
        );
    }

    #[test]
    fn missing_attributes_become_null() {
        let v = decode_json(br#"{"id":"x"}"#, &obj_ty()).unwrap();
        assert_eq!(v.get_attr("count"), Some(&Value::Null));
        assert_eq!(v.as_object().unwrap().len(), 6);
    }

    #[test]
    fn encode_is_canonical_and_exact() {
        let v = Value::object([
            ("id", Value::string("a\"b")),
            ("count", Value::number(Number::parse("1e30").unwrap())),
            ("ports", Value::list([Value::from(1)])),
        ]);
        let out = encode_json(&v, &obj_ty()).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"count":1000000000000000000000000000000,"enabled":null,"id":"a\"b","names":null,"ports":[1],"tags":null}"#
        );
    }

    #[test]
    fn dynamic_values() {
        let ty = Type::object([("d", Type::Dynamic)]);
        let v = decode_json(br#"{"d":{"type":["list","number"],"value":[1,2]}}"#, &ty).unwrap();
        assert_eq!(
            v.get_attr("d"),
            Some(&Value::Dynamic(
                Box::new(Type::list(Type::Number)),
                Box::new(Value::list([Value::from(1), Value::from(2)]))
            ))
        );
        let back = encode_json(&v, &ty).unwrap();
        assert_eq!(back, br#"{"d":{"value":[1,2],"type":["list","number"]}}"#);
        assert_eq!(
            decode_json(br#"{"d":null}"#, &ty).unwrap().get_attr("d"),
            Some(&Value::Null)
        );
        for bad in [
            &br#"{"d":[1]}"#[..],
            br#"{"d":{"value":1}}"#,
            br#"{"d":{"type":"number"}}"#,
            br#"{"d":{"type":"number","value":1,"x":2}}"#,
            br#"{"d":{"type":"numbr","value":1}}"#,
        ] {
            assert!(decode_json(bad, &ty).is_err());
        }
    }

    #[test]
    fn primitive_conversions_like_cty() {
        assert_eq!(
            decode_json(br#""12.5""#, &Type::Number).unwrap(),
            Value::number(Number::parse("12.5").unwrap())
        );
        assert_eq!(
            decode_json(b"12", &Type::String).unwrap(),
            Value::string("12")
        );
        assert_eq!(
            decode_json(b"true", &Type::String).unwrap(),
            Value::string("true")
        );
        assert_eq!(
            decode_json(br#""false""#, &Type::Bool).unwrap(),
            Value::Bool(false)
        );
        assert!(decode_json(br#""yes""#, &Type::Bool).is_err());
        assert!(decode_json(b"[]", &Type::String).is_err());
    }

    #[test]
    fn strings_and_syntax() {
        let v = decode_json(br#""a\u00e9\ud83d\ude00\n\/ \ud800x""#, &Type::String).unwrap();
        assert_eq!(v.as_str(), Some("aé😀\n/ \u{fffd}x"));
        for bad in [
            &b""[..],
            b"01",
            b"1.",
            b"-",
            b"1e",
            b"\"abc",
            b"\"\x01\"",
            b"[1,]",
            b"{\"a\" 1}",
            b"nul",
            b"1 2",
            b"\"\\x\"",
            b"\"\\u12\"",
        ] {
            assert!(
                decode_json(bad, &Type::Dynamic).is_err()
                    || decode_json(bad, &Type::Number).is_err()
            );
        }
        assert!(decode_json(&[b'['; 100_000], &Type::list(Type::String)).is_err());
    }

    #[test]
    fn errors_name_the_path() {
        let ty = Type::object([("tags", Type::map(Type::list(Type::Number)))]);
        let err = decode_json(br#"{"tags":{"x":[1,2,"nope"]}}"#, &ty).unwrap_err();
        assert_eq!(err.path, r#".tags["x"][2]"#);
        let err = encode_json(&Value::object([("other", Value::Null)]), &ty).unwrap_err();
        assert_eq!(err.path, ".other");
        assert!(encode_json(&Value::unknown(), &Type::String).is_err());
        assert!(encode_json(&Value::number(Number::PosInfinity), &Type::Number).is_err());
    }

    #[test]
    fn from_json_typed_rules() {
        let ty = Type::object([
            ("a", Type::Number),
            ("s", Type::set(Type::String)),
            ("d", Type::Dynamic),
        ]);
        let v = Value::from_json_typed(
            &serde_json::json!({"a": 1.5, "s": ["x", "x", "y"], "d": {"k": [1, "two", null]}}),
            &ty,
        )
        .unwrap();
        assert_eq!(
            v.get_attr("a").unwrap().as_number().unwrap().to_string(),
            "1.5"
        );
        assert_eq!(v.get_attr("s").unwrap().as_list().unwrap().len(), 2);
        let d = v.get_attr("d").unwrap();
        let Value::Dynamic(dt, _) = d else {
            panic!("not dynamic: {d:?}")
        };
        assert_eq!(
            **dt,
            Type::object([(
                "k",
                Type::tuple([Type::Number, Type::String, Type::Dynamic])
            )])
        );
        let err = Value::from_json_typed(&serde_json::json!({"zzz": 1}), &ty).unwrap_err();
        assert!(err.message.contains("zzz"), "{err}");
        let missing = Value::from_json_typed(&serde_json::json!({}), &ty).unwrap();
        assert_eq!(missing.get_attr("a"), Some(&Value::Null));
    }
}
