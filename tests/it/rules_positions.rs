//! Where findings point: `file:line:col` and the caret for JSON syntax
//! errors, YAML syntax errors and semantic findings deep inside nested
//! arrays, in both front ends. Each case names the exact text under the
//! caret; snapshots show the rendered snippets.

use crate::support::validation;
use ebpack::diag::render::human_report;
use ebpack::diag::{Diagnostic, Report};
use ebpack::validate::Options;

fn dockerrun(text: &str) -> Report {
    validation::dockerrun("Dockerrun.aws.json", text.as_bytes(), &Options::default())
}

fn config(text: &str) -> Report {
    validation::config("01.config", text.as_bytes(), &Options::default())
}

fn find<'r>(r: &'r Report, code: &str, pointer: &str) -> &'r Diagnostic {
    r.diagnostics
        .iter()
        .find(|d| d.code == code && d.pointer == pointer)
        .unwrap_or_else(|| panic!("no {code} at `{pointer}`:\n{}", human_report(r, false)))
}

/// The source text under a finding's span.
fn under<'t>(text: &'t str, d: &Diagnostic) -> &'t str {
    let span = d.span.clone().expect("finding has a span");
    &text[span]
}

#[track_caller]
fn at(d: &Diagnostic, line: usize, column: usize) {
    assert_eq!(
        (d.line, d.column),
        (line, column),
        "{} {} at {}:{}",
        d.code,
        d.message,
        d.line,
        d.column
    );
}

const CONTAINER_LINES: &str = r#"{
  "AWSEBDockerrunVersion": 2,
  "containerDefinitions": [
    {
      "name": "web",
      "image": "nginx:1.25",
      "memory": 128,
      "portMappings": [{"hostPort": 80, "containerPort": 80}]
    }
  ]
}
"#;

#[test]
fn json_trailing_comma_at_line_7() {
    let text = CONTAINER_LINES.replace(
        "\"memory\": 128,\n      \"portMappings\": [{\"hostPort\": 80, \"containerPort\": 80}]",
        "\"memory\": 128,",
    );
    let r = dockerrun(&text);
    assert_eq!(r.diagnostics.len(), 1, "{}", human_report(&r, false));
    let d = &r.diagnostics[0];
    assert_eq!(d.code, "R15");
    at(d, 7, 20);
    assert_eq!(under(&text, d), ",");
    insta::assert_snapshot!("json_trailing_comma", human_report(&r, false));
}

#[test]
fn json_missing_quotes_at_line_7() {
    // Closing quote missing: the string runs on to the end of the file,
    // but the caret stays on the line where it opens.
    let text = CONTAINER_LINES.replace("\"memory\": 128", "\"memory: 128");
    let r = dockerrun(&text);
    let d = &r.diagnostics[0];
    assert_eq!(d.code, "R15");
    at(d, 7, 7);
    assert_eq!(under(&text, d), "\"memory: 128,");
    insta::assert_snapshot!("json_unterminated_string", human_report(&r, false));
    // Opening quote missing: the bare word is marked.
    let text = CONTAINER_LINES.replace("\"memory\": 128", "memory\": 128");
    let r = dockerrun(&text);
    let d = &r.diagnostics[0];
    at(d, 7, 7);
    assert_eq!(under(&text, d), "memory");
}

#[test]
fn json_other_syntax_errors() {
    let text = CONTAINER_LINES.replace(
        "\"AWSEBDockerrunVersion\": 2,",
        "\"AWSEBDockerrunVersion\": 2",
    );
    let d = &dockerrun(&text).diagnostics[0];
    assert!(d.message.contains("comma"), "{}", d.message);
    at(d, 2, 29);
    let text = CONTAINER_LINES.replace("\"name\": \"web\"", "\"name\": \"we\nb\"");
    let d = &dockerrun(&text).diagnostics[0];
    assert!(d.message.contains("line break"), "{}", d.message);
    at(d, 5, 15);
    assert_eq!(under(&text, d), "\"we");
    let text = CONTAINER_LINES.replace("\"name\": \"web\"", "\"name\": \"w\teb\"");
    let d = &dockerrun(&text).diagnostics[0];
    assert!(d.message.contains("U+0009"), "{}", d.message);
    at(d, 5, 17);
    let text = CONTAINER_LINES.replace("      \"memory\": 128,\n", "      // no memory yet\n");
    let d = &dockerrun(&text).diagnostics[0];
    assert!(d.message.contains("comment"), "{}", d.message);
    at(d, 7, 7);
}

#[test]
fn json_findings_inside_nested_arrays() {
    let text = r#"{
  "AWSEBDockerrunVersion": 2,
  "containerDefinitions": [
    {"name": "web", "image": "nginx:1.25", "memory": 128,
     "portMappings": [
       {"hostPort": 80, "containerPort": 80},
       {"hostPort": 443, "containerPort": "443"}
     ],
     "healthCheck": {"command": ["CMD", "true"], "retries": 0},
     "mountPoints": [{"sourceVolume": "data", "containerPath": "/d"}]
    }
  ]
}
"#;
    let r = dockerrun(text);
    let d = find(
        &r,
        "R31",
        "/containerDefinitions/0/portMappings/1/containerPort",
    );
    at(d, 7, 43);
    assert_eq!(under(text, d), "\"443\"");
    let d = find(&r, "R45", "/containerDefinitions/0/healthCheck/retries");
    assert_eq!(under(text, d), "0");
    at(d, 9, 61);
    let d = find(
        &r,
        "R52",
        "/containerDefinitions/0/mountPoints/0/sourceVolume",
    );
    assert_eq!(under(text, d), "\"data\"");
    at(d, 10, 39);
}

#[test]
fn yaml_syntax_errors() {
    let text = "commands:\n  a:\n    command: \"echo hi\n  b:\n    command: x\n";
    let d = &config(text).diagnostics[0];
    assert_eq!(d.code, "R63");
    at(d, 3, 14);
    let text = "option_settings:\n  aws:elasticbeanstalk:application:environment:\n    A: \"1\"\n   B: \"2\"\n";
    let r = config(text);
    let d = &r.diagnostics[0];
    at(d, 4, 4);
    insta::assert_snapshot!("yaml_bad_indentation", human_report(&r, false));
    let text = "packages:\n  yum:\n    git: []\n  rpm: {a: b\n";
    at(&config(text).diagnostics[0], 4, 13);
    let text = "a: b: c\n";
    at(&config(text).diagnostics[0], 1, 5);
}

#[test]
fn yaml_findings_inside_nested_sequences() {
    let text = "option_settings:\n  - namespace: aws:elasticbeanstalk:application:environment\n    option_name: DEBUG\n    value: yes\n  - namespace: aws:autoscaling:asg\n    name: MinSize\n    value: \"1\"\n  - {namespace: \"aws:elasticbeanstalk:enviroment\", option_name: X, value: \"y\"}\nservices:\n  sysvinit:\n    nginx:\n      commands:\n        - a\n        - [b]\n";
    let r = config(text);
    let d = find(&r, "R72", "/option_settings/0/value");
    at(d, 4, 12);
    assert_eq!(under(text, d), "yes");
    // A block mapping in a list ends with its last entry, not at the next item.
    let d = find(&r, "R69", "/option_settings/1");
    at(d, 5, 5);
    assert_eq!((d.end_line, d.end_column), (7, 15));
    let d = find(&r, "R69", "/option_settings/1/name");
    assert_eq!(under(text, d), "name");
    let d = find(&r, "R70", "/option_settings/2/namespace");
    at(d, 8, 17);
    let d = find(&r, "R83", "/services/sysvinit/nginx/commands/0");
    at(d, 13, 11);
    insta::assert_snapshot!("yaml_nested_sequences", human_report(&r, false));
}

#[test]
fn yaml_findings_in_json_configs_and_flow_style() {
    let text = "{\n  \"files\": {\n    \"/x\": {\"content\": \"a\", \"mode\": 644}\n  },\n  \"commands\": {\"a\": {\"command\": \"x\", \"leader_only\": true}}\n}\n";
    let r = config(text);
    let d = find(&r, "R79", "/files/~1x/mode");
    at(d, 3, 36);
    assert_eq!(under(text, d), "644");
    let d = find(&r, "R85", "/commands/a/leader_only");
    at(d, 5, 38);
    assert_eq!(under(text, d), "\"leader_only\"");
}

#[test]
fn findings_in_json_configs_indented_with_tabs() {
    // Read as JSON: a tab is one column, and positions count it as one.
    let text = "{\n\t\"files\": {\n\t\t\"/x\": {\"content\": \"a\", \"mode\": 644}\n\t},\n\t\"Commands\": {}\n}\n";
    let r = config(text);
    let d = find(&r, "R79", "/files/~1x/mode");
    assert_eq!(under(text, d), "644");
    at(d, 3, 34);
    let d = find(&r, "R67", "/Commands");
    assert_eq!(under(text, d), "\"Commands\"");
    at(d, 5, 2);
    assert!(!r.diagnostics.iter().any(|d| d.code == "R64"));
}

#[test]
fn findings_in_flow_collections_left_of_their_block() {
    // Lines of a flow collection left of their block: read as PyYAML reads
    // them, with positions in the file as written.
    let text = "packages:\n  yum: {\n    git: [],\n  jq: 1.6\n}\nfiles: {\n\"/x\": {content: a, mode: 644}\n}\n";
    let r = config(text);
    let d = find(&r, "R72", "/packages/yum/jq");
    assert_eq!(under(text, d), "1.6");
    at(d, 4, 7);
    let d = find(&r, "R79", "/files/~1x/mode");
    assert_eq!(under(text, d), "644");
    at(d, 7, 26);
    assert!(!r.diagnostics.iter().any(|d| d.code == "R63"));
}

#[test]
fn multi_line_spans_render_on_their_first_line() {
    // A finding on a whole block mapping: the caret marks its first line
    // only, and the node ends with its last entry, not at the next item.
    let text = "option_settings:\n  - namespace: aws:autoscaling:asg\n    value: \"1\"\n  - option_name: B\n    value: \"2\"\n";
    let r = config(text);
    let d = find(&r, "R69", "/option_settings/0");
    at(d, 2, 5);
    assert_eq!((d.end_line, d.end_column), (3, 15));
    let out = human_report(&r, false);
    assert!(!out.contains("|_"), "{out}");
    insta::assert_snapshot!("multi_line_mapping", out);
}
