//! Every `.ebextensions` file of the corpus: 50 configs from public GitHub
//! repositories and the 115 official AWS sample configs. No input may
//! panic, and the set of error codes of each file must equal its verdict in
//! `ebextensions.tsv`, which was checked by reading each file against the
//! rules. The AWS samples are free of errors (Windows-only keys and paths
//! are warnings on the Linux targets), except the AL1-era samples that
//! install custom hooks AL2 never runs (R98), which are clean on mc-al1.

use crate::support::validation::{self, error_codes};
use ebpack::diag::Report;
use ebpack::validate::Platform;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Corpus path → the error codes it must produce (empty: no errors).
fn table() -> Vec<(String, BTreeSet<String>)> {
    super::verdicts("ebextensions.tsv", 1)
        .into_iter()
        .map(|v| (v.columns[0].clone(), v.errors))
        .collect()
}

fn check(path: &Path, platform: Platform) -> Report {
    let bytes = std::fs::read(path).unwrap();
    let name = path.to_string_lossy();
    validation::config(&name, &bytes, &validation::options(platform))
}

#[test]
fn every_corpus_file_matches_its_verdict() {
    let root = super::root();
    let mut github: Vec<PathBuf> = std::fs::read_dir(root.join("github/ebextensions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != "MANIFEST.tsv"))
        .collect();
    github.sort();
    let samples: Vec<PathBuf> = super::files_under(&root.join("aws-samples-ebextensions"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "config"))
        .collect();
    assert_eq!(github.len(), 50, "github/ebextensions should hold 50 files");
    assert_eq!(
        samples.len(),
        115,
        "aws-samples-ebextensions should hold 115 configs"
    );
    let table = table();
    let mut failures = Vec::new();
    let mut seen = BTreeSet::new();
    for path in github.iter().chain(&samples) {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let Some((_, want)) = table.iter().find(|(p, _)| *p == rel) else {
            failures.push(format!("{rel}: not in the verdict table"));
            continue;
        };
        seen.insert(rel.clone());
        for platform in [Platform::McAl1, Platform::DockerAl2] {
            let _ = check(path, platform); // must not panic
        }
        let got = error_codes(&check(path, Platform::EcsAl2));
        if !super::same_errors(want, &got) {
            failures.push(format!("{rel}: want errors {want:?}, got {got:?}"));
        }
    }
    assert_eq!(
        seen.len(),
        table.len(),
        "the verdict table lists files that are gone"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn aws_samples_have_no_errors_on_their_platform() {
    // The official samples are free of errors, except the AL1-era ones that
    // install Amazon Linux AMI custom hooks (R98 on the AL2 default target):
    // those must be clean on mc-al1, the platform they were written for.
    let root = super::root();
    for (path, codes) in table() {
        if !path.starts_with("aws-samples-ebextensions/") || codes.is_empty() {
            continue;
        }
        assert_eq!(
            codes,
            BTreeSet::from(["R98".to_owned()]),
            "{path}: official samples must be free of errors"
        );
        let on_al1 = error_codes(&check(&root.join(&path), Platform::McAl1));
        assert!(on_al1.is_empty(), "{path}: errors on mc-al1: {on_al1:?}");
    }
}
