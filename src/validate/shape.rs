//! The shape vocabulary of the rules: typed field access on the spanned
//! tree that reports, with the rule's own code, what is missing, mistyped
//! or unknown — so a check says *what* it expects and the wording and
//! placement of the findings stay the same everywhere.
//!
//! In the spirit of cargo-deny's `TableHelper`, a [`Table`] wraps one
//! object: [`Table::object`] checks that the node is an object, [`Table::require`]
//! and the typed accessors ([`Table::str`], [`Table::int`], …) report a
//! missing key or a wrong type at the right place. Unlike cargo-deny, the
//! allowed keys are declared up front and unknown keys are reported when
//! the table is opened, not at a `finish`: that is where every check has
//! always reported them, and the order of findings is part of the output
//! contract. Arrays of objects go through [`for_each_object`].
//!
//! The wording is that of the Dockerrun rules (`… must be an object, found
//! an array `[…]``); `.ebextensions` checks, whose messages describe values
//! differently, use [`section`] and [`unknown_key`].

use super::{Ctx, Rule, unknown_key_severity};
use crate::diag::{Finding, Severity};
use crate::syntax::{Entry, Node, Value};
use std::ops::Range;

/// One object under check, with the rule and the words that name it.
pub(crate) struct Table<'n, 'c, 'o> {
    /// Where findings go.
    pub ctx: &'c mut Ctx<'o>,
    /// The object.
    pub node: &'n Node,
    rule: Rule,
    place: String,
    keys: &'static [&'static str],
}

impl<'n, 'c, 'o> Table<'n, 'c, 'o> {
    /// Opens `node` as an object with `keys`: a type finding when it is
    /// not an object (then `None`), unknown-key findings for other keys.
    pub(crate) fn object(
        ctx: &'c mut Ctx<'o>,
        rule: Rule,
        node: &'n Node,
        place: impl Into<String>,
        keys: &'static [&'static str],
    ) -> Option<Self> {
        let place = place.into();
        want_map(ctx, rule, node, &place)?;
        unknown_keys_in(ctx, rule, node, &place, keys);
        Some(Self {
            ctx,
            node,
            rule,
            place,
            keys,
        })
    }

    /// The value of a declared key.
    pub(crate) fn get(&self, key: &str) -> Option<&'n Node> {
        debug_assert!(self.keys.contains(&key), "`{key}` is not declared");
        self.node.get(key)
    }

    /// Records a finding.
    pub(crate) fn push(&mut self, finding: Finding) {
        self.ctx.push(finding);
    }

    /// The value of `key`, or an error `<place> has no `key`` at the
    /// opening brace.
    pub(crate) fn require(&mut self, key: &str, help: &str) -> Option<&'n Node> {
        let value = self.get(key);
        if value.is_none() {
            let f = self
                .rule
                .error(format!("{} has no `{key}`", self.place), help)
                .at_start(self.node);
            self.ctx.push(f);
        }
        value
    }

    /// The string of `key` (described by `what`), or a type finding.
    pub(crate) fn str(&mut self, key: &str, what: &str) -> Option<(&'n Node, &'n str)> {
        let node = self.get(key)?;
        want_str(self.ctx, self.rule, node, what).map(|s| (node, s))
    }

    /// The boolean of `key`, or a type finding.
    pub(crate) fn bool(&mut self, key: &str, what: &str) -> Option<bool> {
        want_bool(self.ctx, self.rule, self.get(key)?, what)
    }

    /// The integer of `key`, or a type finding.
    pub(crate) fn int(&mut self, key: &str, what: &str) -> Option<(&'n Node, i64)> {
        let node = self.get(key)?;
        want_int(self.ctx, self.rule, node, what).map(|i| (node, i))
    }

    /// The integer of `key` within `lo..=hi`, or a finding.
    pub(crate) fn int_in(
        &mut self,
        key: &str,
        what: &str,
        lo: i64,
        hi: i64,
    ) -> Option<(&'n Node, i64)> {
        let node = self.get(key)?;
        want_int_in(self.ctx, self.rule, node, what, lo, hi).map(|i| (node, i))
    }
}

/// Runs `check` on every item of `items` that is an object of `keys`
/// (items that are not get a type finding, named by `place`).
pub(crate) fn for_each_object<'n, 'o>(
    ctx: &mut Ctx<'o>,
    rule: Rule,
    items: &'n [Node],
    place: &str,
    keys: &'static [&'static str],
    mut check: impl FnMut(&mut Table<'n, '_, 'o>),
) {
    for item in items {
        if let Some(mut t) = Table::object(ctx, rule, item, place, keys) {
            check(&mut t);
        }
    }
}

/// Where to point when a required key is missing from `obj`: the value of
/// its `name` key when there is one, else the opening brace.
pub(crate) fn anchor(obj: &Node) -> (Range<usize>, String) {
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
pub(crate) fn missing(finding: Finding, obj: &Node) -> Finding {
    let (span, pointer) = anchor(obj);
    finding.at_span(span, pointer)
}

/// A short rendering of a scalar for messages (`"64"`, `8`, `true`).
pub(crate) fn show(node: &Node) -> String {
    let s = match &node.value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.raw.to_string(),
        Value::String(s) => format!("\"{s}\""),
        Value::Seq(_) => "[…]".to_owned(),
        Value::Map(_) => "{…}".to_owned(),
    };
    truncate(&s, 60)
}

/// Cuts `s` to at most `max` characters, marking the cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}

/// Reports that `node` (described by `what`) should be `expected`.
pub(crate) fn wrong_type(ctx: &mut Ctx<'_>, rule: Rule, node: &Node, what: &str, expected: &str) {
    let message = format!(
        "{what} must be {expected}, found {} `{}`",
        node.type_name(),
        show(node)
    );
    ctx.push(rule.error(message, fix_help(node, expected)).at(node));
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
pub(crate) fn want_str<'n>(
    ctx: &mut Ctx<'_>,
    rule: Rule,
    node: &'n Node,
    what: &str,
) -> Option<&'n str> {
    let s = node.as_str();
    if s.is_none() {
        wrong_type(ctx, rule, node, what, "a string");
    }
    s
}

/// The array items of `node`, or a type finding.
pub(crate) fn want_seq<'n>(
    ctx: &mut Ctx<'_>,
    rule: Rule,
    node: &'n Node,
    what: &str,
    expected: &str,
) -> Option<&'n [Node]> {
    let s = node.items();
    if s.is_none() {
        wrong_type(ctx, rule, node, what, expected);
    }
    s
}

/// The entries of `node`, or a type finding.
pub(crate) fn want_map<'n>(
    ctx: &mut Ctx<'_>,
    rule: Rule,
    node: &'n Node,
    what: &str,
) -> Option<&'n [Entry]> {
    let s = node.entries();
    if s.is_none() {
        wrong_type(ctx, rule, node, what, "an object");
    }
    s
}

/// The boolean value of `node`, or a type finding.
pub(crate) fn want_bool(ctx: &mut Ctx<'_>, rule: Rule, node: &Node, what: &str) -> Option<bool> {
    let b = node.as_bool();
    if b.is_none() {
        wrong_type(
            ctx,
            rule,
            node,
            what,
            "a boolean (`true` or `false`, unquoted)",
        );
    }
    b
}

/// The integer value of `node`, or a type finding.
pub(crate) fn want_int(ctx: &mut Ctx<'_>, rule: Rule, node: &Node, what: &str) -> Option<i64> {
    let i = node.as_i64();
    if i.is_none() {
        let expected = if matches!(node.value, Value::Number(_)) {
            "a whole number that fits 64 bits"
        } else {
            "an integer (a JSON number, not a quoted string)"
        };
        wrong_type(ctx, rule, node, what, expected);
    }
    i
}

/// The integer value of `node` within `lo..=hi`, or a finding.
pub(crate) fn want_int_in(
    ctx: &mut Ctx<'_>,
    rule: Rule,
    node: &Node,
    what: &str,
    lo: i64,
    hi: i64,
) -> Option<i64> {
    let i = want_int(ctx, rule, node, what)?;
    if i < lo || i > hi {
        let message = format!("{what} is {i}; it must be between {lo} and {hi}");
        ctx.push(
            rule.error(message, format!("use a value from {lo} to {hi}"))
                .at(node),
        );
        return None;
    }
    Some(i)
}

/// True for a name a POSIX shell can read as a variable:
/// `[A-Za-z_][A-Za-z0-9_]*` (POSIX.1-2017, XBD 3.235 "Name"). Case is
/// free: XBD 8.1 reserves lowercase names for applications, it does not
/// forbid them. Shared by R35 (Dockerrun `environment`) and R71 (EB
/// environment properties).
pub(crate) fn is_shell_name(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

/// Levenshtein distance, on characters.
pub(crate) fn distance(a: &str, b: &str) -> usize {
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
/// Nothing is suggested for a key longer than any known one could be, or
/// from more than [`MAX_CANDIDATES`] names (a file with 10^5 containers):
/// a suggestion per finding must not cost a pass over all of them.
pub(crate) fn suggest<'k>(
    key: &str,
    known: &[&'k str],
    aliases: &[(&str, &'k str)],
) -> Option<&'k str> {
    if key.len() > 64 || known.len() > MAX_CANDIDATES {
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

/// Where an unknown key was found and what to suggest instead.
pub(crate) struct UnknownKey<'a> {
    /// The object, for the message (`container `web``).
    pub place: &'a str,
    /// The keys allowed there.
    pub known: &'a [&'static str],
    /// Other spellings of known keys (docker-compose names).
    pub aliases: &'a [(&'a str, &'static str)],
    /// The help when no key is close.
    pub fallback: &'a str,
}

/// Reports an unknown key of an object, with a suggestion when obvious.
pub(crate) fn unknown_key(
    ctx: &mut Ctx<'_>,
    rule: Rule,
    severity: Severity,
    entry: &Entry,
    u: &UnknownKey<'_>,
) {
    let help = match suggest(&entry.key, u.known, u.aliases) {
        Some(k) if k != entry.key => format!("did you mean `{k}`?"),
        _ => u.fallback.to_owned(),
    };
    let message = format!("unknown key `{}` in {}", truncate(&entry.key, 60), u.place);
    ctx.push(rule.finding(severity, message, help).at_key(entry));
}

/// Reports every key of `obj` not in `known` with the rule's own code, at
/// the unknown-key severity of the options (error, or warning with
/// `--allow-unknown-keys`).
pub(crate) fn unknown_keys_in(
    ctx: &mut Ctx<'_>,
    rule: Rule,
    obj: &Node,
    place: &str,
    known: &[&'static str],
) {
    let severity = unknown_key_severity(ctx.options);
    for e in obj.entries().unwrap_or_default() {
        if !known.contains(&e.key.as_str()) {
            let fallback = format!("allowed keys here: {}", list(known));
            let u = UnknownKey {
                place,
                known,
                aliases: &[],
                fallback: &fallback,
            };
            unknown_key(ctx, rule, severity, e, &u);
        }
    }
}

/// Names [`suggest`] compares a key with, at most: far more than any
/// list of known keys, and than the containers ECS allows.
const MAX_CANDIDATES: usize = 100;

/// Items [`list`] names before it counts the rest.
const MAX_LISTED: usize = 50;

/// `a`, `b` and `c` as backticked list; past [`MAX_LISTED`] items, the
/// rest are counted (`… and 99,950 more`), so that a help line stays one
/// line when a file names 10^5 containers.
pub(crate) fn list(items: &[&str]) -> String {
    let mut out = items
        .iter()
        .take(MAX_LISTED)
        .map(|i| format!("`{}`", truncate(i, 60)))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > MAX_LISTED {
        out.push_str(&format!(" … and {} more", items.len() - MAX_LISTED));
    }
    out
}

/// Reports duplicate keys of an object (JSON parsers keep the last one).
pub(crate) fn duplicate_keys(ctx: &mut Ctx<'_>, rule: Rule, obj: &Node, place: &str) {
    for (key, entries) in obj.duplicate_keys() {
        let Some((first, rest)) = entries.split_first() else {
            continue;
        };
        for dup in rest {
            ctx.push_lazy(rule, Severity::Error, || {
                let message = format!(
                    "key `{}` appears more than once in {place}; only the last one is used",
                    truncate(key, 60)
                );
                rule.error(message, "keep a single entry for the key")
                    .at_key(dup)
                    .label(first.key_span.clone(), "first defined here")
            });
        }
    }
}

/// An object whose values are all strings (R42, R43 options).
pub(crate) fn string_map(node: &Node, rule: Rule, what: &str, ctx: &mut Ctx<'_>) {
    let Some(entries) = want_map(ctx, rule, node, what) else {
        return;
    };
    for e in entries.iter().filter(|e| e.value.as_str().is_none()) {
        let message = format!(
            "`{}` in {what} is {} `{}`; values must be strings",
            truncate(&e.key, 60),
            e.value.type_name(),
            show(&e.value)
        );
        ctx.push(rule.error(message, quote_fix(&e.value)).at(&e.value));
    }
}

/// How to turn a non-string scalar into the string a field needs.
pub(crate) fn quote_fix(node: &Node) -> String {
    match &node.value {
        Value::Number(n) => format!("quote it: `\"{}\"`", n.raw),
        Value::Bool(b) => format!("quote it: `\"{b}\"`"),
        _ => "write the value as a string".to_owned(),
    }
}

/// Whether an environment value may be a secret, so that findings about
/// it name the key and mask the value ([`crate::diag::Finding::secret`]):
/// the key says so (`…PASSWORD`, `…TOKEN`, …), or the value is a URL with
/// credentials (`postgres://user:pw@host`). A CI log masks only the values
/// registered as secrets; ebpack must not print the others.
pub(crate) fn may_be_secret(name: &str, value: &str) -> bool {
    const WORDS: [&str; 9] = [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "PRIVATE_KEY",
        "API_KEY",
        "APIKEY",
        "TOKEN",
        "CREDENTIAL",
        "AUTH",
    ];
    let upper = name.to_ascii_uppercase();
    if WORDS.iter().any(|w| upper.contains(w)) {
        return true;
    }
    value.split_once("://").is_some_and(|(_, rest)| {
        let authority = rest.split('/').next().unwrap_or(rest);
        authority
            .rsplit_once('@')
            .is_some_and(|(user, _)| user.contains(':'))
    })
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
    fn shell_names() {
        for ok in ["WebRequestCWLogGroup", "_x", "DATABASE_URL", "a1"] {
            assert!(is_shell_name(ok), "{ok}");
        }
        for bad in ["", "1A", "a.b", "a-b", "a b", "é"] {
            assert!(!is_shell_name(bad), "{bad}");
        }
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

    #[test]
    fn secret_keys_and_urls_with_credentials() {
        assert!(may_be_secret("DB_PASSWORD", "x"));
        assert!(may_be_secret("github_token", "x"));
        assert!(may_be_secret("DATABASE_URL", "postgres://u:pw@db/app"));
        assert!(!may_be_secret("DATABASE_URL", "postgres://db/app"));
        assert!(!may_be_secret("SITE", "https://user@example.com/a:b"));
        assert!(!may_be_secret("LOG_LEVEL", "debug"));
    }
}
