//! Shapes of the v2 container fields (R37–R42, R47, R19 `repositoryCredentials`);
//! ports, environment and runtime settings live in [`super::ports`],
//! [`super::env`] and [`super::runtime`].
//! Cross-references (links, dependsOn targets, volumes) are in
//! [`super::v2`] and [`super::volumes`].

use crate::syntax::{Node, Value};
use crate::validate::Ctx;
use crate::validate::Rule;
use crate::validate::shape::{self, want_bool, want_int, want_map, want_seq, want_str};

/// Runs every field check of one container.
pub(super) fn check(c: &Node, label: &str, ctx: &mut Ctx<'_>) {
    let at = |key: &str| format!("`{key}` of {label}");
    if let Some(p) = c.get("portMappings") {
        super::ports::port_mappings(p, label, ctx);
    }
    if let Some(e) = c.get("environment") {
        super::env::environment(e, label, ctx);
    }
    if let Some(s) = c.get("secrets") {
        super::env::name_value_from(s, Rule::R36, &at("secrets"), ctx);
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
                        Rule::R38.error(format!("search domain `{}` of {label} is not a valid domain name", shape::truncate(s, 80)), "use letters, digits, `-` and `.`, up to 254 characters, ending in a letter or digit")
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
            want_str(ctx, Rule::R40, n, &at(key));
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
            want_bool(ctx, Rule::R41, n, &at(key));
        }
    }
    if let Some(l) = c.get("dockerLabels") {
        string_map(l, Rule::R42, &at("dockerLabels"), ctx);
    }
    if let Some(l) = c.get("logConfiguration") {
        super::runtime::log_configuration(l, label, ctx);
    }
    if let Some(u) = c.get("ulimits") {
        super::runtime::ulimits(u, label, ctx);
    }
    if let Some(h) = c.get("healthCheck") {
        super::runtime::health_check(h, label, ctx);
    }
    if let Some(d) = c.get("dependsOn") {
        super::runtime::depends_on_shape(d, label, ctx);
    }
    for key in ["startTimeout", "stopTimeout"] {
        if let Some(n) = c.get(key)
            && let Some(v) = want_int(ctx, Rule::R47, n, &at(key))
            && v <= 0
        {
            ctx.push(
                Rule::R47
                    .error(
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
        super::env::environment_files(f, label, ctx);
    }
    if let Some(r) = c.get("repositoryCredentials")
        && want_map(ctx, Rule::R19, r, &at("repositoryCredentials")).is_some()
    {
        shape::unknown_keys_in(
            ctx,
            Rule::R19,
            r,
            &at("repositoryCredentials"),
            &["credentialsParameter"],
        );
        match r.get("credentialsParameter") {
                Some(p) => {
                    want_str(ctx, Rule::R19, p, "`repositoryCredentials.credentialsParameter`");
                }
                None => ctx.push(
                    Rule::R19.error(format!("{} has no `credentialsParameter`", at("repositoryCredentials")), "set it to the ARN of the Secrets Manager secret holding the registry credentials")
                        .at(r),
                ),
            }
    }
    super::volumes::mount_points_shape(c, label, ctx);
}

/// R37: arrays of strings; a bare string is the classic mistake.
fn string_list(node: &Node, key: &str, label: &str, ctx: &mut Ctx<'_>) {
    let what = format!("`{key}` of {label}");
    match &node.value {
        Value::Seq(items) => {
            for i in items {
                if i.as_str().is_none() {
                    shape::wrong_type(ctx, Rule::R37, i, &format!("an item of {what}"), "a string");
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
                format!("write `[\"{}\"]`", shape::truncate(s, 40))
            };
            ctx.push(
                Rule::R37
                    .error(
                        format!("{what} must be an array of strings, found a string"),
                        help,
                    )
                    .at(node),
            );
        }
        _ => shape::wrong_type(ctx, Rule::R37, node, &what, "an array of strings"),
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
        Rule::R39,
        node,
        &what,
        "an array of `{\"hostname\", \"ipAddress\"}` objects",
    ) else {
        return;
    };
    for item in items {
        if want_map(ctx, Rule::R39, item, &format!("an entry of {what}")).is_none() {
            continue;
        }
        shape::unknown_keys_in(
            ctx,
            Rule::R39,
            item,
            &format!("an entry of {what}"),
            &["hostname", "ipAddress"],
        );
        for key in ["hostname", "ipAddress"] {
            match item.get(key) {
                Some(v) => {
                    want_str(ctx, Rule::R39, v, &format!("`{key}` in {what}"));
                }
                None => ctx.push(
                    Rule::R39
                        .error(
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
    let Some(s) = want_str(ctx, Rule::R40, node, &format!("`user` of {label}")) else {
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
            Rule::R40
                .error(
                    format!(
                        "`user` `{}` of {label} is not `user`, `uid`, `user:group` or `uid:gid`",
                        shape::truncate(s, 60)
                    ),
                    "write e.g. `\"1000:1000\"` or `\"app\"`",
                )
                .at(node),
        );
    }
}

/// An object whose values are all strings (R42, R43 options).
pub(super) fn string_map(node: &Node, code: Rule, what: &str, ctx: &mut Ctx<'_>) {
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
                code.error(
                    format!(
                        "`{}` in {what} is {} `{}`; values must be strings",
                        shape::truncate(&e.key, 60),
                        e.value.type_name(),
                        shape::show(&e.value)
                    ),
                    fix,
                )
                .at(&e.value),
            );
        }
    }
}
