//! `.platform/` hooks, confighooks, proxy config, Procfile and Buildfile
//! (R92–R97).

use super::{Bundle, BundleEntry, EntryKind, Options, Platform};
use crate::diag::Report;
use crate::source::SourceFile;
use crate::validate::Rule;

const STAGES: [&str; 3] = ["prebuild", "predeploy", "postdeploy"];
const HOOK_ROOTS: [&str; 2] = [".platform/hooks/", ".platform/confighooks/"];
/// Commands of one-off tasks (database migrations) that must run on one
/// instance, not on each: Django, Flask-Migrate, Alembic, Rails/Rake and
/// Sequelize (`db:migrate`), Prisma, Laravel, Flyway, Liquibase, Knex,
/// TypeORM, Ecto and Entity Framework.
const ONE_OFF: [&str; 13] = [
    "manage.py migrate",
    "django-admin migrate",
    "flask db upgrade",
    "alembic upgrade",
    "db:migrate",
    "prisma migrate deploy",
    "artisan migrate",
    "flyway migrate",
    "liquibase update",
    "knex migrate:latest",
    "typeorm migration:run",
    "ecto.migrate",
    "ef database update",
];

/// The first one-off task (its byte range and the matched command) that
/// `script` runs unconditionally, skipping comment lines. `None` when the
/// script gates on the leader instance itself (`EB_IS_COMMAND_LEADER`, or
/// the leader flag of `get-config`): it then runs the task once.
pub(crate) fn one_off_task(script: &str) -> Option<(std::ops::Range<usize>, &'static str)> {
    if script.contains("EB_IS_COMMAND_LEADER")
        || (script.contains("get-config") && script.contains("leader"))
    {
        return None;
    }
    let mut offset = 0;
    for line in script.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if line.trim_start().starts_with('#') {
            continue;
        }
        for pat in ONE_OFF {
            if let Some(at) = line.find(pat) {
                return Some((start + at..start + at + pat.len(), pat));
            }
        }
    }
    None
}

/// The folder under `/opt/elasticbeanstalk/hooks/` where Amazon Linux AMI
/// platforms ran custom hooks, and what replaces it in a bundle on Amazon
/// Linux 2 and later (`None`: no hook stage replaces it).
const AL1_HOOKS: [(&str, Option<&str>); 11] = [
    ("appdeploy/pre/", Some(".platform/hooks/prebuild/")),
    ("appdeploy/enact/", Some(".platform/hooks/predeploy/")),
    ("appdeploy/post/", Some(".platform/hooks/postdeploy/")),
    ("configdeploy/pre/", Some(".platform/confighooks/prebuild/")),
    (
        "configdeploy/enact/",
        Some(".platform/confighooks/predeploy/"),
    ),
    (
        "configdeploy/post/",
        Some(".platform/confighooks/postdeploy/"),
    ),
    ("restartappserver/", None),
    ("preinit/", None),
    ("postinit/", None),
    ("appdeploy/", Some(".platform/hooks/")),
    ("configdeploy/", Some(".platform/confighooks/")),
];

/// The folder of Amazon Linux AMI custom platform hooks.
pub(crate) const AL1_HOOK_ROOT: &str = "/opt/elasticbeanstalk/hooks/";

/// R98: a config that puts a script under `/opt/elasticbeanstalk/hooks/`
/// (a `files` path, or a command that writes there). The custom platform
/// hooks page says that on Amazon Linux 2 "Elastic Beanstalk doesn't read
/// or execute them", so on those targets the script silently never runs.
/// `what` says how the config uses the folder (`this file writes to`).
pub(crate) fn al1_hook(path: &str, platform: Platform, what: &str) -> Option<crate::diag::Finding> {
    if platform == Platform::McAl1 {
        return None;
    }
    let rest = &path[path.find(AL1_HOOK_ROOT)? + AL1_HOOK_ROOT.len()..];
    let (dir_of, replacement) = AL1_HOOKS.iter().find(|(dir, _)| rest.starts_with(dir))?;
    let file = rest
        .rsplit('/')
        .next()
        .filter(|f| !f.is_empty() && !f.contains(char::is_whitespace));
    let help = match (replacement, file) {
        (Some(dir), Some(file)) => format!(
            "ship the script in the bundle as `{dir}{file}` (executable, starting with `#!`) instead; EB runs it there"
        ),
        (Some(dir), None) => format!("ship the scripts in the bundle under `{dir}` instead; EB runs them there"),
        (None, _) => "no platform hook stage replaces this folder on Amazon Linux 2: run the script from `.ebextensions` `commands`, or from `.platform/hooks/` (deployments) and `.platform/confighooks/` (configuration changes)".to_owned(),
    };
    Some(Rule::R98.error(
        format!(
            "{what} `{AL1_HOOK_ROOT}{}`: Amazon Linux 2 and later platforms never run custom platform hooks from there",
            dir_of.trim_end_matches('/')
        ),
        help,
    ))
}

/// Runs the `.platform` rules over a bundle.
pub fn check(bundle: &Bundle, options: &Options, report: &mut Report) {
    for entry in &bundle.entries {
        if let Some(root) = HOOK_ROOTS.iter().find(|r| entry.name.starts_with(*r))
            && entry.kind != EntryKind::Dir
        {
            hook(bundle, entry, root, options, report);
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

/// A hook without execute bits (R92 for folders, R11 for zips).
///
/// The Platform hooks page says that for every Amazon Linux 2 and 2023
/// platform version released on or after 29 April 2022, Elastic Beanstalk
/// grants execute permission to hook scripts itself, so on those targets a
/// missing bit is a warning; it is an error only where the target is known
/// to be older (the retired Multicontainer Docker platform on the Amazon
/// Linux AMI). `zip` says whether the hook is in a zip the user made, which
/// `build` cannot change.
pub(crate) fn missing_exec_bit(
    rule: Rule,
    platform: Platform,
    name: &str,
    what: &str,
    zip: bool,
) -> crate::diag::Finding {
    let chmod = format!(
        "`chmod +x {name}` (a `container_commands` chmod runs after `prebuild` hooks and after `confighooks`, so it comes too late for them)"
    );
    if platform == Platform::McAl1 {
        let fix = if zip {
            format!(
                "rebuild the zip with `ebpack build`, which stores hooks as 0755, or {chmod} before zipping"
            )
        } else {
            format!("run {chmod}; `ebpack build` also stores hooks as 0755")
        };
        return rule.error(
            format!("{what}: the target platform ({}) predates the platform versions that make hooks executable themselves", platform.as_str()),
            fix,
        );
    }
    let fix = if zip {
        format!(
            "for platform versions released before 29 April 2022, rebuild the zip with `ebpack build` (it stores hooks as 0755) or {chmod} before zipping"
        )
    } else {
        format!(
            "`ebpack build` stores hooks as 0755 by itself; platform versions released before 29 April 2022 need it: {chmod}"
        )
    };
    rule.warning(
        format!("{what}: EB makes hooks executable on Amazon Linux 2/2023 platform versions released on or after 29 April 2022, older ones skip it"),
        fix,
    )
}

fn hook(bundle: &Bundle, entry: &BundleEntry, root: &str, options: &Options, report: &mut Report) {
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
        let what = format!(
            "hook `{}` is not executable (mode {:04o})",
            entry.name,
            mode & 0o7777
        );
        report.push_file(
            &display,
            missing_exec_bit(Rule::R92, options.platform, &entry.name, &what, false),
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
                format!("convert it to LF line endings (e.g. `dos2unix {}`), or let `ebpack build --fix` convert it in the bundle", entry.name),
            )
            .at_span(at..at + 1, ""),
        );
    }
    if let Some((at, pat)) = one_off_task(text) {
        report.push(
            &file,
            Rule::R95
                .warning(
                    format!("hook runs `{pat}` on every instance: hooks have no leader election"),
                    "run it from `container_commands` with `leader_only: true`, or gate it on `EB_IS_COMMAND_LEADER`",
                )
                .at_span(at, ""),
        );
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
