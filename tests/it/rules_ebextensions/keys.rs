//! R63–R79: syntax, top-level keys, option settings, packages, users, sources, files.

use super::*;

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
fn r63_json_form_configs_are_read_as_json() {
    // Tabs are JSON whitespace: a JSON config indented with tabs is clean.
    let text = "{\n\t\"commands\": {\n\t\t\"a\": {\n\t\t\t\"command\": \"x\"\n\t\t}\n\t}\n}\n";
    let r = run(text);
    assert!(r.diagnostics.is_empty(), "{}", describe(&r));
    // Whitespace (tabs too) before the `{` still makes it JSON.
    let r = run(&format!("\n\t {text}"));
    assert!(r.diagnostics.is_empty(), "{}", describe(&r));
    // A YAML flow mapping also starts with `{`: it is read as YAML when it
    // is not JSON.
    quiet("{commands: {a: {command: x}}}\n", "R63");
    // JSON findings keep their rules: `leader_only` under `commands`.
    fires(
        "{\n\t\"commands\": {\"a\": {\"command\": \"x\", \"leader_only\": true}}\n}\n",
        "R85",
        E,
        "/commands/a/leader_only",
    );
    // Neither JSON (trailing comma) nor YAML (tabs): one JSON error.
    let r = run("{\n\t\"commands\": {\n\t\t\"a\": {\"command\": \"x\"},\n\t}\n}\n");
    assert_eq!(r.diagnostics.len(), 1, "{}", describe(&r));
    let d = &r.diagnostics[0];
    assert_eq!((d.code, d.severity, d.line), ("R63", E, 3));
    assert!(d.message.starts_with("invalid JSON"), "{}", d.message);
    assert!(d.help.contains("tab"), "{}", d.help);
    // A comment before the `{` is YAML (JSON has none): tabs are R64 there.
    fires("# settings\n{\n\t\"commands\": {}\n}\n", "R64", E, "");
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
    // One cause, one finding: every tab-indented line of a file gives a
    // single R64 at the first, counting the others.
    let r = run("commands:\n\t01_a:\n\t\tcommand: x\n\t02_b:\n\t\tcommand: y\n");
    assert_eq!(r.diagnostics.len(), 1, "{}", describe(&r));
    let d = &r.diagnostics[0];
    assert_eq!((d.code, d.line, d.column), ("R64", 2, 1));
    assert!(
        d.message.ends_with("(and on 3 more lines)"),
        "{}",
        d.message
    );
    // The same in a file that parses (tab-only lines).
    let r = run(
        "commands:\n  a:\n    command: x\n\t\n  b:\n    command: y\n\t\n  c:\n    command: z\n",
    );
    assert_eq!(r.diagnostics.len(), 1, "{}", describe(&r));
    let d = &r.diagnostics[0];
    assert_eq!(
        (d.code, d.line, d.pointer.as_str()),
        ("R64", 4, "/commands")
    );
    assert!(d.message.ends_with("(and on 1 more line)"), "{}", d.message);
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
    // The same value twice: nothing is lost, a warning. However it is
    // written (quotes, flow or block style), the loaded value decides.
    let same = "packages:\n  yum:\n    git: []\n    jq: [\"1.6\"]\n    jq:\n      - '1.6'\n";
    fires(same, "R66", W, "/packages/yum/jq");
    let r = run(same);
    let d = r.diagnostics.iter().find(|d| d.code == "R66").unwrap();
    assert_eq!((d.line, d.column, d.labels[0].position.line), (5, 5, 4));
    // A different value is lost: an error.
    fires(
        "packages:\n  yum:\n    jq: [\"1.5\"]\n    jq: [\"1.6\"]\n",
        "R66",
        E,
        "/packages/yum/jq",
    );
    // Three times, the last one different: the second is a harmless
    // repeat, the third loses the first two.
    let r = run("packages:\n  yum:\n    jq: []\n    jq: []\n    jq: [\"1.6\"]\n");
    let sev: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == "R66")
        .map(|d| (d.line, d.severity))
        .collect();
    assert_eq!(sev, vec![(4, W), (5, E)], "{}", describe(&r));
    // Top-level sections with the same content: EB keeps one, nothing lost.
    fires(
        "commands:\n  a:\n    command: x\ncommands:\n  a:\n    command: x\n",
        "R66",
        W,
        "/commands",
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
    // Every CloudFormation template section: EB merges the config into the
    // environment's template. A `Conditions` section as in the EB CLI's
    // `cwl-setup-v1.config` gives no finding at all.
    for key in [
        "Conditions",
        "Metadata",
        "Description",
        "AWSTemplateFormatVersion",
        "Transform",
        "Outputs",
        "Mappings",
        "Parameters",
    ] {
        quiet(&format!("{key}: {{}}\n"), "R67");
    }
    let cwl = "Conditions:\n  TopicSet : { \"Fn::Not\" : [{ \"Fn::Equals\" : [ \"\", {\"Fn::FindInMap\" : [\"AWSEBOptions\", \"options\", \"EBSNSTopicArn\"]}]}]}\nOutputs:\n  TopicArn:\n    Value: { \"Fn::FindInMap\": [\"AWSEBOptions\", \"options\", \"EBSNSTopicArn\"] }\n";
    let r = run(cwl);
    assert!(r.diagnostics.is_empty(), "{}", describe(&r));
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
fn r70_option_names_come_from_the_documented_table() {
    // Documented for aws:autoscaling:asg, with spaces.
    quiet(
        "option_settings:\n  aws:autoscaling:asg:\n    Availability Zones: Any\n    Custom Availability Zones: us-east-1a\n",
        "R70",
    );
    // Scheduled actions: the `ResourceName.namespace` shorthand and `resource_name`.
    quiet(
        "option_settings:\n  MyAction.aws:autoscaling:scheduledaction:\n    MinSize: \"1\"\n",
        "R70",
    );
    quiet(
        "option_settings:\n  - namespace: aws:autoscaling:scheduledaction\n    resource_name: MyAction\n    option_name: StartTime\n    value: \"2030-01-01T00:00:00Z\"\n",
        "R70",
    );
    // Per-resource namespaces match as patterns.
    quiet(
        "option_settings:\n  aws:elbv2:listener:8443:\n    SSLPolicy: p\n  aws:elb:policies:mypolicy:\n    ProxyProtocol: \"true\"\n  aws:elasticbeanstalk:environment:process:api:\n    Port: \"8080\"\n",
        "R70",
    );
    // User-named options.
    quiet(
        "option_settings:\n  aws:elasticbeanstalk:customoption:\n    WebRequestCWLogGroup: g\n  aws:elasticbeanstalk:container:tomcat:jvmoptions:\n    Xss: 1m\n",
        "R70",
    );
    let first_r70 = |text: &str| {
        let r = run(text);
        r.diagnostics
            .into_iter()
            .find(|d| d.code == "R70")
            .unwrap_or_else(|| panic!("no R70 for\n{text}"))
    };
    let typo = first_r70("option_settings:\n  aws:autoscaling:asg:\n    MinSise: \"1\"\n");
    assert_eq!(typo.severity, W);
    assert_eq!(
        typo.message,
        "option `MinSise` is not documented for `aws:autoscaling:asg`; EB rejects unknown options (`Unknown configuration setting`)"
    );
    assert_eq!(typo.help, "did you mean `MinSize`?");
    // Documented in another namespace: say which.
    let moved = first_r70(
        "option_settings:\n  aws:autoscaling:launchconfiguration:\n    InstanceTypes: t3.micro\n",
    );
    assert_eq!(
        moved.help,
        "`InstanceTypes` is an option of `aws:ec2:instances`; move it there"
    );
    let listener = first_r70("option_settings:\n  aws:elbv2:listner:443:\n    Protocol: HTTPS\n");
    assert_eq!(listener.help, "did you mean `aws:elbv2:listener:443`?");
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
    // Shell variable names are `[A-Za-z_][A-Za-z0-9_]*`, in any case.
    fires(
        &format!("{ns}    my-var: x\n"),
        "R71",
        W,
        "/option_settings/aws:elasticbeanstalk:application:environment/my-var",
    );
    quiet(
        &format!("{ns}    WebRequestCWLogGroup: x\n    lower_case: y\n"),
        "R71",
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
