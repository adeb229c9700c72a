//! Strict JSON (RFC 8259) into a spanned [`Node`] tree, via `jsonc-parser`
//! with every JSONC/JSON5 extension switched off: EB and ECS parse Dockerrun
//! files with strict parsers, so comments or trailing commas are errors.

use super::SyntaxError;
use super::tree::{Entry, Node, Number, Style, Value, escape_pointer};
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
        SyntaxError {
            message: lowercase_first(&e.kind().to_string()),
            span: r.start..r.end,
        }
    })?;
    match parsed.value {
        Some(v) => Ok(convert(v, String::new())),
        None => Err(SyntaxError {
            message: "expected a JSON value, found an empty file".into(),
            span: 0..0,
        }),
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
                .map(|(i, e)| convert(e, format!("{pointer}/{i}")))
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
                    let child = format!("{pointer}/{}", escape_pointer(&key));
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
        raw: raw.to_owned(),
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
    fn duplicate_keys_are_kept() {
        let root = parse(r#"{"a": 1, "a": 2}"#).unwrap();
        assert_eq!(root.get("a").unwrap().as_i64(), Some(2));
        assert_eq!(root.duplicate_keys().len(), 1);
    }
}
