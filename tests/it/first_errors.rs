//! The errors a newcomer meets first, through the real binary: no `eb/`
//! folder, no `Dockerrun.aws.json`, a mistyped environment, application or
//! profile, no region, no credentials, an expired AWS SSO sign-in. Each
//! must exit with its documented code and say what to do next on a
//! `help:` line. Plus the `-v` trace: one `ebpack::aws` event per AWS call
//! attempt, with its operation and request id.
//!
//! Every run gets a cleared environment and an empty `HOME` (no `AWS_*`
//! or `~/.aws` of the machine running the tests) and no instance metadata.

use crate::support::emulator::{Delays, Emulator, Fault, REGION, Service};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

const BIN: &str = env!("CARGO_BIN_EXE_ebpack");

/// How a run ended.
struct Run {
    code: i32,
    stderr: String,
}

impl Run {
    /// Asserts the exit code and that stderr holds each of `lines` (an
    /// `error:`/`help:` line or a part of one).
    fn says(&self, code: i32, lines: &[&str]) {
        assert_eq!(self.code, code, "exit code; stderr:\n{}", self.stderr);
        for line in lines {
            assert!(
                self.stderr.contains(line),
                "stderr lacks {line:?}:\n{}",
                self.stderr
            );
        }
    }
}

/// Runs `ebpack args` in `cwd` with `HOME=home` and only `env` set.
fn ebpack_in(cwd: &Path, home: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = Command::new(BIN)
        .current_dir(cwd)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("GIT_CEILING_DIRECTORIES", cwd.parent().unwrap_or(cwd))
        .envs(env.iter().copied())
        .output()
        .expect("run ebpack");
    Run {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `ebpack args` in `cwd` with an empty `HOME`.
fn ebpack(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let home = tempfile::tempdir().unwrap();
    ebpack_in(cwd, home.path(), args, env)
}

/// A project folder with `eb/Dockerrun.aws.json` (a valid v2).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("eb")).unwrap();
    std::fs::write(
        dir.path().join("eb/Dockerrun.aws.json"),
        r#"{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "essential": true, "memory": 128}]}"#,
    )
    .unwrap();
    dir
}

/// A deploy that needs AWS but names nothing that exists.
const PROMOTE: [&str; 7] = [
    "deploy",
    "--version",
    "v1",
    "--env",
    "some-env",
    "--app",
    "some-app",
];

// --- the bundle ------------------------------------------------------------------

#[test]
fn no_eb_folder_names_where_ebpack_looked_and_how_to_point_it_elsewhere() {
    // Nothing to work on is a usage mistake (exit 2) with a next step.
    let dir = tempfile::tempdir().unwrap();
    // `publish` and `deploy` build first, so they say the same.
    for args in [&["build"][..], &["publish"], &["deploy", "--env", "e"]] {
        let r = ebpack(dir.path(), args, &[]);
        r.says(
            2,
            &[
                "error: bundle folder `eb` does not exist (looked for `",
                "help: ebpack works on the `eb/` folder of the project (the folder of the nearest `ebpack.yaml`, here or in a parent; else this folder)",
                "(`ebpack build DIR`, or `bundle: DIR` in ebpack.yaml)",
            ],
        );
    }
    let r = ebpack(dir.path(), &["validate"], &[]);
    r.says(
        2,
        &[
            "error: cannot read `eb`: ",
            "help: ebpack works on the `eb/` folder of the project (the folder of the nearest `ebpack.yaml`, here or in a parent; else this folder); run it inside the project, or pass the bundle folder (`ebpack validate DIR`, or `bundle: DIR` in ebpack.yaml)",
        ],
    );
    // A folder nearby that looks like a bundle is named.
    std::fs::create_dir(dir.path().join("deploy")).unwrap();
    std::fs::write(dir.path().join("deploy/Dockerrun.aws.json"), "{}").unwrap();
    let r = ebpack(dir.path(), &["build"], &[]);
    r.says(
        2,
        &["; `deploy` holds a `Dockerrun.aws.json`: `ebpack build deploy`"],
    );
    // A `bundle:` in ebpack.yaml that names nothing is what to fix.
    std::fs::write(dir.path().join("ebpack.yaml"), "bundle: app\n").unwrap();
    let r = ebpack(dir.path(), &["build"], &[]);
    r.says(
        2,
        &[
            "error: bundle folder `app` does not exist",
            "help: `bundle:` in ebpack.yaml names `app`; fix it",
        ],
    );
}

#[test]
fn no_dockerrun_shows_the_smallest_one_which_validates() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("eb")).unwrap();
    std::fs::write(dir.path().join("eb/index.html"), "hello").unwrap();
    for command in ["validate", "build"] {
        let r = ebpack(dir.path(), &[command], &[]);
        r.says(
            1,
            &[
                "error[R2]: no `Dockerrun.aws.json` at the bundle root",
                "help: add a `Dockerrun.aws.json` at the bundle root; the smallest: `{",
                "if the bundle is another folder, point ebpack at it (`ebpack build DIR`, or `bundle: DIR` in ebpack.yaml)",
            ],
        );
    }
    // The example in the help is a bundle `validate` accepts as it is.
    let r = ebpack(dir.path(), &["validate"], &[]);
    let example = r
        .stderr
        .split("the smallest: `")
        .nth(1)
        .and_then(|rest| rest.split("`;").next())
        .expect("an example in the help");
    std::fs::write(dir.path().join("eb/Dockerrun.aws.json"), example).unwrap();
    let r = ebpack(dir.path(), &["validate"], &[]);
    assert_eq!(r.code, 0, "the example validates:\n{}", r.stderr);
}

// --- region, credentials, profiles --------------------------------------------------

#[test]
fn no_region_says_which_region_to_set_and_where() {
    let p = project();
    let r = ebpack(p.path(), &PROMOTE, &[]);
    r.says(
        7,
        &[
            "error: configuration: no AWS region: pass `--region`, set `AWS_REGION`",
            "help: use the region of your Elastic Beanstalk environment, e.g. `--region eu-west-1` or `region: eu-west-1` in ebpack.yaml",
        ],
    );
    // A profile without a region: add it there.
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        "[profile ci]\naws_access_key_id = AKIAEXAMPLEKEYID\naws_secret_access_key = NotASecretButNeverShown\n",
    )
    .unwrap();
    let r = ebpack_in(p.path(), home.path(), &PROMOTE, &[("AWS_PROFILE", "ci")]);
    r.says(
        7,
        &["help: profile `ci` sets no region: add `region = REGION` (your environment's, e.g. `eu-west-1`) under `[profile ci]` in `~/.aws/config`, or pass `--region`"],
    );
    assert!(
        !r.stderr.contains("NotASecretButNeverShown"),
        "{}",
        r.stderr
    );
}

#[test]
fn no_credentials_says_how_to_get_some() {
    let p = project();
    let r = ebpack(p.path(), &PROMOTE, &[("AWS_REGION", REGION)]);
    r.says(
        7,
        &[
            "error: credentials: no usable AWS credentials (none found in the environment, the AWS config files, a web identity token, or a container or instance role)",
            "help: set `AWS_PROFILE`/`--profile`, `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, SSO or a web identity token; to set up a profile, run `aws configure` (keys) or `aws configure sso`",
        ],
    );
    // Half a key pair is named as such; the secret is never printed.
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYNEVERSHOWN";
    let r = ebpack(
        p.path(),
        &PROMOTE,
        &[("AWS_REGION", REGION), ("AWS_SECRET_ACCESS_KEY", secret)],
    );
    r.says(
        7,
        &[
            "error: credentials: no usable AWS credentials (`AWS_SECRET_ACCESS_KEY` is set without `AWS_ACCESS_KEY_ID`)",
            "help: set `AWS_PROFILE`/`--profile`",
        ],
    );
    assert!(!r.stderr.contains(secret), "{}", r.stderr);
}

#[test]
fn a_mistyped_profile_gets_the_close_match() {
    let p = project();
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        "[profile production]\nregion = eu-west-1\n[profile staging]\nregion = eu-west-1\n",
    )
    .unwrap();
    let r = ebpack_in(
        p.path(),
        home.path(),
        &PROMOTE,
        &[("AWS_PROFILE", "prodution")],
    );
    r.says(
        7,
        &[
            "error: configuration: profile `prodution` is not defined in `~/.aws/config` or `~/.aws/credentials`",
            "help: did you mean `production`? or create it with `aws configure --profile prodution`",
        ],
    );
    let r = ebpack_in(p.path(), home.path(), &PROMOTE, &[("AWS_PROFILE", "qa")]);
    r.says(
        7,
        &["help: profiles defined: `production` or `staging`; or create it"],
    );
}

#[test]
fn an_expired_sso_session_says_to_sign_in_again() {
    let p = project();
    let home = tempfile::tempdir().unwrap();
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(aws.join("sso/cache")).unwrap();
    std::fs::write(
        aws.join("config"),
        "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Deployer\nregion = eu-west-1\n\n\
         [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n",
    )
    .unwrap();
    // The SDK's cache file for session `corp`: named by the SHA-1 of its name.
    use sha1::{Digest, Sha1};
    let token = "SsoAccessTokenThatMustNeverBePrinted";
    std::fs::write(
        aws.join("sso/cache")
            .join(format!("{:x}.json", Sha1::digest(b"corp"))),
        serde_json::json!({
            "startUrl": "https://corp.awsapps.com/start",
            "region": "eu-west-1",
            "accessToken": token,
            "expiresAt": "2021-01-01T00:00:00Z",
        })
        .to_string(),
    )
    .unwrap();
    let r = ebpack_in(p.path(), home.path(), &PROMOTE, &[("AWS_PROFILE", "dev")]);
    r.says(
        7,
        &[
            "error: credentials: no usable AWS credentials (the AWS SSO session of profile `dev` has expired)",
            "help: sign in again with `aws sso login --profile dev`, then re-run ebpack",
        ],
    );
    assert!(!r.stderr.contains(token), "{}", r.stderr);
}

// --- names that find nothing in Elastic Beanstalk ------------------------------------

/// `(name, value)` pairs pointing a run at `emu`.
fn emulator_env(emu: &Emulator) -> Vec<(&'static str, String)> {
    emu.env_vars()
}

fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn a_mistyped_environment_or_application_gets_the_close_match() {
    // Its own emulator: the names are the ones a user would type.
    let emu = Emulator::start();
    emu.set_delays(Delays::all(std::time::Duration::from_millis(100)));
    let vars = emulator_env(&emu);
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = project();
    let published = ebpack(
        p.path(),
        &[
            "publish",
            "--app",
            "todobackend",
            "--label",
            "v0",
            "--create-app",
        ],
        &vars,
    );
    published.says(0, &[]);
    block_on(emu.create_ready_environment("todobackend", "Todobackend-env", "v0"));
    let deploy = |env: &str, app: &str| {
        ebpack(
            p.path(),
            &["deploy", "--version", "v0", "--env", env, "--app", app],
            &vars,
        )
    };

    deploy("Todobackend-evn", "todobackend").says(
        2,
        &[
            "error: environment `Todobackend-evn` of application `todobackend` does not exist",
            "help: did you mean `Todobackend-env`?",
        ],
    );
    // Nothing close: the environments that exist, and the `--app` in use.
    deploy("shop", "todobackend").says(
        2,
        &["help: environments of application `todobackend` (the `--app` in use): `Todobackend-env`"],
    );
    // The application mistyped, when promoting a version...
    deploy("Todobackend-env", "todobakend").says(
        2,
        &[
            "error: application `todobakend` does not exist",
            "help: did you mean `todobackend`? (`--app` in use: `todobakend`)",
        ],
    );
    // ...and when publishing one.
    ebpack(
        p.path(),
        &["publish", "--app", "todobakend", "--label", "v1"],
        &vars,
    )
    .says(
        2,
        &[
            "error: application `todobakend` does not exist",
            "help: did you mean `todobackend`? (`--app` in use: `todobakend`); to create `todobakend`, pass `--create-app`",
        ],
    );
}

// --- `-v`: one event per AWS call attempt -------------------------------------------

/// One collected `tracing` event: its target and fields as text.
#[derive(Debug, Clone)]
struct Collected {
    target: String,
    fields: std::collections::BTreeMap<String, String>,
}

/// A subscriber that keeps every event (tests only need events, not spans).
#[derive(Clone, Default)]
struct Collector(Arc<Mutex<Vec<Collected>>>);

struct Fields<'a>(&'a mut std::collections::BTreeMap<String, String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl tracing::Subscriber for Collector {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = std::collections::BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().push(Collected {
            target: event.metadata().target().to_owned(),
            fields,
        });
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[test]
fn each_aws_call_attempt_is_one_event_with_operation_status_request_id_and_time() {
    let emu = Emulator::start();
    // The first DescribeApplications answers 500: two attempts, two events.
    emu.inject_fault(
        Fault::http500()
            .service(Service::ElasticBeanstalk)
            .action("DescribeApplications")
            .count(1),
    );
    let collector = Collector::default();
    let _guard = tracing::subscriber::set_default(collector.clone());
    block_on(async {
        use ebpack::deploy::{Beanstalk, Store};
        let config = emu
            .sdk_config_with(
                ebpack::aws::retry_config(3)
                    .with_initial_backoff(std::time::Duration::from_millis(10)),
                aws_config::timeout::TimeoutConfig::disabled(),
            )
            .await;
        let clients = ebpack::aws::Clients::from_sdk_config(&config, true);
        let bucket = clients.eb.storage_location().await.unwrap();
        clients.s3.check_bucket(&bucket).await.unwrap();
        assert_eq!(
            clients
                .s3
                .head_object(&bucket, "nothing.zip")
                .await
                .unwrap(),
            None
        );
        clients.eb.applications().await.unwrap();
    });
    let events: Vec<Collected> = collector
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.target == ebpack::aws::TRACE_TARGET)
        .cloned()
        .collect();
    let summary: Vec<(String, String, String, String)> = events
        .iter()
        .map(|e| {
            let f = |k: &str| e.fields.get(k).cloned().unwrap_or_default();
            (f("service"), f("operation"), f("status"), f("attempt"))
        })
        .collect();
    let row = |s: &str, o: &str, st: &str, a: &str| {
        (s.to_owned(), o.to_owned(), st.to_owned(), a.to_owned())
    };
    assert_eq!(
        summary,
        [
            row("Elastic Beanstalk", "CreateStorageLocation", "200", "1"),
            row("S3", "HeadBucket", "200", "1"),
            row("S3", "HeadObject", "404", "1"),
            row("Elastic Beanstalk", "DescribeApplications", "500", "1"),
            row("Elastic Beanstalk", "DescribeApplications", "200", "2"),
        ],
        "{events:#?}"
    );
    for e in &events {
        let id = e.fields.get("request_id").map(String::as_str).unwrap_or("");
        assert!(!id.is_empty(), "a request id: {e:?}");
        assert!(e.fields.contains_key("ms"), "a duration: {e:?}");
        // Nothing but these fields: no headers, bodies or URLs.
        let keys: Vec<&str> = e.fields.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "attempt",
                "message",
                "ms",
                "operation",
                "request_id",
                "service",
                "status"
            ],
            "{e:?}"
        );
    }
}

#[test]
fn ebpack_works_from_any_folder_of_the_project() {
    // The nearest ebpack.yaml above names the project, as cargo's and
    // git's files do; its `eb/` is the bundle.
    let p = project();
    std::fs::write(p.path().join("ebpack.yaml"), "app: shop\n").unwrap();
    let sub = p.path().join("src/deep");
    std::fs::create_dir_all(&sub).unwrap();
    ebpack(&sub, &["validate"], &[]).says(0, &["no problems found"]);
    let r = ebpack(&sub, &["build", "--label", "t"], &[]);
    r.says(0, &["built "]);
    assert!(p.path().join("dist/shop-t.zip").is_file(), "{}", r.stderr);
    // Findings name the file as seen from where ebpack runs.
    std::fs::write(
        p.path().join("eb/Dockerrun.aws.json"),
        "{\"AWSEBDockerrunVersion\": 2}",
    )
    .unwrap();
    ebpack(&sub, &["validate"], &[]).says(1, &["--> ../../eb/Dockerrun.aws.json:1:"]);
    // A repository root stops the search: no file above it is taken.
    std::fs::create_dir(p.path().join("src/.git")).unwrap();
    ebpack(&sub, &["validate"], &[]).says(2, &["error: cannot read `eb`"]);
}

#[test]
fn the_first_habits_of_other_tools_get_a_next_step() {
    let p = project();
    // `eb deploy ENV`: the argument is a bundle folder for ebpack.
    ebpack(p.path(), &["deploy", "Todobackend-env"], &[]).says(
        2,
        &[
            "`Todobackend-env` is not a folder",
            "pass `--env Todobackend-env`",
        ],
    );
    // No ebpack.yaml: `generate` has nothing to render, and says so.
    ebpack(p.path(), &["generate"], &[]).says(
        2,
        &["error: nothing to generate: no `ebpack.yaml` here or in a parent folder"],
    );
    // The application guessed from the folder's name is said, not silent.
    let r = ebpack(p.path(), &["build", "--label", "t"], &[]);
    let folder = p.path().file_name().unwrap().to_string_lossy().into_owned();
    r.says(
        0,
        &[&format!(
            "application `{folder}` is the project folder's name"
        )],
    );
    // `--strict` says why warnings fail.
    std::fs::write(
        p.path().join("eb/Dockerrun.aws.json"),
        r#"{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "nginx", "essential": true, "memory": 128}]}"#,
    )
    .unwrap();
    ebpack(p.path(), &["validate", "--strict"], &[]).says(
        1,
        &["error: 1 warning fails the check under `--strict` (exit 1)"],
    );
    // Both spellings of the machine output flag work everywhere.
    ebpack(p.path(), &["validate", "--output", "json"], &[]).says(0, &[]);
    ebpack(
        p.path(),
        &["build", "--label", "u", "--format", "json"],
        &[],
    )
    .says(0, &[]);
}
