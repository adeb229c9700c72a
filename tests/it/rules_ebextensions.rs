//! `.ebextensions` rules (R61–R91): a failing and a passing case per rule,
//! with exact code, severity and pointer, plus snapshots of the rendered
//! diagnostics.

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
        "../fixtures/ebextensions/cases",
        "*.case",
        "ebextensions_cases",
        |path| Case::read(path).check()
    );
}

#[test]
fn r63_syntax_and_shape() {
    let r = run("commands:\n  a: [1\n");
    assert_eq!(r.diagnostics.len(), 1, "{}", describe(&r));
    assert_eq!(r.diagnostics[0].code, "R63");
    fires("just a string\n", "R63", E, "");
    fires("- a\n- b\n", "R63", E, "");
    fires("# only a comment\n", "R63", W, "");
    fires(
        "Resources:\n  Q:\n    Type: !Ref Foo\n",
        "R63",
        E,
        "/Resources/Q/Type",
    );
    // Nested aliases that would expand to 10^9 nodes: refused, not an OOM abort.
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let r = run(&bomb);
    assert_eq!(r.diagnostics.len(), 1, "{}", describe(&r));
    assert_eq!((r.diagnostics[0].code, r.diagnostics[0].line), ("R63", 5));
    quiet("commands:\n  a:\n    command: x\n", "R63");
    quiet("{\"commands\": {\"a\": {\"command\": \"x\"}}}", "R63");
    quiet("Resources:\n  Q:\n    Type: !!str AWS::SQS::Queue\n", "R63");
}

#[test]
fn r64_tabs_in_indentation() {
    let text = "commands:\n\t01_a:\n\t\tcommand: x\n";
    let r = run(text);
    assert!(
        r.diagnostics.iter().all(|d| d.code == "R64"),
        "{}",
        describe(&r)
    );
    let d = &r.diagnostics[0];
    assert_eq!((d.severity, d.line, d.column), (E, 2, 1));
    // A tab-only line in an otherwise valid file: between two sections, so
    // it belongs to the document, not to the mapping above it.
    fires("a:\n  b: 1\n\t\nc: 2\n", "R64", E, "");
    fires("a:\n  b: 1\n\t\n  c: 2\n", "R64", E, "/a");
    // Tabs inside a block scalar are content.
    quiet(
        "files:\n  /x:\n    content: |\n      a\tb\n      \tc\n",
        "R64",
    );
    quiet("commands:\n  a:\n    command: \"echo\ta\"\n", "R64");
}

#[test]
fn r66_duplicate_keys_at_every_level() {
    let top = "commands:\n  a:\n    command: x\ncommands:\n  b:\n    command: y\n";
    fires(top, "R66", E, "/commands");
    let r = run(top);
    let d = r.diagnostics.iter().find(|d| d.code == "R66").unwrap();
    assert_eq!((d.line, d.column), (4, 1));
    assert_eq!(d.labels[0].position.line, 1);
    fires(
        "files:\n  /x:\n    content: a\n    mode: \"000644\"\n    mode: \"000755\"\n",
        "R66",
        E,
        "/files/~1x/mode",
    );
    quiet(
        "commands:\n  a:\n    command: x\n  b:\n    command: x\n",
        "R66",
    );
}

#[test]
fn r67_top_level_keys() {
    let r = run("container-commands:\n  a:\n    command: x\n");
    let d = &r.diagnostics[0];
    assert_eq!((d.code, d.severity, d.line, d.column), ("R67", E, 1, 1));
    assert!(d.help.contains("container_commands"), "{}", d.help);
    fires("Commands: {}\n", "R67", E, "/Commands");
    quiet(
        "Parameters:\n  P:\n    Type: String\nMappings:\n  M:\n    a: {b: c}\n",
        "R67",
    );
}

#[test]
fn r69_option_settings_forms() {
    fires(
        "option_settings:\n  - name: FOO\n    value: \"1\"\n",
        "R69",
        E,
        "/option_settings/0/name",
    );
    fires(
        "option_settings:\n  - option_name: FOO\n",
        "R69",
        E,
        "/option_settings/0",
    );
    fires(
        "option_settings:\n  aws:elasticbeanstalk:application:environment:\n    - FOO: bar\n",
        "R69",
        E,
        "/option_settings/aws:elasticbeanstalk:application:environment",
    );
    fires("option_settings: 3\n", "R69", E, "/option_settings");
    fires(
        "option_settings:\n  aws:autoscaling:asg:\n    MinSize: [1, 2]\n",
        "R69",
        E,
        "/option_settings/aws:autoscaling:asg/MinSize",
    );
    quiet(
        "option_settings:\n  - namespace: aws:autoscaling:asg\n    option_name: MinSize\n    value: \"1\"\n  - option_name: FOO\n    value: bar\n",
        "R69",
    );
    quiet(
        "option_settings:\n  aws:elasticbeanstalk:healthreporting:system:\n    ConfigDocument:\n      Version: 1\n      Rules: {}\n",
        "R69",
    );
}

#[test]
fn r70_namespaces() {
    fires(
        "option_settings:\n  aws:elasticbeanstalk:enviroment:\n    ServiceRole: r\n",
        "R70",
        W,
        "/option_settings/aws:elasticbeanstalk:enviroment",
    );
    fires(
        "option_settings:\n  aws:autoscaling:asg:\n    Min Size: \"1\"\n",
        "R70",
        W,
        "/option_settings/aws:autoscaling:asg/Min Size",
    );
    quiet(
        "option_settings:\n  aws:elbv2:listener:443:\n    Protocol: HTTPS\n  aws:elasticbeanstalk:environment:process:default:\n    HealthCheckPath: /\n  aws:elasticbeanstalk:application:\n    Application Healthcheck URL: /\n",
        "R70",
    );
}

#[test]
fn r71_environment_properties() {
    let ns = "option_settings:\n  aws:elasticbeanstalk:application:environment:\n";
    fires(
        &format!("{ns}    \"BAD KEY!\": x\n"),
        "R71",
        E,
        "/option_settings/aws:elasticbeanstalk:application:environment/BAD KEY!",
    );
    fires(
        &format!("{ns}    lower_case: x\n"),
        "R71",
        W,
        "/option_settings/aws:elasticbeanstalk:application:environment/lower_case",
    );
    fires(
        &format!("{ns}    HOSTS: \"a,b\"\n"),
        "R71",
        W,
        "/option_settings/aws:elasticbeanstalk:application:environment/HOSTS",
    );
    fires(
        &format!("{ns}    LONG: \"{}\"\n", "a".repeat(257)),
        "R71",
        E,
        "/option_settings/aws:elasticbeanstalk:application:environment/LONG",
    );
    let many: String = (0..20)
        .map(|i| format!("    K{i}: \"{}\"\n", "v".repeat(250)))
        .collect();
    fires(&format!("{ns}{many}"), "R71", E, "/option_settings");
    quiet(
        &format!(
            "{ns}    DATABASE_URL: \"postgres://u@h:5432/db\"\n    REF: '`{{\"Ref\": \"X\"}}`'\n"
        ),
        "R71",
    );
}

#[test]
fn r72_yaml11_typing() {
    let ns = "option_settings:\n  aws:elasticbeanstalk:application:environment:\n";
    for v in ["yes", "off", "0755", "1e3", "~", "1:30"] {
        fires(
            &format!("{ns}    V: {v}\n"),
            "R72",
            W,
            "/option_settings/aws:elasticbeanstalk:application:environment/V",
        );
    }
    fires(
        "option_settings:\n  - option_name: V\n    value: on\n",
        "R72",
        W,
        "/option_settings/0/value",
    );
    quiet(
        &format!("{ns}    A: \"yes\"\n    B: \"0755\"\n    C: 8080\n    D: plain text\n"),
        "R72",
    );
}

#[test]
fn r74_plaintext_secrets() {
    let ns = "option_settings:\n  aws:elasticbeanstalk:application:environment:\n";
    fires(
        &format!("{ns}    DB_PASSWORD: hunter2\n"),
        "R74",
        W,
        "/option_settings/aws:elasticbeanstalk:application:environment/DB_PASSWORD",
    );
    quiet(
        &format!("{ns}    DB_PASSWORD: \"{{{{resolve:ssm:/app/db:1}}}}\"\n"),
        "R74",
    );
}

#[test]
fn r75_packages() {
    fires(
        "packages:\n  apt:\n    curl: []\n",
        "R75",
        E,
        "/packages/apt",
    );
    fires(
        "packages:\n  rpm:\n    epel: pkgs/epel.rpm\n",
        "R75",
        E,
        "/packages/rpm/epel",
    );
    fires(
        "packages:\n  python:\n    boto: []\n",
        "R75",
        W,
        "/packages/python",
    );
    fires(
        "packages:\n  yum:\n    git: 2.40\n",
        "R72",
        W,
        "/packages/yum/git",
    );
    quiet(
        "packages:\n  yum:\n    git: []\n    jq: \"1.6\"\n    x: [\"1\", \"2\"]\n  rpm:\n    epel: https://x/epel.rpm\n",
        "R75",
    );
}

#[test]
fn r76_groups_and_users() {
    fires("groups:\n  g:\n    gid: abc\n", "R76", E, "/groups/g/gid");
    fires("groups:\n  g:\n    id: \"1\"\n", "R76", E, "/groups/g/id");
    fires("users:\n  u:\n    uid: x\n", "R76", E, "/users/u/uid");
    fires("users:\n  u:\n    groups: g\n", "R76", E, "/users/u/groups");
    fires(
        "users:\n  u:\n    shell: /bin/sh\n",
        "R76",
        E,
        "/users/u/shell",
    );
    quiet(
        "groups:\n  a: {}\n  b:\n    gid: \"45\"\nusers:\n  u:\n    groups: [a]\n    uid: \"50\"\n    homeDir: /home/u\n",
        "R76",
    );
}

#[test]
fn r77_sources() {
    fires(
        "sources:\n  opt/x: https://x/a.tgz\n",
        "R77",
        E,
        "/sources/opt~1x",
    );
    fires("sources:\n  /opt/x: a.tgz\n", "R77", W, "/sources/~1opt~1x");
    fires("sources:\n  /opt/x: [a]\n", "R77", E, "/sources/~1opt~1x");
    quiet("sources:\n  /opt/x: https://x/a.tar.gz\n", "R77");
}

#[test]
fn r78_files() {
    fires(
        "files:\n  etc/x:\n    content: a\n",
        "R78",
        E,
        "/files/etc~1x",
    );
    fires(
        "files:\n  /x:\n    content: a\n    source: https://x\n",
        "R78",
        E,
        "/files/~1x/source",
    );
    fires(
        "files:\n  /x:\n    mode: \"000644\"\n",
        "R78",
        E,
        "/files/~1x",
    );
    fires(
        "files:\n  /x:\n    content: a\n    encoding: utf8\n",
        "R78",
        E,
        "/files/~1x/encoding",
    );
    fires(
        "files:\n  /x:\n    content: a\n    contents: b\n",
        "R78",
        E,
        "/files/~1x/contents",
    );
    fires("files:\n  /x: hello\n", "R78", E, "/files/~1x");
    fires(
        "files:\n  C:\\\\x.ps1:\n    content: a\n",
        "R78",
        W,
        "/files/C:\\\\x.ps1",
    );
    quiet(
        "files:\n  /x:\n    content: a\n    encoding: base64\n  /y:\n    source: { \"Ref\": \"Url\" }\n",
        "R78",
    );
}

#[test]
fn r79_mode_quoted_six_digits() {
    fires(
        "files:\n  /x:\n    content: a\n    mode: 000755\n",
        "R79",
        E,
        "/files/~1x/mode",
    );
    fires(
        "files:\n  /x:\n    content: a\n    mode: 755\n",
        "R79",
        E,
        "/files/~1x/mode",
    );
    fires(
        "files:\n  /x:\n    content: a\n    mode: \"rwx\"\n",
        "R79",
        E,
        "/files/~1x/mode",
    );
    // Short quoted octal works (AWS's own samples use "0644") but is not the documented form.
    fires(
        "files:\n  /x:\n    content: a\n    mode: \"755\"\n",
        "R79",
        W,
        "/files/~1x/mode",
    );
    let r = run("files:\n  /x:\n    content: a\n    mode: 000755\n");
    let d = r.diagnostics.iter().find(|d| d.code == "R79").unwrap();
    assert_eq!((d.line, d.column), (4, 11));
    assert!(d.help.contains("mode: \"000755\""), "{}", d.help);
    quiet(
        "files:\n  /x:\n    content: a\n    mode: \"000755\"\n  /l:\n    content: /x\n    mode: '120777'\n",
        "R79",
    );
}

#[test]
fn r80_scripts_need_execute_bits() {
    fires(
        "files:\n  /x.sh:\n    mode: \"000644\"\n    content: |\n      #!/bin/sh\n",
        "R80",
        W,
        "/files/~1x.sh/mode",
    );
    fires(
        "files:\n  /x.sh:\n    content: |\n      #!/bin/sh\n",
        "R80",
        W,
        "/files/~1x.sh/content",
    );
    quiet(
        "files:\n  /x.sh:\n    mode: \"000755\"\n    content: |\n      #!/bin/sh\n",
        "R80",
    );
}

#[test]
fn r81_authentication_single_file() {
    fires(
        "files:\n  /x:\n    source: https://b.s3.amazonaws.com/k\n    authentication: S3Auth\n",
        "R81",
        W,
        "/files/~1x/authentication",
    );
    quiet(
        "files:\n  /x:\n    source: https://b.s3.amazonaws.com/k\n    authentication: S3Auth\nResources:\n  AWSEBAutoScalingGroup:\n    Metadata:\n      AWS::CloudFormation::Authentication:\n        S3Auth: {type: S3}\n",
        "R81",
    );
}

#[test]
fn r83_services() {
    fires(
        "services:\n  systemd:\n    nginx: {}\n",
        "R83",
        E,
        "/services/systemd",
    );
    fires(
        "services:\n  sysvinit:\n    nginx:\n      enabled: maybe\n",
        "R83",
        E,
        "/services/sysvinit/nginx/enabled",
    );
    fires(
        "services:\n  sysvinit:\n    nginx:\n      restart: true\n",
        "R83",
        E,
        "/services/sysvinit/nginx/restart",
    );
    fires(
        "services:\n  sysvinit:\n    nginx:\n      commands: [nope]\n",
        "R83",
        W,
        "/services/sysvinit/nginx/commands/0",
    );
    fires(
        "services:\n  sysvinit:\n    nginx:\n      files:\n        - /etc/nginx.conf\n        - [/etc/x]\n",
        "R83",
        E,
        "/services/sysvinit/nginx/files/1",
    );
    quiet(
        "commands:\n  a:\n    command: x\nservices:\n  sysvinit:\n    nginx:\n      enabled: true\n      files: [/etc/nginx.conf]\n      commands: [a]\n",
        "R83",
    );
}

#[test]
fn r84_command_entries() {
    fires(
        "commands:\n  a:\n    command: x\n    cmd: y\n",
        "R84",
        E,
        "/commands/a/cmd",
    );
    fires("commands:\n  a:\n    cwd: /\n", "R84", E, "/commands/a");
    fires(
        "container_commands:\n  a: echo hi\n",
        "R84",
        E,
        "/container_commands/a",
    );
    fires(
        "commands:\n  a:\n    command: {x: 1}\n",
        "R84",
        E,
        "/commands/a/command",
    );
    fires(
        "commands:\n  a:\n    command: x\n    waitAfterCompletion: 0\n",
        "R84",
        W,
        "/commands/a/waitAfterCompletion",
    );
    quiet(
        "commands:\n  a:\n    command: [\"/bin/echo\", \"hi\"]\n    cwd: /tmp\n    ignoreErrors: false\ncontainer_commands:\n  b:\n    command: |\n      echo one\n      echo two\n    leader_only: true\n",
        "R84",
    );
}

#[test]
fn r85_leader_only_under_commands() {
    fires(
        "commands:\n  migrate:\n    command: x\n    leader_only: true\n",
        "R85",
        E,
        "/commands/migrate/leader_only",
    );
    let r = run("commands:\n  migrate:\n    command: x\n    leader_only: true\n");
    assert_eq!((r.diagnostics[0].line, r.diagnostics[0].column), (4, 5));
    quiet(
        "container_commands:\n  migrate:\n    command: x\n    leader_only: true\n",
        "R85",
    );
}

#[test]
fn r86_leader_only_and_test() {
    fires(
        "container_commands:\n  a:\n    command: x\n    leader_only: true\n    test: \"[ -f /x ]\"\n",
        "R86",
        W,
        "/container_commands/a/test",
    );
    quiet(
        "container_commands:\n  a:\n    command: x\n    test: \"[ -f /x ]\"\n",
        "R86",
    );
}

#[test]
fn r87_types() {
    fires(
        "container_commands:\n  a:\n    command: x\n    env:\n      PORT: 8080\n",
        "R87",
        E,
        "/container_commands/a/env/PORT",
    );
    fires(
        "container_commands:\n  a:\n    command: x\n    leader_only: \"true\"\n",
        "R87",
        W,
        "/container_commands/a/leader_only",
    );
    fires(
        "commands:\n  a:\n    command: x\n    ignoreErrors: 1\n",
        "R87",
        E,
        "/commands/a/ignoreErrors",
    );
    fires(
        "commands:\n  a:\n    command: x\n    cwd: [a]\n",
        "R87",
        E,
        "/commands/a/cwd",
    );
    fires(
        "commands:\n  a:\n    command: x\n    env: [A=1]\n",
        "R87",
        E,
        "/commands/a/env",
    );
    quiet(
        "commands:\n  a:\n    command: x\n    env:\n      PORT: \"8080\"\n    ignoreErrors: true\n",
        "R87",
    );
}

#[test]
fn r88_env_replaces_path() {
    fires(
        "commands:\n  a:\n    command: python x.py\n    env:\n      A: \"1\"\n",
        "R88",
        W,
        "/commands/a/command",
    );
    quiet(
        "commands:\n  a:\n    command: /usr/bin/python x.py\n    env:\n      A: \"1\"\n",
        "R88",
    );
    quiet(
        "commands:\n  a:\n    command: python x.py\n    env:\n      PATH: /usr/bin\n",
        "R88",
    );
}

#[test]
fn r89_mixed_width_prefixes() {
    fires(
        "commands:\n  9_a:\n    command: x\n  10_b:\n    command: y\n",
        "R89",
        W,
        "/commands/10_b",
    );
    quiet(
        "commands:\n  09_a:\n    command: x\n  10_b:\n    command: y\n",
        "R89",
    );
}

#[test]
fn r91_resources_and_functions() {
    fires(
        "Resources:\n  Queue:\n    Properties: {}\n",
        "R91",
        E,
        "/Resources/Queue",
    );
    fires(
        "Resources:\n  Queue:\n    Type: [a]\n",
        "R91",
        E,
        "/Resources/Queue/Type",
    );
    fires(
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      Name:\n        Fn::Sub: x\n",
        "R91",
        W,
        "/Resources/Queue/Properties/Name/Fn::Sub",
    );
    fires(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      N:\n        Fn::GetOptionSetting:\n          DefaultValue: x\n",
        "R91",
        E,
        "/Resources/Q/Properties/N/Fn::GetOptionSetting",
    );
    fires(
        "Outputs:\n  O:\n    Description: x\n",
        "R91",
        E,
        "/Outputs/O",
    );
    quiet(
        "Resources:\n  AWSEBAutoScalingGroup:\n    Metadata:\n      x: 1\n  AWSEBSecurityGroup: { \"CmpFn::Remove\": {} }\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      N:\n        Fn::Join: [\"\", [{Ref: AWSEBEnvironmentName}, \"-q\"]]\nOutputs:\n  O:\n    Value: {\"Fn::GetAtt\": [Q, Arn]}\n    Export: {Name: x}\n",
        "R91",
    );
}

// ---- bundle-level rules -------------------------------------------------

fn write(root: &Path, name: &str, text: &str) {
    let p = root.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn run_dir(root: &Path) -> Report {
    validate::validate_path(root, &Options::default()).unwrap()
}

use crate::support::validation::DOCKERRUN;

fn has(r: &Report, code: &str, sev: Severity, file_suffix: &str) -> bool {
    r.diagnostics
        .iter()
        .any(|d| d.code == code && d.severity == sev && d.file.ends_with(file_suffix))
}

#[test]
fn r61_r62_placement_and_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Dockerrun.aws.json", DOCKERRUN);
    let ok = "commands:\n  a:\n    command: /bin/true\n";
    write(root, ".ebextensions/9_a.config", ok);
    write(root, ".ebextensions/10_b.config", ok);
    write(root, ".ebextensions/extra.yml", ok);
    write(root, "app/.ebextensions/x.config", ok);
    write(root, ".ebextensions/scripts/helper.config", ok);
    let r = run_dir(root);
    assert!(
        has(&r, "R61", W, ".ebextensions/extra.yml"),
        "{}",
        describe(&r)
    );
    assert!(
        has(&r, "R61", W, "app/.ebextensions/x.config"),
        "{}",
        describe(&r)
    );
    assert!(!has(&r, "R61", W, "helper.config"), "{}", describe(&r));
    assert!(
        has(&r, "R62", W, ".ebextensions/10_b.config"),
        "{}",
        describe(&r)
    );

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Dockerrun.aws.json", DOCKERRUN);
    write(root, ".ebextensions/01_a.config", ok);
    write(root, ".ebextensions/10_b.config", ok);
    let r = run_dir(root);
    assert!(
        !r.diagnostics
            .iter()
            .any(|d| d.code == "R61" || d.code == "R62"),
        "{}",
        describe(&r)
    );
}

#[test]
fn r81_authentication_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Dockerrun.aws.json", DOCKERRUN);
    write(
        root,
        ".ebextensions/01_auth.config",
        "Resources:\n  AWSEBAutoScalingGroup:\n    Metadata:\n      AWS::CloudFormation::Authentication:\n        S3Auth: {type: S3, buckets: [b]}\n",
    );
    write(
        root,
        ".ebextensions/02_files.config",
        "files:\n  /a:\n    source: https://b.s3.amazonaws.com/a\n    authentication: S3Auth\n  /b:\n    source: https://b.s3.amazonaws.com/b\n    authentication: Missing\n",
    );
    let r = run_dir(root);
    let r81: Vec<_> = r.diagnostics.iter().filter(|d| d.code == "R81").collect();
    assert_eq!(r81.len(), 1, "{}", describe(&r));
    assert_eq!(
        (r81[0].severity, r81[0].pointer.as_str()),
        (E, "/files/~1b/authentication")
    );
}

#[test]
fn r77_sources_sharing_a_target() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Dockerrun.aws.json", DOCKERRUN);
    write(
        root,
        ".ebextensions/01_a.config",
        "sources:\n  /opt/app: https://x/a.tar.gz\n",
    );
    write(
        root,
        ".ebextensions/02_b.config",
        "sources:\n  /opt/tools: https://x/t.zip\n  /opt/app/: https://x/b.tar.gz\n",
    );
    let r = run_dir(root);
    let hits: Vec<_> = r.diagnostics.iter().filter(|d| d.code == "R77").collect();
    assert_eq!(hits.len(), 1, "{}", describe(&r));
    assert_eq!(
        (hits[0].severity, hits[0].line, hits[0].column),
        (W, 3, 3),
        "{}",
        describe(&r)
    );
    assert!(hits[0].file.ends_with("02_b.config"));
    assert_eq!(hits[0].pointer, "/sources/~1opt~1app~1");
    // Passing: distinct targets.
    write(
        root,
        ".ebextensions/02_b.config",
        "sources:\n  /opt/tools: https://x/t.zip\n",
    );
    assert!(
        !run_dir(root).diagnostics.iter().any(|d| d.code == "R77"),
        "{}",
        describe(&run_dir(root))
    );
}

#[test]
fn r90_r92_commands_and_bundle_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Dockerrun.aws.json", DOCKERRUN);
    write(root, "scripts/setup.sh", "#!/bin/sh\r\necho hi\r\n");
    write(root, "scripts/ok.sh", "#!/bin/sh\necho hi\n");
    write(
        root,
        ".ebextensions/01.config",
        "container_commands:\n  01_setup:\n    command: bash scripts/setup.sh\n  02_ok:\n    command: sh ./scripts/ok.sh\n  03_env:\n    command: /opt/elasticbeanstalk/bin/get-config environment -k DB > /tmp/db\n",
    );
    let r = run_dir(root);
    let crlf: Vec<_> = r.diagnostics.iter().filter(|d| d.code == "R92").collect();
    assert_eq!(crlf.len(), 1, "{}", describe(&r));
    assert_eq!(crlf[0].pointer, "/container_commands/01_setup/command");
    assert!(has(&r, "R90", W, "01.config"), "{}", describe(&r));
    // With a confighook the logic also re-runs on configuration changes.
    write(
        root,
        ".platform/confighooks/predeploy/01_env.sh",
        "#!/bin/sh\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = root.join(".platform/confighooks/predeploy/01_env.sh");
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let r = run_dir(root);
    assert!(
        !r.diagnostics.iter().any(|d| d.code == "R90"),
        "{}",
        describe(&r)
    );
}

#[test]
fn never_panics_on_odd_shapes() {
    for text in [
        "option_settings: [1, [2], {a: [b]}, null]\n",
        "files: [1]\nfiles:\n  /x: [1]\n  /y: {mode: [1], content: {a: 1}, source: 1}\n",
        "commands: [x]\ncontainer_commands:\n  a: {command: null, env: {A: [1]}, leader_only: [1]}\n",
        "packages: {yum: [a], rpm: {x: {y: 1}}}\ngroups: [1]\nusers: {u: [1]}\nsources: 1\nservices: {sysvinit: [1]}\n",
        "Resources: [1]\nOutputs: {o: 1}\nParameters: 1\nMappings: {m: 1}\n",
        "? [a, b]\n: c\n",
        "a: &x {b: *x}\n",
        "\u{feff}option_settings:\n  é: ü\n",
        "",
        "\t",
        "---\n...\n",
    ] {
        let _ = run(text);
        let _ = run_on(text, Platform::McAl1);
    }
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
