//! Small helpers shared by the Dockerrun rules: typed field access that
//! reports wrong types, unknown-key findings with "did you mean" hints, and
//! where to point when something is missing.

use crate::diag::{Finding, Severity};
use crate::syntax::{Entry, Node, Value};
use crate::validate::Ctx;
use std::ops::Range;

/// Where to point when a required key is missing from `obj`: the value of
/// its `name` key when there is one, else the opening brace.
pub(super) fn anchor(obj: &Node) -> (Range<usize>, String) {
    if let Some(name) = obj.get("name") {
        return (name.span.clone(), obj.pointer.clone());
    }
    let start = obj.span.start;
    (
        start..start.saturating_add(1).min(obj.span.end.max(start)),
        obj.pointer.clone(),
    )
}

/// A finding placed at [`anchor`] of `obj`.
pub(super) fn missing(finding: Finding, obj: &Node) -> Finding {
    let (span, pointer) = anchor(obj);
    finding.at_span(span, pointer)
}

/// A short rendering of a scalar for messages (`"64"`, `8`, `true`).
pub(super) fn show(node: &Node) -> String {
    let s = match &node.value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.raw.clone(),
        Value::String(s) => format!("\"{s}\""),
        Value::Seq(_) => "[…]".to_owned(),
        Value::Map(_) => "{…}".to_owned(),
    };
    truncate(&s, 60)
}

/// Cuts `s` to at most `max` characters, marking the cut.
pub(super) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}

/// Reports that `node` (described by `what`) should be `expected`.
pub(super) fn wrong_type(
    ctx: &mut Ctx<'_>,
    code: &'static str,
    node: &Node,
    what: &str,
    expected: &str,
) {
    ctx.push(
        Finding::error(
            code,
            format!(
                "{what} must be {expected}, found {} `{}`",
                node.type_name(),
                show(node)
            ),
            fix_help(node, expected),
        )
        .at(node),
    );
}

/// A one-line fix for a wrongly typed value: drop the quotes when the
/// string holds what is expected, else name the expected type.
fn fix_help(node: &Node, expected: &str) -> String {
    if let Some(s) = node.as_str() {
        let t = s.trim();
        if expected.starts_with("an integer") && t.parse::<i64>().is_ok() {
            return format!("remove the quotes: `{t}`");
        }
        if expected.starts_with("a boolean") && (t == "true" || t == "false") {
            return format!("remove the quotes: `{t}`");
        }
    }
    if expected == "a string" && matches!(node.value, Value::Number(_) | Value::Bool(_)) {
        return format!("quote it: `\"{}\"`", show(node));
    }
    format!("change it to {expected}")
}

/// The string value of `node`, or a type finding.
pub(super) fn want_str<'n>(
    ctx: &mut Ctx<'_>,
    code: &'static str,
    node: &'n Node,
    what: &str,
) -> Option<&'n str> {
    let s = node.as_str();
    if s.is_none() {
        wrong_type(ctx, code, node, what, "a string");
    }
    s
}

/// The array items of `node`, or a type finding.
pub(super) fn want_seq<'n>(
    ctx: &mut Ctx<'_>,
    code: &'static str,
    node: &'n Node,
    what: &str,
    expected: &str,
) -> Option<&'n [Node]> {
    let s = node.items();
    if s.is_none() {
        wrong_type(ctx, code, node, what, expected);
    }
    s
}

/// The entries of `node`, or a type finding.
pub(super) fn want_map<'n>(
    ctx: &mut Ctx<'_>,
    code: &'static str,
    node: &'n Node,
    what: &str,
) -> Option<&'n [Entry]> {
    let s = node.entries();
    if s.is_none() {
        wrong_type(ctx, code, node, what, "an object");
    }
    s
}

/// The boolean value of `node`, or a type finding.
pub(super) fn want_bool(
    ctx: &mut Ctx<'_>,
    code: &'static str,
    node: &Node,
    what: &str,
) -> Option<bool> {
    let b = node.as_bool();
    if b.is_none() {
        wrong_type(
            ctx,
            code,
            node,
            what,
            "a boolean (`true` or `false`, unquoted)",
        );
    }
    b
}

/// The integer value of `node`, or a type finding.
pub(super) fn want_int(
    ctx: &mut Ctx<'_>,
    code: &'static str,
    node: &Node,
    what: &str,
) -> Option<i64> {
    let i = node.as_i64();
    if i.is_none() {
        let expected = if matches!(node.value, Value::Number(_)) {
            "a whole number that fits 64 bits"
        } else {
            "an integer (a JSON number, not a quoted string)"
        };
        wrong_type(ctx, code, node, what, expected);
    }
    i
}

/// Checks that `value` is an integer within `lo..=hi`; reports otherwise.
pub(super) fn want_int_in(
    ctx: &mut Ctx<'_>,
    code: &'static str,
    node: &Node,
    what: &str,
    lo: i64,
    hi: i64,
) -> Option<i64> {
    let i = want_int(ctx, code, node, what)?;
    if i < lo || i > hi {
        ctx.push(
            Finding::error(
                code,
                format!("{what} is {i}; it must be between {lo} and {hi}"),
                format!("use a value from {lo} to {hi}"),
            )
            .at(node),
        );
        return None;
    }
    Some(i)
}

/// Levenshtein distance, on characters.
pub(super) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The known key closest to `key`, when the match is obvious: same letters
/// ignoring case, `_` and `-` (`depends_on` → `dependsOn`), an alias of a
/// docker-compose spelling, or a small edit distance (`memmory` → `memory`).
pub(super) fn suggest<'k>(
    key: &str,
    known: &[&'k str],
    aliases: &[(&str, &'k str)],
) -> Option<&'k str> {
    if key.len() > 64 {
        return None;
    }
    let folded = fold(key);
    if let Some(k) = known.iter().find(|k| fold(k) == folded) {
        return Some(k);
    }
    if let Some((_, k)) = aliases.iter().find(|(a, _)| fold(a) == folded) {
        return Some(k);
    }
    let limit = (key.chars().count() / 4).clamp(1, 3);
    known
        .iter()
        .map(|k| (distance(&folded, &fold(k)), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Reports an unknown key of an object, with a suggestion when obvious.
#[allow(clippy::too_many_arguments)]
pub(super) fn unknown_key(
    ctx: &mut Ctx<'_>,
    code: &'static str,
    severity: Severity,
    entry: &Entry,
    place: &str,
    known: &[&'static str],
    aliases: &[(&str, &'static str)],
    fallback_help: &str,
) {
    let help = match suggest(&entry.key, known, aliases) {
        Some(k) if k != entry.key => format!("did you mean `{k}`?"),
        _ => fallback_help.to_owned(),
    };
    ctx.push(
        Finding::new(
            code,
            severity,
            format!("unknown key `{}` in {place}", truncate(&entry.key, 60)),
            help,
        )
        .at_key(entry),
    );
}

/// Reports every key of `obj` not in `known` with the rule's own code, at
/// the unknown-key severity of the options (error, or warning with
/// `--allow-unknown-keys`).
pub(super) fn unknown_keys_in(
    ctx: &mut Ctx<'_>,
    code: &'static str,
    obj: &Node,
    place: &str,
    known: &[&'static str],
) {
    let severity = crate::validate::unknown_key_severity(ctx.options);
    for e in obj.entries().unwrap_or_default() {
        if !known.contains(&e.key.as_str()) {
            let help = format!("allowed keys here: {}", list(known));
            unknown_key(ctx, code, severity, e, place, known, &[], &help);
        }
    }
}

/// `a`, `b` and `c` as backticked list.
pub(super) fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reports duplicate keys of an object (JSON parsers keep the last one).
pub(super) fn duplicate_keys(ctx: &mut Ctx<'_>, code: &'static str, obj: &Node, place: &str) {
    for (key, entries) in obj.duplicate_keys() {
        let Some(first) = entries.first() else {
            continue;
        };
        for dup in entries.iter().skip(1) {
            ctx.push(
                Finding::error(
                    code,
                    format!(
                        "key `{}` appears more than once in {place}; only the last one is used",
                        truncate(key, 60)
                    ),
                    "keep a single entry for the key",
                )
                .at_key(dup)
                .label(first.key_span.clone(), "first defined here"),
            );
        }
    }
}

/// True for names matching `^[A-Za-z0-9_-]{1,255}$` (containers, volumes).
pub(super) fn is_ecs_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("memmory", "memory"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggestions() {
        let known = [
            "memory",
            "memoryReservation",
            "portMappings",
            "dependsOn",
            "image",
        ];
        assert_eq!(suggest("memmory", &known, &[]), Some("memory"));
        assert_eq!(suggest("port_mappings", &known, &[]), Some("portMappings"));
        assert_eq!(suggest("depends_on", &known, &[]), Some("dependsOn"));
        assert_eq!(suggest("Image", &known, &[]), Some("image"));
        assert_eq!(
            suggest("ports", &known, &[("ports", "portMappings")]),
            Some("portMappings")
        );
        assert_eq!(suggest("zzz", &known, &[]), None);
    }
}
