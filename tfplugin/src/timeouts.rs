//! `timeouts`: the attribute (plugin-framework style, `timeouts = { create = "30m" }`) or block
//! (SDKv2 style, `timeouts { create = "30m" }`) and the Go duration strings it holds.

use crate::diagnostics::Diagnostic;
use crate::path::AttributePath;
use crate::schema::{Attribute, Block, BlockNesting, NestedBlock, ObjectNesting};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A `timeouts` nested attribute with one optional duration string per operation.
pub fn timeouts_attribute(operations: &[&str]) -> Attribute {
    Attribute::nested(
        "timeouts",
        ObjectNesting::Single,
        operations
            .iter()
            .map(|op| {
                Attribute::string(*op)
                    .optional()
                    .description(format!("How long {op} may take, e.g. \"30m\"."))
            })
            .collect(),
    )
    .optional()
    .description("Timeouts for this resource's operations (Go duration strings).")
}

/// A `timeouts` single nested block with one optional duration string per operation.
pub fn timeouts_block(operations: &[&str]) -> NestedBlock {
    let mut block = Block::new();
    for op in operations {
        block = block.attribute(Attribute::string(*op).optional());
    }
    NestedBlock::new("timeouts", BlockNesting::Single, block)
}

/// The model side of a `timeouts` attribute or block. Operations the schema does not declare
/// stay `None` and are not serialised.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timeouts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete: Option<String>,
}

impl Timeouts {
    /// The configured timeout for `operation` ("create", "read", "update", "delete"), or
    /// `default`. A malformed duration is an error at `timeouts.<operation>`.
    pub fn get(
        timeouts: Option<&Timeouts>,
        operation: &str,
        default: Duration,
    ) -> Result<Duration, Diagnostic> {
        let value = timeouts.and_then(|t| match operation {
            "create" => t.create.as_deref(),
            "read" => t.read.as_deref(),
            "update" => t.update.as_deref(),
            "delete" => t.delete.as_deref(),
            _ => None,
        });
        match value {
            None => Ok(default),
            Some(text) => parse_duration(text).map_err(|e| {
                Diagnostic::error_at(
                    AttributePath::root("timeouts").attr(operation),
                    "Invalid timeout",
                    e,
                )
            }),
        }
    }
}

/// Parses a Go duration string. Units: ns, us, µs, ms, s, m, h; fractions allowed ("1.5h").
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("empty duration".into());
    }
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("missing unit in duration {text:?}"))?;
        if num_len == 0 {
            return Err(format!("invalid duration {text:?}"));
        }
        let number: f64 = rest[..num_len]
            .parse()
            .map_err(|_| format!("invalid number in duration {text:?}"))?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds_per_unit = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            other => return Err(format!("unknown unit {other:?} in duration {text:?}")),
        };
        total += number * seconds_per_unit;
        rest = &rest[unit_len..];
    }
    Ok(Duration::from_secs_f64(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_parse() {
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("5x").is_err());
    }
}
