//! `.ebextensions` rules (R61–R91): a failing and a passing case per rule,
//! with exact code, severity and pointer, plus snapshots of the rendered
//! diagnostics.

mod bundle;
mod commands;
mod keys;

use ebpack::diag::render::{human_report, json};
use ebpack::diag::{Report, Severity};
use ebpack::validate::{self, Options, Platform};
use std::path::Path;

use crate::support::cases::Case;
use crate::support::snapshot_each_fixture;
use crate::support::validation;

fn run_on(text: &str, platform: Platform) -> Report {
    validation::config("x.config", text.as_bytes(), &validation::options(platform))
}

fn run(text: &str) -> Report {
    run_on(text, Platform::EcsAl2)
}

fn describe(r: &Report) -> String {
    validation::describe(r, validation::pointer)
}

/// Asserts a finding with `code`, `severity` and `pointer` exists.
#[track_caller]
fn fires(text: &str, code: &str, severity: Severity, pointer: &str) {
    let r = run(text);
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.code == code && d.severity == severity && d.pointer == pointer),
        "expected {code} {severity:?} at `{pointer}` for\n{text}\ngot:\n{}",
        describe(&r)
    );
}

/// Asserts no finding with `code` exists.
#[track_caller]
fn quiet(text: &str, code: &str) {
    let r = run(text);
    assert!(
        !r.diagnostics.iter().any(|d| d.code == code),
        "expected no {code} for\n{text}\ngot:\n{}",
        describe(&r)
    );
}

use Severity::{Error as E, Warning as W};

/// Every case under `tests/fixtures/ebextensions/cases/` (see
/// `support::cases`), with a snapshot of both inputs' findings.
#[test]
fn every_config_case_fires_on_its_failing_input_and_not_on_its_passing_input() {
    snapshot_each_fixture!(
        "../../fixtures/ebextensions/cases",
        "*.case",
        "ebextensions_cases",
        |path| Case::read(path).check()
    );
}

// ---- snapshots ----------------------------------------------------------

fn fixture(name: &str) -> Report {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ebextensions")
        .join(name);
    let bytes = std::fs::read(&path).unwrap();
    let mut report = Report::default();
    validate::validate_config_file(name, &bytes, &Options::default(), None, &mut report);
    report.sort();
    report
}

#[test]
fn snapshot_many_problems() {
    let r = fixture("fail/many-problems.config");
    insta::assert_snapshot!("many_problems_human", human_report(&r, false));
    let lines: Vec<String> = r.diagnostics.iter().map(json).collect();
    insta::assert_snapshot!("many_problems_json", lines.join("\n"));
}

#[test]
fn snapshot_tab_indent() {
    let r = fixture("fail/tab-indent.config");
    insta::assert_snapshot!("tab_indent_human", human_report(&r, false));
}

#[test]
fn pass_fixture_is_clean() {
    let r = fixture("pass/complete.config");
    assert!(r.diagnostics.is_empty(), "{}", describe(&r));
}
