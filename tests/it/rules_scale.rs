//! Inputs of 10^5 elements (containers, environment entries, duplicate
//! keys, YAML keys and list items, a huge block scalar, nested anchors,
//! Unicode line breaks, zip entries), with the findings they must produce.
//!
//! These tests assert findings, not time: `bench/validate.sh` measures
//! time and memory. A return of a quadratic path makes these tests slow
//! (and shows in the benchmark); the findings stay checked here, including
//! the cap of [`MAX_PER_CODE`] findings per code and its summary.

use crate::support::validation::{self, options};
use ebpack::diag::render::human_report;
use ebpack::diag::{MAX_PER_CODE, Report, Severity};
use ebpack::validate::{self, Platform};
use std::fmt::Write as _;
use std::io::Write as _;

const N: usize = 100_000;

fn dockerrun(text: &str) -> Report {
    validation::dockerrun(
        "Dockerrun.aws.json",
        text.as_bytes(),
        &options(Platform::EcsAl2),
    )
}

fn config(text: &str) -> Report {
    validation::config("big.config", text.as_bytes(), &options(Platform::EcsAl2))
}

/// `(code, severity, pointer)` of every finding, in report order.
fn found(report: &Report) -> Vec<(&str, Severity, &str)> {
    report
        .diagnostics
        .iter()
        .map(|d| (d.code, d.severity, d.pointer.as_str()))
        .collect()
}

/// The findings of `code`: the shown ones and the summary (last, if any).
fn of_code<'r>(report: &'r Report, code: &str) -> Vec<&'r ebpack::diag::Diagnostic> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .collect()
}

/// Checks that `code` has exactly [`MAX_PER_CODE`] findings shown and one
/// summary of `hidden` more, placed at `line` (the first one not shown).
#[track_caller]
fn capped(report: &Report, code: &str, hidden: usize, line: usize) {
    let all = of_code(report, code);
    let (summaries, shown): (Vec<&&ebpack::diag::Diagnostic>, Vec<_>) =
        all.iter().partition(|d| d.hidden > 0);
    assert_eq!(shown.len(), MAX_PER_CODE, "{code}");
    assert_eq!(summaries.len(), 1, "{code}");
    let s = summaries[0];
    assert_eq!(s.hidden, hidden, "{code}: {}", s.message);
    let digits = hidden.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    assert!(
        s.message.contains(&format!("{grouped} more like this")),
        "{}",
        s.message
    );
    assert_eq!(s.line, line, "{code}: {}", s.message);
    // The shown ones come first in the file, the summary after them.
    assert!(shown.iter().all(|d| d.line <= s.line), "{code}");
}

fn container(i: usize, extra: &str) -> String {
    format!(
        r#"{{"name": "c{i}", "image": "nginx:1.27", "essential": true, "memoryReservation": 16{extra}}}"#
    )
}

fn v2(containers: &[String]) -> String {
    format!(
        "{{\"AWSEBDockerrunVersion\": 2,\n\"containerDefinitions\": [\n{}\n]}}\n",
        containers.join(",\n")
    )
}

#[test]
fn a_dockerrun_with_100000_containers_reports_the_limits_once() {
    let containers: Vec<String> = (0..N).map(|i| container(i, "")).collect();
    let report = dockerrun(&v2(&containers));
    assert_eq!(
        found(&report),
        vec![
            ("R99", Severity::Error, ""),
            ("R20", Severity::Error, "/containerDefinitions/10"),
        ]
    );
}

#[test]
fn repeated_environment_names_are_capped_with_a_summary() {
    // 10^5 entries, each name twice: 50 000 repeats, one finding each.
    let env: String = (0..N)
        .map(|i| format!("{{\"name\": \"VAR_{}\", \"value\": \"v\"}}", i % (N / 2)))
        .collect::<Vec<_>>()
        .join(",\n");
    let text = v2(&[container(0, &format!(", \"environment\": [\n{env}\n]"))]);
    let report = dockerrun(&text);
    // Line 4 holds the first entry; the first repeat is entry N/2.
    let first_hidden_line = 4 + N / 2 + MAX_PER_CODE;
    capped(&report, "R35", N / 2 - MAX_PER_CODE, first_hidden_line);
    let first = of_code(&report, "R35")[0];
    assert_eq!(
        first.pointer,
        format!("/containerDefinitions/0/environment/{}/name", N / 2)
    );
    assert_eq!(first.labels.len(), 1, "first set here");
    assert!(of_code(&report, "R99").len() == 1);
    // The human output stays about as long as the findings shown.
    let human = human_report(&report, false);
    assert!(human.len() < 200 * 1024, "{} bytes", human.len());
}

#[test]
fn a_container_with_100000_copies_of_a_key_reports_each_repeat_capped() {
    let dups: String = (0..N)
        .map(|i| format!(",\n\"memoryReservation\": {}", 16 + i % 7))
        .collect();
    let report = dockerrun(&v2(&[container(0, &dups)]));
    // The container's own key and the N copies: N repeats, on lines 4… .
    let dup = of_code(&report, "R21");
    assert!(
        dup.iter()
            .all(|d| d.hidden > 0 || d.message.contains("more than once")),
        "{}",
        dup[0].message
    );
    capped(&report, "R21", N - MAX_PER_CODE, 4 + MAX_PER_CODE);
    let codes: std::collections::BTreeSet<&str> =
        report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["R21", "R99"].into_iter().collect());
}

#[test]
fn a_yaml_mapping_of_100000_keys_finds_its_one_duplicate() {
    let mut text =
        String::from("option_settings:\n  aws:elasticbeanstalk:application:environment:\n");
    for i in 0..N {
        let _ = writeln!(text, "    VAR_{i}: value {i}");
    }
    text.push_str("    VAR_7: other\n");
    let report = config(&text);
    assert_eq!(
        found(&report),
        vec![
            ("R71", Severity::Error, "/option_settings"),
            (
                "R66",
                Severity::Error,
                "/option_settings/aws:elasticbeanstalk:application:environment/VAR_7"
            ),
        ]
    );
    let dup = &report.diagnostics[1];
    assert_eq!((dup.line, dup.labels[0].position.line), (N + 3, 10));
}

#[test]
fn a_yaml_list_of_100000_settings_is_read_in_full() {
    let mut text = String::from("option_settings:\n");
    for i in 0..N {
        let _ = write!(
            text,
            "  - namespace: aws:elasticbeanstalk:application:environment\n    option_name: VAR_{i}\n    value: {}\n",
            if i == N - 1 { "yes" } else { "v" }
        );
    }
    let report = config(&text);
    // The total is over the limit; the last item's `yes` is a YAML 1.1 boolean.
    assert_eq!(
        found(&report),
        vec![
            ("R71", Severity::Error, "/option_settings"),
            (
                "R72",
                Severity::Warning,
                &*format!("/option_settings/{}/value", N - 1)
            ),
        ]
    );
}

#[test]
fn a_block_scalar_of_100000_lines_is_one_value() {
    let mut text = String::from(
        "files:\n  \"/etc/app/big.txt\":\n    mode: \"000644\"\n    owner: root\n    group: root\n    content: |\n",
    );
    for i in 0..N {
        // A tab after the block's indentation is content, not indentation.
        let _ = writeln!(text, "      \tline {i} of a large generated file");
    }
    text.push_str("    mode: 644\n");
    let report = config(&text);
    // Tabs inside the block are content (no R64); the repeated, unquoted
    // `mode` after it is found where it is.
    let got = found(&report);
    assert!(
        got.contains(&("R79", Severity::Error, "/files/~1etc~1app~1big.txt/mode")),
        "{got:?}"
    );
    assert!(
        got.iter().all(|(c, _, _)| *c == "R79" || *c == "R66"),
        "{got:?}"
    );
    let mode = report.diagnostics.iter().find(|d| d.code == "R79").unwrap();
    assert_eq!(mode.line, N + 7);
}

/// Anchors nested `depth` deep, one space of indentation per level, that
/// no alias uses: each anchored node used to be copied with its subtree.
fn nested_anchors(depth: usize) -> String {
    let mut text = String::new();
    for i in 0..depth {
        let pad = " ".repeat(i);
        let _ = write!(text, "{pad}key{i}: &a{i}\n{pad} sibling: {i}\n");
    }
    let _ = writeln!(text, "{}leaf: x", " ".repeat(depth));
    text
}

#[test]
fn nested_anchors_without_aliases_are_not_copied() {
    // 900 levels: about 800 KB, twice the size that used to abort.
    let text = nested_anchors(900);
    let root = ebpack::syntax::yaml::parse(&text).expect("parses");
    let mut depth = 0;
    let mut node = &root;
    while let Some(next) = node.entries().and_then(<[_]>::last) {
        node = &next.value;
        depth += 1;
    }
    assert_eq!(depth, 901);
    // As a config: only the unknown top-level key.
    let report = config(&text);
    assert_eq!(found(&report), vec![("R67", Severity::Error, "/key0")]);
    // Aliases of nested anchors still count every node they copy.
    let bomb = format!("{}refs: [{}]\n", nested_anchors(300), "*a0, ".repeat(400));
    let err = ebpack::syntax::yaml::parse(&bomb).unwrap_err();
    assert!(err.message.contains("alias bomb"), "{}", err.message);
}

#[test]
fn unicode_line_breaks_in_a_config_are_found_and_capped() {
    let mut text = String::from("commands:\n  a:\n    command: |\n");
    for i in 0..N {
        let _ = writeln!(text, "      echo {i}\u{2028}done");
    }
    let report = config(&text);
    capped(&report, "R63", N - MAX_PER_CODE, 4 + MAX_PER_CODE);
    let first = of_code(&report, "R63")[0];
    assert_eq!(
        (first.line, first.column, first.severity),
        (4, 13, Severity::Error)
    );
    assert_eq!(first.pointer, "/commands/a/command");
}

#[test]
fn a_zip_of_100000_entries_caps_each_kind_of_finding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bundle.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .unix_permissions(0o644);
    w.start_file("Dockerrun.aws.json", stored).unwrap();
    w.write_all(validation::DOCKERRUN.as_bytes()).unwrap();
    for i in 0..N {
        // AppleDouble files: one R9 error each.
        w.start_file(format!("app/d{}/._f{i}", i % 100), stored)
            .unwrap();
        w.write_all(b"\0").unwrap();
    }
    w.finish().unwrap();
    let report = validate::validate_path(&path, &options(Platform::EcsAl2)).unwrap();
    let r9 = of_code(&report, "R9");
    assert_eq!(r9.len(), MAX_PER_CODE + 1);
    let summary = r9.iter().find(|d| d.hidden > 0).expect("a summary");
    assert_eq!(summary.hidden, N - MAX_PER_CODE);
    assert_eq!(summary.severity, Severity::Error);
}
