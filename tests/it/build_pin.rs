//! Image pinning through the binary: every form, the manifest's
//! before/after record, `--require-pinned` and the error messages.

use crate::support::project::*;
use serde_json::Value;
use std::path::Path;

const REPO: &str = "385605022855.dkr.ecr.us-east-1.amazonaws.com/docker-in-aws/todobackend";

fn project() -> tempfile::TempDir {
    let p = tempfile::tempdir().unwrap();
    fixture(&p.path().join("eb"), true);
    p
}

fn build_json(p: &Path, extra: &[&str]) -> (Value, String) {
    let mut args = vec![
        "build", "eb", "--label", "t", "--app", "app", "--output", "json",
    ];
    args.extend_from_slice(extra);
    let o = run(p, &args, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    (
        serde_json::from_str(&stdout(&o)).unwrap(),
        shipped_dockerrun(p),
    )
}

fn shipped_dockerrun(p: &Path) -> String {
    py_entries(&p.join("dist/app-t.zip"))
        .into_iter()
        .find(|e| e.0 == "Dockerrun.aws.json")
        .unwrap()
        .3
}

fn afters(v: &Value) -> Vec<(String, String, String)> {
    v["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["container"].as_str().unwrap().to_owned(),
                i["after"].as_str().unwrap().to_owned(),
                i["pinned_by"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn image_tag_pins_untagged_and_latest_and_keeps_formatting() {
    let p = project();
    let (v, text) = build_json(p.path(), &["--image-tag", "ab7ac16"]);
    assert_eq!(
        afters(&v),
        [
            (
                "todobackend".into(),
                format!("{REPO}:ab7ac16"),
                "image-tag".into()
            ),
            ("nginx".into(), "nginx:ab7ac16".into(), "image-tag".into()),
        ]
    );
    assert_eq!(v["images"][0]["before"], REPO);
    assert_eq!(v["images"][1]["before"], "nginx:latest");
    let expected = DOCKERRUN
        .replace(&format!("\"{REPO}\""), &format!("\"{REPO}:ab7ac16\""))
        .replace("nginx:latest", "nginx:ab7ac16");
    assert_eq!(text, expected, "only the image values change");
    // The manifest file records the same.
    let m: Value =
        serde_json::from_slice(&std::fs::read(p.path().join("dist/app-t.json")).unwrap()).unwrap();
    assert_eq!(m["images"], v["images"]);
    assert_eq!(m["sha256"], v["sha256"]);
    assert!(
        m["entries"].as_array().unwrap().iter().any(|e| e["name"]
            == ".platform/hooks/predeploy/01_migrate.sh"
            && e["mode"] == "100755")
    );
}

#[test]
fn repositories_from_config_and_exact_pins() {
    let p = project();
    std::fs::write(
        p.path().join("ebpack.yaml"),
        format!(
            "pin:\n  repositories:\n    - {REPO}\n  containers:\n    nginx: nginx:1.27-alpine\n"
        ),
    )
    .unwrap();
    let (v, _) = build_json(p.path(), &["--image-tag", "v9"]);
    assert_eq!(
        afters(&v),
        [
            (
                "todobackend".into(),
                format!("{REPO}:v9"),
                "image-tag".into()
            ),
            ("nginx".into(), "nginx:1.27-alpine".into(), "pin".into()),
        ]
    );
    // A flag pin wins over the file's pin for the same container.
    let (v, _) = build_json(
        p.path(),
        &[
            "--pin",
            "nginx=nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ],
    );
    assert!(afters(&v)[1].1.starts_with("nginx@sha256:0123"));
    assert_eq!(
        afters(&v)[0],
        ("todobackend".into(), REPO.into(), "unchanged".into())
    );
}

#[test]
fn tag_from_the_seeds_version_json() {
    let p = project();
    // `make version` in the seed prints {"Version": "$(APP_VERSION)"}; CodeBuild
    // sets APP_VERSION to <commit>.<build id>.
    let sh =
        r#"APP_VERSION=5fdbe62.4b5c6d7e; echo "{\"Version\": \"$APP_VERSION\"}" > version.json"#;
    assert!(
        std::process::Command::new("sh")
            .args(["-c", sh])
            .current_dir(p.path())
            .status()
            .unwrap()
            .success()
    );
    let (v, text) = build_json(p.path(), &["--tag-from", "version.json"]);
    assert_eq!(afters(&v)[0].1, format!("{REPO}:5fdbe62.4b5c6d7e"));
    assert!(text.contains("nginx:5fdbe62.4b5c6d7e"));
    // A custom query.
    std::fs::write(
        p.path().join("build.json"),
        r#"{"build": {"tags": ["x", "rc-3"]}}"#,
    )
    .unwrap();
    let (v, _) = build_json(p.path(), &["--tag-from", "build.json:.build.tags[1]"]);
    assert_eq!(afters(&v)[1].1, "nginx:rc-3");
    // ebpack's own version.json round-trips: the label becomes the tag.
    let o = run(
        p.path(),
        &[
            "build", "eb", "--label", "rel-7", "--app", "app", "--out", "out2",
        ],
        &[],
    );
    assert!(o.status.success());
    assert_eq!(
        std::fs::read_to_string(p.path().join("out2/version.json")).unwrap(),
        "{\"Version\":\"rel-7\"}\n"
    );
    let (v, _) = build_json(p.path(), &["--tag-from", "out2/version.json"]);
    assert_eq!(afters(&v)[1].1, "nginx:rel-7");
}

#[test]
fn tag_from_errors_are_clear() {
    let p = project();
    std::fs::write(
        p.path().join("v.json"),
        r#"{"Version": 42, "Empty": "", "Many": ["a","b"]}"#,
    )
    .unwrap();
    for (spec, needle) in [
        ("v.json", "gave `42`, not a string"),
        ("v.json:.Empty", "empty string"),
        ("v.json:.Many[]", "more than one result"),
        ("v.json:.Nope", "gave null"),
        ("v.json:.[", "invalid jq query `.[`"),
        ("nofile.json", "cannot read `"),
    ] {
        let o = run(
            p.path(),
            &["build", "eb", "--label", "t", "--tag-from", spec],
            &[],
        );
        assert_eq!(o.status.code(), Some(2), "{spec}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{spec}: {}", stderr(&o));
    }
    std::fs::write(p.path().join("bad.json"), r#"{"Version": "a b"}"#).unwrap();
    let o = run(
        p.path(),
        &["build", "eb", "--label", "t", "--tag-from", "bad.json"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a valid image tag"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn require_pinned_names_each_container() {
    let p = project();
    let o = run(
        p.path(),
        &[
            "build",
            "eb",
            "--label",
            "t",
            "--app",
            "app",
            "--require-pinned",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("container `todobackend`"), "{err}");
    assert!(
        err.contains("container `nginx`: image `nginx:latest` is tagged `latest`"),
        "{err}"
    );
    assert!(err.contains("eb/Dockerrun.aws.json:6:16"), "{err}");
    assert!(!p.path().join("dist/app-t.zip").exists());
    insta::assert_snapshot!("require_pinned", err);
    // Pinning only one leaves the other named.
    let o = run(
        p.path(),
        &[
            "build",
            "eb",
            "--label",
            "t",
            "--require-pinned",
            "--pin",
            "nginx=nginx:1.27",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("container `todobackend`"));
    assert!(!stderr(&o).contains("container `nginx`"));
    let (v, _) = build_json(p.path(), &["--require-pinned", "--image-tag", "1.0"]);
    assert_eq!(afters(&v).len(), 2);
    // Through the environment too.
    let o = run(
        p.path(),
        &["build", "eb", "--label", "t"],
        &[("EBPACK_REQUIRE_PINNED", "true")],
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn unknown_container_names_the_known_ones() {
    let p = project();
    let o = run(
        p.path(),
        &["build", "eb", "--label", "t", "--pin", "web=nginx:1"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("no container named `web`; its containers are `todobackend`, `nginx`"),
        "{err}"
    );
    let o = run(
        p.path(),
        &["build", "eb", "--label", "t", "--pin", "nginx"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("CONTAINER=IMAGE_REF"));
    let o = run(
        p.path(),
        &["build", "eb", "--image-tag", "a", "--tag-from", "v.json"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
}
