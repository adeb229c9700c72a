//! `files` (R78–R81): paths, content/source, quoted six-digit `mode`,
//! execute bits on scripts and authentication references.

use super::common::{is_abs_path, is_windows_path, type_desc, unknown_key};
use crate::diag::Severity;
use crate::syntax::{Node, Style, Value};
use crate::validate::Rule;
use crate::validate::{Bundle, Ctx};
use std::collections::{HashMap, HashSet};

const FILE_KEYS: [&str; 8] = [
    "content",
    "source",
    "mode",
    "owner",
    "group",
    "encoding",
    "authentication",
    "context",
];

/// The names each config of a bundle defines for the others, collected
/// once per bundle: `AWS::CloudFormation::Authentication` names (R81) and
/// `Conditions` (R91). Every config may refer to a name defined in
/// another; parsing the others again for each config, or copying their
/// names into each, would make validation quadratic in the number of
/// configs.
#[derive(Debug, Default)]
pub(crate) struct BundleAuth {
    /// Authentication name → (display name of the first config defining
    /// it, how many configs do).
    auth: HashMap<String, (String, usize)>,
    /// The same for condition names.
    conditions: HashMap<String, (String, usize)>,
}

impl BundleAuth {
    /// Parses each config of `bundle` once.
    pub(crate) fn collect(bundle: &Bundle) -> Self {
        let mut out = Self::default();
        for e in &bundle.entries {
            if !super::is_config_entry(&e.name) {
                continue;
            }
            let Some(root) = e.data.as_deref().and_then(crate::validate::parse_config) else {
                continue;
            };
            let file = bundle.display_name(&e.name);
            let mut names = Vec::new();
            add_names(&root, &mut names);
            add(&mut out.auth, names, &file);
            add(&mut out.conditions, super::template::defined(&root), &file);
        }
        out
    }

    /// True when a config other than `self_name` defines condition `name`.
    pub(super) fn defines_condition(&self, name: &str, self_name: &str) -> bool {
        elsewhere(&self.conditions, name, self_name)
    }
}

/// Counts the configs defining each of `names` (once per config).
fn add(index: &mut HashMap<String, (String, usize)>, mut names: Vec<String>, file: &str) {
    names.sort_unstable();
    names.dedup();
    for n in names {
        index
            .entry(n)
            .and_modify(|(_, count)| *count += 1)
            .or_insert_with(|| (file.to_owned(), 1));
    }
}

/// True when a config other than `self_name` defines `name`.
fn elsewhere(index: &HashMap<String, (String, usize)>, name: &str, self_name: &str) -> bool {
    index
        .get(name)
        .is_some_and(|(first, count)| *count > 1 || first != self_name)
}

/// The `AWS::CloudFormation::Authentication` names visible to a file (R81).
pub(super) struct AuthNames<'b> {
    own: HashSet<String>,
    /// The bundle's names, and this file's display name in it.
    bundle: Option<(&'b BundleAuth, String)>,
}

impl<'b> AuthNames<'b> {
    /// Collects names from `root`; in a bundle, the other configs' names
    /// are looked up in `bundle`.
    pub(super) fn collect(root: &Node, bundle: Option<&'b BundleAuth>, self_name: &str) -> Self {
        let mut names = Vec::new();
        add_names(root, &mut names);
        Self {
            own: names.into_iter().collect(),
            bundle: bundle.map(|b| (b, self_name.to_owned())),
        }
    }

    /// True when every config of the bundle was searched; false for a
    /// single file checked on its own (a miss is then only a warning).
    fn complete(&self) -> bool {
        self.bundle.is_some()
    }

    /// True when `name` is defined in this file or another of the bundle.
    fn knows(&self, name: &str) -> bool {
        self.own.contains(name)
            || self
                .bundle
                .as_ref()
                .is_some_and(|(b, me)| elsewhere(&b.auth, name, me))
    }
}

fn add_names(root: &Node, out: &mut Vec<String>) {
    let auth = root
        .get("Resources")
        .and_then(|r| r.get("AWSEBAutoScalingGroup"))
        .and_then(|r| r.get("Metadata"))
        .and_then(|m| m.get("AWS::CloudFormation::Authentication"));
    if let Some(entries) = auth.and_then(Node::entries) {
        out.extend(entries.iter().map(|e| e.key.clone()));
    }
}

/// Checks the `files` section.
pub(super) fn check(node: &Node, auth: &AuthNames<'_>, ctx: &mut Ctx<'_>) {
    let entries = match &node.value {
        Value::Map(e) => e,
        Value::Null => {
            ctx.push(
                Rule::R78
                    .warning("`files` is empty", "add file entries or remove the key")
                    .at(node),
            );
            return;
        }
        _ => {
            ctx.push(
                Rule::R78
                    .error(
                        format!(
                            "`files` must map absolute paths to file settings, found {}",
                            type_desc(node)
                        ),
                        "write `files:` then `  \"/etc/app.conf\":` then `    content: ...`",
                    )
                    .at(node),
            );
            return;
        }
    };
    for e in entries {
        let path = e.key.as_str();
        if is_windows_path(path) {
            ctx.push(
                Rule::R78
                    .warning(
                        format!("`{path}` is a Windows path; the target platform runs Linux"),
                        "use an absolute Linux path such as `/etc/app.conf`",
                    )
                    .at_key(e),
            );
        } else if !is_abs_path(path) {
            ctx.push(
                Rule::R78.error(format!("file path `{path}` is not absolute"),
                    "file keys are absolute paths on the instance, e.g. `\"/etc/app.conf\"`; check the indentation of the entries below it",
                )
                .at_key(e),
            );
        }
        if path.starts_with(crate::validate::platform::AL1_HOOK_ROOT)
            && let Some(f) = crate::validate::platform::al1_hook(
                path,
                ctx.options.platform,
                "this file writes a script to",
            )
        {
            ctx.push(f.at_key(e));
        }
        file_entry(path, &e.value, auth, ctx);
    }
}

fn file_entry(path: &str, f: &Node, auth: &AuthNames<'_>, ctx: &mut Ctx<'_>) {
    let Some(entries) = f.entries() else {
        ctx.push(
            Rule::R78
                .error(
                    format!(
                        "settings of file `{path}` must be a mapping, found {}",
                        type_desc(f)
                    ),
                    "indent `content:`, `mode:`, `owner:` and `group:` under the path",
                )
                .at(f),
        );
        return;
    };
    for e in entries {
        if !FILE_KEYS.contains(&e.key.as_str()) {
            ctx.push(unknown_key(
                Rule::R78,
                Severity::Error,
                e,
                &format!("file `{path}`"),
                &FILE_KEYS[..7],
            ));
        }
    }
    let content = f.get("content");
    let source = f.get("source");
    match (content, source) {
        (Some(_), Some(_)) => {
            if let Some(src) = f.entry("source") {
                ctx.push(
                    Rule::R78
                        .error(
                            format!("file `{path}` has both `content` and `source`"),
                            "keep one: inline `content` or a `source` URL",
                        )
                        .at_key(src),
                );
            }
        }
        (None, None) => ctx.push(
            Rule::R78
                .error(
                    format!("file `{path}` has neither `content` nor `source`"),
                    "add `content: |` with the text, or `source:` with a URL",
                )
                .at(f),
        ),
        _ => {}
    }
    if let Some(c) = content
        && (c.is_null() || matches!(c.value, Value::Bool(_) | Value::Number(_)))
    {
        ctx.push(
            Rule::R78
                .warning(
                    format!("`content` of file `{path}` is {}", type_desc(c)),
                    "write the file text as a string, e.g. `content: |`",
                )
                .at(c),
        );
    }
    if let Some(s) = source
        && s.as_str().is_none()
        && !super::common::is_cfn_function(s)
    {
        ctx.push(
            Rule::R78
                .error(
                    format!(
                        "`source` of file `{path}` must be a URL string, found {}",
                        type_desc(s)
                    ),
                    "give an `https://` or S3 URL",
                )
                .at(s),
        );
    }
    for key in ["owner", "group", "authentication"] {
        if let Some(v) = f.get(key)
            && matches!(v.value, Value::Seq(_) | Value::Map(_) | Value::Null)
        {
            ctx.push(
                Rule::R78
                    .error(
                        format!(
                            "`{key}` of file `{path}` must be a name, found {}",
                            type_desc(v)
                        ),
                        format!("write `{key}: root`"),
                    )
                    .at(v),
            );
        }
    }
    if let Some(enc) = f.get("encoding")
        && !matches!(enc.as_str(), Some("plain" | "base64"))
    {
        ctx.push(
            Rule::R78
                .error(
                    format!(
                        "`encoding` of file `{path}` must be `plain` or `base64`, found {}",
                        type_desc(enc)
                    ),
                    "use `encoding: plain` (the default) or `encoding: base64`",
                )
                .at(enc),
        );
    }
    let mode_bits = f.get("mode").and_then(|m| mode(path, m, ctx));
    script_mode(path, f, content, mode_bits, ctx);
    if let Some(a) = f.get("authentication")
        && let Some(name) = a.as_str()
        && !auth.knows(name)
    {
        let msg = format!(
            "file `{path}` uses authentication `{name}`, which is not defined under `Resources.AWSEBAutoScalingGroup.Metadata.AWS::CloudFormation::Authentication`{}",
            if auth.complete() { "" } else { " in this file" }
        );
        let help = "define it: `AWS::CloudFormation::Authentication: {S3Auth: {type: S3, buckets: [...], roleName: ...}}`";
        let f = if auth.complete() {
            Rule::R81.error(msg, help)
        } else {
            Rule::R81.warning(msg, help)
        };
        ctx.push(f.at(a));
    }
}

/// R79: checks `mode`; returns the permission bits when they are readable.
fn mode(path: &str, m: &Node, ctx: &mut Ctx<'_>) -> Option<u32> {
    let raw = ctx.file.text().get(m.span.clone()).unwrap_or("").to_owned();
    if m.style == Style::Plain
        && m.tag.is_none()
        && let Value::Number(n) = &m.value
    {
        let digits: String = n.raw.chars().filter(char::is_ascii_digit).collect();
        let padded = format!("{digits:0>6}");
        ctx.push(
                Rule::R79.error(format!(
                        "`mode` of file `{path}` is unquoted: YAML reads `{}` as the integer `{}`, not an octal string",
                        n.raw,
                        n.int.map_or_else(|| n.raw.to_string(), |i| i.to_string())
                    ),
                    format!("quote it: `mode: \"{}\"`", if padded.len() == 6 { padded.as_str() } else { "000644" }),
                )
                .at(m),
            );
        return None;
    }
    let Some(s) = m.as_str() else {
        ctx.push(
            Rule::R79
                .error(
                    format!(
                        "`mode` of file `{path}` must be a quoted six-digit octal string, found {}",
                        type_desc(m)
                    ),
                    "quote it: `mode: \"000644\"`",
                )
                .at(m),
        );
        return None;
    };
    if s.len() == 6 && s.chars().all(|c| ('0'..='7').contains(&c)) {
        return u32::from_str_radix(s, 8).ok();
    }
    if super::common::is_dynamic(s) {
        return None;
    }
    let octal = !s.is_empty() && s.len() <= 7 && s.chars().all(|c| ('0'..='7').contains(&c));
    if octal {
        // cfn-init parses the string as octal, so it works (AWS's own samples
        // use "0644"), but the documented form is six digits.
        let six = format!("{:0>6}", s.trim_start_matches('0'));
        ctx.push(
            Rule::R79.warning(format!("`mode` of file `{path}` is `{raw}`; the documented form is a six-digit octal string"),
                format!("write six digits: `mode: \"{six}\"`"),
            )
            .at(m),
        );
        return u32::from_str_radix(s, 8).ok();
    }
    ctx.push(
        Rule::R79
            .error(
                format!("`mode` of file `{path}` is `{raw}`, which is not an octal mode"),
                "write six octal digits, e.g. `mode: \"000644\"` (symlinks: `\"120777\"`)",
            )
            .at(m),
    );
    None
}

/// R80: an inline script without an execute bit, or whose `#!` is not at
/// its first byte (indented or quoted in the config), which the kernel then
/// does not read as a shebang: executing the file fails.
fn script_mode(path: &str, f: &Node, content: Option<&Node>, bits: Option<u32>, ctx: &mut Ctx<'_>) {
    let Some(text) = content.and_then(Node::as_str) else {
        return;
    };
    let first = text.trim_start_matches([' ', '\t', '\n', '\r']);
    let unquoted = first.trim_start_matches(['"', '\'']);
    if !unquoted.starts_with("#!") {
        return;
    }
    if !text.starts_with("#!") {
        let how = if first.starts_with("#!") {
            "starts with whitespace before `#!`"
        } else {
            "starts with a quote before `#!`"
        };
        ctx.push(
            Rule::R80
                .warning(
                    format!("file `{path}` {how}, so it has no shebang: executing it fails with `exec format error`"),
                    "make `#!` the first characters of the content: drop the quotes, and indent every line of the `|` block alike",
                )
                .at(content.unwrap_or(f)),
        );
        return;
    }
    let explicit = f.get("mode").is_some();
    if explicit && bits.is_none() {
        return; // the mode itself is already reported
    }
    let bits = bits.unwrap_or(0o644);
    if bits & 0o170_000 == 0o120_000 || bits & 0o111 != 0 {
        return;
    }
    let at = f.get("mode").unwrap_or(f);
    let mut finding = Rule::R80.warning(
        format!("file `{path}` is a script (`#!`) but its mode `{bits:06o}` has no execute bit"),
        "make it executable: `mode: \"000755\"`",
    );
    finding = if explicit {
        finding.at(at)
    } else {
        finding.at(content.unwrap_or(f))
    };
    ctx.push(finding);
}
