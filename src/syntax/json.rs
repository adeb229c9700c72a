//! Strict JSON (RFC 8259) into a spanned [`Node`] tree, via `jsonc-parser`
//! with every JSONC/JSON5 extension switched off: EB and ECS parse Dockerrun
//! files with strict parsers, so comments or trailing commas are errors.

use super::SyntaxError;
use super::tree::{Entry, Node, Number, Style, Value, index_pointer, key_pointer};
use jsonc_parser::ast;

/// Parses `text` as one strict JSON document.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    if text.starts_with('\u{feff}') {
        return Err(SyntaxError {
            message: "file starts with a UTF-8 byte order mark, which JSON parsers reject".into(),
            span: 0..3,
        });
    }
    let options = jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &options).map_err(|e| {
        let r = e.range();
        // A raw line break in a string before the place the (lenient)
        // parser gave up is the real, first error: usually a missing
        // closing quote, which the parser only notices lines later.
        if let Some(err) = control_character_in_string(text).filter(|c| c.1 < r.start) {
            return control_error(text, err);
        }
        SyntaxError {
            message: lowercase_first(&e.kind().to_string()),
            span: first_line(text, r.start..r.end),
        }
    })?;
    if let Some(err) = control_character_in_string(text) {
        return Err(control_error(text, err));
    }
    match parsed.value {
        Some(v) => Ok(convert(v, String::new())),
        None => Err(SyntaxError {
            message: "expected a JSON value, found an empty file".into(),
            span: 0..0,
        }),
    }
}

/// Cuts an error range to the line it starts on: an unterminated string
/// runs to the end of the file, but the caret belongs where it opens.
fn first_line(text: &str, span: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let start = span.start.min(text.len());
    let line_end = text[start..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| start + i);
    start..span.end.clamp(start, line_end.max(start))
}

/// The first raw control character (U+0000–U+001F) inside a string
/// literal: `(offset of the string's opening quote, offset of the
/// character)`. RFC 8259 forbids them, and so do the parsers EB (Python
/// `json`) and ECS (Go) use, but `jsonc-parser` lets them through. Comments
/// are not allowed, so every `"` outside a string opens one.
fn control_character_in_string(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut open: Option<usize> = None;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if let Some(start) = open {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                open = None;
            } else if b < 0x20 {
                return Some((start, i));
            }
        } else if b == b'"' {
            open = Some(i);
        }
    }
    None
}

/// The error for a control character in a string: a line break is
/// reported on the string (its closing quote is missing, or the value
/// really spans lines), other characters on themselves.
fn control_error(text: &str, (start, at): (usize, usize)) -> SyntaxError {
    let c = text.as_bytes()[at];
    if c == b'\n' || c == b'\r' {
        SyntaxError {
            message: "string is not closed on its line: JSON strings cannot hold raw line breaks (missing `\"`, or write `\\n`)".into(),
            span: start..at,
        }
    } else {
        SyntaxError {
            message: format!(
                "control character U+{c:04X} inside a string; escape it (`\\t`, `\\u{c:04x}`)"
            ),
            span: at..at + 1,
        }
    }
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn convert(v: ast::Value<'_>, pointer: String) -> Node {
    let (value, range) = match v {
        ast::Value::StringLit(s) => (Value::String(s.value.into_owned()), s.range),
        ast::Value::NumberLit(n) => (Value::Number(number(n.value)), n.range),
        ast::Value::BooleanLit(b) => (Value::Bool(b.value), b.range),
        ast::Value::NullKeyword(n) => (Value::Null, n.range),
        ast::Value::Array(a) => {
            let items = a
                .elements
                .into_iter()
                .enumerate()
                .map(|(i, e)| convert(e, index_pointer(&pointer, i)))
                .collect();
            (Value::Seq(items), a.range)
        }
        ast::Value::Object(o) => {
            let entries = o
                .properties
                .into_iter()
                .map(|p| {
                    let (key, key_range) = match p.name {
                        ast::ObjectPropName::String(s) => (s.value.into_owned(), s.range),
                        ast::ObjectPropName::Word(w) => (w.value.to_owned(), w.range),
                    };
                    let child = key_pointer(&pointer, &key);
                    Entry {
                        key,
                        key_span: key_range.start..key_range.end,
                        value: convert(p.value, child),
                    }
                })
                .collect();
            (Value::Map(entries), o.range)
        }
    };
    let style = match value {
        Value::Seq(_) | Value::Map(_) => Style::Collection,
        _ => Style::Json,
    };
    Node {
        value,
        span: range.start..range.end,
        pointer,
        style,
        tag: None,
    }
}

/// Parses a JSON number literal (already validated by the parser).
pub(crate) fn number(raw: &str) -> Number {
    let int = if raw.contains(['.', 'e', 'E']) {
        None
    } else {
        raw.parse::<i64>().ok()
    };
    Number {
        raw: raw.into(),
        int,
        float: raw.parse::<f64>().unwrap_or(f64::NAN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_pointers() {
        let text = r#"{"a": [1, {"b/c": "x"}], "n": 2.5}"#;
        let root = parse(text).unwrap();
        let x = root.at_pointer("/a/1/b~1c").unwrap();
        assert_eq!(x.as_str(), Some("x"));
        assert_eq!(&text[x.span.clone()], "\"x\"");
        assert_eq!(x.pointer, "/a/1/b~1c");
        assert_eq!(root.get("n").unwrap().as_i64(), None);
        assert_eq!(root.at_pointer("/a/0").unwrap().as_i64(), Some(1));
    }

    #[test]
    fn strict_json_rejects_extensions() {
        for bad in [
            "{\"a\": 1,}",
            "{// c\n}",
            "{a: 1}",
            "{'a': 1}",
            "[01]",
            "",
            "{\"a\" 1}",
        ] {
            let err = parse(bad).unwrap_err();
            assert!(!err.message.is_empty(), "{bad}");
        }
        let err = parse("{\"a\": 1,}").unwrap_err();
        assert!(err.message.contains("trailing comma"), "{}", err.message);
        assert_eq!(err.span.start, 7);
    }

    #[test]
    fn raw_control_characters_in_strings_are_errors() {
        let err = parse("{\"a\": \"x\ny\"}").unwrap_err();
        assert!(err.message.contains("line break"), "{}", err.message);
        assert_eq!(err.span, 6..8);
        let err = parse("{\"a\tb\": 1}").unwrap_err();
        assert!(err.message.contains("U+0009"), "{}", err.message);
        assert_eq!(err.span, 3..4);
        // A missing closing quote is blamed on its own line, not where the
        // parser stumbles later.
        let text = "{\n  \"a\": \"x,\n  \"b\": 1\n}";
        let err = parse(text).unwrap_err();
        assert_eq!(&text[err.span.clone()], "\"x,");
        // Escaped forms and whitespace between tokens are fine.
        assert!(parse("{\"a\": \"x\\ny\\t\\\"\",\n\t\"b\": 1}").is_ok());
    }

    #[test]
    fn unterminated_strings_point_at_their_line() {
        let text = "{\n  \"a\": 1,\n  \"b: 2\n}\n";
        let err = parse(text).unwrap_err();
        assert_eq!(&text[err.span.clone()], "\"b: 2");
    }

    #[test]
    fn duplicate_keys_are_kept() {
        let root = parse(r#"{"a": 1, "a": 2}"#).unwrap();
        assert_eq!(root.get("a").unwrap().as_i64(), Some(2));
        assert_eq!(root.duplicate_keys().len(), 1);
    }
}
