//! Parsers that keep positions.
//!
//! Validation must point at the offending key or value, not at the file
//! start, so both JSON (Dockerrun) and YAML (`.ebextensions`) are parsed into
//! one spanned [`Node`] tree. Rules walk that tree without caring which
//! syntax it came from; YAML nodes also remember their scalar style, because
//! EB reads YAML 1.1 where `mode: 000755` unquoted is an integer.

pub mod json;
mod tree;
pub mod yaml;

pub use tree::{Entry, Node, Number, Style, Value, escape_pointer};

/// A syntax error with the byte offset where the parser stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// What the parser expected or found, lowercase.
    pub message: String,
    /// Byte range of the offending text (may be empty).
    pub span: std::ops::Range<usize>,
}
