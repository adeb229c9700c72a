//! R80–R91: scripts, authentication, services, commands, container commands, resources.

use super::*;

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
    // The other template sections keep CloudFormation's shapes.
    fires(
        "Parameters:\n  P:\n    Default: x\n",
        "R91",
        E,
        "/Parameters/P",
    );
    fires(
        "Parameters:\n  P:\n    Type: String\n",
        "R91",
        W,
        "/Parameters/P",
    );
    fires(
        "Mappings:\n  M:\n    us-east-1: ami-1\n",
        "R91",
        E,
        "/Mappings/M/us-east-1",
    );
    fires("Conditions:\n  C: yes\n", "R91", E, "/Conditions/C");
    fires(
        "Conditions:\n  C: {\"Fn::Equals\": [a]}\n",
        "R91",
        E,
        "/Conditions/C/Fn::Equals",
    );
    fires(
        "AWSTemplateFormatVersion: \"2010-09-10\"\n",
        "R91",
        W,
        "/AWSTemplateFormatVersion",
    );
    fires("Description: [x]\n", "R91", W, "/Description");
    // A condition no config defines: a warning (EB merges all configs,
    // so it may be defined in another file of the bundle).
    fires(
        "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Condition: Missing\n",
        "R91",
        W,
        "/Resources/T/Condition",
    );
    quiet(
        "Conditions:\n  C: {\"Fn::Equals\": [a, b]}\n  D: {\"Fn::Not\": [{Condition: C}]}\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Condition: D\n    Properties:\n      TopicName: {\"Fn::If\": [C, a, {Ref: \"AWS::NoValue\"}]}\nAWSTemplateFormatVersion: \"2010-09-09\"\nTransform: [AWS::LanguageExtensions]\n",
        "R91",
    );
    quiet(
        "Resources:\n  AWSEBAutoScalingGroup:\n    Metadata:\n      x: 1\n  AWSEBSecurityGroup: { \"CmpFn::Remove\": {} }\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      N:\n        Fn::Join: [\"\", [{Ref: AWSEBEnvironmentName}, \"-q\"]]\nOutputs:\n  O:\n    Value: {\"Fn::GetAtt\": [Q, Arn]}\n    Export: {Name: x}\n",
        "R91",
    );
}
