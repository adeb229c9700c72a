//! The generated files themselves: snapshots (insta), shellcheck on every
//! script, validation with no findings, settings and their errors,
//! `--write`, and the CLI.

use ebpack::diag::{Report, Severity};
use ebpack::generate::{
    self, DockerGroup, EntrypointPaths, GenerateConfig, Generated, InitVolume, Migrations, RdsEnv,
    VolumeOwnership, WriteError, WriteOutcome,
};
use ebpack::validate::{self, Options, Platform};
use std::process::Command;

use crate::support::{
    example_generate_config as example_config, parse_generate_config as parse_config,
    todobackend_dockerrun,
};

/// A second, non-default setup: every knob turned.
fn custom_config() -> GenerateConfig {
    parse_config(
        r#"
generate:
  docker_group: {user: admin}
  volume_ownership: {owner: "33:33", exclude: [/srv/cache]}
  init_volume:
    name: boot
    source_path: /var/lib/app/boot
    container_path: /run/boot
    containers: [todobackend, collectstatic]
    owner: "33:33"
    file_mode: "0640"
  rds_env:
    file: env
    mapping: {DATABASE_HOST: RDS_HOSTNAME, DATABASE_PASSWORD: RDS_PASSWORD, SECRET: DJANGO_SECRET}
    confighook: false
    install_jq: true
  migrations:
    file: pending
    command: |
      python3 manage.py migrate --no-input
      python3 manage.py loaddata 'it''s.json'
"#,
    )
    .unwrap()
}

fn custom_dockerrun() -> String {
    todobackend_dockerrun().replace(
        r#"      "host": { "sourcePath": "/tmp/public" }
    }"#,
        r#"      "host": { "sourcePath": "/tmp/public" }
    },
    { "name": "cache", "host": { "sourcePath": "/srv/cache" } },
    { "name": "docker_sock", "host": { "sourcePath": "/var/run/docker.sock" } },
    { "name": "static", "host": { "sourcePath": "/var/app/current/static" } },
    { "name": "data", "host": { "sourcePath": "/data/app files" } }"#,
    )
}

fn all_text(g: &Generated) -> String {
    let mut out = String::new();
    for f in &g.files {
        out.push_str(&format!(
            "==> {} ({:04o}) <==\n{}",
            f.path, f.mode, f.content
        ));
    }
    if let Some(d) = &g.dockerrun {
        out.push_str(&format!("==> Dockerrun.aws.json <==\n{d}"));
    }
    out
}

#[test]
fn snapshot_todobackend() {
    let g = generate::generate(&example_config(), &todobackend_dockerrun()).unwrap();
    assert_eq!(
        g.files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        [
            ".ebextensions/000_ebpack_01_docker_group.config",
            ".ebextensions/000_ebpack_02_volume_ownership.config",
            ".ebextensions/000_ebpack_03_env.config",
            ".ebextensions/000_ebpack_04_migrations.config",
            ".platform/confighooks/predeploy/000_ebpack_env.sh",
        ]
    );
    insta::assert_snapshot!("todobackend", all_text(&g));
}

#[test]
fn snapshot_custom() {
    let g = generate::generate(&custom_config(), &custom_dockerrun()).unwrap();
    insta::assert_snapshot!("custom", all_text(&g));
}

#[test]
fn snapshot_entrypoint() {
    let script = generate::entrypoint_script(&EntrypointPaths::default()).unwrap();
    insta::assert_snapshot!("entrypoint", script);
}

#[test]
fn example_config_equals_the_defaults_with_everything_on() {
    let mut c = example_config();
    assert_eq!(
        c.init_volume.containers.take(),
        Some(vec!["todobackend".to_owned()])
    );
    c.init_volume.source_path = None;
    assert_eq!(c, GenerateConfig::all_defaults());
    // And the defaults pick the same container (the only essential one).
    let a = generate::generate(&example_config(), &todobackend_dockerrun()).unwrap();
    let b = generate::generate(&GenerateConfig::all_defaults(), &todobackend_dockerrun()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn generation_is_deterministic_and_idempotent_on_the_dockerrun() {
    let a = generate::generate(&example_config(), &todobackend_dockerrun()).unwrap();
    let b = generate::generate(&example_config(), &todobackend_dockerrun()).unwrap();
    assert_eq!(a, b);
    let rewritten = a.dockerrun.unwrap();
    let again = generate::generate(&example_config(), &rewritten).unwrap();
    assert_eq!(again.dockerrun, None, "nothing more to add");
    assert_eq!(again.files, a.files);
}

#[test]
fn the_seeds_own_init_volume_is_adopted() {
    // The seed's Dockerrun already declares `init` → /tmp/init, mounted at /init.
    let seed = todobackend_dockerrun()
        .replace(
            r#"      "host": { "sourcePath": "/tmp/public" }
    }"#,
            r#"      "host": { "sourcePath": "/tmp/public" }
    },
    { "name": "init", "host": { "sourcePath": "/tmp/init" } }"#,
        )
        .replace(
            r#"        { "sourceVolume": "public", "containerPath": "/public" },
        { "sourceVolume": "awseb"#,
            r#"        { "sourceVolume": "public", "containerPath": "/public" },
        { "sourceVolume": "init", "containerPath": "/init" },
        { "sourceVolume": "awseb"#,
        );
    let g = generate::generate(&GenerateConfig::all_defaults(), &seed).unwrap();
    assert_eq!(g.dockerrun, None);
    let env = g
        .files
        .iter()
        .find(|f| f.path == generate::ENV_PATH)
        .unwrap();
    assert!(env.content.contains("file=/tmp/init/environment"));
    // ...and not chowned recursively by the volume feature (the init
    // feature owns it, with its own modes).
    let vo = g
        .files
        .iter()
        .find(|f| f.path == generate::VOLUME_OWNERSHIP_PATH)
        .unwrap();
    assert!(!vo.content.contains("/tmp/init"), "{}", vo.content);
    // An explicit, different source path is a contradiction.
    let mut c = GenerateConfig::all_defaults();
    c.init_volume.source_path = Some("/var/lib/ebpack/init".into());
    let e = generate::generate(&c, &seed).unwrap_err();
    assert!(e.message.contains("make them equal"), "{e}");
}

#[test]
fn every_generated_script_is_shellcheck_clean() {
    let mut checked = 0;
    for (config, dockerrun) in [
        (example_config(), todobackend_dockerrun()),
        (custom_config(), custom_dockerrun()),
    ] {
        let g = generate::generate(&config, &dockerrun).unwrap();
        for f in &g.files {
            if f.path.ends_with(".config") {
                for (name, script) in crate::support::host::shell_snippets(&f.content) {
                    let complaints = crate::support::host::shellcheck(&script);
                    assert!(complaints.is_empty(), "{} {name}:\n{complaints}", f.path);
                    checked += 1;
                }
            } else {
                assert!(f.content.starts_with("#!/bin/sh\n"), "{}", f.path);
                let complaints = crate::support::host::shellcheck(&f.content);
                assert!(complaints.is_empty(), "{}:\n{complaints}", f.path);
                checked += 1;
            }
        }
    }
    let complaints = crate::support::host::shellcheck(
        &generate::entrypoint_script(&EntrypointPaths::default()).unwrap(),
    );
    assert!(complaints.is_empty(), "entrypoint:\n{complaints}");
    assert_eq!(checked, 13, "every command, test and hook was checked");
}

#[test]
fn generated_files_are_lf_spaces_only_and_modes_are_right() {
    for (config, dockerrun) in [
        (example_config(), todobackend_dockerrun()),
        (custom_config(), custom_dockerrun()),
    ] {
        let g = generate::generate(&config, &dockerrun).unwrap();
        for f in &g.files {
            assert!(!f.content.contains('\r'), "{}", f.path);
            assert!(f.content.ends_with('\n'), "{}", f.path);
            if f.path.starts_with(".ebextensions/") {
                assert_eq!(f.mode, 0o644);
                for line in f.content.lines() {
                    assert!(!line.starts_with('\t'), "{}: tab indent", f.path);
                }
                assert!(!f.content.contains("{{"), "{}", f.path);
            } else {
                assert!(f.path.starts_with(".platform/confighooks/predeploy/"));
                assert_eq!(f.mode, 0o755);
            }
        }
    }
}

fn findings(report: &Report) -> Vec<String> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .map(|d| {
            format!(
                "{} {} {}:{} {}",
                d.code, d.file, d.line, d.column, d.message
            )
        })
        .collect()
}

#[test]
fn generated_files_and_the_rewritten_dockerrun_validate_without_warnings() {
    for platform in [Platform::EcsAl2, Platform::McAl1] {
        let options = Options {
            platform,
            ..Options::default()
        };
        for (mut config, dockerrun) in [
            (example_config(), todobackend_dockerrun()),
            (custom_config(), custom_dockerrun()),
        ] {
            // The confighook is needed on AL2 (R90); the Amazon Linux AMI
            // ignores `.platform/` (R94).
            config.rds_env.as_mut().unwrap().confighook = platform != Platform::McAl1;
            let g = generate::generate(&config, &dockerrun).unwrap();
            let mut report = Report::default();
            for f in g.files.iter().filter(|f| f.path.ends_with(".config")) {
                validate::validate_config_file(
                    &f.path,
                    f.content.as_bytes(),
                    &options,
                    None,
                    &mut report,
                );
            }
            let rewritten = g.dockerrun.clone().unwrap();
            validate::validate_dockerrun_file(
                "Dockerrun.aws.json",
                rewritten.as_bytes(),
                &options,
                None,
                &mut report,
            );
            let mut before = Report::default();
            validate::validate_dockerrun_file(
                "Dockerrun.aws.json",
                dockerrun.as_bytes(),
                &options,
                None,
                &mut before,
            );
            // The rewrite adds no finding the user's file did not have.
            let codes_before: Vec<&str> = before.diagnostics.iter().map(|d| d.code).collect();
            report
                .diagnostics
                .retain(|d| !(d.file == "Dockerrun.aws.json" && codes_before.contains(&d.code)));
            assert_eq!(findings(&report), Vec::<String>::new(), "{platform:?}");

            // The whole bundle: the example folder plus the generated files.
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("Dockerrun.aws.json"), &rewritten).unwrap();
            // custom_dockerrun() mounts /var/app/current/static (R51).
            std::fs::create_dir(dir.path().join("static")).unwrap();
            std::fs::write(dir.path().join("static/site.css"), "body {}\n").unwrap();
            generate::write_files(dir.path(), &g.files).unwrap();
            let bundle = validate::read_dir(dir.path(), None).unwrap();
            let report = validate::validate_bundle(&bundle, &options);
            let new: Vec<String> = findings(&report)
                .into_iter()
                .filter(|f| !codes_before.iter().any(|c| f.starts_with(&format!("{c} "))))
                .collect();
            assert_eq!(new, Vec::<String>::new(), "{platform:?} bundle");
        }
    }
}

#[test]
fn settings_errors_are_clear() {
    let cases: &[(&str, &str)] = &[
        (
            "generate: {docker_grup: true}",
            "unknown field `docker_grup`",
        ),
        ("generate: {docker_group: {usr: x}}", "unknown field `usr`"),
        (
            "generate: {volume_ownership: {owner: app:app}}",
            "numeric `uid:gid`",
        ),
        (
            "generate: {init_volume: {file_mode: \"0644\"}}",
            "not allowed",
        ),
        ("generate: {rds_env: [1]}", "`true`, `false` or a mapping"),
    ];
    for (yaml, want) in cases {
        let e = parse_config(yaml).unwrap_err();
        assert!(e.contains(want), "{yaml}: {e}");
    }
    // Shorthands.
    let c = parse_config(
        "generate: {docker_group: true, migrations: false, rds_env: {enabled: false}}",
    )
    .unwrap();
    assert!(c.docker_group().is_some() && c.migrations().is_none() && c.rds_env().is_none());
    let c = parse_config("generate: {volume_ownership: {owner: 33:33}}").unwrap();
    assert_eq!(c.volume_ownership().unwrap().owner.to_string(), "33:33");

    let dr = todobackend_dockerrun();
    let gen_err = |c: GenerateConfig, dr: &str| generate::generate(&c, dr).unwrap_err().message;
    let with_init = |iv: InitVolume| GenerateConfig {
        migrations: Some(Migrations::default()),
        init_volume: iv,
        ..GenerateConfig::default()
    };
    let cases: Vec<(String, &str)> = vec![
        (
            gen_err(
                with_init(InitVolume {
                    containers: Some(vec!["web".into()]),
                    ..InitVolume::default()
                }),
                &dr,
            ),
            "`web`, which is not a container",
        ),
        (
            gen_err(
                with_init(InitVolume {
                    source_path: Some("/var/app/current/init".into()),
                    ..InitVolume::default()
                }),
                &dr,
            ),
            "under /var/app",
        ),
        (
            gen_err(
                with_init(InitVolume {
                    source_path: Some("/etc/app".into()),
                    ..InitVolume::default()
                }),
                &dr,
            ),
            "system folder",
        ),
        (
            gen_err(
                with_init(InitVolume {
                    container_path: "init".into(),
                    ..InitVolume::default()
                }),
                &dr,
            ),
            "normalised absolute path",
        ),
        (
            gen_err(with_init(InitVolume::default()), ""),
            "need a Dockerrun.aws.json",
        ),
        (
            gen_err(
                with_init(InitVolume::default()),
                r#"{"AWSEBDockerrunVersion": "1", "Image": {"Name": "x"}}"#,
            ),
            "AWSEBDockerrunVersion",
        ),
        (
            gen_err(
                GenerateConfig {
                    docker_group: Some(DockerGroup {
                        user: "ec2 user".into(),
                        ..DockerGroup::default()
                    }),
                    ..GenerateConfig::default()
                },
                &dr,
            ),
            "not a valid user name",
        ),
        (
            gen_err(
                GenerateConfig {
                    rds_env: Some(RdsEnv {
                        mapping: [("MYSQL-HOST".to_owned(), "RDS_HOSTNAME".to_owned())].into(),
                        ..RdsEnv::default()
                    }),
                    ..GenerateConfig::default()
                },
                &dr,
            ),
            "not a variable name",
        ),
        (
            gen_err(
                GenerateConfig {
                    migrations: Some(Migrations {
                        command: "  \n".into(),
                        ..Migrations::default()
                    }),
                    ..GenerateConfig::default()
                },
                &dr,
            ),
            "command is empty",
        ),
        (
            gen_err(
                GenerateConfig {
                    migrations: Some(Migrations {
                        file: "../x".into(),
                        ..Migrations::default()
                    }),
                    ..GenerateConfig::default()
                },
                &dr,
            ),
            "plain file name",
        ),
    ];
    for (msg, want) in cases {
        assert!(msg.contains(want), "want {want:?} in {msg:?}");
    }
    // docker_group alone needs no Dockerrun at all.
    let g = generate::generate(
        &GenerateConfig {
            docker_group: Some(DockerGroup::default()),
            ..GenerateConfig::default()
        },
        "",
    )
    .unwrap();
    assert_eq!(g.files.len(), 1);
    assert_eq!(g.dockerrun, None);
    // Nothing enabled: nothing generated.
    assert_eq!(
        generate::generate(&GenerateConfig::default(), &dr).unwrap(),
        Generated::default()
    );
}

#[test]
fn volume_ownership_skips_system_and_bundle_paths() {
    let config = GenerateConfig {
        volume_ownership: Some(VolumeOwnership::default()),
        ..GenerateConfig::default()
    };
    let g = generate::generate(&config, &custom_dockerrun()).unwrap();
    let f = &g.files[0];
    assert!(
        f.content
            .contains("set -- /tmp/public /srv/cache '/data/app files'\n")
    );
    assert!(f.content.contains(
        "# Left alone: volume \"docker_sock\" at \"/var/run/docker.sock\": a system path."
    ));
    assert!(!f.content.contains("/var/app/current/static"));
    // Only system/bundle volumes: no file at all (an empty config is invalid YAML for EB).
    let only_sock = r#"{"AWSEBDockerrunVersion": 2,
      "volumes": [{"name": "s", "host": {"sourcePath": "/var/run/docker.sock"}}],
      "containerDefinitions": [{"name": "a", "essential": true}]}"#;
    assert!(
        generate::generate(&config, only_sock)
            .unwrap()
            .files
            .is_empty()
    );
}

#[test]
fn write_never_replaces_a_different_user_file() {
    let g = generate::generate(&example_config(), &todobackend_dockerrun()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let done = generate::write_files(dir.path(), &g.files).unwrap();
    assert!(done.iter().all(|(_, o)| *o == WriteOutcome::Created));
    use std::os::unix::fs::PermissionsExt;
    let hook = dir.path().join(generate::ENV_HOOK_PATH);
    assert_eq!(
        std::fs::metadata(&hook).unwrap().permissions().mode() & 0o777,
        0o755
    );
    // Again: identical files are fine.
    let done = generate::write_files(dir.path(), &g.files).unwrap();
    assert!(done.iter().all(|(_, o)| *o == WriteOutcome::Unchanged));
    // A user file with the same name and other content stops everything.
    let user = dir.path().join(generate::MIGRATIONS_PATH);
    std::fs::write(&user, "commands: {}\n").unwrap();
    std::fs::remove_file(dir.path().join(generate::DOCKER_GROUP_PATH)).unwrap();
    match generate::write_files(dir.path(), &g.files) {
        Err(WriteError::Conflict(paths)) => assert_eq!(paths, std::slice::from_ref(&user)),
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read_to_string(&user).unwrap(), "commands: {}\n");
    assert!(
        !dir.path().join(generate::DOCKER_GROUP_PATH).exists(),
        "nothing written on conflict"
    );
}

fn ebpack(args: &[&str], cwd: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ebpack"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

#[test]
fn cli_generate_prints_writes_and_entrypoint_prints() {
    let project = tempfile::tempdir().unwrap();
    let root = project.path();
    std::fs::create_dir_all(root.join("eb")).unwrap();
    std::fs::write(root.join("eb/Dockerrun.aws.json"), todobackend_dockerrun()).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/ebpack.yaml"),
        root.join("ebpack.yaml"),
    )
    .unwrap();

    let out = ebpack(&["generate"], root);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("==> .ebextensions/000_ebpack_03_env.config (mode 0644) <=="));
    assert!(stdout.contains("==> Dockerrun.aws.json (as `ebpack build` rewrites it"));
    assert!(
        !root.join("eb/.ebextensions").exists(),
        "printing writes nothing"
    );

    let out = ebpack(&["generate", "eb", "--write"], root);
    assert!(out.status.success(), "{out:?}");
    assert!(root.join("eb").join(generate::ENV_HOOK_PATH).exists());
    assert_eq!(
        std::fs::read_to_string(root.join("eb/Dockerrun.aws.json")).unwrap(),
        todobackend_dockerrun(),
        "the user's Dockerrun is left alone"
    );
    std::fs::write(root.join("eb").join(generate::ENV_PATH), "# mine\n").unwrap();
    let out = ebpack(&["generate", "eb", "--write"], root);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("never overwrites a user file"));

    let out = ebpack(&["entrypoint"], root);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        generate::entrypoint_script(&EntrypointPaths::default()).unwrap()
    );
    let out = ebpack(&["entrypoint", "--env-file", "/run/env"], root);
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("ebpack_env_file=/run/env\n")
    );

    std::fs::write(root.join("ebpack.yaml"), "generate: {rds_env: {oops: 1}}\n").unwrap();
    let out = ebpack(&["generate"], root);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field `oops`"));
}
