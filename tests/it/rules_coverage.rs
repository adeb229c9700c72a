//! The project's own fixtures fire every documented rule: no rule is
//! tested only by the external corpus. The codes are the rule registry's
//! ([`Rule::ALL`], documented in `docs/rules`, which the registry's unit
//! tests check); fired codes are collected by running every fixture under
//! `tests/fixtures/` the way its own tests run it.

use crate::support::bundles::BundleFixture;
use crate::support::cases::Case;
use crate::support::{repo_path, validation};
use ebpack::validate::{DocFile, Platform, Rule};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// `validation::dockerrun` or `validation::config`.
type Validator = fn(&str, &[u8], &ebpack::validate::Options) -> ebpack::diag::Report;

const PLATFORMS: [Platform; 3] = [Platform::EcsAl2, Platform::McAl1, Platform::DockerAl2];

/// Every validation rule of the registry (which its unit tests tie to
/// `docs/rules` both ways); the build's own codes (`docs/build.md`) are
/// tested with the build.
fn documented_codes() -> BTreeSet<String> {
    Rule::ALL
        .iter()
        .filter(|r| r.doc_file() != DocFile::Build)
        .map(|r| r.code().to_owned())
        .collect()
}

/// Files under `tests/fixtures/<dir>` whose name ends with `suffix`.
fn fixtures(dir: &str, suffix: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, suffix: &str, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let p = e.expect("read_dir entry").path();
            if p.is_dir() {
                walk(&p, suffix, out);
            } else if p.to_string_lossy().ends_with(suffix) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&repo_path("tests/fixtures").join(dir), suffix, &mut out);
    out.sort();
    out
}

#[test]
fn every_documented_rule_is_fired_by_a_project_fixture() {
    let mut fired: BTreeSet<String> = BTreeSet::new();
    let mut add = |report: &ebpack::diag::Report| {
        fired.extend(report.diagnostics.iter().map(|d| d.code.to_owned()));
    };
    for path in fixtures("", ".case") {
        let case = Case::read(&path);
        add(&case.validate(&case.fail));
        add(&case.validate(&case.pass));
    }
    // The larger documents of the snapshot tests, on every platform.
    let documents = fixtures("dockerrun", ".json")
        .into_iter()
        .map(|p| (p, validation::dockerrun as Validator))
        .chain(
            fixtures("ebextensions", ".config")
                .into_iter()
                .map(|p| (p, validation::config as Validator)),
        );
    for (path, validate) in documents {
        let text = std::fs::read(&path).expect("read fixture");
        let name = path.file_name().expect("a file name").to_string_lossy();
        for platform in PLATFORMS {
            add(&validate(&name, &text, &validation::options(platform)));
        }
    }
    for path in fixtures("bundles", ".bundle") {
        add(&BundleFixture::read(&path).validate());
    }
    let missing: Vec<String> = documented_codes()
        .into_iter()
        .filter(|code| !fired.contains(code))
        .collect();
    assert!(
        missing.is_empty(),
        "documented rules no fixture under tests/fixtures fires: {missing:?}"
    );
}
