//! Logging, ulimits, health checks and dependency shapes of a v2 container (R43–R46).

use crate::syntax::Node;
use crate::validate::shape::{self, Table, for_each_object, list, truncate, want_seq};
use crate::validate::{Ctx, Rule};

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
    const KEYS: &[&str] = &["logDriver", "options", "secretOptions"];
    let what = format!("`logConfiguration` of {label}");
    let Some(mut t) = Table::object(ctx, Rule::R43, node, &what, KEYS) else {
        return;
    };
    let help = "add `\"logDriver\": \"awslogs\"` (or another supported driver)";
    let driver = t
        .require("logDriver", help)
        .and_then(|_| t.str("logDriver", &format!("`logDriver` of {label}")));
    if let Some((d, s)) = driver
        && !DRIVERS.contains(&s)
    {
        let message = format!(
            "`logDriver` `{}` of {label} is not supported by ECS",
            truncate(s, 40)
        );
        t.push(
            Rule::R43
                .error(message, format!("use one of {}", list(DRIVERS)))
                .at(d),
        );
    }
    if let Some(o) = t.get("options") {
        let what = format!("`logConfiguration.options` of {label}");
        shape::string_map(o, Rule::R43, &what, t.ctx);
    }
    if let Some(s) = t.get("secretOptions") {
        let what = format!("`logConfiguration.secretOptions` of {label}");
        super::env::name_value_from(s, Rule::R43, &what, t.ctx);
    }
    let Some((d, s)) = driver.filter(|(_, s)| DRIVERS.contains(s)) else {
        return;
    };
    let opts = t.get("options");
    let missing: Vec<&str> = ["awslogs-group", "awslogs-region"]
        .into_iter()
        .filter(|k| opts.and_then(|o| o.get(k)).is_none())
        .collect();
    if s == "awslogs" && !missing.is_empty() {
        let message = format!(
            "the `awslogs` driver of {label} has no {} option",
            list(&missing)
        );
        let help = "set `awslogs-group` and `awslogs-region` in `options`";
        t.push(Rule::R43.warning(message, help).at(d));
    }
    if s != "json-file" {
        let message = format!(
            "{label} logs through `{s}`, so EB's log bundles and `awseb-logs-*` volumes will not see its output"
        );
        let help = "keep `json-file` (the default) if you rely on `eb logs`";
        t.push(Rule::R43.warning(message, help).at(d));
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
    const KEYS: &[&str] = &["name", "softLimit", "hardLimit"];
    let what = format!("`ulimits` of {label}");
    let expected = "an array of `{\"name\", \"softLimit\", \"hardLimit\"}` objects";
    let Some(items) = want_seq(ctx, Rule::R44, node, &what, expected) else {
        return;
    };
    for_each_object(
        ctx,
        Rule::R44,
        items,
        &format!("an entry of {what}"),
        KEYS,
        |t| {
            for key in KEYS {
                t.require(key, "`name`, `softLimit` and `hardLimit` are all required");
            }
            if let Some((n, s)) = t.str("name", &format!("a ulimit `name` of {label}"))
                && !NAMES.contains(&s)
            {
                let message = format!(
                    "ulimit `{}` of {label} is not a ulimit ECS knows",
                    truncate(s, 40)
                );
                t.push(
                    Rule::R44
                        .error(message, format!("use one of {}", list(NAMES)))
                        .at(n),
                );
            }
            let soft = t.int("softLimit", &format!("`softLimit` of {label}"));
            let hard = t.int("hardLimit", &format!("`hardLimit` of {label}"));
            if let (Some((sn, s)), Some((_, h))) = (soft, hard)
                && s > h
            {
                let message = format!("`softLimit` {s} of {label} is above its `hardLimit` {h}");
                let help = "the soft limit cannot exceed the hard limit; lower it";
                t.push(Rule::R44.warning(message, help).at(sn));
            }
        },
    );
}

/// R45: `healthCheck`.
pub(super) fn health_check(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    const KEYS: &[&str] = &["command", "interval", "timeout", "retries", "startPeriod"];
    let what = format!("`healthCheck` of {label}");
    let Some(mut t) = Table::object(ctx, Rule::R45, node, &what, KEYS) else {
        return;
    };
    let help = "add `\"command\": [\"CMD-SHELL\", \"curl -f http://localhost/ || exit 1\"]`";
    if let Some(c) = t.require("command", help) {
        match c.items() {
            Some(items) => {
                let first = items.first().and_then(Node::as_str);
                if !matches!(first, Some("CMD" | "CMD-SHELL")) {
                    let message = format!(
                        "the health check command of {label} must start with `CMD` or `CMD-SHELL`"
                    );
                    let help = "write `[\"CMD-SHELL\", \"your check\"]` or `[\"CMD\", \"program\", \"arg\"]`";
                    t.push(
                        Rule::R45
                            .error(message, help)
                            .at(items.first().unwrap_or(c)),
                    );
                }
                for i in items.iter().filter(|i| i.as_str().is_none()) {
                    shape::wrong_type(t.ctx, Rule::R45, i, "a health check argument", "a string");
                }
            }
            None => {
                let what = format!("the health check `command` of {label}");
                let expected = "an array starting with `CMD` or `CMD-SHELL`";
                shape::wrong_type(t.ctx, Rule::R45, c, &what, expected);
            }
        }
    }
    for (key, lo, hi) in [
        ("interval", 5, 300),
        ("timeout", 2, 60),
        ("retries", 1, 10),
        ("startPeriod", 0, 300),
    ] {
        t.int_in(key, &format!("health check `{key}` of {label}"), lo, hi);
    }
}

/// R46, shape part: `[{containerName, condition}]`.
pub(super) fn depends_on_shape(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    const CONDITIONS: &[&str] = &["START", "COMPLETE", "SUCCESS", "HEALTHY"];
    const KEYS: &[&str] = &["containerName", "condition"];
    let what = format!("`dependsOn` of {label}");
    let expected = "an array of `{\"containerName\", \"condition\"}` objects";
    let Some(items) = want_seq(ctx, Rule::R46, node, &what, expected) else {
        return;
    };
    for_each_object(
        ctx,
        Rule::R46,
        items,
        &format!("an entry of {what}"),
        KEYS,
        |t| {
            for key in KEYS {
                let help = "both `containerName` and `condition` are required";
                if t.require(key, help).is_none() {
                    continue;
                }
                if let Some((v, s)) = t.str(key, &format!("`{key}` in {what}"))
                    && *key == "condition"
                    && !CONDITIONS.contains(&s)
                {
                    let message = format!(
                        "dependency condition `{}` of {label} is not valid",
                        truncate(s, 40)
                    );
                    t.push(
                        Rule::R46
                            .error(message, format!("use one of {}", list(CONDITIONS)))
                            .at(v),
                    );
                }
            }
        },
    );
}
