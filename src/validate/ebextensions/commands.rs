//! `commands` and `container_commands` (R84–R90, R92 for referenced scripts).

use super::common::{is_cfn_function, mixed_width_prefixes, type_desc, unknown_key_help};
use crate::syntax::{Entry, Node, Value};
use crate::validate::Rule;
use crate::validate::{Ctx, Platform};
use std::collections::HashSet;

const COMMAND_KEYS: [&str; 6] = [
    "command",
    "env",
    "cwd",
    "test",
    "ignoreErrors",
    "waitAfterCompletion",
];
const CONTAINER_KEYS: [&str; 7] = [
    "command",
    "env",
    "cwd",
    "test",
    "ignoreErrors",
    "leader_only",
    "waitAfterCompletion",
];

/// Shell builtins and keywords that need no `PATH`.
const BUILTINS: [&str; 24] = [
    "cd", "echo", "export", "set", "unset", "test", "[", "[[", "true", "false", "if", "for",
    "while", "case", "exit", "source", ".", "eval", "exec", "read", "printf", "pwd", "umask", "{",
];

/// Checks `commands` (`container == false`) or `container_commands`.
pub(super) fn check(node: &Node, container: bool, ctx: &mut Ctx<'_>) {
    let section = if container {
        "container_commands"
    } else {
        "commands"
    };
    let entries = match &node.value {
        Value::Map(e) => e,
        Value::Null => {
            ctx.push(
                Rule::R84
                    .warning(
                        format!("`{section}` is empty"),
                        "add commands or remove the key",
                    )
                    .at(node),
            );
            return;
        }
        _ => {
            ctx.push(
                Rule::R84
                    .error(
                        format!(
                            "`{section}` must map command names to settings, found {}",
                            type_desc(node)
                        ),
                        format!("write `{section}:` then `  01_name:` then `    command: ...`"),
                    )
                    .at(node),
            );
            return;
        }
    };
    for e in entries {
        entry(section, container, e, ctx);
    }
    let names: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
    if let Some((early, late)) = mixed_width_prefixes(&names)
        && let Some(e) = entries.iter().find(|e| e.key == early)
    {
        ctx.push(
                Rule::R89.warning(format!("`{early}` runs before `{late}`: commands run in alphabetical order, not numeric"),
                    "zero-pad numeric prefixes to the same width (`01_`, `02_`, …, `10_`)",
                )
                .at_key(e),
            );
    }
}

fn entry(section: &str, container: bool, e: &Entry, ctx: &mut Ctx<'_>) {
    let name = &e.key;
    let body = &e.value;
    let Some(keys) = body.entries() else {
        let help = if matches!(body.value, Value::String(_)) {
            format!("write `{name}:` then, indented below it, `command: ...`")
        } else {
            "each command is a mapping with at least `command:`".to_owned()
        };
        ctx.push(
            Rule::R84
                .error(
                    format!(
                        "`{section}.{name}` must be a mapping with `command`, found {}",
                        type_desc(body)
                    ),
                    help,
                )
                .at(body),
        );
        return;
    };
    let known: &[&str] = if container {
        &CONTAINER_KEYS
    } else {
        &COMMAND_KEYS
    };
    for k in keys {
        match k.key.as_str() {
            "leader_only" if !container => ctx.push(
                Rule::R85.error(format!("`leader_only` is not valid under `commands` (in `{name}`): it does not restrict where the command runs"),
                    "move the command to `container_commands`, where `leader_only: true` is honoured",
                )
                .at_key(k),
            ),
            "waitAfterCompletion" => ctx.push(
                Rule::R84.warning(format!("`waitAfterCompletion` (in `{name}`) is documented for Windows only"),
                    "remove it on Linux platforms",
                )
                .at_key(k),
            ),
            key if !known.contains(&key) => ctx.push(
                Rule::R84.error(format!("unknown key `{key}` in `{section}.{name}`: EB ignores this whole file"),
                    unknown_key_help(key, &known[..known.len() - 1]),
                )
                .at_key(k),
            ),
            _ => {}
        }
    }
    let command = body.get("command");
    match command {
        None => ctx.push(
            Rule::R84
                .error(
                    format!("`{section}.{name}` has no `command`"),
                    "add `command: ...` (a string, or a `|` block for several lines)",
                )
                .at_key(e),
        ),
        Some(c) => command_value(name, c, ctx),
    }
    for key in ["cwd", "test"] {
        if let Some(v) = body.get(key)
            && v.as_str().is_none()
        {
            ctx.push(
                Rule::R87
                    .error(
                        format!(
                            "`{key}` in `{name}` must be a string, found {}",
                            type_desc(v)
                        ),
                        format!("quote it: `{key}: \"...\"`"),
                    )
                    .at(v),
            );
        }
    }
    for key in ["ignoreErrors", "leader_only"] {
        if let Some(v) = body.get(key) {
            boolean(name, key, v, ctx);
        }
    }
    if container
        && body.get("test").is_some()
        && body.get("leader_only").and_then(Node::as_bool) == Some(true)
        && let Some(t) = body.entry("test")
    {
        ctx.push(
            Rule::R86
                .warning(
                    format!("`{name}` sets both `leader_only` and `test`: `test` is ignored"),
                    "drop `test`, or drop `leader_only` and put the condition in `test`",
                )
                .at_key(t),
        );
    }
    if let Some(env) = body.get("env") {
        env_map(name, env, command, ctx);
    }
    if let Some(c) = command {
        every_instance(section, container, name, body, c, ctx);
    }
}

/// R95 and R98 on a command's text: a one-off task (a migration) that runs
/// on every instance (all of `commands`, and `container_commands` without
/// `leader_only: true` or a `test` on `EB_IS_COMMAND_LEADER`), and a
/// command that installs an Amazon Linux AMI custom hook.
fn every_instance(
    section: &str,
    container: bool,
    name: &str,
    body: &Node,
    c: &Node,
    ctx: &mut Ctx<'_>,
) {
    let text = match &c.value {
        Value::String(s) => s.clone(),
        Value::Seq(items) => items
            .iter()
            .filter_map(Node::as_str)
            .collect::<Vec<_>>()
            .join(" "),
        _ => return,
    };
    let leader_only = container && body.get("leader_only").and_then(Node::as_bool) == Some(true);
    let gated = body
        .get("test")
        .and_then(Node::as_str)
        .is_some_and(|t| t.contains("EB_IS_COMMAND_LEADER"));
    if !leader_only
        && !gated
        && let Some((_, pat)) = crate::validate::platform::one_off_task(&text)
    {
        let help = if container {
            "add `leader_only: true` so it runs on one instance per deployment".to_owned()
        } else {
            "move it to `container_commands` with `leader_only: true`; `commands` run on every instance"
                .to_owned()
        };
        ctx.push(
            Rule::R95
                .warning(
                    format!("`{section}.{name}` runs `{pat}` on every instance"),
                    help,
                )
                .at(c),
        );
    }
    if let Some(at) = text.find(crate::validate::platform::AL1_HOOK_ROOT) {
        let path = text[at..]
            .split(|ch: char| ch.is_whitespace() || matches!(ch, '"' | '\'' | ';' | '&' | '|'))
            .next()
            .unwrap_or_default();
        if let Some(f) = crate::validate::platform::al1_hook(
            path,
            ctx.options.platform,
            &format!("`{section}.{name}` uses"),
        ) {
            ctx.push(f.at(c));
        }
    }
}

fn command_value(name: &str, c: &Node, ctx: &mut Ctx<'_>) {
    match &c.value {
        Value::String(s) => {
            crlf_scripts(s, c, ctx);
            config_only(name, s, c, ctx);
        }
        Value::Seq(items) => {
            for i in items {
                if i.as_str().is_none() {
                    ctx.push(
                        Rule::R84
                            .error(
                                format!(
                                    "`command` list items of `{name}` must be strings, found {}",
                                    type_desc(i)
                                ),
                                "quote the argument",
                            )
                            .at(i),
                    );
                }
            }
        }
        _ if is_cfn_function(c) => {}
        _ => ctx.push(
            Rule::R84
                .error(
                    format!(
                        "`command` of `{name}` must be a string or a list of strings, found {}",
                        type_desc(c)
                    ),
                    "quote the command: `command: \"...\"`",
                )
                .at(c),
        ),
    }
}

fn boolean(name: &str, key: &str, v: &Node, ctx: &mut Ctx<'_>) {
    match &v.value {
        Value::Bool(_) => {}
        Value::String(s) if ["true", "false"].contains(&s.to_ascii_lowercase().as_str()) => ctx
            .push(
                Rule::R87
                    .warning(
                        format!("`{key}` in `{name}` is the string `{s}`, not a boolean"),
                        format!("drop the quotes: `{key}: {}`", s.to_ascii_lowercase()),
                    )
                    .at(v),
            ),
        _ => ctx.push(
            Rule::R87
                .error(
                    format!(
                        "`{key}` in `{name}` must be `true` or `false`, found {}",
                        type_desc(v)
                    ),
                    format!("write `{key}: true`"),
                )
                .at(v),
        ),
    }
}

fn env_map(name: &str, env: &Node, command: Option<&Node>, ctx: &mut Ctx<'_>) {
    let Some(vars) = env.entries() else {
        ctx.push(
            Rule::R87
                .error(
                    format!(
                        "`env` in `{name}` must map names to strings, found {}",
                        type_desc(env)
                    ),
                    "write `env:` then `  NAME: \"value\"`",
                )
                .at(env),
        );
        return;
    };
    for v in vars {
        let val = &v.value;
        match &val.value {
            Value::String(_) => {}
            _ if is_cfn_function(val) => {}
            _ => {
                let raw = ctx
                    .file
                    .text()
                    .get(val.span.clone())
                    .unwrap_or("")
                    .to_owned();
                ctx.push(
                    Rule::R87
                        .error(
                            format!(
                                "`env.{}` in `{name}` must be a string, found {}",
                                v.key,
                                type_desc(val)
                            ),
                            format!(
                                "quote it: `{}: \"{}\"`",
                                v.key,
                                if raw.is_empty() { "..." } else { raw.as_str() }
                            ),
                        )
                        .at(val),
                );
            }
        }
    }
    if env.get("PATH").is_some() {
        return;
    }
    let Some(cmd) = command.and_then(Node::as_str) else {
        return;
    };
    let first = cmd.split_whitespace().next().unwrap_or("");
    let first = first.trim_start_matches(['(', '"', '\'']);
    if !first.is_empty()
        && !first.contains('/')
        && !first.contains('=')
        && !BUILTINS.contains(&first)
        && let Some(c) = command
    {
        ctx.push(
                Rule::R88.warning(format!("`env` of `{name}` replaces the whole environment, but `{first}` is found through `PATH`"),
                    "add `PATH: \"/usr/local/bin:/usr/bin:/bin\"` to `env`, or call the program by absolute path",
                )
                .at(c),
            );
    }
}

/// R92: a script of the bundle run by a command must not have CRLF endings.
fn crlf_scripts(cmd: &str, node: &Node, ctx: &mut Ctx<'_>) {
    let Some(bundle) = ctx.bundle else {
        return;
    };
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    for token in cmd.split(|c: char| c.is_whitespace() || ";&|()'\"".contains(c)) {
        if !token.ends_with(".sh") {
            continue;
        }
        let rel = token
            .trim_start_matches("/var/app/staging/")
            .trim_start_matches("/var/app/current/")
            .trim_start_matches("./");
        // Each script is looked up and scanned once, however often named.
        if rel.starts_with('/') || !seen.insert(rel) {
            continue;
        }
        if let Some(data) = bundle.get(rel).and_then(|e| e.data.as_deref())
            && data.windows(2).any(|w| w == b"\r\n")
        {
            found.push(rel);
        }
    }
    for rel in found {
        ctx.push(
            Rule::R92.error(format!("script `{rel}` run here has CRLF line endings: it fails with `\\r: No such file or directory`"),
                format!("convert it to LF line endings (e.g. `dos2unix {rel}`)"),
            )
            .at(node),
        );
    }
}

/// R90: commands that read environment properties do not re-run on
/// configuration-only deployments on AL2 platforms.
fn config_only(name: &str, cmd: &str, node: &Node, ctx: &mut Ctx<'_>) {
    if ctx.options.platform == Platform::McAl1 {
        return;
    }
    let Some(bundle) = ctx.bundle else {
        return;
    };
    let reads_env = [
        "get-config",
        "containerconfiguration",
        "/opt/elasticbeanstalk/deployment/env",
    ]
    .iter()
    .any(|p| cmd.contains(p));
    if reads_env && !bundle.contains_path(".platform/confighooks") {
        ctx.push(
            Rule::R90.warning(format!("`{name}` reads environment properties, but commands do not re-run when only the configuration changes"),
                "also run this logic from a `.platform/confighooks/predeploy/` script",
            )
            .at(node),
        );
    }
}
