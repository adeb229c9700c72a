//! Hostile `generate:` settings and Dockerrun values, each built here:
//! characters that YAML 1.1 (PyYAML, what Elastic Beanstalk reads
//! `.ebextensions` with) takes as line breaks, generated files that would
//! be one file, owners `chown` refuses, and home folders a volume points at.

use ebpack::generate::{
    self, GenerateConfig, InitVolume, Migrations, Owner, RdsEnv, VolumeOwnership,
};
use std::process::Command;

use crate::support::{parse_generate_config as parse_config, todobackend_dockerrun};

/// NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR, BYTE ORDER MARK.
const BREAKS: [char; 4] = ['\u{85}', '\u{2028}', '\u{2029}', '\u{feff}'];

/// A value that, read by PyYAML, ends its line and starts a `commands:`
/// section of its own.
fn injection(c: char) -> String {
    format!("/init{c}commands:{c}  pwn:{c}    command: touch /tmp/pwned{c}#")
}

fn with_init(iv: InitVolume) -> GenerateConfig {
    GenerateConfig {
        rds_env: Some(RdsEnv::default()),
        migrations: Some(Migrations::default()),
        init_volume: iv,
        ..GenerateConfig::default()
    }
}

fn dockerrun_with_volume(path: &str) -> String {
    todobackend_dockerrun().replace(
        r#"      "host": { "sourcePath": "/tmp/public" }
    }"#,
        &format!(
            r#"      "host": {{ "sourcePath": "/tmp/public" }}
    }},
    {{ "name": "extra", "host": {{ "sourcePath": {} }} }}"#,
            serde_json::to_string(path).unwrap()
        ),
    )
}

fn raw_breaks(g: &generate::Generated) -> Vec<String> {
    g.files
        .iter()
        .filter(|f| f.content.contains(BREAKS))
        .map(|f| f.path.clone())
        .collect()
}

#[test]
fn yaml11_line_breaks_in_any_generated_value_are_refused() {
    let dr = todobackend_dockerrun();
    for c in BREAKS {
        let bad = injection(c);
        let cases: Vec<(&str, GenerateConfig, String)> = vec![
            (
                "generate.init_volume.container_path",
                with_init(InitVolume {
                    container_path: bad.clone(),
                    ..InitVolume::default()
                }),
                dr.clone(),
            ),
            (
                "generate.init_volume.source_path",
                with_init(InitVolume {
                    source_path: Some(format!("/var/lib{bad}")),
                    ..InitVolume::default()
                }),
                dr.clone(),
            ),
            (
                "generate.migrations.command",
                GenerateConfig {
                    migrations: Some(Migrations {
                        command: format!("python3 manage.py migrate{bad}"),
                        ..Migrations::default()
                    }),
                    ..GenerateConfig::default()
                },
                dr.clone(),
            ),
            (
                "generate.volume_ownership.exclude",
                GenerateConfig {
                    volume_ownership: Some(VolumeOwnership {
                        exclude: vec![bad.clone()],
                        ..VolumeOwnership::default()
                    }),
                    ..GenerateConfig::default()
                },
                dr.clone(),
            ),
            (
                // A Dockerrun volume whose host folder would be chowned.
                "the sourcePath of Dockerrun volume `extra`",
                GenerateConfig {
                    volume_ownership: Some(VolumeOwnership::default()),
                    ..GenerateConfig::default()
                },
                dockerrun_with_volume(&format!("/srv{bad}")),
            ),
        ];
        for (what, config, dockerrun) in cases {
            let e = generate::generate(&config, &dockerrun)
                .map(|g| format!("generated {:?}", raw_breaks(&g)))
                .unwrap_err_or_panic(what);
            assert!(e.contains(what), "{c:?} {what}: {e}");
            assert!(e.contains("PyYAML"), "{c:?} {what}: {e}");
        }
    }
}

/// `Result::unwrap_err` that names the case.
trait UnwrapErrOr {
    fn unwrap_err_or_panic(self, what: &str) -> String;
}

impl UnwrapErrOr for Result<String, generate::GenerateError> {
    fn unwrap_err_or_panic(self, what: &str) -> String {
        match self {
            Ok(ok) => panic!("{what}: accepted ({ok})"),
            Err(e) => e.message,
        }
    }
}

#[test]
fn a_volume_left_alone_is_noted_with_its_line_breaks_escaped() {
    let config = GenerateConfig {
        volume_ownership: Some(VolumeOwnership::default()),
        ..GenerateConfig::default()
    };
    // A relative sourcePath is only named in a comment: escaped, not refused.
    let g =
        generate::generate(&config, &dockerrun_with_volume(&injection('\u{2028}')[1..])).unwrap();
    assert!(raw_breaks(&g).is_empty(), "{:?}", raw_breaks(&g));
    let all: String = g.files.iter().map(|f| f.content.as_str()).collect();
    assert!(
        all.contains(r#"at "init\Lcommands:\L  pwn:"#),
        "escaped as YAML does: {all}"
    );
}

#[test]
fn build_refuses_a_line_separator_in_ebpack_yaml_and_writes_nothing() {
    let project = tempfile::tempdir().unwrap();
    let root = project.path();
    std::fs::create_dir_all(root.join("eb")).unwrap();
    std::fs::write(root.join("eb/Dockerrun.aws.json"), todobackend_dockerrun()).unwrap();
    // `\L` is U+2028 in a YAML double-quoted scalar.
    std::fs::write(
        root.join("ebpack.yaml"),
        "app: app\ngenerate:\n  migrations:\n    command: \"python3 manage.py migrate\\Lcommands:\\L  pwn:\\L    command: touch /tmp/pwned\\L#\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ebpack"))
        .args(["build", "--label", "v1"])
        .current_dir(root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("generate.migrations.command holds U+2028 (LINE SEPARATOR)"),
        "{err}"
    );
    assert!(!root.join("dist").exists(), "nothing written: {err}");
}

#[test]
fn generated_files_that_would_be_one_file_are_refused() {
    let dr = todobackend_dockerrun();
    let same = GenerateConfig {
        rds_env: Some(RdsEnv {
            file: "init".into(),
            ..RdsEnv::default()
        }),
        migrations: Some(Migrations {
            file: "init".into(),
            ..Migrations::default()
        }),
        ..GenerateConfig::default()
    };
    let e = generate::generate(&same, &dr).unwrap_err().message;
    assert!(
        e.contains("generate.rds_env.file and generate.migrations.file are both `init`"),
        "{e}"
    );
    // With migrations off, the entrypoint still runs the default
    // commands file: an env file of that name would be run.
    let shadow = GenerateConfig {
        rds_env: Some(RdsEnv {
            file: "commands".into(),
            ..RdsEnv::default()
        }),
        ..GenerateConfig::default()
    };
    assert!(generate::generate(&shadow, &dr).is_err());
    let paths = generate::EntrypointPaths::from_config(&shadow);
    assert!(generate::entrypoint_script(&paths).is_err());
    // Different names are fine.
    let fine = GenerateConfig {
        rds_env: Some(RdsEnv::default()),
        migrations: Some(Migrations::default()),
        ..GenerateConfig::default()
    };
    generate::generate(&fine, &dr).unwrap();
}

#[test]
fn an_owner_chown_refuses_is_refused() {
    for yaml in [
        "generate: {volume_ownership: {owner: \"4294967295:4294967295\"}}",
        "generate: {init_volume: {owner: \"1000:4294967295\"}}",
    ] {
        let e = parse_config(yaml).unwrap_err();
        assert!(e.contains("`(uid_t) -1`"), "{yaml}: {e}");
    }
    let c =
        parse_config("generate: {volume_ownership: {owner: \"4294967294:4294967294\"}}").unwrap();
    assert_eq!(c.volume_ownership().unwrap().owner.uid, 4_294_967_294);
    // Settings built in code go through the same check.
    let config = GenerateConfig {
        volume_ownership: Some(VolumeOwnership {
            owner: Owner {
                uid: u32::MAX,
                gid: 1000,
            },
            ..VolumeOwnership::default()
        }),
        ..GenerateConfig::default()
    };
    let e = generate::generate(&config, &todobackend_dockerrun())
        .unwrap_err()
        .message;
    assert!(e.contains("generate.volume_ownership.owner"), "{e}");
}

#[test]
fn homes_and_system_trees_are_never_chowned() {
    let config = GenerateConfig {
        volume_ownership: Some(VolumeOwnership::default()),
        rds_env: Some(RdsEnv::default()),
        ..GenerateConfig::default()
    };
    for path in [
        "/root/.ssh",
        "/home/ec2-user/.ssh",
        "/home/ec2-user",
        "/var/app/staging",
        "/var/spool/cron",
        // The init volume's folder and what holds it keep their owner.
        "/var/lib/ebpack",
        "/var/lib/ebpack/init/sub",
    ] {
        let g = generate::generate(&config, &dockerrun_with_volume(path)).unwrap();
        let f = g
            .files
            .iter()
            .find(|f| f.path == generate::VOLUME_OWNERSHIP_PATH)
            .unwrap();
        assert!(
            f.content
                .contains(&format!("# Left alone: volume \"extra\" at \"{path}\"")),
            "{path}: {}",
            f.content
        );
        assert!(
            f.content.contains("set -- /tmp/public\n"),
            "{path}: {}",
            f.content
        );
    }
    for source in ["/root/init", "/home/ec2-user/init"] {
        let e = generate::generate(
            &with_init(InitVolume {
                source_path: Some(source.into()),
                ..InitVolume::default()
            }),
            &todobackend_dockerrun(),
        )
        .unwrap_err()
        .message;
        assert!(e.contains("system folder"), "{source}: {e}");
    }
}
