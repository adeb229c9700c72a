//! Every Dockerrun of the shared corpus (60 files from public
//! repositories): no panic, and the set of error codes equals the verdict
//! table below. Each verdict was checked by reading the file against
//! bundle-rules.md (the MANIFEST notes are only a first reading).
//!
//! v1 files are validated for `docker-al2` (their platform); v2 files for
//! the default `ecs-al2`. Files are validated alone, so bundle-level rules
//! (R2–R4, R51, R57 "requires Image/Ports", R59) do not apply here.

use ebpack::diag::{Report, Severity};
use ebpack::validate::{self, Options, Platform};
use std::collections::BTreeSet;
use std::path::PathBuf;

const D: Platform = Platform::DockerAl2;
const E: Platform = Platform::EcsAl2;

/// (file, platform, error codes that justify a `fail`; empty = pass).
const VERDICTS: &[(&str, Platform, &[&str])] = &[
    ("001.json", D, &[]),                           // v1 Image + Ports (W: no tag)
    ("002.json", D, &[]),                           // v1 built from a Dockerfile
    ("003.json", D, &[]),                           // v1 Logging only (Dockerfile build)
    ("004.json", D, &[]),                           // v1 Ports + Logging (Dockerfile build)
    ("005.json", D, &["R24"]),                      // `<APP_VERSION>` placeholder in Image.Name
    ("006.json", D, &[]),                           // v1 HostPort + Volumes
    ("007.json", D, &[]),                           // v1 numeric ports are accepted
    ("008.json", D, &["R24"]),                      // `{{tag}}` placeholder
    ("009.json", D, &["R56"]),                      // ECS-style Volumes entry, Command as list
    ("010.json", D, &[]),                           // unknown top-level key is only W
    ("011.json", D, &["R24", "R57"]), // `$IMAGE_REPO:$IMAGE_TAG`, ContainerPort `$PORT`
    ("012.json", D, &["R56"]),        // empty Authentication {}
    ("013.json", D, &[]),             // v1 Command string
    ("014.json", D, &["R24"]),        // `<AWS_ACCOUNT_ID>` placeholders
    ("015.json", D, &[]),             // Image without Name: W alone (fine with a Dockerfile)
    ("016.json", D, &[]),             // integer version 1: W
    ("017.json", D, &["R16"]),        // no AWSEBDockerrunVersion
    ("018.json", D, &["R24"]),        // `<TAG>` placeholder
    ("019.json", D, &[]),             // v1 Authentication
    ("020.json", D, &[]),             // v1 Image + Volumes, no Ports (Dockerfile EXPOSE)
    ("021.json", E, &["R27"]),        // the seed: memoryReservation 5
    ("022.json", E, &[]),             // 7 containers, links, cpu
    ("023.json", E, &["R24"]),        // `<AWSaccountID…` placeholder image
    ("024.json", E, &["R24"]),        // `YOUR_DOCKERHUB_USERNAME/…` (uppercase repository)
    ("025.json", E, &["R43"]),        // awslogs option value `true` not a string
    ("026.json", E, &[]),             // authentication + quay.io
    ("027.json", E, &["R18", "R24", "R52"]), // `{{REF}}`, bucket template, readOnly "true"
    ("028.json", E, &[]),             // privileged, essential omitted
    ("029.json", E, &["R21"]),        // docker-compose `depends_on`
    ("030.json", E, &["R24"]),        // `<AWS_ACCOUNT_ID>` placeholders
    ("031.json", E, &["R21", "R50"]), // `ports`, relative sourcePath
    ("032.json", E, &["R21", "R24", "R25", "R35"]), // docker-compose written as v2
    ("033.json", E, &["R24", "R35", "R50"]), // `${ENV}`, numeric env values, relative path
    ("034.json", E, &["R24"]),        // `[VERSION]` placeholder
    ("035.json", E, &["R24"]),        // `__DOCKER_IMAGE1__` placeholder
    ("036.json", E, &["R24", "R26", "R52"]), // `<<<REPO URL>>>`, "64", path as sourceVolume
    ("037.json", E, &["R52"]),        // undeclared `ci-push`, `comtianerPath` typo
    ("038.json", E, &["R52"]),        // undeclared `nginx-static`
    ("039.json", E, &["R24", "R27", "R32", "R50"]), // memory 4, no image, port 80 twice
    ("040.json", E, &["R17"]),        // `containerDefintions` typo
    ("041.json", E, &["R25"]),        // multi-docker course: no memory
    ("042.json", E, &[]),             // course copy with memory
    ("043.json", D, &["R15"]),        // trailing comma
    ("044.json", D, &["R15"]),        // trailing comma
    ("045.json", E, &["R15"]),        // trailing comma
    ("046.json", E, &["R16", "R25", "R50"]), // `AWSDockerrunVersion` typo, no memory
    ("047.json", E, &["R24", "R52"]), // `<TAG>`, undeclared `posgres`/`openfda`
    ("048.json", E, &["R54"]),        // link to missing `discovery`
    ("049.json", E, &["R15"]),        // // comments
    ("050.json", E, &["R15"]),        // trailing // comments
    ("051.json", E, &["R32", "R50", "R52"]), // port 80 twice, relative paths, container names as volumes
    ("052.json", E, &["R26", "R50"]),        // memory as strings, relative paths
    ("053.json", E, &["R50", "R55"]),        // volumesFrom missing container
    ("054.json", E, &["R24", "R25"]),        // image as an object, no memory
    ("055.json", E, &["R17"]),               // v1 Ports in a v2 file, no containerDefinitions
    ("056.json", E, &["R16", "R25"]),        // task definition without version, no memory
    ("057.json", D, &["R56"]),               // containerDefinitions inside a v1 file
    ("058.json", E, &["R15"]),               // truncated JSON
    ("059.json", E, &["R15"]),               // unquoted Terraform placeholders
    ("060.json", E, &["R24", "R26"]),        // `<DOCKER_IMAGE>`, memory placeholder string
];

fn corpus_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/github/dockerrun"
    ));
    assert!(
        dir.is_dir(),
        "corpus not found at {}: the checkout must have ../shared beside it",
        dir.display()
    );
    dir
}

fn validate(name: &str, text: &[u8], platform: Platform) -> Report {
    let options = Options {
        platform,
        allow_unknown_keys: false,
    };
    let mut report = Report::default();
    validate::validate_dockerrun_file(name, text, &options, None, &mut report);
    report.sort();
    report
}

#[test]
fn corpus_verdicts_match_the_table() {
    let dir = corpus_dir();
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("read corpus dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        60,
        "expected 60 corpus files, found {}",
        files.len()
    );
    let listed: Vec<&str> = VERDICTS.iter().map(|(n, _, _)| *n).collect();
    assert_eq!(
        files, listed,
        "the verdict table must list every corpus file"
    );

    let mut mismatches = Vec::new();
    for (name, platform, expected) in VERDICTS {
        let text = std::fs::read(dir.join(name)).expect("read corpus file");
        let report = validate(name, &text, *platform);
        let got: BTreeSet<&str> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.code)
            .collect();
        let want: BTreeSet<&str> = expected.iter().copied().collect();
        if got != want {
            mismatches.push(format!("{name}: expected {want:?}, got {got:?}"));
        }
        // Every finding has a real place in the file.
        for d in &report.diagnostics {
            assert!(d.line >= 1 && d.column >= 1, "{name}: {d:?}");
        }
    }
    assert!(
        mismatches.is_empty(),
        "verdict mismatches:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn corpus_never_panics_on_any_platform() {
    let dir = corpus_dir();
    for (name, _, _) in VERDICTS {
        let text = std::fs::read(dir.join(name)).expect("read corpus file");
        for platform in [Platform::EcsAl2, Platform::McAl1, Platform::DockerAl2] {
            let report = validate(name, &text, platform);
            let _ = ebpack::diag::render::human_report(&report, false);
        }
    }
}
