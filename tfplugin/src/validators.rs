//! Composable checks for typed configuration: each returns the diagnostics it found, at the
//! attribute's path, and says nothing about values that are still unknown (they are checked
//! again once known).
//!
//! ```ignore
//! let a = Model::ATTR;
//! let mut diags = Diagnostics::new();
//! diags.extend(exactly_one_of(&[(a.cidr_block, &c.cidr_block), (a.ip_address, &c.ip_address)]));
//! diags.extend(cidr(a.cidr_block, c.cidr_block.known_deref()));
//! ```

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::Tf;
use crate::path::AttributePath;

/// Whether a configured value is set (known or unknown) and whether it is unknown.
pub trait Presence {
    fn is_set(&self) -> bool;
    fn is_unknown(&self) -> bool {
        false
    }
}

impl<T> Presence for Tf<T> {
    fn is_set(&self) -> bool {
        !self.is_null()
    }
    fn is_unknown(&self) -> bool {
        Tf::is_unknown(self)
    }
}

impl<T> Presence for Option<T> {
    fn is_set(&self) -> bool {
        self.is_some()
    }
}

fn names(fields: &[(&str, &dyn Presence)]) -> String {
    fields
        .iter()
        .map(|(n, _)| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Exactly one of `fields` is set. The error is on the second one set, or on the first field
/// when none is (unless one is unknown).
pub fn exactly_one_of(fields: &[(&str, &dyn Presence)]) -> Diagnostics {
    let set: Vec<&str> = fields
        .iter()
        .filter(|(_, v)| v.is_set())
        .map(|(n, _)| *n)
        .collect();
    let mut diags = Diagnostics::new();
    if set.len() > 1 {
        diags.push(Diagnostic::error_at(
            AttributePath::root(set[1]),
            "Invalid combination of arguments",
            format!("Exactly one of {} must be set, not several.", names(fields)),
        ));
    } else if set.is_empty() {
        if let Some((first, _)) = fields.first() {
            diags.push(Diagnostic::error_at(
                AttributePath::root(*first),
                "Missing required argument",
                format!("Exactly one of {} must be set.", names(fields)),
            ));
        }
    }
    diags
}

/// At most one of `fields` is set.
pub fn conflicts_with(fields: &[(&str, &dyn Presence)]) -> Diagnostics {
    let set: Vec<&str> = fields
        .iter()
        .filter(|(_, v)| v.is_set())
        .map(|(n, _)| *n)
        .collect();
    let mut diags = Diagnostics::new();
    if set.len() > 1 {
        diags.push(Diagnostic::error_at(
            AttributePath::root(set[1]),
            "Conflicting configuration arguments",
            format!("`{}` cannot be set together with `{}`.", set[1], set[0]),
        ));
    }
    diags
}

/// `field` set needs `needed` set too.
pub fn also_requires(field: (&str, &dyn Presence), needed: (&str, &dyn Presence)) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if field.1.is_set() && !needed.1.is_set() {
        diags.push(Diagnostic::error_at(
            AttributePath::root(needed.0),
            "Missing required argument",
            format!("`{}` is required when `{}` is set.", needed.0, field.0),
        ));
    }
    diags
}

fn check(ok: bool, path: &str, summary: &str, detail: impl FnOnce() -> String) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if !ok {
        diags.push(Diagnostic::error_at(
            AttributePath::root(path),
            summary,
            detail(),
        ));
    }
    diags
}

/// A known string is one of `allowed`.
pub fn one_of(path: &str, value: Option<&str>, allowed: &[&str]) -> Diagnostics {
    let Some(v) = value else {
        return Diagnostics::new();
    };
    check(
        allowed.contains(&v),
        path,
        "Invalid attribute value",
        || format!("`{path}` must be one of {allowed:?}, got {v:?}."),
    )
}

/// A known integer lies in `min..=max`.
pub fn in_range(path: &str, value: Option<i64>, min: i64, max: i64) -> Diagnostics {
    let Some(v) = value else {
        return Diagnostics::new();
    };
    check(
        (min..=max).contains(&v),
        path,
        "Invalid attribute value",
        || format!("`{path}` must be between {min} and {max}, got {v}."),
    )
}

/// A known string's length (in characters) lies in `min..=max`.
pub fn length(path: &str, value: Option<&str>, min: usize, max: usize) -> Diagnostics {
    let Some(v) = value else {
        return Diagnostics::new();
    };
    let n = v.chars().count();
    check(
        (min..=max).contains(&n),
        path,
        "Invalid attribute value length",
        || format!("`{path}` must be {min} to {max} characters long, got {n}."),
    )
}

/// A known string matches `re` (`what` describes the expected form).
pub fn matches(path: &str, value: Option<&str>, re: &regex::Regex, what: &str) -> Diagnostics {
    let Some(v) = value else {
        return Diagnostics::new();
    };
    check(re.is_match(v), path, "Invalid attribute value", || {
        format!("`{path}` must be {what}, got {v:?}.")
    })
}

/// A known string is an IPv4 or IPv6 address.
pub fn ip_address(path: &str, value: Option<&str>) -> Diagnostics {
    let Some(v) = value else {
        return Diagnostics::new();
    };
    check(
        v.parse::<std::net::IpAddr>().is_ok(),
        path,
        "Invalid IP address",
        || format!("`{path}` must be an IPv4 or IPv6 address, got {v:?}."),
    )
}

/// A known string is a CIDR block (`address/prefix`, the prefix within the address family).
pub fn cidr(path: &str, value: Option<&str>) -> Diagnostics {
    let Some(v) = value else {
        return Diagnostics::new();
    };
    let ok = v.split_once('/').is_some_and(|(addr, prefix)| {
        let max = match addr.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(_)) => 32,
            Ok(std::net::IpAddr::V6(_)) => 128,
            Err(_) => return false,
        };
        !prefix.starts_with('+') && prefix.parse::<u8>().is_ok_and(|p| p <= max)
    });
    check(ok, path, "Invalid CIDR block", || {
        format!("`{path}` must be a CIDR block such as 192.0.2.0/24, got {v:?}.")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(d: &Diagnostics) -> Vec<String> {
        d.iter()
            .filter_map(|d| d.path.as_ref().map(|p| p.to_string()))
            .collect()
    }

    #[test]
    fn exactly_one_of_names_the_right_attribute() {
        let (a, b): (Tf<String>, Tf<String>) = (Tf::Known("x".into()), Tf::Known("y".into()));
        assert_eq!(paths(&exactly_one_of(&[("a", &a), ("b", &b)])), ["b"]);
        let (n1, n2): (Tf<String>, Tf<String>) = (Tf::Null, Tf::Null);
        assert_eq!(paths(&exactly_one_of(&[("a", &n1), ("b", &n2)])), ["a"]);
        let u: Tf<String> = Tf::Unknown;
        assert!(exactly_one_of(&[("a", &u), ("b", &n2)]).is_empty());
        assert!(exactly_one_of(&[("a", &a), ("b", &n2)]).is_empty());
    }

    #[test]
    fn value_checks_skip_unknown_and_report_bad_values() {
        assert!(cidr("c", None).is_empty());
        assert!(cidr("c", Some("10.0.0.0/8")).is_empty());
        assert!(cidr("c", Some("2001:db8::/32")).is_empty());
        assert!(!cidr("c", Some("10.0.0.0/33")).is_empty());
        assert!(!cidr("c", Some("10.0.0.0")).is_empty());
        assert!(ip_address("i", Some("::1")).is_empty());
        assert!(!ip_address("i", Some("1.2.3")).is_empty());
        assert!(!one_of("o", Some("x"), &["a", "b"]).is_empty());
        assert!(in_range("r", Some(7), 1, 7).is_empty());
        assert!(!in_range("r", Some(8), 1, 7).is_empty());
        assert!(!length("l", Some(""), 1, 3).is_empty());
        let c: Option<String> = Some("x".into());
        let n: Option<String> = None;
        assert_eq!(paths(&conflicts_with(&[("a", &c), ("b", &c)])), ["b"]);
        assert_eq!(paths(&also_requires(("a", &c), ("b", &n))), ["b"]);
    }
}
