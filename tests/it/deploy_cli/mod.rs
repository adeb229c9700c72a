//! `ebpack publish` and `ebpack deploy` as a user or a pipeline runs them:
//! the real binary against the local AWS emulator, asserting on exit codes,
//! stderr (progress, events, errors with their help) and `--output json` /
//! `$GITHUB_OUTPUT`.
//!
//! Every run gets a cleared environment (no `AWS_*`, `EBPACK_*`, `HOME` or
//! `GITHUB_OUTPUT` leak in from the machine running the tests) and a
//! distinctive secret key that must never show up in its output.

use crate::support::emulator::{Delays, Emulator, REGION, unique_name};
use crate::support::project::{BIN, sha256};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The secret key every run gets; no output may contain it.
const SECRET: &str = "EbpackTestSecretKey+9f3c1e7a/d0-not-pr1nt";
/// A session token, equally secret.
const TOKEN: &str = "EbpackTestSessionToken-4b8e2a61-never-shown";
/// Fast polling (hidden flags) so the waits take a fraction of a second.
const FAST: [&str; 4] = ["--poll-min", "50ms", "--poll-max", "200ms"];

// --- running the binary -------------------------------------------------------

/// What a run printed and how it ended.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {} after {:.1} s\n--- stdout\n{}--- stderr\n{}",
            self.code,
            self.elapsed.as_secs_f64(),
            self.stdout,
            self.stderr
        )
    }
}

impl Run {
    /// The one JSON object `--output json` prints on stdout.
    fn json(&self) -> Value {
        let lines: Vec<&str> = self.stdout.lines().collect();
        assert_eq!(lines.len(), 1, "one JSON line on stdout:\n{self}");
        serde_json::from_str(lines[0])
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self}"))
    }

    fn assert_code(&self, code: i32) {
        assert_eq!(self.code, code, "{self}");
    }

    fn assert_stderr(&self, needle: &str) {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{self}"
        );
    }
}

/// The variables pointing a run at `emu`, with the test's secret key and
/// session token instead of the emulator's `testing`. They are the only
/// credentials a run has (its `HOME` is empty), so every run that reaches
/// the emulator has read the secret.
fn aws_env(emu: &Emulator) -> Vec<(String, String)> {
    let mut vars: Vec<(String, String)> = emu
        .env_vars()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    for (k, v) in &mut vars {
        if k == "AWS_SECRET_ACCESS_KEY" {
            *v = SECRET.to_owned();
        }
    }
    assert!(
        vars.iter()
            .any(|(k, v)| k == "AWS_SECRET_ACCESS_KEY" && v == SECRET),
        "the emulator's variables name the secret key: {vars:?}"
    );
    vars.push(("AWS_SESSION_TOKEN".into(), TOKEN.into()));
    vars
}

/// `aws_env` without the variables named in `drop`.
fn aws_env_without(emu: &Emulator, drop: &[&str]) -> Vec<(String, String)> {
    aws_env(emu)
        .into_iter()
        .filter(|(k, _)| !drop.contains(&k.as_str()))
        .collect()
}

/// Runs `ebpack args` in `cwd` with a cleared environment plus `env`; checks
/// that neither stream holds the secret key or the session token.
fn ebpack(cwd: &Path, args: &[&str], env: &[(String, String)]) -> Run {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(BIN);
    cmd.current_dir(cwd)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        // No ~/.aws/config or credentials of the machine running the tests.
        .env("HOME", home.path())
        .env("NO_COLOR", "1")
        .env("GIT_CEILING_DIRECTORIES", cwd.parent().unwrap_or(cwd));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let out = cmd.output().expect("run ebpack");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: started.elapsed(),
    };
    for secret in [SECRET, TOKEN] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "a secret was printed by `ebpack {}`:\n{run}",
            args.join(" ")
        );
    }
    run
}

/// `args` followed by `extra`.
fn with<'a>(args: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    args.iter().chain(extra).copied().collect()
}

// --- a project ----------------------------------------------------------------

/// A project folder with a minimal valid bundle folder `eb/`.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    /// `eb/` with a Dockerrun v2 and a `VERSION` file holding `content`
    /// (different contents give different zips).
    fn new(content: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let dockerrun = serde_json::json!({
            "AWSEBDockerrunVersion": 2,
            "containerDefinitions": [{
                "name": "web", "image": "nginx:1.27", "essential": true, "memory": 128,
                "portMappings": [{"hostPort": 80, "containerPort": 80}]
            }]
        });
        let eb = dir.path().join("eb");
        std::fs::create_dir_all(&eb).unwrap();
        std::fs::write(
            eb.join("Dockerrun.aws.json"),
            serde_json::to_string_pretty(&dockerrun).unwrap(),
        )
        .unwrap();
        let p = Project { dir };
        p.set_content(content);
        p
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn set_content(&self, content: &str) {
        std::fs::write(self.path().join("eb/VERSION"), content).unwrap();
    }

    /// The zip `build` wrote for `app`/`label`.
    fn zip(&self, app: &str, label: &str) -> PathBuf {
        self.path().join("dist").join(format!("{app}-{label}.zip"))
    }

    /// Runs ebpack here against `emu`.
    fn run(&self, emu: &Emulator, args: &[&str]) -> Run {
        ebpack(self.path(), args, &aws_env(emu))
    }

    /// `ebpack publish eb --app APP --label LABEL --create-app`, which must succeed.
    fn publish(&self, emu: &Emulator, app: &str, label: &str) -> Value {
        let r = self.run(
            emu,
            &[
                "publish",
                "eb",
                "--app",
                app,
                "--label",
                label,
                "--create-app",
                "--output",
                "json",
            ],
        );
        r.assert_code(0);
        r.json()
    }
}

// --- the emulator through the SDK ---------------------------------------------

fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// A Ready environment of `app` running `label` (already published), whose
/// updates take `update`.
fn create_env(emu: &Emulator, app: &str, label: &str, update: Duration) -> String {
    let env = unique_name("env");
    emu.set_environment_delays(
        &env,
        Delays {
            launch: Some(Duration::from_millis(200)),
            update: Some(update),
            ..Delays::default()
        },
    );
    block_on(emu.create_ready_environment(app, &env, label));
    env
}

/// An environment's `(status, version label, health)`.
fn env_state(emu: &Emulator, env: &str) -> (String, Option<String>, String) {
    block_on(async {
        let out = emu
            .eb_client()
            .await
            .describe_environments()
            .environment_names(env)
            .include_deleted(false)
            .send()
            .await
            .unwrap();
        let e = &out.environments()[0];
        (
            e.status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            e.version_label().map(str::to_owned),
            e.health()
                .map(|h| h.as_str().to_owned())
                .unwrap_or_default(),
        )
    })
}

/// How many deployments were started on `env` (its "update is starting" events).
fn updates_started(emu: &Emulator, env: &str) -> usize {
    block_on(async {
        let out = emu
            .eb_client()
            .await
            .describe_events()
            .environment_name(env)
            .max_records(1000)
            .send()
            .await
            .unwrap();
        out.events()
            .iter()
            .filter(|e| e.message() == Some("Environment update is starting."))
            .count()
    })
}

/// Whether `app` has a version `label`.
fn version_exists(emu: &Emulator, app: &str, label: &str) -> bool {
    block_on(async {
        !emu.eb_client()
            .await
            .describe_application_versions()
            .application_name(app)
            .version_labels(label)
            .send()
            .await
            .unwrap()
            .application_versions()
            .is_empty()
    })
}

/// `project` published as `v0` to a new application, and a Ready
/// environment running it.
fn app_with_env(emu: &Emulator, project: &Project, update: Duration) -> (String, String) {
    let app = unique_name("app");
    project.publish(emu, &app, "v0");
    let env = create_env(emu, &app, "v0", update);
    (app, env)
}

fn deploy_args<'a>(app: &'a str, env: &'a str, label: &'a str) -> Vec<&'a str> {
    with(
        &[
            "deploy", "eb", "--env", env, "--app", app, "--label", label, "--output", "json",
        ],
        &FAST,
    )
}

// --- publish --------------------------------------------------------------------

mod aws_setup;
mod operate;
mod publish_deploy;
mod races;
mod terminal;
