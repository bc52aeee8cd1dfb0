//! Strategies that turn the spec subset into requests: JSON documents generated from
//! request-body schemas, mutations of those documents (and of their bytes), path, query and
//! header variants. Everything here is pure data; `fuzz.rs` resolves fixtures and sends.

use atlas_sandbox::openapi::{Operation, Spec};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::strategy::Union;
use serde_json::{json, Map, Value};

/// Replaced at send time with the sandbox's organization id.
pub const ORG_MARK: &str = "@@ORG";
/// Replaced at send time with the fixture project's id.
pub const GROUP_MARK: &str = "@@GROUP";

/// `$ref`/nesting depth after which generation stops descending.
const MAX_DEPTH: usize = 12;

// ---- schema → JSON ------------------------------------------------------------------------

/// Generates request documents that are valid by schema (types, enums, patterns where the
/// pattern can be generated, bounds, required fields, discriminated subtypes).
pub struct SchemaGen<'a> {
    spec: &'a Spec,
    now: chrono::DateTime<chrono::Utc>,
}

impl<'a> SchemaGen<'a> {
    pub fn new(spec: &'a Spec) -> Self {
        Self {
            spec,
            now: chrono::Utc::now(),
        }
    }

    pub fn value(&self, schema: &Value) -> BoxedStrategy<Value> {
        self.gen(schema, "", &mut Vec::new(), 0, false)
    }

    fn gen(
        &self,
        schema: &Value,
        hint: &str,
        stack: &mut Vec<String>,
        depth: usize,
        skip_alternatives: bool,
    ) -> BoxedStrategy<Value> {
        if depth > MAX_DEPTH {
            return Just(json!({})).boxed();
        }
        let Some(obj) = schema.as_object() else {
            return scalar().boxed();
        };
        if let Some(reference) = obj.get("$ref").and_then(Value::as_str) {
            let Ok(target) = self.spec.resolve_ref(reference) else {
                return Just(Value::Null).boxed();
            };
            let seen = stack.iter().filter(|r| *r == reference).count();
            if seen >= 2 {
                return Just(json!({})).boxed();
            }
            stack.push(reference.to_string());
            // A subtype's `allOf` back-reference to its base: only the base's own keywords.
            let strategy = if seen == 1 {
                self.gen(target, hint, stack, depth + 1, true)
            } else if target.get("discriminator").is_some() {
                self.discriminated(target, hint, stack, depth + 1)
            } else {
                self.gen(target, hint, stack, depth + 1, false)
            };
            stack.pop();
            return strategy;
        }
        if let Some(options) = obj.get("enum").and_then(Value::as_array) {
            if !options.is_empty() {
                return select(options.clone()).boxed();
            }
        }
        let mut parts: Vec<BoxedStrategy<Value>> = Vec::new();
        let alternatives = ["oneOf", "anyOf"]
            .iter()
            .filter_map(|k| obj.get(*k).and_then(Value::as_array))
            .next()
            .filter(|_| !skip_alternatives);
        if let Some(alts) = alternatives {
            let options: Vec<BoxedStrategy<Value>> = alts
                .iter()
                .map(|a| self.gen(a, hint, stack, depth + 1, false))
                .collect();
            if !options.is_empty() {
                let union = Union::new(options).boxed();
                // `type: object` around a oneOf of strings (e.g. regionName): the alternative
                // decides.
                if !obj.contains_key("properties") && !obj.contains_key("allOf") {
                    return union;
                }
                parts.push(union);
            }
        }
        if let Some(all) = obj.get("allOf").and_then(Value::as_array) {
            for sub in all {
                parts.push(self.gen(sub, hint, stack, depth + 1, false));
            }
        }
        let ty = obj.get("type").and_then(Value::as_str).unwrap_or("");
        let own = match ty {
            "object" => Some(self.object(obj, stack, depth)),
            "array" => Some(self.array(obj, hint, stack, depth)),
            "string" => Some(self.string(obj, hint)),
            "integer" => Some(integer(obj, hint)),
            "number" => Some(number(obj, hint)),
            "boolean" => Some(any::<bool>().prop_map(Value::Bool).boxed()),
            _ if obj.contains_key("properties") => Some(self.object(obj, stack, depth)),
            _ => None,
        };
        if let Some(own) = own {
            parts.insert(0, own);
        }
        match parts.len() {
            0 => scalar().boxed(),
            1 => parts.remove(0),
            _ => parts.prop_map(merge_all).boxed(),
        }
    }

    fn discriminated(
        &self,
        base: &Value,
        hint: &str,
        stack: &mut Vec<String>,
        depth: usize,
    ) -> BoxedStrategy<Value> {
        let prop = base
            .pointer("/discriminator/propertyName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let Some(mapping) = base
            .pointer("/discriminator/mapping")
            .and_then(Value::as_object)
        else {
            return self.gen(base, hint, stack, depth, false);
        };
        let options: Vec<BoxedStrategy<Value>> = mapping
            .iter()
            .filter_map(|(tag, target)| Some((tag.clone(), target.as_str()?.to_string())))
            .map(|(tag, target)| {
                let prop = prop.clone();
                self.gen(&json!({"$ref": target}), hint, stack, depth, false)
                    .prop_map(move |mut v| {
                        if let Some(o) = v.as_object_mut() {
                            o.insert(prop.clone(), Value::String(tag.clone()));
                        }
                        v
                    })
                    .boxed()
            })
            .collect();
        if options.is_empty() {
            return self.gen(base, hint, stack, depth, false);
        }
        Union::new(options).boxed()
    }

    fn object(
        &self,
        obj: &Map<String, Value>,
        stack: &mut Vec<String>,
        depth: usize,
    ) -> BoxedStrategy<Value> {
        let required: Vec<&str> = obj
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut fields: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
        if let Some(props) = obj.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                let resolved = match prop.get("$ref").and_then(Value::as_str) {
                    Some(r) => self.spec.resolve_ref(r).unwrap_or(prop),
                    None => prop,
                };
                if resolved.get("readOnly").and_then(Value::as_bool) == Some(true) {
                    continue;
                }
                let is_required = required.contains(&name.as_str());
                let name = name.clone();
                let value = self
                    .gen(prop, &name, stack, depth + 1, false)
                    .prop_map(move |v| Some((name.clone(), v)));
                if is_required {
                    fields.push(value.boxed());
                } else {
                    fields.push(prop_oneof![1 => Just(None), 1 => value].boxed());
                }
            }
        }
        if let Some(extra @ Value::Object(_)) = obj.get("additionalProperties") {
            let value = self.gen(extra, "", stack, depth + 1, false);
            fields.push(
                proptest::option::of(("[a-z]{1,8}", value))
                    .prop_map(|o| o.map(|(k, v)| (format!("x-{k}"), v)))
                    .boxed(),
            );
        }
        fields
            .prop_map(|fields| Value::Object(fields.into_iter().flatten().collect()))
            .boxed()
    }

    fn array(
        &self,
        obj: &Map<String, Value>,
        hint: &str,
        stack: &mut Vec<String>,
        depth: usize,
    ) -> BoxedStrategy<Value> {
        let min = obj.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = obj
            .get("maxItems")
            .and_then(Value::as_u64)
            .map_or(min + 2, |m| (m as usize).min(min + 2));
        let item = obj.get("items").cloned().unwrap_or(json!({}));
        let item = self.gen(&item, hint, stack, depth + 1, false);
        proptest::collection::vec(item, min..=max.max(min))
            .prop_map(Value::Array)
            .boxed()
    }

    fn string(&self, obj: &Map<String, Value>, hint: &str) -> BoxedStrategy<Value> {
        if let Some(s) = by_hint(hint, self.now) {
            return s;
        }
        if obj.get("format").and_then(Value::as_str) == Some("date-time") {
            return date_time(self.now);
        }
        if let Some(pattern) = obj.get("pattern").and_then(Value::as_str) {
            let trimmed = pattern.trim_start_matches('^').trim_end_matches('$');
            if let Ok(s) = proptest::string::string_regex(trimmed) {
                return s.prop_map(Value::String).boxed();
            }
        }
        let min = obj.get("minLength").and_then(Value::as_u64).unwrap_or(1);
        let max = obj
            .get("maxLength")
            .and_then(Value::as_u64)
            .unwrap_or(24)
            .min(min + 24);
        text(min as usize, max as usize)
    }
}

fn merge_all(parts: Vec<Value>) -> Value {
    let mut out: Option<Value> = None;
    for part in parts {
        out = Some(match (out, part) {
            (Some(Value::Object(mut a)), Value::Object(b)) => {
                a.extend(b);
                Value::Object(a)
            }
            (Some(Value::Object(a)), _) => Value::Object(a),
            (_, p) => p,
        });
    }
    out.unwrap_or(Value::Null)
}

fn text(min: usize, max: usize) -> BoxedStrategy<Value> {
    let re = format!("[a-zA-Z0-9 _.-]{{{min},{}}}", max.max(min));
    match proptest::string::string_regex(&re) {
        Ok(s) => s.prop_map(Value::String).boxed(),
        Err(_) => Just(Value::String("x".repeat(min))).boxed(),
    }
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| json!(n)),
        "[a-z]{0,8}".prop_map(Value::String),
    ]
}

fn hex24() -> BoxedStrategy<String> {
    "[a-f0-9]{24}".boxed()
}

fn ipv4() -> impl Strategy<Value = String> {
    any::<[u8; 4]>().prop_map(|b| format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3]))
}

fn cidr4() -> impl Strategy<Value = String> {
    (any::<u32>(), 8u32..=32).prop_map(|(addr, prefix)| {
        let mask = if prefix == 0 {
            0
        } else {
            u32::MAX << (32 - prefix)
        };
        let a = (addr & mask).to_be_bytes();
        format!("{}.{}.{}.{}/{prefix}", a[0], a[1], a[2], a[3])
    })
}

fn date_time(now: chrono::DateTime<chrono::Utc>) -> BoxedStrategy<Value> {
    prop_oneof![
        3 => (1i64..160).prop_map(move |h| now + chrono::Duration::hours(h)),
        1 => (1i64..10_000).prop_map(move |h| now - chrono::Duration::hours(h)),
        1 => (200i64..100_000).prop_map(move |h| now + chrono::Duration::hours(h)),
    ]
    .prop_map(|t| Value::String(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()))
    .boxed()
}

/// Semantically plausible values for well-known property names (valid by schema too).
fn by_hint(hint: &str, now: chrono::DateTime<chrono::Utc>) -> Option<BoxedStrategy<Value>> {
    let s = match hint {
        "orgId" => prop_oneof![3 => Just(ORG_MARK.to_string()), 1 => hex24()].boxed(),
        "groupId" => prop_oneof![3 => Just(GROUP_MARK.to_string()), 1 => hex24()].boxed(),
        "ipAddress" => prop_oneof![
            4 => ipv4(),
            1 => any::<[u16; 8]>().prop_map(|w| w
                .iter()
                .map(|x| format!("{x:x}"))
                .collect::<Vec<_>>()
                .join(":")),
        ]
        .boxed(),
        "cidrBlock" => cidr4().boxed(),
        "password" => prop_oneof![4 => "Pw-[A-Za-z0-9]{10,16}", 1 => "[a-z]{1,7}"].boxed(),
        "username" => "[a-z][a-z0-9]{2,12}".boxed(),
        "deleteAfterDate" => return Some(date_time(now)),
        "mongoDBMajorVersion" => select(vec!["6.0", "7.0", "8.0", "5.0", "9.9"])
            .prop_map(str::to_string)
            .boxed(),
        "name" => "[a-z][a-z0-9-]{0,20}[a-z0-9]".boxed(),
        _ => return None,
    };
    Some(s.prop_map(Value::String).boxed())
}

fn integer(obj: &Map<String, Value>, hint: &str) -> BoxedStrategy<Value> {
    match hint {
        "nodeCount" => return select(vec![0, 3, 5, 7, 1]).prop_map(|n| json!(n)).boxed(),
        "priority" => return select(vec![7, 6, 5, 0]).prop_map(|n| json!(n)).boxed(),
        _ => {}
    }
    let min = obj.get("minimum").and_then(Value::as_i64).unwrap_or(0);
    let max = obj
        .get("maximum")
        .and_then(Value::as_i64)
        .unwrap_or(min.saturating_add(1000));
    (min..=max.max(min)).prop_map(|n| json!(n)).boxed()
}

fn number(obj: &Map<String, Value>, hint: &str) -> BoxedStrategy<Value> {
    if hint == "diskSizeGB" {
        return select(vec![10.0, 20.0, 40.0, 80.0, 100.5])
            .prop_map(|n| json!(n))
            .boxed();
    }
    let min = obj.get("minimum").and_then(Value::as_f64).unwrap_or(0.0);
    let max = obj
        .get("maximum")
        .and_then(Value::as_f64)
        .unwrap_or(min + 1000.0);
    (min..=max.max(min)).prop_map(|n| json!(n)).boxed()
}

// ---- mutations ----------------------------------------------------------------------------

/// How a (valid) body is broken before it is sent.
#[derive(Debug, Clone)]
pub enum Mutation {
    None,
    /// Replace a node with a value of another type.
    WrongType(Index, u8),
    /// Remove a key of an object node (often a required one).
    DropKey(Index, Index),
    /// Add an undeclared field to an object node.
    ExtraField(Index, String, Value),
    Null(Index),
    /// Replace a node with an extreme number.
    OutOfRange(Index, u8),
    /// Replace a node with a long string of this many characters.
    HugeString(Index, usize),
    /// Wrap a node in this many arrays/objects.
    DeepNest(Index, usize, bool),
    /// Cut the serialized document.
    Truncate(Index),
    /// Insert bytes that are not UTF-8 right after a quote.
    InvalidUtf8(Index, u8),
    /// Send these bytes instead of the document.
    Raw(Vec<u8>),
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    let idx = any::<Index>;
    prop_oneof![
        14 => Just(Mutation::None),
        3 => (idx(), any::<u8>()).prop_map(|(i, k)| Mutation::WrongType(i, k)),
        3 => (idx(), idx()).prop_map(|(i, k)| Mutation::DropKey(i, k)),
        2 => (idx(), "[a-zA-Z$._]{1,12}", scalar()).prop_map(|(i, k, v)| Mutation::ExtraField(i, k, v)),
        2 => idx().prop_map(Mutation::Null),
        2 => (idx(), any::<u8>()).prop_map(|(i, k)| Mutation::OutOfRange(i, k)),
        1 => (idx(), select(vec![65usize, 101, 256, 4_097, 70_000, 2_200_000]))
            .prop_map(|(i, n)| Mutation::HugeString(i, n)),
        1 => (idx(), select(vec![20usize, 127, 129, 300, 50_000]), any::<bool>())
            .prop_map(|(i, n, a)| Mutation::DeepNest(i, n, a)),
        2 => idx().prop_map(Mutation::Truncate),
        2 => (idx(), any::<u8>()).prop_map(|(i, k)| Mutation::InvalidUtf8(i, k)),
        2 => prop_oneof![
            Just(b"".to_vec()),
            Just(b"   ".to_vec()),
            Just(b"null".to_vec()),
            Just(b"[]".to_vec()),
            Just(b"{}".to_vec()),
            Just(b"[{}]".to_vec()),
            Just(b"\"text\"".to_vec()),
            Just(b"42".to_vec()),
            Just(b"{\"a\":1}{".to_vec()),
            Just(b"{\"name\":\"\\ud800\"}".to_vec()),
            Just(b"{\"a\":1e999}".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..64),
        ]
        .prop_map(Mutation::Raw),
    ]
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn pointers(v: &Value, at: &str, out: &mut Vec<String>) {
    out.push(at.to_string());
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                pointers(child, &format!("{at}/{}", escape_pointer(k)), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn replace_at(doc: &mut Value, pointer: &str, with: Value) {
    if let Some(slot) = doc.pointer_mut(pointer) {
        *slot = with;
    }
}

/// Apply a mutation to a document; returns the bytes to send.
pub fn apply(doc: &Value, mutation: &Mutation) -> Vec<u8> {
    let mut doc = doc.clone();
    let mut all = Vec::new();
    pointers(&doc, "", &mut all);
    let pick = |i: &Index, list: &[String]| -> String {
        if list.is_empty() {
            String::new()
        } else {
            list[i.index(list.len())].clone()
        }
    };
    match mutation {
        Mutation::None => {}
        Mutation::WrongType(i, k) => {
            let p = pick(i, &all);
            let current = doc.pointer(&p).cloned().unwrap_or(Value::Null);
            let candidates = [
                json!(true),
                json!(42),
                json!(-1.5),
                json!("str"),
                json!([]),
                json!({}),
                json!([1, "a"]),
                json!({"k": "v"}),
            ];
            let others: Vec<&Value> = candidates
                .iter()
                .filter(|c| std::mem::discriminant(*c) != std::mem::discriminant(&current))
                .collect();
            let with = others[usize::from(*k) % others.len()].clone();
            replace_at(&mut doc, &p, with);
        }
        Mutation::DropKey(i, k) => {
            let objects: Vec<String> = all
                .iter()
                .filter(|p| {
                    doc.pointer(p)
                        .is_some_and(|v| v.as_object().is_some_and(|o| !o.is_empty()))
                })
                .cloned()
                .collect();
            let p = pick(i, &objects);
            if let Some(o) = doc.pointer_mut(&p).and_then(Value::as_object_mut) {
                let keys: Vec<String> = o.keys().cloned().collect();
                if !keys.is_empty() {
                    o.remove(&keys[k.index(keys.len())]);
                }
            }
        }
        Mutation::ExtraField(i, key, value) => {
            let objects: Vec<String> = all
                .iter()
                .filter(|p| doc.pointer(p).is_some_and(Value::is_object))
                .cloned()
                .collect();
            let p = pick(i, &objects);
            if let Some(o) = doc.pointer_mut(&p).and_then(Value::as_object_mut) {
                o.insert(key.clone(), value.clone());
            }
        }
        Mutation::Null(i) => {
            let p = pick(i, &all);
            replace_at(&mut doc, &p, Value::Null);
        }
        Mutation::OutOfRange(i, k) => {
            let numbers: Vec<String> = all
                .iter()
                .filter(|p| doc.pointer(p).is_some_and(Value::is_number))
                .cloned()
                .collect();
            let list = if numbers.is_empty() { &all } else { &numbers };
            let p = pick(i, list);
            let extremes = [
                json!(-1),
                json!(0),
                json!(i64::MAX),
                json!(i64::MIN),
                json!(u64::MAX),
                json!(-1e300),
                json!(1e300),
                json!(0.5),
                json!(2_147_483_648_i64),
                json!(-0.0),
            ];
            replace_at(
                &mut doc,
                &p,
                extremes[usize::from(*k) % extremes.len()].clone(),
            );
        }
        Mutation::HugeString(i, n) => {
            let p = pick(i, &all);
            replace_at(
                &mut doc,
                &p,
                Value::String("é".repeat(*n / 2) + &"a".repeat(*n - *n / 2)),
            );
        }
        Mutation::DeepNest(i, n, arrays) => {
            // Built as text: serde_json's Value would refuse to hold it.
            let p = pick(i, &all);
            let marker = "\u{1}NEST\u{1}";
            replace_at(&mut doc, &p, Value::String(marker.to_string()));
            let text = doc.to_string();
            let (open, close) = if *arrays {
                ("[", "]")
            } else {
                ("{\"a\":", "}")
            };
            let nested = format!("{}1{}", open.repeat(*n), close.repeat(*n));
            let quoted = serde_json::to_string(marker).unwrap_or_default();
            return text.replacen(&quoted, &nested, 1).into_bytes();
        }
        Mutation::Truncate(i) => {
            let bytes = doc.to_string().into_bytes();
            let cut = i.index(bytes.len().max(1));
            return bytes[..cut].to_vec();
        }
        Mutation::InvalidUtf8(i, k) => {
            let mut bytes = doc.to_string().into_bytes();
            let quotes: Vec<usize> = bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'"')
                .map(|(n, _)| n + 1)
                .collect();
            let at = if quotes.is_empty() {
                0
            } else {
                quotes[i.index(quotes.len())]
            };
            let bad: &[u8] = match k % 4 {
                0 => &[0xff],
                1 => &[0xc3],
                2 => &[0xed, 0xa0, 0x80],
                _ => &[0xfe, 0xfe, 0x00],
            };
            bytes.splice(at..at, bad.iter().copied());
            return bytes;
        }
        Mutation::Raw(bytes) => return bytes.clone(),
    }
    doc.to_string().into_bytes()
}

/// Whether bytes are a syntactically valid JSON document.
pub fn is_json(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
}

// ---- path, query, headers -----------------------------------------------------------------

/// One path parameter.
#[derive(Debug, Clone)]
pub enum PathArg {
    /// The matching fixture (an object that exists).
    Fixture,
    /// Well-shaped text, percent-encoded as one segment.
    Text(String),
    /// Text with raw (possibly invalid) percent sequences, sent as is.
    RawPercent(String),
    /// `n` characters.
    Overlong(usize),
}

pub fn path_arg(name: &str) -> impl Strategy<Value = PathArg> {
    let shaped: BoxedStrategy<String> = match name {
        "groupId" | "orgId" => hex24(),
        "clusterName" => "[a-zA-Z0-9][a-zA-Z0-9-]{0,30}".boxed(),
        "databaseName" => select(vec!["admin", "$external", "test", "ADMIN", "$"])
            .prop_map(str::to_string)
            .boxed(),
        "entryValue" => prop_oneof![ipv4(), cidr4(), Just("sg-123".to_string())].boxed(),
        _ => "[a-zA-Z0-9_.-]{1,20}".boxed(),
    };
    prop_oneof![
        8 => Just(PathArg::Fixture),
        3 => shaped.prop_map(PathArg::Text),
        2 => "\\PC{0,24}".prop_map(PathArg::Text),
        1 => Just(PathArg::Text(String::new())),
        2 => select(vec![
            "%zz", "%", "%2", "%2F", "%2f..%2F", "%00", "%ff%fe", "%c3%28", "a%20b", "%24external",
            "..", ".", "%2e%2e", "a;b", "x:y", "%F0%9F%98%80", "10.0.0.0%2F24", "10.0.0.0%2F33",
            "::1", "%5B%5D", "a+b", "~",
        ])
        .prop_map(|s| PathArg::RawPercent(s.to_string())),
        1 => select(vec![65usize, 101, 256, 1_025, 8_000]).prop_map(PathArg::Overlong),
    ]
}

/// Percent-encode everything except RFC 3986 unreserved characters.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One query parameter: its name, value, and whether the value is valid for the spec.
#[derive(Debug, Clone)]
pub struct QueryArg {
    pub name: String,
    pub value: String,
    /// `Some(false)`: a value the spec's schema forbids for a parameter the operation takes.
    pub valid: Option<bool>,
}

fn query_value(schema: &Value) -> BoxedStrategy<(String, bool)> {
    let ty = schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("string");
    match ty {
        "boolean" => prop_oneof![
            3 => select(vec!["true", "false"]).prop_map(|v| (v.to_string(), true)),
            1 => select(vec!["yes", "1", "", "tru", "null", "TRUE "]).prop_map(|v| (v.to_string(), false)),
        ]
        .boxed(),
        "integer" => {
            let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(0);
            let max = schema.get("maximum").and_then(Value::as_i64);
            let valid_max = max.unwrap_or(i64::MAX).min(min + 10).max(min);
            let mut invalid = vec![
                (min - 1).to_string(),
                "-1".to_string(),
                "abc".to_string(),
                String::new(),
                "1.5".to_string(),
                "99999999999999999999999".to_string(),
                " 1".to_string(),
                "0x10".to_string(),
            ];
            invalid.extend(max.map(|m| (m + 1).to_string()));
            let edge = max.unwrap_or(min + 1_000).to_string();
            prop_oneof![
                3 => (min..=valid_max).prop_map(|n| (n.to_string(), true)),
                1 => Just((edge, true)),
                2 => select(invalid).prop_map(|v| (v, false)),
            ]
            .boxed()
        }
        _ => {
            if schema.get("pattern").is_some() {
                prop_oneof![
                    2 => hex24().prop_map(|v| (v, true)),
                    1 => "\\PC{0,12}".prop_map(|v| (v, false)),
                ]
                .boxed()
            } else {
                "\\PC{0,16}".prop_map(|v| (v, true)).boxed()
            }
        }
    }
}

/// Query parameters of an operation: each declared one maybe (valid or not), plus unknown ones.
pub fn query(
    params: Vec<(String, Value)>,
) -> impl Strategy<Value = (Vec<QueryArg>, Option<String>)> {
    let declared: Vec<BoxedStrategy<Option<QueryArg>>> = params
        .into_iter()
        .map(|(name, schema)| {
            let n = name.clone();
            proptest::option::weighted(
                0.3,
                query_value(&schema).prop_map(move |(value, valid)| QueryArg {
                    name: n.clone(),
                    value,
                    valid: Some(valid),
                }),
            )
            .boxed()
        })
        .collect();
    let unknown = proptest::collection::vec(
        ("[a-zA-Z_]{1,10}", "\\PC{0,10}").prop_map(|(name, value)| QueryArg {
            name,
            value,
            valid: None,
        }),
        0..2,
    );
    let raw = prop_oneof![
        12 => Just(None),
        1 => select(vec!["%zz=1", "&&=&", "pageNum", "=x", "pageNum=1&pageNum=0", "a=%ff%fe", "%00=%00"])
            .prop_map(|s| Some(s.to_string())),
    ];
    (declared, unknown, raw).prop_map(|(declared, unknown, raw)| {
        let mut all: Vec<QueryArg> = declared.into_iter().flatten().collect();
        all.extend(unknown);
        (all, raw)
    })
}

/// The `Accept` header.
#[derive(Debug, Clone)]
pub enum AcceptPlan {
    /// `application/vnd.atlas.<v>+json` for the operation's i-th version.
    Version(Index),
    Other(String),
    Missing,
    /// A list whose later range names a valid version.
    List(Index),
}

pub fn accept() -> impl Strategy<Value = AcceptPlan> {
    prop_oneof![
        14 => any::<Index>().prop_map(AcceptPlan::Version),
        2 => any::<Index>().prop_map(AcceptPlan::List),
        1 => Just(AcceptPlan::Missing),
        3 => select(vec![
            "application/vnd.atlas.2022-01-01+json",
            "application/vnd.atlas.2025-03-12+json",
            "application/vnd.atlas.2099-12-31+json",
            "application/vnd.atlas.preview+json",
            "application/vnd.atlas.2023-13-45+json",
            "application/vnd.atlas.2023-01-01",
            "application/json",
            "*/*",
            "",
            "text/html;q=0.1",
            "application/vnd.atlas.+json",
            ";;;,,,",
        ])
        .prop_map(|s| AcceptPlan::Other(s.to_string())),
    ]
}

pub fn content_type() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        6 => Just(Some("@@VERSION".to_string())),
        2 => Just(Some("application/json".to_string())),
        1 => Just(None),
        1 => Just(Some("text/plain".to_string())),
        1 => Just(Some("application/x-www-form-urlencoded".to_string())),
    ]
}

// ---- routing ----------------------------------------------------------------------------

/// The spec operation a concrete path serves, as the sandbox routes it (literal segments win).
pub fn served_operation<'s>(spec: &'s Spec, method: &str, path: &str) -> Option<&'s Operation> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut best: Option<(usize, &Operation)> = None;
    for op in spec.operations() {
        if op.method.as_str() != method {
            continue;
        }
        let tpl: Vec<&str> = op.path.trim_start_matches('/').split('/').collect();
        if tpl.len() != parts.len() {
            continue;
        }
        let mut score = 0;
        let mut ok = true;
        for (t, p) in tpl.iter().zip(&parts) {
            match (t.find('{'), t.find('}')) {
                (Some(open), Some(close)) if open < close => {
                    let (prefix, suffix) = (&t[..open], &t[close + 1..]);
                    if !(p.len() > prefix.len() + suffix.len()
                        && p.starts_with(prefix)
                        && p.ends_with(suffix))
                    {
                        ok = false;
                        break;
                    }
                    if !prefix.is_empty() || !suffix.is_empty() {
                        score += 1;
                    }
                }
                _ if t == p => score += 1,
                _ => {
                    ok = false;
                    break;
                }
            }
        }
        if ok && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, op));
        }
    }
    best.map(|(_, op)| op)
}
