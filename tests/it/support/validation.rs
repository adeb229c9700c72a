//! The validator as the rule, position and corpus tests call it: one text
//! alone (a Dockerrun or an `.ebextensions` config), or a bundle folder made
//! on the fly, with findings in a stable order.

use ebpack::diag::{Diagnostic, Report, Severity};
use ebpack::validate::{self, Options, Platform};
use std::collections::BTreeSet;

/// A small valid v2 Dockerrun, for bundles whose test is about other files.
pub(crate) const DOCKERRUN: &str = r#"{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "memory": 128, "essential": true}]}"#;

/// Settings for `platform`, unknown keys being errors.
pub(crate) fn options(platform: Platform) -> Options {
    Options {
        platform,
        allow_unknown_keys: false,
    }
}

/// One Dockerrun text validated alone (no bundle-level rules), sorted.
pub(crate) fn dockerrun(name: &str, text: &[u8], options: &Options) -> Report {
    let mut report = Report::default();
    validate::validate_dockerrun_file(name, text, options, None, &mut report);
    report.sort();
    report
}

/// One `.ebextensions` config validated alone, sorted.
pub(crate) fn config(name: &str, text: &[u8], options: &Options) -> Report {
    let mut report = Report::default();
    validate::validate_config_file(name, text, options, None, &mut report);
    report.sort();
    report
}

/// A bundle folder made of `files` (name, text), validated as ebpack
/// validates a folder. File names in findings start with `eb/`.
pub(crate) fn bundle(files: &[(&str, &str)], options: &Options) -> Report {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write");
    }
    let mut report = validate::validate_path(dir.path(), options).expect("validate");
    // Stable names for assertions and snapshots.
    let base = dir.path().to_string_lossy().into_owned();
    for d in &mut report.diagnostics {
        d.file = d.file.replace(&base, "eb");
    }
    report
}

/// The codes of the report's errors (warnings and infos left out).
pub(crate) fn error_codes(report: &Report) -> BTreeSet<&'static str> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.code)
        .collect()
}

/// One line per finding: code, severity, `place` (its pointer or its file),
/// line:column and message; for failure messages and snapshots.
pub(crate) fn describe(report: &Report, place: fn(&Diagnostic) -> &str) -> String {
    report
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {:?} {} {}:{} {}\n",
                d.code,
                d.severity,
                place(d),
                d.line,
                d.column,
                d.message
            )
        })
        .collect()
}

/// A finding's JSON pointer, for [`describe`].
pub(crate) fn pointer(d: &Diagnostic) -> &str {
    &d.pointer
}

/// A finding's file, for [`describe`].
pub(crate) fn file(d: &Diagnostic) -> &str {
    &d.file
}
