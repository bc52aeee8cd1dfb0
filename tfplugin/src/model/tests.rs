use super::*;
use crate::schema::{validate_schema, BlockNesting, ObjectNesting, Schema};
use crate::value::{Number, Unknown};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
/// A role.
struct Role {
    /// Role name.
    #[tf(required)]
    role_name: String,
    #[tf(optional)]
    collection: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
struct Spec {
    #[tf(optional, computed)]
    instance_size: Tf<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TfModel)]
/// A test resource.
struct Thing {
    /// The id.
    #[tf(computed, use_state_for_unknown)]
    id: Option<String>,
    #[tf(required, requires_replace)]
    project_id: String,
    #[tf(optional, sensitive, write_only)]
    password_wo: Tf<String>,
    #[tf(optional, computed, default = true)]
    enabled: Option<bool>,
    #[tf(optional, deprecated = "use labels")]
    tags: Option<BTreeMap<String, String>>,
    #[tf(optional)]
    names: Option<BTreeSet<String>>,
    #[tf(optional, computed)]
    size: Tf<i64>,
    #[tf(block)]
    roles: BTreeSet<Role>,
    #[tf(optional, nested)]
    specs: Option<Vec<Spec>>,
}

impl PartialOrd for Role {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Role {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.role_name, &self.collection).cmp(&(&other.role_name, &other.collection))
    }
}
impl Eq for Role {}

#[test]
fn schema_comes_from_the_fields() {
    let block = Thing::block();
    assert_eq!(block.description, "A test resource.");
    let names: Vec<_> = block.attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "id",
            "project_id",
            "password_wo",
            "enabled",
            "tags",
            "names",
            "size",
            "specs"
        ]
    );
    let id = block.find_attribute("id").unwrap();
    assert!(id.computed && !id.optional && id.use_state_for_unknown);
    assert_eq!(id.description, "The id.");
    let project = block.find_attribute("project_id").unwrap();
    assert!(project.required && project.requires_replace);
    let pw = block.find_attribute("password_wo").unwrap();
    assert!(pw.optional && pw.sensitive && pw.write_only && !pw.computed);
    let enabled = block.find_attribute("enabled").unwrap();
    assert!(enabled.optional && enabled.computed);
    assert_eq!(enabled.default, Some(Value::Bool(true)));
    assert_eq!(
        block.find_attribute("tags").unwrap().deprecated.as_deref(),
        Some("use labels")
    );
    assert_eq!(
        block.find_attribute("names").unwrap().ty(),
        Type::Set(Box::new(Type::String))
    );
    assert_eq!(block.find_attribute("size").unwrap().ty(), Type::Number);
    let specs = block.find_attribute("specs").unwrap();
    let nested = specs.nested_attributes().unwrap();
    assert_eq!(nested.nesting, ObjectNesting::List);
    assert!(nested.attributes[0].optional && nested.attributes[0].computed);
    let roles = block.find_block("roles").unwrap();
    assert_eq!(roles.nesting, BlockNesting::Set);
    assert_eq!(roles.block.description, "A role.");
    assert!(roles.block.find_attribute("role_name").unwrap().required);
    assert_eq!(Thing::ATTR.password_wo, "password_wo");
    validate_schema(&Schema::new(block)).unwrap();
}

fn thing_value(size: Value, password: Value) -> Value {
    let ty = Thing::tf_type();
    let mut v = from_model(&Thing::default(), &ty).unwrap();
    let obj = v.as_object_mut().unwrap();
    obj.insert("project_id".into(), Value::String("p1".into()));
    obj.insert("size".into(), size);
    obj.insert("password_wo".into(), password);
    v
}

#[test]
fn three_states_survive_decoding() {
    let unknown = Value::Unknown(Unknown::default());
    let v = thing_value(unknown.clone(), Value::Null);
    let m: Thing = to_model(&v).unwrap();
    assert_eq!(m.size, Tf::Unknown);
    assert_eq!(m.password_wo, Tf::Null);
    assert_eq!(m.project_id, "p1");
    let v = thing_value(
        Value::Number(Number::from_i64(3)),
        Value::String("s".into()),
    );
    let m: Thing = to_model(&v).unwrap();
    assert_eq!(m.size, Tf::Known(3));
    assert_eq!(m.password_wo.known_deref(), Some("s"));
}

#[test]
fn unknown_round_trips_through_from_model() {
    let m = Thing {
        project_id: "p".into(),
        size: Tf::Unknown,
        ..Default::default()
    };
    let v = from_model(&m, &Thing::tf_type()).unwrap();
    assert!(v.get_attr("size").unwrap().is_unknown());
    assert!(v.get_attr("id").unwrap().is_null());
    let back: Thing = to_model(&v).unwrap();
    assert_eq!(back, m);
}

#[test]
fn lenient_decoding_reads_unknown_plain_fields_as_zero() {
    let mut v = thing_value(Value::Null, Value::Null);
    v.as_object_mut()
        .unwrap()
        .insert("project_id".into(), Value::Unknown(Unknown::default()));
    assert!(to_model::<Thing>(&v).is_err());
    let m: Thing = to_model_lenient(&v).unwrap();
    assert_eq!(m.project_id, "");
}

#[test]
fn merge_keeps_untouched_unknowns() {
    let unknown = Value::Unknown(Unknown {
        refinement: Some(vec![1, 2]),
    });
    let mut original = thing_value(Value::Null, Value::Null);
    original
        .as_object_mut()
        .unwrap()
        .insert("id".into(), unknown.clone());
    let model: Thing = to_model(&original).unwrap();
    let round_trip = from_model(&model, &Thing::tf_type()).unwrap();
    let mut changed = model.clone();
    changed.size = Tf::Known(5);
    let updated = from_model(&changed, &Thing::tf_type()).unwrap();
    let merged = merge_changes(&original, &round_trip, &updated);
    assert_eq!(merged.get_attr("id"), Some(&unknown));
    assert_eq!(
        merged.get_attr("size"),
        Some(&Value::Number(Number::from_i64(5)))
    );
}

#[test]
fn data_source_variant_is_computed_but_keys() {
    let ds = data_source_block(&Thing::block(), &["project_id"]);
    assert!(ds.find_attribute("project_id").unwrap().required);
    assert!(ds.find_attribute("password_wo").is_none());
    let id = ds.find_attribute("id").unwrap();
    assert!(id.computed && !id.optional && !id.use_state_for_unknown);
    let roles = ds.find_attribute("roles").unwrap();
    assert!(roles.computed);
    assert!(roles.nested_attributes().unwrap().attributes[0].computed);
    assert!(ds.blocks.is_empty());
    validate_schema(&Schema::new(ds)).unwrap();
}

#[test]
fn conform_moves_values_between_schemas() {
    let v = thing_value(
        Value::Number(Number::from_i64(2)),
        Value::String("pw".into()),
    );
    let ds_ty = data_source_block(&Thing::block(), &["project_id"]).ty();
    let ds = conform(&v, &ds_ty);
    assert!(ds.get_attr("password_wo").is_none());
    assert_eq!(ds.get_attr("size"), v.get_attr("size"));
    let back = conform(&ds, &Thing::tf_type());
    assert!(back.get_attr("password_wo").unwrap().is_null());
    assert_eq!(back.get_attr("project_id"), v.get_attr("project_id"));
}

#[test]
fn merge_sets_an_unknown_the_model_held() {
    let unknown = Value::Unknown(Unknown::default());
    let known = Value::String("x".into());
    assert_eq!(merge_changes(&unknown, &unknown, &known), known);
}

#[test]
fn merge_keeps_a_wholly_unknown_element() {
    let unknown = Value::Unknown(Unknown::default());
    let original = Value::List(vec![unknown.clone()]);
    let round_trip = Value::List(vec![Value::Object(Default::default())]);
    let updated = Value::List(vec![Value::Object(BTreeMap::from([(
        "x".to_string(),
        Value::String("changed".into()),
    )]))]);
    assert_eq!(
        merge_changes(&original, &round_trip, &updated),
        Value::List(vec![unknown])
    );
}
