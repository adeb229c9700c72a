//! `.ebextensions/*.config` rules (R61–R91).
//!
//! [`check_text`] reads a file as EB does (YAML, or JSON: `read.rs`) and
//! runs the per-file rules over the spanned tree: the raw
//! text checks first (tabs, duplicate keys, YAML tags), then each top-level
//! section in its own module. [`check_bundle`] runs the rules that need the
//! whole bundle (placement and order of config files).

mod breaks;
mod commands;
pub(crate) mod common;
mod files;
pub(crate) use files::BundleAuth;
mod option_settings;
mod packages;
pub(crate) mod read;
mod resources;
mod tabs;
mod template;

use super::{Bundle, Ctx, Options};
use crate::diag::{Finding, Report, Severity};
use crate::syntax::{Node, Value};
use crate::validate::Rule;
use common::{mixed_width_prefixes, type_desc, unknown_key_help};
use read::Form;
use std::collections::{HashMap, HashSet};

/// The top-level keys EB accepts in a configuration file (R67): its own
/// sections and the sections of a CloudFormation template, which EB merges
/// into the environment's template.
pub const TOP_LEVEL_KEYS: [&str; 18] = [
    "option_settings",
    "packages",
    "groups",
    "users",
    "sources",
    "files",
    "commands",
    "container_commands",
    "services",
    "Resources",
    "Outputs",
    "Parameters",
    "Mappings",
    "Conditions",
    "Metadata",
    "Description",
    "AWSTemplateFormatVersion",
    "Transform",
];

/// True for entry names that EB reads as configuration files.
pub fn is_config_entry(name: &str) -> bool {
    name.starts_with(".ebextensions/")
        && name.ends_with(".config")
        && name.matches('/').count() == 1
}

/// Reads and checks the text of one configuration file.
pub fn check_text(text: &str, ctx: &mut Ctx<'_>) {
    match read::read(text) {
        Ok((root, form)) => {
            breaks::check(text, Some(&root), ctx);
            check_file(&root, form, ctx);
        }
        Err(failure) => {
            breaks::check(text, None, ctx);
            read::report(&failure, ctx);
        }
    }
}

/// Checks one parsed configuration file (`form`: how it was read).
fn check_file(root: &Node, form: Form, ctx: &mut Ctx<'_>) {
    if form == Form::Yaml {
        let tabs = tabs::indentation_tabs(ctx.file.text(), Some(root));
        if let Some(mut f) = read::tab_finding(&tabs, ctx) {
            f.pointer = tabs
                .first()
                .map(|&at| pointer_at(root, at))
                .unwrap_or_default();
            ctx.push(f);
        }
    }
    duplicate_keys(root, ctx);
    tags(root, ctx);
    let Some(entries) = root.entries() else {
        match &root.value {
            Value::Null => ctx.push(
                Rule::R63.warning("configuration file is empty",
                    "add configuration keys or delete the file",
                )
                .at_span(0..0, ""),
            ),
            _ => ctx.push(
                Rule::R63.error(format!(
                        "a configuration file must be a YAML mapping of sections, found {}",
                        type_desc(root)
                    ),
                    "start with a top-level key such as `option_settings:` or `files:`; other file types do not belong in `.ebextensions`",
                )
                .at(root),
            ),
        }
        return;
    };
    let auth = files::AuthNames::collect(root, ctx.bundle_auth, ctx.file.name());
    for entry in entries {
        let node = &entry.value;
        match entry.key.as_str() {
            "option_settings" => option_settings::check(node, ctx),
            "packages" => packages::check_packages(node, ctx),
            "groups" => packages::check_groups(node, ctx),
            "users" => packages::check_users(node, ctx),
            "sources" => packages::check_sources(node, ctx),
            "services" => packages::check_services(node, root, ctx),
            "files" => files::check(node, &auth, ctx),
            "commands" => commands::check(node, false, ctx),
            "container_commands" => commands::check(node, true, ctx),
            "Resources" => resources::check_resources(node, ctx),
            "Outputs" => resources::check_outputs(node, ctx),
            "Parameters" => template::check_parameters(node, ctx),
            "Mappings" => template::check_mappings(node, ctx),
            "Conditions" => {
                template::check_conditions(node, ctx);
                resources::functions(node, ctx);
            }
            "Metadata" | "Description" | "AWSTemplateFormatVersion" | "Transform" => {
                template::check_header(entry, ctx);
            }
            other => ctx.push(
                Rule::R67
                    .error(
                        format!("unknown top-level key `{other}`: EB ignores this whole file"),
                        unknown_key_help(other, &TOP_LEVEL_KEYS),
                    )
                    .at_key(entry),
            ),
        }
    }
    template::check_condition_names(root, ctx);
}

/// The pointer of the deepest node whose span holds `at`.
fn pointer_at(root: &Node, at: usize) -> String {
    let mut best = String::new();
    root.walk(&mut |n| {
        if n.span.start <= at && at < n.span.end {
            best.clone_from(&n.pointer);
        }
    });
    best
}

/// R66: a key repeated in one mapping, at any level. Only one of the
/// values takes effect: an error when the others differ from it, a warning
/// when every repeat has the same value as the occurrences before it
/// (nothing is lost then).
fn duplicate_keys(root: &Node, ctx: &mut Ctx<'_>) {
    root.walk(&mut |n| {
        for (key, entries) in n.duplicate_keys() {
            let Some((first, _)) = entries.split_first() else {
                continue;
            };
            // Each repeat is compared with the first: "the same as every
            // occurrence before it" is "the same as the first, and every
            // repeat so far was", one comparison per repeat.
            let mut all_same = true;
            for e in entries.iter().skip(1) {
                all_same = all_same && e.value.same_value(&first.value);
                let same = all_same;
                let top = n.pointer.is_empty();
                let severity = if same { Severity::Warning } else { Severity::Error };
                ctx.push_lazy(Rule::R66, severity, || {
                    let f = match (top, same) {
                        (true, false) => Rule::R66.error(
                            format!("top-level key `{key}` is defined more than once: EB keeps only one of the sections"),
                            format!("merge both `{key}` sections into one"),
                        ),
                        (false, false) => Rule::R66.error(
                            format!("duplicate key `{key}` in `{}`: only the last one takes effect", n.pointer),
                            "remove or merge the duplicate",
                        ),
                        (true, true) => Rule::R66.warning(
                            format!("top-level key `{key}` is defined twice with the same content: EB keeps one, so nothing is lost"),
                            format!("remove the repeated `{key}` section"),
                        ),
                        (false, true) => Rule::R66.warning(
                            format!("duplicate key `{key}` in `{}` repeats the same value: nothing is lost", n.pointer),
                            "remove the repeated entry",
                        ),
                    };
                    f.at_key(e).label(first.key_span.clone(), "first defined here")
                });
            }
        }
    });
}

/// Application tags (`!Ref`, `!GetAtt`): EB's YAML loader has no
/// constructor for them and rejects the file (R63).
fn tags(root: &Node, ctx: &mut Ctx<'_>) {
    let mut found = Vec::new();
    root.walk(&mut |n| {
        if let Some(tag) = &n.tag
            && !(tag.starts_with("!!") || tag.starts_with("tag:yaml.org,2002:")) {
                let name = tag.trim_start_matches('!');
                let long = if name == "Ref" {
                    "`{\"Ref\": ...}`".to_owned()
                } else {
                    format!("`Fn::{name}: ...`")
                };
                found.push(
                    Rule::R63.error(format!("YAML tag `{tag}` is not supported in configuration files: EB's parser rejects the file"),
                        format!("use the long form of the function, e.g. {long}"),
                    )
                    .at(n),
                );
            }
    });
    for f in found {
        ctx.push(f);
    }
}

/// Cross-file rules (R61 placement and naming, R62 ordering).
pub fn check_bundle(bundle: &Bundle, options: &Options, report: &mut Report) {
    let _ = options;
    let mut configs = Vec::new();
    for entry in &bundle.entries {
        if entry.kind != super::EntryKind::File {
            continue;
        }
        let name = entry.name.as_str();
        if is_config_entry(name) {
            let base = &name[".ebextensions/".len()..];
            if base == ".config" {
                report.push_file(
                    &bundle.display_name(name),
                    Rule::R61.warning(
                        "configuration file named only `.config` is a hidden file with no name",
                        "give it a name such as `01_settings.config`",
                    ),
                );
            }
            configs.push(base);
            continue;
        }
        if let Some(f) = misplaced(name) {
            report.push_file(&bundle.display_name(name), f);
        }
    }
    shared_source_targets(bundle, report);
    if let Some((early, late)) = mixed_width_prefixes(&configs) {
        report.push_file(
            &bundle.display_name(&format!(".ebextensions/{early}")),
            Rule::R62.warning(
                format!(
                    "`{early}` runs before `{late}`: files run in alphabetical order, not numeric"
                ),
                "zero-pad numeric prefixes to the same width (`01_`, `02_`, …, `10_`)",
            ),
        );
    }
}

fn misplaced(name: &str) -> Option<Finding> {
    let lower = name.to_ascii_lowercase();
    let ignored_ext = [".yml", ".yaml", ".json", ".conf", ".cfg"];
    if let Some(base) = name.strip_prefix(".ebextensions/") {
        if base.contains('/') {
            return None;
        }
        if lower.ends_with(".config") {
            return Some(Rule::R61.warning(
                format!("`{base}` is ignored: the extension must be exactly `.config` (lowercase)"),
                "rename it to end in `.config`",
            ));
        }
        if ignored_ext.iter().any(|e| lower.ends_with(e)) {
            return Some(Rule::R61.warning(
                format!("`{base}` is ignored: EB reads only `*.config` files in `.ebextensions`"),
                "rename it to end in `.config`, or move it out of `.ebextensions`",
            ));
        }
        return None;
    }
    if let Some(i) = name.find("/.ebextensions/") {
        let rest = &name[i + "/.ebextensions/".len()..];
        if lower.ends_with(".config") && !rest.contains('/') {
            return Some(Rule::R61.warning(
                format!(
                    "`{}/.ebextensions` is not at the bundle root: EB ignores it",
                    &name[..i]
                ),
                "move the `.ebextensions` folder to the root of the bundle",
            ));
        }
    }
    if let Some(rest) = name.strip_prefix("ebextensions/")
        && lower.ends_with(".config")
        && !rest.contains('/')
    {
        return Some(Rule::R61.warning(
            "folder `ebextensions` lacks the leading dot: EB ignores it",
            "rename the folder to `.ebextensions`",
        ));
    }
    None
}

/// R77 across the bundle: two `sources` entries extracting into the same
/// directory (in one file written differently, e.g. with a trailing `/`, or
/// in two files). EB replaces the directory's content, it does not merge.
/// Files are taken in the order EB runs them (alphabetical).
fn shared_source_targets(bundle: &Bundle, report: &mut Report) {
    // The config entries by base name, found in one pass over the bundle
    // (not a look-up by name per config).
    let mut files: Vec<(&str, &super::BundleEntry)> = bundle
        .entries
        .iter()
        .filter(|e| e.kind == super::EntryKind::File && is_config_entry(&e.name))
        .map(|e| (&e.name[".ebextensions/".len()..], e))
        .collect();
    // Stable: of two entries with one name, the first counts (as `get`).
    files.sort_by_key(|(base, _)| *base);
    files.dedup_by_key(|(base, _)| *base);
    let mut seen: HashMap<String, String> = HashMap::new();
    for (base, entry) in files {
        let name = format!(".ebextensions/{base}");
        let Some(root) = entry.data.as_deref().and_then(super::parse_config) else {
            continue;
        };
        let Some(entries) = root.get("sources").and_then(Node::entries) else {
            continue;
        };
        let display = bundle.display_name(&name);
        let mut in_file: HashSet<&str> = HashSet::new();
        for e in entries {
            let target = e.key.trim_end_matches('/');
            if target.is_empty() {
                continue;
            }
            // Exact repeats in one file are duplicate keys (R66).
            if !in_file.insert(&e.key) {
                continue;
            }
            if let Some(first) = seen.get(target) {
                let f = Rule::R77.warning(format!(
                        "`{}` is also a `sources` target in `{first}`: the later archive replaces the directory, the two are not merged",
                        e.key
                    ),
                    "extract each archive into its own directory",
                )
                .at_key(e);
                match report.sources.get(&display).cloned() {
                    Some(file) => report.push(&file, f),
                    None => report.push_file(&display, f),
                }
            } else {
                seen.insert(target.to_owned(), name.clone());
            }
        }
    }
}
