//! Attribute paths: where in a resource's object a diagnostic or a replacement belongs.

use std::fmt;

/// One step of an [`AttributePath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// An object attribute (or nested block) by name.
    Attr(String),
    /// A map element by key.
    Key(String),
    /// A list or tuple element by position.
    Index(i64),
}

/// A path from the root of a resource's object to one value inside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AttributePath(Vec<PathStep>);

impl AttributePath {
    /// The path of a top-level attribute.
    pub fn root(name: impl Into<String>) -> Self {
        AttributePath(vec![PathStep::Attr(name.into())])
    }

    /// The empty path (the whole object).
    pub fn empty() -> Self {
        AttributePath(Vec::new())
    }

    pub fn attr(mut self, name: impl Into<String>) -> Self {
        self.0.push(PathStep::Attr(name.into()));
        self
    }

    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.0.push(PathStep::Key(key.into()));
        self
    }

    pub fn index(mut self, index: i64) -> Self {
        self.0.push(PathStep::Index(index));
        self
    }

    pub fn steps(&self) -> &[PathStep] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Parses the JSON pointer-like path serde_path_to_error produces (`a.b[0].c`) into steps.
    /// Numeric segments after a `[` are indexes; every dotted segment is an attribute.
    pub fn from_serde_path(path: &str) -> Self {
        let mut steps = Vec::new();
        for segment in path.split('.') {
            let mut rest = segment;
            if let Some(bracket) = rest.find('[') {
                let name = &rest[..bracket];
                if !name.is_empty() {
                    steps.push(PathStep::Attr(name.to_string()));
                }
                rest = &rest[bracket..];
                while let Some(end) = rest.find(']') {
                    let inner = &rest[1..end];
                    match inner.parse::<i64>() {
                        Ok(i) => steps.push(PathStep::Index(i)),
                        Err(_) => steps.push(PathStep::Key(inner.trim_matches('"').to_string())),
                    }
                    rest = &rest[end + 1..];
                    if !rest.starts_with('[') {
                        break;
                    }
                }
            } else if !rest.is_empty() && rest != "?" {
                steps.push(PathStep::Attr(rest.to_string()));
            }
        }
        AttributePath(steps)
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attr(name) if i == 0 => write!(f, "{name}")?,
                PathStep::Attr(name) => write!(f, ".{name}")?,
                PathStep::Key(key) => write!(f, "[{key:?}]")?,
                PathStep::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_reads_like_hcl() {
        let p = AttributePath::root("replication_specs")
            .index(0)
            .attr("region_configs")
            .key("a");
        assert_eq!(p.to_string(), "replication_specs[0].region_configs[\"a\"]");
    }

    #[test]
    fn serde_paths_parse_into_steps() {
        let p = AttributePath::from_serde_path("tags[2].value");
        assert_eq!(
            p.steps(),
            &[
                PathStep::Attr("tags".into()),
                PathStep::Index(2),
                PathStep::Attr("value".into())
            ]
        );
    }
}
