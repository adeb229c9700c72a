//! What the tree builder must know about anchors before it builds: which
//! anchors an alias uses, and whether the aliases expand past the limit.
//!
//! The builder copies an anchored node into its anchor table so that a
//! later alias can copy it again. Copying every anchored node costs the
//! size of its subtree, and anchors nest: a chain of 600 nested anchors
//! that no alias uses made a 400 KB file cost gigabytes. This pre-pass
//! reads the event stream once, without building anything, and counts what
//! each alias would copy; the builder then copies only the anchors an alias
//! uses, and each of those copies is no larger than the alias's own copy,
//! which the limit bounds. A file without a `*` has no alias and skips the
//! pre-pass.

use super::super::SyntaxError;
use super::MAX_ALIAS_NODES;
use saphyr_parser::{Event, Parser};
use std::collections::{HashMap, HashSet};

/// A collection being read: how many tree nodes it holds so far, its
/// anchor, whether it is a mapping (whose keys become text, not tree
/// nodes) and whether a mapping's next child is a key.
struct Open {
    nodes: usize,
    anchor: usize,
    map: bool,
    next_is_key: bool,
}

/// The anchors some alias refers to, or the error of the first alias
/// whose copy would pass [`MAX_ALIAS_NODES`] copied nodes in total.
/// `span` turns a parser span into a byte range for the error. Parse
/// errors are left to the builder, which reports them with their place.
pub(super) fn aliased(
    text: &str,
    span: impl Fn(saphyr_parser::Span) -> std::ops::Range<usize>,
) -> Result<HashSet<usize>, SyntaxError> {
    let mut out = HashSet::new();
    if !text.contains('*') {
        return Ok(out);
    }
    // Tree nodes in each anchored node, aliases expanded.
    let mut sizes: HashMap<usize, usize> = HashMap::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut expanded = 0usize;
    let mut parser = Parser::new_from_str(text);
    // What a finished node adds to its parent: nothing when it is a key.
    let close = |stack: &mut Vec<Open>, nodes: usize| {
        if let Some(parent) = stack.last_mut() {
            let is_key = parent.map && parent.next_is_key;
            if parent.map {
                parent.next_is_key = !parent.next_is_key;
            }
            if !is_key {
                parent.nodes = parent.nodes.saturating_add(nodes);
            }
        }
    };
    while let Some(Ok((event, at))) = parser.next_event() {
        match event {
            Event::Scalar(_, _, anchor, _) => {
                if anchor != 0 {
                    sizes.insert(anchor, 1);
                }
                close(&mut stack, 1);
            }
            Event::Alias(id) => {
                out.insert(id);
                // As the builder counts: every alias copies its target,
                // keys included (a key's copy becomes its text).
                let size = sizes.get(&id).copied().unwrap_or(1);
                expanded = expanded.saturating_add(size);
                if expanded > MAX_ALIAS_NODES {
                    return Err(SyntaxError {
                        message: format!(
                            "aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb)"
                        ),
                        span: span(at),
                    });
                }
                close(&mut stack, size);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                stack.push(Open {
                    nodes: 1,
                    anchor,
                    map: matches!(event, Event::MappingStart(..)),
                    next_is_key: true,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(done) = stack.pop() else { continue };
                if done.anchor != 0 {
                    sizes.insert(done.anchor, done.nodes);
                }
                close(&mut stack, done.nodes);
            }
            Event::StreamEnd => break,
            _ => {}
        }
    }
    Ok(out)
}
