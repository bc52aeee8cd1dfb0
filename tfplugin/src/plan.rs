//! Schema-driven planning, so a resource gets quiet, correct plans without plan code of its own.
//!
//! Rules (those of terraform-plugin-framework, which Terraform's plan checks are written for):
//! * create: computed attributes the configuration leaves null are unknown, or their default;
//! * update with a real change: the same, except attributes marked `use_state_for_unknown`
//!   keep their prior value; an update without a change keeps everything as it was;
//! * attributes marked `requires_replace` whose planned value differs from the prior one are
//!   reported so Terraform replaces the object;
//! * write-only attributes are always null in the plan.

use crate::path::AttributePath;
use crate::schema::{Attribute, Block, BlockNesting, ObjectNesting};
use crate::value::Value;

/// What the generic planner produced.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedChange {
    pub planned: Value,
    pub requires_replace: Vec<AttributePath>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Create,
    Changed,
    Unchanged,
}

/// Plans `proposed` (Terraform's proposed new state) against `prior` and `config`.
pub fn plan(block: &Block, prior: &Value, proposed: &Value, config: &Value) -> PlannedChange {
    if proposed.is_null() {
        return PlannedChange {
            planned: Value::Null,
            requires_replace: Vec::new(),
        };
    }
    let mut planned = proposed.clone();
    let prior_opt = if prior.is_null() { None } else { Some(prior) };
    // Defaults and write-only first: they decide whether anything changed at all.
    apply_defaults(block, &mut planned, config);
    let mode = match prior_opt {
        None => Mode::Create,
        Some(p) if planned.semantically_equal(p) => Mode::Unchanged,
        Some(_) => Mode::Changed,
    };
    mark_block(block, &mut planned, config, prior_opt, mode);
    let mut requires_replace = Vec::new();
    if let Some(prior) = prior_opt {
        collect_replacements(
            &block.attributes,
            &planned,
            prior,
            &AttributePath::empty(),
            &mut requires_replace,
        );
    }
    PlannedChange {
        planned,
        requires_replace,
    }
}

fn attr_of<'v>(value: &'v Value, name: &str) -> &'v Value {
    value.get_attr(name).unwrap_or(&Value::Null)
}

fn apply_defaults(block: &Block, planned: &mut Value, config: &Value) {
    let Some(obj) = planned.as_object_mut() else {
        return;
    };
    for attr in &block.attributes {
        let cfg = attr_of(config, &attr.name);
        if attr.write_only {
            obj.insert(attr.name.clone(), Value::Null);
        } else if let (Some(default), true) = (&attr.default, cfg.is_null()) {
            obj.insert(attr.name.clone(), default.clone());
        }
    }
}

fn mark_block(
    block: &Block,
    planned: &mut Value,
    config: &Value,
    prior: Option<&Value>,
    mode: Mode,
) {
    mark_attributes(&block.attributes, planned, config, prior, mode);
    let Some(obj) = planned.as_object_mut() else {
        return;
    };
    for nested in &block.blocks {
        let cfg = attr_of(config, &nested.type_name);
        let pri = prior.and_then(|p| p.get_attr(&nested.type_name));
        if let Some(slot) = obj.get_mut(&nested.type_name) {
            match nested.nesting {
                BlockNesting::Single | BlockNesting::Group => {
                    mark_block(&nested.block, slot, cfg, pri, mode)
                }
                BlockNesting::List | BlockNesting::Set | BlockNesting::Map => {
                    for_each_element(slot, cfg, pri, |el, c, p| {
                        mark_block(&nested.block, el, c, p, mode)
                    })
                }
            }
        }
    }
}

fn mark_attributes(
    attrs: &[Attribute],
    planned: &mut Value,
    config: &Value,
    prior: Option<&Value>,
    mode: Mode,
) {
    let Some(obj) = planned.as_object_mut() else {
        return;
    };
    for attr in attrs {
        let cfg = attr_of(config, &attr.name);
        let pri = prior.and_then(|p| p.get_attr(&attr.name));
        let Some(slot) = obj.get_mut(&attr.name) else {
            continue;
        };
        if attr.write_only {
            *slot = Value::Null;
            continue;
        }
        if cfg.is_null() {
            if attr.default.is_some() || !attr.computed {
                continue;
            }
            // A known prior value (null included) is kept as is.
            let keep_prior = attr.use_state_for_unknown && pri.is_some_and(|p| !p.is_unknown());
            match mode {
                Mode::Create => *slot = Value::unknown(),
                Mode::Changed if !keep_prior => *slot = Value::unknown(),
                Mode::Changed => {
                    if let Some(p) = pri {
                        *slot = p.clone();
                    }
                }
                Mode::Unchanged => {}
            }
            continue;
        }
        if cfg.is_unknown() {
            continue;
        }
        if let Some(nested) = attr.nested_attributes() {
            match nested.nesting {
                ObjectNesting::Single => mark_attributes(&nested.attributes, slot, cfg, pri, mode),
                _ => for_each_element(slot, cfg, pri, |el, c, p| {
                    mark_attributes(&nested.attributes, el, c, p, mode)
                }),
            }
        }
    }
}

/// Walks the elements of a planned collection next to the config and prior element at the
/// same position (lists, sets) or key (maps).
fn for_each_element(
    planned: &mut Value,
    config: &Value,
    prior: Option<&Value>,
    mut f: impl FnMut(&mut Value, &Value, Option<&Value>),
) {
    match planned {
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            let cfg_items = config.as_list().unwrap_or(&[]);
            let pri_items = prior.and_then(Value::as_list).unwrap_or(&[]);
            for (i, el) in items.iter_mut().enumerate() {
                let c = cfg_items.get(i).unwrap_or(&Value::Null);
                f(el, c, pri_items.get(i));
            }
        }
        Value::Map(items) => {
            for (k, el) in items.iter_mut() {
                let c = match config {
                    Value::Map(m) => m.get(k).unwrap_or(&Value::Null),
                    _ => &Value::Null,
                };
                let p = match prior {
                    Some(Value::Map(m)) => m.get(k),
                    _ => None,
                };
                f(el, c, p);
            }
        }
        _ => {}
    }
}

fn collect_replacements(
    attrs: &[Attribute],
    planned: &Value,
    prior: &Value,
    base: &AttributePath,
    out: &mut Vec<AttributePath>,
) {
    for attr in attrs {
        let p = attr_of(planned, &attr.name);
        let q = attr_of(prior, &attr.name);
        let path = base.clone().attr(attr.name.clone());
        if attr.requires_replace && (p.is_unknown() || !p.semantically_equal(q)) {
            out.push(path);
            continue;
        }
        if let Some(nested) = attr.nested_attributes() {
            if nested.nesting == ObjectNesting::Single && !p.is_null() && !q.is_null() {
                collect_replacements(&nested.attributes, p, q, &path, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Attribute;
    use std::collections::BTreeMap;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    fn block() -> Block {
        Block::new()
            .attribute(Attribute::string("id").computed().use_state_for_unknown())
            .attribute(Attribute::string("name").required())
            .attribute(Attribute::string("org_id").required().requires_replace())
            .attribute(Attribute::int64("count").computed())
            .attribute(Attribute::string("secret").optional().write_only())
    }

    #[test]
    fn create_marks_computed_unknown_and_nulls_write_only() {
        let config = obj(&[
            ("id", Value::Null),
            ("name", Value::string("a")),
            ("org_id", Value::string("o")),
            ("count", Value::Null),
            ("secret", Value::string("s")),
        ]);
        let out = plan(&block(), &Value::Null, &config, &config);
        let p = out.planned;
        assert!(p.get_attr("id").is_some_and(Value::is_unknown));
        assert!(p.get_attr("count").is_some_and(Value::is_unknown));
        assert!(p.get_attr("secret").is_some_and(Value::is_null));
        assert!(out.requires_replace.is_empty());
    }

    #[test]
    fn unchanged_update_keeps_everything_known() {
        let prior = obj(&[
            ("id", Value::string("x")),
            ("name", Value::string("a")),
            ("org_id", Value::string("o")),
            ("count", Value::number(3)),
            ("secret", Value::Null),
        ]);
        let config = obj(&[
            ("id", Value::Null),
            ("name", Value::string("a")),
            ("org_id", Value::string("o")),
            ("count", Value::Null),
            ("secret", Value::string("s")),
        ]);
        let out = plan(&block(), &prior, &prior, &config);
        assert_eq!(out.planned, prior);
    }

    #[test]
    fn changed_update_keeps_stable_values_and_reports_replacement() {
        let prior = obj(&[
            ("id", Value::string("x")),
            ("name", Value::string("a")),
            ("org_id", Value::string("o")),
            ("count", Value::number(3)),
            ("secret", Value::Null),
        ]);
        let mut proposed = prior.clone();
        if let Some(o) = proposed.as_object_mut() {
            o.insert("name".into(), Value::string("b"));
            o.insert("org_id".into(), Value::string("o2"));
        }
        let config = obj(&[
            ("id", Value::Null),
            ("name", Value::string("b")),
            ("org_id", Value::string("o2")),
            ("count", Value::Null),
            ("secret", Value::Null),
        ]);
        let out = plan(&block(), &prior, &proposed, &config);
        assert_eq!(out.planned.get_attr("id"), Some(&Value::string("x")));
        assert!(out.planned.get_attr("count").is_some_and(Value::is_unknown));
        assert_eq!(out.requires_replace, vec![AttributePath::root("org_id")]);
    }
}
