//! Shapes of the v2 container fields (R37–R42, R47, R19 `repositoryCredentials`);
//! ports, environment, runtime settings and mounts live in [`super::ports`],
//! [`super::env`], [`super::runtime`] and [`super::volumes`].
//! Cross-references (links, dependsOn targets, volumes) are in [`super::v2`].

use crate::syntax::{Node, Value};
use crate::validate::shape::{
    self, Table, for_each_object, truncate, want_bool, want_int, want_seq, want_str,
};
use crate::validate::{Ctx, Rule};

/// Keys whose value is an array of strings (R37).
const STRING_LISTS: [&str; 6] = [
    "command",
    "entryPoint",
    "dnsServers",
    "dnsSearchDomains",
    "dockerSecurityOptions",
    "links",
];

/// Keys whose value is a boolean (R41).
const FLAGS: [&str; 5] = [
    "privileged",
    "readonlyRootFilesystem",
    "disableNetworking",
    "interactive",
    "pseudoTerminal",
];

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
    for key in STRING_LISTS {
        if let Some(n) = c.get(key) {
            string_list(n, key, label, ctx);
        }
    }
    search_domains(c, label, ctx);
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
    for key in FLAGS {
        if let Some(n) = c.get(key) {
            want_bool(ctx, Rule::R41, n, &at(key));
        }
    }
    super::scalars::check(c, super::scalars::CONTAINER, label, ctx);
    if let Some(l) = c.get("dockerLabels") {
        shape::string_map(l, Rule::R42, &at("dockerLabels"), ctx);
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
            let message = format!(
                "{} is {v}; it must be a positive number of seconds",
                at(key)
            );
            ctx.push(Rule::R47.error(message, "use a value of at least 1").at(n));
        }
    }
    if let Some(f) = c.get("environmentFiles") {
        super::env::environment_files(f, label, ctx);
    }
    if let Some(r) = c.get("repositoryCredentials") {
        repository_credentials(r, &at("repositoryCredentials"), ctx);
    }
    super::volumes::mount_points_shape(c, label, ctx);
}

/// R19: `repositoryCredentials` is `{credentialsParameter}`.
fn repository_credentials(r: &Node, what: &str, ctx: &mut Ctx<'_>) {
    let Some(mut t) = Table::object(ctx, Rule::R19, r, what, &["credentialsParameter"]) else {
        return;
    };
    if t.get("credentialsParameter").is_none() {
        let help =
            "set it to the ARN of the Secrets Manager secret holding the registry credentials";
        t.push(
            Rule::R19
                .error(format!("{what} has no `credentialsParameter`"), help)
                .at(r),
        );
    }
    t.str(
        "credentialsParameter",
        "`repositoryCredentials.credentialsParameter`",
    );
}

/// R37: arrays of strings; a bare string is the classic mistake.
fn string_list(node: &Node, key: &str, label: &str, ctx: &mut Ctx<'_>) {
    let what = format!("`{key}` of {label}");
    match &node.value {
        Value::Seq(items) => {
            for i in items.iter().filter(|i| i.as_str().is_none()) {
                shape::wrong_type(ctx, Rule::R37, i, &format!("an item of {what}"), "a string");
            }
        }
        Value::String(s) => {
            let help = if matches!(key, "command" | "entryPoint") {
                let parts: Vec<String> = s
                    .split_whitespace()
                    .take(4)
                    .map(|p| format!("\"{p}\""))
                    .collect();
                let more = if s.split_whitespace().count() > 4 {
                    ", …"
                } else {
                    ""
                };
                format!(
                    "write one array element per argument: `[{}{more}]`",
                    parts.join(", ")
                )
            } else {
                format!("write `[\"{}\"]`", truncate(s, 40))
            };
            let message = format!("{what} must be an array of strings, found a string");
            ctx.push(Rule::R37.error(message, help).at(node));
        }
        _ => shape::wrong_type(ctx, Rule::R37, node, &what, "an array of strings"),
    }
}

/// R38: every search domain matches `^[a-zA-Z0-9-.]{0,253}[a-zA-Z0-9]$`.
fn search_domains(c: &Node, label: &str, ctx: &mut Ctx<'_>) {
    let is_domain = |s: &str| {
        let b = s.as_bytes();
        !b.is_empty()
            && b.len() <= 254
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'.')
            && b.last().is_some_and(u8::is_ascii_alphanumeric)
    };
    for d in c
        .get("dnsSearchDomains")
        .and_then(Node::items)
        .unwrap_or_default()
    {
        if let Some(s) = d.as_str()
            && !is_domain(s)
        {
            let message = format!(
                "search domain `{}` of {label} is not a valid domain name",
                truncate(s, 80)
            );
            let help = "use letters, digits, `-` and `.`, up to 254 characters, ending in a letter or digit";
            ctx.push(Rule::R38.error(message, help).at(d));
        }
    }
}

/// R39: `extraHosts` is `[{hostname, ipAddress}]`.
fn extra_hosts(node: &Node, label: &str, ctx: &mut Ctx<'_>) {
    const KEYS: &[&str] = &["hostname", "ipAddress"];
    let what = format!("`extraHosts` of {label}");
    let expected = "an array of `{\"hostname\", \"ipAddress\"}` objects";
    let Some(items) = want_seq(ctx, Rule::R39, node, &what, expected) else {
        return;
    };
    for_each_object(
        ctx,
        Rule::R39,
        items,
        &format!("an entry of {what}"),
        KEYS,
        |t| {
            for key in KEYS {
                if t.require(key, "both `hostname` and `ipAddress` are required")
                    .is_some()
                {
                    t.str(key, &format!("`{key}` in {what}"));
                }
            }
        },
    );
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
        let message = format!(
            "`user` `{}` of {label} is not `user`, `uid`, `user:group` or `uid:gid`",
            truncate(s, 60)
        );
        ctx.push(
            Rule::R40
                .error(message, "write e.g. `\"1000:1000\"` or `\"app\"`")
                .at(node),
        );
    }
}
