//! The CloudFormation template sections besides `Resources` and `Outputs`
//! (R91): `Parameters`, `Mappings`, `Conditions`, `Metadata`,
//! `Description`, `AWSTemplateFormatVersion`, `Transform`, and the
//! condition names that `Fn::If` and `Condition` refer to.
//!
//! EB adds the contents of configuration files to the CloudFormation
//! template of the environment, so every template section may appear at the
//! top level of a config. No EB page says that the merge ignores or rejects
//! one of them, so none is a finding by its presence; the checks here are
//! the shapes CloudFormation requires of each section, where a wrong shape
//! fails the environment's stack update.

use super::common::{section, type_desc, unknown_key};
use crate::diag::Severity;
use crate::syntax::{Entry, Node, Value};
use crate::validate::{Ctx, Rule};
use std::collections::HashSet;

const PARAMETER_KEYS: [&str; 11] = [
    "Type",
    "Default",
    "Description",
    "AllowedValues",
    "AllowedPattern",
    "ConstraintDescription",
    "MaxLength",
    "MinLength",
    "MaxValue",
    "MinValue",
    "NoEcho",
];

/// What the top of a condition declaration may be.
const CONDITION_FUNCTIONS: [&str; 5] = ["Fn::And", "Fn::Equals", "Fn::Not", "Fn::Or", "Condition"];

/// The only template format version CloudFormation knows.
const FORMAT_VERSION: &str = "2010-09-09";

/// `Parameters`: each a mapping with a `Type`, and a `Default`, since EB
/// has no way to pass a value for it.
pub(super) fn check_parameters(node: &Node, ctx: &mut Ctx<'_>) {
    let Some(params) = map_section("Parameters", node, ctx) else {
        return;
    };
    for p in params {
        let Some(keys) = p.value.entries() else {
            ctx.push(
                Rule::R91
                    .error(
                        format!(
                            "parameter `{}` must be a mapping, found {}",
                            p.key,
                            type_desc(&p.value)
                        ),
                        "write `Type: String` and `Default: ...` under the parameter name",
                    )
                    .at(&p.value),
            );
            continue;
        };
        if p.value.get("Type").is_none() {
            ctx.push(
                Rule::R91
                    .error(
                        format!("parameter `{}` has no `Type`", p.key),
                        "add `Type: String` (CloudFormation requires a type for every parameter)",
                    )
                    .at_key(p),
            );
        }
        if p.value.get("Default").is_none() {
            ctx.push(
                Rule::R91
                    .warning(
                        format!("parameter `{}` has no `Default`: EB cannot pass a value for it", p.key),
                        "add `Default: ...`; to set a value per environment, use a custom option and `Fn::GetOptionSetting` instead",
                    )
                    .at_key(p),
            );
        }
        for k in keys {
            if !PARAMETER_KEYS.contains(&k.key.as_str()) {
                ctx.push(unknown_key(
                    Rule::R91,
                    Severity::Warning,
                    k,
                    &format!("parameter `{}`", p.key),
                    &PARAMETER_KEYS,
                ));
            }
        }
    }
}

/// `Mappings`: map name → top-level key → mapping of values.
pub(super) fn check_mappings(node: &Node, ctx: &mut Ctx<'_>) {
    let Some(maps) = map_section("Mappings", node, ctx) else {
        return;
    };
    for m in maps {
        let Some(keys) = m.value.entries() else {
            ctx.push(not_a_mapping(&format!("Mappings.{}", m.key), &m.value));
            continue;
        };
        for k in keys {
            if k.value.entries().is_none() {
                ctx.push(not_a_mapping(
                    &format!("Mappings.{}.{}", m.key, k.key),
                    &k.value,
                ));
            }
        }
    }
}

/// `Conditions`: each a mapping with one condition function.
pub(super) fn check_conditions(node: &Node, ctx: &mut Ctx<'_>) {
    let Some(conditions) = map_section("Conditions", node, ctx) else {
        return;
    };
    for c in conditions {
        match c.value.entries() {
            None => ctx.push(
                Rule::R91
                    .error(
                        format!(
                            "condition `{}` must be a condition function, found {}",
                            c.key,
                            type_desc(&c.value)
                        ),
                        "write it with `Fn::Equals`, `Fn::Not`, `Fn::And` or `Fn::Or`, e.g. `IsProd: {\"Fn::Equals\": [{Ref: Stage}, prod]}`",
                    )
                    .at(&c.value),
            ),
            Some([f]) if CONDITION_FUNCTIONS.contains(&f.key.as_str()) => {}
            Some(_) => ctx.push(
                Rule::R91
                    .warning(
                        format!(
                            "condition `{}` is not one `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or` or `Condition`",
                            c.key
                        ),
                        "CloudFormation builds conditions from those functions only",
                    )
                    .at(&c.value),
            ),
        }
    }
}

/// `Metadata`, `Description`, `AWSTemplateFormatVersion`, `Transform`:
/// the shapes CloudFormation takes.
pub(super) fn check_header(entry: &Entry, ctx: &mut Ctx<'_>) {
    let v = &entry.value;
    let (ok, want) = match entry.key.as_str() {
        "Metadata" => (matches!(v.value, Value::Map(_)), "a mapping"),
        "Description" => (v.as_str().is_some(), "a string"),
        "AWSTemplateFormatVersion" => (v.as_str() == Some(FORMAT_VERSION), "`2010-09-09`"),
        "Transform" => (
            match &v.value {
                Value::String(_) | Value::Map(_) => true,
                Value::Seq(items) => items
                    .iter()
                    .all(|i| matches!(i.value, Value::String(_) | Value::Map(_))),
                _ => false,
            },
            "a macro name or a list of them",
        ),
        _ => return,
    };
    if !ok {
        ctx.push(
            Rule::R91
                .warning(
                    format!("`{}` must be {want}, found {}", entry.key, type_desc(v)),
                    "CloudFormation rejects the template otherwise; fix the value or remove the section",
                )
                .at(v),
        );
    }
    if entry.key == "Description"
        && let Some(s) = v.as_str()
        && s.len() > 1024
    {
        ctx.push(
            Rule::R91
                .warning(
                    format!(
                        "`Description` has {} bytes; CloudFormation takes at most 1024",
                        s.len()
                    ),
                    "shorten it",
                )
                .at(v),
        );
    }
}

fn map_section<'n>(name: &str, node: &'n Node, ctx: &mut Ctx<'_>) -> Option<&'n [Entry]> {
    let help = format!("write `{name}:` then `  Name:` with its settings");
    section(name, Rule::R91, node, &help, ctx)
}

fn not_a_mapping(what: &str, node: &Node) -> crate::diag::Finding {
    Rule::R91
        .error(
            format!("`{what}` must be a mapping, found {}", type_desc(node)),
            "indent its keys and values under the name",
        )
        .at(node)
}

/// A place that names a condition: `Fn::If`'s first argument, the
/// `Condition` attribute of a resource or output, `{Condition: Name}` in a
/// condition.
fn condition_refs(root: &Node) -> Vec<&Node> {
    let mut refs = Vec::new();
    for section in ["Resources", "Outputs"] {
        for e in root
            .get(section)
            .and_then(Node::entries)
            .unwrap_or_default()
        {
            if let Some(c) = e.value.get("Condition") {
                refs.push(c);
            }
        }
    }
    root.walk(&mut |n| {
        let Some([f]) = n.entries() else {
            return;
        };
        match f.key.as_str() {
            "Fn::If" => refs.extend(f.value.items().and_then(|a| a.first())),
            // `{Condition: Name}` inside `Fn::And`, `Fn::Or`, `Fn::Not`.
            "Condition" if n.pointer.starts_with("/Conditions/") => refs.push(&f.value),
            _ => {}
        }
    });
    refs
}

/// The condition names a config defines.
pub(super) fn defined(root: &Node) -> Vec<String> {
    root.get("Conditions")
        .and_then(Node::entries)
        .unwrap_or_default()
        .iter()
        .map(|e| e.key.clone())
        .collect()
}

/// Warns on a condition name that no config defines. EB merges all
/// configs into one template, so a name may come from another file: in a
/// bundle the others are searched (only when this file misses one); a file
/// checked alone can only say it is not in this file.
pub(super) fn check_condition_names(root: &Node, ctx: &mut Ctx<'_>) {
    let mut names: HashSet<String> = defined(root).into_iter().collect();
    let refs = condition_refs(root);
    let missing =
        |names: &HashSet<String>, r: &&Node| r.as_str().is_some_and(|s| !names.contains(s));
    if !refs.iter().any(|r| missing(&names, r)) {
        return;
    }
    let file = ctx.file;
    let self_name = file.name();
    let elsewhere = |s: &str| {
        ctx.bundle_auth
            .is_some_and(|b| b.defines_condition(s, self_name))
    };
    if ctx.bundle_auth.is_none()
        && let Some(bundle) = ctx.bundle
    {
        // No bundle index (a config checked alone against a bundle):
        // read the others once.
        for e in &bundle.entries {
            if super::is_config_entry(&e.name)
                && bundle.display_name(&e.name) != self_name
                && let Some(other) = e.data.as_deref().and_then(crate::validate::parse_config)
            {
                names.extend(defined(&other));
            }
        }
    }
    let refs: Vec<&Node> = refs
        .into_iter()
        .filter(|r| missing(&names, r) && !r.as_str().is_some_and(elsewhere))
        .collect();
    let place = if ctx.bundle.is_some() {
        "in any configuration file of the bundle"
    } else {
        "in this file"
    };
    for r in refs {
        let name = r.as_str().unwrap_or_default();
        ctx.push(
            Rule::R91
                .warning(
                    format!("condition `{name}` is not defined {place}"),
                    "define it under `Conditions:` in one of the bundle's config files (EB merges them into one template), or fix the name",
                )
                .at(r),
        );
    }
}
