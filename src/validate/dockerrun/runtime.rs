//! Logging, ulimits, health checks and dependency shapes of a v2 container (R43–R46).

use crate::syntax::Node;
use crate::validate::Ctx;
use crate::validate::Rule;
use crate::validate::shape::{self, want_int, want_int_in, want_map, want_seq, want_str};

/// R43: `logConfiguration`.
pub(super) fn log_configuration(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    const DRIVERS: &[&str] = &[
        "json-file",
        "syslog",
        "journald",
        "gelf",
        "fluentd",
        "awslogs",
        "splunk",
        "awsfirelens",
    ];
    let what = format!("`logConfiguration` of {label}");
    if want_map(ctx, Rule::R43, node, &what).is_none() {
        return;
    }
    shape::unknown_keys_in(
        ctx,
        Rule::R43,
        node,
        &what,
        &["logDriver", "options", "secretOptions"],
    );
    let driver = match node.get("logDriver") {
        Some(d) => want_str(ctx, Rule::R43, d, &format!("`logDriver` of {label}")).and_then(|s| {
            if DRIVERS.contains(&s) {
                Some(s)
            } else {
                ctx.push(
                    Rule::R43
                        .error(
                            format!(
                                "`logDriver` `{}` of {label} is not supported by ECS",
                                shape::truncate(s, 40)
                            ),
                            format!("use one of {}", shape::list(DRIVERS)),
                        )
                        .at(d),
                );
                None
            }
        }),
        None => {
            ctx.push(
                Rule::R43
                    .error(
                        format!("{what} has no `logDriver`"),
                        "add `\"logDriver\": \"awslogs\"` (or another supported driver)",
                    )
                    .at_span(node.span.start..node.span.start + 1, node.pointer.clone()),
            );
            None
        }
    };
    if let Some(o) = node.get("options") {
        super::fields::string_map(
            o,
            Rule::R43,
            &format!("`logConfiguration.options` of {label}"),
            ctx,
        );
    }
    if let Some(s) = node.get("secretOptions") {
        super::env::name_value_from(
            s,
            Rule::R43,
            &format!("`logConfiguration.secretOptions` of {label}"),
            ctx,
        );
    }
    if let Some(d) = driver {
        if d == "awslogs" {
            let opts = node.get("options");
            let missing: Vec<&str> = ["awslogs-group", "awslogs-region"]
                .into_iter()
                .filter(|k| opts.and_then(|o| o.get(k)).is_none())
                .collect();
            if !missing.is_empty() {
                ctx.push(
                    Rule::R43
                        .warning(
                            format!(
                                "the `awslogs` driver of {label} has no {} option",
                                shape::list(&missing)
                            ),
                            "set `awslogs-group` and `awslogs-region` in `options`",
                        )
                        .at(node.get("logDriver").unwrap_or(node)),
                );
            }
        }
        if d != "json-file" {
            ctx.push(
                Rule::R43.warning(format!("{label} logs through `{d}`, so EB's log bundles and `awseb-logs-*` volumes will not see its output"), "keep `json-file` (the default) if you rely on `eb logs`")
                    .at(node.get("logDriver").unwrap_or(node)),
            );
        }
    }
}

/// R44: `ulimits`.
pub(super) fn ulimits(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    const NAMES: &[&str] = &[
        "core",
        "cpu",
        "data",
        "fsize",
        "locks",
        "memlock",
        "msgqueue",
        "nice",
        "nofile",
        "nproc",
        "rss",
        "rtprio",
        "rttime",
        "sigpending",
        "stack",
    ];
    let what = format!("`ulimits` of {label}");
    let Some(items) = want_seq(
        ctx,
        Rule::R44,
        node,
        &what,
        "an array of `{\"name\", \"softLimit\", \"hardLimit\"}` objects",
    ) else {
        return;
    };
    for item in items {
        if want_map(ctx, Rule::R44, item, &format!("an entry of {what}")).is_none() {
            continue;
        }
        shape::unknown_keys_in(
            ctx,
            Rule::R44,
            item,
            &format!("an entry of {what}"),
            &["name", "softLimit", "hardLimit"],
        );
        for key in ["name", "softLimit", "hardLimit"] {
            if item.get(key).is_none() {
                ctx.push(
                    Rule::R44
                        .error(
                            format!("an entry of {what} has no `{key}`"),
                            "`name`, `softLimit` and `hardLimit` are all required",
                        )
                        .at_span(item.span.start..item.span.start + 1, item.pointer.clone()),
                );
            }
        }
        if let Some(n) = item.get("name")
            && let Some(s) = want_str(ctx, Rule::R44, n, &format!("a ulimit `name` of {label}"))
            && !NAMES.contains(&s)
        {
            ctx.push(
                Rule::R44
                    .error(
                        format!(
                            "ulimit `{}` of {label} is not a ulimit ECS knows",
                            shape::truncate(s, 40)
                        ),
                        format!("use one of {}", shape::list(NAMES)),
                    )
                    .at(n),
            );
        }
        let soft = item
            .get("softLimit")
            .and_then(|v| want_int(ctx, Rule::R44, v, &format!("`softLimit` of {label}")));
        let hard = item
            .get("hardLimit")
            .and_then(|v| want_int(ctx, Rule::R44, v, &format!("`hardLimit` of {label}")));
        if let (Some(s), Some(h), Some(sn)) = (soft, hard, item.get("softLimit"))
            && s > h
        {
            ctx.push(
                Rule::R44
                    .warning(
                        format!("`softLimit` {s} of {label} is above its `hardLimit` {h}"),
                        "the soft limit cannot exceed the hard limit; lower it",
                    )
                    .at(sn),
            );
        }
    }
}

/// R45: `healthCheck`.
pub(super) fn health_check(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    let what = format!("`healthCheck` of {label}");
    if want_map(ctx, Rule::R45, node, &what).is_none() {
        return;
    }
    shape::unknown_keys_in(
        ctx,
        Rule::R45,
        node,
        &what,
        &["command", "interval", "timeout", "retries", "startPeriod"],
    );
    match node.get("command") {
        None => ctx.push(
            Rule::R45
                .error(
                    format!("{what} has no `command`"),
                    "add `\"command\": [\"CMD-SHELL\", \"curl -f http://localhost/ || exit 1\"]`",
                )
                .at_span(node.span.start..node.span.start + 1, node.pointer.clone()),
        ),
        Some(c) => match c.items() {
            Some(items) => {
                let first = items.first().and_then(Node::as_str);
                if !matches!(first, Some("CMD" | "CMD-SHELL")) {
                    ctx.push(Rule::R45.error(format!("the health check command of {label} must start with `CMD` or `CMD-SHELL`"), "write `[\"CMD-SHELL\", \"your check\"]` or `[\"CMD\", \"program\", \"arg\"]`").at(items.first().unwrap_or(c)));
                }
                for i in items.iter().filter(|i| i.as_str().is_none()) {
                    shape::wrong_type(ctx, Rule::R45, i, "a health check argument", "a string");
                }
            }
            None => shape::wrong_type(
                ctx,
                Rule::R45,
                c,
                &format!("the health check `command` of {label}"),
                "an array starting with `CMD` or `CMD-SHELL`",
            ),
        },
    }
    for (key, lo, hi) in [
        ("interval", 5, 300),
        ("timeout", 2, 60),
        ("retries", 1, 10),
        ("startPeriod", 0, 300),
    ] {
        if let Some(v) = node.get(key) {
            want_int_in(
                ctx,
                Rule::R45,
                v,
                &format!("health check `{key}` of {label}"),
                lo,
                hi,
            );
        }
    }
}

/// R46, shape part: `[{containerName, condition}]`.
pub(super) fn depends_on_shape(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    const CONDITIONS: &[&str] = &["START", "COMPLETE", "SUCCESS", "HEALTHY"];
    let what = format!("`dependsOn` of {label}");
    let Some(items) = want_seq(
        ctx,
        Rule::R46,
        node,
        &what,
        "an array of `{\"containerName\", \"condition\"}` objects",
    ) else {
        return;
    };
    for item in items {
        if want_map(ctx, Rule::R46, item, &format!("an entry of {what}")).is_none() {
            continue;
        }
        shape::unknown_keys_in(
            ctx,
            Rule::R46,
            item,
            &format!("an entry of {what}"),
            &["containerName", "condition"],
        );
        for key in ["containerName", "condition"] {
            match item.get(key) {
                None => ctx.push(
                    Rule::R46
                        .error(
                            format!("an entry of {what} has no `{key}`"),
                            "both `containerName` and `condition` are required",
                        )
                        .at_span(item.span.start..item.span.start + 1, item.pointer.clone()),
                ),
                Some(v) => {
                    if let Some(s) = want_str(ctx, Rule::R46, v, &format!("`{key}` in {what}"))
                        && key == "condition"
                        && !CONDITIONS.contains(&s)
                    {
                        ctx.push(
                            Rule::R46
                                .error(
                                    format!(
                                        "dependency condition `{}` of {label} is not valid",
                                        shape::truncate(s, 40)
                                    ),
                                    format!("use one of {}", shape::list(CONDITIONS)),
                                )
                                .at(v),
                        );
                    }
                }
            }
        }
    }
}
