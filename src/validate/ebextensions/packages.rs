//! `packages`, `groups`, `users`, `sources` and `services` (R75–R77, R83).

use super::common::{
    is_abs_path, is_dynamic, is_windows_path, section, type_desc, unknown_key, unknown_key_help,
};
use crate::diag::Severity;
use crate::syntax::{Entry, Node, Value};
use crate::validate::Ctx;
use crate::validate::Rule;
use std::cell::OnceCell;
use std::collections::HashSet;

const MANAGERS: [&str; 4] = ["yum", "rpm", "rubygems", "python"];
const USER_KEYS: [&str; 3] = ["groups", "uid", "homeDir"];
const SERVICE_KEYS: [&str; 6] = [
    "enabled",
    "ensureRunning",
    "files",
    "sources",
    "packages",
    "commands",
];

/// R75: `packages: {manager: {name: version}}`.
pub(super) fn check_packages(node: &Node, ctx: &mut Ctx<'_>) {
    let Some(managers) = section(
        "packages",
        Rule::R75,
        node,
        "write `packages:` then `  yum:` then `    git: []`",
        ctx,
    ) else {
        return;
    };
    for m in managers {
        match m.key.as_str() {
            "msi" => ctx.push(
                Rule::R75.warning("package manager `msi` exists only on Windows platforms",
                    "install with `yum` (or `rpm`) on Linux",
                )
                .at_key(m),
            ),
            "python" => ctx.push(
                Rule::R75.warning("package manager `python` uses Python 2 `easy_install`, which AL2023 does not have",
                    "install Python packages with `pip` in a command, or in the image",
                )
                .at_key(m),
            ),
            k if !MANAGERS.contains(&k) => {
                ctx.push(
                    Rule::R75.error(format!("unknown package manager `{k}`"),
                        unknown_key_help(k, &MANAGERS),
                    )
                    .at_key(m),
                );
                continue;
            }
            _ => {}
        }
        let Some(pkgs) = m.value.entries() else {
            if !m.value.is_null() {
                ctx.push(
                    Rule::R75
                        .error(
                            format!(
                                "`packages.{}` must map package names to versions, found {}",
                                m.key,
                                type_desc(&m.value)
                            ),
                            "write `git: []` (latest) or `git: \"2.40\"` under the manager",
                        )
                        .at(&m.value),
                );
            }
            continue;
        };
        for p in pkgs {
            version(&m.key, p, ctx);
        }
    }
}

fn version(manager: &str, p: &Entry, ctx: &mut Ctx<'_>) {
    let v = &p.value;
    let versions: Vec<&Node> =
        match &v.value {
            Value::Seq(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            Value::Map(_) => {
                ctx.push(
                Rule::R75.error(format!(
                        "version of package `{}` must be a string or a list, found a mapping",
                        p.key
                    ),
                    "write `[]` for the latest version or `\"1.2.3\"`",
                )
                .at(v),
            );
                return;
            }
            _ => vec![v],
        };
    for ver in versions {
        if let Some(trap) = super::common::yaml11_trap(ver) {
            let raw = ctx
                .file
                .text()
                .get(ver.span.clone())
                .unwrap_or("")
                .to_owned();
            ctx.push(
                Rule::R72
                    .warning(
                        format!(
                            "version `{raw}` of package `{}` is read by YAML 1.1 as {trap}",
                            p.key
                        ),
                        format!("quote it: `\"{raw}\"`"),
                    )
                    .at(ver),
            );
        } else if matches!(ver.value, Value::Seq(_) | Value::Map(_)) {
            ctx.push(
                Rule::R75
                    .error(
                        format!(
                            "version of package `{}` must be a string, found {}",
                            p.key,
                            type_desc(ver)
                        ),
                        "write versions as strings",
                    )
                    .at(ver),
            );
        }
        if manager == "rpm"
            && let Some(s) = ver.as_str()
            && !s.is_empty()
            && !s.starts_with('/')
            && !s.contains("://")
            && !is_dynamic(s)
        {
            ctx.push(
                Rule::R75
                    .error(
                        format!(
                            "rpm `{}` must be an absolute path or a URL, found `{s}`",
                            p.key
                        ),
                        "give `https://.../package.rpm` or `/path/to/package.rpm`",
                    )
                    .at(ver),
            );
        }
    }
}

/// `"123"` / `123`, the digits of an id.
fn id_ok(v: &Node) -> bool {
    match &v.value {
        Value::String(s) => !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()),
        Value::Number(n) => n.int.is_some_and(|i| i >= 0),
        _ => false,
    }
}

/// R76: `groups: {name: {gid: "123"}}`.
pub(super) fn check_groups(node: &Node, ctx: &mut Ctx<'_>) {
    let Some(groups) = section(
        "groups",
        Rule::R76,
        node,
        "write `groups:` then `  name: {}`",
        ctx,
    ) else {
        return;
    };
    for g in groups {
        let v = &g.value;
        if v.is_null() {
            continue;
        }
        let Some(keys) = v.entries() else {
            ctx.push(
                Rule::R76
                    .error(
                        format!(
                            "group `{}` must be `{{}}` or `{{gid: \"...\"}}`, found {}",
                            g.key,
                            type_desc(v)
                        ),
                        "write `name: {}` or `name: {gid: \"45\"}`",
                    )
                    .at(v),
            );
            continue;
        };
        for k in keys {
            if k.key != "gid" {
                ctx.push(
                    Rule::R76
                        .error(
                            format!("unknown key `{}` in group `{}`", k.key, g.key),
                            "a group has only `gid`",
                        )
                        .at_key(k),
                );
            } else if !id_ok(&k.value) {
                ctx.push(
                    Rule::R76
                        .error(
                            format!(
                                "`gid` of group `{}` must be a number, found {}",
                                g.key,
                                type_desc(&k.value)
                            ),
                            "write `gid: \"45\"`",
                        )
                        .at(&k.value),
                );
            }
        }
    }
}

/// R76: `users: {name: {groups: [..], uid: "..", homeDir: ".."}}`.
pub(super) fn check_users(node: &Node, ctx: &mut Ctx<'_>) {
    let Some(users) = section(
        "users",
        Rule::R76,
        node,
        "write `users:` then `  name:` then `    uid: \"50\"`",
        ctx,
    ) else {
        return;
    };
    for u in users {
        let v = &u.value;
        let Some(keys) = v.entries() else {
            if !v.is_null() {
                ctx.push(
                    Rule::R76
                        .error(
                            format!("user `{}` must be a mapping, found {}", u.key, type_desc(v)),
                            "write `groups`, `uid` and `homeDir` under the user name",
                        )
                        .at(v),
                );
            }
            continue;
        };
        for k in keys {
            let val = &k.value;
            match k.key.as_str() {
                "uid" if !id_ok(val) => ctx.push(
                    Rule::R76
                        .error(
                            format!(
                                "`uid` of user `{}` must be a number, found {}",
                                u.key,
                                type_desc(val)
                            ),
                            "write `uid: \"50\"`",
                        )
                        .at(val),
                ),
                "homeDir" if val.as_str().is_none() => ctx.push(
                    Rule::R76
                        .error(
                            format!(
                                "`homeDir` of user `{}` must be a path, found {}",
                                u.key,
                                type_desc(val)
                            ),
                            "write `homeDir: \"/home/name\"`",
                        )
                        .at(val),
                ),
                "groups" => {
                    let ok = val
                        .items()
                        .is_some_and(|items| items.iter().all(|i| i.as_str().is_some()));
                    if !ok {
                        ctx.push(
                            Rule::R76.error(format!(
                                    "`groups` of user `{}` must be a list of group names, found {}",
                                    u.key,
                                    type_desc(val)
                                ),
                                "write `groups: [\"groupOne\"]`",
                            )
                            .at(val),
                        );
                    }
                }
                key if !USER_KEYS.contains(&key) => ctx.push(unknown_key(
                    Rule::R76,
                    Severity::Error,
                    k,
                    &format!("user `{}`", u.key),
                    &USER_KEYS,
                )),
                _ => {}
            }
        }
    }
}

/// R77: `sources: {"/target/dir": URL}`.
pub(super) fn check_sources(node: &Node, ctx: &mut Ctx<'_>) {
    let Some(sources) = section(
        "sources",
        Rule::R77,
        node,
        "write `sources:` then `  /etc/dir: https://.../x.tar.gz`",
        ctx,
    ) else {
        return;
    };
    for s in sources {
        if is_windows_path(&s.key) {
            ctx.push(
                Rule::R77
                    .warning(
                        format!(
                            "`{}` is a Windows path; the target platform runs Linux",
                            s.key
                        ),
                        "use an absolute Linux directory such as `/opt/app`",
                    )
                    .at_key(s),
            );
        } else if !is_abs_path(&s.key) {
            ctx.push(
                Rule::R77
                    .error(
                        format!("source target `{}` is not an absolute directory", s.key),
                        "use an absolute directory such as `/opt/app`",
                    )
                    .at_key(s),
            );
        }
        match s.value.as_str() {
            Some(url) if url.contains("://") || is_dynamic(url) => {}
            Some(url) => ctx.push(
                Rule::R77
                    .warning(
                        format!("source `{url}` is not a URL"),
                        "give an `https://` URL of a tar, tar.gz, tar.bz2 or zip archive",
                    )
                    .at(&s.value),
            ),
            None if super::common::is_cfn_function(&s.value) => {}
            None => ctx.push(
                Rule::R77
                    .error(
                        format!(
                            "source for `{}` must be a URL string, found {}",
                            s.key,
                            type_desc(&s.value)
                        ),
                        "give an `https://` URL of a tar, tar.gz, tar.bz2 or zip archive",
                    )
                    .at(&s.value),
            ),
        }
    }
}

/// R83: `services: {sysvinit: {name: {...}}}`.
pub(super) fn check_services(node: &Node, root: &Node, ctx: &mut Ctx<'_>) {
    let Some(kinds) = section(
        "services",
        Rule::R83,
        node,
        "write `services:` then `  sysvinit:` then `    name:`",
        ctx,
    ) else {
        return;
    };
    let commands = OnceCell::new();
    for k in kinds {
        match k.key.as_str() {
            "sysvinit" => {}
            "windows" => {
                ctx.push(
                    Rule::R83
                        .warning(
                            "service manager `windows` exists only on Windows platforms",
                            "use `sysvinit` on Linux",
                        )
                        .at_key(k),
                );
                continue;
            }
            other => {
                ctx.push(
                    Rule::R83
                        .error(
                            format!("unknown service manager `{other}`"),
                            "only `sysvinit` is supported on Linux",
                        )
                        .at_key(k),
                );
                continue;
            }
        }
        let Some(services) = k.value.entries() else {
            ctx.push(
                Rule::R83
                    .error(
                        format!(
                            "`services.sysvinit` must map service names to settings, found {}",
                            type_desc(&k.value)
                        ),
                        "write `sysvinit:` then `  nginx:` then `    enabled: true`",
                    )
                    .at(&k.value),
            );
            continue;
        };
        for s in services {
            service(s, root, &commands, ctx);
        }
    }
}

/// The names under `commands` and `container_commands`, for the services'
/// `commands` references (one set per file, not a scan per reference).
fn command_names(root: &Node) -> HashSet<&str> {
    ["commands", "container_commands"]
        .iter()
        .filter_map(|sec| root.get(sec).and_then(Node::entries))
        .flatten()
        .map(|e| e.key.as_str())
        .collect()
}

fn service<'n>(
    s: &Entry,
    root: &'n Node,
    commands: &OnceCell<HashSet<&'n str>>,
    ctx: &mut Ctx<'_>,
) {
    let Some(keys) = s.value.entries() else {
        if !s.value.is_null() {
            ctx.push(
                Rule::R83
                    .error(
                        format!(
                            "service `{}` must be a mapping, found {}",
                            s.key,
                            type_desc(&s.value)
                        ),
                        "write `enabled: true` and `ensureRunning: true` under the service",
                    )
                    .at(&s.value),
            );
        }
        return;
    };
    for k in keys {
        let v = &k.value;
        match k.key.as_str() {
            "enabled" | "ensureRunning" => match &v.value {
                Value::Bool(_) => {}
                Value::String(t) if t == "true" || t == "false" => ctx.push(
                    Rule::R83
                        .warning(
                            format!("`{}` of service `{}` is the string `{t}`", k.key, s.key),
                            format!("drop the quotes: `{}: {t}`", k.key),
                        )
                        .at(v),
                ),
                _ => ctx.push(
                    Rule::R83
                        .error(
                            format!(
                                "`{}` of service `{}` must be `true` or `false`, found {}",
                                k.key,
                                s.key,
                                type_desc(v)
                            ),
                            format!("write `{}: true`", k.key),
                        )
                        .at(v),
                ),
            },
            "files" | "sources" | "commands" => {
                let Some(items) = v.items() else {
                    ctx.push(
                        Rule::R83
                            .error(
                                format!(
                                    "`{}` of service `{}` must be a list, found {}",
                                    k.key,
                                    s.key,
                                    type_desc(v)
                                ),
                                format!("write `{}: [\"...\"]`", k.key),
                            )
                            .at(v),
                    );
                    continue;
                };
                for i in items {
                    if matches!(i.value, Value::Seq(_) | Value::Map(_) | Value::Null)
                        && !super::common::is_cfn_function(i)
                    {
                        ctx.push(
                            Rule::R83.error(format!(
                                    "items of `{}` of service `{}` must be names (strings), found {}",
                                    k.key,
                                    s.key,
                                    type_desc(i)
                                ),
                                format!("write `{}: [\"...\"]` with one string per item", k.key),
                            )
                            .at(i),
                        );
                    }
                }
                if k.key == "commands" {
                    let defined_names = commands.get_or_init(|| command_names(root));
                    for i in items {
                        let Some(cmd) = i.as_str() else { continue };
                        let defined = defined_names.contains(cmd);
                        if !defined {
                            ctx.push(
                                Rule::R83.warning(format!("service `{}` restarts after command `{cmd}`, which is not defined in this file", s.key),
                                    "use the name of an entry under `commands`",
                                )
                                .at(i),
                            );
                        }
                    }
                }
            }
            "packages" => {
                if v.entries().is_none() {
                    ctx.push(
                        Rule::R83.error(format!("`packages` of service `{}` must map managers to package lists, found {}", s.key, type_desc(v)),
                            "write `packages: {yum: [\"nginx\"]}`",
                        )
                        .at(v),
                    );
                }
            }
            _ => ctx.push(unknown_key(
                Rule::R83,
                Severity::Error,
                k,
                &format!("service `{}`", s.key),
                &SERVICE_KEYS,
            )),
        }
    }
}
