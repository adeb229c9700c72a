//! The shipped `eb/` example, `--output json`, `inspect`, and validation
//! errors stopping the build.

use crate::support::project::*;
use std::path::Path;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn shipped_example_builds_with_the_repo_config() {
    let out = tempfile::tempdir().unwrap();
    let o = run(
        repo(),
        &[
            "build",
            "--label",
            "example",
            "--image-tag",
            "5fdbe62",
            "--require-pinned",
            "--out",
        ],
        &[],
    );
    // `--out` without a value is a usage error.
    assert_eq!(o.status.code(), Some(2));
    let o = run(
        repo(),
        &[
            "build",
            "--label",
            "example",
            "--image-tag",
            "5fdbe62",
            "--require-pinned",
            "--output",
            "json",
            "--out",
            out.path().to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["app"], "todobackend");
    assert_eq!(v["label"], "example");
    let zip = out.path().join("todobackend-example.zip");
    assert_eq!(v["sha256"].as_str().unwrap(), sha256(&zip));
    assert_eq!(
        v["size"].as_u64().unwrap(),
        std::fs::metadata(&zip).unwrap().len()
    );
    for i in v["images"].as_array().unwrap() {
        assert!(i["after"].as_str().unwrap().ends_with(":5fdbe62"), "{i}");
    }
    let names = unzip_names(&zip);
    assert!(
        names.contains(&"Dockerrun.aws.json".to_owned()),
        "{names:?}"
    );
    assert!(
        names.iter().all(|n| !n.starts_with("eb/")),
        "files at the root: {names:?}"
    );
    // inspect: the same digest, the entries, and a clean validation.
    let o = run(repo(), &["inspect", zip.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let listing = stdout(&o);
    assert!(listing.contains(v["sha256"].as_str().unwrap()), "{listing}");
    assert!(listing.contains("100644"), "{listing}");
    assert!(listing.contains("Dockerrun.aws.json"), "{listing}");
    let o = run(
        repo(),
        &["inspect", zip.to_str().unwrap(), "--output", "json"],
        &[],
    );
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["sha256"], v["sha256"]);
    assert_eq!(
        j["entries"].as_array().unwrap().len() as u64,
        v["entry_count"].as_u64().unwrap()
    );
    // The built zip passes `ebpack validate` too.
    let o = run(repo(), &["validate", zip.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn validation_errors_stop_the_build_with_validates_diagnostics() {
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    write(
        &eb,
        "Dockerrun.aws.json",
        b"{\"AWSEBDockerrunVersion\": 2,}\n",
        0o644,
    );
    // (A 0644 hook is an error for `validate` (R92); `build` ships it 0755.)
    set_mode(&eb.join(".platform/hooks/predeploy/01_migrate.sh"), 0o755);
    let v = run(p.path(), &["validate", "eb"], &[]);
    let b = run(p.path(), &["build", "eb", "--label", "t"], &[]);
    assert_eq!(v.status.code(), Some(1));
    assert_eq!(b.status.code(), Some(1));
    let diag = |s: String| {
        s.lines()
            .filter(|l| !l.starts_with("ebpack:") && !l.starts_with("error: build stopped"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(diag(stderr(&b)), diag(stderr(&v)));
    assert!(!p.path().join("dist").exists());
}

#[test]
fn inspect_reports_foreign_zips() {
    let p = tempfile::tempdir().unwrap();
    fixture(&p.path().join("eb"), true);
    // A zip made the usual way: `cd eb && zip -r ../app.zip .` (Info-ZIP keeps modes).
    let o = std::process::Command::new("zip")
        .args(["-q", "-r", "-X", "../app.zip", "."])
        .current_dir(p.path().join("eb"))
        .output()
        .unwrap();
    assert!(o.status.success());
    let o = run(p.path(), &["inspect", "app.zip"], &[]);
    let out = stdout(&o);
    assert!(
        out.contains(".platform/hooks/predeploy/01_migrate.sh"),
        "{out}"
    );
    assert!(out.contains("100644") && out.contains("sha256"), "{out}");
    // A path that does not exist is a usage mistake, with a next step.
    let o = run(p.path(), &["inspect", "missing.zip"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("help: "), "{}", stderr(&o));
}

#[test]
fn secret_values_never_reach_the_output_of_validate_build_or_inspect() {
    let p = tempfile::tempdir().unwrap();
    let root = p.path();
    write(
        root,
        "eb/Dockerrun.aws.json",
        br#"{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "essential": true, "memory": 128,
  "environment": [{"name": "API_TOKEN", "value": 424242424242}]}]}"#,
        0o644,
    );
    // R74 (plaintext secret) and R71 (`;` outside the character set) on one
    // line, R71 on a URL with a password, R72 (a YAML 1.1 number) on a secret.
    write(
        root,
        "eb/.ebextensions/01-env.config",
        b"option_settings:\n  aws:elasticbeanstalk:application:environment:\n    DB_PASSWD: hunter2;x\n    DATABASE_URL: postgres://app:s3cr3tpw@db:5432/app;x\n    SECRET_PIN: 0777\n",
        0o644,
    );
    let leaks = ["hunter2", "s3cr3tpw", "0777", "424242424242"];
    let check = |what: &str, o: &std::process::Output| {
        let all = format!("{}{}", stdout(o), stderr(o));
        for leak in leaks {
            assert!(!all.contains(leak), "{what} printed `{leak}`:\n{all}");
        }
        all
    };
    let o = run(root, &["validate", "eb"], &[]);
    let human = check("validate", &o);
    // The findings are there, naming the keys.
    for key in ["DB_PASSWD", "DATABASE_URL", "SECRET_PIN", "API_TOKEN"] {
        assert!(human.contains(key), "{key} not named:\n{human}");
    }
    assert!(human.contains("R74") && human.contains("R72"), "{human}");
    check(
        "validate --format json",
        &run(root, &["validate", "eb", "--format", "json"], &[]),
    );
    // The numeric API_TOKEN is an error: build stops and shows the findings.
    check(
        "build",
        &run(root, &["build", "eb", "--label", "t", "--app", "a"], &[]),
    );
    let zip = tempfile::tempdir().unwrap();
    let z = zip.path().join("b.zip");
    std::process::Command::new("zip")
        .current_dir(root.join("eb"))
        .args(["-qr", z.to_str().unwrap(), "."])
        .status()
        .unwrap();
    check(
        "inspect",
        &run(root, &["inspect", z.to_str().unwrap()], &[]),
    );
}

#[test]
fn build_points_at_the_same_places_as_validate() {
    // The example's Dockerrun is rewritten by the build (generated volumes):
    // its findings must still point into the file on disk.
    let out = tempfile::tempdir().unwrap();
    let places = |o: &std::process::Output| -> Vec<String> {
        stderr(o)
            .lines()
            .filter_map(|l| l.trim().strip_prefix("--> ").map(str::to_owned))
            .collect()
    };
    let validate = run(repo(), &["validate", "eb"], &[]);
    let build = run(
        repo(),
        &[
            "build",
            "--label",
            "positions",
            "--out",
            out.path().to_str().unwrap(),
        ],
        &[],
    );
    assert!(build.status.success(), "{}", stderr(&build));
    let (v, b) = (places(&validate), places(&build));
    assert!(!v.is_empty(), "the example has warnings to compare");
    assert_eq!(
        v,
        b,
        "validate:\n{}\nbuild:\n{}",
        stderr(&validate),
        stderr(&build)
    );
}
