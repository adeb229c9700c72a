//! The commands around a deployment: `status`, `events` and `versions`,
//! through the real binary against the emulator; assertions on what AWS
//! holds afterwards where a command changes it.

use super::*;

fn status_args<'a>(app: &'a str, env: &'a str) -> Vec<&'a str> {
    vec!["status", "--env", env, "--app", app, "--output", "json"]
}

#[test]
fn status_shows_what_runs_where_and_the_latest_events() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let (app, env) = app_with_env(emu, &p, Duration::from_millis(300));
    p.set_content("v1");
    p.run(emu, &deploy_args(&app, &env, "v1")).assert_code(0);

    let r = p.run(emu, &status_args(&app, &env));
    r.assert_code(0);
    let j = r.json();
    assert_eq!(j["version_label"], "v1", "{r}");
    assert_eq!(j["status"], "Ready");
    assert_eq!(j["health"], "Green");
    assert_eq!(j["instances_on_version"]["on"], 1, "{j}");
    assert_eq!(j["instances_on_version"]["of"], 1, "{j}");
    assert!(
        j["platform"].as_str().is_some_and(|p| p.contains("ECS")),
        "{j}"
    );
    assert!(
        j["cname"]
            .as_str()
            .is_some_and(|c| c.contains(".elasticbeanstalk.com"))
    );
    let events = j["events"].as_array().unwrap();
    assert!(
        events.last().unwrap()["message"] == "Environment update completed successfully.",
        "{j}"
    );

    // Human: one line per fact, on stdout.
    let r = p.run(emu, &["status", "--env", &env, "--app", &app]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("version      v1 (on 1 of 1 instances)"),
        "{r}"
    );
    assert!(r.stdout.contains("health       Green (Ok)"), "{r}");

    // A typo gets the close match, exit 2.
    let typo = format!("{}x", &env[..env.len() - 1]);
    let r = p.run(emu, &["status", "--env", &typo, "--app", &app]);
    r.assert_code(2);
    r.assert_stderr(&format!("did you mean `{env}`?"));
}

#[test]
fn events_filters_by_request_and_follow_stops_on_sigterm() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let (app, env) = app_with_env(emu, &p, Duration::from_millis(300));
    p.set_content("v1");
    let d = p.run(emu, &deploy_args(&app, &env, "v1"));
    d.assert_code(0);
    let request = d.json()["request_id"].as_str().unwrap().to_owned();

    let r = p.run(
        emu,
        &[
            "events",
            "--env",
            &env,
            "--app",
            &app,
            "--request-id",
            &request,
            "--output",
            "json",
        ],
    );
    r.assert_code(0);
    let lines: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{r}");
    assert!(
        lines.iter().all(|e| e["request_id"] == request.as_str()),
        "{r}"
    );
    assert_eq!(lines[0]["message"], "Environment update is starting.");

    // --follow runs until the CI runner's SIGTERM, then exits 0.
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .current_dir(p.path())
        .args(["events", "--env", &env, "--app", &app, "--follow"])
        .args(FAST)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .envs(aws_env(emu))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let still_running = child.try_wait().unwrap().is_none();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(still_running, "--follow kept running until the signal");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Environment update completed successfully."),
        "{text}"
    );
}

/// The labels `app` has, newest first.
fn labels(emu: &Emulator, app: &str) -> Vec<String> {
    block_on(async {
        let out = emu
            .eb_client()
            .await
            .describe_application_versions()
            .application_name(app)
            .send()
            .await
            .unwrap();
        out.application_versions()
            .iter()
            .filter_map(|v| v.version_label().map(str::to_owned))
            .collect()
    })
}

#[test]
fn prune_keeps_what_runs_and_the_rollback_target_and_deletes_only_with_yes() {
    // Private: the quota is lowered to see the warning.
    let emu = Emulator::start();
    let p = Project::new("v0");
    let (app, env) = app_with_env(&emu, &p, Duration::from_millis(200));
    for l in ["v1", "v2", "v3"] {
        p.set_content(l);
        p.run(&emu, &deploy_args(&app, &env, l)).assert_code(0);
    }
    p.set_content("v4");
    p.publish(&emu, &app, "v4");
    emu.set_version_quota(6);

    let r = p.run(&emu, &["versions", "--app", &app]);
    r.assert_code(0);
    assert!(r.stdout.lines().nth(1).unwrap().starts_with("v4 "), "{r}");
    let v3 = r.stdout.lines().find(|l| l.starts_with("v3 ")).unwrap();
    assert!(v3.ends_with(&env), "{r}");
    let v2 = r.stdout.lines().find(|l| l.starts_with("v2 ")).unwrap();
    assert!(v2.ends_with(&format!("{env} (previous)")), "{r}");
    r.assert_stderr("the region's quota is 6");

    // Without --yes: the plan only; nothing deleted.
    let r = p.run(&emu, &["versions", "prune", "--app", &app, "--keep", "1"]);
    r.assert_code(0);
    assert!(r.stdout.contains("would delete 2 of 5 versions"), "{r}");
    assert_eq!(labels(&emu, &app).len(), 5);

    let (bucket, key) = block_on(async {
        let out = emu
            .eb_client()
            .await
            .describe_application_versions()
            .application_name(&app)
            .version_labels("v1")
            .send()
            .await
            .unwrap();
        let b = out.application_versions()[0]
            .source_bundle()
            .unwrap()
            .clone();
        (
            b.s3_bucket().unwrap().to_owned(),
            b.s3_key().unwrap().to_owned(),
        )
    });
    let r = p.run(
        &emu,
        &[
            "versions",
            "prune",
            "--app",
            &app,
            "--keep",
            "1",
            "--yes",
            "--delete-source",
            "--output",
            "json",
        ],
    );
    r.assert_code(0);
    let j = r.json();
    assert_eq!(j["deleted"], serde_json::json!(["v1", "v0"]), "{r}");
    // What AWS holds: the newest, what runs and the rollback target.
    assert_eq!(labels(&emu, &app), ["v4", "v3", "v2"]);
    assert_eq!(
        emu.s3_object(&bucket, &key)["exists"],
        false,
        "the source went too"
    );
}

/// An environment's CNAME.
fn cname(emu: &Emulator, env: &str) -> String {
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
        out.environments()[0].cname().unwrap().to_owned()
    })
}

#[test]
fn blue_green_deploys_to_the_idle_side_then_swaps_and_a_failure_leaves_production_alone() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let (app, blue) = app_with_env(emu, &p, Duration::from_millis(300));
    let green = create_env(emu, &app, "v0", Duration::from_millis(300));
    let (prod, idle) = (cname(emu, &blue), cname(emu, &green));

    // A failure before the swap: production untouched, exit 4.
    p.set_content("bad");
    emu.fail_next_deployment(&green, None);
    let r = p.run(
        emu,
        &with(&deploy_args(&app, &green, "bad"), &["--swap-with", &blue]),
    );
    r.assert_code(4);
    r.assert_stderr(&format!(
        "not swapped: `{blue}` still serves production, untouched"
    ));
    assert_eq!(r.json()["swap"]["swapped"], false, "{r}");
    assert_eq!(
        (cname(emu, &blue), cname(emu, &green)),
        (prod.clone(), idle.clone())
    );

    // Deployed and healthy: swapped, and both CNAMEs really moved.
    p.set_content("v1");
    let r = p.run(
        emu,
        &with(&deploy_args(&app, &green, "v1"), &["--swap-with", &blue]),
    );
    r.assert_code(0);
    let j = r.json();
    assert_eq!(j["status"], "deployed", "{r}");
    assert_eq!(j["swap"]["swapped"], true, "{r}");
    assert_eq!(cname(emu, &green), prod, "green serves production");
    assert_eq!(cname(emu, &blue), idle);
    assert_eq!(env_state(emu, &green).1.as_deref(), Some("v1"));

    // `ebpack swap` on its own puts them back.
    let r = p.run(
        emu,
        &["swap", &green, &blue, "--app", &app, "--output", "json"],
    );
    r.assert_code(0);
    assert_eq!(r.json()["swapped"], true, "{r}");
    assert_eq!((cname(emu, &blue), cname(emu, &green)), (prod, idle));

    // A missing environment is refused before anything is uploaded.
    p.set_content("v2");
    let r = p.run(
        emu,
        &with(
            &deploy_args(&app, &green, "v2"),
            &["--swap-with", "Nope-env"],
        ),
    );
    r.assert_code(2);
    assert!(!version_exists(emu, &app, "v2"), "nothing was published");
}

#[test]
fn plan_shows_every_kind_of_change_before_anything_is_touched() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let (app, env) = app_with_env(emu, &p, Duration::from_millis(300));
    let plan = |extra: &[&str]| {
        let mut args = vec!["plan", "--env", env.as_str(), "--app", app.as_str()];
        args.extend_from_slice(extra);
        p.run(emu, &args)
    };
    // The same bundle: no changes; --exit-code stays 0.
    let r = plan(&["--version", "v0", "--exit-code", "--output", "json"]);
    r.assert_code(0);
    assert_eq!(r.json()["changes"], false, "{r}");

    // Every kind of change, from the bundle folder.
    std::fs::write(
        p.path().join("eb/Dockerrun.aws.json"),
        r#"{"AWSEBDockerrunVersion": 2, "containerDefinitions": [
  {"name": "web", "image": "nginx:1.28", "essential": true, "memory": 256,
   "portMappings": [{"hostPort": 80, "containerPort": 8080}],
   "environment": [{"name": "API_TOKEN", "value": "s3cr3t-t0ken"}]},
  {"name": "worker", "image": "busybox:1.36", "essential": false, "memory": 64}]}"#,
    )
    .unwrap();
    std::fs::create_dir_all(p.path().join("eb/.ebextensions")).unwrap();
    std::fs::write(
        p.path().join("eb/.ebextensions/01-app.config"),
        "option_settings:\n  aws:autoscaling:asg:\n    MaxSize: 4\n  aws:elasticbeanstalk:application:environment:\n    DB_PASSWORD: hunter2pw\n",
    )
    .unwrap();
    let updates_before = updates_started(emu, &env);
    let r = plan(&["--label", "p1", "--output", "json", "--exit-code"]);
    r.assert_code(2);
    let j = r.json();
    assert_eq!(j["running"]["label"], "v0");
    assert_eq!(j["new"]["label"], "p1");
    let d = &j["diff"];
    assert_eq!(d["images"][0]["what"], "web", "{j}");
    assert_eq!(d["images"][0]["before"], "nginx:1.27");
    assert_eq!(d["images"][0]["after"], "nginx:1.28");
    let changes = d["containers"].to_string();
    for want in [
        "container worker",
        "web: memory",
        "web: portMappings",
        "web: environment API_TOKEN",
    ] {
        assert!(changes.contains(want), "{want}: {changes}");
    }
    let options = d["options"].to_string();
    assert!(
        options.contains("aws:autoscaling:asg: MaxSize"),
        "{options}"
    );
    assert!(
        d["files"]["added"]
            .to_string()
            .contains(".ebextensions/01-app.config")
    );
    assert!(
        d["files"]["changed"]
            .to_string()
            .contains("Dockerrun.aws.json")
    );
    // Never a secret's value.
    for leak in ["s3cr3t-t0ken", "hunter2pw"] {
        assert!(
            !r.stdout.contains(leak) && !r.stderr.contains(leak),
            "{leak}: {r}"
        );
    }
    // Markdown for the approval step.
    let r = plan(&["--label", "p1", "--output", "markdown"]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("| web | `nginx:1.27` | `nginx:1.28` |"),
        "{r}"
    );
    // Nothing was touched in AWS.
    assert_eq!(updates_started(emu, &env), updates_before);
    assert!(!version_exists(emu, &app, "p1"));
}
