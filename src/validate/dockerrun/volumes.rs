//! v2 volumes and their use (R49–R53, R55 shape).

use crate::syntax::Node;
use crate::validate::Ctx;
use crate::validate::Rule;
use crate::validate::shape::{self, for_each_object, truncate, want_map, want_seq, want_str};
use std::collections::HashMap;

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
    let mut first_of: HashMap<&'a str, &'a Node> = HashMap::new();
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
                let message = if s.is_empty() {
                    format!("{place} has an empty `name`")
                } else {
                    format!("volume name `{}` is not valid", shape::truncate(s, 60))
                };
                let help = "use 1–255 letters, digits, `_` and `-`";
                ctx.push(Rule::R49.error(message, help).at(n));
            }
            if let Some(first) = first_of.get(s) {
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
                first_of.insert(s, n);
            }
            if s.starts_with(LOGS_PREFIX) {
                ctx.push(
                    Rule::R53.warning(format!("volume `{}` starts with `{LOGS_PREFIX}`, the prefix of the log volumes EB adds itself", shape::truncate(s, 60)), format!("rename it; mount `{LOGS_PREFIX}<container>` without declaring it to get EB's log volume"))
                        .at(n),
                );
            }
        }
        host(v, &place, ctx);
        super::scalars::check(v, super::scalars::VOLUME, &place, ctx);
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
    const MOUNT_KEYS: &[&str] = &["sourceVolume", "containerPath", "readOnly"];
    if let Some(mp) = c.get("mountPoints") {
        let what = format!("`mountPoints` of {label}");
        let expected = "an array of `{\"sourceVolume\", \"containerPath\"}` objects";
        let items = want_seq(ctx, Rule::R52, mp, &what, expected).unwrap_or_default();
        let mut paths: HashMap<&str, &Node> = HashMap::new();
        let place = format!("a mount point of {label}");
        for_each_object(ctx, Rule::R52, items, &place, MOUNT_KEYS, |t| {
            for key in ["sourceVolume", "containerPath"] {
                t.require(key, "both `sourceVolume` and `containerPath` are required");
            }
            t.str("sourceVolume", &format!("`sourceVolume` of {label}"));
            if let Some((cp, p)) = t.str("containerPath", &format!("`containerPath` of {label}")) {
                if !p.starts_with('/') {
                    let message = format!(
                        "`containerPath` `{}` of {label} is not an absolute path",
                        truncate(p, 80)
                    );
                    t.push(
                        Rule::R52
                            .error(message, "use an absolute path inside the container")
                            .at(cp),
                    );
                } else if let Some(first) = paths.get(p.trim_end_matches('/')) {
                    let message = format!(
                        "{label} mounts two volumes at `{}`; Docker fails with `Duplicate mount point`",
                        truncate(p, 80)
                    );
                    let f = Rule::R52.error(message, "keep one mount per container path");
                    t.push(f.at(cp).label(first.span.clone(), "first mounted here"));
                } else {
                    paths.insert(p.trim_end_matches('/'), cp);
                }
            }
            t.bool("readOnly", &format!("`readOnly` of {label}"));
        });
    }
    if let Some(vf) = c.get("volumesFrom") {
        let what = format!("`volumesFrom` of {label}");
        let expected = "an array of `{\"sourceContainer\"}` objects";
        let items = want_seq(ctx, Rule::R55, vf, &what, expected).unwrap_or_default();
        let keys = &["sourceContainer", "readOnly"];
        for_each_object(
            ctx,
            Rule::R55,
            items,
            &format!("an entry of {what}"),
            keys,
            |t| {
                t.require(
                    "sourceContainer",
                    "name the container whose volumes to mount",
                );
                t.str("sourceContainer", &format!("`sourceContainer` of {label}"));
                t.bool("readOnly", &format!("`readOnly` of {label}"));
            },
        );
    }
}
