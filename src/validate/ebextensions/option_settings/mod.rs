//! `option_settings` (R69–R72, R74): both forms, namespaces and option
//! names (checked against the documented [`table`], looked up in
//! [`namespaces`]), environment property limits and YAML 1.1 typing traps.

mod namespaces;
mod table;

use super::common::{
    Want, expect, is_cfn_function, is_dynamic, type_desc, unknown_key, yaml11_trap,
};
use crate::diag::{Finding, Severity};
use crate::syntax::{Entry, Node, Value};
use crate::validate::Ctx;
use crate::validate::Rule;
use crate::validate::shape::{is_shell_name, truncate};
use std::ops::Range;

const ENV_NS: &str = "aws:elasticbeanstalk:application:environment";
const LIST_KEYS: [&str; 4] = ["namespace", "option_name", "value", "resource_name"];

/// One setting, whichever form it came from; it borrows its text from the
/// tree (a file may hold 10^5 settings: no copies).
struct Setting<'n> {
    namespace: &'n str,
    ns_span: Option<(Range<usize>, &'n str)>,
    name: &'n str,
    name_span: Range<usize>,
    name_pointer: &'n str,
    value: &'n Node,
}

impl Setting<'_> {
    /// `option `Name`` for messages, or words for an empty name.
    fn label(&self) -> String {
        if self.name.is_empty() {
            "an option with an empty name".to_owned()
        } else {
            format!("option `{}`", truncate(self.name, 60))
        }
    }
}

/// Checks the `option_settings` section.
pub(super) fn check(node: &Node, ctx: &mut Ctx<'_>) {
    let mut settings = Checked::default();
    match &node.value {
        Value::Null => ctx.push(
            Rule::R69.warning("`option_settings` is empty", "add settings or remove the key")
                .at(node),
        ),
        Value::Seq(items) => {
            for item in items {
                list_item(item, ctx, &mut settings);
            }
        }
        Value::Map(namespaces) => {
            for ns in namespaces {
                map_namespace(ns, ctx, &mut settings);
            }
        }
        _ => ctx.push(
            Rule::R69.error(format!("`option_settings` must be a mapping of namespaces or a list of settings, found {}", type_desc(node)),
                "write `option_settings:` then `  namespace:` then `    OptionName: value`",
            )
            .at(node),
        ),
    }
    if settings.env_total > 4096
        && let Some(span) = settings.first_env
    {
        ctx.push(
            Rule::R71
                .error(
                    format!(
                        "environment properties total {} bytes of `key=value`; the limit is 4096",
                        settings.env_total
                    ),
                    "move large values to SSM Parameter Store or Secrets Manager",
                )
                .at_span(span, "/option_settings"),
        );
    }
}

/// Where the settings go as they are read: each is checked at once and
/// none is kept (a file may hold 10^5), and the environment properties'
/// size is summed for R71's total.
#[derive(Default)]
struct Checked {
    env_total: usize,
    first_env: Option<Range<usize>>,
}

impl Checked {
    fn add(&mut self, s: &Setting<'_>, ctx: &mut Ctx<'_>) {
        check_setting(s, ctx);
        if s.namespace == ENV_NS {
            self.env_total += s.name.len() + 1 + scalar_text(s.value, ctx.file.text()).len();
            self.first_env.get_or_insert(s.name_span.clone());
        }
    }
}

fn list_item(item: &Node, ctx: &mut Ctx<'_>, out: &mut Checked) {
    if let Some(f) = expect(
        Rule::R69,
        item,
        Want::Map,
        "an `option_settings` list item",
        "each item is `- namespace: ...`, `option_name: ...`, `value: ...`",
    ) {
        ctx.push(f);
        return;
    }
    let entries = item.entries().unwrap_or_default();
    for e in entries {
        if !LIST_KEYS.contains(&e.key.as_str()) {
            ctx.push(unknown_key(
                Rule::R69,
                Severity::Error,
                e,
                "an `option_settings` list item",
                &LIST_KEYS,
            ));
        }
    }
    for key in ["namespace", "option_name", "resource_name"] {
        if let Some(v) = item.get(key)
            && !matches!(v.value, Value::String(_))
        {
            ctx.push(
                Rule::R69
                    .error(
                        format!("`{key}` must be a string, found {}", type_desc(v)),
                        format!("quote it: `{key}: \"...\"`"),
                    )
                    .at(v),
            );
        }
    }
    let name = item.entry("option_name");
    let value = item.get("value");
    for (missing, key) in [(name.is_none(), "option_name"), (value.is_none(), "value")] {
        if missing {
            ctx.push(
                Rule::R69.error(format!("`option_settings` list item has no `{key}`"),
                    "each item needs `option_name` and `value` (`namespace` defaults to environment properties)",
                )
                .at(item),
            );
        }
    }
    let (Some(name), Some(value)) = (name, value) else {
        return;
    };
    let Some(name_str) = name.value.as_str() else {
        return;
    };
    // Without `namespace` EB reads an environment property; with one that
    // is not a string (reported above) the setting cannot be placed.
    let ns = item.entry("namespace");
    let namespace = match ns {
        None => ENV_NS,
        Some(e) => match e.value.as_str() {
            Some(n) => n,
            None => return,
        },
    };
    let setting = Setting {
        namespace,
        ns_span: ns.map(|e| (e.value.span.clone(), e.value.pointer.as_str())),
        name: name_str,
        name_span: name.value.span.clone(),
        name_pointer: &name.value.pointer,
        value,
    };
    out.add(&setting, ctx);
}

fn map_namespace(ns: &Entry, ctx: &mut Ctx<'_>, out: &mut Checked) {
    let body = &ns.value;
    match &body.value {
        Value::Map(options) => {
            for o in options {
                let setting = Setting {
                    namespace: &ns.key,
                    ns_span: None,
                    name: &o.key,
                    name_span: o.key_span.clone(),
                    name_pointer: &o.value.pointer,
                    value: &o.value,
                };
                out.add(&setting, ctx);
            }
            check_namespace(&ns.key, ns.key_span.clone(), &body.pointer, ctx);
        }
        Value::Null => ctx.push(
            Rule::R69.warning(format!("{} has no options", ns_label(&ns.key)),
                "add `OptionName: value` lines under it, or remove it",
            )
            .at_key(ns),
        ),
        _ => ctx.push(
            Rule::R69.error(format!(
                    "{} must map option names to values, found {}",
                    ns_label(&ns.key),
                    type_desc(body)
                ),
                "indent `OptionName: value` under the namespace; quote values that contain `: `",
            )
            .at(body),
        ),
    }
}

/// `namespace `x`` for messages, or words for an empty one.
fn ns_label(ns: &str) -> String {
    if ns.is_empty() {
        "a namespace with an empty name".to_owned()
    } else {
        format!("namespace `{}`", truncate(ns, 80))
    }
}

/// R70: a namespace missing from the documented table (W).
fn check_namespace(ns: &str, span: Range<usize>, pointer: &str, ctx: &mut Ctx<'_>) {
    let (_, bare) = namespaces::split_resource(ns);
    if namespaces::find(bare).is_some() {
        return;
    }
    let help = match namespaces::closest(bare) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "see the EB general options reference for namespace names".to_owned(),
    };
    ctx.push(
        Rule::R70
            .warning(
                if ns.is_empty() {
                    "an option namespace is empty".to_owned()
                } else {
                    format!("unknown option namespace `{}`", truncate(ns, 80))
                },
                help,
            )
            .at_span(span, pointer),
    );
}

/// R70: an option name the table does not list for a known namespace (W;
/// EB answers `Unknown configuration setting`, but the table may lag).
fn check_option_name(s: &Setting<'_>, ctx: &mut Ctx<'_>) {
    let (_, bare) = namespaces::split_resource(s.namespace);
    let Some(ns) = namespaces::find(bare) else {
        return;
    };
    if namespaces::knows(ns, s.name) {
        return;
    }
    let shown = s.label();
    let help = match (
        namespaces::closest_option(ns, s.name),
        namespaces::home_of(s.name),
    ) {
        (_, Some(home)) => format!("`{}` is an option of `{home}`; move it there", s.name),
        (Some(k), None) => format!("did you mean `{k}`?"),
        (None, None) => format!(
            "documented options of `{bare}`: {}",
            ns.names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    ctx.push(
        Rule::R70
            .warning(
                format!(
                    "{shown} is not documented for `{bare}`; EB rejects unknown options (`Unknown configuration setting`)"
                ),
                help,
            )
            .at_span(s.name_span.clone(), s.name_pointer),
    );
}

fn check_setting(s: &Setting<'_>, ctx: &mut Ctx<'_>) {
    if let Some((span, pointer)) = &s.ns_span {
        check_namespace(s.namespace, span.clone(), pointer, ctx);
    }
    let v = s.value;
    match &v.value {
        Value::Seq(_) => ctx.push(
            Rule::R69
                .error(
                    format!("{} must have a single value, found a list", s.label()),
                    "write the value as one string, e.g. comma-separated",
                )
                .at(v),
        ),
        // Function objects appear in AWS's own samples; `ConfigDocument`
        // (enhanced health rules) is documented as a nested mapping.
        Value::Map(_) if is_cfn_function(v) || s.name == "ConfigDocument" => {}
        Value::Map(_) => ctx.push(
            Rule::R69
                .warning(
                    format!(
                        "{} has a mapping as its value; EB expects a single value",
                        s.label()
                    ),
                    "check the indentation: options sit directly under their namespace",
                )
                .at(v),
        ),
        _ => {}
    }
    if let Some(seen) = yaml11_trap(v) {
        let raw = ctx.file.text().get(v.span.clone()).unwrap_or("");
        let key = if s.name.is_empty() {
            String::new()
        } else {
            format!("{}: ", s.name)
        };
        let secret = crate::validate::shape::may_be_secret(s.name, raw);
        let (message, help) = if secret {
            (
                format!(
                    "the value of `{}` is read by YAML 1.1 as {seen}, not as the string it spells",
                    s.name
                ),
                "quote the value".to_owned(),
            )
        } else if raw.is_empty() {
            (
                format!("an empty value is read by YAML 1.1 as {seen}, not the empty string"),
                format!("write `{key}\"\"` for an empty string"),
            )
        } else {
            (
                format!("`{raw}` is read by YAML 1.1 as {seen}, not the string `{raw}`"),
                format!("quote the value: `{key}\"{raw}\"`"),
            )
        };
        let finding = Rule::R72.warning(message, help).at(v);
        ctx.push(if secret { finding.secret(v) } else { finding });
    }
    if s.namespace == ENV_NS {
        env_property(s, ctx);
    } else {
        check_option_name(s, ctx);
    }
    secrets(s, ctx);
}

fn key_char_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_.:/+-@\\".contains(c)
}

fn value_char_ok(c: char) -> bool {
    c.is_alphanumeric() || c.is_whitespace() || "_.:/=+\\-@'\"".contains(c)
}

fn env_property(s: &Setting<'_>, ctx: &mut Ctx<'_>) {
    let name = &s.name;
    let at_name = |f: Finding| f.at_span(s.name_span.clone(), s.name_pointer);
    let label = if name.is_empty() {
        "an environment property with an empty name".to_owned()
    } else {
        format!("environment property `{}`", truncate(name, 60))
    };
    if name.is_empty() {
        ctx.push(at_name(Rule::R71.error(
            "an environment property has an empty name",
            "give it a name of letters, digits and `_` (e.g. `DATABASE_URL`), or remove it",
        )));
    } else if name.chars().count() > 128 || !name.chars().all(key_char_ok) {
        let bad: String = name.chars().filter(|c| !key_char_ok(*c)).take(3).collect();
        let why = if name.chars().count() > 128 {
            "is longer than 128 characters".to_owned()
        } else {
            format!("contains `{bad}`")
        };
        ctx.push(at_name(Rule::R71.error(
            format!("{label} {why}"),
            "names use letters, digits and `_ . : / + - @ \\`, at most 128 characters",
        )));
    } else if !is_shell_name(name) {
        // EB accepts `. : / + - @ \` in keys, but a shell cannot read such a
        // variable; case does not matter (`WebRequestCWLogGroup` is fine).
        let why = match name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
        {
            Some(c) => format!("contains `{c}`"),
            None => "starts with a digit".to_owned(),
        };
        ctx.push(at_name(Rule::R71.warning(
            format!("{label} {why}, so it is not a shell variable name"),
            "EB sets it, but shells and many tools cannot read it; use letters, digits and `_`, not starting with a digit",
        )));
    }
    let text = scalar_text(s.value, ctx.file.text());
    if matches!(s.value.value, Value::Seq(_) | Value::Map(_)) || is_dynamic(text) {
        return;
    }
    let secret = crate::validate::shape::may_be_secret(name, text);
    let mask = |f: Finding| if secret { f.secret(s.value) } else { f };
    if text.chars().count() > 256 {
        ctx.push(mask(
            Rule::R71
                .error(
                    format!(
                        "value of {label} is {} characters; the limit is 256",
                        text.chars().count()
                    ),
                    "store long values in SSM Parameter Store or S3 and read them at start-up",
                )
                .at(s.value),
        ));
    } else if let Some(c) = text.chars().find(|c| !value_char_ok(*c)) {
        // A warning, not an error: EB's documented character set is
        // narrower than what it accepts (AWS's own Django tutorial set
        // `PYTHONPATH: "...:$PYTHONPATH"`).
        ctx.push(mask(
            Rule::R71.warning(format!("value of {label} contains `{c}`, outside the documented character set"),
                "values may hold letters, digits, spaces and `_ . : / = + \\ - @ ' \"`; encode other characters (e.g. base64)",
            )
            .at(s.value),
        ));
    }
}

/// The text EB receives for a scalar value.
fn scalar_text<'t>(node: &'t Node, text: &'t str) -> &'t str {
    match &node.value {
        Value::String(s) => s,
        Value::Null => "",
        _ => text.get(node.span.clone()).unwrap_or(""),
    }
}

fn secrets(s: &Setting<'_>, ctx: &mut Ctx<'_>) {
    if s.namespace == "aws:elasticbeanstalk:application:environmentsecrets" {
        return;
    }
    if let Some(v) = s.value.as_str()
        && crate::validate::shape::may_be_secret(s.name, v)
        && !v.is_empty()
        && !is_dynamic(v)
        && !v.starts_with("arn:")
        && !v.contains("${")
    {
        ctx.push(
                Rule::R74.warning(format!("`{}` holds a plaintext secret", s.name),
                    "reference it instead: `{{resolve:ssm:NAME:VERSION}}` or `aws:elasticbeanstalk:application:environmentsecrets`",
                )
                .at(s.value)
                .secret(s.value),
            );
    }
}
