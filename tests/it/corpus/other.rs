//! The rest of the corpus: every file that is neither a Dockerrun
//! (`dockerrun.rs`) nor an `.ebextensions` config (`ebextensions.rs`) — the
//! samples' nginx/httpd proxy snippets, Passenger configs, READMEs and the
//! corpus MANIFEST. Each is placed where it would sit in a bundle (proxy
//! snippets under `.platform/`, the rest at the root) next to a
//! `Dockerfile`, validated as a bundle folder for `docker-al2` (the platform
//! that reads `.platform` proxy config), and must produce exactly the error
//! codes of its verdict in `other.tsv`. A sweep then runs every corpus file
//! through every front end on every platform, and as a zip entry: no input
//! may panic.

use crate::support::validation::error_codes;
use ebpack::diag::Report;
use ebpack::validate::{self, Options, Platform};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

/// `(corpus path, where it goes in the bundle, error codes; empty = pass)`.
fn table() -> Vec<(String, String, BTreeSet<String>)> {
    super::verdicts("other.tsv", 2)
        .into_iter()
        .map(|v| (v.columns[0].clone(), v.columns[1].clone(), v.errors))
        .collect()
}

fn all_files() -> Vec<(PathBuf, String)> {
    let root = super::root();
    super::files_under(&root)
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (p, rel)
        })
        .collect()
}

/// True for the files the two other corpus tests own (their own tests
/// check that their tables list each of them).
fn owned_elsewhere(rel: &str) -> bool {
    (rel.starts_with("github/dockerrun/") && rel.ends_with(".json"))
        || rel.starts_with("github/ebextensions/")
        || (rel.starts_with("aws-samples-ebextensions/") && rel.ends_with(".config"))
}

fn docker() -> Options {
    Options {
        platform: Platform::DockerAl2,
        ..Options::default()
    }
}

#[test]
fn every_other_corpus_file_is_in_the_table() {
    let rest: Vec<String> = all_files()
        .into_iter()
        .map(|(_, rel)| rel)
        .filter(|rel| !owned_elsewhere(rel))
        .collect();
    let listed: Vec<String> = table().into_iter().map(|(p, _, _)| p).collect();
    assert_eq!(
        rest, listed,
        "the table must list every remaining corpus file, in order"
    );
}

#[test]
fn other_corpus_files_match_their_verdicts_in_a_bundle() {
    let root = super::root();
    let mut failures = Vec::new();
    for (rel, place, want) in table() {
        let dir = tempfile::tempdir().unwrap();
        let bundle = dir.path();
        std::fs::write(bundle.join("Dockerfile"), "FROM nginx:1.27\n").unwrap();
        let target = bundle.join(&place);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(root.join(&rel), &target).unwrap();
        let report = validate::validate_path(bundle, &docker()).unwrap();
        let got = error_codes(&report);
        if !super::same_errors(&want, &got) {
            failures.push(format!("{rel}: want errors {want:?}, got {got:?}"));
        }
        // These files are all clean: no warnings either.
        if want.is_empty() && !report.diagnostics.is_empty() {
            failures.push(format!(
                "{rel}: unexpected findings {:?}",
                report
                    .diagnostics
                    .iter()
                    .map(|d| (d.code, &d.message))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn no_corpus_file_panics_in_any_front_end() {
    let platforms = [Platform::EcsAl2, Platform::McAl1, Platform::DockerAl2];
    let files = all_files();
    for (path, rel) in &files {
        let bytes = std::fs::read(path).unwrap();
        for platform in platforms {
            let options = Options {
                platform,
                ..Options::default()
            };
            let mut report = Report::default();
            validate::validate_dockerrun_file(rel, &bytes, &options, None, &mut report);
            validate::validate_config_file(rel, &bytes, &options, None, &mut report);
            let _ = ebpack::diag::render::human_report(&report, false);
            for d in &report.diagnostics {
                assert!(d.line >= 1 && d.column >= 1, "{rel}: {d:?}");
            }
        }
    }
    // All of them in one zip, each under the name it would have in a bundle.
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("corpus.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    for (i, (path, rel)) in files.iter().enumerate() {
        let name = if rel.ends_with(".config") {
            format!(".ebextensions/{i:03}.config")
        } else if rel.ends_with(".json") && rel.starts_with("github/dockerrun/") {
            if rel.ends_with("/021.json") {
                "Dockerrun.aws.json".to_owned()
            } else {
                format!("variants/{i:03}/Dockerrun.aws.json")
            }
        } else {
            format!("other/{i:03}")
        };
        w.start_file(name, opts).unwrap();
        w.write_all(&std::fs::read(path).unwrap()).unwrap();
    }
    w.finish().unwrap();
    for platform in platforms {
        let options = Options {
            platform,
            ..Options::default()
        };
        let report = validate::validate_path(&zip_path, &options).unwrap();
        assert!(report.fails(false), "the corpus zip has known errors");
        let _ = ebpack::diag::render::human_report(&report, false);
    }
}
