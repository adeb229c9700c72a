//! Helpers shared by the `.ebextensions` rule modules.

use crate::diag::{Finding, Severity};
use crate::syntax::{Entry, Node, Style, Value};
use crate::validate::{Ctx, Rule};

/// Node types a rule can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// A mapping.
    Map,
}

impl Want {
    fn name(self) -> &'static str {
        match self {
            Want::Map => "a mapping",
        }
    }

    fn matches(self, node: &Node) -> bool {
        matches!((self, &node.value), (Want::Map, Value::Map(_)))
    }
}

/// A type error on `node` unless it is `want`: `<what> must be a mapping, found a string`.
pub(crate) fn expect(
    code: Rule,
    node: &Node,
    want: Want,
    what: &str,
    help: &str,
) -> Option<Finding> {
    if want.matches(node) {
        return None;
    }
    Some(
        code.error(
            format!("{what} must be {}, found {}", want.name(), type_desc(node)),
            help,
        )
        .at(node),
    )
}

/// `a string (`x`)`-style description of a node for messages.
pub(crate) fn type_desc(node: &Node) -> String {
    match &node.value {
        Value::Null => "nothing (null)".into(),
        Value::Bool(b) => format!("a boolean (`{b}`)"),
        Value::Number(n) => format!("{} (`{}`)", node.type_name(), n.raw),
        Value::String(s) if s.chars().count() <= 40 && !s.contains('\n') => {
            format!("a string (`{s}`)")
        }
        _ => node.type_name().to_owned(),
    }
}

/// True for a CloudFormation intrinsic function object (`{"Ref": ..}`,
/// `{"Fn::GetAtt": ..}`): a mapping with exactly one such key.
pub(crate) fn is_cfn_function(node: &Node) -> bool {
    match node.entries() {
        Some([e]) => e.key == "Ref" || e.key.starts_with("Fn::"),
        _ => false,
    }
}

/// True when a string holds an EB backtick function or a dynamic reference,
/// whose text EB replaces before use.
pub(crate) fn is_dynamic(s: &str) -> bool {
    s.contains('`') || s.contains("{{resolve:")
}

/// When a plain YAML scalar is typed by YAML 1.1 into something whose text
/// differs from what was written (R72), what EB would see instead.
pub(crate) fn yaml11_trap(node: &Node) -> Option<String> {
    if node.style != Style::Plain || node.tag.is_some() {
        return None;
    }
    match &node.value {
        Value::Bool(b) => Some(format!("the boolean `{b}`")),
        Value::Null => Some("null (no value)".into()),
        Value::Number(n) => match n.int {
            Some(i) if i.to_string() == *n.raw => None,
            Some(i) => Some(format!("the integer `{i}`")),
            None => Some(format!("the number `{}`", fmt_float(n.float))),
        },
        _ => None,
    }
}

fn fmt_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

/// A known key that `key` is probably a misspelling of.
pub(crate) fn suggest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let norm = |s: &str| s.to_ascii_lowercase().replace(['-', ' '], "_");
    let k = norm(key);
    if let Some(hit) = known.iter().find(|c| norm(c) == k) {
        return Some(hit);
    }
    // No known key is this long; the distance would cost its length
    // times each candidate's.
    if key.len() > 64 {
        return None;
    }
    known
        .iter()
        .map(|c| (edit_distance(&k, &norm(c)), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Help text for an unknown key: a suggestion, or the list of allowed keys.
pub(crate) fn unknown_key_help(key: &str, known: &[&str]) -> String {
    match suggest(key, known) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!(
            "allowed keys: {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// An unknown key `entry` in `place` (`file `/etc/x``), with a suggestion
/// from `known` or the list of allowed keys.
pub(crate) fn unknown_key(
    rule: Rule,
    severity: Severity,
    entry: &Entry,
    place: &str,
    known: &[&str],
) -> Finding {
    let message = format!("unknown key `{}` in {place}", entry.key);
    rule.finding(severity, message, unknown_key_help(&entry.key, known))
        .at_key(entry)
}

/// The entries of a section mapping, or a finding: a warning when it is
/// empty, an error when it is not a mapping.
pub(crate) fn section<'n>(
    name: &str,
    rule: Rule,
    node: &'n Node,
    help: &str,
    ctx: &mut Ctx<'_>,
) -> Option<&'n [Entry]> {
    match &node.value {
        Value::Map(e) => return Some(e),
        Value::Null => ctx.push(
            rule.warning(
                format!("`{name}` is empty"),
                "add entries or remove the key",
            )
            .at(node),
        ),
        _ => ctx.push(
            rule.error(
                format!("`{name}` must be a mapping, found {}", type_desc(node)),
                help,
            )
            .at(node),
        ),
    }
    None
}

/// True for a Linux absolute path.
pub(crate) fn is_abs_path(s: &str) -> bool {
    s.starts_with('/')
}

/// True for a Windows absolute path (`C:\x`, `c:/x`).
pub(crate) fn is_windows_path(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
}

/// The leading number of a name (`10_x` → `Some("10")`).
pub(crate) fn numeric_prefix(name: &str) -> Option<&str> {
    let end = name
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(name.len());
    (end > 0).then(|| &name[..end])
}

/// The first name of `names` (sorted lexicographically, as EB runs them)
/// whose numeric prefix sorts before a smaller one: `(earlier, later)`.
pub(crate) fn mixed_width_prefixes<'a>(names: &[&'a str]) -> Option<(&'a str, &'a str)> {
    let mut sorted: Vec<&str> = names.to_vec();
    sorted.sort_unstable();
    let nums: Vec<(&str, u128)> = sorted
        .iter()
        .filter_map(|n| Some((*n, numeric_prefix(n)?.parse::<u128>().ok()?)))
        .collect();
    // The smallest prefix from each position on: the first name with a
    // smaller one after it is found in one pass, not by pairs.
    let mut after_min = vec![u128::MAX; nums.len() + 1];
    for i in (0..nums.len()).rev() {
        after_min[i] = after_min[i + 1].min(nums[i].1);
    }
    let i = (0..nums.len()).find(|&i| after_min[i + 1] < nums[i].1)?;
    let (name, v) = nums[i];
    let (later, _) = nums[i + 1..].iter().find(|(_, w)| *w < v)?;
    Some((name, later))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let known = ["option_settings", "commands", "container_commands"];
        assert_eq!(suggest("option-settings", &known), Some("option_settings"));
        assert_eq!(suggest("Commands", &known), Some("commands"));
        assert_eq!(suggest("optiion_settings", &known), Some("option_settings"));
        assert_eq!(suggest("zzz", &known), None);
    }

    #[test]
    fn prefixes() {
        assert_eq!(
            mixed_width_prefixes(&["9_a", "10_b"]),
            Some(("10_b", "9_a"))
        );
        assert_eq!(mixed_width_prefixes(&["09_a", "10_b", "x"]), None);
    }
}
