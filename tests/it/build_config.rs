//! `ebpack.yaml` errors point at the place; precedence is
//! flags > EBPACK_* > ebpack.yaml > .elasticbeanstalk/config.yml > defaults.

use crate::support::project::*;
use ebpack::config::{self, Inputs, Origin, Overrides};
use ebpack::validate::Platform;
use std::path::Path;

fn yaml_error(text: &str) -> String {
    let p = tempfile::tempdir().unwrap();
    fixture(&p.path().join("eb"), true);
    std::fs::write(p.path().join("ebpack.yaml"), text).unwrap();
    let o = run(p.path(), &["build", "--label", "t"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!p.path().join("dist").exists());
    stderr(&o)
}

#[test]
fn unknown_keys_are_located() {
    let err = yaml_error("app: todobackend\npin:\n  repository:\n    - nginx\n");
    assert!(err.contains("ebpack.yaml:3:3"), "{err}");
    insta::assert_snapshot!("unknown_nested_key", err);
    let err = yaml_error("app: todobackend\nenviroment: Todobackend-env\n");
    assert!(err.contains("ebpack.yaml:2:1"), "{err}");
    insta::assert_snapshot!("unknown_top_key", err);
}

#[test]
fn bad_values_are_located() {
    let err = yaml_error("app: todobackend\nplatform: ecs\n");
    assert!(err.contains("ebpack.yaml:2:11"), "{err}");
    insta::assert_snapshot!("bad_platform", err);
    let err = yaml_error("pin:\n  require_pinned: sometimes\n");
    assert!(err.contains("ebpack.yaml:2:"), "{err}");
    let err = yaml_error("pin:\n  image_tag: \"-bad\"\n");
    assert!(err.contains("ebpack.yaml:2:"), "{err}");
    assert!(err.contains("not a valid image tag"), "{err}");
    let err = yaml_error("app: todo/backend\n");
    assert!(err.contains("ebpack.yaml:1:6"), "{err}");
    let err = yaml_error("pin:\n  containers:\n    web: \"nginx latest\"\n");
    assert!(err.contains("ebpack.yaml:3:10"), "{err}");
    let err = yaml_error("app: [todobackend\n");
    assert!(err.contains("error[C1]"), "{err}");
    insta::assert_snapshot!("syntax_error", err);
}

fn resolve(cwd: &Path, flags: Overrides, env: Overrides) -> config::Settings {
    config::resolve(&Inputs {
        cwd: cwd.to_owned(),
        flags,
        env,
        branch: Some("main".into()),
    })
    .unwrap()
}

const EB_CLI: &str = "branch-defaults:\n  main:\n    environment: Todobackend-env\nglobal:\n  application_name: from-ebcli\n  default_region: eu-west-1\n  default_platform: Docker running on 64bit Amazon Linux 2023\n  sc: git\n";

#[test]
fn precedence_layer_by_layer() {
    let p = tempfile::tempdir().unwrap();
    let root = p.path();
    let name = root.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::create_dir_all(root.join("eb")).unwrap();
    // Defaults.
    let s = resolve(root, Overrides::default(), Overrides::default());
    assert_eq!(
        (s.app.as_str(), s.origins.app),
        (name.as_str(), Origin::Default)
    );
    assert_eq!(s.out_dir, root.join("dist"));
    assert_eq!(s.bundle_dir, root.join("eb"));
    assert_eq!(s.platform, Platform::EcsAl2);
    assert_eq!(s.region, None);
    // EB CLI file (in the bundle folder, where `eb init` ran).
    write(
        &root.join("eb"),
        ".elasticbeanstalk/config.yml",
        EB_CLI.as_bytes(),
        0o644,
    );
    let s = resolve(root, Overrides::default(), Overrides::default());
    assert_eq!(
        (s.app.as_str(), s.origins.app),
        ("from-ebcli", Origin::EbCli)
    );
    assert_eq!(s.region.as_deref(), Some("eu-west-1"));
    assert_eq!(s.environment.as_deref(), Some("Todobackend-env"));
    assert_eq!(s.platform, Platform::DockerAl2);
    // ebpack.yaml.
    std::fs::write(
        root.join("ebpack.yaml"),
        "app: from-file\nregion: us-east-1\nout: build/out\nplatform: ecs-al2\n",
    )
    .unwrap();
    let s = resolve(root, Overrides::default(), Overrides::default());
    assert_eq!((s.app.as_str(), s.origins.app), ("from-file", Origin::File));
    assert_eq!(s.region.as_deref(), Some("us-east-1"));
    assert_eq!(s.environment.as_deref(), Some("Todobackend-env"));
    assert_eq!(s.out_dir, root.join("build/out"));
    assert_eq!(s.platform, Platform::EcsAl2);
    // Environment.
    let env = config::env_overrides(|k| match k {
        "EBPACK_APP" => Some("from-env".into()),
        "EBPACK_OUT" => Some("envout".into()),
        "EBPACK_PLATFORM" => Some("mc-al1".into()),
        "EBPACK_IMAGE_TAG" => Some("env-tag".into()),
        _ => None,
    })
    .unwrap();
    let s = resolve(root, Overrides::default(), env.clone());
    assert_eq!((s.app.as_str(), s.origins.app), ("from-env", Origin::Env));
    assert_eq!(s.out_dir, root.join("envout"));
    assert_eq!(s.platform, Platform::McAl1);
    assert_eq!(s.origins.tag, Some(Origin::Env));
    // Flags.
    let flags = Overrides {
        app: Some("from-flag".into()),
        out: Some("flagout".into()),
        platform: Some(Platform::EcsAl2),
        tag_from: Some("version.json".into()),
        ..Overrides::default()
    };
    let s = resolve(root, flags, env);
    assert_eq!((s.app.as_str(), s.origins.app), ("from-flag", Origin::Flag));
    assert_eq!(s.out_dir, root.join("flagout"));
    assert_eq!(s.platform, Platform::EcsAl2);
    assert_eq!(s.origins.tag, Some(Origin::Flag));
    assert!(matches!(s.tag, Some(config::TagSource::From(_))));
}

#[test]
fn bad_environment_values_are_usage_errors() {
    for (k, v) in [
        ("EBPACK_PLATFORM", "windows"),
        ("EBPACK_REQUIRE_PINNED", "maybe"),
        ("EBPACK_PIN", "nginx"),
    ] {
        let e = config::env_overrides(|key| (key == k).then(|| v.to_owned())).unwrap_err();
        assert!(e.to_string().contains(k), "{e}");
    }
    let p = tempfile::tempdir().unwrap();
    fixture(&p.path().join("eb"), true);
    let o = run(p.path(), &["build"], &[("EBPACK_LABEL", "a/b")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("contains `/`"), "{}", stderr(&o));
}

#[test]
fn binary_precedence_and_file_names() {
    let p = tempfile::tempdir().unwrap();
    let root = p.path();
    fixture(&root.join("eb"), true);
    write(
        &root.join("eb"),
        ".elasticbeanstalk/config.yml",
        EB_CLI
            .replace("Docker running on", "ECS running on")
            .as_bytes(),
        0o644,
    );
    let o = run(root, &["build", "--label", "l1"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(root.join("dist/from-ebcli-l1.zip").exists());
    // The EB CLI folder is never packed.
    assert!(
        !unzip_names(&root.join("dist/from-ebcli-l1.zip"))
            .iter()
            .any(|n| n.contains("elasticbeanstalk"))
    );
    std::fs::write(
        root.join("ebpack.yaml"),
        "app: todobackend\nbundle: eb\nout: out\n",
    )
    .unwrap();
    let o = run(root, &["build", "--label", "l2"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(root.join("out/todobackend-l2.zip").exists());
    let o = run(
        root,
        &["build", "--label", "l3"],
        &[("EBPACK_APP", "envapp"), ("EBPACK_OUT", "eout")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(root.join("eout/envapp-l3.zip").exists());
    let o = run(
        root,
        &[
            "build", "--label", "l4", "--app", "flagapp", "--out", "fout",
        ],
        &[("EBPACK_APP", "envapp")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(root.join("fout/flagapp-l4.zip").exists());
    // --config points elsewhere; paths in it are relative to it.
    write(
        root,
        "conf/other.yaml",
        b"app: other\nbundle: ../eb\nout: ../o5\n",
        0o644,
    );
    let o = run(
        root,
        &["build", "--label", "l5", "--config", "conf/other.yaml"],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(root.join("o5/other-l5.zip").exists());
}

#[test]
fn labels_from_codebuild_and_content() {
    let p = tempfile::tempdir().unwrap();
    let root = p.path();
    fixture(&root.join("eb"), true);
    let o = run(
        root,
        &["build", "--app", "a", "--output", "json"],
        &[
            ("CODEBUILD_RESOLVED_SOURCE_VERSION", "ab7ac16f3e1d2c"),
            ("CODEBUILD_BUILD_ID", "todobackend:9b1f4e2a-5c3d"),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["label"], "ab7ac16f3e1d2c.9b1f4e2a-5c3d");
    assert_eq!(v["label_source"], "codebuild");
    assert!(
        root.join("dist/a-ab7ac16f3e1d2c.9b1f4e2a-5c3d.zip")
            .exists()
    );
    assert_eq!(
        std::fs::read_to_string(root.join("dist/version.json")).unwrap(),
        "{\"Version\":\"ab7ac16f3e1d2c.9b1f4e2a-5c3d\"}\n"
    );
    // No git, no CodeBuild: the content hash.
    let o = run(root, &["build", "--app", "a", "--output", "json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["label_source"], "content");
    assert_eq!(
        v["label"].as_str().unwrap(),
        &v["sha256"].as_str().unwrap()[..12]
    );
    // In a git repository: short sha + content hash.
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(root)
            .env("GIT_CEILING_DIRECTORIES", root.parent().unwrap())
            .output()
            .unwrap()
    };
    if git(&["init", "-q"]).status.success() {
        git(&[
            "-c",
            "user.email=t@t",
            "-c",
            "user.name=t",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "x",
        ]);
        let sha = String::from_utf8(git(&["rev-parse", "--short", "HEAD"]).stdout).unwrap();
        let o = run(root, &["build", "--app", "a", "--output", "json"], &[]);
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v["label_source"], "git");
        assert_eq!(
            v["label"].as_str().unwrap(),
            format!("{}-{}", sha.trim(), &v["sha256"].as_str().unwrap()[..12])
        );
    }
}
