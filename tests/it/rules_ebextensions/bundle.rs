//! Rules that need the whole bundle: placement and order of configs, authentication and sources across files, bundle scripts; odd shapes never panic.

use super::*;

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
fn r91_conditions_defined_in_another_config() {
    // EB merges every config into one template: `Fn::If` may name a
    // condition that another config of the bundle defines.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Dockerrun.aws.json", DOCKERRUN);
    write(
        root,
        ".ebextensions/01_setup.config",
        "Conditions:\n  TopicSet: {\"Fn::Not\": [{\"Fn::Equals\": [\"\", \"x\"]}]}\n",
    );
    let alarm = "Resources:\n  A:\n    Type: AWS::CloudWatch::Alarm\n    Properties:\n      AlarmActions:\n        - \"Fn::If\": [TopicSet, x, {Ref: \"AWS::NoValue\"}]\n        - \"Fn::If\": [TopicUnset, x, y]\n";
    write(root, ".ebextensions/02_alarm.config", alarm);
    let r = run_dir(root);
    let r91: Vec<_> = r.diagnostics.iter().filter(|d| d.code == "R91").collect();
    assert_eq!(r91.len(), 1, "{}", describe(&r));
    assert_eq!(r91[0].severity, W);
    assert!(
        r91[0]
            .message
            .contains("`TopicUnset` is not defined in any configuration file of the bundle"),
        "{}",
        r91[0].message
    );
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
