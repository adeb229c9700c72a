//! Environment, secrets and environment files of a v2 container (R35, R36, R43 secretOptions, R48).

use crate::diag::Severity;
use crate::syntax::Node;
use crate::validate::Ctx;
use crate::validate::Rule;
use crate::validate::shape::{self, Table, for_each_object, want_seq};
use std::collections::HashMap;

/// R35: `environment` is an array of `{"name", "value"}` with string values.
pub(super) fn environment(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    let what = format!("`environment` of {label}");
    let Some(items) = node.items() else {
        let help = if node.entries().is_some() {
            "write `[{\"name\": \"KEY\", \"value\": \"v\"}]` instead of a docker-compose style map"
                .to_owned()
        } else {
            "write `[{\"name\": \"KEY\", \"value\": \"v\"}]`".to_owned()
        };
        ctx.push(
            Rule::R35
                .error(
                    format!(
                        "{what} must be an array of `{{\"name\", \"value\"}}` objects, found {}",
                        node.type_name()
                    ),
                    help,
                )
                .at(node),
        );
        return;
    };
    let mut seen: HashMap<&str, &Node> = HashMap::new();
    for item in items {
        if item.entries().is_none() {
            let help = if item.as_str().is_some_and(|s| s.contains('=')) {
                "write `{\"name\": \"KEY\", \"value\": \"v\"}` instead of a docker-compose style `KEY=v` string"
            } else {
                "write `{\"name\": \"KEY\", \"value\": \"v\"}`"
            };
            ctx.push(
                Rule::R35
                    .error(
                        format!(
                            "an entry of {what} must be an object, found {} `{}`",
                            item.type_name(),
                            shape::show(item)
                        ),
                        help,
                    )
                    .at(item),
            );
            continue;
        }
        let place = format!("an entry of {what}");
        let Some(mut t) = Table::object(ctx, Rule::R35, item, place, &["name", "value"]) else {
            continue;
        };
        let name = t
            .require("name", "add `\"name\": \"KEY\"`")
            .and_then(|_| t.str("name", &format!("an environment `name` of {label}")))
            .map(|(n, s)| (s, n));
        let key = name
            .filter(|(n, _)| !n.is_empty())
            .map_or(String::new(), |(n, _)| {
                format!(" `{}`", shape::truncate(n, 60))
            });
        let help = "add `\"value\": \"…\"` (use `\"\"` for an empty value)";
        if t.get("value").is_none() {
            let message = format!("environment variable{key} of {label} has no `value`");
            t.push(Rule::R35.error(message, help).at_start(item));
        } else if let Some(v) = t.get("value").filter(|v| v.as_str().is_none()) {
            let shown = shape::show(v);
            let secret = name.is_some_and(|(n, _)| shape::may_be_secret(n, &shown));
            if secret {
                // Name the key, never the value (CI logs mask only registered secrets).
                let message = format!(
                    "environment variable{key} of {label} has {} value; values must be strings",
                    v.type_name()
                );
                let f = Rule::R35.error(message, "quote the value").at(v).secret(v);
                t.push(f);
            } else {
                let message = format!(
                    "environment variable{key} of {label} has {} value `{shown}`; values must be strings",
                    v.type_name()
                );
                t.push(Rule::R35.error(message, shape::quote_fix(v)).at(v));
            }
        }
        let Some((n, node)) = name else {
            continue;
        };
        if n.is_empty() {
            let message = format!("an environment variable of {label} has an empty `name`");
            let help = "give it a name of letters, digits and `_`, or remove the entry";
            ctx.push(Rule::R35.warning(message, help).at(node));
        } else if let Some(first) = seen.get(n) {
            ctx.push_lazy(Rule::R35, Severity::Warning, || {
                Rule::R35
                    .warning(
                        format!(
                            "environment variable `{}` is set more than once in {label}",
                            shape::truncate(n, 60)
                        ),
                        "keep one entry; which one wins is not documented",
                    )
                    .at(node)
                    .label(first.span.clone(), "first set here")
            });
        } else {
            seen.insert(n, node);
            if !shape::is_shell_name(n) {
                let why = match n
                    .chars()
                    .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
                {
                    Some(c) => format!("contains `{c}`"),
                    None => "starts with a digit".to_owned(),
                };
                let message = format!(
                    "environment variable name `{}` of {label} {why}, so it is not a shell variable name",
                    shape::truncate(n, 60)
                );
                let help = "use letters, digits and `_`, not starting with a digit";
                ctx.push(Rule::R35.warning(message, help).at(node));
            }
        }
    }
}

/// `[{name, valueFrom}]` (R36 secrets, R43 secretOptions).
pub(super) fn name_value_from(node: &Node, rule: Rule, what: &str, ctx: &mut Ctx<'_>) {
    const KEYS: &[&str] = &["name", "valueFrom"];
    let expected = "an array of `{\"name\", \"valueFrom\"}` objects";
    let items = want_seq(ctx, rule, node, what, expected).unwrap_or_default();
    for_each_object(
        ctx,
        rule,
        items,
        &format!("an entry of {what}"),
        KEYS,
        |t| {
            for key in KEYS {
                let help = "both `name` and `valueFrom` (a Secrets Manager or SSM parameter ARN) are required";
                t.require(key, help);
                if let Some((v, "")) = t.str(key, &format!("`{key}` in {what}")) {
                    let f = rule.error(
                        format!("`{key}` in {what} is empty"),
                        "give a non-empty value",
                    );
                    t.push(f.at(v));
                }
            }
        },
    );
}

/// R48: `environmentFiles` (warning level: ECS-only feature on EB).
pub(super) fn environment_files(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    let what = format!("`environmentFiles` of {label}");
    let Some(items) = node.items() else {
        ctx.push(
            Rule::R48
                .warning(
                    format!(
                        "{what} must be an array of `{{\"value\", \"type\"}}` objects, found {}",
                        node.type_name()
                    ),
                    "write `[{\"value\": \"arn:aws:s3:::bucket/app.env\", \"type\": \"s3\"}]`",
                )
                .at(node),
        );
        return;
    };
    if items.len() > 10 {
        ctx.push(
            Rule::R48
                .warning(
                    format!("{what} lists {} files; ECS allows at most 10", items.len()),
                    "merge the files",
                )
                .at(node),
        );
    }
    for item in items {
        let value = item.get("value").and_then(Node::as_str);
        let ty = item.get("type").and_then(Node::as_str);
        let ok = value
            .is_some_and(|v| v.starts_with("arn:") && v.contains(":s3:::") && v.ends_with(".env"))
            && ty == Some("s3");
        if !ok {
            ctx.push(Rule::R48.warning(format!("an entry of {what} is not `{{\"value\": \"<S3 object ARN ending in .env>\", \"type\": \"s3\"}}`"), "point `value` at an S3 object ARN ending in `.env` and set `\"type\": \"s3\"`").at(item));
        }
    }
}
