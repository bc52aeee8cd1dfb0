//! Schemas: what Terraform validates configuration against, and what drives planning.
//!
//! Besides Terraform's own flags, each attribute carries plan behaviour
//! ([`Attribute::requires_replace`], [`Attribute::use_state_for_unknown`], defaults) that the
//! generic planner in [`crate::plan`] applies, so resources rarely need plan code of their own.

use crate::value::{Type, Value};
use std::collections::BTreeMap;

/// A versioned schema for a provider, resource or data source.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    /// Stored in state as `schema_version`; bump it with an upgrader when the shape changes.
    pub version: i64,
    pub block: Block,
}

impl Schema {
    pub fn new(block: Block) -> Self {
        Schema { version: 0, block }
    }

    pub fn with_version(mut self, version: i64) -> Self {
        self.version = version;
        self
    }

    /// The cty type of objects of this schema.
    pub fn ty(&self) -> Type {
        self.block.ty()
    }
}

/// A block: attributes and nested blocks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    pub description: String,
    pub deprecated: bool,
}

impl Block {
    pub fn new() -> Self {
        Block::default()
    }

    pub fn attribute(mut self, attribute: Attribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    pub fn block(mut self, block: NestedBlock) -> Self {
        self.blocks.push(block);
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    pub fn ty(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.ty()))
            .collect();
        for b in &self.blocks {
            attrs.insert(b.type_name.clone(), b.ty());
        }
        Type::Object(attrs)
    }

    pub fn find_attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn find_block(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.type_name == name)
    }
}

/// The value kind of an attribute: a plain type, or nested attributes (protocol 6).
#[derive(Debug, Clone, PartialEq)]
pub enum AttributeKind {
    Type(Type),
    Nested(NestedAttributes),
}

/// Nesting of nested attributes (`x = {…}`, `x = [{…}]`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectNesting {
    Single,
    List,
    Set,
    Map,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NestedAttributes {
    pub nesting: ObjectNesting,
    pub attributes: Vec<Attribute>,
}

impl NestedAttributes {
    pub fn object_type(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty()))
                .collect(),
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub kind: AttributeKind,
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub write_only: bool,
    pub deprecated: Option<String>,
    /// Changing this attribute destroys and re-creates the object.
    pub requires_replace: bool,
    /// When planned unknown on an update, keep the prior state's value (stable computed values).
    pub use_state_for_unknown: bool,
    /// Value planned when the configuration leaves an optional+computed attribute null.
    pub default: Option<Value>,
}

impl Attribute {
    pub fn new(name: impl Into<String>, ty: Type) -> Self {
        Attribute {
            name: name.into(),
            kind: AttributeKind::Type(ty),
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
            deprecated: None,
            requires_replace: false,
            use_state_for_unknown: false,
            default: None,
        }
    }

    pub fn string(name: impl Into<String>) -> Self {
        Attribute::new(name, Type::String)
    }

    pub fn bool(name: impl Into<String>) -> Self {
        Attribute::new(name, Type::Bool)
    }

    /// A whole number (cty number; the model side uses i64).
    pub fn int64(name: impl Into<String>) -> Self {
        Attribute::new(name, Type::Number)
    }

    pub fn number(name: impl Into<String>) -> Self {
        Attribute::new(name, Type::Number)
    }

    pub fn map_of(name: impl Into<String>, element: Type) -> Self {
        Attribute::new(name, Type::Map(Box::new(element)))
    }

    pub fn list_of(name: impl Into<String>, element: Type) -> Self {
        Attribute::new(name, Type::List(Box::new(element)))
    }

    pub fn set_of(name: impl Into<String>, element: Type) -> Self {
        Attribute::new(name, Type::Set(Box::new(element)))
    }

    pub fn nested(name: impl Into<String>, nesting: ObjectNesting, attrs: Vec<Attribute>) -> Self {
        let mut a = Attribute::new(name, Type::Dynamic);
        a.kind = AttributeKind::Nested(NestedAttributes {
            nesting,
            attributes: attrs,
        });
        a
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self.optional = false;
        self.computed = false;
        self
    }

    pub fn optional(mut self) -> Self {
        self.optional = true;
        self.required = false;
        self
    }

    pub fn computed(mut self) -> Self {
        self.computed = true;
        self.required = false;
        self
    }

    pub fn optional_computed(self) -> Self {
        self.optional().computed()
    }

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Write-only (Terraform ≥ 1.11): the value exists only in configuration, never in plan or state.
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }

    pub fn deprecated(mut self, message: impl Into<String>) -> Self {
        self.deprecated = Some(message.into());
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    pub fn requires_replace(mut self) -> Self {
        self.requires_replace = true;
        self
    }

    pub fn use_state_for_unknown(mut self) -> Self {
        self.use_state_for_unknown = true;
        self
    }

    pub fn default_value(mut self, value: Value) -> Self {
        self.default = Some(value);
        self
    }

    pub fn ty(&self) -> Type {
        match &self.kind {
            AttributeKind::Type(t) => t.clone(),
            AttributeKind::Nested(n) => {
                let obj = n.object_type();
                match n.nesting {
                    ObjectNesting::Single => obj,
                    ObjectNesting::List => Type::List(Box::new(obj)),
                    ObjectNesting::Set => Type::Set(Box::new(obj)),
                    ObjectNesting::Map => Type::Map(Box::new(obj)),
                }
            }
        }
    }

    pub fn nested_attributes(&self) -> Option<&NestedAttributes> {
        match &self.kind {
            AttributeKind::Nested(n) => Some(n),
            AttributeKind::Type(_) => None,
        }
    }
}

/// Nesting of nested blocks (`x { … }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockNesting {
    Single,
    List,
    Set,
    Map,
    Group,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NestedBlock {
    pub type_name: String,
    pub block: Block,
    pub nesting: BlockNesting,
    pub min_items: i64,
    pub max_items: i64,
}

impl NestedBlock {
    pub fn new(type_name: impl Into<String>, nesting: BlockNesting, block: Block) -> Self {
        NestedBlock {
            type_name: type_name.into(),
            block,
            nesting,
            min_items: 0,
            max_items: 0,
        }
    }

    pub fn items(mut self, min: i64, max: i64) -> Self {
        self.min_items = min;
        self.max_items = max;
        self
    }

    pub fn ty(&self) -> Type {
        let obj = self.block.ty();
        match self.nesting {
            BlockNesting::Single | BlockNesting::Group => obj,
            BlockNesting::List => Type::List(Box::new(obj)),
            BlockNesting::Set => Type::Set(Box::new(obj)),
            BlockNesting::Map => Type::Map(Box::new(obj)),
        }
    }
}

/// Checks the rules Terraform enforces on schemas (a violation aborts every terraform command
/// with "invalid schema"), so a bad schema fails our unit tests instead of a user's run.
pub fn validate_schema(schema: &Schema) -> Result<(), String> {
    if schema.version < 0 {
        return Err("schema version must not be negative".into());
    }
    validate_block(&schema.block, "")
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn validate_attributes(attrs: &[Attribute], prefix: &str, in_set: bool) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for a in attrs {
        let at = format!("{prefix}{}", a.name);
        if !valid_name(&a.name) {
            return Err(format!("{at}: invalid name"));
        }
        if !seen.insert(a.name.clone()) {
            return Err(format!("{at}: duplicate name"));
        }
        let flags = (a.required, a.optional, a.computed);
        match flags {
            (true, false, false) | (false, true, _) | (false, false, true) => {}
            _ => {
                return Err(format!(
                    "{at}: exactly one of required, optional, computed (or optional+computed)"
                ))
            }
        }
        if a.write_only && (a.computed || in_set) {
            return Err(format!(
                "{at}: write-only attributes cannot be computed or inside a set"
            ));
        }
        if a.default.is_some() && !(a.optional && a.computed) {
            return Err(format!("{at}: a default needs optional+computed"));
        }
        if let Some(n) = a.nested_attributes() {
            validate_attributes(
                &n.attributes,
                &format!("{at}."),
                in_set || n.nesting == ObjectNesting::Set,
            )?;
        }
    }
    Ok(())
}

fn validate_block(block: &Block, prefix: &str) -> Result<(), String> {
    validate_attributes(&block.attributes, prefix, false)?;
    for b in &block.blocks {
        let at = format!("{prefix}{}", b.type_name);
        if !valid_name(&b.type_name) {
            return Err(format!("{at}: invalid block name"));
        }
        if block.find_attribute(&b.type_name).is_some() {
            return Err(format!("{at}: both an attribute and a block"));
        }
        match b.nesting {
            BlockNesting::Single if b.min_items != b.max_items || b.min_items > 1 => {
                return Err(format!("{at}: single blocks need min = max in {{0, 1}}"))
            }
            BlockNesting::Group | BlockNesting::Map if b.min_items != 0 || b.max_items != 0 => {
                return Err(format!("{at}: group and map blocks take no min/max"))
            }
            BlockNesting::List | BlockNesting::Set
                if b.max_items != 0 && b.min_items > b.max_items =>
            {
                return Err(format!("{at}: min_items > max_items"))
            }
            _ => {}
        }
        validate_block(&b.block, &format!("{at}."))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_type_includes_attributes_and_blocks() {
        let block = Block::new()
            .attribute(Attribute::string("name").required())
            .attribute(Attribute::nested(
                "specs",
                ObjectNesting::List,
                vec![Attribute::int64("n").optional()],
            ))
            .block(NestedBlock::new(
                "roles",
                BlockNesting::Set,
                Block::new().attribute(Attribute::string("role_name").required()),
            ));
        let ty = block.ty();
        let Type::Object(attrs) = ty else {
            panic!("object expected")
        };
        assert_eq!(attrs["name"], Type::String);
        assert!(matches!(attrs["specs"], Type::List(_)));
        assert!(matches!(attrs["roles"], Type::Set(_)));
    }

    #[test]
    fn invalid_flags_are_rejected() {
        let mut a = Attribute::string("x").required();
        a.computed = true;
        let s = Schema::new(Block::new().attribute(a));
        assert!(validate_schema(&s).is_err());
        let s = Schema::new(Block::new().attribute(Attribute::string("Bad").optional()));
        assert!(validate_schema(&s).is_err());
        let s = Schema::new(Block::new().attribute(Attribute::string("ok").optional_computed()));
        assert!(validate_schema(&s).is_ok());
    }
}
