//! The msgpack value encoding Terraform uses on the wire (go-cty `cty/msgpack`).
//!
//! Encoding is driven by the type, as in cty. The decoder is a small hand-written reader over
//! the input slice: it accepts every msgpack format of the right family, never allocates from
//! an untrusted length, and caps nesting depth.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Display;

use super::util::{PathBuf, MAX_DEPTH};
use super::{CodecError, Number, Type, Unknown, Value};

/// Extension type cty uses for unknowns that carry refinements.
const REFINED_UNKNOWN_EXT: i8 = 12;
/// cty rejects refinement payloads larger than this.
const MAX_REFINEMENT_LEN: usize = 1024;
/// The plain unknown, as cty writes it: fixext1, type 0, one zero byte.
const PLAIN_UNKNOWN: [u8; 3] = [0xd4, 0x00, 0x00];

const NIL: u8 = 0xc0;

pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let mut d = Decoder {
        buf: bytes,
        pos: 0,
        path: PathBuf::new(),
    };
    let v = d.value(ty, 0)?;
    if d.pos != bytes.len() {
        return Err(d.path.error(format!(
            "{} unexpected bytes after the value",
            bytes.len() - d.pos
        )));
    }
    Ok(v)
}

pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    let mut path = PathBuf::new();
    encode_value(&mut out, &mut path, value, ty, 0)?;
    Ok(out)
}

/// Drops wholly known elements that are equal to an earlier one, as a cty set would. Equality
/// is decided on the canonical encoding. Elements containing unknowns are never merged, since
/// an unknown is not known to equal anything.
pub(crate) fn dedupe_set(elems: Vec<Value>, ety: &Type) -> Vec<Value> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(elems.len());
    for e in elems {
        if e.is_wholly_known() {
            if let Ok(key) = encode_msgpack(&e, ety) {
                if !seen.insert(key) {
                    continue;
                }
            }
        }
        out.push(e);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Encoding

fn write_err<E: Display>(path: &PathBuf) -> impl FnOnce(E) -> CodecError + '_ {
    move |e| path.error(format!("msgpack write failed: {e}"))
}

#[cold]
#[inline(never)]
pub(crate) fn mismatch(path: &PathBuf, ty: &Type, v: &Value) -> CodecError {
    path.error(format!("{ty} is required, found {}", v.kind_name()))
}

/// The recursive step of encoding, kept small for the same reason as the decoder's.
fn encode_value(
    out: &mut Vec<u8>,
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
        // The schema type is authoritative at a typed position; the wrapper only matters at a
        // dynamic one.
        (_, Value::Dynamic(_, inner)) => encode_value(out, path, inner, ty, depth + 1),
        (_, Value::Null) => {
            out.push(NIL);
            Ok(())
        }
        (_, Value::Unknown(u)) => encode_unknown(out, path, u, ty),
        (Type::String | Type::Bool | Type::Number, _) => encode_primitive(out, path, v, ty),
        (Type::List(ety), _) => encode_list(out, path, v, ty, ety, depth),
        (Type::Set(ety), _) => encode_set(out, path, v, ty, ety, depth),
        (Type::Tuple(etys), _) => encode_tuple(out, path, v, ty, etys, depth),
        (Type::Map(ety), _) => encode_map(out, path, v, ty, ety, depth),
        (Type::Object(atys), _) => encode_object(out, path, v, ty, atys, depth),
    }
}

#[inline(never)]
fn encode_primitive(
    out: &mut Vec<u8>,
    path: &PathBuf,
    v: &Value,
    ty: &Type,
) -> Result<(), CodecError> {
    match (ty, v) {
        (Type::String, Value::String(s)) => rmp::encode::write_str(out, s).map_err(write_err(path)),
        (Type::Bool, Value::Bool(b)) => rmp::encode::write_bool(out, *b).map_err(write_err(path)),
        (Type::Number, Value::Number(n)) => encode_number(out, path, n),
        _ => Err(mismatch(path, ty, v)),
    }
}

#[inline(never)]
fn encode_list(
    out: &mut Vec<u8>,
    path: &mut PathBuf,
    v: &Value,
    ty: &Type,
    ety: &Type,
    depth: usize,
) -> Result<(), CodecError> {
    let items = v.as_list().ok_or_else(|| mismatch(path, ty, v))?;
    array_len(out, path, items.len())?;
    for (i, item) in items.iter().enumerate() {
        let mark = path.push_index(i);
        encode_value(out, path, item, ety, depth + 1)?;
        path.truncate(mark);
    }
    Ok(())
}

#[inline(never)]
fn encode_set(
    out: &mut Vec<u8>,
    path: &mut PathBuf,
    v: &Value,
    ty: &Type,
    ety: &Type,
    depth: usize,
) -> Result<(), CodecError> {
    let items = v.as_list().ok_or_else(|| mismatch(path, ty, v))?;
    // Encode elements apart so equal ones can be merged and the order made canonical (cty's
    // own set order is arbitrary, so any order is valid on the wire).
    let mut encoded: Vec<(bool, Vec<u8>)> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let mark = path.push_index(i);
        let mut buf = Vec::new();
        encode_value(&mut buf, path, item, ety, depth + 1)?;
        path.truncate(mark);
        encoded.push((item.is_wholly_known(), buf));
    }
    encoded.sort_by(|a, b| a.1.cmp(&b.1));
    encoded.dedup_by(|a, b| a.0 && b.0 && a.1 == b.1);
    array_len(out, path, encoded.len())?;
    for (_, buf) in encoded {
        out.extend_from_slice(&buf);
    }
    Ok(())
}

#[inline(never)]
fn encode_tuple(
    out: &mut Vec<u8>,
    path: &mut PathBuf,
    v: &Value,
    ty: &Type,
    etys: &[Type],
    depth: usize,
) -> Result<(), CodecError> {
    let items = v.as_list().ok_or_else(|| mismatch(path, ty, v))?;
    if items.len() != etys.len() {
        return Err(tuple_length_error(path, etys.len(), items.len()));
    }
    array_len(out, path, items.len())?;
    for (i, (item, ety)) in items.iter().zip(etys).enumerate() {
        let mark = path.push_index(i);
        encode_value(out, path, item, ety, depth + 1)?;
        path.truncate(mark);
    }
    Ok(())
}

#[inline(never)]
fn encode_map(
    out: &mut Vec<u8>,
    path: &mut PathBuf,
    v: &Value,
    ty: &Type,
    ety: &Type,
    depth: usize,
) -> Result<(), CodecError> {
    let entries = v.as_object().ok_or_else(|| mismatch(path, ty, v))?;
    map_len(out, path, entries.len())?;
    for (k, item) in entries {
        rmp::encode::write_str(out, k).map_err(write_err(path))?;
        let mark = path.push_key(k);
        encode_value(out, path, item, ety, depth + 1)?;
        path.truncate(mark);
    }
    Ok(())
}

#[inline(never)]
fn encode_object(
    out: &mut Vec<u8>,
    path: &mut PathBuf,
    v: &Value,
    ty: &Type,
    atys: &BTreeMap<String, Type>,
    depth: usize,
) -> Result<(), CodecError> {
    let attrs = v.as_object().ok_or_else(|| mismatch(path, ty, v))?;
    check_no_extra_attrs(path, attrs, atys)?;
    // Terraform requires exactly one entry per attribute of the type.
    map_len(out, path, atys.len())?;
    for (name, aty) in atys {
        rmp::encode::write_str(out, name).map_err(write_err(path))?;
        let mark = path.push_attr(name);
        match attrs.get(name) {
            Some(item) => encode_value(out, path, item, aty, depth + 1)?,
            None => out.push(NIL),
        }
        path.truncate(mark);
    }
    Ok(())
}

/// An attribute the object type does not have is an error naming it.
pub(crate) fn check_no_extra_attrs(
    path: &mut PathBuf,
    attrs: &BTreeMap<String, Value>,
    atys: &BTreeMap<String, Type>,
) -> Result<(), CodecError> {
    match attrs.keys().find(|k| !atys.contains_key(*k)) {
        None => Ok(()),
        Some(extra) => {
            let mark = path.push_attr(extra);
            let err = path.error("attribute is not in the object type");
            path.truncate(mark);
            Err(err)
        }
    }
}

#[cold]
#[inline(never)]
pub(crate) fn tuple_length_error(path: &PathBuf, want: usize, got: usize) -> CodecError {
    path.error(format!(
        "a tuple of length {want} is required, found {got} elements"
    ))
}

/// A value at a `dynamic` position: `[type JSON as bin, value]`, except that a typeless null is
/// bare nil and a wholly unknown value is the bare extension.
#[inline(never)]
fn encode_dynamic(
    out: &mut Vec<u8>,
    path: &mut PathBuf,
    v: &Value,
    depth: usize,
) -> Result<(), CodecError> {
    let (ty, inner) = match v {
        Value::Null => {
            out.push(NIL);
            return Ok(());
        }
        // cty never refines an unknown of unknown type.
        Value::Unknown(_) => {
            out.extend_from_slice(&PLAIN_UNKNOWN);
            return Ok(());
        }
        Value::Dynamic(t, inner) if **t == Type::Dynamic => {
            return encode_value(out, path, inner, &Type::Dynamic, depth + 1);
        }
        Value::Dynamic(t, inner) => ((**t).clone(), &**inner),
        other => (other.infer_type(), other),
    };
    array_len(out, path, 2)?;
    rmp::encode::write_bin(out, &ty.to_json_bytes()).map_err(write_err(path))?;
    encode_value(out, path, inner, &ty, depth + 1)
}

#[inline(never)]
fn encode_unknown(
    out: &mut Vec<u8>,
    path: &PathBuf,
    u: &Unknown,
    ty: &Type,
) -> Result<(), CodecError> {
    match &u.refinement {
        // An empty refinement map (or anything of length ≤ 1) means "no refinements": cty's
        // decoder reads those as plain unknowns, and cty never writes ext 12 for them. A
        // refinement that does not fit the type it is written at (e.g. a string prefix on an
        // unknown whose type was inferred as number) is dropped, as cty would reject it.
        Some(payload) if payload.len() > 1 && refinement_fits(payload, ty) => {
            let len = u32::try_from(payload.len())
                .map_err(|_| path.error("unknown value refinement is too large"))?;
            rmp::encode::write_ext_meta(out, len, REFINED_UNKNOWN_EXT).map_err(write_err(path))?;
            out.extend_from_slice(payload);
        }
        _ => out.extend_from_slice(&PLAIN_UNKNOWN),
    }
    Ok(())
}

/// Whether a refinement payload is one the decoder accepts at `ty` (cty drops refinements of
/// unknowns of unknown type, so none fits `dynamic`).
fn refinement_fits(payload: &[u8], ty: &Type) -> bool {
    if *ty == Type::Dynamic || payload.len() > MAX_REFINEMENT_LEN {
        return false;
    }
    let mut r = Decoder {
        buf: payload,
        pos: 0,
        path: PathBuf::new(),
    };
    r.check_refinements(ty).is_ok()
}

/// cty's choice: int when integral and within int64, float64 when exact, else a decimal string.
fn encode_number(out: &mut Vec<u8>, path: &PathBuf, n: &Number) -> Result<(), CodecError> {
    if let Some(i) = n.to_i64() {
        rmp::encode::write_sint(out, i).map_err(write_err(path))?;
    } else if let Some(f) = n.to_f64_exact() {
        rmp::encode::write_f64(out, f).map_err(write_err(path))?;
    } else {
        rmp::encode::write_str(out, &n.to_string()).map_err(write_err(path))?;
    }
    Ok(())
}

fn array_len(out: &mut Vec<u8>, path: &PathBuf, len: usize) -> Result<(), CodecError> {
    let len = u32::try_from(len).map_err(|_| path.error("too many elements for msgpack"))?;
    rmp::encode::write_array_len(out, len).map_err(write_err(path))?;
    Ok(())
}

fn map_len(out: &mut Vec<u8>, path: &PathBuf, len: usize) -> Result<(), CodecError> {
    let len = u32::try_from(len).map_err(|_| path.error("too many entries for msgpack"))?;
    rmp::encode::write_map_len(out, len).map_err(write_err(path))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Decoding

fn is_ext(m: u8) -> bool {
    matches!(m, 0xc7..=0xc9 | 0xd4..=0xd8)
}

struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
    path: PathBuf,
}

impl<'a> Decoder<'a> {
    fn eof(&self) -> CodecError {
        self.path.error("unexpected end of msgpack data")
    }

    fn peek(&self) -> Result<u8, CodecError> {
        self.buf.get(self.pos).copied().ok_or_else(|| self.eof())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        let end = self.pos.checked_add(n).ok_or_else(|| self.eof())?;
        let s = self.buf.get(self.pos..end).ok_or_else(|| self.eof())?;
        self.pos = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, CodecError> {
        Ok(self.take(1)?[0])
    }

    fn be<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    fn u16(&mut self) -> Result<u16, CodecError> {
        Ok(u16::from_be_bytes(self.be()?))
    }

    fn u32(&mut self) -> Result<u32, CodecError> {
        Ok(u32::from_be_bytes(self.be()?))
    }

    fn u64(&mut self) -> Result<u64, CodecError> {
        Ok(u64::from_be_bytes(self.be()?))
    }

    fn len32(&mut self) -> Result<usize, CodecError> {
        usize::try_from(self.u32()?).map_err(|_| self.eof())
    }

    /// An array header of any size; `what` names the expected kind in the error.
    fn array_len(&mut self, what: &str) -> Result<usize, CodecError> {
        let m = self.peek()?;
        let len = match m {
            0x90..=0x9f => usize::from(m & 0x0f),
            0xdc => {
                self.pos += 1;
                return Ok(usize::from(self.u16()?));
            }
            0xdd => {
                self.pos += 1;
                return self.len32();
            }
            _ => return Err(self.path.error(format!("{what} is required"))),
        };
        self.pos += 1;
        Ok(len)
    }

    fn map_len(&mut self, what: &str) -> Result<usize, CodecError> {
        let m = self.peek()?;
        let len = match m {
            0x80..=0x8f => usize::from(m & 0x0f),
            0xde => {
                self.pos += 1;
                return Ok(usize::from(self.u16()?));
            }
            0xdf => {
                self.pos += 1;
                return self.len32();
            }
            _ => return Err(self.path.error(format!("{what} is required"))),
        };
        self.pos += 1;
        Ok(len)
    }

    /// The bytes of a str or bin (cty's decoder reads either where it wants a string).
    fn str_bytes(&mut self, what: &str) -> Result<&'a [u8], CodecError> {
        let m = self.peek()?;
        let len = match m {
            0xa0..=0xbf => {
                self.pos += 1;
                usize::from(m & 0x1f)
            }
            0xd9 | 0xc4 => {
                self.pos += 1;
                usize::from(self.u8()?)
            }
            0xda | 0xc5 => {
                self.pos += 1;
                usize::from(self.u16()?)
            }
            0xdb | 0xc6 => {
                self.pos += 1;
                self.len32()?
            }
            _ => return Err(self.path.error(format!("{what} is required"))),
        };
        self.take(len)
    }

    fn string(&mut self, what: &str) -> Result<String, CodecError> {
        let b = self.str_bytes(what)?;
        String::from_utf8(b.to_vec()).map_err(|_| self.path.error("string is not valid UTF-8"))
    }

    /// An extension: (type code, payload).
    fn ext(&mut self) -> Result<(i8, &'a [u8]), CodecError> {
        let m = self.u8()?;
        let len = match m {
            0xd4 => 1,
            0xd5 => 2,
            0xd6 => 4,
            0xd7 => 8,
            0xd8 => 16,
            0xc7 => usize::from(self.u8()?),
            0xc8 => usize::from(self.u16()?),
            0xc9 => self.len32()?,
            _ => return Err(self.path.error("extension is required")),
        };
        let code = i8::from_be_bytes([self.u8()?]);
        Ok((code, self.take(len)?))
    }

    /// An integer of any msgpack int format, widened so uint64 fits.
    fn int(&mut self, what: &str) -> Result<i128, CodecError> {
        let m = self.peek()?;
        let v = match m {
            0x00..=0x7f | 0xe0..=0xff => {
                self.pos += 1;
                return Ok(i128::from(i8::from_be_bytes([m])));
            }
            0xcc => {
                self.pos += 1;
                i128::from(self.u8()?)
            }
            0xcd => {
                self.pos += 1;
                i128::from(self.u16()?)
            }
            0xce => {
                self.pos += 1;
                i128::from(self.u32()?)
            }
            0xcf => {
                self.pos += 1;
                i128::from(self.u64()?)
            }
            0xd0 => {
                self.pos += 1;
                i128::from(i8::from_be_bytes(self.be()?))
            }
            0xd1 => {
                self.pos += 1;
                i128::from(i16::from_be_bytes(self.be()?))
            }
            0xd2 => {
                self.pos += 1;
                i128::from(i32::from_be_bytes(self.be()?))
            }
            0xd3 => {
                self.pos += 1;
                i128::from(i64::from_be_bytes(self.be()?))
            }
            _ => return Err(self.path.error(format!("{what} is required"))),
        };
        Ok(v)
    }

    /// The recursive step. Kept small (helpers are out of line) because its stack frame is
    /// paid once per nesting level.
    fn value(&mut self, ty: &Type, depth: usize) -> Result<Value, CodecError> {
        if depth > MAX_DEPTH {
            return Err(self.path.depth_error());
        }
        let m = self.peek()?;
        // Every extension is an unknown, whatever the type (cty has no other extensions).
        if is_ext(m) {
            return self.unknown(ty);
        }
        match ty {
            Type::Dynamic => self.dynamic(depth),
            _ if m == NIL => {
                self.pos += 1;
                Ok(Value::Null)
            }
            Type::String | Type::Bool | Type::Number => self.primitive(ty, m),
            Type::List(ety) => Ok(Value::List(self.elements(ety, "list", depth)?)),
            Type::Set(ety) => self.set(ety, depth),
            Type::Tuple(etys) => self.tuple(etys, depth),
            Type::Map(ety) => self.map(ety, depth),
            Type::Object(atys) => self.object(atys, depth),
        }
    }

    #[inline(never)]
    fn primitive(&mut self, ty: &Type, m: u8) -> Result<Value, CodecError> {
        match ty {
            Type::String => Ok(Value::String(self.string("string")?)),
            Type::Bool => match m {
                0xc2 | 0xc3 => {
                    self.pos += 1;
                    Ok(Value::Bool(m == 0xc3))
                }
                _ => Err(self.path.error("bool is required")),
            },
            _ => Ok(Value::Number(self.number()?)),
        }
    }

    #[inline(never)]
    fn elements(&mut self, ety: &Type, what: &str, depth: usize) -> Result<Vec<Value>, CodecError> {
        let len = self.array_len(what)?;
        // Every element takes at least one byte, so this bounds the allocation by the input.
        let mut items = Vec::with_capacity(len.min(self.buf.len() - self.pos));
        for i in 0..len {
            let mark = self.path.push_index(i);
            items.push(self.value(ety, depth + 1)?);
            self.path.truncate(mark);
        }
        Ok(items)
    }

    #[inline(never)]
    fn set(&mut self, ety: &Type, depth: usize) -> Result<Value, CodecError> {
        let items = self.elements(ety, "set", depth)?;
        Ok(Value::Set(dedupe_set(items, ety)))
    }

    #[inline(never)]
    fn tuple(&mut self, etys: &[Type], depth: usize) -> Result<Value, CodecError> {
        let len = self.array_len("tuple")?;
        if len != etys.len() {
            return Err(self.length_error("a tuple of length", etys.len(), len));
        }
        let mut items = Vec::with_capacity(len);
        for (i, ety) in etys.iter().enumerate() {
            let mark = self.path.push_index(i);
            items.push(self.value(ety, depth + 1)?);
            self.path.truncate(mark);
        }
        Ok(Value::Tuple(items))
    }

    #[inline(never)]
    fn map(&mut self, ety: &Type, depth: usize) -> Result<Value, CodecError> {
        let len = self.map_len("map")?;
        let mut entries = BTreeMap::new();
        for _ in 0..len {
            let key = self.string("string map key")?;
            let mark = self.path.push_key(&key);
            let item = self.value(ety, depth + 1)?;
            self.path.truncate(mark);
            entries.insert(key, item);
        }
        Ok(Value::Map(entries))
    }

    #[inline(never)]
    fn object(&mut self, atys: &BTreeMap<String, Type>, depth: usize) -> Result<Value, CodecError> {
        let len = self.map_len("object")?;
        if len != atys.len() {
            return Err(self.length_error("an object with attribute count", atys.len(), len));
        }
        let mut attrs = BTreeMap::new();
        for _ in 0..len {
            let name = self.string("string attribute name")?;
            let mark = self.path.push_attr(&name);
            let Some(aty) = atys.get(&name) else {
                return Err(self.path.error("unsupported attribute"));
            };
            let item = self.value(aty, depth + 1)?;
            if attrs.insert(name, item).is_some() {
                return Err(self.path.error("duplicate attribute"));
            }
            self.path.truncate(mark);
        }
        Ok(Value::Object(attrs))
    }

    #[cold]
    #[inline(never)]
    fn length_error(&self, what: &str, want: usize, got: usize) -> CodecError {
        self.path
            .error(format!("{what} {want} is required ({got} given)"))
    }

    fn number(&mut self) -> Result<Number, CodecError> {
        let m = self.peek()?;
        match m {
            0xca => {
                self.pos += 1;
                let f = f32::from_be_bytes(self.be()?);
                self.float(f64::from(f))
            }
            0xcb => {
                self.pos += 1;
                let f = f64::from_be_bytes(self.be()?);
                self.float(f)
            }
            0x00..=0x7f | 0xe0..=0xff | 0xcc..=0xd3 => {
                let i = self.int("number")?;
                Ok(match i64::try_from(i) {
                    Ok(i) => Number::from(i),
                    Err(_) => Number::from(u64::try_from(i).map_err(|_| self.eof())?),
                })
            }
            _ => {
                let b = self.str_bytes("number")?;
                let s =
                    std::str::from_utf8(b).map_err(|_| self.path.error("number is required"))?;
                Number::parse(s).map_err(|e| self.path.error(format!("number is required: {e}")))
            }
        }
    }

    fn float(&self, f: f64) -> Result<Number, CodecError> {
        Number::from_f64(f).ok_or_else(|| self.path.error("NaN is not a valid number"))
    }

    /// `[type JSON, value]`, or nil for a typeless null (an extension was handled by the caller).
    #[inline(never)]
    fn dynamic(&mut self, depth: usize) -> Result<Value, CodecError> {
        if self.peek()? == NIL {
            self.pos += 1;
            return Ok(Value::Null);
        }
        let len = self.array_len("dynamic value array [type, value]")?;
        if len != 2 {
            return Err(self
                .path
                .error("dynamic value array must have exactly two elements"));
        }
        let type_json = self.str_bytes("type description (bin)")?;
        let ty = Type::from_json_bytes(type_json).map_err(|e| self.path.error(e.message))?;
        let inner = self.value(&ty, depth + 1)?;
        Ok(match ty {
            Type::Dynamic => inner,
            ty => Value::Dynamic(Box::new(ty), Box::new(inner)),
        })
    }

    /// A payload of at most one byte is a plain unknown whatever the code (cty's rule). Only
    /// extension 12 carries refinements; cty rejects a longer payload under any other code,
    /// but no other code is ever sent, so it is read leniently as a plain unknown.
    #[inline(never)]
    fn unknown(&mut self, ty: &Type) -> Result<Value, CodecError> {
        let (code, payload) = self.ext()?;
        if payload.len() <= 1 || code != REFINED_UNKNOWN_EXT {
            return Ok(Value::unknown());
        }
        if payload.len() > MAX_REFINEMENT_LEN {
            return Err(self.path.error("oversize unknown value refinement"));
        }
        let mut r = Decoder {
            buf: payload,
            pos: 0,
            path: PathBuf::new(),
        };
        r.check_refinements(ty).map_err(|e| {
            self.path
                .error(format!("invalid unknown value refinement: {}", e.message))
        })?;
        if *ty == Type::Dynamic {
            // cty ignores refinements on an unknown of unknown type.
            return Ok(Value::unknown());
        }
        Ok(Value::unknown_refined(payload.to_vec()))
    }

    /// Checks the refinement map against the type as cty does; unknown keys are skipped and
    /// trailing bytes ignored, both for forward compatibility.
    fn check_refinements(&mut self, ty: &Type) -> Result<(), CodecError> {
        let entries = self.map_len("a map")?;
        if *ty == Type::Dynamic {
            return Ok(());
        }
        for _ in 0..entries {
            let key = self.int("integer key")?;
            match key {
                1 => match self.u8()? {
                    0xc2 | 0xc3 => {}
                    _ => return Err(self.path.error("null refinement is not a bool")),
                },
                2 => {
                    if *ty != Type::String {
                        return Err(self
                            .path
                            .error("string prefix refinement for non-string type"));
                    }
                    self.string("string prefix")?;
                }
                3 | 4 => {
                    if *ty != Type::Number {
                        return Err(self
                            .path
                            .error("number bound refinement for non-number type"));
                    }
                    // [number, bool], parsed flat so a payload cannot nest unknowns.
                    if self.array_len("[number, bool] bound")? != 2 {
                        return Err(self.path.error("number bound must be [number, bool]"));
                    }
                    self.number()?;
                    match self.u8()? {
                        0xc2 | 0xc3 => {}
                        _ => return Err(self.path.error("number bound must be [number, bool]")),
                    }
                }
                5 | 6 => {
                    if !ty.is_collection() {
                        return Err(self.path.error("length refinement for non-collection type"));
                    }
                    self.int("integer length bound")?;
                }
                _ => self.skip(0)?,
            }
        }
        Ok(())
    }

    /// Skips one msgpack item of any kind.
    fn skip(&mut self, depth: usize) -> Result<(), CodecError> {
        if depth > MAX_DEPTH {
            return Err(self.path.depth_error());
        }
        let m = self.peek()?;
        match m {
            0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => self.pos += 1,
            0xcc..=0xd3 => {
                self.int("int")?;
            }
            0xca => {
                self.take(5)?;
            }
            0xcb => {
                self.take(9)?;
            }
            0xa0..=0xbf | 0xd9..=0xdb | 0xc4..=0xc6 => {
                self.str_bytes("str")?;
            }
            0xc7..=0xc9 | 0xd4..=0xd8 => {
                self.ext()?;
            }
            0x90..=0x9f | 0xdc | 0xdd => {
                let n = self.array_len("array")?;
                for _ in 0..n {
                    self.skip(depth + 1)?;
                }
            }
            0x80..=0x8f | 0xde | 0xdf => {
                let n = self.map_len("map")?;
                for _ in 0..n {
                    self.skip(depth + 1)?;
                    self.skip(depth + 1)?;
                }
            }
            _ => return Err(self.path.error(format!("invalid msgpack marker 0x{m:02x}"))),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(bytes: &[u8], ty: &Type) -> Value {
        decode_msgpack(bytes, ty).unwrap_or_else(|e| panic!("decode {bytes:02x?}: {e}"))
    }

    fn enc(v: &Value, ty: &Type) -> Vec<u8> {
        encode_msgpack(v, ty).unwrap_or_else(|e| panic!("encode {v:?}: {e}"))
    }

    fn num(s: &str) -> Value {
        Value::Number(Number::parse(s).unwrap())
    }

    const REFINED: [u8; 12] = [
        0xc7, 0x09, 0x0c, 0x82, 0x01, 0xc2, 0x02, 0xa4, b'p', b'r', b'e', b'-',
    ];

    #[test]
    fn plain_unknown() {
        assert_eq!(enc(&Value::unknown(), &Type::String), [0xd4, 0, 0]);
        assert_eq!(dec(&[0xd4, 0, 0], &Type::String), Value::unknown());
        assert_eq!(dec(&[0xd4, 0, 0], &Type::Dynamic), Value::unknown());
        // Any extension code with a payload of at most one byte is a plain unknown.
        assert_eq!(dec(&[0xd4, 0x05, 0x07], &Type::Number), Value::unknown());
        assert_eq!(
            dec(&[0xc7, 0x00, 0x0c], &Type::list(Type::Bool)),
            Value::unknown()
        );
        // Empty or one-byte refinements are never written as extension 12.
        assert_eq!(
            enc(&Value::unknown_refined(vec![0x80]), &Type::String),
            [0xd4, 0, 0]
        );
        assert_eq!(
            enc(&Value::unknown_refined(vec![]), &Type::String),
            [0xd4, 0, 0]
        );
    }

    #[test]
    fn refined_unknown_round_trips_byte_for_byte() {
        let v = dec(&REFINED, &Type::String);
        assert_eq!(v, Value::unknown_refined(REFINED[3..].to_vec()));
        assert_eq!(enc(&v, &Type::String), REFINED);

        // Inside an object, as Terraform sends `input = "pre-${timestamp()}"`.
        let ty = Type::object([("input", Type::String)]);
        let mut wire = vec![0x81, 0xa5, b'i', b'n', b'p', b'u', b't'];
        wire.extend_from_slice(&REFINED);
        assert_eq!(enc(&dec(&wire, &ty), &ty), wire);

        // A payload of exactly four bytes uses fixext4, as cty's encoder does.
        let short = Value::unknown_refined(vec![0x81, 0x05, 0x01, 0xc0]);
        assert_eq!(enc(&short, &Type::list(Type::String))[..2], [0xd6, 0x0c]);
    }

    #[test]
    fn refinement_validation() {
        let ext12 = |payload: &[u8]| {
            let mut b = vec![0xc7, payload.len() as u8, 0x0c];
            b.extend_from_slice(payload);
            b
        };
        // Unknown keys are skipped; trailing bytes after the map are ignored.
        let v = dec(
            &ext12(&[0x82, 0x09, 0x92, 0x01, 0x02, 0x01, 0xc2, 0xff]),
            &Type::Bool,
        );
        assert!(matches!(
            v,
            Value::Unknown(Unknown {
                refinement: Some(_)
            })
        ));
        // Number bounds and collection lengths on the right types.
        dec(
            &ext12(&[
                0x82, 0x03, 0x92, 0x01, 0xc3, 0x04, 0x92, 0xa2, b'1', b'0', 0xc2,
            ]),
            &Type::Number,
        );
        dec(
            &ext12(&[0x82, 0x05, 0x01, 0x06, 0xcd, 0x01, 0x00]),
            &Type::set(Type::String),
        );
        // Refinements at a dynamic position are dropped, as cty does.
        assert_eq!(dec(&REFINED, &Type::Dynamic), Value::unknown());
        for (bytes, ty) in [
            (ext12(&[0x92, 0x01, 0x02]), Type::String), // not a map
            (ext12(&[0x81, 0x02, 0xa1, b'x']), Type::Number), // prefix on a number
            (ext12(&[0x81, 0x03, 0x92, 0x01, 0xc3]), Type::String), // bound on a string
            (ext12(&[0x81, 0x05, 0x01]), Type::String), // length on a string
            (ext12(&[0x81, 0x01, 0x01]), Type::String), // nullness not bool
            (ext12(&[0x81, 0xa1, b'k', 0xc2]), Type::String), // non-int key
            (
                ext12(&[0x81, 0x03, 0x92, 0xd4, 0x00, 0x00, 0xc3]),
                Type::Number,
            ), // unknown bound
            (ext12(&[0x82, 0x01]), Type::String),       // truncated
        ] {
            assert!(decode_msgpack(&bytes, &ty).is_err(), "{bytes:02x?}");
        }
        let mut big = vec![0xc8, 0x04, 0x01, 0x0c, 0x81, 0x01, 0xc2];
        big.resize(4 + 1025, 0);
        assert!(decode_msgpack(&big, &Type::String)
            .unwrap_err()
            .message
            .contains("oversize"));
    }

    #[test]
    fn integers_in_every_width() {
        let cases: &[(&[u8], i128)] = &[
            (&[0x05], 5),
            (&[0x7f], 127),
            (&[0xff], -1),
            (&[0xe0], -32),
            (&[0xcc, 0xc8], 200),
            (&[0xcd, 0x01, 0x00], 256),
            (&[0xce, 0x00, 0x01, 0x00, 0x00], 65536),
            (
                &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                u64::MAX as i128,
            ),
            (&[0xd0, 0x80], -128),
            (&[0xd0, 0x05], 5),
            (&[0xd1, 0xff, 0x38], -200),
            (&[0xd2, 0xff, 0xff, 0x00, 0x00], -65536),
            (&[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0], i64::MIN as i128),
        ];
        for (bytes, want) in cases {
            assert_eq!(
                dec(bytes, &Type::Number),
                num(&want.to_string()),
                "{bytes:02x?}"
            );
        }
        // Encoding picks the smallest form, unsigned for non-negative values.
        assert_eq!(enc(&Value::from(5), &Type::Number), [0x05]);
        assert_eq!(enc(&Value::from(200), &Type::Number), [0xcc, 0xc8]);
        assert_eq!(enc(&Value::from(-1), &Type::Number), [0xff]);
        assert_eq!(enc(&Value::from(-200), &Type::Number), [0xd1, 0xff, 0x38]);
        assert_eq!(enc(&num("1e3"), &Type::Number), [0xcd, 0x03, 0xe8]);
        assert_eq!(enc(&num("7.0"), &Type::Number), [0x07]);
        assert_eq!(
            enc(&Value::from(i64::MIN), &Type::Number),
            [0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn floats_and_decimal_strings() {
        assert_eq!(
            enc(&num("0.5"), &Type::Number),
            [0xcb, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(dec(&[0xca, 0x3f, 0xc0, 0, 0], &Type::Number), num("1.5"));
        assert_eq!(
            dec(&[0xcb, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0], &Type::Number),
            num("0.5")
        );
        // 2^63 does not fit int64 but is exact as float64, so cty writes a float64.
        assert_eq!(
            enc(&Value::number(1u64 << 63), &Type::Number),
            [0xcb, 0x43, 0xe0, 0, 0, 0, 0, 0, 0]
        );
        // u64::MAX is neither: a decimal string.
        let mut want = vec![0xb4];
        want.extend_from_slice(b"18446744073709551615");
        assert_eq!(enc(&Value::number(u64::MAX), &Type::Number), want);

        let big = "123456789012345678901234567890.5";
        let mut want = vec![0xd9, big.len() as u8];
        want.extend_from_slice(big.as_bytes());
        assert_eq!(enc(&num(big), &Type::Number), want);
        assert_eq!(
            dec(&want, &Type::Number).as_number().unwrap().to_string(),
            big
        );
        // 0.1 is not exactly a float64, so it travels as a string.
        assert_eq!(enc(&num("0.1"), &Type::Number), [0xa3, b'0', b'.', b'1']);
        // Strings may use exponents, and bin is read like str.
        assert_eq!(
            dec(&[0xa4, b'1', b'e', b'2', b'0'], &Type::Number),
            num("1e20")
        );
        assert_eq!(
            dec(&[0xc4, 0x03, b'1', b'.', b'5'], &Type::Number),
            num("1.5")
        );

        let inf = [0xcb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0];
        assert_eq!(enc(&Value::number(Number::PosInfinity), &Type::Number), inf);
        assert_eq!(dec(&inf, &Type::Number), Value::number(Number::PosInfinity));
        assert_eq!(
            dec(&[0xa4, b'-', b'I', b'n', b'f'], &Type::Number),
            Value::number(Number::NegInfinity)
        );
        assert!(decode_msgpack(&[0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0], &Type::Number).is_err());
        assert!(decode_msgpack(&[0xa3, b'a', b'b', b'c'], &Type::Number).is_err());
        assert!(decode_msgpack(&[0xc3], &Type::Number).is_err());
    }

    #[test]
    fn nested_object_with_collections() {
        let ty = Type::object([
            ("a", Type::list(Type::Number)),
            ("m", Type::map(Type::String)),
            ("s", Type::set(Type::Bool)),
        ]);
        let v = Value::object([
            ("a", Value::list([Value::from(1), Value::from(2)])),
            ("m", Value::map([("k", Value::string("v"))])),
            (
                "s",
                Value::set([Value::from(true), Value::from(false), Value::from(true)]),
            ),
        ]);
        let wire = [
            0x83, 0xa1, b'a', 0x92, 0x01, 0x02, 0xa1, b'm', 0x81, 0xa1, b'k', 0xa1, b'v', 0xa1,
            b's', 0x92, 0xc2, 0xc3,
        ];
        assert_eq!(enc(&v, &ty), wire);
        let back = dec(&wire, &ty);
        assert!(back.semantically_equal(&v));

        // Any size format decodes: array16, map16, str8 keys, keys in any order.
        let long = [
            0xde, 0x00, 0x03, 0xa1, b's', 0xdc, 0x00, 0x03, 0xc3, 0xc2, 0xc3, 0xd9, 0x01, b'm',
            0x80, 0xa1, b'a', 0xc0,
        ];
        let back = dec(&long, &ty);
        assert_eq!(back.get_attr("s").unwrap().as_list().unwrap().len(), 2);
        assert_eq!(back.get_attr("a"), Some(&Value::Null));
        assert_eq!(
            back.get_attr("m"),
            Some(&Value::map(Vec::<(String, Value)>::new()))
        );
    }

    #[test]
    fn object_encoding_is_exact() {
        let ty = Type::object([("a", Type::String), ("b", Type::Number)]);
        let v = Value::object([("a", Value::string("x"))]);
        assert_eq!(
            enc(&v, &ty),
            [0x82, 0xa1, b'a', 0xa1, b'x', 0xa1, b'b', 0xc0]
        );
        let err = encode_msgpack(&Value::object([("zz", Value::Null)]), &ty).unwrap_err();
        assert_eq!(err.path, ".zz");
        // Decoding insists on exactly the type's attributes.
        assert!(decode_msgpack(&[0x81, 0xa1, b'a', 0xa1, b'x'], &ty).is_err());
        assert!(decode_msgpack(&[0x82, 0xa1, b'a', 0xc0, 0xa1, b'c', 0xc0], &ty).is_err());
        assert!(decode_msgpack(&[0x82, 0xa1, b'a', 0xc0, 0xa1, b'a', 0xc0], &ty).is_err());
        assert!(decode_msgpack(&[0x80], &ty).is_err());
        assert_eq!(
            dec(&[0x80], &Type::object(Vec::<(String, Type)>::new())),
            Value::Object(BTreeMap::new())
        );
    }

    #[test]
    fn dynamic_forms() {
        let string_json = b"\"string\"";
        let mut wrapped = vec![0x92, 0xc4, string_json.len() as u8];
        wrapped.extend_from_slice(string_json);
        let mut hi = wrapped.clone();
        hi.extend_from_slice(&[0xa2, b'h', b'i']);
        assert_eq!(enc(&Value::string("hi"), &Type::Dynamic), hi);
        let typed = Value::Dynamic(Box::new(Type::String), Box::new(Value::string("hi")));
        assert_eq!(dec(&hi, &Type::Dynamic), typed);
        assert_eq!(enc(&typed, &Type::Dynamic), hi);

        // Typed null and typed (refined) unknown arrive wrapped.
        let mut null = wrapped.clone();
        null.push(0xc0);
        let typed_null = dec(&null, &Type::Dynamic);
        assert_eq!(
            typed_null,
            Value::Dynamic(Box::new(Type::String), Box::new(Value::Null))
        );
        assert_eq!(enc(&typed_null, &Type::Dynamic), null);
        let mut unknown = wrapped.clone();
        unknown.extend_from_slice(&REFINED);
        let typed_unknown = dec(&unknown, &Type::Dynamic);
        assert!(typed_unknown.is_unknown());
        assert_eq!(enc(&typed_unknown, &Type::Dynamic), unknown);

        // Bare nil and bare extension are the typeless null and unknown.
        assert_eq!(dec(&[0xc0], &Type::Dynamic), Value::Null);
        assert_eq!(enc(&Value::Null, &Type::Dynamic), [0xc0]);
        assert_eq!(
            enc(
                &Value::unknown_refined(REFINED[3..].to_vec()),
                &Type::Dynamic
            ),
            [0xd4, 0, 0]
        );

        // The type description may also be a str.
        let mut as_str = vec![0x92, 0xa8];
        as_str.extend_from_slice(string_json);
        as_str.extend_from_slice(&[0xa2, b'h', b'i']);
        assert_eq!(dec(&as_str, &Type::Dynamic), typed);

        // Inferred types for plain values at a dynamic position.
        let v = Value::object([
            ("n", Value::from(1)),
            ("l", Value::list([Value::string("a")])),
        ]);
        let bytes = enc(&v, &Type::Dynamic);
        let Value::Dynamic(t, inner) = dec(&bytes, &Type::Dynamic) else {
            panic!("expected a dynamic value")
        };
        assert_eq!(
            *t,
            Type::object([("n", Type::Number), ("l", Type::list(Type::String))])
        );
        assert!(inner.semantically_equal(&v));

        for bad in [
            &[0x91, 0xc0][..],
            &[0x92, 0x01, 0x02],
            &[0x92, 0xc4, 0x01, b'x', 0xc0],
            &[0xa1, b'x'],
        ] {
            assert!(decode_msgpack(bad, &Type::Dynamic).is_err(), "{bad:02x?}");
        }
    }

    #[test]
    fn malformed_input_is_an_error() {
        let list = Type::list(Type::String);
        for (bytes, ty) in [
            (&[][..], &Type::String),
            (&[0xa3, b'a'], &Type::String),
            (&[0xa2, 0xff, 0xfe], &Type::String),
            (&[0x01], &Type::String),
            (&[0xc1], &Type::Bool),
            (&[0xdd, 0xff, 0xff, 0xff, 0xff], &list),
            (&[0xdf, 0xff, 0xff, 0xff, 0xff], &Type::map(Type::String)),
            (&[0xdb, 0xff, 0xff, 0xff, 0xff], &Type::String),
            (&[0xc9, 0xff, 0xff, 0xff, 0xff, 0x0c], &Type::String),
            (&[0x92, 0xa0], &list),
            (&[0x91, 0xa0, 0xa0], &list),
            (&[0x92, 0xa0, 0xa0], &Type::tuple([Type::String])),
            (&[0x81, 0x01, 0xa0], &Type::map(Type::String)),
        ] {
            assert!(decode_msgpack(bytes, ty).is_err(), "{bytes:02x?} as {ty}");
        }
        let mut deep_ty = Type::String;
        for _ in 0..600 {
            deep_ty = Type::list(deep_ty);
        }
        let mut deep = vec![0x91; 600];
        deep.push(0xa0);
        assert!(decode_msgpack(&deep, &deep_ty)
            .unwrap_err()
            .message
            .contains("deeper"));
    }

    #[test]
    fn error_paths() {
        let ty = Type::object([("tags", Type::map(Type::list(Type::Number)))]);
        let wire = [
            0x81, 0xa4, b't', b'a', b'g', b's', 0x81, 0xa1, b'x', 0x93, 0x01, 0x02, 0xc3,
        ];
        let err = decode_msgpack(&wire, &ty).unwrap_err();
        assert_eq!(err.path, r#".tags["x"][2]"#);
        assert_eq!(err.to_string(), r#"number is required (at .tags["x"][2])"#);
        let v = Value::object([(
            "tags",
            Value::map([("x", Value::list([Value::from(1), Value::string("no")]))]),
        )]);
        assert_eq!(
            encode_msgpack(&v, &ty).unwrap_err().path,
            r#".tags["x"][1]"#
        );
    }

    #[test]
    fn sets_collapse_and_encode_canonically() {
        let ty = Type::set(Type::Number);
        let v = dec(
            &[0x94, 0x01, 0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x02, 0x01],
            &ty,
        );
        assert_eq!(v, Value::set([Value::from(1), Value::from(2)]));
        // Unknown elements are never merged.
        let v = dec(&[0x92, 0xd4, 0, 0, 0xd4, 0, 0], &ty);
        assert_eq!(v.as_list().unwrap().len(), 2);
        let a = enc(
            &Value::set([Value::from(3), Value::from(1), Value::from(3)]),
            &ty,
        );
        assert_eq!(a, [0x92, 0x01, 0x03]);
    }

    /// Found by the round-trip proptest: at a dynamic position a map holding only a
    /// string-prefix-refined unknown gets an inferred element type that is not string; the
    /// refinement must be dropped rather than written where the decoder rejects it.
    #[test]
    fn refinement_that_does_not_fit_the_inferred_type_is_dropped() {
        let refinement = vec![0x82, 0x01, 0xc2, 0x02, 0xa1, 0x61];
        let mut m = std::collections::BTreeMap::new();
        m.insert(String::new(), Value::unknown_refined(refinement));
        let v = Value::Map(m);
        let bytes = encode_msgpack(&v, &Type::Dynamic).unwrap();
        let back = decode_msgpack(&bytes, &Type::Dynamic).unwrap();
        assert!(back.semantically_equal(&v), "{back:?}");
        assert_eq!(encode_msgpack(&back, &Type::Dynamic).unwrap(), bytes);
    }
}
