//! Shapes of the v2 container fields (R31, R33, R35–R45, R47, R48).
//! Cross-references (links, dependsOn targets, volumes) are in
//! [`super::v2`] and [`super::volumes`].

use super::util::{self, want_bool, want_int, want_int_in, want_map, want_seq, want_str};
use crate::diag::Finding;
use crate::syntax::{Node, Value};
use crate::validate::Ctx;

/// Runs every field check of one container.
pub(super) fn check(c: &Node, label: &str, ctx: &mut Ctx<'_>) {
    let at = |key: &str| format!("`{key}` of {label}");
    if let Some(p) = c.get("portMappings") {
        port_mappings(p, label, ctx);
    }
    if let Some(e) = c.get("environment") {
        environment(e, label, ctx);
    }
    if let Some(s) = c.get("secrets") {
        name_value_from(s, "R36", &at("secrets"), ctx);
    }
    for key in [
        "command",
        "entryPoint",
        "dnsServers",
        "dnsSearchDomains",
        "dockerSecurityOptions",
        "links",
    ] {
        if let Some(n) = c.get(key) {
            string_list(n, key, label, ctx);
        }
    }
    if let Some(items) = c.get("dnsSearchDomains").and_then(Node::items) {
        for d in items {
            if let Some(s) = d.as_str()
                && !is_search_domain(s)
            {
                ctx.push(
                        Finding::error("R38", format!("search domain `{}` of {label} is not a valid domain name", util::truncate(s, 80)), "use letters, digits, `-` and `.`, up to 254 characters, ending in a letter or digit")
                            .at(d),
                    );
            }
        }
    }
    if let Some(h) = c.get("extraHosts") {
        extra_hosts(h, label, ctx);
    }
    for key in ["hostname", "workingDirectory"] {
        if let Some(n) = c.get(key) {
            want_str(ctx, "R40", n, &at(key));
        }
    }
    if let Some(u) = c.get("user") {
        user(u, label, ctx);
    }
    for key in [
        "privileged",
        "readonlyRootFilesystem",
        "disableNetworking",
        "interactive",
        "pseudoTerminal",
    ] {
        if let Some(n) = c.get(key) {
            want_bool(ctx, "R41", n, &at(key));
        }
    }
    if let Some(l) = c.get("dockerLabels") {
        string_map(l, "R42", &at("dockerLabels"), ctx);
    }
    if let Some(l) = c.get("logConfiguration") {
        log_configuration(l, label, ctx);
    }
    if let Some(u) = c.get("ulimits") {
        ulimits(u, label, ctx);
    }
    if let Some(h) = c.get("healthCheck") {
        health_check(h, label, ctx);
    }
    if let Some(d) = c.get("dependsOn") {
        depends_on_shape(d, label, ctx);
    }
    for key in ["startTimeout", "stopTimeout"] {
        if let Some(n) = c.get(key)
            && let Some(v) = want_int(ctx, "R47", n, &at(key))
            && v <= 0
        {
            ctx.push(
                Finding::error(
                    "R47",
                    format!(
                        "{} is {v}; it must be a positive number of seconds",
                        at(key)
                    ),
                    "use a value of at least 1",
                )
                .at(n),
            );
        }
    }
    if let Some(f) = c.get("environmentFiles") {
        environment_files(f, label, ctx);
    }
    if let Some(r) = c.get("repositoryCredentials")
        && want_map(ctx, "R19", r, &at("repositoryCredentials")).is_some()
    {
        util::unknown_keys_in(
            ctx,
            "R19",
            r,
            &at("repositoryCredentials"),
            &["credentialsParameter"],
        );
        match r.get("credentialsParameter") {
                Some(p) => {
                    want_str(ctx, "R19", p, "`repositoryCredentials.credentialsParameter`");
                }
                None => ctx.push(
                    Finding::error("R19", format!("{} has no `credentialsParameter`", at("repositoryCredentials")), "set it to the ARN of the Secrets Manager secret holding the registry credentials")
                        .at(r),
                ),
            }
    }
    super::volumes::mount_points_shape(c, label, ctx);
}

/// R31, R33 and the per-container part of R32.
fn port_mappings(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    let what = format!("`portMappings` of {label}");
    let Some(items) = want_seq(
        ctx,
        "R31",
        node,
        &what,
        "an array of `{\"containerPort\", \"hostPort\"}` objects",
    ) else {
        return;
    };
    let mut seen: Vec<(i64, String, &Node)> = Vec::new();
    for m in items {
        if m.entries().is_none() {
            util::wrong_type(
                ctx,
                "R31",
                m,
                &format!("a port mapping of {label}"),
                "an object",
            );
            continue;
        }
        let place = format!("a port mapping of {label}");
        util::unknown_keys_in(
            ctx,
            "R31",
            m,
            &place,
            &[
                "containerPort",
                "hostPort",
                "protocol",
                "name",
                "appProtocol",
                "containerPortRange",
            ],
        );
        let protocol = match m.get("protocol") {
            None => Some("tcp".to_owned()),
            Some(p) => match p.as_str() {
                Some(s @ ("tcp" | "udp")) => Some(s.to_owned()),
                Some(s) => {
                    let help = if s.eq_ignore_ascii_case("tcp") || s.eq_ignore_ascii_case("udp") {
                        format!("write `\"{}\"` in lowercase", s.to_ascii_lowercase())
                    } else {
                        "use `\"tcp\"` or `\"udp\"`".to_owned()
                    };
                    ctx.push(
                        Finding::error(
                            "R31",
                            format!(
                                "`protocol` `{}` of {label} is not `tcp` or `udp`",
                                util::truncate(s, 40)
                            ),
                            help,
                        )
                        .at(p),
                    );
                    None
                }
                None => {
                    util::wrong_type(
                        ctx,
                        "R31",
                        p,
                        "`protocol`",
                        "the string `\"tcp\"` or `\"udp\"`",
                    );
                    None
                }
            },
        };
        let container_port = match m.get("containerPort") {
            Some(cp) => want_int_in(
                ctx,
                "R31",
                cp,
                &format!("`containerPort` of {label}"),
                1,
                65535,
            )
            .map(|v| (v, cp)),
            None => {
                if m.get("containerPortRange").is_none() {
                    ctx.push(
                        Finding::error(
                            "R31",
                            format!("a port mapping of {label} has no `containerPort`"),
                            "add `\"containerPort\": 80` (the port the application listens on)",
                        )
                        .at_span(m.span.start..m.span.start + 1, m.pointer.clone()),
                    );
                }
                None
            }
        };
        if let Some(hp) = m.get("hostPort")
            && let Some(v) =
                want_int_in(ctx, "R31", hp, &format!("`hostPort` of {label}"), 0, 65535)
        {
            reserved_port(v, hp, label, ctx);
        }
        if let (Some((port, cp)), Some(proto)) = (container_port, protocol) {
            if let Some((_, _, first)) = seen.iter().find(|(p, pr, _)| *p == port && *pr == proto) {
                ctx.push(
                    Finding::error(
                        "R32",
                        format!("{label} maps container port {port}/{proto} more than once"),
                        "keep one mapping per container port and protocol",
                    )
                    .at(cp)
                    .label(first.span.clone(), "first mapped here"),
                );
            } else {
                seen.push((port, proto, cp));
            }
        }
    }
}

/// R33: reserved host ports (E) and the dynamic range (W).
fn reserved_port(port: i64, node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    let reserved = match port {
        22 => Some("SSH"),
        2375 | 2376 => Some("the Docker daemon"),
        51678..=51680 => Some("the ECS agent"),
        _ => None,
    };
    if let Some(owner) = reserved {
        ctx.push(
            Finding::error(
                "R33",
                format!(
                    "`hostPort` {port} of {label} is reserved for {owner} on the container instance"
                ),
                "map the container to another host port",
            )
            .at(node),
        );
    } else if port >= 32768 {
        ctx.push(
            Finding::warning("R33", format!("`hostPort` {port} of {label} is in the dynamic port range ECS and Docker allocate from, so it may already be taken"), "use a host port below 32768, or `0` for a dynamic port")
                .at(node),
        );
    }
}

/// R35: `environment` is an array of `{"name", "value"}` with string values.
fn environment(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    let what = format!("`environment` of {label}");
    let Some(items) = node.items() else {
        let help = if node.entries().is_some() {
            "write `[{\"name\": \"KEY\", \"value\": \"v\"}]` instead of a docker-compose style map"
                .to_owned()
        } else {
            "write `[{\"name\": \"KEY\", \"value\": \"v\"}]`".to_owned()
        };
        ctx.push(
            Finding::error(
                "R35",
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
    let mut seen: Vec<(&str, &Node)> = Vec::new();
    for item in items {
        if item.entries().is_none() {
            let help = if item.as_str().is_some_and(|s| s.contains('=')) {
                "write `{\"name\": \"KEY\", \"value\": \"v\"}` instead of a docker-compose style `KEY=v` string"
            } else {
                "write `{\"name\": \"KEY\", \"value\": \"v\"}`"
            };
            ctx.push(
                Finding::error(
                    "R35",
                    format!(
                        "an entry of {what} must be an object, found {} `{}`",
                        item.type_name(),
                        util::show(item)
                    ),
                    help,
                )
                .at(item),
            );
            continue;
        }
        util::unknown_keys_in(
            ctx,
            "R35",
            item,
            &format!("an entry of {what}"),
            &["name", "value"],
        );
        let name = match item.get("name") {
            Some(n) => want_str(ctx, "R35", n, &format!("an environment `name` of {label}"))
                .map(|s| (s, n)),
            None => {
                ctx.push(
                    Finding::error(
                        "R35",
                        format!("an entry of {what} has no `name`"),
                        "add `\"name\": \"KEY\"`",
                    )
                    .at_span(item.span.start..item.span.start + 1, item.pointer.clone()),
                );
                None
            }
        };
        match item.get("value") {
            Some(v) if v.as_str().is_some() => {}
            Some(v) => {
                let key = name.map_or(String::new(), |(n, _)| format!(" `{n}`"));
                let fix = match &v.value {
                    Value::Number(n) => format!("quote it: `\"{}\"`", n.raw),
                    Value::Bool(b) => format!("quote it: `\"{b}\"`"),
                    _ => "write the value as a string".to_owned(),
                };
                ctx.push(Finding::error("R35", format!("environment variable{key} of {label} has {} value `{}`; values must be strings", v.type_name(), util::show(v)), fix).at(v));
            }
            None => {
                let key = name.map_or(String::new(), |(n, _)| format!(" `{n}`"));
                ctx.push(
                    Finding::error(
                        "R35",
                        format!("environment variable{key} of {label} has no `value`"),
                        "add `\"value\": \"…\"` (use `\"\"` for an empty value)",
                    )
                    .at_span(item.span.start..item.span.start + 1, item.pointer.clone()),
                );
            }
        }
        if let Some((n, node)) = name {
            if let Some((_, first)) = seen.iter().find(|(s, _)| *s == n) {
                ctx.push(
                    Finding::warning(
                        "R35",
                        format!(
                            "environment variable `{}` is set more than once in {label}",
                            util::truncate(n, 60)
                        ),
                        "keep one entry; which one wins is not documented",
                    )
                    .at(node)
                    .label(first.span.clone(), "first set here"),
                );
            } else {
                seen.push((n, node));
                if !is_portable_env_name(n) {
                    ctx.push(
                        Finding::warning("R35", format!("environment variable name `{}` of {label} is not a portable shell name", util::truncate(n, 60)), "use letters, digits and `_`, not starting with a digit")
                            .at(node),
                    );
                }
            }
        }
    }
}

fn is_portable_env_name(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

/// `[{name, valueFrom}]` (R36 secrets, R43 secretOptions).
fn name_value_from(node: &Node, code: &'static str, what: &str, ctx: &mut Ctx<'_>) {
    let Some(items) = want_seq(
        ctx,
        code,
        node,
        what,
        "an array of `{\"name\", \"valueFrom\"}` objects",
    ) else {
        return;
    };
    for item in items {
        if want_map(ctx, code, item, &format!("an entry of {what}")).is_none() {
            continue;
        }
        util::unknown_keys_in(
            ctx,
            code,
            item,
            &format!("an entry of {what}"),
            &["name", "valueFrom"],
        );
        for key in ["name", "valueFrom"] {
            match item.get(key) {
                Some(v) => {
                    if let Some(s) = want_str(ctx, code, v, &format!("`{key}` in {what}"))
                        && s.is_empty() {
                            ctx.push(Finding::error(code, format!("`{key}` in {what} is empty"), "give a non-empty value").at(v));
                        }
                }
                None => ctx.push(
                    Finding::error(code, format!("an entry of {what} has no `{key}`"), "both `name` and `valueFrom` (a Secrets Manager or SSM parameter ARN) are required")
                        .at_span(item.span.start..item.span.start + 1, item.pointer.clone()),
                ),
            }
        }
    }
}

/// R37: arrays of strings; a bare string is the classic mistake.
fn string_list(node: &Node, key: &str, label: &str, ctx: &mut Ctx<'_>) {
    let what = format!("`{key}` of {label}");
    match &node.value {
        Value::Seq(items) => {
            for i in items {
                if i.as_str().is_none() {
                    util::wrong_type(ctx, "R37", i, &format!("an item of {what}"), "a string");
                }
            }
        }
        Value::String(s) => {
            let help = if matches!(key, "command" | "entryPoint") {
                let parts: Vec<String> = s
                    .split_whitespace()
                    .take(4)
                    .map(|p| format!("\"{p}\""))
                    .collect();
                format!(
                    "write one array element per argument: `[{}{}]`",
                    parts.join(", "),
                    if s.split_whitespace().count() > 4 {
                        ", …"
                    } else {
                        ""
                    }
                )
            } else {
                format!("write `[\"{}\"]`", util::truncate(s, 40))
            };
            ctx.push(
                Finding::error(
                    "R37",
                    format!("{what} must be an array of strings, found a string"),
                    help,
                )
                .at(node),
            );
        }
        _ => util::wrong_type(ctx, "R37", node, &what, "an array of strings"),
    }
}

/// `^[a-zA-Z0-9-.]{0,253}[a-zA-Z0-9]$`
fn is_search_domain(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 254
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'.')
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
}

/// R39: `extraHosts` is `[{hostname, ipAddress}]`.
fn extra_hosts(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    let what = format!("`extraHosts` of {label}");
    let Some(items) = want_seq(
        ctx,
        "R39",
        node,
        &what,
        "an array of `{\"hostname\", \"ipAddress\"}` objects",
    ) else {
        return;
    };
    for item in items {
        if want_map(ctx, "R39", item, &format!("an entry of {what}")).is_none() {
            continue;
        }
        util::unknown_keys_in(
            ctx,
            "R39",
            item,
            &format!("an entry of {what}"),
            &["hostname", "ipAddress"],
        );
        for key in ["hostname", "ipAddress"] {
            match item.get(key) {
                Some(v) => {
                    want_str(ctx, "R39", v, &format!("`{key}` in {what}"));
                }
                None => ctx.push(
                    Finding::error(
                        "R39",
                        format!("an entry of {what} has no `{key}`"),
                        "both `hostname` and `ipAddress` are required",
                    )
                    .at_span(item.span.start..item.span.start + 1, item.pointer.clone()),
                ),
            }
        }
    }
}

/// R40: `user` is `name`, `uid`, or either with `:group`/`:gid`.
fn user(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    let Some(s) = want_str(ctx, "R40", node, &format!("`user` of {label}")) else {
        return;
    };
    let part_ok = |p: &str| {
        !p.is_empty()
            && !p.contains(char::is_whitespace)
            && (!p.bytes().all(|b| b.is_ascii_digit()) || p.parse::<u64>().is_ok())
    };
    let ok = match s.split_once(':') {
        Some((u, g)) => part_ok(u) && part_ok(g) && !g.contains(':'),
        None => part_ok(s),
    };
    if !ok {
        ctx.push(
            Finding::error(
                "R40",
                format!(
                    "`user` `{}` of {label} is not `user`, `uid`, `user:group` or `uid:gid`",
                    util::truncate(s, 60)
                ),
                "write e.g. `\"1000:1000\"` or `\"app\"`",
            )
            .at(node),
        );
    }
}

/// An object whose values are all strings (R42, R43 options).
fn string_map(node: &Node, code: &'static str, what: &str, ctx: &mut Ctx<'_>) {
    let Some(entries) = want_map(ctx, code, node, what) else {
        return;
    };
    for e in entries {
        if e.value.as_str().is_none() {
            let fix = match &e.value.value {
                Value::Number(n) => format!("quote it: `\"{}\"`", n.raw),
                Value::Bool(b) => format!("quote it: `\"{b}\"`"),
                _ => "write the value as a string".to_owned(),
            };
            ctx.push(
                Finding::error(
                    code,
                    format!(
                        "`{}` in {what} is {} `{}`; values must be strings",
                        util::truncate(&e.key, 60),
                        e.value.type_name(),
                        util::show(&e.value)
                    ),
                    fix,
                )
                .at(&e.value),
            );
        }
    }
}

/// R43: `logConfiguration`.
fn log_configuration(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
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
    if want_map(ctx, "R43", node, &what).is_none() {
        return;
    }
    util::unknown_keys_in(
        ctx,
        "R43",
        node,
        &what,
        &["logDriver", "options", "secretOptions"],
    );
    let driver = match node.get("logDriver") {
        Some(d) => want_str(ctx, "R43", d, &format!("`logDriver` of {label}")).and_then(|s| {
            if DRIVERS.contains(&s) {
                Some(s)
            } else {
                ctx.push(
                    Finding::error(
                        "R43",
                        format!(
                            "`logDriver` `{}` of {label} is not supported by ECS",
                            util::truncate(s, 40)
                        ),
                        format!("use one of {}", util::list(DRIVERS)),
                    )
                    .at(d),
                );
                None
            }
        }),
        None => {
            ctx.push(
                Finding::error(
                    "R43",
                    format!("{what} has no `logDriver`"),
                    "add `\"logDriver\": \"awslogs\"` (or another supported driver)",
                )
                .at_span(node.span.start..node.span.start + 1, node.pointer.clone()),
            );
            None
        }
    };
    if let Some(o) = node.get("options") {
        string_map(
            o,
            "R43",
            &format!("`logConfiguration.options` of {label}"),
            ctx,
        );
    }
    if let Some(s) = node.get("secretOptions") {
        name_value_from(
            s,
            "R43",
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
                    Finding::warning(
                        "R43",
                        format!(
                            "the `awslogs` driver of {label} has no {} option",
                            util::list(&missing)
                        ),
                        "set `awslogs-group` and `awslogs-region` in `options`",
                    )
                    .at(node.get("logDriver").unwrap_or(node)),
                );
            }
        }
        if d != "json-file" {
            ctx.push(
                Finding::warning("R43", format!("{label} logs through `{d}`, so EB's log bundles and `awseb-logs-*` volumes will not see its output"), "keep `json-file` (the default) if you rely on `eb logs`")
                    .at(node.get("logDriver").unwrap_or(node)),
            );
        }
    }
}

/// R44: `ulimits`.
fn ulimits(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
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
        "R44",
        node,
        &what,
        "an array of `{\"name\", \"softLimit\", \"hardLimit\"}` objects",
    ) else {
        return;
    };
    for item in items {
        if want_map(ctx, "R44", item, &format!("an entry of {what}")).is_none() {
            continue;
        }
        util::unknown_keys_in(
            ctx,
            "R44",
            item,
            &format!("an entry of {what}"),
            &["name", "softLimit", "hardLimit"],
        );
        for key in ["name", "softLimit", "hardLimit"] {
            if item.get(key).is_none() {
                ctx.push(
                    Finding::error(
                        "R44",
                        format!("an entry of {what} has no `{key}`"),
                        "`name`, `softLimit` and `hardLimit` are all required",
                    )
                    .at_span(item.span.start..item.span.start + 1, item.pointer.clone()),
                );
            }
        }
        if let Some(n) = item.get("name")
            && let Some(s) = want_str(ctx, "R44", n, &format!("a ulimit `name` of {label}"))
            && !NAMES.contains(&s)
        {
            ctx.push(
                Finding::error(
                    "R44",
                    format!(
                        "ulimit `{}` of {label} is not a ulimit ECS knows",
                        util::truncate(s, 40)
                    ),
                    format!("use one of {}", util::list(NAMES)),
                )
                .at(n),
            );
        }
        let soft = item
            .get("softLimit")
            .and_then(|v| want_int(ctx, "R44", v, &format!("`softLimit` of {label}")));
        let hard = item
            .get("hardLimit")
            .and_then(|v| want_int(ctx, "R44", v, &format!("`hardLimit` of {label}")));
        if let (Some(s), Some(h), Some(sn)) = (soft, hard, item.get("softLimit"))
            && s > h
        {
            ctx.push(
                Finding::warning(
                    "R44",
                    format!("`softLimit` {s} of {label} is above its `hardLimit` {h}"),
                    "the soft limit cannot exceed the hard limit; lower it",
                )
                .at(sn),
            );
        }
    }
}

/// R45: `healthCheck`.
fn health_check(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    let what = format!("`healthCheck` of {label}");
    if want_map(ctx, "R45", node, &what).is_none() {
        return;
    }
    util::unknown_keys_in(
        ctx,
        "R45",
        node,
        &what,
        &["command", "interval", "timeout", "retries", "startPeriod"],
    );
    match node.get("command") {
        None => ctx.push(
            Finding::error(
                "R45",
                format!("{what} has no `command`"),
                "add `\"command\": [\"CMD-SHELL\", \"curl -f http://localhost/ || exit 1\"]`",
            )
            .at_span(node.span.start..node.span.start + 1, node.pointer.clone()),
        ),
        Some(c) => match c.items() {
            Some(items) => {
                let first = items.first().and_then(Node::as_str);
                if !matches!(first, Some("CMD" | "CMD-SHELL")) {
                    ctx.push(Finding::error("R45", format!("the health check command of {label} must start with `CMD` or `CMD-SHELL`"), "write `[\"CMD-SHELL\", \"your check\"]` or `[\"CMD\", \"program\", \"arg\"]`").at(items.first().unwrap_or(c)));
                }
                for i in items.iter().filter(|i| i.as_str().is_none()) {
                    util::wrong_type(ctx, "R45", i, "a health check argument", "a string");
                }
            }
            None => util::wrong_type(
                ctx,
                "R45",
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
                "R45",
                v,
                &format!("health check `{key}` of {label}"),
                lo,
                hi,
            );
        }
    }
}

/// R46, shape part: `[{containerName, condition}]`.
fn depends_on_shape(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    const CONDITIONS: &[&str] = &["START", "COMPLETE", "SUCCESS", "HEALTHY"];
    let what = format!("`dependsOn` of {label}");
    let Some(items) = want_seq(
        ctx,
        "R46",
        node,
        &what,
        "an array of `{\"containerName\", \"condition\"}` objects",
    ) else {
        return;
    };
    for item in items {
        if want_map(ctx, "R46", item, &format!("an entry of {what}")).is_none() {
            continue;
        }
        util::unknown_keys_in(
            ctx,
            "R46",
            item,
            &format!("an entry of {what}"),
            &["containerName", "condition"],
        );
        for key in ["containerName", "condition"] {
            match item.get(key) {
                None => ctx.push(
                    Finding::error(
                        "R46",
                        format!("an entry of {what} has no `{key}`"),
                        "both `containerName` and `condition` are required",
                    )
                    .at_span(item.span.start..item.span.start + 1, item.pointer.clone()),
                ),
                Some(v) => {
                    if let Some(s) = want_str(ctx, "R46", v, &format!("`{key}` in {what}"))
                        && key == "condition"
                        && !CONDITIONS.contains(&s)
                    {
                        ctx.push(
                            Finding::error(
                                "R46",
                                format!(
                                    "dependency condition `{}` of {label} is not valid",
                                    util::truncate(s, 40)
                                ),
                                format!("use one of {}", util::list(CONDITIONS)),
                            )
                            .at(v),
                        );
                    }
                }
            }
        }
    }
}

/// R48: `environmentFiles` (warning level: ECS-only feature on EB).
fn environment_files(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    let what = format!("`environmentFiles` of {label}");
    let Some(items) = node.items() else {
        ctx.push(
            Finding::warning(
                "R48",
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
            Finding::warning(
                "R48",
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
            ctx.push(Finding::warning("R48", format!("an entry of {what} is not `{{\"value\": \"<S3 object ARN ending in .env>\", \"type\": \"s3\"}}`"), "point `value` at an S3 object ARN ending in `.env` and set `\"type\": \"s3\"`").at(item));
        }
    }
}
