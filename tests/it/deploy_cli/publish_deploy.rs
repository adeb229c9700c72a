//! Publish and deploy against the emulator: upload once, promote, wait,
//! and each way a deployment ends (failed, unhealthy, timed out, not waited).

use super::*;

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
    // The log ends on the outcome, as an error line, not on the rollback's
    // success line.
    assert_eq!(
        r.stderr.lines().last(),
        Some(
            format!("error: deploying `v2` to `{env}` failed; rolled back to `v0` (exit 4)")
                .as_str()
        ),
        "{r}"
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
    // Every command ebpack suggests runs as printed: the region included.
    r.assert_stderr(&format!(
        "aws elasticbeanstalk describe-events --application-name {app} --environment-name {env} --request-id {request} --region {REGION}`"
    ));
    assert_eq!(
        r.stderr.lines().last(),
        Some(format!("error: timed out waiting for `v1` on `{env}`; the deployment may still be running (exit 5)").as_str()),
        "{r}"
    );
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

#[test]
fn a_long_wait_in_a_log_prints_a_heartbeat_and_durations_are_milliseconds() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let (app, env) = app_with_env(emu, &p, Duration::from_millis(3500));
    p.set_content("v1");
    let mut vars = aws_env(emu);
    // 1 s instead of 30 s between heartbeats, so the test stays short.
    vars.push(("EBPACK_HEARTBEAT".into(), "1s".into()));
    let r = ebpack(p.path(), &deploy_args(&app, &env, "v1"), &vars);
    r.assert_code(0);
    r.assert_stderr(&format!(
        "ebpack: still waiting for the deployment of `v1`: `{env}` is Updating, health Grey ("
    ));
    r.assert_stderr("so far, deadline in ");
    // No terminal: no status line, no escape codes.
    assert!(!r.stderr.contains('\x1b'), "{r}");
    r.assert_stderr("ebpack: uploaded ");
    let j = r.json();
    for step in ["build", "upload", "deploy", "total"] {
        let secs = j["durations"][step].as_f64().unwrap();
        let ms = secs * 1000.0;
        assert!((ms - ms.round()).abs() < 1e-6, "{step}: {secs}");
        let text = j["durations"][step].to_string();
        let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
        assert!(decimals <= 3, "{step}: {text}");
    }
}
