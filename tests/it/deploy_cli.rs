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

#[test]
fn publish_uploads_once_reuses_the_same_bundle_and_refuses_other_content_under_its_label() {
    // Counting calls needs an emulator no other test talks to.
    let emu = Emulator::start();
    let p = Project::new("one");
    let app = unique_name("app");
    let args = [
        "publish",
        "eb",
        "--app",
        &app,
        "--label",
        "v1",
        "--create-app",
        "--output",
        "json",
    ];

    let first = p.run(&emu, &args);
    first.assert_code(0);
    let j = first.json();
    let digest = sha256(&p.zip(&app, "v1"));
    assert_eq!(j["application"], app.as_str(), "{first}");
    assert_eq!(j["label"], "v1");
    assert_eq!(j["sha256"], digest.as_str());
    assert_eq!(j["uploaded"], true);
    assert_eq!(j["version"], "created");
    assert_eq!(
        j["bucket"],
        format!("elasticbeanstalk-{REGION}-123456789012")
    );
    assert_eq!(j["key"], format!("{app}/v1.zip"));
    first.assert_stderr("uploading");
    first.assert_stderr("created application version `v1`");
    assert!(version_exists(&emu, &app, "v1"));
    let puts = emu.calls_to("PutObject").len();
    let creates = emu.calls_to("CreateApplicationVersion").len();
    assert_eq!((puts, creates), (1, 1), "{:?}", emu.calls());

    // The same bundle again (the build is deterministic): reused, nothing sent.
    let again = p.run(&emu, &args);
    again.assert_code(0);
    let j = again.json();
    assert_eq!(j["uploaded"], false, "{again}");
    assert_eq!(j["version"], "reused");
    assert_eq!(j["sha256"], digest.as_str());
    again.assert_stderr("reusing it (nothing uploaded)");
    // The already built zip, label and app from the manifest beside it: reused too.
    let zip = p.zip(&app, "v1");
    let bundle = p.run(
        &emu,
        &[
            "publish",
            "--bundle",
            zip.to_str().unwrap(),
            "--output",
            "json",
        ],
    );
    bundle.assert_code(0);
    assert_eq!(bundle.json()["version"], "reused", "{bundle}");
    assert_eq!(bundle.json()["application"], app.as_str());
    assert_eq!(emu.calls_to("PutObject").len(), puts);
    assert_eq!(emu.calls_to("CreateMultipartUpload").len(), 0);
    assert_eq!(emu.calls_to("CreateApplicationVersion").len(), creates);

    // A zip built elsewhere with a broken Dockerrun is validated like a
    // build and never reaches AWS; a file that is no zip at all neither.
    let broken = p.path().join("broken.zip");
    {
        let mut w = zip::ZipWriter::new(std::fs::File::create(&broken).unwrap());
        w.start_file(
            "Dockerrun.aws.json",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        std::io::Write::write_all(
            &mut w,
            br#"{"AWSEBDockerrunVersion": 2, "containerDefinitions": "no"}"#,
        )
        .unwrap();
        w.finish().unwrap();
    }
    let not_zip = p.path().join("not.zip");
    std::fs::write(&not_zip, "hello").unwrap();
    let calls = emu.calls().len();
    for (zip, says) in [
        (&broken, "Dockerrun.aws.json:1:"),
        (&not_zip, "is not a readable zip archive"),
    ] {
        let r = p.run(
            &emu,
            &[
                "publish",
                "--bundle",
                zip.to_str().unwrap(),
                "--label",
                "v9",
            ],
        );
        r.assert_code(1);
        r.assert_stderr(says);
    }
    assert_eq!(emu.calls().len(), calls, "no AWS call for a broken bundle");

    // Other content under the same label: a hard error naming both digests.
    p.set_content("two");
    let conflict = p.run(&emu, &args);
    let other = sha256(&p.zip(&app, "v1"));
    assert_ne!(other, digest);
    conflict.assert_code(2);
    assert_eq!(conflict.stdout, "", "no JSON for a failed publish");
    conflict.assert_stderr("already exists with different content");
    conflict.assert_stderr(&digest);
    conflict.assert_stderr(&other);
    conflict.assert_stderr("help: use a new `--label`");
    assert_eq!(emu.calls_to("PutObject").len(), puts);
    assert_eq!(emu.calls_to("CreateApplicationVersion").len(), creates);
}

#[test]
fn publish_without_create_app_names_the_flag() {
    let emu = Emulator::shared();
    let p = Project::new("x");
    let app = unique_name("app");
    let r = p.run(emu, &["publish", "eb", "--app", &app, "--label", "v1"]);
    r.assert_code(2);
    r.assert_stderr(&format!("application `{app}` does not exist"));
    r.assert_stderr("--create-app");
    assert!(
        !version_exists(emu, &app, "v1"),
        "a version was created: {r}"
    );
}

// --- deploy ---------------------------------------------------------------------

#[test]
fn deploy_streams_events_waits_for_the_new_label_and_reports_it() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let (app, env) = app_with_env(emu, &p, Duration::from_millis(600));
    p.set_content("v1");
    let gh = p.path().join("github-output.txt");
    std::fs::write(&gh, "earlier=kept\n").unwrap();
    let mut vars = aws_env(emu);
    vars.push(("GITHUB_OUTPUT".into(), gh.display().to_string()));

    let r = ebpack(p.path(), &deploy_args(&app, &env, "v1"), &vars);
    r.assert_code(0);
    // Events stream on stderr as they come, then the verdict.
    r.assert_stderr("Environment update is starting.");
    r.assert_stderr("Environment update completed successfully.");
    r.assert_stderr(&format!("deploying `v1` to `{env}` (request "));
    r.assert_stderr(&format!("deployed `v1` to `{env}`: Ready, health Green"));
    let start = r.stderr.find("update is starting").unwrap();
    let done = r.stderr.find("update completed successfully").unwrap();
    assert!(start < done, "events in order:\n{r}");
    let digest = sha256(&p.zip(&app, "v1"));
    let j = r.json();
    assert_eq!(j["status"], "deployed", "{r}");
    assert_eq!(j["application"], app.as_str());
    assert_eq!(j["environment"], env.as_str());
    assert_eq!(j["label"], "v1");
    assert_eq!(j["final_label"], "v1");
    assert_eq!(j["previous_label"], "v0");
    assert_eq!(j["health"], "Green");
    assert_eq!(j["environment_status"], "Ready");
    assert_eq!(j["sha256"], digest.as_str());
    assert_eq!(j["version"], "created");
    assert!(
        j["request_id"].as_str().is_some_and(|s| !s.is_empty()),
        "{j}"
    );
    assert!(
        j["durations"]["total"].as_f64().is_some_and(|d| d > 0.0),
        "{j}"
    );
    assert_eq!(
        env_state(emu, &env),
        ("Ready".into(), Some("v1".into()), "Green".into())
    );

    // $GITHUB_OUTPUT: appended, one `key=value` line each.
    let text = std::fs::read_to_string(&gh).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "earlier=kept", "{text}");
    for want in [
        "label=v1".to_owned(),
        format!("sha256={digest}"),
        "status=deployed".to_owned(),
        format!("environment={env}"),
        "health=Green".to_owned(),
        "version=created".to_owned(),
    ] {
        assert!(lines.contains(&want.as_str()), "{want:?} missing:\n{text}");
    }
    assert!(
        lines.iter().any(|l| l.starts_with("duration")),
        "a duration:\n{text}"
    );
    assert!(lines.iter().all(|l| l.contains('=')), "{text}");

    // The same again: nothing to deploy, no second update.
    let updates = updates_started(emu, &env);
    assert_eq!(updates, 1);
    let again = p.run(emu, &deploy_args(&app, &env, "v1"));
    again.assert_code(0);
    assert_eq!(again.json()["status"], "unchanged", "{again}");
    again.assert_stderr("nothing to deploy");
    assert_eq!(updates_started(emu, &env), updates);
}

#[test]
fn promote_an_existing_version_to_another_environment() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let (app, staging) = app_with_env(emu, &p, Duration::from_millis(400));
    let production = create_env(emu, &app, "v0", Duration::from_millis(400));
    p.set_content("v1");
    let published = p.publish(emu, &app, "v1");

    // Promote from a folder with no bundle and no config: flags only.
    let elsewhere = tempfile::tempdir().unwrap();
    let vars = aws_env(emu);
    let promote = |env: &str, label: &str| {
        ebpack(
            elsewhere.path(),
            &with(
                &[
                    "deploy",
                    "--version",
                    label,
                    "--env",
                    env,
                    "--app",
                    &app,
                    "--output",
                    "json",
                ],
                &FAST,
            ),
            &vars,
        )
    };
    let r = promote(&production, "v1");
    r.assert_code(0);
    r.assert_stderr("Environment update completed successfully.");
    let j = r.json();
    assert_eq!(j["status"], "deployed", "{r}");
    assert_eq!(j["label"], "v1");
    assert_eq!(j["previous_label"], "v0");
    // The digest of what is promoted, from the version ebpack published.
    assert_eq!(j["sha256"], published["sha256"], "{r}");
    assert_eq!(j["version"], "reused");
    assert!(
        !elsewhere.path().join("dist").exists(),
        "nothing was built for --version"
    );
    assert_eq!(env_state(emu, &production).1.as_deref(), Some("v1"));
    assert_eq!(env_state(emu, &staging).1.as_deref(), Some("v0"));

    // An unknown label: a usage error before anything is touched.
    let r = promote(&staging, "v9");
    r.assert_code(2);
    assert_eq!(r.stdout, "");
    r.assert_stderr(&format!("application `{app}` has no version `v9`"));
    r.assert_stderr("help: publish it first");
    assert_eq!(updates_started(emu, &staging), 0);
    assert_eq!(env_state(emu, &staging).1.as_deref(), Some("v0"));
}

#[test]
fn a_failed_deployment_exits_4_keeps_the_old_label_and_rollback_reports_both() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let (app, env) = app_with_env(emu, &p, Duration::from_millis(400));

    p.set_content("v1");
    emu.fail_next_deployment(&env, Some("The container web exited with code 1."));
    let r = p.run(emu, &deploy_args(&app, &env, "v1"));
    r.assert_code(4);
    r.assert_stderr("Failed to deploy application.");
    r.assert_stderr("The container web exited with code 1.");
    r.assert_stderr(&format!(
        "deploying `v1` to `{env}` failed; the environment runs `v0`"
    ));
    let j = r.json();
    assert_eq!(j["status"], "failed", "{r}");
    assert_eq!(j["final_label"], "v0");
    assert!(j["rollback"].is_null(), "{j}");
    assert!(
        j["failures"]
            .as_array()
            .is_some_and(|f| f.iter().any(|m| m == "Failed to deploy application.")),
        "{j}"
    );
    assert_eq!(env_state(emu, &env).1.as_deref(), Some("v0"));

    // With --rollback: the failure, then the previous label redeployed.
    p.set_content("v2");
    emu.fail_next_deployment(&env, None);
    let r = p.run(emu, &with(&deploy_args(&app, &env, "v2"), &["--rollback"]));
    r.assert_code(4);
    r.assert_stderr(&format!("deploying `v2` to `{env}` failed"));
    r.assert_stderr(&format!("rolling back `{env}` to `v0`"));
    r.assert_stderr("rollback:");
    r.assert_stderr(&format!("deployed `v0` to `{env}`: Ready, health Green"));
    let j = r.json();
    assert_eq!(j["status"], "failed", "{r}");
    assert_eq!(j["rollback"]["status"], "deployed", "{j}");
    assert_eq!(j["rollback"]["final_label"], "v0");
    assert_eq!(j["rollback"]["health"], "Green");
    assert_eq!(
        env_state(emu, &env),
        ("Ready".into(), Some("v0".into()), "Green".into())
    );
}

#[test]
fn a_missed_health_gate_exits_3() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let (app, env) = app_with_env(emu, &p, Duration::from_millis(300));
    emu.set_deployment_health(&env, "Yellow");

    p.set_content("v1");
    let r = p.run(
        emu,
        &with(&deploy_args(&app, &env, "v1"), &["--health-grace", "1s"]),
    );
    r.assert_code(3);
    r.assert_stderr(&format!(
        "`{env}` runs `v1` but its health is Yellow: the health gate was not met"
    ));
    r.assert_stderr("the gate accepts Green");
    let j = r.json();
    assert_eq!(j["status"], "health-gate-failed", "{r}");
    assert_eq!(j["health"], "Yellow");
    assert_eq!(j["final_label"], "v1");
    assert_eq!(env_state(emu, &env).1.as_deref(), Some("v1"));

    // The same run again: nothing to deploy, but the gate still fails.
    let again = p.run(
        emu,
        &with(&deploy_args(&app, &env, "v1"), &["--health-grace", "1s"]),
    );
    again.assert_code(3);
    assert_eq!(again.json()["status"], "health-gate-failed", "{again}");
    again.assert_stderr("nothing to deploy");

    // A gate that accepts Yellow passes (colours in any case).
    p.set_content("v2");
    let r = p.run(
        emu,
        &with(
            &deploy_args(&app, &env, "v2"),
            &["--health-grace", "1s", "--healthy", "green,YELLOW"],
        ),
    );
    r.assert_code(0);
    assert_eq!(r.json()["status"], "deployed", "{r}");
}

#[test]
fn a_timeout_exits_5_says_it_may_still_run_and_how_to_follow_it() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    // Long enough that a slow CI machine's build and publish (before the
    // 1 s wait starts) cannot eat it.
    let update = Duration::from_secs(8);
    let (app, env) = app_with_env(emu, &p, update);
    p.set_content("v1");
    let r = p.run(
        emu,
        &with(&deploy_args(&app, &env, "v1"), &["--timeout", "1s"]),
    );
    r.assert_code(5);
    assert!(r.elapsed < update, "returned at the timeout:\n{r}");
    r.assert_stderr("the deployment may still be running");
    let j = r.json();
    assert_eq!(j["status"], "timed-out", "{r}");
    assert_eq!(j["environment_status"], "Updating");
    let request = j["request_id"].as_str().expect("a request id").to_owned();
    r.assert_stderr(&format!(
        "aws elasticbeanstalk describe-events --application-name {app} --environment-name {env} --request-id {request}"
    ));
    // The hint is a command that works as printed (from the project folder).
    let hint_start = r.stderr.find("wait again with `").expect("the hint") + 17;
    let hint = &r.stderr[hint_start..];
    let hint = &hint[..hint.find('`').unwrap()];
    let words: Vec<&str> = hint.split_whitespace().collect();
    assert_eq!(words[0], "ebpack", "{hint}");
    assert!(
        words.contains(&"--app"),
        "the hint names the application: {hint}"
    );
    let again = p.run(emu, &with(&words[1..], &with(&["--output", "json"], &FAST)));
    again.assert_code(0);
    again.assert_stderr("not deploying it again");
    again.assert_stderr("Ready on `v1`, health Green");
    assert_eq!(again.json()["status"], "deployed", "{again}");
    assert_eq!(again.json()["previous_label"], "v0", "{again}");
    assert_eq!(env_state(emu, &env).1.as_deref(), Some("v1"));
    assert_eq!(
        updates_started(emu, &env),
        1,
        "waiting again does not start a second deployment:\n{again}"
    );
}

#[test]
fn no_wait_returns_once_the_update_is_accepted() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let (app, env) = app_with_env(emu, &p, Duration::from_secs(30));
    p.set_content("v1");
    let r = p.run(emu, &with(&deploy_args(&app, &env, "v1"), &["--no-wait"]));
    r.assert_code(0);
    assert!(r.elapsed < Duration::from_secs(10), "{r}");
    r.assert_stderr("not waiting: --no-wait");
    let j = r.json();
    assert_eq!(j["status"], "started", "{r}");
    assert_eq!(j["label"], "v1");
    assert_eq!(env_state(emu, &env).0, "Updating");
}

// --- configuration and credentials ----------------------------------------------

/// `aws_env` without a region (and, not being on EC2, no instance metadata
/// to take one from), plus `extra`.
fn no_region_env(emu: &Emulator, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut vars = aws_env_without(emu, &["AWS_REGION"]);
    vars.push(("AWS_EC2_METADATA_DISABLED".into(), "true".into()));
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    vars
}

#[test]
fn a_missing_region_is_a_clear_aws_error() {
    let emu = Emulator::shared();
    // No ebpack.yaml, no .elasticbeanstalk/config.yml, no ~/.aws/config.
    let p = Project::new("v0");
    let promote = [
        "deploy",
        "--version",
        "v1",
        "--env",
        "some-env",
        "--app",
        "some-app",
    ];
    for (args, vars) in [
        (
            &["publish", "eb", "--app", "some-app", "--label", "v1"][..],
            no_region_env(emu, &[]),
        ),
        (&promote[..], no_region_env(emu, &[])),
        // A CI variable filled from a missing secret.
        (&promote[..], no_region_env(emu, &[("AWS_REGION", "")])),
    ] {
        let r = ebpack(p.path(), args, &vars);
        r.assert_code(7);
        r.assert_stderr("error: configuration: no AWS region: pass `--region`, set `AWS_REGION`");
        assert!(
            !r.stderr.contains("IAM permissions"),
            "no permission hint for a local setting:\n{r}"
        );
        assert!(r.elapsed < Duration::from_secs(20), "{r}");
    }
}

#[test]
fn an_invalid_region_fails_at_once_without_a_retry_hint() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let r = p.run(
        emu,
        &[
            "deploy",
            "--version",
            "v1",
            "--env",
            "some-env",
            "--app",
            "some-app",
            "--region",
            "no such region",
        ],
    );
    r.assert_code(7);
    r.assert_stderr("region");
    assert!(
        !r.stderr.contains("throttling"),
        "not a transient error:\n{r}"
    );
    assert!(r.elapsed < Duration::from_secs(10), "{r}");
}

#[test]
fn the_region_comes_from_flags_ebpack_variables_and_ebpack_yaml_before_aws_region() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let app = unique_name("app");
    let other = [("AWS_REGION".to_owned(), "eu-west-1".to_owned())];
    let vars = |extra: &[(String, String)]| {
        let mut v = aws_env_without(emu, &["AWS_REGION"]);
        v.extend_from_slice(&other);
        v.extend_from_slice(extra);
        v
    };
    let publish = |label: &str, flags: &[&str], extra: &[(String, String)]| {
        let r = ebpack(
            p.path(),
            &with(
                &[
                    "publish",
                    "eb",
                    "--app",
                    &app,
                    "--label",
                    label,
                    "--create-app",
                    "--output",
                    "json",
                ],
                flags,
            ),
            &vars(extra),
        );
        r.assert_code(0);
        r.json()["bucket"].as_str().unwrap_or_default().to_owned()
    };
    let bucket = |region: &str| format!("elasticbeanstalk-{region}-123456789012");
    // AWS_REGION alone is used.
    assert_eq!(publish("a", &[], &[]), bucket("eu-west-1"));
    // --region wins over it...
    assert_eq!(
        publish("b", &["--region", "us-west-2"], &[]),
        bucket("us-west-2")
    );
    // ...and so do EBPACK_REGION and ebpack.yaml (configuration precedence).
    let ebpack_region = [("EBPACK_REGION".to_owned(), "ap-south-1".to_owned())];
    assert_eq!(publish("c", &[], &ebpack_region), bucket("ap-south-1"));
    std::fs::write(p.path().join("ebpack.yaml"), "region: ca-central-1\n").unwrap();
    assert_eq!(publish("d", &[], &[]), bucket("ca-central-1"));
    assert_eq!(publish("e", &[], &ebpack_region), bucket("ap-south-1"));
}

#[test]
fn missing_credentials_are_a_clear_aws_error() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    // No keys at all, then the secret without its key id.
    for drop in [
        &[
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ][..],
        &["AWS_ACCESS_KEY_ID"][..],
    ] {
        let mut vars = aws_env_without(emu, drop);
        // Not on EC2: no instance role to wait for.
        vars.push(("AWS_EC2_METADATA_DISABLED".into(), "true".into()));
        let r = ebpack(
            p.path(),
            &[
                "deploy",
                "--version",
                "v1",
                "--env",
                "some-env",
                "--app",
                "some-app",
            ],
            &vars,
        );
        r.assert_code(7);
        r.assert_stderr("error: credentials: no usable AWS credentials (");
        r.assert_stderr(
            "set `AWS_PROFILE`/`--profile`, `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, SSO or a web identity token",
        );
        assert!(!r.stderr.contains("IAM permissions"), "{r}");
        assert!(r.elapsed < Duration::from_secs(20), "{r}");
    }
}

#[test]
fn an_unreachable_endpoint_is_called_a_network_problem_not_throttling() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    // A port nobody listens on: every connection is refused.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let mut vars = aws_env_without(emu, &["AWS_ENDPOINT_URL"]);
    vars.push(("AWS_ENDPOINT_URL".into(), url.clone()));
    let r = ebpack(
        p.path(),
        &[
            "deploy",
            "--version",
            "v1",
            "--env",
            "some-env",
            "--app",
            "some-app",
            "--max-attempts",
            "2",
            "--timeout",
            "5s",
        ],
        &vars,
    );
    r.assert_code(7);
    r.assert_stderr("the AWS endpoint could not be reached");
    assert!(!r.stderr.contains("throttling"), "{r}");
    // One line of causes, not the SDK's Debug dump.
    assert!(!r.stderr.contains("DispatchFailure {"), "{r}");
}

#[test]
fn usage_errors_exit_2_before_any_aws_call() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let r = p.run(emu, &["deploy", "eb", "--app", "some-app", "--label", "v1"]);
    r.assert_code(2);
    r.assert_stderr("no environment: pass `--env NAME`");
    // Each case: flags after `deploy --env e1 --app a1 --version v1`, and
    // what stderr must say.
    let cases: [(&[&str], &str); 8] = [
        (
            &["--poll-min", "2s", "--poll-max", "1s"],
            "`--poll-min` is longer than `--poll-max`",
        ),
        (&["--poll-min", "0s"], "`--poll-min` must be at least 10ms"),
        (&["--timeout", "soon"], "is not a duration"),
        (&["--healthy", "purple"], "invalid value 'purple'"),
        // Build and publish flags with `--version` are refused, not ignored.
        (&["--bundle", "x.zip"], "cannot be used with"),
        (&["--image-tag", "abc"], "cannot be used with"),
        (&["--label", "v2"], "cannot be used with"),
        (&["--create-app"], "cannot be used with"),
    ];
    for (flags, says) in cases {
        let r = p.run(
            emu,
            &with(
                &["deploy", "--env", "e1", "--app", "a1", "--version", "v1"],
                flags,
            ),
        );
        r.assert_code(2);
        r.assert_stderr(says);
    }
    assert!(!p.path().join("dist").exists(), "nothing was built");
}
