//! Small helpers shared by the codecs: error paths, depth limit, JSON string escaping.

use std::fmt::Write as _;

use super::CodecError;

/// Nesting limit for every recursive walk, so hostile input cannot overflow the stack. An
/// unoptimised build spends 1–3 KiB of stack per level, so 256 levels stay well inside a
/// 2 MiB thread stack (Rust's and tokio's default); real schemas nest a few dozen at most.
pub(crate) const MAX_DEPTH: usize = 256;

/// The attribute path being walked, rendered as text (`.tags["x"][2]`) only when an error needs it.
#[derive(Debug, Default)]
pub(crate) struct PathBuf {
    text: String,
}

impl PathBuf {
    pub(crate) fn new() -> PathBuf {
        PathBuf::default()
    }

    /// Appends `.name`; returns the length to [`PathBuf::truncate`] back to.
    pub(crate) fn push_attr(&mut self, name: &str) -> usize {
        let mark = self.text.len();
        self.text.push('.');
        self.text.push_str(name);
        mark
    }

    /// Appends `["key"]`.
    pub(crate) fn push_key(&mut self, key: &str) -> usize {
        let mark = self.text.len();
        let _ = write!(self.text, "[{key:?}]");
        mark
    }

    /// Appends `[index]`.
    pub(crate) fn push_index(&mut self, index: usize) -> usize {
        let mark = self.text.len();
        let _ = write!(self.text, "[{index}]");
        mark
    }

    pub(crate) fn truncate(&mut self, mark: usize) {
        self.text.truncate(mark);
    }

    pub(crate) fn error(&self, message: impl Into<String>) -> CodecError {
        CodecError {
            path: self.text.clone(),
            message: message.into(),
        }
    }

    pub(crate) fn depth_error(&self) -> CodecError {
        self.error(format!("value nested deeper than {MAX_DEPTH} levels"))
    }
}

/// Appends `s` as a JSON string literal.
pub(crate) fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_rendering() {
        let mut p = PathBuf::new();
        let a = p.push_attr("tags");
        p.push_key("x");
        p.push_index(2);
        assert_eq!(p.error("boom").path, ".tags[\"x\"][2]");
        p.truncate(a);
        assert_eq!(p.error("boom").path, "");
    }

    #[test]
    fn json_string_escaping_matches_serde() {
        let s = "a\"b\\c\n\u{1}\u{7f}é😀";
        let mut out = String::new();
        write_json_string(&mut out, s);
        let back: String = serde_json::from_str(&out).unwrap();
        assert_eq!(back, s);
    }
}
