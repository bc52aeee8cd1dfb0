//! Schema parity with the official provider: every type with a committed copy of the official
//! schema facts (`provider/tests/official_schemas/<type>.json`: names, types, required /
//! optional / computed, sensitive, write-only, deprecated, nesting, list / set, min / max items,
//! schema version — no descriptions, no plan behaviour) is compared with the schema we serve,
//! attribute by attribute. A difference fails the test naming the attribute, unless it is a
//! deliberate one listed in `allowed_differences.json` with its reason — and then it must be
//! listed in `docs/differences.md` too, and still be a difference.
//!
//! The facts files are written by hand from the official source (the commit is in each file's
//! `source`). SDKv2 types have the implicit `id` (optional, computed string); an SDKv2
//! collection of objects is a block when it can be configured, and a computed attribute of
//! type `list(object)` / `set(object)` when it is computed only.

use serde_json::Value as Json;
use std::collections::BTreeMap;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/official_schemas");
const ALLOWED: &str = "allowed_differences.json";
const DIFFERENCES_MD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/differences.md");

/// Facts per attribute or block path (`actions.resources.cluster`; `` for the schema itself).
type Facts = BTreeMap<String, BTreeMap<&'static str, Json>>;

const FLAGS: [&str; 6] = [
    "required",
    "optional",
    "computed",
    "sensitive",
    "write_only",
    "deprecated",
];

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn attribute_facts(path: String, a: &Json, out: &mut Facts) {
    let mut facts = BTreeMap::new();
    facts.insert("kind", Json::from("attribute"));
    for flag in FLAGS {
        facts.insert(flag, Json::Bool(a[flag] == Json::Bool(true)));
    }
    if let Some(t) = a.get("type") {
        facts.insert("type", t.clone());
    }
    if let Some(n) = a.get("nested_type") {
        facts.insert("nested_type", n["nesting_mode"].clone());
        for (name, inner) in n["attributes"].as_object().into_iter().flatten() {
            attribute_facts(join(&path, name), inner, out);
        }
    }
    out.insert(path, facts);
}

fn block_facts(prefix: &str, b: &Json, out: &mut Facts) {
    for (name, a) in b["attributes"].as_object().into_iter().flatten() {
        attribute_facts(join(prefix, name), a, out);
    }
    for (name, nb) in b["block_types"].as_object().into_iter().flatten() {
        let path = join(prefix, name);
        let mut facts = BTreeMap::new();
        facts.insert("kind", Json::from("block"));
        facts.insert("nesting_mode", nb["nesting_mode"].clone());
        facts.insert(
            "min_items",
            nb.get("min_items").cloned().unwrap_or(0.into()),
        );
        facts.insert(
            "max_items",
            nb.get("max_items").cloned().unwrap_or(0.into()),
        );
        facts.insert(
            "deprecated",
            Json::Bool(nb["block"]["deprecated"] == Json::Bool(true)),
        );
        out.insert(path.clone(), facts);
        block_facts(&path, &nb["block"], out);
    }
}

/// The facts of a schema in the shape of `terraform providers schema -json` (ours: the
/// snapshot's shape, the same one).
fn facts(schema: &Json) -> Facts {
    let mut out = Facts::new();
    let mut top = BTreeMap::new();
    top.insert("version", schema["version"].clone());
    out.insert(String::new(), top);
    block_facts("", &schema["block"], &mut out);
    out
}

/// `(attribute path, message)` for every fact that differs.
fn differences(official: &Json, ours: &Json) -> Vec<(String, String)> {
    let (want, got) = (facts(official), facts(ours));
    let mut out = Vec::new();
    for (path, w) in &want {
        let shown = if path.is_empty() { "(schema)" } else { path };
        match got.get(path) {
            None => out.push((path.clone(), format!("`{shown}`: missing here"))),
            Some(g) => {
                for (fact, wv) in w {
                    let gv = g.get(fact).cloned().unwrap_or(Json::Null);
                    if *wv != gv {
                        out.push((
                            path.clone(),
                            format!("`{shown}`: {fact}: official {wv}, here {gv}"),
                        ));
                    }
                }
                for (fact, gv) in g.iter().filter(|(f, _)| !w.contains_key(*f)) {
                    out.push((
                        path.clone(),
                        format!("`{shown}`: {fact}: official none, here {gv}"),
                    ));
                }
            }
        }
    }
    for path in got.keys().filter(|p| !want.contains_key(*p)) {
        out.push((
            path.clone(),
            format!("`{path}`: not in the official schema"),
        ));
    }
    out
}

#[derive(Debug, serde::Deserialize)]
struct Allowed {
    kind: String,
    #[serde(rename = "type")]
    type_name: String,
    path: String,
    reason: String,
}

fn read_json(path: &str) -> Json {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn allowed() -> Vec<Allowed> {
    let v = read_json(&format!("{DIR}/{ALLOWED}"));
    serde_json::from_value(v["differences"].clone())
        .unwrap_or_else(|e| panic!("{ALLOWED}: differences: {e}"))
}

/// `(kind, type, official schema)` of every committed facts file.
fn official_schemas() -> Vec<(&'static str, String, Json)> {
    let mut files: Vec<_> = std::fs::read_dir(DIR)
        .unwrap_or_else(|e| panic!("{DIR}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter(|p| p.file_name().is_some_and(|n| n != ALLOWED))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let type_name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let v = read_json(&file.to_string_lossy());
        for kind in ["resource", "data_source"] {
            if let Some(schema) = v.get(kind) {
                out.push((kind, type_name.clone(), schema.clone()));
            }
        }
    }
    out
}

#[test]
fn served_schemas_match_the_official_ones() {
    let served = crate::schema_snapshot::provider_schemas();
    let allowed = allowed();
    let mut used = vec![false; allowed.len()];
    let mut failures = Vec::new();
    let official = official_schemas();
    assert!(!official.is_empty(), "no official schema facts in {DIR}");
    for (kind, type_name, schema) in &official {
        let ours = &served[format!("{kind}_schemas")][type_name];
        if ours.is_null() {
            failures.push(format!("{kind} {type_name}: not served"));
            continue;
        }
        for (path, message) in differences(schema, ours) {
            let hit = allowed.iter().position(|a| {
                a.kind == *kind
                    && a.type_name == *type_name
                    && (a.path == path || path.starts_with(&format!("{}.", a.path)))
            });
            match hit {
                Some(i) => used[i] = true,
                None => failures.push(format!("{kind} {type_name}: {message}")),
            }
        }
    }
    let docs = std::fs::read_to_string(DIFFERENCES_MD).unwrap_or_default();
    for (a, used) in allowed.iter().zip(used) {
        if !used {
            failures.push(format!(
                "{ALLOWED}: {} {} `{}` is no longer a difference: remove it",
                a.kind, a.type_name, a.path
            ));
        }
        if a.reason.trim().is_empty() {
            failures.push(format!(
                "{ALLOWED}: {} {} `{}` needs a reason",
                a.kind, a.type_name, a.path
            ));
        }
        let named = format!("`{}.{}`", a.type_name, a.path);
        if !docs.contains(&named) {
            failures.push(format!(
                "{ALLOWED}: {} {} `{}` is not listed in docs/differences.md (as {named})",
                a.kind, a.type_name, a.path
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "served schemas differ from the official ones (provider/tests/official_schemas; a \
         deliberate difference goes in {ALLOWED} and docs/differences.md):\n{}",
        failures.join("\n")
    );
}

#[test]
fn differences_name_the_attribute() {
    let official: Json = serde_json::json!({"version": 0, "block": {
        "attributes": {
            "id": {"type": "string", "optional": true, "computed": true},
            "name": {"type": "string", "required": true},
            "gone": {"type": "bool", "computed": true}
        },
        "block_types": {"spec": {"nesting_mode": "set", "max_items": 1, "block": {
            "attributes": {"size": {"type": "number", "optional": true}}
        }}}
    }});
    let ours: Json = serde_json::json!({"version": 1, "block": {
        "attributes": {
            "id": {"type": "string", "computed": true, "description": "ignored"},
            "name": {"type": "string", "required": true, "sensitive": true, "plan_requires_replace": true},
            "extra": {"type": "string", "optional": true},
            "spec": {"computed": true, "nested_type": {"nesting_mode": "list", "attributes": {
                "size": {"type": "number", "computed": true}
            }}}
        }
    }});
    let got: Vec<String> = differences(&official, &ours)
        .into_iter()
        .map(|(_, m)| m)
        .collect();
    for expected in [
        "`(schema)`: version: official 0, here 1",
        "`id`: optional: official true, here false",
        "`name`: sensitive: official false, here true",
        "`gone`: missing here",
        "`extra`: not in the official schema",
        "`spec`: kind: official \"block\", here \"attribute\"",
        "`spec.size`: optional: official true, here false",
    ] {
        assert!(
            got.iter().any(|m| m == expected),
            "{expected} not in {got:#?}"
        );
    }
    // Descriptions and plan behaviour are no facts.
    assert!(!got
        .iter()
        .any(|m| m.contains("description") || m.contains("plan_")));
    assert!(differences(&official, &official).is_empty());
}
