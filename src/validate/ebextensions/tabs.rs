//! R64: TAB characters in indentation.
//!
//! EB's YAML parser rejects a tab wherever YAML expects indentation, but a
//! tab inside a block scalar (`content: |`) is ordinary text (the official
//! `nodejs-increase-file-descriptors.config` has them). With a parsed tree
//! the spans of scalars tell content from indentation; when the file does
//! not parse, a line scan that tracks block scalars does.

use crate::syntax::{Node, Style, Value};
use std::ops::Range;

/// Byte offset of the first indentation tab of every offending line.
pub(super) fn indentation_tabs(text: &str, root: Option<&Node>) -> Vec<usize> {
    let scalars = root.map(scalar_spans);
    let mut out = Vec::new();
    let mut block: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let lead_len = body.len() - body.trim_start_matches([' ', '\t']).len();
        let lead = &body[..lead_len];
        let spaces = body.len() - body.trim_start_matches(' ').len();
        let blank = lead_len == body.len();
        if let Some(parent) = block {
            if blank || spaces > parent {
                continue;
            }
            block = None;
        }
        if let Some(i) = lead.find('\t') {
            let at = start + i;
            let inside = scalars.as_ref().is_some_and(|s| {
                let i = s.partition_point(|r| r.start <= at);
                i > 0 && at < s[i - 1].end
            });
            if !inside {
                out.push(at);
            }
        }
        if root.is_none() && starts_block(body) {
            block = Some(spaces);
        }
    }
    out
}

/// True when a line ends with a block-scalar indicator (`key: |`, `- >-`).
fn starts_block(line: &str) -> bool {
    let code = match line.find(" #") {
        Some(i) => &line[..i],
        None => line,
    };
    let code = code.trim_end();
    let ind = code.trim_end_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit());
    (ind.ends_with('|') || ind.ends_with('>'))
        && ind[..ind.len() - 1]
            .chars()
            .last()
            .is_none_or(|c| c == ' ' || c == ':' || c == '-')
}

/// The spans of quoted and block scalars, sorted and merged so that a tab
/// is placed by binary search.
fn scalar_spans(root: &Node) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    root.walk(&mut |n| {
        if !matches!(n.value, Value::Seq(_) | Value::Map(_)) && n.style != Style::Plain {
            spans.push(n.span.clone());
        }
    });
    spans.sort_unstable_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for r in spans {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_indentation_tabs_only() {
        let t = "commands:\n\t01:\n\t\tcommand: x\n";
        assert_eq!(indentation_tabs(t, None), vec![10, 15]);
        let t = "files:\n  /x:\n    content: |\n      a\tb\n      \tc\n    mode: '1'\n";
        assert!(indentation_tabs(t, None).is_empty());
        let root = crate::syntax::yaml::parse(t).unwrap();
        assert!(indentation_tabs(t, Some(&root)).is_empty());
    }
}
