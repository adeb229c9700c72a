//! v2 volumes and their use (R49–R53, R55 shape).

use super::container::Container;
use crate::syntax::Node;
use crate::validate::Ctx;
use crate::validate::Rule;
use crate::validate::shape::{self, want_bool, want_map, want_seq, want_str};

/// The prefix of the log volumes EB adds per container.
pub(super) const LOGS_PREFIX: &str = "awseb-logs-";

const VOLUME_KEYS: &[&str] = &[
    "name",
    "host",
    "dockerVolumeConfiguration",
    "efsVolumeConfiguration",
    "s3filesVolumeConfiguration",
    "fsxWindowsFileServerVolumeConfiguration",
    "configuredAtLaunch",
];

/// Checks top-level `volumes` (R49–R51, R53) and returns the declared names.
pub(super) fn check_declared<'a>(root: &'a Node, ctx: &mut Ctx<'_>) -> Vec<(&'a str, &'a Node)> {
    let mut names: Vec<(&'a str, &'a Node)> = Vec::new();
    let Some(node) = root.get("volumes") else {
        return names;
    };
    let Some(items) = want_seq(
        ctx,
        Rule::R49,
        node,
        "`volumes`",
        "an array of `{\"name\", \"host\": {\"sourcePath\"}}` objects",
    ) else {
        return names;
    };
    for (i, v) in items.iter().enumerate() {
        let place = format!("volume #{}", i + 1);
        if want_map(ctx, Rule::R49, v, &place).is_none() {
            continue;
        }
        shape::unknown_keys_in(ctx, Rule::R49, v, &place, VOLUME_KEYS);
        let name = match v.get("name") {
            None => {
                ctx.push(shape::missing(
                    Rule::R49.error(
                        format!("{place} has no `name`"),
                        "add `\"name\": \"data\"`; containers mount it by this name",
                    ),
                    v,
                ));
                None
            }
            Some(n) => want_str(ctx, Rule::R49, n, "a volume `name`").map(|s| (s, n)),
        };
        if let Some((s, n)) = name {
            if !super::is_ecs_name(s) {
                ctx.push(
                    Rule::R49
                        .error(
                            format!("volume name `{}` is not valid", shape::truncate(s, 60)),
                            "use 1–255 letters, digits, `_` and `-`",
                        )
                        .at(n),
                );
            }
            if let Some((_, first)) = names.iter().find(|(f, _)| *f == s) {
                ctx.push(
                    Rule::R49
                        .error(
                            format!(
                                "volume `{}` is declared more than once",
                                shape::truncate(s, 60)
                            ),
                            "give each volume a unique name",
                        )
                        .at(n)
                        .label(first.span.clone(), "first declared here"),
                );
            } else {
                names.push((s, n));
            }
            if s.starts_with(LOGS_PREFIX) {
                ctx.push(
                    Rule::R53.warning(format!("volume `{}` starts with `{LOGS_PREFIX}`, the prefix of the log volumes EB adds itself", shape::truncate(s, 60)), format!("rename it; mount `{LOGS_PREFIX}<container>` without declaring it to get EB's log volume"))
                        .at(n),
                );
            }
        }
        host(v, &place, ctx);
    }
    names
}

/// R50, R51: the `host` part of a volume.
fn host(v: &Node, place: &str, ctx: &mut Ctx<'_>) {
    for key in [
        "dockerVolumeConfiguration",
        "efsVolumeConfiguration",
        "s3filesVolumeConfiguration",
        "fsxWindowsFileServerVolumeConfiguration",
    ] {
        if let Some(e) = v.entry(key) {
            ctx.push(
                Rule::R50.warning(format!(
                        "`{key}` in {place} is an ECS feature Elastic Beanstalk does not document"
                    ),
                    "EB documents only `host.sourcePath` volumes; test the deployment carefully",
                )
                .at_key(e),
            );
        }
    }
    let Some(h) = v.get("host") else {
        if !VOLUME_KEYS[2..6].iter().any(|k| v.get(k).is_some()) {
            ctx.push(shape::missing(
                Rule::R50.warning(format!("{place} has no `host`, so Docker creates an anonymous volume that EB does not document"), "add `\"host\": {\"sourcePath\": \"/var/app/current/…\"}` or another absolute host path"),
                v,
            ));
        }
        return;
    };
    if want_map(ctx, Rule::R50, h, &format!("`host` of {place}")).is_none() {
        return;
    }
    shape::unknown_keys_in(
        ctx,
        Rule::R50,
        h,
        &format!("`host` of {place}"),
        &["sourcePath"],
    );
    let Some(sp) = h.get("sourcePath") else {
        ctx.push(Rule::R50.error(format!("`host` of {place} has no `sourcePath`; ECS fails with `host.sourcePath should not be blank.`"), "add `\"sourcePath\": \"/absolute/host/path\"`").at(h));
        return;
    };
    let Some(path) = want_str(ctx, Rule::R50, sp, &format!("`host.sourcePath` of {place}")) else {
        return;
    };
    if path.trim().is_empty() {
        ctx.push(Rule::R50.error(format!("`host.sourcePath` of {place} is empty; ECS fails with `host.sourcePath should not be blank.`"), "give an absolute host path").at(sp));
        return;
    }
    if !path.starts_with('/') {
        ctx.push(
            Rule::R50.error(format!("`host.sourcePath` `{}` of {place} is not an absolute path; Docker would read it as a named volume or reject it", shape::truncate(path, 80)), format!("use an absolute path, e.g. `/var/app/current/{}` for a folder of the bundle", path.trim_start_matches("./")))
                .at(sp),
        );
        return;
    }
    // R51: paths under /var/app/current refer to the bundle's own files.
    let Some(bundle) = ctx.bundle else { return };
    let Some(rel) = path.strip_prefix("/var/app/current/") else {
        return;
    };
    let rel = rel.trim_matches('/');
    if rel.is_empty() || rel.split('/').any(|c| c == ".." || c == ".") {
        return;
    }
    if !bundle.contains_path(rel) {
        ctx.push(
            Rule::R51.warning(format!("`host.sourcePath` of {place} points at `{rel}` in the bundle, but the bundle has no such file or folder"), format!("add `{rel}` to the bundle, or fix the path"))
                .at(sp),
        );
    }
}

/// R52 shape and R55 shape for one container.
pub(super) fn mount_points_shape(c: &Node, label: &str, ctx: &mut Ctx<'_>) {
    if let Some(mp) = c.get("mountPoints") {
        let what = format!("`mountPoints` of {label}");
        if let Some(items) = want_seq(
            ctx,
            Rule::R52,
            mp,
            &what,
            "an array of `{\"sourceVolume\", \"containerPath\"}` objects",
        ) {
            let mut paths: Vec<(&str, &Node)> = Vec::new();
            for m in items {
                if want_map(ctx, Rule::R52, m, &format!("a mount point of {label}")).is_none() {
                    continue;
                }
                shape::unknown_keys_in(
                    ctx,
                    Rule::R52,
                    m,
                    &format!("a mount point of {label}"),
                    &["sourceVolume", "containerPath", "readOnly"],
                );
                for key in ["sourceVolume", "containerPath"] {
                    if m.get(key).is_none() {
                        ctx.push(
                            Rule::R52
                                .error(
                                    format!("a mount point of {label} has no `{key}`"),
                                    "both `sourceVolume` and `containerPath` are required",
                                )
                                .at_span(m.span.start..m.span.start + 1, m.pointer.clone()),
                        );
                    }
                }
                if let Some(sv) = m.get("sourceVolume") {
                    want_str(ctx, Rule::R52, sv, &format!("`sourceVolume` of {label}"));
                }
                if let Some(cp) = m.get("containerPath")
                    && let Some(p) =
                        want_str(ctx, Rule::R52, cp, &format!("`containerPath` of {label}"))
                {
                    if !p.starts_with('/') {
                        ctx.push(
                            Rule::R52
                                .error(
                                    format!(
                                        "`containerPath` `{}` of {label} is not an absolute path",
                                        shape::truncate(p, 80)
                                    ),
                                    "use an absolute path inside the container",
                                )
                                .at(cp),
                        );
                    } else {
                        let norm = p.trim_end_matches('/');
                        if let Some((_, first)) = paths.iter().find(|(q, _)| *q == norm) {
                            ctx.push(Rule::R52.error(format!("{label} mounts two volumes at `{}`; Docker fails with `Duplicate mount point`", shape::truncate(p, 80)), "keep one mount per container path").at(cp).label(first.span.clone(), "first mounted here"));
                        } else {
                            paths.push((norm, cp));
                        }
                    }
                }
                if let Some(ro) = m.get("readOnly") {
                    want_bool(ctx, Rule::R52, ro, &format!("`readOnly` of {label}"));
                }
            }
        }
    }
    if let Some(vf) = c.get("volumesFrom") {
        let what = format!("`volumesFrom` of {label}");
        if let Some(items) = want_seq(
            ctx,
            Rule::R55,
            vf,
            &what,
            "an array of `{\"sourceContainer\"}` objects",
        ) {
            for v in items {
                if want_map(ctx, Rule::R55, v, &format!("an entry of {what}")).is_none() {
                    continue;
                }
                shape::unknown_keys_in(
                    ctx,
                    Rule::R55,
                    v,
                    &format!("an entry of {what}"),
                    &["sourceContainer", "readOnly"],
                );
                match v.get("sourceContainer") {
                    Some(s) => {
                        want_str(ctx, Rule::R55, s, &format!("`sourceContainer` of {label}"));
                    }
                    None => ctx.push(
                        Rule::R55
                            .error(
                                format!("an entry of {what} has no `sourceContainer`"),
                                "name the container whose volumes to mount",
                            )
                            .at_span(v.span.start..v.span.start + 1, v.pointer.clone()),
                    ),
                }
                if let Some(ro) = v.get("readOnly") {
                    want_bool(ctx, Rule::R55, ro, &format!("`readOnly` of {label}"));
                }
            }
        }
    }
}

/// R52: every `sourceVolume` names a declared volume or `awseb-logs-<container>`.
pub(super) fn mount_refs(
    containers: &[Container<'_>],
    declared: &[(&str, &Node)],
    ctx: &mut Ctx<'_>,
) {
    let names: Vec<&str> = containers.iter().filter_map(|c| c.name).collect();
    for c in containers {
        let Some(items) = c.node.get("mountPoints").and_then(Node::items) else {
            continue;
        };
        for m in items {
            let Some(sv) = m.get("sourceVolume") else {
                continue;
            };
            let Some(s) = sv.as_str() else { continue };
            if declared.iter().any(|(d, _)| *d == s) {
                continue;
            }
            if let Some(target) = s.strip_prefix(LOGS_PREFIX) {
                if names.contains(&target) {
                    continue;
                }
                let help = match shape::suggest(target, &names, &[]) {
                    Some(n) => format!(
                        "EB adds `{LOGS_PREFIX}<container name>` volumes only; did you mean `{LOGS_PREFIX}{n}`?"
                    ),
                    None => format!(
                        "EB adds `{LOGS_PREFIX}<container name>` volumes only; use the name of a container in this file"
                    ),
                };
                ctx.push(Rule::R52.error(format!("mount point of {} uses `{}`, but there is no container `{}`; ECS fails with `Unknown volume '{}'`", c.label, shape::truncate(s, 60), shape::truncate(target, 60), shape::truncate(s, 60)), help).at(sv));
                continue;
            }
            let known: Vec<&str> = declared.iter().map(|(d, _)| *d).collect();
            let help = match shape::suggest(s, &known, &[]) {
                Some(n) => format!("did you mean `{n}`?"),
                None if s.starts_with('/') => "`sourceVolume` is the name of an entry in `volumes`, not a host path; declare a volume with this `host.sourcePath`".to_owned(),
                None => format!("declare it in `volumes` (`{{\"name\": \"{}\", \"host\": {{\"sourcePath\": \"/…\"}}}}`)", shape::truncate(s, 40)),
            };
            ctx.push(Rule::R52.error(format!("mount point of {} uses volume `{}`, which is not declared in `volumes`; ECS fails with `Unknown volume '{}'`", c.label, shape::truncate(s, 60), shape::truncate(s, 60)), help).at(sv));
        }
    }
}
