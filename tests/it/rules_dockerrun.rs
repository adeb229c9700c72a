//! Dockerrun rules (R1–R4, R15–R60): for every rule a failing input that
//! fires it (exact code, severity and JSON pointer) and a passing input
//! that does not; snapshots of the rendered diagnostics.

use ebpack::diag::render;
use ebpack::diag::{Report, Severity};
use ebpack::validate::{self, Options, Platform};
use std::path::Path;

const ECS: Platform = Platform::EcsAl2;
const MC: Platform = Platform::McAl1;
const DOCKER: Platform = Platform::DockerAl2;

use crate::support::validation::{bundle, options as opts};

/// Validates one Dockerrun text on its own (no bundle).
fn file(text: &str, options: &Options) -> Report {
    crate::support::validation::dockerrun("Dockerrun.aws.json", text.as_bytes(), options)
}

/// A v2 document with `containers` (JSON array items) and optional extras.
fn v2(containers: &str) -> String {
    format!(r#"{{"AWSEBDockerrunVersion":2,"containerDefinitions":[{containers}]}}"#)
}

fn v2x(extra: &str, containers: &str) -> String {
    format!(r#"{{"AWSEBDockerrunVersion":2,{extra},"containerDefinitions":[{containers}]}}"#)
}

/// A valid container named `name` with extra fields.
fn c(name: &str, extra: &str) -> String {
    let sep = if extra.is_empty() { "" } else { "," };
    format!(r#"{{"name":"{name}","image":"nginx:1.25","memoryReservation":128{sep}{extra}}}"#)
}

const WEB: &str = r#"{"name":"web","image":"nginx:1.25","memoryReservation":128,"portMappings":[{"hostPort":80,"containerPort":80}]}"#;

fn fired(report: &Report, code: &str) -> Vec<(Severity, String)> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .map(|d| (d.severity, d.pointer.clone()))
        .collect()
}

#[track_caller]
fn assert_fires(report: &Report, code: &str, severity: Severity, pointer: &str) {
    let got = fired(report, code);
    assert!(
        got.iter().any(|(s, p)| *s == severity && p == pointer),
        "expected {code} {severity:?} at `{pointer}`, got {got:?}\nall: {:#?}",
        report
            .diagnostics
            .iter()
            .map(|d| (d.code, d.severity, &d.pointer, &d.message))
            .collect::<Vec<_>>()
    );
}

#[track_caller]
fn assert_silent(report: &Report, code: &str) {
    let got = fired(report, code);
    assert!(
        got.is_empty(),
        "expected no {code}, got {:#?}",
        report
            .diagnostics
            .iter()
            .filter(|d| d.code == code)
            .map(|d| (&d.pointer, &d.message))
            .collect::<Vec<_>>()
    );
}

struct Case {
    code: &'static str,
    severity: Severity,
    pointer: &'static str,
    fail: String,
    pass: String,
    platform: Platform,
}

fn case(
    code: &'static str,
    severity: Severity,
    pointer: &'static str,
    fail: impl Into<String>,
    pass: impl Into<String>,
) -> Case {
    Case {
        code,
        severity,
        pointer,
        fail: fail.into(),
        pass: pass.into(),
        platform: ECS,
    }
}

fn on(mut c: Case, platform: Platform) -> Case {
    c.platform = platform;
    c
}

use Severity::{Error as E, Warning as W};

fn file_cases() -> Vec<Case> {
    let good = v2(WEB);
    let v1 = r#"{"AWSEBDockerrunVersion":"1","Image":{"Name":"nginx:1.25","Update":"true"},"Ports":[{"ContainerPort":"80"}]}"#;
    let role = r#""executionRoleArn":"arn:aws:iam::123456789012:role/ecsTaskExecutionRole""#;
    let eleven: Vec<String> = (0..11).map(|i| c(&format!("c{i}"), "")).collect();
    let ten: Vec<String> = (0..10).map(|i| c(&format!("c{i}"), "")).collect();
    vec![
        // R1: version vs platform.
        on(
            case("R1", E, "/AWSEBDockerrunVersion", v1, good.clone()),
            ECS,
        ),
        on(
            case("R1", E, "/AWSEBDockerrunVersion", good.clone(), v1),
            DOCKER,
        ),
        on(
            case(
                "R1",
                E,
                "/AWSEBDockerrunVersion",
                r#"{"AWSEBDockerrunVersion":"3"}"#,
                good.clone(),
            ),
            MC,
        ),
        // R15: JSON object.
        case("R15", E, "", "[1, 2]", good.clone()),
        case(
            "R15",
            E,
            "",
            r#"{"AWSEBDockerrunVersion": 2,}"#,
            good.clone(),
        ),
        case(
            "R15",
            E,
            "/AWSEBDockerrunVersion",
            format!(
                r#"{{"AWSEBDockerrunVersion":2,"AWSEBDockerrunVersion":2,"containerDefinitions":[{WEB}]}}"#
            ),
            good.clone(),
        ),
        // R16: version value.
        case(
            "R16",
            W,
            "/AWSEBDockerrunVersion",
            format!(r#"{{"AWSEBDockerrunVersion":"2","containerDefinitions":[{WEB}]}}"#),
            good.clone(),
        ),
        case(
            "R16",
            E,
            "",
            format!(r#"{{"containerDefinitions":[{WEB}]}}"#),
            good.clone(),
        ),
        case(
            "R16",
            E,
            "/AWSEBDockerrunVersion",
            format!(r#"{{"AWSEBDockerrunVersion":"2.0","containerDefinitions":[{WEB}]}}"#),
            good.clone(),
        ),
        case(
            "R16",
            E,
            "/AWSDockerrunVersion",
            format!(r#"{{"AWSDockerrunVersion":2,"containerDefinitions":[{WEB}]}}"#),
            good.clone(),
        ),
        // R17: top-level keys.
        case("R17", E, "", r#"{"AWSEBDockerrunVersion":2}"#, good.clone()),
        case(
            "R17",
            W,
            "/containerDefintions",
            format!(
                r#"{{"AWSEBDockerrunVersion":2,"containerDefintions":[{WEB}],"containerDefinitions":[{WEB}]}}"#
            ),
            good.clone(),
        ),
        case(
            "R17",
            W,
            "/localContainerDefinitions",
            v2x(r#""localContainerDefinitions":[]"#, WEB),
            good.clone(),
        ),
        case(
            "R17",
            E,
            "/Authentication",
            v2x(r#""Authentication":{"bucket":"b","key":"k"}"#, WEB),
            good.clone(),
        ),
        case(
            "R17",
            W,
            "/family",
            v2x(r#""family":"""#, WEB),
            good.clone(),
        ),
        case(
            "R17",
            E,
            "/containerDefinitions",
            r#"{"AWSEBDockerrunVersion":2,"containerDefinitions":{}}"#,
            good.clone(),
        ),
        // R18: authentication.
        case(
            "R18",
            E,
            "/authentication",
            v2x(r#""authentication":{"bucket":"my-bucket"}"#, WEB),
            v2x(
                r#""authentication":{"bucket":"my-bucket","key":"docker/cfg"}"#,
                WEB,
            ),
        ),
        case(
            "R18",
            E,
            "/authentication/bucket",
            v2x(r#""authentication":{"bucket":"s3://B","key":"k"}"#, WEB),
            good.clone(),
        ),
        // R19: execution role.
        case(
            "R19",
            W,
            "/executionRoleArn",
            v2x(r#""executionRoleArn":"ecsTaskExecutionRole""#, WEB),
            v2x(role, WEB),
        ),
        case(
            "R19",
            E,
            "/containerDefinitions/0/secrets",
            v2(&c(
                "web",
                r#""secrets":[{"name":"DB_PASSWORD","valueFrom":"arn:aws:ssm:us-east-1:123456789012:parameter/db"}]"#,
            )),
            v2x(
                role,
                &c(
                    "web",
                    r#""secrets":[{"name":"DB_PASSWORD","valueFrom":"arn:aws:ssm:us-east-1:123456789012:parameter/db"}]"#,
                ),
            ),
        ),
        // R20: 1..=10 containers.
        case("R20", E, "/containerDefinitions", v2(""), good.clone()),
        case(
            "R20",
            E,
            "/containerDefinitions/10",
            v2(&eleven.join(",")),
            v2(&ten.join(",")),
        ),
        // R21: unknown container keys.
        case(
            "R21",
            E,
            "/containerDefinitions/0/memmory",
            v2(r#"{"name":"web","image":"nginx:1","memoryReservation":64,"memmory":64}"#),
            good.clone(),
        ),
        case(
            "R21",
            E,
            "/containerDefinitions/0/depends_on",
            v2(&c("web", r#""depends_on":["db"]"#)),
            good.clone(),
        ),
        // R22: names.
        case(
            "R22",
            E,
            "/containerDefinitions/0/name",
            v2(&c("web app", "")),
            good.clone(),
        ),
        case(
            "R22",
            E,
            "/containerDefinitions/0/name",
            v2(&c("nginx.proxy", "")),
            v2(&c("nginx-proxy_1", "")),
        ),
        case(
            "R22",
            E,
            "/containerDefinitions/0",
            v2(r#"{"image":"nginx:1","memory":64}"#),
            good.clone(),
        ),
        // R23: unique names.
        case(
            "R23",
            E,
            "/containerDefinitions/1/name",
            v2(&format!("{},{}", c("web", ""), c("web", ""))),
            v2(&format!("{},{}", c("web", ""), c("db", ""))),
        ),
        // R24: image references.
        case(
            "R24",
            E,
            "/containerDefinitions/0/image",
            v2(r#"{"name":"web","image":"MyOrg/App:1.0","memory":64}"#),
            good.clone(),
        ),
        case(
            "R24",
            E,
            "/containerDefinitions/0/image",
            v2(r#"{"name":"web","image":"repo/app:${TAG}","memory":64}"#),
            good.clone(),
        ),
        case(
            "R24",
            E,
            "/containerDefinitions/0",
            v2(r#"{"name":"web","memory":64}"#),
            good.clone(),
        ),
        case(
            "R24",
            W,
            "/containerDefinitions/0/image",
            v2(r#"{"name":"web","image":"nginx","memory":64}"#),
            v2(
                r#"{"name":"web","image":"nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","memory":64}"#,
            ),
        ),
        // R25: memory present.
        case(
            "R25",
            E,
            "/containerDefinitions/0",
            v2(
                r#"{"name":"client","image":"x/multi-client:1","essential":false},{"name":"web","image":"nginx:1","memory":64}"#,
            ),
            good.clone(),
        ),
        // R26: memory types and order.
        case(
            "R26",
            E,
            "/containerDefinitions/0/memoryReservation",
            v2(r#"{"name":"web","image":"nginx:1","memoryReservation":"64"}"#),
            good.clone(),
        ),
        case(
            "R26",
            E,
            "/containerDefinitions/0/memory",
            v2(r#"{"name":"web","image":"nginx:1","memory":100,"memoryReservation":200}"#),
            v2(r#"{"name":"web","image":"nginx:1","memory":200,"memoryReservation":200}"#),
        ),
        case(
            "R26",
            E,
            "/containerDefinitions/0/memory",
            v2(r#"{"name":"web","image":"nginx:1","memory":0}"#),
            good.clone(),
        ),
        // R27: Docker's 6 MiB minimum, per platform.
        case(
            "R27",
            E,
            "/containerDefinitions/1/memoryReservation",
            v2(&format!(
                r#"{WEB},{{"name":"collectstatic","image":"app:1","essential":false,"memoryReservation":5}}"#
            )),
            v2(&format!(
                r#"{WEB},{{"name":"collectstatic","image":"app:1","essential":false,"memoryReservation":6}}"#
            )),
        ),
        on(
            case(
                "R27",
                W,
                "/containerDefinitions/0/memory",
                v2(r#"{"name":"web","image":"nginx:1","memory":4}"#),
                good.clone(),
            ),
            MC,
        ),
        // R29: cpu.
        case(
            "R29",
            E,
            "/containerDefinitions/0/cpu",
            v2(&c("web", r#""cpu":-1"#)),
            v2(&c("web", r#""cpu":0"#)),
        ),
        case(
            "R29",
            E,
            "/containerDefinitions/0/cpu",
            v2(&c("web", r#""cpu":"256""#)),
            v2(&c("web", r#""cpu":256"#)),
        ),
        // R30: essential.
        case(
            "R30",
            E,
            "/containerDefinitions/0/essential",
            v2(&c("web", r#""essential":false"#)),
            v2(&c("web", r#""essential":true"#)),
        ),
        case(
            "R30",
            W,
            "/containerDefinitions/0/essential",
            v2(&c("web", r#""essential":"true""#)),
            good.clone(),
        ),
        case(
            "R30",
            E,
            "/containerDefinitions/0/essential",
            v2(&c("web", r#""essential":"yes""#)),
            good.clone(),
        ),
        // R31: port mappings.
        case(
            "R31",
            E,
            "/containerDefinitions/0/portMappings/0/containerPort",
            v2(&c("web", r#""portMappings":[{"containerPort":"80"}]"#)),
            v2(&c("web", r#""portMappings":[{"containerPort":80}]"#)),
        ),
        case(
            "R31",
            E,
            "/containerDefinitions/0/portMappings/0/protocol",
            v2(&c(
                "web",
                r#""portMappings":[{"containerPort":80,"protocol":"TCP"}]"#,
            )),
            v2(&c(
                "web",
                r#""portMappings":[{"containerPort":80,"protocol":"udp"}]"#,
            )),
        ),
        case(
            "R31",
            E,
            "/containerDefinitions/0/portMappings/0/hostPort",
            v2(&c(
                "web",
                r#""portMappings":[{"containerPort":80,"hostPort":70000}]"#,
            )),
            good.clone(),
        ),
        case(
            "R31",
            E,
            "/containerDefinitions/0/portMappings/0",
            v2(&c("web", r#""portMappings":[{"hostPort":80}]"#)),
            good.clone(),
        ),
        case(
            "R31",
            E,
            "/containerDefinitions/0/portMappings/0/ContainerPort",
            v2(&c(
                "web",
                r#""portMappings":[{"ContainerPort":80,"containerPort":80}]"#,
            )),
            good.clone(),
        ),
        // R32: host ports across containers, container ports within one.
        case(
            "R32",
            E,
            "/containerDefinitions/1/portMappings/0/hostPort",
            v2(&format!(
                r#"{WEB},{}"#,
                c(
                    "api",
                    r#""portMappings":[{"hostPort":80,"containerPort":8000}]"#
                )
            )),
            v2(&format!(
                r#"{WEB},{}"#,
                c(
                    "api",
                    r#""portMappings":[{"hostPort":80,"containerPort":8000,"protocol":"udp"}]"#
                )
            )),
        ),
        case(
            "R32",
            E,
            "/containerDefinitions/0/portMappings/1/containerPort",
            v2(&c(
                "web",
                r#""portMappings":[{"containerPort":80},{"containerPort":80}]"#,
            )),
            v2(&c(
                "web",
                r#""portMappings":[{"containerPort":80},{"containerPort":443}]"#,
            )),
        ),
        // R33: reserved and dynamic host ports.
        case(
            "R33",
            E,
            "/containerDefinitions/0/portMappings/0/hostPort",
            v2(&c(
                "web",
                r#""portMappings":[{"containerPort":22,"hostPort":22}]"#,
            )),
            good.clone(),
        ),
        case(
            "R33",
            E,
            "/containerDefinitions/0/portMappings/0/hostPort",
            v2(&c(
                "web",
                r#""portMappings":[{"containerPort":80,"hostPort":51678}]"#,
            )),
            good.clone(),
        ),
        case(
            "R33",
            W,
            "/containerDefinitions/0/portMappings/0/hostPort",
            v2(&c(
                "web",
                r#""portMappings":[{"containerPort":80,"hostPort":40000}]"#,
            )),
            v2(&c(
                "web",
                r#""portMappings":[{"containerPort":80,"hostPort":0}]"#,
            )),
        ),
        // R35: environment.
        case(
            "R35",
            E,
            "/containerDefinitions/0/environment/0/value",
            v2(&c("web", r#""environment":[{"name":"PORT","value":8000}]"#)),
            v2(&c(
                "web",
                r#""environment":[{"name":"PORT","value":"8000"}]"#,
            )),
        ),
        case(
            "R35",
            E,
            "/containerDefinitions/0/environment",
            v2(&c("web", r#""environment":{"PORT":"8000"}"#)),
            good.clone(),
        ),
        case(
            "R35",
            E,
            "/containerDefinitions/0/environment/0",
            v2(&c("web", r#""environment":["PORT=8000"]"#)),
            good.clone(),
        ),
        case(
            "R35",
            W,
            "/containerDefinitions/0/environment/1/name",
            v2(&c(
                "web",
                r#""environment":[{"name":"A","value":"1"},{"name":"A","value":"2"}]"#,
            )),
            v2(&c(
                "web",
                r#""environment":[{"name":"A","value":"1"},{"name":"B","value":"2"}]"#,
            )),
        ),
        case(
            "R35",
            W,
            "/containerDefinitions/0/environment/0/name",
            v2(&c(
                "web",
                r#""environment":[{"name":"my-var","value":"1"}]"#,
            )),
            good.clone(),
        ),
        // R36: secrets.
        case(
            "R36",
            E,
            "/containerDefinitions/0/secrets/0",
            v2x(role, &c("web", r#""secrets":[{"name":"X"}]"#)),
            v2x(
                role,
                &c(
                    "web",
                    r#""secrets":[{"name":"X","valueFrom":"arn:aws:secretsmanager:us-east-1:123456789012:secret:x"}]"#,
                ),
            ),
        ),
        // R37: string arrays.
        case(
            "R37",
            E,
            "/containerDefinitions/0/command",
            v2(&c("web", r#""command":"uwsgi --http=0.0.0.0:8000""#)),
            v2(&c("web", r#""command":["uwsgi","--http=0.0.0.0:8000"]"#)),
        ),
        case(
            "R37",
            E,
            "/containerDefinitions/0/links",
            v2(&format!("{},{}", c("web", r#""links":"db""#), c("db", ""))),
            v2(&format!(
                "{},{}",
                c("web", r#""links":["db"]"#),
                c("db", "")
            )),
        ),
        case(
            "R37",
            E,
            "/containerDefinitions/0/entryPoint/1",
            v2(&c("web", r#""entryPoint":["sh",1]"#)),
            good.clone(),
        ),
        // R38: search domains.
        case(
            "R38",
            E,
            "/containerDefinitions/0/dnsSearchDomains/0",
            v2(&c("web", r#""dnsSearchDomains":["bad_domain"]"#)),
            v2(&c("web", r#""dnsSearchDomains":["example.com"]"#)),
        ),
        // R39: extra hosts.
        case(
            "R39",
            E,
            "/containerDefinitions/0/extraHosts/0",
            v2(&c("web", r#""extraHosts":[{"hostname":"db"}]"#)),
            v2(&c(
                "web",
                r#""extraHosts":[{"hostname":"db","ipAddress":"10.0.0.5"}]"#,
            )),
        ),
        // R40: hostname, user, workingDirectory.
        case(
            "R40",
            E,
            "/containerDefinitions/0/user",
            v2(&c("web", r#""user":"a:b:c""#)),
            v2(&c("web", r#""user":"1000:1000""#)),
        ),
        case(
            "R40",
            E,
            "/containerDefinitions/0/hostname",
            v2(&c("web", r#""hostname":5"#)),
            v2(&c("web", r#""hostname":"web""#)),
        ),
        // R41: booleans.
        case(
            "R41",
            E,
            "/containerDefinitions/0/privileged",
            v2(&c("web", r#""privileged":"true""#)),
            v2(&c("web", r#""privileged":true"#)),
        ),
        // R42: docker labels.
        case(
            "R42",
            E,
            "/containerDefinitions/0/dockerLabels/tier",
            v2(&c("web", r#""dockerLabels":{"tier":1}"#)),
            v2(&c("web", r#""dockerLabels":{"tier":"1"}"#)),
        ),
        // R43: log configuration.
        case(
            "R43",
            E,
            "/containerDefinitions/0/logConfiguration/logDriver",
            v2(&c("web", r#""logConfiguration":{"logDriver":"none"}"#)),
            v2(&c("web", r#""logConfiguration":{"logDriver":"json-file"}"#)),
        ),
        case(
            "R43",
            E,
            "/containerDefinitions/0/logConfiguration/options/awslogs-create-group",
            v2(&c(
                "web",
                r#""logConfiguration":{"logDriver":"json-file","options":{"awslogs-create-group":true}}"#,
            )),
            good.clone(),
        ),
        case(
            "R43",
            W,
            "/containerDefinitions/0/logConfiguration/logDriver",
            v2(&c("web", r#""logConfiguration":{"logDriver":"awslogs"}"#)),
            good.clone(),
        ),
        // R44: ulimits.
        case(
            "R44",
            E,
            "/containerDefinitions/0/ulimits/0/name",
            v2(&c(
                "web",
                r#""ulimits":[{"name":"files","softLimit":1,"hardLimit":2}]"#,
            )),
            v2(&c(
                "web",
                r#""ulimits":[{"name":"nofile","softLimit":1024,"hardLimit":4096}]"#,
            )),
        ),
        case(
            "R44",
            W,
            "/containerDefinitions/0/ulimits/0/softLimit",
            v2(&c(
                "web",
                r#""ulimits":[{"name":"nofile","softLimit":9,"hardLimit":2}]"#,
            )),
            good.clone(),
        ),
        // R45: health check.
        case(
            "R45",
            E,
            "/containerDefinitions/0/healthCheck/command/0",
            v2(&c(
                "web",
                r#""healthCheck":{"command":["curl -f localhost"]}"#,
            )),
            v2(&c(
                "web",
                r#""healthCheck":{"command":["CMD-SHELL","curl -f localhost"],"interval":30}"#,
            )),
        ),
        case(
            "R45",
            E,
            "/containerDefinitions/0/healthCheck/interval",
            v2(&c(
                "web",
                r#""healthCheck":{"command":["CMD","true"],"interval":1}"#,
            )),
            good.clone(),
        ),
        // R46: dependsOn.
        case(
            "R46",
            E,
            "/containerDefinitions/0/dependsOn/0/containerName",
            v2(&c(
                "web",
                r#""dependsOn":[{"containerName":"db","condition":"START"}]"#,
            )),
            v2(&format!(
                "{},{}",
                c(
                    "web",
                    r#""dependsOn":[{"containerName":"db","condition":"START"}]"#
                ),
                c("db", "")
            )),
        ),
        case(
            "R46",
            E,
            "/containerDefinitions/0/dependsOn/0/condition",
            v2(&format!(
                "{},{}",
                c(
                    "web",
                    r#""dependsOn":[{"containerName":"db","condition":"HEALTHY"}]"#
                ),
                c("db", "")
            )),
            v2(&format!(
                "{},{}",
                c(
                    "web",
                    r#""dependsOn":[{"containerName":"db","condition":"HEALTHY"}]"#
                ),
                c("db", r#""healthCheck":{"command":["CMD","true"]}"#)
            )),
        ),
        case(
            "R46",
            E,
            "/containerDefinitions/0/dependsOn/0/condition",
            v2(&format!(
                "{},{}",
                c(
                    "web",
                    r#""dependsOn":[{"containerName":"db","condition":"SUCCESS"}]"#
                ),
                c("db", "")
            )),
            v2(&format!(
                "{},{}",
                c(
                    "web",
                    r#""dependsOn":[{"containerName":"db","condition":"SUCCESS"}]"#
                ),
                c("db", r#""essential":false"#)
            )),
        ),
        case(
            "R46",
            E,
            "/containerDefinitions/1/dependsOn/0/containerName",
            v2(&format!(
                "{},{}",
                c(
                    "a",
                    r#""dependsOn":[{"containerName":"b","condition":"START"}]"#
                ),
                c(
                    "b",
                    r#""dependsOn":[{"containerName":"a","condition":"START"}]"#
                )
            )),
            good.clone(),
        ),
        case(
            "R46",
            E,
            "/containerDefinitions/0/dependsOn/0/condition",
            v2(&format!(
                "{},{}",
                c(
                    "web",
                    r#""dependsOn":[{"containerName":"db","condition":"started"}]"#
                ),
                c("db", "")
            )),
            good.clone(),
        ),
        // R47: timeouts.
        case(
            "R47",
            E,
            "/containerDefinitions/0/stopTimeout",
            v2(&c("web", r#""stopTimeout":0"#)),
            v2(&c("web", r#""stopTimeout":30"#)),
        ),
        // R48: environment files.
        case(
            "R48",
            W,
            "/containerDefinitions/0/environmentFiles/0",
            v2x(
                role,
                &c(
                    "web",
                    r#""environmentFiles":[{"value":"app.env","type":"s3"}]"#,
                ),
            ),
            v2x(
                role,
                &c(
                    "web",
                    r#""environmentFiles":[{"value":"arn:aws:s3:::bucket/app.env","type":"s3"}]"#,
                ),
            ),
        ),
        // R49: volume names.
        case(
            "R49",
            E,
            "/volumes/0/name",
            v2x(
                r#""volumes":[{"name":"volume#0","host":{"sourcePath":"/data"}}]"#,
                WEB,
            ),
            v2x(
                r#""volumes":[{"name":"volume_0","host":{"sourcePath":"/data"}}]"#,
                WEB,
            ),
        ),
        case(
            "R49",
            E,
            "/volumes/1/name",
            v2x(
                r#""volumes":[{"name":"data","host":{"sourcePath":"/a"}},{"name":"data","host":{"sourcePath":"/b"}}]"#,
                WEB,
            ),
            good.clone(),
        ),
        // R50: host.sourcePath.
        case(
            "R50",
            E,
            "/volumes/0/host/sourcePath",
            v2x(
                r#""volumes":[{"name":"data","host":{"sourcePath":"./data"}}]"#,
                WEB,
            ),
            v2x(
                r#""volumes":[{"name":"data","host":{"sourcePath":"/var/app/current/data"}}]"#,
                WEB,
            ),
        ),
        case(
            "R50",
            E,
            "/volumes/0/host",
            v2x(r#""volumes":[{"name":"data","host":{}}]"#, WEB),
            good.clone(),
        ),
        case(
            "R50",
            W,
            "/volumes/0",
            v2x(r#""volumes":[{"name":"data"}]"#, WEB),
            good.clone(),
        ),
        // R52: mount points.
        case(
            "R52",
            E,
            "/containerDefinitions/0/mountPoints/0/sourceVolume",
            v2(&c(
                "web",
                r#""mountPoints":[{"sourceVolume":"data","containerPath":"/data"}]"#,
            )),
            v2x(
                r#""volumes":[{"name":"data","host":{"sourcePath":"/data"}}]"#,
                &c(
                    "web",
                    r#""mountPoints":[{"sourceVolume":"data","containerPath":"/data"}]"#,
                ),
            ),
        ),
        case(
            "R52",
            E,
            "/containerDefinitions/0/mountPoints/0/sourceVolume",
            v2(&c(
                "nginx-proxy",
                r#""mountPoints":[{"sourceVolume":"awseb-logs-nginx","containerPath":"/var/log/nginx"}]"#,
            )),
            v2(&c(
                "nginx-proxy",
                r#""mountPoints":[{"sourceVolume":"awseb-logs-nginx-proxy","containerPath":"/var/log/nginx"}]"#,
            )),
        ),
        case(
            "R52",
            E,
            "/containerDefinitions/0/mountPoints/0/containerPath",
            v2(&c(
                "web",
                r#""mountPoints":[{"sourceVolume":"awseb-logs-web","containerPath":"logs"}]"#,
            )),
            good.clone(),
        ),
        case(
            "R52",
            E,
            "/containerDefinitions/0/mountPoints/0/readOnly",
            v2(&c(
                "web",
                r#""mountPoints":[{"sourceVolume":"awseb-logs-web","containerPath":"/logs","readOnly":"true"}]"#,
            )),
            v2(&c(
                "web",
                r#""mountPoints":[{"sourceVolume":"awseb-logs-web","containerPath":"/logs","readOnly":true}]"#,
            )),
        ),
        // R53: reserved volume prefix.
        case(
            "R53",
            W,
            "/volumes/0/name",
            v2x(
                r#""volumes":[{"name":"awseb-logs-app","host":{"sourcePath":"/logs"}}]"#,
                WEB,
            ),
            good.clone(),
        ),
        // R54: links.
        case(
            "R54",
            E,
            "/containerDefinitions/0/links/0",
            v2(&c("ngnix", r#""links":["discovery"]"#)),
            v2(&format!(
                "{},{}",
                c("web", r#""links":["db:database"]"#),
                c("db", "")
            )),
        ),
        case(
            "R54",
            E,
            "/containerDefinitions/0/links/0",
            v2(&c("web", r#""links":["web"]"#)),
            good.clone(),
        ),
        case(
            "R54",
            W,
            "/containerDefinitions/1/links/0",
            v2(&format!(
                "{},{}",
                c("a", r#""links":["b"]"#),
                c("b", r#""links":["a"]"#)
            )),
            good.clone(),
        ),
        // R55: volumesFrom.
        case(
            "R55",
            E,
            "/containerDefinitions/0/volumesFrom/0/sourceContainer",
            v2(&c("web", r#""volumesFrom":[{"sourceContainer":"app"}]"#)),
            v2(&format!(
                "{},{}",
                c(
                    "web",
                    r#""volumesFrom":[{"sourceContainer":"app","readOnly":true}]"#
                ),
                c("app", "")
            )),
        ),
        // R56: v1 keys and types.
        on(
            case(
                "R56",
                E,
                "/authentication",
                r#"{"AWSEBDockerrunVersion":"1","Image":{"Name":"nginx:1"},"Ports":[{"ContainerPort":"80"}],"authentication":{"bucket":"b","key":"k"}}"#,
                v1,
            ),
            DOCKER,
        ),
        on(
            case(
                "R56",
                W,
                "/Memory",
                r#"{"AWSEBDockerrunVersion":"1","Image":{"Name":"nginx:1"},"Ports":[{"ContainerPort":"80"}],"Memory":512}"#,
                v1,
            ),
            DOCKER,
        ),
        on(
            case(
                "R56",
                E,
                "/Command",
                r#"{"AWSEBDockerrunVersion":"1","Image":{"Name":"nginx:1"},"Ports":[{"ContainerPort":"80"}],"Command":["a","b"]}"#,
                r#"{"AWSEBDockerrunVersion":"1","Image":{"Name":"nginx:1"},"Ports":[{"ContainerPort":"80"}],"Command":"a b"}"#,
            ),
            DOCKER,
        ),
        on(
            case(
                "R56",
                E,
                "/Volumes/0/ContainerDirectory",
                r#"{"AWSEBDockerrunVersion":"1","Volumes":[{"HostDirectory":"/data","ContainerDirectory":"data"}]}"#,
                r#"{"AWSEBDockerrunVersion":"1","Volumes":[{"HostDirectory":"/data","ContainerDirectory":"/data"}]}"#,
            ),
            DOCKER,
        ),
        on(
            case(
                "R56",
                E,
                "/Authentication",
                r#"{"AWSEBDockerrunVersion":"1","Authentication":{}}"#,
                r#"{"AWSEBDockerrunVersion":"1","Authentication":{"Bucket":"b","Key":"k"}}"#,
            ),
            DOCKER,
        ),
        // R57: v1 ports.
        on(
            case(
                "R57",
                E,
                "/Ports/0/ContainerPort",
                r#"{"AWSEBDockerrunVersion":"1","Ports":[{"ContainerPort":"$PORT"}]}"#,
                r#"{"AWSEBDockerrunVersion":"1","Ports":[{"ContainerPort":8080}]}"#,
            ),
            DOCKER,
        ),
        on(
            case(
                "R57",
                W,
                "/Ports/1",
                r#"{"AWSEBDockerrunVersion":"1","Ports":[{"ContainerPort":"80"},{"ContainerPort":"443"}]}"#,
                v1,
            ),
            DOCKER,
        ),
        on(
            case(
                "R57",
                W,
                "/Image",
                r#"{"AWSEBDockerrunVersion":"1","Image":{"Update":"false"}}"#,
                v1,
            ),
            DOCKER,
        ),
        // R58: v1 Image.Update.
        on(
            case(
                "R58",
                W,
                "/Image/Update",
                r#"{"AWSEBDockerrunVersion":"1","Image":{"Name":"nginx:1","Update":false}}"#,
                v1,
            ),
            DOCKER,
        ),
        // R59: v3.
        on(
            case(
                "R59",
                W,
                "/authentication",
                r#"{"AWSEBDockerrunVersion":"3","authentication":{"bucket":"b","key":"k"}}"#,
                r#"{"AWSEBDockerrunVersion":"3","Authentication":{"bucket":"b","key":"k"}}"#,
            ),
            DOCKER,
        ),
        on(
            case(
                "R59",
                E,
                "/Authentication",
                r#"{"AWSEBDockerrunVersion":"3","Authentication":{"Bucket":"b","Key":"k"}}"#,
                r#"{"AWSEBDockerrunVersion":"3"}"#,
            ),
            DOCKER,
        ),
    ]
}

#[test]
fn every_file_rule_fires_on_its_failing_input_and_not_on_its_passing_input() {
    for case in file_cases() {
        let options = opts(case.platform);
        let bad = file(&case.fail, &options);
        assert_fires(&bad, case.code, case.severity, case.pointer);
        let good = file(&case.pass, &options);
        assert_silent(&good, case.code);
    }
}

#[test]
fn valid_documents_have_no_findings() {
    let options = opts(ECS);
    assert!(file(&v2(WEB), &options).diagnostics.is_empty());
    let v1 = r#"{"AWSEBDockerrunVersion":"1","Image":{"Name":"nginx:1.25","Update":"true"},"Ports":[{"ContainerPort":"80"}],"Volumes":[{"HostDirectory":"/data","ContainerDirectory":"/data"}],"Logging":"/var/log/nginx"}"#;
    assert!(file(v1, &opts(DOCKER)).diagnostics.is_empty());
}

#[test]
fn unknown_keys_are_warnings_with_allow_unknown_keys() {
    let options = Options {
        platform: ECS,
        allow_unknown_keys: true,
    };
    let r = file(&v2(&c("web", r#""memmory":64"#)), &options);
    assert_fires(&r, "R21", W, "/containerDefinitions/0/memmory");
    assert!(r.diagnostics.iter().all(|d| d.severity != E));
    let d = r.diagnostics.iter().find(|d| d.code == "R21").expect("R21");
    assert_eq!(d.help, "did you mean `memory`?");
}

#[test]
fn the_shipped_example_has_no_errors() {
    let eb = Path::new(env!("CARGO_MANIFEST_DIR")).join("eb");
    let report = validate::validate_path(&eb, &opts(ECS)).expect("validate eb");
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == E)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

// ---- bundle-level rules -------------------------------------------------

const V1_DOC: &str = r#"{"AWSEBDockerrunVersion":"1","Image":{"Name":"nginx:1.25"},"Ports":[{"ContainerPort":"80"}]}"#;

#[test]
fn r2_dockerrun_must_be_at_the_root_with_its_exact_name() {
    let good = v2(WEB);
    let r = bundle(&[("dockerrun.aws.json", &good)], &opts(ECS));
    assert_fires(&r, "R2", E, "");
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.code == "R2" && d.file == "eb/dockerrun.aws.json")
    );
    let r = bundle(&[("app/Dockerrun.aws.json", &good)], &opts(ECS));
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.code == "R2" && d.file == "eb/app/Dockerrun.aws.json")
    );
    let r = bundle(&[("README.md", "hi")], &opts(ECS));
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.code == "R2" && d.file == "eb/Dockerrun.aws.json" && d.severity == E)
    );
    let r = bundle(&[("README.md", "hi")], &opts(DOCKER));
    assert_fires(&r, "R2", E, "");
    // Passing: the exact name at the root; a Dockerfile-only bundle on docker-al2.
    assert_silent(&bundle(&[("Dockerrun.aws.json", &good)], &opts(ECS)), "R2");
    assert_silent(
        &bundle(&[("Dockerfile", "FROM nginx:1.25\n")], &opts(DOCKER)),
        "R2",
    );
    assert_silent(
        &bundle(&[("docker-compose.yml", "services: {}\n")], &opts(DOCKER)),
        "R2",
    );
}

#[test]
fn r1_r3_r4_platform_kind_from_root_files() {
    let good = v2(WEB);
    // R3: Dockerfile next to a v2 Dockerrun is ignored.
    let r = bundle(
        &[("Dockerrun.aws.json", &good), ("Dockerfile", "FROM x\n")],
        &opts(ECS),
    );
    assert_fires(&r, "R3", W, "/AWSEBDockerrunVersion");
    assert_silent(&bundle(&[("Dockerrun.aws.json", &good)], &opts(ECS)), "R3");
    // R3: Dockerfile next to a v1 Image: Image is ignored.
    let r = bundle(
        &[("Dockerrun.aws.json", V1_DOC), ("Dockerfile", "FROM x\n")],
        &opts(DOCKER),
    );
    assert_fires(&r, "R3", W, "/Image");
    // R4: Compose next to v2.
    let r = bundle(
        &[
            ("Dockerrun.aws.json", &good),
            ("docker-compose.yml", "services: {}\n"),
        ],
        &opts(ECS),
    );
    assert_fires(&r, "R4", W, "/AWSEBDockerrunVersion");
    assert_silent(&bundle(&[("Dockerrun.aws.json", &good)], &opts(ECS)), "R4");
    // R1: Compose needs a v3 Dockerrun.
    let r = bundle(
        &[
            ("Dockerrun.aws.json", V1_DOC),
            ("docker-compose.yml", "services: {}\n"),
        ],
        &opts(DOCKER),
    );
    assert_fires(&r, "R1", E, "/AWSEBDockerrunVersion");
    let v3 = r#"{"AWSEBDockerrunVersion":"3","Authentication":{"bucket":"b","key":"k"}}"#;
    assert_silent(
        &bundle(
            &[
                ("Dockerrun.aws.json", v3),
                ("docker-compose.yml", "services: {}\n"),
            ],
            &opts(DOCKER),
        ),
        "R1",
    );
}

#[test]
fn r57_r59_r60_need_the_bundle() {
    // R57: v1 without a Dockerfile needs Image and Ports.
    let r = bundle(
        &[(
            "Dockerrun.aws.json",
            r#"{"AWSEBDockerrunVersion":"1","Logging":"/var/log/app"}"#,
        )],
        &opts(DOCKER),
    );
    assert_fires(&r, "R57", E, "/AWSEBDockerrunVersion");
    let r = bundle(
        &[
            (
                "Dockerrun.aws.json",
                r#"{"AWSEBDockerrunVersion":"1","Logging":"/var/log/app"}"#,
            ),
            ("Dockerfile", "FROM x\n"),
        ],
        &opts(DOCKER),
    );
    assert_silent(&r, "R57");
    assert_silent(
        &bundle(&[("Dockerrun.aws.json", V1_DOC)], &opts(DOCKER)),
        "R57",
    );
    // R59: v3 needs docker-compose.yml.
    let v3 = r#"{"AWSEBDockerrunVersion":"3","Authentication":{"bucket":"b","key":"k"}}"#;
    assert_fires(
        &bundle(&[("Dockerrun.aws.json", v3)], &opts(DOCKER)),
        "R59",
        E,
        "/AWSEBDockerrunVersion",
    );
    assert_silent(
        &bundle(
            &[
                ("Dockerrun.aws.json", v3),
                ("docker-compose.yml", "services: {}\n"),
            ],
            &opts(DOCKER),
        ),
        "R59",
    );
    // R60: a shipped .env shadows EB's generated one.
    let r = bundle(
        &[("docker-compose.yml", "services: {}\n"), (".env", "A=1\n")],
        &opts(DOCKER),
    );
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.code == "R60" && d.severity == W && d.file == "eb/.env")
    );
    assert_silent(
        &bundle(&[("docker-compose.yml", "services: {}\n")], &opts(DOCKER)),
        "R60",
    );
}

fn instance_config(instance: &str) -> String {
    format!(
        "option_settings:\n  aws:autoscaling:launchconfiguration:\n    InstanceType: {instance}\n"
    )
}

#[test]
fn r28_r29_sums_against_the_configured_instance() {
    let doc = v2(
        r#"{"name":"a","image":"a:1","memoryReservation":600,"cpu":1536,"portMappings":[{"hostPort":80,"containerPort":80}]},{"name":"b","image":"b:1","memoryReservation":600,"cpu":1024}"#,
    );
    let small = instance_config("t3.micro");
    let r = bundle(
        &[
            ("Dockerrun.aws.json", &doc),
            (".ebextensions/01-instance.config", &small),
        ],
        &opts(ECS),
    );
    assert_fires(&r, "R28", W, "/containerDefinitions/0/memoryReservation");
    assert_fires(&r, "R29", W, "/containerDefinitions/0/cpu");
    let large = "option_settings:\n  - namespace: aws:autoscaling:launchconfiguration\n    option_name: InstanceType\n    value: m5.xlarge\n";
    let r = bundle(
        &[
            ("Dockerrun.aws.json", &doc),
            (".ebextensions/01-instance.config", large),
        ],
        &opts(ECS),
    );
    assert_silent(&r, "R28");
    assert_silent(&r, "R29");
    // Without a configured instance type nothing is assumed.
    assert_silent(&bundle(&[("Dockerrun.aws.json", &doc)], &opts(ECS)), "R28");
}

#[test]
fn r34_web_tier_should_publish_port_80() {
    let doc = v2(&c(
        "web",
        r#""portMappings":[{"hostPort":8080,"containerPort":8080}]"#,
    ));
    let r = bundle(&[("Dockerrun.aws.json", &doc)], &opts(ECS));
    assert_fires(
        &r,
        "R34",
        W,
        "/containerDefinitions/0/portMappings/0/hostPort",
    );
    let listener = "option_settings:\n  aws:elbv2:listener:8080:\n    Protocol: HTTP\n";
    assert_silent(
        &bundle(
            &[
                ("Dockerrun.aws.json", &doc),
                (".ebextensions/lb.config", listener),
            ],
            &opts(ECS),
        ),
        "R34",
    );
    assert_silent(
        &bundle(&[("Dockerrun.aws.json", &v2(WEB))], &opts(ECS)),
        "R34",
    );
}

#[test]
fn r51_bundle_paths_under_var_app_current_must_exist() {
    let doc = v2x(
        r#""volumes":[{"name":"conf","host":{"sourcePath":"/var/app/current/proxy/conf.d"}}]"#,
        &c(
            "web",
            r#""portMappings":[{"hostPort":80,"containerPort":80}],"mountPoints":[{"sourceVolume":"conf","containerPath":"/etc/nginx/conf.d"}]"#,
        ),
    );
    let r = bundle(&[("Dockerrun.aws.json", &doc)], &opts(ECS));
    assert_fires(&r, "R51", W, "/volumes/0/host/sourcePath");
    let r = bundle(
        &[
            ("Dockerrun.aws.json", &doc),
            ("proxy/conf.d/default.conf", "server {}\n"),
        ],
        &opts(ECS),
    );
    assert_silent(&r, "R51");
}

// ---- robustness ----------------------------------------------------------

#[test]
fn hostile_inputs_never_panic() {
    let deep = format!("{}{}", "[".repeat(2000), "]".repeat(2000));
    let deep_obj = format!("{}1{}", r#"{"a":"#.repeat(500), "}".repeat(500));
    let inputs = [
        String::new(),
        "null".into(),
        "\"x\"".into(),
        deep,
        deep_obj,
        r#"{"AWSEBDockerrunVersion":99999999999999999999999,"containerDefinitions":[1,"x",null,[],{}]}"#.into(),
        r#"{"AWSEBDockerrunVersion":2,"containerDefinitions":[{"name":{},"image":[],"memory":1e400,"memoryReservation":-0,"cpu":9223372036854775807,"portMappings":{},"environment":[[],1],"links":[1],"mountPoints":"x","volumesFrom":[1],"dependsOn":[{"containerName":1}],"healthCheck":[],"ulimits":{},"logConfiguration":[],"essential":null}],"volumes":{"a":1},"authentication":[]}"#.into(),
        r#"{"AWSEBDockerrunVersion":2,"containerDefinitions":[{"name":"a","image":"a:1","memory":9223372036854775807},{"name":"b","image":"b:1","memory":9223372036854775807,"cpu":9223372036854775807},{"name":"c","image":"c:1","memory":1,"cpu":9223372036854775807}]}"#.into(),
        r#"{"AWSEBDockerrunVersion":"1","Image":[],"Ports":{},"Volumes":[1,[]],"Authentication":"x","Command":{}}"#.into(),
        r#"{"AWSEBDockerrunVersion":"3","Authentication":[]}"#.into(),
        format!(r#"{{"AWSEBDockerrunVersion":2,"containerDefinitions":[{{"name":"{}","image":"{}","memory":64}}]}}"#, "é".repeat(300), "ü".repeat(300)),
    ];
    for platform in [ECS, MC, DOCKER] {
        for text in &inputs {
            let r = file(text, &opts(platform));
            let _ = render::human_report(&r, false);
        }
    }
}

// ---- snapshots -------------------------------------------------------------

fn json_lines(report: &Report) -> String {
    report
        .diagnostics
        .iter()
        .map(|d| render::json(d) + "\n")
        .collect()
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/dockerrun")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn snapshot_file(name: &str, platform: Platform) -> Report {
    crate::support::validation::dockerrun(name, fixture(name).as_bytes(), &opts(platform))
}

#[test]
fn snapshot_seed_memory_reservation() {
    let r = snapshot_file("fail/seed-memory.json", ECS);
    insta::assert_snapshot!("seed_memory_human", render::human_report(&r, false));
    insta::assert_snapshot!("seed_memory_json", json_lines(&r));
    let r = snapshot_file("fail/seed-memory.json", MC);
    insta::assert_snapshot!("seed_memory_mc_al1_human", render::human_report(&r, false));
}

#[test]
fn snapshot_compose_style_container() {
    let r = snapshot_file("fail/compose-style.json", ECS);
    insta::assert_snapshot!("compose_style_human", render::human_report(&r, false));
    insta::assert_snapshot!("compose_style_json", json_lines(&r));
}

#[test]
fn snapshot_cross_references() {
    let r = snapshot_file("fail/cross-references.json", ECS);
    insta::assert_snapshot!("cross_references_human", render::human_report(&r, false));
}

#[test]
fn snapshot_v1_on_docker() {
    let r = snapshot_file("fail/v1.json", DOCKER);
    insta::assert_snapshot!("v1_docker_human", render::human_report(&r, false));
}

#[test]
fn snapshot_passing_fixtures_are_clean() {
    for (name, platform) in [("pass/multicontainer.json", ECS), ("pass/v1.json", DOCKER)] {
        let r = snapshot_file(name, platform);
        assert!(
            r.diagnostics.is_empty(),
            "{name}: {}",
            render::human_report(&r, false)
        );
    }
}

#[test]
fn snapshot_bundle_missing_dockerrun() {
    let r = bundle(&[("app/Dockerrun.aws.json", &v2(WEB))], &opts(ECS));
    insta::assert_snapshot!("bundle_nested_human", render::human_report(&r, false));
}
