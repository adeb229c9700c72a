//! The rest of the shared corpus: every file that is neither a Dockerrun
//! (`corpus_dockerrun.rs`) nor an `.ebextensions` config
//! (`corpus_ebextensions.rs`) — the samples' nginx/httpd proxy snippets,
//! Passenger configs, READMEs and the corpus MANIFEST. Each is placed where
//! it would sit in a bundle (proxy snippets under `.platform/`, the rest at
//! the root) next to a `Dockerfile`, validated as a bundle folder for
//! `docker-al2` (the platform that reads `.platform` proxy config), and
//! must produce exactly the error codes of [`VERDICTS`]. A sweep then runs
//! every corpus file through every front end on every platform, and as a
//! zip entry: no input may panic.

use ebpack::diag::{Report, Severity};
use ebpack::validate::{self, Options, Platform};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// (corpus path, where it goes in the bundle, error codes; empty = pass).
const VERDICTS: &[(&str, &str, &[&str])] = &[
    (
        "aws-samples-ebextensions/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/environment-configuration/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/websockets/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/windows-configuration/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/resource-configuration/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-instancecert/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/golang/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/golang/nginx/conf.d/elasticbeanstalk/00_application.conf",
        ".platform/nginx/conf.d/elasticbeanstalk/00_application.conf",
        &[], // proxy config snippet (UTF-8, conf.d): fine on docker-al2
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/java-se/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/java-se/nginx/conf.d/elasticbeanstalk/00_application.conf",
        ".platform/nginx/conf.d/elasticbeanstalk/00_application.conf",
        &[], // proxy config snippet (UTF-8, conf.d): fine on docker-al2
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/java-tomcat/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/java-tomcat/https-redirect-java-tomcat-apache-2.2/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/java-tomcat/https-redirect-java-tomcat-apache-2.2/httpd/conf.d/elasticbeanstalk.conf",
        ".platform/httpd/conf.d/elasticbeanstalk.conf",
        &[], // proxy config snippet (UTF-8, conf.d): fine on docker-al2
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/java-tomcat/https-redirect-java-tomcat-apache-2.4/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/java-tomcat/https-redirect-java-tomcat-apache-2.4/httpd/conf.d/elasticbeanstalk.conf",
        ".platform/httpd/conf.d/elasticbeanstalk.conf",
        &[], // proxy config snippet (UTF-8, conf.d): fine on docker-al2
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/java-tomcat/https-redirect-nginx-java-tomcat/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/java-tomcat/https-redirect-nginx-java-tomcat/nginx/conf.d/elasticbeanstalk/00_application.conf",
        ".platform/nginx/conf.d/elasticbeanstalk/00_application.conf",
        &[], // proxy config snippet (UTF-8, conf.d): fine on docker-al2
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/nodejs/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/ruby-passenger/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/ruby-passenger/https-redirect-load-balanced-ruby-passenger/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/ruby-passenger/https-redirect-load-balanced-ruby-passenger/passenger-standalone.json",
        "passenger-standalone.json",
        &[], // Passenger config (Ruby platform): plain bundle content for Docker
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/ruby-passenger/https-redirect-single-instance-ruby-passenger/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/ruby-passenger/https-redirect-single-instance-ruby-passenger/passenger-standalone.json",
        "passenger-standalone.json",
        &[], // Passenger config (Ruby platform): plain bundle content for Docker
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/golang/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/golang/nginx/conf.d/elasticbeanstalk/error429.conf",
        ".platform/nginx/conf.d/elasticbeanstalk/error429.conf",
        &[], // proxy config snippet (UTF-8, conf.d): fine on docker-al2
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/golang/nginx/conf.d/rate-limit.conf",
        ".platform/nginx/conf.d/rate-limit.conf",
        &[], // proxy config snippet (UTF-8, conf.d): fine on docker-al2
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/java-se/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/java-se/nginx/conf.d/elasticbeanstalk/error429.conf",
        ".platform/nginx/conf.d/elasticbeanstalk/error429.conf",
        &[], // proxy config snippet (UTF-8, conf.d): fine on docker-al2
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/java-se/nginx/conf.d/rate-limit.conf",
        ".platform/nginx/conf.d/rate-limit.conf",
        &[], // proxy config snippet (UTF-8, conf.d): fine on docker-al2
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/java-tomcat/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/java-tomcat/rate-limit-connections-java-tomcat/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/java-tomcat/rate-limit-connections-java-tomcat/httpd/conf.d/rate-limit.conf",
        ".platform/httpd/conf.d/rate-limit.conf",
        &[], // proxy config snippet (UTF-8, conf.d): fine on docker-al2
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/java-tomcat/rate-limit-connections-nginx-java-tomcat/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/java-tomcat/rate-limit-connections-nginx-java-tomcat/nginx/conf.d/elasticbeanstalk/error429.conf",
        ".platform/nginx/conf.d/elasticbeanstalk/error429.conf",
        &[], // proxy config snippet (UTF-8, conf.d): fine on docker-al2
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/java-tomcat/rate-limit-connections-nginx-java-tomcat/nginx/conf.d/rate-limit.conf",
        ".platform/nginx/conf.d/rate-limit.conf",
        &[], // proxy config snippet (UTF-8, conf.d): fine on docker-al2
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/nodejs/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/ruby-passenger/README.md",
        "README.md",
        &[], // documentation: plain bundle content
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/ruby-passenger/passenger-standalone.json",
        "passenger-standalone.json",
        &[], // Passenger config (Ruby platform): plain bundle content for Docker
    ),
    (
        "github/MANIFEST.tsv",
        "MANIFEST.tsv",
        &[], // corpus index: plain bundle content
    ),
];

fn corpus() -> PathBuf {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"));
    assert!(p.is_dir(), "corpus missing at {}", p.display());
    p
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn all_files() -> Vec<(PathBuf, String)> {
    let root = corpus();
    let mut files = Vec::new();
    walk(&root, &mut files);
    files
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
    let listed: Vec<String> = VERDICTS.iter().map(|(p, _, _)| (*p).to_owned()).collect();
    assert_eq!(
        rest, listed,
        "the table must list every remaining corpus file, in order"
    );
}

#[test]
fn other_corpus_files_match_their_verdicts_in_a_bundle() {
    let root = corpus();
    let mut failures = Vec::new();
    for (rel, place, want) in VERDICTS {
        let dir = tempfile::tempdir().unwrap();
        let bundle = dir.path();
        std::fs::write(bundle.join("Dockerfile"), "FROM nginx:1.27\n").unwrap();
        let target = bundle.join(place);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(root.join(rel), &target).unwrap();
        let report = validate::validate_path(bundle, &docker()).unwrap();
        let got: BTreeSet<&str> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.code)
            .collect();
        let want: BTreeSet<&str> = want.iter().copied().collect();
        if got != want {
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
