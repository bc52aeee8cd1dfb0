//! Every schema the provider serves, as JSON in the shape of `terraform providers schema -json`
//! (names, types, flags, nesting, descriptions, plus plan behaviour: requires-replace,
//! use-state-for-unknown, defaults), compared with a committed snapshot so that no
//! change to a user-visible schema goes unnoticed. `UPDATE_SNAPSHOTS=1 cargo test -p
//! terraform-provider-mongodbatlas schema_snapshot` rewrites it after a deliberate change.

use serde_json::{json, Map, Value as Json};
use tfplugin::schema::{Attribute, AttributeKind, Block, BlockNesting, ObjectNesting, Schema};

fn nesting(n: ObjectNesting) -> &'static str {
    match n {
        ObjectNesting::Single => "single",
        ObjectNesting::List => "list",
        ObjectNesting::Set => "set",
        ObjectNesting::Map => "map",
    }
}

fn attribute(a: &Attribute) -> Json {
    let mut out = Map::new();
    match &a.kind {
        AttributeKind::Type(t) => {
            out.insert("type".into(), t.to_json());
        }
        AttributeKind::Nested(n) => {
            out.insert(
                "nested_type".into(),
                json!({
                    "nesting_mode": nesting(n.nesting),
                    "attributes": attributes(&n.attributes),
                }),
            );
        }
    }
    for (flag, on) in [
        ("required", a.required),
        ("optional", a.optional),
        ("computed", a.computed),
        ("sensitive", a.sensitive),
        ("write_only", a.write_only),
    ] {
        if on {
            out.insert(flag.into(), Json::Bool(true));
        }
    }
    // Plan behaviour is not in terraform's schema, but users see it in every plan.
    for (flag, on) in [
        ("plan_requires_replace", a.requires_replace),
        ("plan_use_state_for_unknown", a.use_state_for_unknown),
    ] {
        if on {
            out.insert(flag.into(), Json::Bool(true));
        }
    }
    if let Some(default) = &a.default {
        out.insert("plan_default".into(), default.to_json_lossy());
    }
    if a.deprecated.is_some() {
        out.insert("deprecated".into(), Json::Bool(true));
    }
    if !a.description.is_empty() {
        out.insert("description".into(), a.description.clone().into());
    }
    Json::Object(out)
}

fn attributes(attrs: &[Attribute]) -> Json {
    Json::Object(
        attrs
            .iter()
            .map(|a| (a.name.clone(), attribute(a)))
            .collect(),
    )
}

fn block(b: &Block) -> Json {
    let mut out = Map::new();
    if !b.attributes.is_empty() {
        out.insert("attributes".into(), attributes(&b.attributes));
    }
    if !b.blocks.is_empty() {
        let blocks = b
            .blocks
            .iter()
            .map(|nb| {
                let mode = match nb.nesting {
                    BlockNesting::Single => "single",
                    BlockNesting::List => "list",
                    BlockNesting::Set => "set",
                    BlockNesting::Map => "map",
                    BlockNesting::Group => "group",
                };
                let mut v = json!({ "nesting_mode": mode, "block": block(&nb.block) });
                if nb.min_items != 0 {
                    v["min_items"] = nb.min_items.into();
                }
                if nb.max_items != 0 {
                    v["max_items"] = nb.max_items.into();
                }
                (nb.type_name.clone(), v)
            })
            .collect::<Map<_, _>>();
        out.insert("block_types".into(), Json::Object(blocks));
    }
    if !b.description.is_empty() {
        out.insert("description".into(), b.description.clone().into());
    }
    Json::Object(out)
}

fn schema(s: &Schema) -> Json {
    json!({ "version": s.version, "block": block(&s.block) })
}

/// The provider's schemas: `resource_schemas` and `data_source_schemas` by type name.
pub fn provider_schemas() -> Json {
    let resources: Map<_, _> = crate::resources::all()
        .iter()
        .map(|r| (r.type_name().to_string(), schema(&r.schema())))
        .collect();
    let data_sources: Map<_, _> = crate::data_sources::all()
        .iter()
        .map(|d| (d.type_name().to_string(), schema(&d.schema())))
        .collect();
    json!({
        "provider": schema(&crate::config::schema()),
        "resource_schemas": resources,
        "data_source_schemas": data_sources,
    })
}

#[test]
fn schema_snapshot() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/schemas.json");
    let now = serde_json::to_string_pretty(&provider_schemas()).unwrap_or_default() + "\n";
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, &now).unwrap_or_else(|e| panic!("{path}: {e}"));
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if committed != now {
        let (c, n): (Json, Json) = (
            serde_json::from_str(&committed).unwrap_or_default(),
            serde_json::from_str(&now).unwrap_or_default(),
        );
        let mut diffs = Vec::new();
        diff("", &c, &n, &mut diffs);
        panic!(
            "the provider's schemas differ from {path} (UPDATE_SNAPSHOTS=1 rewrites it after a \
             deliberate change):\n{}",
            diffs.join("\n")
        );
    }
}

fn diff(at: &str, old: &Json, new: &Json, out: &mut Vec<String>) {
    match (old, new) {
        (Json::Object(o), Json::Object(n)) => {
            for (k, ov) in o {
                match n.get(k) {
                    Some(nv) => diff(&format!("{at}/{k}"), ov, nv, out),
                    None => out.push(format!("- {at}/{k}")),
                }
            }
            for k in n.keys().filter(|k| !o.contains_key(*k)) {
                out.push(format!("+ {at}/{k}"));
            }
        }
        _ if old != new => out.push(format!("~ {at}: {old} -> {new}")),
        _ => {}
    }
}
