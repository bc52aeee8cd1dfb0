//! The OpenAPI subset (`spec/atlas-admin-v2-subset.json`) as data: the operation table the
//! version negotiation is built from, and a small JSON-schema validator used by tests to check
//! that the sandbox answers what the contract says.
//!
//! The validator covers the OpenAPI 3.0 keywords the subset uses: `$ref`, `type`, `nullable`,
//! `properties`, `required`, `additionalProperties`, `items`, `enum`, `pattern`, `format:
//! date-time`, length/size/range bounds, `allOf`/`oneOf`/`anyOf` (with `discriminator`),
//! `readOnly`/`writeOnly`. In strict mode it also reports properties no schema declares, so a
//! typo in a sandbox field name is caught.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, OnceLock};

use regex::Regex;
use serde_json::{Map, Value};

/// The spec file, embedded so the sandbox needs no files at run time.
pub const EMBEDDED_SPEC: &str = include_str!("../../spec/atlas-admin-v2-subset.json");

/// The path prefix of every v2 operation.
pub const API_PREFIX: &str = "/api/atlas/v2";

/// Success codes the real API answers that differ from the spec (reference §4):
/// `(operationId, observed status, status declared in the spec)`.
pub const OBSERVED_STATUS_DEVIATIONS: &[(&str, u16, u16)] = &[
    ("createGroup", 201, 200),
    ("deleteGroup", 202, 204),
    ("createGroupAccessListEntry", 201, 200),
];

/// One dated (or `preview`) media type an operation accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaVersion {
    /// `YYYY-MM-DD` or `preview`.
    pub version: String,
    /// `x-sunset`, when the version is deprecated.
    pub sunset: Option<chrono::NaiveDate>,
}

/// One operation of the spec.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: http::Method,
    /// Full path template, e.g. `/api/atlas/v2/groups/{groupId}`.
    pub path: String,
    pub operation_id: String,
    /// Sorted oldest first; `preview` sorts last.
    pub versions: Vec<MediaVersion>,
}

/// A schema problem found by the validator: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Which side of the wire a document is on: decides how readOnly/writeOnly apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Request,
    Response,
}

#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("the spec is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the spec has no `paths` object")]
    NoPaths,
    #[error("unknown operation {0}")]
    UnknownOperation(String),
    #[error("operation {operation_id} declares no response {status}")]
    UnknownResponse { operation_id: String, status: u16 },
    #[error("unresolvable reference {0}")]
    BadRef(String),
}

/// Organization and project names as Atlas accepts them: the spec's pattern plus the space.
pub const ATLAS_NAME_PATTERN: &str = r"^[\p{L}\p{N}\-_.(),:&@+' ]{1,64}$";

/// Where the live Atlas API accepts more than the spec's `pattern` says, the pattern the
/// sandbox (and the spec checks of its tests) use instead: `(spec pattern, Atlas pattern)`.
/// Each one is listed in COVERAGE.md ("Deviations from the spec").
pub const ATLAS_PATTERNS: &[(&str, &str)] =
    &[(r"^[\p{L}\p{N}\-_.(),:&@+']{1,64}$", ATLAS_NAME_PATTERN)];

/// The loaded spec.
pub struct Spec {
    doc: Value,
    operations: Vec<Operation>,
    regexes: Mutex<HashMap<String, Option<Regex>>>,
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec")
            .field("operations", &self.operations.len())
            .finish()
    }
}

const METHODS: &[(&str, http::Method)] = &[
    ("get", http::Method::GET),
    ("post", http::Method::POST),
    ("put", http::Method::PUT),
    ("patch", http::Method::PATCH),
    ("delete", http::Method::DELETE),
];

/// The embedded spec, parsed once per process.
pub fn embedded() -> Result<&'static Spec, String> {
    static CELL: OnceLock<Result<Spec, String>> = OnceLock::new();
    CELL.get_or_init(|| Spec::parse(EMBEDDED_SPEC).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

/// `application/vnd.atlas.2023-01-01+json` → `2023-01-01` (also `preview`).
pub fn media_type_version(media_type: &str) -> Option<&str> {
    let rest = media_type.strip_prefix("application/vnd.atlas.")?;
    let version = rest.strip_suffix("+json")?;
    let is_date =
        version.len() == 10 && chrono::NaiveDate::parse_from_str(version, "%Y-%m-%d").is_ok();
    (is_date || version == "preview").then_some(version)
}

impl Spec {
    pub fn parse(text: &str) -> Result<Self, SpecError> {
        let doc: Value = serde_json::from_str(text)?;
        let paths = doc
            .get("paths")
            .and_then(Value::as_object)
            .ok_or(SpecError::NoPaths)?;
        let mut operations = Vec::new();
        for (path, item) in paths {
            for (name, method) in METHODS {
                let Some(op) = item.get(*name) else { continue };
                let operation_id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                operations.push(Operation {
                    method: method.clone(),
                    path: path.clone(),
                    operation_id,
                    versions: collect_versions(op),
                });
            }
        }
        Ok(Self {
            doc,
            operations,
            regexes: Mutex::new(HashMap::new()),
        })
    }

    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    pub fn operation(&self, operation_id: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|o| o.operation_id == operation_id)
    }

    pub fn document(&self) -> &Value {
        &self.doc
    }

    fn operation_doc(&self, op: &Operation) -> Option<&Value> {
        self.doc
            .get("paths")?
            .get(&op.path)?
            .get(op.method.as_str().to_ascii_lowercase())
    }

    /// Resolve a local `#/components/...` reference.
    pub fn resolve_ref(&self, reference: &str) -> Result<&Value, SpecError> {
        let pointer = reference
            .strip_prefix('#')
            .ok_or_else(|| SpecError::BadRef(reference.to_string()))?;
        self.doc
            .pointer(pointer)
            .ok_or_else(|| SpecError::BadRef(reference.to_string()))
    }

    fn deref<'a>(&'a self, mut v: &'a Value) -> Result<&'a Value, SpecError> {
        for _ in 0..16 {
            match v.get("$ref").and_then(Value::as_str) {
                Some(r) => v = self.resolve_ref(r)?,
                None => return Ok(v),
            }
        }
        Err(SpecError::BadRef("reference chain too long".into()))
    }

    /// The schema of an operation's response for `status` and `media_type`; `Ok(None)` when the
    /// response declares no body schema. Observed status deviations are mapped to the spec's.
    pub fn response_schema(
        &self,
        operation_id: &str,
        status: u16,
        media_type: &str,
    ) -> Result<Option<&Value>, SpecError> {
        let op = self
            .operation(operation_id)
            .ok_or_else(|| SpecError::UnknownOperation(operation_id.to_string()))?;
        let status = OBSERVED_STATUS_DEVIATIONS
            .iter()
            .find(|(id, observed, _)| *id == operation_id && *observed == status)
            .map_or(status, |(_, _, declared)| *declared);
        let unknown = || SpecError::UnknownResponse {
            operation_id: operation_id.to_string(),
            status,
        };
        let doc = self.operation_doc(op).ok_or_else(unknown)?;
        let responses = doc.get("responses").ok_or_else(unknown)?;
        let response = responses
            .get(status.to_string())
            .or_else(|| responses.get("default"))
            .ok_or_else(unknown)?;
        let response = self.deref(response)?;
        let Some(content) = response.get("content").and_then(Value::as_object) else {
            return Ok(None);
        };
        let entry = content
            .get(media_type)
            .or_else(|| content.get("application/json"))
            .or_else(|| content.values().next());
        Ok(entry.and_then(|e| e.get("schema")))
    }

    /// Validate a response body of `operation_id` against the spec. `media_type` is the
    /// response's Content-Type without parameters. A response with no schema must be empty or
    /// `{}` (Atlas answers `{}` for some 202s whose spec says 204).
    pub fn validate_response(
        &self,
        operation_id: &str,
        status: u16,
        media_type: &str,
        body: &Value,
    ) -> Result<(), Vec<Violation>> {
        if (400..600).contains(&status) {
            return self.validate_error(body);
        }
        let schema = self
            .response_schema(operation_id, status, media_type)
            .map_err(|e| {
                vec![Violation {
                    path: "$".into(),
                    message: e.to_string(),
                }]
            })?;
        match schema {
            Some(schema) => self.validate(schema, body, Direction::Response, true),
            None if body.is_null() || body.as_object().is_some_and(Map::is_empty) => Ok(()),
            None => Err(vec![Violation {
                path: "$".into(),
                message: format!("no body expected, got {body}"),
            }]),
        }
    }

    /// Validate an error envelope against `ApiError`. `parameters` items are declared as
    /// objects but the real API sends strings and numbers (observed), so they are only checked
    /// to be scalars.
    pub fn validate_error(&self, body: &Value) -> Result<(), Vec<Violation>> {
        let mut copy = body.clone();
        let mut violations = Vec::new();
        if let Some(params) = copy.as_object_mut().and_then(|o| o.remove("parameters")) {
            match params.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if item.is_object() || item.is_array() {
                            violations.push(Violation {
                                path: format!("$.parameters[{i}]"),
                                message: "expected a scalar".into(),
                            });
                        }
                    }
                }
                None => violations.push(Violation {
                    path: "$.parameters".into(),
                    message: "expected an array".into(),
                }),
            }
        }
        let schema = serde_json::json!({"$ref": "#/components/schemas/ApiError"});
        if let Err(mut v) = self.validate(&schema, &copy, Direction::Response, true) {
            violations.append(&mut v);
        }
        if violations.is_empty() {
            Ok(())
        } else {
            Err(violations)
        }
    }

    /// Validate `value` against `schema` (which may be a `$ref`).
    pub fn validate(
        &self,
        schema: &Value,
        value: &Value,
        direction: Direction,
        strict: bool,
    ) -> Result<(), Vec<Violation>> {
        let mut cx = Cx {
            spec: self,
            direction,
            strict,
            out: Vec::new(),
            dispatching: Vec::new(),
        };
        cx.check_instance(schema, value, "$", 0);
        if cx.out.is_empty() {
            Ok(())
        } else {
            Err(cx.out)
        }
    }

    /// Validate against a named component schema.
    pub fn validate_named(
        &self,
        schema_name: &str,
        value: &Value,
        direction: Direction,
    ) -> Result<(), Vec<Violation>> {
        let schema = serde_json::json!({"$ref": format!("#/components/schemas/{schema_name}")});
        self.validate(&schema, value, direction, true)
    }

    fn regex(&self, pattern: &str) -> Option<Regex> {
        let mut cache = self
            .regexes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let atlas = ATLAS_PATTERNS
            .iter()
            .find(|(spec, _)| *spec == pattern)
            .map_or(pattern, |(_, atlas)| atlas);
        cache
            .entry(pattern.to_string())
            // Patterns Rust's engine cannot compile (Java-only syntax) are skipped, not failed.
            .or_insert_with(|| Regex::new(atlas).ok())
            .clone()
    }
}

fn collect_versions(op: &Value) -> Vec<MediaVersion> {
    let mut found: Vec<MediaVersion> = Vec::new();
    let mut add = |content: Option<&Value>| {
        let Some(content) = content.and_then(Value::as_object) else {
            return;
        };
        for (media_type, entry) in content {
            let Some(version) = media_type_version(media_type) else {
                continue;
            };
            let sunset = entry
                .get("x-sunset")
                .and_then(Value::as_str)
                .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
            if let Some(existing) = found.iter_mut().find(|v| v.version == version) {
                existing.sunset = existing.sunset.or(sunset);
            } else {
                found.push(MediaVersion {
                    version: version.to_string(),
                    sunset,
                });
            }
        }
    };
    if let Some(responses) = op.get("responses").and_then(Value::as_object) {
        for response in responses.values() {
            add(response.get("content"));
        }
    }
    add(op.get("requestBody").and_then(|b| b.get("content")));
    // ISO dates sort lexicographically; "preview" sorts after every date.
    found.sort_by(|a, b| a.version.cmp(&b.version));
    found
}

/// Properties a schema tree evaluated at one instance level (for the strict unknown check).
#[derive(Default)]
struct Evaluated {
    props: BTreeSet<String>,
    /// Some branch allows arbitrary properties (or declares none): skip the unknown check.
    open: bool,
}

struct Cx<'a> {
    spec: &'a Spec,
    direction: Direction,
    strict: bool,
    out: Vec<Violation>,
    /// Schemas whose discriminator is being dispatched, so a subtype's `allOf` back-reference
    /// to its base does not dispatch again.
    dispatching: Vec<String>,
}

impl<'a> Cx<'a> {
    fn fail(&mut self, path: &str, message: impl Into<String>) {
        self.out.push(Violation {
            path: path.to_string(),
            message: message.into(),
        });
    }

    /// Validate an instance and then, in strict mode, report its undeclared properties.
    fn check_instance(&mut self, schema: &Value, value: &Value, path: &str, depth: usize) {
        let ev = self.check(schema, value, path, depth);
        if self.strict && !ev.open {
            if let Some(obj) = value.as_object() {
                for key in obj.keys() {
                    if !ev.props.contains(key) {
                        self.fail(path, format!("property `{key}` is not declared"));
                    }
                }
            }
        }
    }

    /// Run `check` into a scratch buffer; returns whether it passed and what it evaluated.
    fn try_check(
        &mut self,
        schema: &Value,
        value: &Value,
        path: &str,
        depth: usize,
    ) -> (bool, Evaluated) {
        let saved = std::mem::take(&mut self.out);
        let ev = self.check(schema, value, path, depth);
        let ok = self.out.is_empty();
        self.out = saved;
        (ok, ev)
    }

    fn check(&mut self, schema: &Value, value: &Value, path: &str, depth: usize) -> Evaluated {
        self.check_with(schema, value, path, depth, false)
    }

    fn check_with(
        &mut self,
        schema: &Value,
        value: &Value,
        path: &str,
        depth: usize,
        skip_alternatives: bool,
    ) -> Evaluated {
        let mut ev = Evaluated::default();
        if depth > 64 {
            self.fail(path, "schema nesting too deep");
            return ev;
        }
        let Some(schema_obj) = schema.as_object() else {
            ev.open = true;
            return ev;
        };
        if let Some(reference) = schema_obj.get("$ref").and_then(Value::as_str) {
            let target = match self.spec.resolve_ref(reference) {
                Ok(t) => t,
                Err(e) => {
                    self.fail(path, e.to_string());
                    return ev;
                }
            };
            if target.get("discriminator").is_none() {
                return self.check(target, value, path, depth + 1);
            }
            if self.dispatching.iter().any(|r| r == reference) {
                // A subtype's allOf back-reference to its base: check the base's own
                // keywords, not its alternatives again.
                return self.check_with(target, value, path, depth + 1, true);
            }
            self.dispatching.push(reference.to_string());
            let ev = match self.discriminated_target(target, value) {
                Some(sub) => self.check(sub, value, path, depth + 1),
                None => self.check(target, value, path, depth + 1),
            };
            self.dispatching.pop();
            return ev;
        }

        if value.is_null() {
            let nullable = schema_obj.get("nullable").and_then(Value::as_bool) == Some(true);
            if !nullable && schema_obj.contains_key("type") {
                self.fail(path, "null is not allowed");
            }
            ev.open = true;
            return ev;
        }

        // The spec declares `type: object` on some oneOf-of-strings (e.g. `regionName`):
        // when alternatives exist, they decide the type.
        let has_alternatives = schema_obj.contains_key("oneOf") || schema_obj.contains_key("anyOf");
        let declared_type = schema_obj
            .get("type")
            .and_then(Value::as_str)
            .filter(|_| !has_alternatives);
        if let Some(ty) = declared_type {
            let ok = match ty {
                "object" => value.is_object(),
                "array" => value.is_array(),
                "string" => value.is_string(),
                "boolean" => value.is_boolean(),
                "integer" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                _ => true,
            };
            if !ok {
                self.fail(path, format!("expected {ty}, got {value}"));
                return ev;
            }
        }

        if let Some(options) = schema_obj.get("enum").and_then(Value::as_array) {
            if !options.contains(value) {
                self.fail(path, format!("{value} is not one of {options:?}"));
            }
        }

        match value {
            Value::String(s) => self.check_string(schema_obj, s, path),
            Value::Number(n) => self.check_number(schema_obj, n, path),
            Value::Array(items) => self.check_array(schema_obj, items, path, depth),
            Value::Object(obj) => self.check_object(schema_obj, obj, path, depth, &mut ev),
            _ => {}
        }

        if let Some(all) = schema_obj.get("allOf").and_then(Value::as_array) {
            for sub in all {
                let sub_ev = self.check(sub, value, path, depth + 1);
                merge(&mut ev, sub_ev);
            }
        }
        for keyword in ["oneOf", "anyOf"] {
            if skip_alternatives {
                break;
            }
            let Some(options) = schema_obj.get(keyword).and_then(Value::as_array) else {
                continue;
            };
            // Atlas oneOfs overlap (no additionalProperties: false), so "exactly one" would
            // reject valid documents: both keywords are checked as "at least one".
            let mut passed = None;
            for sub in options {
                let (ok, sub_ev) = self.try_check(sub, value, path, depth + 1);
                if ok {
                    passed = Some(sub_ev);
                    break;
                }
            }
            match passed {
                Some(sub_ev) => merge(&mut ev, sub_ev),
                None => {
                    self.fail(path, format!("matches none of the {keyword} alternatives"));
                    ev.open = true;
                }
            }
        }
        ev
    }

    fn discriminated_target(&self, base: &Value, value: &Value) -> Option<&'a Value> {
        let disc = base.get("discriminator")?;
        let prop = disc.get("propertyName")?.as_str()?;
        let tag = value.get(prop)?.as_str()?;
        let target = disc.get("mapping")?.get(tag)?.as_str()?;
        self.spec.resolve_ref(target).ok()
    }

    fn check_string(&mut self, schema: &Map<String, Value>, s: &str, path: &str) {
        let len = s.chars().count() as u64;
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
            if len < min {
                self.fail(path, format!("shorter than {min}"));
            }
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
            if len > max {
                self.fail(path, format!("longer than {max}"));
            }
        }
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
            if let Some(re) = self.spec.regex(pattern) {
                if !re.is_match(s) {
                    self.fail(path, format!("{s:?} does not match {pattern}"));
                }
            }
        }
        if schema.get("format").and_then(Value::as_str) == Some("date-time")
            && chrono::DateTime::parse_from_rfc3339(s).is_err()
        {
            self.fail(path, format!("{s:?} is not an RFC 3339 date-time"));
        }
    }

    fn check_number(&mut self, schema: &Map<String, Value>, n: &serde_json::Number, path: &str) {
        let Some(x) = n.as_f64() else { return };
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
            if x < min {
                self.fail(path, format!("{x} is below the minimum {min}"));
            }
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
            if x > max {
                self.fail(path, format!("{x} is above the maximum {max}"));
            }
        }
    }

    fn check_array(
        &mut self,
        schema: &Map<String, Value>,
        items: &[Value],
        path: &str,
        depth: usize,
    ) {
        let n = items.len() as u64;
        if let Some(min) = schema.get("minItems").and_then(Value::as_u64) {
            if n < min {
                self.fail(path, format!("fewer than {min} items"));
            }
        }
        if let Some(max) = schema.get("maxItems").and_then(Value::as_u64) {
            if n > max {
                self.fail(path, format!("more than {max} items"));
            }
        }
        if let Some(item_schema) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                self.check_instance(item_schema, item, &format!("{path}[{i}]"), depth + 1);
            }
        }
    }

    fn check_object(
        &mut self,
        schema: &Map<String, Value>,
        obj: &Map<String, Value>,
        path: &str,
        depth: usize,
        ev: &mut Evaluated,
    ) {
        let props = schema.get("properties").and_then(Value::as_object);
        let additional = schema.get("additionalProperties");
        let composed = ["allOf", "oneOf", "anyOf"]
            .iter()
            .any(|k| schema.contains_key(*k));
        if props.is_none() && !composed {
            // A free-form object (`type: object` with nothing declared).
            ev.open = true;
        }
        if let Some(props) = props {
            for (name, prop_schema) in props {
                ev.props.insert(name.clone());
                let Some(v) = obj.get(name) else { continue };
                let child = format!("{path}.{name}");
                let prop = self.spec.deref(prop_schema).unwrap_or(prop_schema);
                let read_only = prop.get("readOnly").and_then(Value::as_bool) == Some(true);
                let write_only = prop.get("writeOnly").and_then(Value::as_bool) == Some(true);
                match self.direction {
                    Direction::Request if read_only => {
                        self.fail(&child, "readOnly property sent in a request")
                    }
                    Direction::Response if write_only => {
                        self.fail(&child, "writeOnly property returned in a response")
                    }
                    _ => {}
                }
                self.check_instance(prop_schema, v, &child, depth + 1);
            }
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if obj.contains_key(name) {
                    continue;
                }
                // readOnly fields are not required in requests, writeOnly ones not in responses.
                let prop = props
                    .and_then(|p| p.get(name))
                    .map(|p| self.spec.deref(p).unwrap_or(p));
                let flag =
                    |k: &str| prop.and_then(|p| p.get(k)).and_then(Value::as_bool) == Some(true);
                let exempt = match self.direction {
                    Direction::Request => flag("readOnly"),
                    Direction::Response => flag("writeOnly"),
                };
                if !exempt {
                    self.fail(path, format!("required property `{name}` is missing"));
                }
            }
        }
        match additional {
            Some(Value::Bool(false)) => {}
            Some(Value::Bool(true)) | None if props.is_none() && !composed => ev.open = true,
            Some(Value::Bool(true)) => ev.open = true,
            Some(extra_schema @ Value::Object(_)) => {
                ev.open = true;
                for (name, v) in obj {
                    if props.is_some_and(|p| p.contains_key(name)) {
                        continue;
                    }
                    self.check_instance(extra_schema, v, &format!("{path}.{name}"), depth + 1);
                }
            }
            _ => {}
        }
    }
}

fn merge(into: &mut Evaluated, from: Evaluated) {
    into.props.extend(from.props);
    into.open |= from.open;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> &'static Spec {
        embedded().expect("the embedded spec parses")
    }

    #[test]
    fn embedded_spec_has_the_project_operations_with_versions() {
        let op = spec().operation("createGroup").expect("createGroup exists");
        assert_eq!(op.method, http::Method::POST);
        assert_eq!(op.path, "/api/atlas/v2/groups");
        assert_eq!(op.versions[0].version, "2023-01-01");
        let clusters = spec().operation("createGroupCluster").expect("exists");
        let dates: Vec<_> = clusters
            .versions
            .iter()
            .map(|v| v.version.as_str())
            .collect();
        assert_eq!(
            dates,
            ["2023-01-01", "2023-02-01", "2024-08-05", "2024-10-23"]
        );
        assert!(clusters.versions[0].sunset.is_some());
        assert!(clusters.versions[3].sunset.is_none());
    }

    #[test]
    fn media_type_version_accepts_dates_and_preview_only() {
        assert_eq!(
            media_type_version("application/vnd.atlas.2023-01-01+json"),
            Some("2023-01-01")
        );
        assert_eq!(
            media_type_version("application/vnd.atlas.preview+json"),
            Some("preview")
        );
        assert_eq!(media_type_version("application/json"), None);
        assert_eq!(
            media_type_version("application/vnd.atlas.2023-13-01+json"),
            None
        );
    }

    fn group() -> Value {
        json!({
            "id": "5f1b7e2c9d3a4b0012345678",
            "name": "proj-1",
            "orgId": "5f1b7e2c9d3a4b0012345679",
            "created": "2026-08-10T03:02:58Z",
            "clusterCount": 0,
            "withDefaultAlertsSettings": true,
            "tags": [],
            "links": [{"href": "http://x/api/atlas/v2/groups/5f1b7e2c9d3a4b0012345678", "rel": "self"}]
        })
    }

    #[test]
    fn validate_response_accepts_a_good_group() {
        let r = spec().validate_response(
            "getGroup",
            200,
            "application/vnd.atlas.2023-01-01+json",
            &group(),
        );
        assert_eq!(r, Ok(()));
        // Observed 201 maps to the spec's 200.
        let r = spec().validate_response("createGroup", 201, "x", &group());
        assert_eq!(r, Ok(()));
    }

    #[test]
    fn validate_response_reports_bad_pattern_missing_required_and_unknown_fields() {
        let mut g = group();
        g["id"] = json!("XYZ");
        g.as_object_mut().map(|o| o.remove("created"));
        g["bogus"] = json!(1);
        g["tags"] = json!([{"key": "", "value": "v"}]);
        let errs = spec()
            .validate_response("getGroup", 200, "", &g)
            .expect_err("invalid");
        let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert!(text.iter().any(|t| t.starts_with("$.id")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("`created`")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("`bogus`")), "{text:?}");
        assert!(
            text.iter().any(|t| t.starts_with("$.tags[0].key")),
            "{text:?}"
        );
    }

    #[test]
    fn project_name_pattern_uses_unicode_classes() {
        let g = json!({"name": "Projét-1", "orgId": "5f1b7e2c9d3a4b0012345679"});
        assert_eq!(
            spec().validate_named("Group", &g, Direction::Request),
            Ok(())
        );
        // Atlas accepts spaces where the spec's pattern does not (ATLAS_PATTERNS).
        let g = json!({"name": "Project 0", "orgId": "5f1b7e2c9d3a4b0012345679"});
        assert_eq!(
            spec().validate_named("Group", &g, Direction::Request),
            Ok(())
        );
        let g = json!({"name": "has/slash", "orgId": "5f1b7e2c9d3a4b0012345679"});
        assert!(spec()
            .validate_named("Group", &g, Direction::Request)
            .is_err());
    }

    #[test]
    fn read_only_in_request_is_reported() {
        let g = json!({"name": "p", "orgId": "5f1b7e2c9d3a4b0012345679", "id": "5f1b7e2c9d3a4b0012345678"});
        let errs = spec()
            .validate_named("Group", &g, Direction::Request)
            .expect_err("readOnly id");
        assert!(errs[0].message.contains("readOnly"));
    }

    #[test]
    fn error_envelope_validates_with_scalar_parameters() {
        let body = json!({"detail": "d", "error": 404, "errorCode": "GROUP_NOT_FOUND", "parameters": ["x", 3], "reason": "Not Found"});
        assert_eq!(spec().validate_error(&body), Ok(()));
        let body = json!({"error": 404});
        assert!(spec().validate_error(&body).is_err());
    }

    #[test]
    fn no_schema_response_accepts_empty_object_only() {
        assert_eq!(
            spec().validate_response("deleteGroup", 202, "", &json!({})),
            Ok(())
        );
        assert!(spec()
            .validate_response("deleteGroup", 202, "", &json!({"a": 1}))
            .is_err());
    }

    #[test]
    fn discriminated_schemas_validate_the_subtype() {
        // CloudRegionConfig20240805 dispatches on providerName; a TENANT region needs
        // backingProviderName to be a valid enum value.
        let ok = json!({"providerName": "TENANT", "regionName": "US_EAST_1", "backingProviderName": "AWS", "priority": 7});
        let r = spec().validate_named("CloudRegionConfig20240805", &ok, Direction::Response);
        assert_eq!(r, Ok(()));
        let bad = json!({"providerName": "TENANT", "regionName": "US_EAST_1", "backingProviderName": "NOPE", "priority": 7});
        assert!(spec()
            .validate_named("CloudRegionConfig20240805", &bad, Direction::Response)
            .is_err());
    }
}
