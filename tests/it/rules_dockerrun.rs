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

use crate::support::cases::Case;
use crate::support::snapshot_each_fixture;
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

use Severity::{Error as E, Warning as W};

/// Every case under `tests/fixtures/dockerrun/cases/` (one file per case,
/// see `support::cases`): the failing input fires the expected code with
/// its severity at its pointer, the passing input does not fire that code;
/// both inputs' findings are snapshots.
#[test]
fn every_file_rule_fires_on_its_failing_input_and_not_on_its_passing_input() {
    snapshot_each_fixture!(
        "../fixtures/dockerrun/cases",
        "*.case",
        "dockerrun_cases",
        |path| Case::read(path).check()
    );
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
