//! A second reading for flow collections written left of their block.
//!
//! `saphyr-parser` follows YAML 1.2 to the letter: every line of a flow
//! collection (`{ … }`, `[ … ]`) must sit right of the block mapping that
//! holds it, so this is an error there:
//!
//! ```yaml
//! packages:
//!   yum: {
//!     git: []
//! }
//! ```
//!
//! The parsers that read `.ebextensions` accept it: PyYAML's scanner returns
//! early from `unwind_indent` ("In the flow context, indentation is
//! ignored"), SnakeYAML — the Java port of PyYAML behind EB's service-side
//! reading — does the same in `unwindIndent`, and so does libyaml. So when a
//! file does not parse, [`indent_flow_lines`] moves every line that starts
//! inside a flow collection right of the collection's opening bracket and
//! the parser tries again. Leading spaces carry no meaning inside a flow
//! collection (a scalar that spans lines folds them away), so the move
//! changes no value; [`Shifted::original`] maps positions back.
//!
//! The scan that finds flow collections is a small tokenizer: block scalars,
//! quoted scalars (also over several lines), comments and plain scalars are
//! skipped, and a `{` or `[` opens a collection only where a node starts.
//! It gives up (no second reading) when the brackets do not balance.

use crate::syntax::{Node, Value};

/// The text with flow lines moved right, and where spaces were inserted.
pub(super) struct Shifted {
    /// The text to parse.
    pub(super) text: String,
    /// Each insertion: `(offset in text, spaces inserted, spaces inserted
    /// so far including these)`, in text order.
    inserts: Vec<(usize, usize, usize)>,
}

impl Shifted {
    /// The offset in the original text of offset `at` of [`Shifted::text`].
    /// Inserted spaces map to the start of their original line.
    pub(super) fn original(&self, at: usize) -> usize {
        let i = self.inserts.partition_point(|&(pos, _, _)| pos <= at);
        let Some(&(pos, pad, total)) = i.checked_sub(1).and_then(|i| self.inserts.get(i)) else {
            return at;
        };
        if at < pos + pad {
            pos - (total - pad)
        } else {
            at - total
        }
    }

    /// Points every span of `node`, parsed from [`Shifted::text`], back
    /// into the original text.
    pub(super) fn restore(&self, node: &mut Node) {
        let map = |r: &std::ops::Range<usize>| self.original(r.start)..self.original(r.end);
        node.span = map(&node.span);
        match &mut node.value {
            Value::Seq(items) => items.iter_mut().for_each(|n| self.restore(n)),
            Value::Map(entries) => {
                for e in entries {
                    e.key_span = map(&e.key_span);
                    self.restore(&mut e.value);
                }
            }
            _ => {}
        }
    }
}

/// `text` with each line that starts inside a flow collection indented past
/// the collection's opening bracket, or `None` when no line needs it (or
/// the scan cannot tell where collections are).
pub(super) fn indent_flow_lines(text: &str) -> Option<Shifted> {
    let mut scan = Scan::default();
    let mut out = String::with_capacity(text.len() + 64);
    let mut inserts = Vec::new();
    let mut total = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let lead = leading_spaces(body);
        if scan.depth > 0 && !body.trim().is_empty() && lead < scan.need {
            let pad = scan.need - lead;
            total += pad;
            inserts.push((out.len(), pad, total));
            out.push_str(&" ".repeat(pad));
        }
        out.push_str(line);
        scan.line(body);
    }
    let balanced = scan.depth == 0 && scan.quote.is_none();
    (total > 0 && balanced).then_some(Shifted { text: out, inserts })
}

fn leading_spaces(s: &str) -> usize {
    s.len() - s.trim_start_matches(' ').len()
}

/// Where the scan is between lines.
#[derive(Default)]
struct Scan {
    /// Open flow collections.
    depth: usize,
    /// The column a line inside the outermost open collection must reach
    /// (one past its opening bracket).
    need: usize,
    /// The quote of a quoted scalar that goes on to the next line.
    quote: Option<u8>,
    /// Inside a block scalar: the indentation of the line that opened it.
    block: Option<usize>,
    /// In a flow collection: a node may start here (after `{`, `[`, `,`,
    /// `:`), so a quote opens a quoted scalar rather than being text.
    node_start: bool,
}

impl Scan {
    fn line(&mut self, body: &str) {
        let b = body.as_bytes();
        if let Some(parent) = self.block {
            if body.trim().is_empty() || leading_spaces(body) > parent {
                return;
            }
            self.block = None;
        }
        let mut i = 0;
        if let Some(q) = self.quote {
            let Some(end) = close_quote(b, 0, q) else {
                return;
            };
            self.quote = None;
            self.node_start = false;
            i = end;
            if self.depth == 0 {
                if let Some(next) = value_after_scalar(b, i) {
                    self.block_line(body, next);
                }
                return;
            }
        }
        if self.depth == 0 {
            self.block_line(body, i);
        } else {
            self.flow(body, i);
        }
    }

    /// Block context from byte `i`: looks for the node starts of the line
    /// (after indentation, `- `, `? `, `key: `) and what each one opens.
    fn block_line(&mut self, body: &str, mut i: usize) {
        let b = body.as_bytes();
        loop {
            while i < b.len() && matches!(b[i], b' ' | b'\t') {
                i += 1;
            }
            let Some(&c) = b.get(i) else {
                return;
            };
            match c {
                b'#' => return,
                b'-' | b'?' | b':' if blank_at(b, i + 1) => i += 1,
                b'&' | b'!' => {
                    while i < b.len() && !matches!(b[i], b' ' | b'\t') {
                        i += 1;
                    }
                }
                b'{' | b'[' => {
                    self.depth = 1;
                    self.need = body[..i].chars().count() + 1;
                    self.node_start = true;
                    self.flow(body, i + 1);
                    return;
                }
                b'"' | b'\'' => {
                    let Some(end) = close_quote(b, i + 1, c) else {
                        self.quote = Some(c);
                        return;
                    };
                    match value_after_scalar(b, end) {
                        Some(next) => i = next,
                        None => return,
                    }
                }
                b'|' | b'>' => {
                    self.block = Some(leading_spaces(body));
                    return;
                }
                _ => match plain_key_end(b, i) {
                    Some(next) => i = next,
                    None => return,
                },
            }
        }
    }

    /// Flow context from byte `i`, until the line ends or the outermost
    /// collection closes.
    fn flow(&mut self, body: &str, mut i: usize) {
        let b = body.as_bytes();
        while let Some(&c) = b.get(i) {
            match c {
                b' ' | b'\t' => {}
                b'#' if i == 0 || matches!(b[i - 1], b' ' | b'\t') => return,
                b'{' | b'[' => {
                    self.depth += 1;
                    self.node_start = true;
                }
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    self.node_start = false;
                    if self.depth == 0 {
                        if let Some(next) = value_after_scalar(b, i + 1) {
                            self.block_line(body, next);
                        }
                        return;
                    }
                }
                b',' | b':' => self.node_start = true,
                b'"' | b'\'' if self.node_start => {
                    let Some(end) = close_quote(b, i + 1, c) else {
                        self.quote = Some(c);
                        return;
                    };
                    self.node_start = false;
                    i = end;
                    continue;
                }
                b'&' | b'!' | b'?' | b'-' if self.node_start => {}
                _ => self.node_start = false,
            }
            i += 1;
        }
    }
}

/// True when byte `i` is a blank or the end of the line.
fn blank_at(b: &[u8], i: usize) -> bool {
    b.get(i).is_none_or(|c| matches!(c, b' ' | b'\t'))
}

/// The offset just after the quote closing a scalar opened before `from`,
/// if it closes on this line.
fn close_quote(b: &[u8], from: usize, quote: u8) -> Option<usize> {
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'\\' if quote == b'"' => i += 1,
            b'\'' if quote == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 1,
            c if c == quote => return Some(i + 1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// After a scalar or collection ending before `i`: the offset after a
/// following value indicator (`: `), where the value node starts.
fn value_after_scalar(b: &[u8], mut i: usize) -> Option<usize> {
    while i < b.len() && matches!(b[i], b' ' | b'\t') {
        i += 1;
    }
    (b.get(i) == Some(&b':') && blank_at(b, i + 1)).then_some(i + 1)
}

/// A plain scalar from `i`: the offset after its value indicator when it
/// is a key (`key: value`), `None` when it is a value or a comment follows.
fn plain_key_end(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b':' if blank_at(b, i + 1) => return Some(i + 1),
            b'#' if i > from && matches!(b[i - 1], b' ' | b'\t') => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shifted(text: &str) -> Option<String> {
        indent_flow_lines(text).map(|s| s.text)
    }

    #[test]
    fn lines_of_a_flow_collection_move_past_its_bracket() {
        let text = "packages:\n  yum: {\n    git: [],\n  jq: []\n}\nnext: 1\n";
        let s = indent_flow_lines(text).unwrap();
        // `{` is at column 7: its lines start at column 8.
        let p = " ".repeat(8);
        assert_eq!(
            s.text,
            format!("packages:\n  yum: {{\n{p}git: [],\n{p}jq: []\n{p}}}\nnext: 1\n")
        );
        // Positions map back: `jq` and the closing brace.
        let jq = s.text.find("jq").unwrap();
        assert_eq!(s.original(jq), text.find("jq").unwrap());
        let brace = s.text.rfind('}').unwrap();
        assert_eq!(s.original(brace), text.rfind('}').unwrap());
        // An inserted space maps to the start of its line; the two spaces
        // that were there map to themselves.
        let line4 = text.find("  jq").unwrap();
        assert_eq!(s.original(jq - 3), line4);
        assert_eq!(s.original(jq - 1), line4 + 1);
        let next = s.text.find("next").unwrap();
        assert_eq!(s.original(next), text.find("next").unwrap());
    }

    #[test]
    fn nothing_to_move() {
        assert!(shifted("a: {b: 1}\nc: [1, 2]\n").is_none());
        assert!(shifted("a: {\n     b: 1}\n").is_none());
        // Brackets inside scalars, comments and block scalars open nothing.
        let text = "a: echo {x\nb: \"{\"\nc: '[' # [\nd: |\n  {\ne: x [y\n";
        assert!(shifted(text).is_none());
    }

    #[test]
    fn quoted_scalars_and_sequences() {
        let text = "option_settings: [\n{\"namespace\": \"a:b\", \"value\": \"}\"},\n'x'\n]\n";
        let p = " ".repeat(18);
        assert_eq!(
            shifted(text).unwrap(),
            format!(
                "option_settings: [\n{p}{{\"namespace\": \"a:b\", \"value\": \"}}\"}},\n{p}'x'\n{p}]\n"
            )
        );
        // A quoted scalar spanning lines inside the collection.
        let text = "a: [\"x\n y\", {b: 1\n}]\n";
        assert_eq!(shifted(text).unwrap(), "a: [\"x\n    y\", {b: 1\n    }]\n");
        // In a list item and after an anchor.
        let text = "- k: &a {\n  b: 1\n}\n";
        let p = " ".repeat(9);
        assert_eq!(
            shifted(text).unwrap(),
            format!("- k: &a {{\n{p}b: 1\n{p}}}\n")
        );
    }

    #[test]
    fn parse_reads_them_with_positions_in_the_original() {
        let text = "packages:\n  yum: {\n    git: [],\n  jq: [\"1.6\"]\n}\nnext: 1\n";
        let root = crate::syntax::yaml::parse(text).unwrap();
        let jq = root.at_pointer("/packages/yum/jq").unwrap();
        assert_eq!(&text[jq.span.clone()], "[\"1.6\"]");
        let entry = root
            .at_pointer("/packages/yum")
            .unwrap()
            .entry("jq")
            .unwrap();
        assert_eq!(&text[entry.key_span.clone()], "jq");
        let yum = root.at_pointer("/packages/yum").unwrap();
        assert!(text[yum.span.clone()].starts_with('{') && text[yum.span.clone()].ends_with('}'));
        // Still an error when something else is wrong too.
        assert!(crate::syntax::yaml::parse("a: {\nb: 1\n}\nc: [\n").is_err());
    }

    #[test]
    fn unbalanced_brackets_give_up() {
        assert!(shifted("a: {\nb: 1\n").is_none());
        assert!(shifted("a: [\"x\n").is_none());
    }
}
