//! `.platform/` hooks, confighooks, proxy config, Procfile and Buildfile
//! (R92–R97).

use super::{Bundle, BundleEntry, EntryKind, Options, Platform};
use crate::diag::Report;
use crate::source::SourceFile;
use crate::validate::Rule;

const STAGES: [&str; 3] = ["prebuild", "predeploy", "postdeploy"];
const HOOK_ROOTS: [&str; 2] = [".platform/hooks/", ".platform/confighooks/"];
/// Commands that are one-off tasks which must not run on every instance.
const ONE_OFF: [&str; 5] = [
    "manage.py migrate",
    "db:migrate",
    "alembic upgrade",
    "flyway migrate",
    "artisan migrate",
];

/// Runs the `.platform` rules over a bundle.
pub fn check(bundle: &Bundle, options: &Options, report: &mut Report) {
    for entry in &bundle.entries {
        if let Some(root) = HOOK_ROOTS.iter().find(|r| entry.name.starts_with(*r))
            && entry.kind != EntryKind::Dir
        {
            hook(bundle, entry, root, report);
        }
    }
    unsupported(bundle, options, report);
    for name in ["Procfile", "Buildfile"] {
        if let Some(e) = bundle.get(name) {
            procfile(bundle, e, report);
        }
    }
    for e in &bundle.entries {
        let lower = e.name.to_ascii_lowercase();
        if (lower == "procfile" || lower == "buildfile")
            && e.name != "Procfile"
            && e.name != "Buildfile"
        {
            let want = if lower == "procfile" {
                "Procfile"
            } else {
                "Buildfile"
            };
            report.push_file(
                &bundle.display_name(&e.name),
                Rule::R96.warning(
                    format!("`{}` is ignored: the name is case-sensitive", e.name),
                    format!("rename it to `{want}`"),
                ),
            );
        }
    }
    proxy(bundle, report);
}

fn hook(bundle: &Bundle, entry: &BundleEntry, root: &str, report: &mut Report) {
    let display = bundle.display_name(&entry.name);
    let rel = &entry.name[root.len()..];
    let parts: Vec<&str> = rel.split('/').collect();
    let kind = root.trim_end_matches('/');
    match parts.as_slice() {
        [file] => {
            report.push_file(
                &display,
                Rule::R93.warning(format!("`{file}` is directly in `{kind}/` and never runs"),
                    format!("move it into `{kind}/prebuild/`, `{kind}/predeploy/` or `{kind}/postdeploy/`"),
                ),
            );
            return;
        }
        [stage, _] if !STAGES.contains(stage) => {
            let hint = match super::ebextensions::common::suggest(stage, &STAGES) {
                Some(s) => format!("rename the folder to `{kind}/{s}`"),
                None => "only `prebuild`, `predeploy` and `postdeploy` are run".to_owned(),
            };
            report.push_file(
                &display,
                Rule::R93.warning(
                    format!("`{kind}/{stage}/` is not a hook stage: its files never run"),
                    hint,
                ),
            );
            return;
        }
        [_, _] => {}
        _ => {
            report.push_file(
                &display,
                Rule::R93.warning(
                    format!(
                        "`{}` is in a subfolder of a stage folder and does not run as a hook",
                        entry.name
                    ),
                    "place hook files directly in the stage folder (helper files there are fine)",
                ),
            );
            return;
        }
    }
    if matches!(entry.kind, EntryKind::Symlink(_)) {
        return;
    }
    if !bundle.is_zip
        && let Some(mode) = entry.mode
        && mode & 0o111 == 0
    {
        report.push_file(
            &display,
            Rule::R92.error(
                format!(
                    "hook `{}` is not executable (mode {:04o})",
                    entry.name,
                    mode & 0o7777
                ),
                format!("run `chmod +x {}`", entry.name),
            ),
        );
    }
    let Some(data) = entry.data.as_deref() else {
        return;
    };
    if data.starts_with(b"\x7fELF") {
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        if !data.starts_with(b"#!") {
            report.push_file(
                &display,
                Rule::R92.error(
                    format!(
                        "hook `{}` is neither a binary nor a script starting with `#!`",
                        entry.name
                    ),
                    "start the script with a shebang line such as `#!/bin/bash`",
                ),
            );
        }
        return;
    };
    let file = report.add_source(SourceFile::new(display, text));
    if !text.starts_with("#!") {
        let end = text.find(['\r', '\n']).unwrap_or(text.len());
        report.push(
            &file,
            Rule::R92
                .error(
                    format!(
                        "hook `{}` does not start with `#!`, so it cannot be executed",
                        entry.name
                    ),
                    "make the first line a shebang such as `#!/bin/bash`",
                )
                .at_span(0..end, ""),
        );
    }
    if let Some(at) = text.find("\r\n") {
        report.push(
            &file,
            Rule::R92.error(format!("hook `{}` has CRLF line endings: it fails with `\\r: No such file or directory`", entry.name),
                format!("convert it to LF line endings (e.g. `dos2unix {}`)", entry.name),
            )
            .at_span(at..at + 1, ""),
        );
    }
    for pat in ONE_OFF {
        if let Some(at) = text.find(pat) {
            report.push(
                &file,
                Rule::R95
                    .warning(
                        format!(
                            "hook runs `{pat}` on every instance: hooks have no leader election"
                        ),
                        "run one-off tasks from `container_commands` with `leader_only: true`",
                    )
                    .at_span(at..at + pat.len(), ""),
            );
            break;
        }
    }
}

/// R94: `.platform` features the target platform ignores.
fn unsupported(bundle: &Bundle, options: &Options, report: &mut Report) {
    let first = |prefix: &str| {
        bundle
            .entries
            .iter()
            .find(|e| e.name == prefix.trim_end_matches('/') || e.name.starts_with(prefix))
    };
    match options.platform {
        Platform::McAl1 => {
            if let Some(e) = first(".platform/") {
                report.push_file(
                    &bundle.display_name(&e.name),
                    Rule::R94.warning("`.platform/` is ignored on the Amazon Linux AMI (mc-al1) platform",
                        "use `.ebextensions` (`files` + `container_commands`) there, or migrate to ECS on AL2",
                    ),
                );
            }
        }
        Platform::EcsAl2 => {
            for (prefix, what) in [
                ("Procfile", "`Procfile` commands"),
                ("Buildfile", "`Buildfile` commands"),
                (
                    ".platform/nginx/",
                    "reverse proxy configuration (`.platform/nginx`)",
                ),
                (
                    ".platform/httpd/",
                    "reverse proxy configuration (`.platform/httpd`)",
                ),
            ] {
                let hit = if prefix.ends_with('/') {
                    first(prefix)
                } else {
                    bundle.get(prefix)
                };
                if let Some(e) = hit {
                    report.push_file(
                        &bundle.display_name(&e.name),
                        Rule::R94.warning(format!("the ECS platform does not support {what}; it is ignored"),
                            "configure the containers in Dockerrun.aws.json instead (e.g. an nginx container)",
                        ),
                    );
                }
            }
        }
        Platform::DockerAl2 => {}
    }
}

/// R96: `name: command` lines.
fn procfile(bundle: &Bundle, e: &BundleEntry, report: &mut Report) {
    let Some(data) = e.data.as_deref() else {
        return;
    };
    let display = bundle.display_name(&e.name);
    let Ok(text) = std::str::from_utf8(data) else {
        report.push_file(
            &display,
            Rule::R96.error(
                format!("`{}` is not UTF-8 text", e.name),
                "save it as UTF-8 text",
            ),
        );
        return;
    };
    let file = report.add_source(SourceFile::new(display, text));
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches('\n');
        let body = body.strip_suffix('\r').unwrap_or(body);
        if body.trim().is_empty() {
            continue;
        }
        let ok = body.split_once(':').is_some_and(|(name, cmd)| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                && !cmd.trim().is_empty()
        });
        if !ok {
            report.push(
                &file,
                Rule::R96.error(format!("`{}` line is not `name: command`", e.name),
                    "write each process as `web: command args` (name: letters, digits, `_`, `-`)",
                )
                .at_span(start..start + body.len(), ""),
            );
        }
    }
    if let Some(at) = text.find("\r\n") {
        report.push(
            &file,
            Rule::R96
                .warning(
                    format!(
                        "`{}` has CRLF line endings: the `\\r` becomes part of each command",
                        e.name
                    ),
                    "convert it to LF line endings",
                )
                .at_span(at..at + 1, ""),
        );
    }
}

/// R97: nginx/httpd overrides.
fn proxy(bundle: &Bundle, report: &mut Report) {
    for e in &bundle.entries {
        if e.kind != EntryKind::File
            || !(e.name.starts_with(".platform/nginx/") || e.name.starts_with(".platform/httpd/"))
        {
            continue;
        }
        let Some(data) = e.data.as_deref() else {
            continue;
        };
        let display = bundle.display_name(&e.name);
        let Ok(text) = std::str::from_utf8(data) else {
            report.push_file(
                &display,
                Rule::R97.warning(
                    format!("`{}` is not UTF-8 text", e.name),
                    "save it as UTF-8 text",
                ),
            );
            continue;
        };
        if e.name == ".platform/nginx/nginx.conf"
            && !text.contains("conf.d/elasticbeanstalk/*.conf")
        {
            let at = text.find("server {").or_else(|| text.find("http {"));
            let f = Rule::R97.warning("`nginx.conf` replaces EB's configuration but does not include `conf.d/elasticbeanstalk/*.conf`",
                "add `include conf.d/elasticbeanstalk/*.conf;` inside the `server` block",
            );
            match at {
                Some(at) => {
                    let file = report.add_source(SourceFile::new(display, text));
                    report.push(&file, f.at_span(at..at + 6, ""));
                }
                None => report.push_file(&display, f),
            }
        }
    }
}
