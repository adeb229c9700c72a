//! Every Dockerrun of the corpus (60 files from public repositories): no
//! panic, and the set of error codes equals the verdict in `dockerrun.tsv`.
//! Each verdict was checked by reading the file against bundle-rules.md
//! (the MANIFEST notes are only a first reading).
//!
//! v1 files are validated for `docker-al2` (their platform); v2 files for
//! the default `ecs-al2`. Files are validated alone, so bundle-level rules
//! (R2–R4, R51, R57 "requires Image/Ports", R59) do not apply here.

use crate::support::validation::{self, error_codes};
use ebpack::validate::Platform;

/// `(file, platform, verdict)` for every row of `dockerrun.tsv`.
fn table() -> Vec<(String, Platform, super::Verdict)> {
    super::verdicts("dockerrun.tsv", 2)
        .into_iter()
        .map(|v| {
            let platform = v.columns[1]
                .parse()
                .unwrap_or_else(|e| panic!("dockerrun.tsv: {}: {e}", v.columns[0]));
            (v.columns[0].clone(), platform, v)
        })
        .collect()
}

fn dir() -> std::path::PathBuf {
    super::root().join("github/dockerrun")
}

#[test]
fn corpus_verdicts_match_the_table() {
    let dir = dir();
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("read corpus dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        60,
        "expected 60 corpus files, found {}",
        files.len()
    );
    let table = table();
    let listed: Vec<&str> = table.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        files, listed,
        "the verdict table must list every corpus file"
    );

    let mut mismatches = Vec::new();
    for (name, platform, verdict) in &table {
        let text = std::fs::read(dir.join(name)).expect("read corpus file");
        let report = validation::dockerrun(name, &text, &validation::options(*platform));
        let got = error_codes(&report);
        if !super::same_errors(&verdict.errors, &got) {
            mismatches.push(format!(
                "{name}: expected {:?}, got {got:?}",
                verdict.errors
            ));
        }
        // Every finding has a real place in the file.
        for d in &report.diagnostics {
            assert!(d.line >= 1 && d.column >= 1, "{name}: {d:?}");
        }
    }
    assert!(
        mismatches.is_empty(),
        "verdict mismatches:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn corpus_never_panics_on_any_platform() {
    let dir = dir();
    for (name, _, _) in table() {
        let text = std::fs::read(dir.join(&name)).expect("read corpus file");
        for platform in [Platform::EcsAl2, Platform::McAl1, Platform::DockerAl2] {
            let report = validation::dockerrun(&name, &text, &validation::options(platform));
            let _ = ebpack::diag::render::human_report(&report, false);
        }
    }
}
