//! YAML into a spanned [`Node`] tree, via `saphyr-parser`'s event stream.
//!
//! Why events and not a ready-made YAML→serde layer: validation needs what
//! deserializers throw away — every duplicate key (EB silently drops one of
//! the two sections), each scalar's style (`mode: 000755` unquoted is an
//! integer, R79) and the exact span of every key and value. Plain scalars are
//! typed with YAML 1.1 rules (`yes`, `on`, `0755` octal), which is what EB's
//! own parser applies to `.ebextensions`.
//!
//! Where YAML 1.2 and the PyYAML family differ on indentation inside flow
//! collections, the file is read the PyYAML way (see `yaml/flow.rs`).

mod aliases;
mod flow;

use super::SyntaxError;
use super::tree::{Entry, Node, Number, Style, Value, index_pointer, key_pointer};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// Parses `text` as a single YAML document. An empty document is `Null`.
///
/// A file that fails only because lines of a flow collection sit left of
/// their block (which PyYAML and SnakeYAML accept) is read again with those
/// lines moved right; positions still point into `text`.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let err = match Builder::new(text).run() {
        Ok(root) => return Ok(root),
        Err(e) => e,
    };
    if let Some(shifted) = flow::indent_flow_lines(text)
        && let Ok(mut root) = Builder::new(&shifted.text).run()
    {
        shifted.restore(&mut root);
        return Ok(root);
    }
    Err(err)
}

enum Frame {
    Seq {
        start: usize,
        items: Vec<Node>,
        pointer: String,
        anchor: usize,
        tag: Option<Box<str>>,
    },
    Map {
        start: usize,
        entries: Vec<Entry>,
        key: Option<(String, Range<usize>)>,
        pointer: String,
        anchor: usize,
        tag: Option<Box<str>>,
    },
}

struct Builder<'a> {
    text: &'a str,
    /// Byte offset of every [`CHAR_STEP`]-th character (saphyr reports
    /// character indices); empty when the text is ASCII and both are the
    /// same. A table per character would cost 8 bytes per input byte.
    char_steps: Vec<usize>,
    stack: Vec<Frame>,
    /// The anchors some alias uses (see `yaml/aliases.rs`): only these are
    /// copied into `anchors`.
    aliased: HashSet<usize>,
    /// Anchored nodes with the number of nodes in each.
    anchors: HashMap<usize, (Node, usize)>,
    /// Nodes copied so far by aliases (bounded: see [`MAX_ALIAS_NODES`]).
    expanded: usize,
    root: Option<Node>,
    documents: usize,
}

/// Characters between two entries of [`Builder::char_steps`].
const CHAR_STEP: usize = 64;

impl<'a> Builder<'a> {
    fn new(text: &'a str) -> Self {
        let char_steps = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .step_by(CHAR_STEP)
                .map(|(b, _)| b)
                .collect()
        };
        Self {
            text,
            char_steps,
            stack: Vec::new(),
            aliased: HashSet::new(),
            anchors: HashMap::new(),
            expanded: 0,
            root: None,
            documents: 0,
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.char_steps.is_empty() {
            return char_index.min(self.text.len());
        }
        let Some(&from) = self.char_steps.get(char_index / CHAR_STEP) else {
            return self.text.len();
        };
        self.text[from..]
            .char_indices()
            .nth(char_index % CHAR_STEP)
            .map_or(self.text.len(), |(b, _)| from + b)
    }

    fn range(&self, span: Span) -> Range<usize> {
        self.byte(span.start.index())..self.byte(span.end.index())
    }

    /// Pointer for the node about to start at the top of the stack.
    fn child_pointer(&self) -> String {
        match self.stack.last() {
            None => String::new(),
            Some(Frame::Seq { items, pointer, .. }) => index_pointer(pointer, items.len()),
            Some(Frame::Map {
                key: Some((k, _)),
                pointer,
                ..
            }) => key_pointer(pointer, k),
            // A node in key position: keys have no pointer of their own.
            Some(Frame::Map { pointer, .. }) => pointer.clone(),
        }
    }

    fn run(mut self) -> Result<Node, SyntaxError> {
        self.aliased = aliases::aliased(self.text, |span| self.range(span))?;
        let mut parser = Parser::new_from_str(self.text);
        loop {
            let (event, span) = match parser.next_event() {
                None => break,
                Some(Ok(ev)) => ev,
                Some(Err(e)) => {
                    // An error found at the end of the input (an unclosed
                    // flow collection or quote) is shown just after the
                    // last text, not on the empty line after it.
                    let at = self.byte(e.marker().index());
                    let content_end = self.text.trim_end().len();
                    let at = if at > content_end { content_end } else { at };
                    return Err(SyntaxError {
                        message: e.info().to_owned(),
                        span: at..at,
                    });
                }
            };
            match event {
                Event::StreamEnd => break,
                Event::DocumentStart(_) => {
                    self.documents += 1;
                    if self.documents > 1 {
                        let r = self.range(span);
                        return Err(SyntaxError {
                            message:
                                "a configuration file holds one YAML document; found a second `---`"
                                    .into(),
                            span: r,
                        });
                    }
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let tag = tag.map(|t| t.to_string().into_boxed_str());
                    let range = self.range(span);
                    let pointer = self.child_pointer();
                    let node = scalar(&value, style, tag, range, pointer);
                    self.finish(node, anchor);
                }
                Event::Alias(id) => {
                    let range = self.range(span);
                    let pointer = self.child_pointer();
                    let Some((target, size)) = self.anchors.get(&id) else {
                        return Err(SyntaxError {
                            message: "alias refers to an unknown anchor".into(),
                            span: range,
                        });
                    };
                    self.expanded = self.expanded.saturating_add(*size);
                    if self.expanded > MAX_ALIAS_NODES {
                        return Err(SyntaxError {
                            message: format!(
                                "aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb)"
                            ),
                            span: range,
                        });
                    }
                    let mut node = target.clone();
                    rebase(&mut node, &pointer);
                    node.span = range;
                    self.finish(node, 0);
                }
                Event::SequenceStart(anchor, tag) => {
                    let pointer = self.child_pointer();
                    let start = self.range(span).start;
                    self.stack.push(Frame::Seq {
                        start,
                        items: Vec::new(),
                        pointer,
                        anchor,
                        tag: tag.map(|t| t.to_string().into_boxed_str()),
                    });
                }
                Event::MappingStart(anchor, tag) => {
                    let pointer = self.child_pointer();
                    let start = self.range(span).start;
                    self.stack.push(Frame::Map {
                        start,
                        entries: Vec::new(),
                        key: None,
                        pointer,
                        anchor,
                        tag: tag.map(|t| t.to_string().into_boxed_str()),
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let closing = self.range(span);
                    let (node, anchor) = match self.stack.pop() {
                        Some(Frame::Seq {
                            start,
                            items,
                            pointer,
                            anchor,
                            tag,
                        }) => {
                            let last = items.last().map(|n| n.span.end);
                            let end = self.collection_end(&closing, last, start);
                            // Pushed one by one: drop the growth slack.
                            let mut items = items;
                            items.shrink_to_fit();
                            (
                                collection(Value::Seq(items), start, end, pointer, tag),
                                anchor,
                            )
                        }
                        Some(Frame::Map {
                            start,
                            entries,
                            pointer,
                            anchor,
                            tag,
                            ..
                        }) => {
                            let last = entries.last().map(|e| e.value.span.end.max(e.key_span.end));
                            let end = self.collection_end(&closing, last, start);
                            let mut entries = entries;
                            entries.shrink_to_fit();
                            (
                                collection(Value::Map(entries), start, end, pointer, tag),
                                anchor,
                            )
                        }
                        None => continue,
                    };
                    self.finish(node, anchor);
                }
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            }
        }
        Ok(self.root.unwrap_or(Node {
            value: Value::Null,
            span: 0..0,
            pointer: String::new(),
            style: Style::Plain,
            tag: None,
        }))
    }

    /// Where a collection ends. A flow collection ends after its `]`/`}`;
    /// the end event of a block collection sits on the next token (often
    /// lines further down, or in the next list item), so a block collection
    /// ends with its last child instead: findings on it then do not spill
    /// into what follows.
    fn collection_end(
        &self,
        closing: &Range<usize>,
        last_child: Option<usize>,
        start: usize,
    ) -> usize {
        let at = self.text.as_bytes().get(closing.start).copied();
        if matches!(at, Some(b']' | b'}')) && closing.end > closing.start {
            return closing.end;
        }
        last_child.unwrap_or(start).max(start)
    }

    /// Attaches a completed node to its parent (or makes it the root).
    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor != 0 && self.aliased.contains(&anchor) {
            let size = count_nodes(&node);
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                Some((k, key_span)) => entries.push(Entry {
                    key: k,
                    key_span,
                    value: node,
                }),
                None => *key = Some((key_text(&node, self.text), node.span.clone())),
            },
        }
    }
}

/// How many nodes aliases may copy in one file. Real configuration files
/// stay far below; nested aliases ("billion laughs") would otherwise grow
/// exponentially and exhaust memory.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// Nodes in a subtree, the subtree's root included.
fn count_nodes(node: &Node) -> usize {
    let mut n = 0usize;
    node.walk(&mut |_| n += 1);
    n
}

fn collection(
    value: Value,
    start: usize,
    end: usize,
    pointer: String,
    tag: Option<Box<str>>,
) -> Node {
    Node {
        value,
        span: start..end.max(start),
        pointer,
        style: Style::Collection,
        tag,
    }
}

/// The text of a key: scalars by value, anything else as written.
fn key_text(node: &Node, text: &str) -> String {
    match &node.value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.raw.to_string(),
        Value::Bool(_) | Value::Null => text.get(node.span.clone()).unwrap_or("").to_owned(),
        _ => text.get(node.span.clone()).unwrap_or("").trim().to_owned(),
    }
}

/// Rewrites the pointers of a copied (aliased) subtree to its new place.
fn rebase(node: &mut Node, pointer: &str) {
    node.pointer = pointer.to_owned();
    match &mut node.value {
        Value::Seq(items) => {
            for (i, n) in items.iter_mut().enumerate() {
                rebase(n, &index_pointer(pointer, i));
            }
        }
        Value::Map(entries) => {
            for e in entries {
                let p = key_pointer(pointer, &e.key);
                rebase(&mut e.value, &p);
            }
        }
        _ => {}
    }
}

fn scalar(
    value: &str,
    style: ScalarStyle,
    tag: Option<Box<str>>,
    span: Range<usize>,
    pointer: String,
) -> Node {
    let (value, style) = match style {
        ScalarStyle::Plain => {
            let v = match tag.as_deref() {
                Some("!!str") => Value::String(value.to_owned()),
                _ => resolve_plain(value),
            };
            (v, Style::Plain)
        }
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
            (Value::String(value.to_owned()), Style::Quoted)
        }
        ScalarStyle::Literal | ScalarStyle::Folded => {
            (Value::String(value.to_owned()), Style::Block)
        }
    };
    Node {
        value,
        span,
        pointer,
        style,
        tag,
    }
}

/// Types a plain scalar by YAML 1.1 rules (the resolver PyYAML implements).
pub fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true);
        }
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        _ => {}
    }
    if let Some(int) = yaml11_int(s) {
        return Value::Number(Number {
            raw: s.into(),
            int: Some(int),
            #[allow(clippy::cast_precision_loss)]
            float: int as f64,
        });
    }
    if let Some(float) = yaml11_float(s) {
        return Value::Number(Number {
            raw: s.into(),
            int: None,
            float,
        });
    }
    Value::String(s.to_owned())
}

fn yaml11_int(s: &str) -> Option<i64> {
    // Most plain scalars are words: no allocation for them.
    if !s.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+') {
        return None;
    }
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let digits = |b: &str, radix: u32| -> Option<i64> {
        let clean: String = b.chars().filter(|&c| c != '_').collect();
        if clean.is_empty() || b.starts_with('_') {
            return None;
        }
        i64::from_str_radix(&clean, radix).ok()
    };
    let v = if let Some(b) = body.strip_prefix("0b") {
        digits(b, 2)?
    } else if let Some(h) = body.strip_prefix("0x") {
        digits(h, 16)?
    } else if body == "0" {
        0
    } else if let Some(o) = body.strip_prefix('0') {
        if !o.chars().all(|c| matches!(c, '0'..='7' | '_')) {
            return None;
        }
        digits(o, 8)?
    } else if body.contains(':') {
        // Sexagesimal (base 60), e.g. `1:30` = 90.
        let mut acc: i64 = 0;
        for (i, part) in body.split(':').enumerate() {
            let ok = !part.is_empty() && part.chars().all(|c| c.is_ascii_digit() || c == '_');
            if !ok || (i > 0 && part.len() > 2) {
                return None;
            }
            acc = acc.checked_mul(60)?.checked_add(digits(part, 10)?)?;
        }
        if !body.starts_with(|c: char| ('1'..='9').contains(&c)) {
            return None;
        }
        acc
    } else {
        if !body.starts_with(|c: char| ('1'..='9').contains(&c))
            || !body.chars().all(|c| c.is_ascii_digit() || c == '_')
        {
            return None;
        }
        digits(body, 10)?
    };
    Some(if neg { -v } else { v })
}

fn yaml11_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !body.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    match body {
        ".inf" | ".Inf" | ".INF" => {
            return Some(if s.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        ".nan" | ".NaN" | ".NAN" if body.len() == s.len() => return Some(f64::NAN),
        _ => {}
    }
    let clean: String = body.chars().filter(|&c| c != '_').collect();
    let (mantissa, exp) = match clean.find(['e', 'E']) {
        Some(i) => (&clean[..i], Some(&clean[i + 1..])),
        None => (clean.as_str(), None),
    };
    let mantissa_ok = {
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        (!int.is_empty() || !frac.is_empty())
            && int.chars().all(|c| c.is_ascii_digit())
            && frac.chars().all(|c| c.is_ascii_digit())
            && (mantissa.contains('.') || exp.is_some())
            && !int.is_empty()
    };
    let exp_ok = exp.is_none_or(|e| {
        let d = e.strip_prefix(['-', '+']).unwrap_or(e);
        !d.is_empty() && d.chars().all(|c| c.is_ascii_digit())
    });
    if !(mantissa_ok && exp_ok) || body.starts_with('_') {
        return None;
    }
    let v: f64 = clean.parse().ok()?;
    Some(if s.starts_with('-') { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml11_types() {
        assert_eq!(resolve_plain("yes"), Value::Bool(true));
        assert_eq!(resolve_plain("Off"), Value::Bool(false));
        assert!(matches!(
            resolve_plain("000755"),
            Value::Number(Number { int: Some(493), .. })
        ));
        assert!(matches!(
            resolve_plain("755"),
            Value::Number(Number { int: Some(755), .. })
        ));
        assert!(matches!(
            resolve_plain("0x1F"),
            Value::Number(Number { int: Some(31), .. })
        ));
        assert!(matches!(
            resolve_plain("1:30"),
            Value::Number(Number { int: Some(90), .. })
        ));
        assert!(matches!(
            resolve_plain("1e3"),
            Value::Number(Number { int: None, .. })
        ));
        assert!(matches!(
            resolve_plain("3.5"),
            Value::Number(Number { int: None, .. })
        ));
        assert_eq!(resolve_plain("~"), Value::Null);
        for s in ["0789", "1.2.3", "e3", "v1", "12ab", "-", ".", "1_000x"] {
            assert_eq!(resolve_plain(s), Value::String(s.into()), "{s}");
        }
    }

    #[test]
    fn spans_styles_and_duplicates() {
        let text = "files:\n  \"/x\":\n    mode: 000755\n    content: |\n      é\ncommands: {}\ncommands: []\n";
        let root = parse(text).unwrap();
        let mode = root.at_pointer("/files/~1x/mode").unwrap();
        assert_eq!(mode.style, Style::Plain);
        assert_eq!(mode.as_i64(), Some(493));
        assert_eq!(&text[mode.span.clone()], "000755");
        assert_eq!(mode.pointer, "/files/~1x/mode");
        let content = root.at_pointer("/files/~1x/content").unwrap();
        assert_eq!(content.style, Style::Block);
        assert_eq!(content.as_str(), Some("é\n"));
        let dups = root.duplicate_keys();
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].0, "commands");
        assert_eq!(&text[dups[0].1[1].key_span.clone()], "commands");
    }

    #[test]
    fn block_collections_end_with_their_last_child() {
        let text = "list:\n  - a: 1\n    b: 2\n\n  - {c: 3}\n  - [d, e]\nnext: x\n";
        let root = parse(text).unwrap();
        let item = root.at_pointer("/list/0").unwrap();
        assert_eq!(&text[item.span.clone()], "a: 1\n    b: 2");
        let flow = root.at_pointer("/list/1").unwrap();
        assert_eq!(&text[flow.span.clone()], "{c: 3}");
        let seq = root.at_pointer("/list/2").unwrap();
        assert_eq!(&text[seq.span.clone()], "[d, e]");
        let list = root.at_pointer("/list").unwrap();
        assert!(text[list.span.clone()].ends_with("[d, e]"));
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("alias"), "{}", err.message);
        // Ordinary reuse stays fine.
        assert!(parse("base: &b {x: 1}\none: *b\ntwo: *b\n").is_ok());
    }

    #[test]
    fn anchors_and_errors() {
        let root = parse("a: &x {k: 1}\nb: *x\n").unwrap();
        assert_eq!(root.at_pointer("/b/k").unwrap().pointer, "/b/k");
        let err = parse("a: [1\n").unwrap_err();
        assert!(!err.message.is_empty());
        assert!(parse("a: 1\n---\nb: 2\n").is_err());
        assert!(parse("").unwrap().is_null());
    }
}
