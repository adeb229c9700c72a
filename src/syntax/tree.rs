//! The spanned document tree shared by the JSON and YAML front ends.

use std::collections::HashMap;
use std::ops::Range;

/// How a scalar was written. JSON scalars are [`Style::Json`]; YAML keeps
/// its own styles so rules can tell `mode: "000755"` from `mode: 000755`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A JSON value (strings always quoted, types explicit).
    Json,
    /// A YAML plain (unquoted) scalar, typed by YAML 1.1 rules.
    Plain,
    /// A YAML single- or double-quoted scalar: always a string.
    Quoted,
    /// A YAML literal (`|`) or folded (`>`) block scalar: always a string.
    Block,
    /// A mapping or sequence.
    Collection,
}

/// A number as written, with its integer value when it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    /// The source text (`8000`, `1e3`, `0755`). Boxed, as the tree's
    /// other text: a node is kept small, since a file holds 10^5 of them.
    pub raw: Box<str>,
    /// The integer value, if the number is an integer that fits `i64`.
    pub int: Option<i64>,
    /// The value as a float.
    pub float: f64,
}

/// A parsed value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty YAML value.
    Null,
    /// A boolean (YAML 1.1 also reads `yes`/`no`/`on`/`off`).
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// An array / sequence.
    Seq(Vec<Node>),
    /// An object / mapping, in source order, duplicates kept.
    Map(Vec<Entry>),
}

/// A value with its place in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Byte range of the value in the source.
    pub span: Range<usize>,
    /// JSON pointer of the node from the document root (`""` for the root).
    pub pointer: String,
    /// How the value was written.
    pub style: Style,
    /// An explicit YAML tag (`!!str`, `!Ref`), if any.
    pub tag: Option<Box<str>>,
}

/// One key/value pair of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key as text (non-string YAML keys are rendered as written).
    pub key: String,
    /// Byte range of the key.
    pub key_span: Range<usize>,
    /// The value.
    pub value: Node,
}

/// Escapes one JSON pointer segment (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The pointer of the member `key` of the node at `parent`, allocated at
/// its exact size: every node of a tree holds one.
pub(crate) fn key_pointer(parent: &str, key: &str) -> String {
    let escapes = key.bytes().filter(|b| matches!(b, b'~' | b'/')).count();
    let mut out = String::with_capacity(parent.len() + 1 + key.len() + escapes);
    out.push_str(parent);
    out.push('/');
    if escapes == 0 {
        out.push_str(key);
    } else {
        for c in key.chars() {
            match c {
                '~' => out.push_str("~0"),
                '/' => out.push_str("~1"),
                c => out.push(c),
            }
        }
    }
    out
}

/// The pointer of item `index` of the sequence at `parent`, exact-sized.
pub(crate) fn index_pointer(parent: &str, index: usize) -> String {
    let digits = index.checked_ilog10().map_or(1, |d| d as usize + 1);
    let mut out = String::with_capacity(parent.len() + 1 + digits);
    out.push_str(parent);
    out.push('/');
    // Writing an integer into a `String` cannot fail.
    let _ = std::fmt::Write::write_fmt(&mut out, format_args!("{index}"));
    out
}

impl Node {
    /// The mapping entries, if this is a mapping.
    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(e) => Some(e),
            _ => None,
        }
    }

    /// The sequence items, if this is a sequence.
    pub fn items(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(v) => Some(v),
            _ => None,
        }
    }

    /// The value of `key` in a mapping. With duplicate keys the last one
    /// wins, as in the parsers EB and ECS use.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()?
            .iter()
            .rev()
            .find(|e| e.key == key)
            .map(|e| &e.value)
    }

    /// The entry of `key` (last one on duplicates), to point at the key.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().rev().find(|e| e.key == key)
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is an integer number.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Number(n) => n.int,
            _ => None,
        }
    }

    /// The boolean, if this is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// A short name of the value's type for messages (`a string`, `an integer`).
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(n) if n.int.is_some() => "an integer",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Seq(_) => "an array",
            Value::Map(_) => "an object",
        }
    }

    /// The node at `pointer` below this one (RFC 6901).
    pub fn at_pointer(&self, pointer: &str) -> Option<&Node> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut node = self;
        for raw in pointer.strip_prefix('/')?.split('/') {
            let seg = raw.replace("~1", "/").replace("~0", "~");
            node = match &node.value {
                Value::Map(_) => node.get(&seg)?,
                Value::Seq(items) => items.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Groups of entries sharing a key: `(key, [each occurrence])` for
    /// every key that occurs more than once, in the order of the keys'
    /// first occurrences. One pass with a hash map: a mapping of 10^5
    /// keys costs 10^5 look-ups, not 10^10 comparisons.
    pub fn duplicate_keys(&self) -> Vec<(&str, Vec<&Entry>)> {
        let Some(entries) = self.entries() else {
            return Vec::new();
        };
        // Small mappings (nearly all of them) compare pairwise: cheaper
        // than hashing, and bounded.
        if entries.len() <= 16 {
            let mut out: Vec<(&str, Vec<&Entry>)> = Vec::new();
            for (i, e) in entries.iter().enumerate() {
                if entries[..i].iter().any(|p| p.key == e.key) {
                    continue;
                }
                let same: Vec<&Entry> = entries[i..].iter().filter(|p| p.key == e.key).collect();
                if same.len() > 1 {
                    out.push((e.key.as_str(), same));
                }
            }
            return out;
        }
        // Key → (index of its first entry, index of its group in `out`,
        // `usize::MAX` while the key was seen once).
        let mut slots: HashMap<&str, (usize, usize)> = HashMap::with_capacity(entries.len());
        let mut out: Vec<(usize, &str, Vec<&Entry>)> = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let slot = slots.entry(e.key.as_str()).or_insert((i, usize::MAX));
            if slot.0 == i {
                continue;
            }
            if slot.1 == usize::MAX {
                slot.1 = out.len();
                out.push((slot.0, e.key.as_str(), vec![&entries[slot.0]]));
            }
            out[slot.1].2.push(e);
        }
        // In the order of the keys' first occurrences, as the small case.
        out.sort_unstable_by_key(|g| g.0);
        out.into_iter().map(|(_, k, same)| (k, same)).collect()
    }

    /// True when both nodes load as the same value, wherever and however
    /// they were written (`"1.6"` and `'1.6'`, `0755` and `493`; mappings
    /// in the same order).
    pub fn same_value(&self, other: &Node) -> bool {
        match (&self.value, &other.value) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => match (a.int, b.int) {
                (Some(x), Some(y)) => x == y,
                _ => a.float == b.float || a.raw == b.raw,
            },
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Seq(a), Value::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_value(y))
            }
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|(x, y)| x.key == y.key && x.value.same_value(&y.value))
            }
            _ => false,
        }
    }

    /// Visits this node and every node below it, depth first in source order.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Node)) {
        f(self);
        match &self.value {
            Value::Seq(items) => items.iter().for_each(|n| n.walk(f)),
            Value::Map(entries) => entries.iter().for_each(|e| e.value.walk(f)),
            _ => {}
        }
    }

    /// Converts to a `serde_json::Value` (duplicate keys: last wins).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => match n.int {
                Some(i) => J::from(i),
                None => serde_json::Number::from_f64(n.float).map_or(J::Null, J::Number),
            },
            Value::String(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                let mut m = serde_json::Map::new();
                for e in entries {
                    m.insert(e.key.clone(), e.value.to_json());
                }
                J::Object(m)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{escape_pointer, index_pointer, key_pointer};
    use crate::syntax::{json, yaml};

    #[test]
    fn pointers_are_escaped_and_exact() {
        for key in ["a", "a/b~c", "~", "é/ü", ""] {
            let p = key_pointer("/x", key);
            assert_eq!(p, format!("/x/{}", escape_pointer(key)));
            assert_eq!(p.capacity(), p.len(), "{key}");
        }
        for i in [0, 9, 10, 12345, usize::MAX] {
            let p = index_pointer("/list", i);
            assert_eq!(p, format!("/list/{i}"));
            assert_eq!(p.capacity(), p.len());
        }
    }

    #[test]
    fn same_value_ignores_how_and_where_a_value_is_written() {
        let root = yaml::parse(
            "a: ['1.6', {k: 0755}]\nb: [\"1.6\", {k: 493}]\nc: ['1.6', {k: 755}]\nd: [1.6, {k: 493}]\n",
        )
        .unwrap();
        let get = |k: &str| root.get(k).unwrap();
        assert!(get("a").same_value(get("b")));
        assert!(!get("a").same_value(get("c")));
        // A number is not the string of its digits.
        assert!(!get("b").same_value(get("d")));
        let j = json::parse(r#"{"x": ["1.6", {"k": 493}]}"#).unwrap();
        assert!(j.get("x").unwrap().same_value(get("b")));
        // Mappings compare in order.
        let m = yaml::parse("a: {x: 1, y: 2}\nb: {y: 2, x: 1}\n").unwrap();
        assert!(!m.get("a").unwrap().same_value(m.get("b").unwrap()));
    }
}
