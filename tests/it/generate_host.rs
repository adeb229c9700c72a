//! Runs the generated `.ebextensions`, confighook and entrypoint for real on
//! a fake EB host (see `support::host`). Needs root (real chown).

use crate::support::host::{Host, HostKind, parse_env0};
use ebpack::generate::{
    self, EntrypointPaths, GenerateConfig, Generated, InitVolume, Migrations, RdsEnv,
};
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::support::{example_generate_config as example_config, todobackend_dockerrun};

const INIT: &str = "/var/lib/ebpack/init";
const PUBLIC: &str = "/tmp/public";
const MIGRATE_MARK: &str = "ebpack-test-migrate";

/// The example settings, with a migration command the test can observe
/// (it also proves the commands see the loaded variables), and two extra
/// mappings: one whose property is empty, one whose property is missing.
fn test_config() -> GenerateConfig {
    let mut c = example_config();
    c.migrations = Some(Migrations {
        command: format!(
            "echo \"{MIGRATE_MARK}: user=$MYSQL_USER password-set=${{MYSQL_PASSWORD:+yes}}\" >&2"
        ),
        ..Migrations::default()
    });
    let env = c.rds_env.as_mut().unwrap();
    env.mapping
        .insert("EMPTY_VALUE".into(), "EMPTY_PROP".into());
    env.mapping.insert("MISSING_VALUE".into(), "NOT_SET".into());
    env.mapping.insert("APP_SECRET".into(), "SECRET_KEY".into());
    c
}

const BRIEF_PASSWORD: &str = "p@ss w'o\"rd$(touch /tmp/x)";

/// EB environment properties with hostile values. `marks` is a folder the
/// values try to create files in, should anything evaluate them.
fn hostile_props(marks: &Path) -> BTreeMap<String, String> {
    let m = marks.display();
    let password = format!(
        "p@ss w'o\"rd$(touch {m}/dollar) `touch {m}/backtick` ; touch {m}/semicolon && x=1 | y\n\
         line two\\n \\\\ \\c \\0101 %s %b $HOME ${{PATH}} 'single' \"double\" \
         пароль 密码 🔑\ttab\r\n\n"
    );
    [
        ("RDS_HOSTNAME", "-e \\t-n db.example.com".to_owned()),
        ("RDS_PORT", "3306".to_owned()),
        ("RDS_USERNAME", BRIEF_PASSWORD.to_owned()),
        ("RDS_PASSWORD", password),
        ("RDS_DB_NAME", "=a=b= #not a comment\\".to_owned()),
        ("EMPTY_PROP", String::new()),
        (
            "SECRET_KEY",
            "k=v;$(touch MARK)".replace("MARK", &format!("{m}/secret")),
        ),
        ("UNMAPPED", "never exported".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

struct Setup {
    host: Host,
    generated: Generated,
    config: GenerateConfig,
    marks: tempfile::TempDir,
    props: BTreeMap<String, String>,
    brief_marker_existed: bool,
}

fn setup(kind: HostKind, config: GenerateConfig) -> Setup {
    let marks = tempfile::tempdir().unwrap();
    let props = hostile_props(marks.path());
    let host = Host::new(kind, &props, &[INIT, PUBLIC]);
    let generated = generate::generate(&config, &todobackend_dockerrun()).unwrap();
    Setup {
        host,
        generated,
        config,
        marks,
        props,
        brief_marker_existed: Path::new("/tmp/x").exists(),
    }
}

impl Setup {
    fn deploy(&self, leader: bool) -> crate::support::host::DeployLog {
        self.host
            .deploy(
                &self.generated.files,
                self.generated.dockerrun.as_deref(),
                leader,
            )
            .unwrap_or_else(|log| panic!("deployment failed: {log:#?}"))
    }

    /// The entrypoint as the container sees it: same script, with the
    /// container paths (`/init/...`) pointing at the host folder.
    fn entrypoint(&self) -> String {
        let paths = EntrypointPaths::from_config(&self.config);
        assert_eq!(paths.env_file, "/init/environment");
        assert_eq!(paths.commands_file, "/init/commands");
        generate::entrypoint_script(&EntrypointPaths {
            env_file: self
                .host
                .path(INIT)
                .join("environment")
                .display()
                .to_string(),
            commands_file: self.host.path(INIT).join("commands").display().to_string(),
        })
        .unwrap()
    }

    fn expected_env(&self) -> BTreeMap<String, String> {
        let mapping = &self.config.rds_env.as_ref().unwrap().mapping;
        mapping
            .iter()
            .filter_map(|(name, source)| Some((name.clone(), self.props.get(source)?.clone())))
            .collect()
    }

    fn assert_nothing_evaluated(&self) {
        let made: Vec<_> = std::fs::read_dir(self.marks.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(made.is_empty(), "a value was evaluated: {made:?}");
        if !self.brief_marker_existed {
            assert!(!Path::new("/tmp/x").exists(), "/tmp/x was created");
        }
    }

    /// Runs the entrypoint with `shell` as uid 1000, CMD = `env -0`;
    /// returns the variables that came from the env file, and stderr.
    fn container_env(&self, shell: &[&str]) -> (BTreeMap<String, String>, String) {
        let out =
            self.host
                .run_entrypoint(&self.entrypoint(), shell, 1000, &["/usr/bin/env", "-0"]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "entrypoint failed: {stderr}");
        let mut env = parse_env0(&out.stdout);
        for k in ["PATH", "TMPDIR", "HOME", "PWD", "OLDPWD", "SHLVL", "_"] {
            env.remove(k);
        }
        (env, stderr)
    }
}

fn meta(p: &Path) -> (u32, u32, u32) {
    let m = std::fs::metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    (m.mode() & 0o7777, m.uid(), m.gid())
}

fn check_first_deployment(kind: HostKind) {
    let s = setup(kind, test_config());
    // Something root-owned already in the public volume (e.g. from a
    // container that ran as root before).
    std::fs::create_dir_all(s.host.path(PUBLIC).join("css")).unwrap();
    std::fs::write(s.host.path(PUBLIC).join("css/site.css"), "body{}").unwrap();

    let log = s.deploy(true);
    assert_eq!(
        log.steps
            .iter()
            .map(|s| (s.2.as_str(), s.3.as_str()))
            .collect::<Vec<_>>(),
        [
            ("00_ebpack_docker_group", "ran"),
            ("00_ebpack_volume_ownership", "ran"),
            ("00_ebpack_env", "ran"),
            ("00_ebpack_clear_commands", "ran"),
            ("01_ebpack_commands", "ran"),
        ],
        "EB order: commands of every file, then container commands; {log:#?}"
    );
    assert!(
        log.stderr
            .contains("ebpack: NOT_SET is not set; MISSING_VALUE is left out of the env file"),
        "{}",
        log.stderr
    );

    // 1. docker group
    let group = std::fs::read_to_string(s.host.path("/etc/group")).unwrap();
    assert!(group.contains("\ndocker:x:992:ec2-user\n"), "{group}");
    // 2. volume ownership, recursively
    for p in ["", "css", "css/site.css"] {
        let (_, uid, gid) = meta(&s.host.path(PUBLIC).join(p));
        assert_eq!((uid, gid), (1000, 1000), "{PUBLIC}/{p}");
    }
    // 3. env file: mode, owner, nothing else left in the folder
    assert_eq!(meta(&s.host.path(INIT)), (0o700, 1000, 1000));
    let env_file = s.host.path(INIT).join("environment");
    assert_eq!(meta(&env_file), (0o600, 1000, 1000));
    let mut names: Vec<String> = std::fs::read_dir(s.host.path(INIT))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["commands", "environment"],
        "no temporary files left"
    );
    let text = std::fs::read_to_string(&env_file).unwrap();
    assert!(
        text.contains("\nMYSQL_PORT=3306\n") && text.contains("\nEMPTY_VALUE=\n"),
        "{text}"
    );
    assert!(!text.contains("MISSING_VALUE") && !text.contains("never exported"));
    // 4. the leader has the pending command, mode and owner right
    let commands = s.host.path(INIT).join("commands");
    assert_eq!(meta(&commands), (0o600, 1000, 1000));
    assert!(
        std::fs::read_to_string(&commands)
            .unwrap()
            .contains(MIGRATE_MARK)
    );

    // The container: every shell the image may have, as the app user.
    let expected = s.expected_env();
    assert_eq!(expected.len(), 7, "{expected:#?}");
    for shell in [&["/bin/dash"][..], &["/bin/bash"], &["/bin/busybox", "sh"]] {
        let (env, stderr) = s.container_env(shell);
        assert_eq!(env, expected, "exact values under {shell:?}");
        assert!(
            stderr.contains(&format!(
                "{MIGRATE_MARK}: user={BRIEF_PASSWORD} password-set=yes"
            )),
            "the pending command ran with the variables under {shell:?}: {stderr}"
        );
    }
    s.assert_nothing_evaluated();
}

#[test]
fn al2_first_deployment_on_the_leader_does_what_the_seed_intended() {
    check_first_deployment(HostKind::Al2);
}

#[test]
fn al1_first_deployment_reads_containerconfiguration() {
    check_first_deployment(HostKind::Al1);
}

#[test]
fn a_second_deployment_changes_nothing() {
    for kind in [HostKind::Al2, HostKind::Al1] {
        let s = setup(kind, test_config());
        s.deploy(true);
        let first = s.host.snapshot();
        s.deploy(true);
        let second = s.host.snapshot();
        let changed: Vec<_> = first
            .keys()
            .chain(second.keys())
            .filter(|k| first.get(*k) != second.get(*k))
            .collect();
        assert!(
            changed.is_empty(),
            "{kind:?}: changed by a redeploy: {changed:?}"
        );
        let env = &second["var/lib/ebpack/init/environment"].0;
        assert_eq!(
            String::from_utf8_lossy(env)
                .matches("MYSQL_PASSWORD=")
                .count(),
            1,
            "no growth"
        );
    }
}

#[test]
fn an_instance_that_is_no_longer_leader_has_no_pending_commands() {
    let s = setup(HostKind::Al2, test_config());
    let log = s.deploy(true);
    assert_eq!(log.outcome("01_ebpack_commands"), Some("ran"));
    assert!(s.host.path(INIT).join("commands").exists());

    let log = s.deploy(false);
    assert_eq!(log.outcome("00_ebpack_clear_commands"), Some("ran"));
    assert_eq!(
        log.outcome("01_ebpack_commands"),
        Some("skipped (not leader)")
    );
    assert!(!s.host.path(INIT).join("commands").exists());
    let (env, stderr) = s.container_env(&["/bin/dash"]);
    assert_eq!(env, s.expected_env(), "the env file is still written");
    assert!(!stderr.contains(MIGRATE_MARK), "no migration: {stderr}");
    assert!(!stderr.contains("running"), "{stderr}");
}

#[test]
fn a_configuration_deployment_rewrites_the_env_file_through_the_confighook() {
    let s = setup(HostKind::Al2, test_config());
    s.deploy(true);
    let commands_before = std::fs::read(s.host.path(INIT).join("commands")).unwrap();

    let mut props = s.props.clone();
    props.insert("RDS_PASSWORD".into(), "rotated $(no) `no` 'x'\n".into());
    props.insert("RDS_HOSTNAME".into(), "db2.example.com".into());
    s.host.set_props(&props);
    let log = s.host.config_deploy().unwrap();
    assert_eq!(log.outcome("000_ebpack_env.sh"), Some("ran"), "{log:#?}");

    let env_file = s.host.path(INIT).join("environment");
    assert_eq!(meta(&env_file), (0o600, 1000, 1000));
    let (env, _) = s.container_env(&["/bin/dash"]);
    assert_eq!(env["MYSQL_PASSWORD"], "rotated $(no) `no` 'x'\n");
    assert_eq!(env["MYSQL_HOST"], "db2.example.com");
    assert_eq!(
        std::fs::read(s.host.path(INIT).join("commands")).unwrap(),
        commands_before,
        "the confighook leaves the pending commands alone"
    );
    s.assert_nothing_evaluated();
}

#[test]
fn docker_group_is_skipped_when_the_host_has_no_docker_group() {
    let s = setup(HostKind::Al2, test_config());
    let group = s.host.path("/etc/group");
    std::fs::write(&group, "root:x:0:\nec2-user:x:1000:\n").unwrap();
    let log = s.deploy(true);
    assert_eq!(
        log.outcome("00_ebpack_docker_group"),
        Some("skipped (test failed)")
    );
    assert_eq!(
        std::fs::read_to_string(&group).unwrap(),
        "root:x:0:\nec2-user:x:1000:\n"
    );
}

#[test]
fn the_writer_fails_loudly_without_a_configuration_source() {
    let s = setup(HostKind::Al2, test_config());
    s.host.remove_config_sources();
    let log = s
        .host
        .deploy(&s.generated.files, s.generated.dockerrun.as_deref(), true)
        .expect_err("must fail");
    let last = log.steps.last().unwrap();
    assert_eq!(last.2, "00_ebpack_env");
    assert!(last.3.contains("found neither"), "{last:?}");
}

#[test]
fn another_user_cannot_read_the_env_file_and_the_entrypoint_says_so() {
    let s = setup(HostKind::Al2, test_config());
    s.deploy(true);
    let out = s
        .host
        .run_entrypoint(&s.entrypoint(), &["/bin/dash"], 1001, &["/bin/true"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("generate.init_volume.owner"), "{stderr}");
}

#[test]
fn group_readable_mode_is_honoured() {
    let mut config = test_config();
    config.init_volume = InitVolume {
        file_mode: serde_saphyr::from_str("\"0640\"").unwrap(),
        ..config.init_volume.clone()
    };
    let s = setup(HostKind::Al2, config);
    s.deploy(true);
    assert_eq!(meta(&s.host.path(INIT)), (0o750, 1000, 1000));
    assert_eq!(
        meta(&s.host.path(INIT).join("environment")),
        (0o640, 1000, 1000)
    );
    assert_eq!(
        meta(&s.host.path(INIT).join("commands")),
        (0o640, 1000, 1000)
    );
}

#[test]
fn entrypoint_passes_arguments_through_and_needs_a_command() {
    let s = setup(HostKind::Al2, test_config());
    s.deploy(false);
    let out = s.host.run_entrypoint(
        &s.entrypoint(),
        &["/bin/dash"],
        1000,
        &["/usr/bin/printf", "[%s]", "a b", "$(c)", "", "*"],
    );
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[a b][$(c)][][*]");
    let out = s
        .host
        .run_entrypoint(&s.entrypoint(), &["/bin/dash"], 1000, &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn env_file_format_is_line_per_variable_with_two_escapes() {
    let config = GenerateConfig {
        rds_env: Some(RdsEnv::default()),
        ..GenerateConfig::default()
    };
    let props: BTreeMap<String, String> = [
        ("RDS_HOSTNAME", "h"),
        ("RDS_PORT", "3306"),
        ("RDS_USERNAME", "a b"),
        ("RDS_PASSWORD", "x\\ny\nz\\"),
        ("RDS_DB_NAME", "ebdb"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let host = Host::new(HostKind::Al2, &props, &[INIT, PUBLIC]);
    let generated = generate::generate(&config, &todobackend_dockerrun()).unwrap();
    host.deploy(&generated.files, generated.dockerrun.as_deref(), true)
        .unwrap();
    let text = std::fs::read_to_string(host.path(INIT).join("environment")).unwrap();
    assert_eq!(
        text,
        "# Written by ebpack on every deployment: NAME=value lines; in values\n\
         # \\\\ stands for a backslash and \\n for a newline. Do not edit.\n\
         MYSQL_DATABASE=ebdb\n\
         MYSQL_HOST=h\n\
         MYSQL_PASSWORD=x\\\\ny\\nz\\\\\n\
         MYSQL_PORT=3306\n\
         MYSQL_USER=a b\n"
    );
}
