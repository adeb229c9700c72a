//! Two pipelines at once: two real `ebpack` processes against one emulator,
//! and assertions on what AWS holds afterwards (the object a version points
//! at and its digest, the environment's label), not only on exit codes.

use super::*;
use crate::support::emulator::{Fault, Service};
use std::thread;

/// Runs `a` now and `b` once `ready_for_b` holds (polled), in parallel.
fn race(
    a: impl FnOnce() -> Run + Send,
    ready_for_b: impl Fn() -> bool + Send,
    b: impl FnOnce() -> Run + Send,
) -> (Run, Run) {
    thread::scope(|s| {
        let first = s.spawn(a);
        let deadline = Instant::now() + Duration::from_secs(60);
        while !ready_for_b() {
            assert!(Instant::now() < deadline, "the first run never got there");
            thread::sleep(Duration::from_millis(20));
        }
        let second = s.spawn(b);
        (first.join().unwrap(), second.join().unwrap())
    })
}

/// Accepted `UpdateEnvironment` calls so far.
fn updates_accepted(emu: &Emulator) -> usize {
    emu.calls_to("UpdateEnvironment")
        .iter()
        .filter(|c| c["status"] == 200)
        .count()
}

/// `(bucket, key, digest in the description)` of a version.
fn version_source(emu: &Emulator, app: &str, label: &str) -> (String, String, String) {
    block_on(async {
        let out = emu
            .eb_client()
            .await
            .describe_application_versions()
            .application_name(app)
            .version_labels(label)
            .send()
            .await
            .unwrap();
        let v = &out.application_versions()[0];
        let b = v.source_bundle().unwrap();
        let description = v.description().unwrap_or_default();
        let digest = ebpack::deploy::publish::digest_in(description)
            .unwrap_or_else(|| panic!("no digest in {description:?}"))
            .to_owned();
        (
            b.s3_bucket().unwrap().to_owned(),
            b.s3_key().unwrap().to_owned(),
            digest,
        )
    })
}

#[test]
fn two_publishes_of_one_label_never_leave_a_version_pointing_at_other_bytes() {
    // Private: a fault holds every PutObject for 1.5 s before S3 sees it,
    // so both runs look, see no object, and upload at the same time.
    let emu = Emulator::start();
    let app = unique_name("app");
    let (one, two) = (Project::new("pipeline one"), Project::new("pipeline two"));
    one.publish(&emu, &app, "v0");
    emu.inject_fault(
        Fault::slow(Duration::from_millis(1500))
            .service(Service::S3)
            .action("PutObject"),
    );
    let heads = || emu.calls_to("HeadObject").len();
    let before = heads();
    let args = [
        "publish", "eb", "--app", &app, "--label", "L1", "--output", "json",
    ];
    let (a, b) = race(
        || one.run(&emu, &args),
        // The second starts once the first has looked and is uploading.
        || heads() > before,
        || two.run(&emu, &args),
    );
    let mut codes = [a.code, b.code];
    codes.sort_unstable();
    assert_eq!(
        codes,
        [0, 2],
        "one wins, the other is a label conflict:\n{a}\n{b}"
    );
    let (winner, loser, winner_project, loser_project) = if a.code == 0 {
        (&a, &b, &one, &two)
    } else {
        (&b, &a, &two, &one)
    };
    loser.assert_stderr("already exists with different content");
    // The race really happened: one conditional write found the key taken.
    let refused_puts = emu
        .calls_to("PutObject")
        .iter()
        .filter(|c| c["status"] == 412)
        .count();
    assert!(refused_puts >= 1, "no PutObject lost the race:\n{a}\n{b}");

    // What AWS holds: the version records the winner's digest, and the
    // object it points at holds exactly those bytes.
    let (bucket, key, recorded) = version_source(&emu, &app, "L1");
    assert_eq!(winner.json()["sha256"], recorded.as_str(), "{winner}");
    let object = emu.s3_object(&bucket, &key);
    assert_eq!(object["sha256"], recorded.as_str(), "{object}");
    assert_eq!(object["metadata"]["sha256"], recorded.as_str(), "{object}");
    // Nothing of the loser's is left behind: neither key holds its bytes.
    let loser_digest = sha256(&loser_project.zip(&app, "L1"));
    for k in [
        ebpack::deploy::publish::s3_key(&app, "L1"),
        ebpack::deploy::publish::s3_key_of_content(&app, "L1", &loser_digest),
    ] {
        let o = emu.s3_object(&bucket, &k);
        assert_ne!(o["sha256"], loser_digest.as_str(), "{k}: {o}");
    }

    // Later runs read the same truth: the winner's bundle is reused, the
    // loser's is refused.
    let again = winner_project.run(&emu, &args);
    again.assert_code(0);
    again.assert_stderr("reusing it");
    loser_project.run(&emu, &args).assert_code(2);
}

#[test]
fn a_version_whose_object_was_replaced_is_never_reused_or_deployed() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let (app, env) = app_with_env(emu, &p, Duration::from_millis(300));
    let (bucket, key, _) = version_source(emu, &app, "v0");
    // Another tool overwrites the object, with its own digest in the metadata.
    block_on(async {
        let config = emu.sdk_config().await;
        crate::support::emulator::s3_client(&config)
            .put_object()
            .bucket(&bucket)
            .key(&key)
            .metadata("sha256", "f".repeat(64))
            .body(b"not the bundle".to_vec().into())
            .send()
            .await
            .unwrap();
    });
    let r = p.run(
        emu,
        &[
            "publish", "eb", "--app", &app, "--label", "v0", "--output", "json",
        ],
    );
    r.assert_code(2);
    r.assert_stderr("records sha256");
    r.assert_stderr(&"f".repeat(64));
    let r = p.run(
        emu,
        &with(
            &["deploy", "--env", &env, "--app", &app, "--version", "v0"],
            &FAST,
        ),
    );
    r.assert_code(2);
    r.assert_stderr("records sha256");
    assert_eq!(updates_started(emu, &env), 0, "nothing was deployed");
}

#[test]
fn a_deployment_replaced_by_another_pipeline_is_superseded_not_failed() {
    let emu = Emulator::start();
    let (one, two) = (Project::new("c0"), Project::new("c2"));
    let (app, env) = app_with_env(&emu, &one, Duration::from_millis(1000));
    one.set_content("c1");
    let before = updates_accepted(&emu);
    // The first pipeline looks every 5 s; the second deploys the moment the
    // environment is Ready again (well within 5 s, even on a loaded
    // machine), so the first sees its own success followed by the second's
    // deployment.
    let slow = |label: &str| {
        [
            "deploy",
            "eb",
            "--env",
            &env,
            "--app",
            &app,
            "--label",
            label,
            "--output",
            "json",
            "--poll-min",
            "5s",
            "--poll-max",
            "5s",
        ]
        .map(str::to_owned)
    };
    let fast = with(&deploy_args(&app, &env, "c2"), &[]);
    let (a, b) = race(
        || {
            one.run(
                &emu,
                &slow("c1").iter().map(String::as_str).collect::<Vec<_>>(),
            )
        },
        || updates_accepted(&emu) > before,
        || two.run(&emu, &fast),
    );
    b.assert_code(0);
    a.assert_code(8);
    let j = a.json();
    assert_eq!(j["status"], "superseded", "{a}");
    assert_eq!(j["label"], "c1");
    a.assert_stderr("then another deployment replaced it");
    assert_eq!(env_state(&emu, &env).1.as_deref(), Some("c2"));
}

#[test]
fn a_failed_deployment_never_rolls_back_over_another_pipelines_deployment() {
    let emu = Emulator::start();
    let (one, two) = (Project::new("x"), Project::new("y"));
    let (app, env) = app_with_env(&emu, &one, Duration::from_millis(1500));
    one.set_content("z");
    emu.fail_next_deployment(&env, Some("The container web exited with code 1."));
    let before = updates_accepted(&emu);
    let (a, b) = race(
        || one.run(&emu, &with(&deploy_args(&app, &env, "z"), &["--rollback"])),
        || updates_accepted(&emu) > before,
        || two.run(&emu, &deploy_args(&app, &env, "y")),
    );
    a.assert_code(4);
    b.assert_code(0);
    // Whichever came first, the other pipeline's `y` is what runs: the
    // rollback ran before `y` was deployed (and `y` then superseded it, or
    // came after its verdict), or was skipped.
    assert_eq!(env_state(&emu, &env).1.as_deref(), Some("y"), "{a}\n{b}");
    let rollback = &a.json()["rollback"]["status"];
    assert!(
        ["deployed", "superseded", "skipped"].contains(&rollback.as_str().unwrap_or_default()),
        "{a}"
    );
    assert_eq!(b.json()["final_label"], "y");
}

#[test]
fn a_missing_environment_is_refused_before_anything_is_uploaded() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let app = unique_name("app");
    p.publish(emu, &app, "v0");
    let r = p.run(emu, &deploy_args(&app, "Nope-env", "v1"));
    r.assert_code(2);
    r.assert_stderr("`Nope-env`");
    assert!(!version_exists(emu, &app, "v1"), "no version was created");
    let (bucket, _, _) = version_source(emu, &app, "v0");
    let o = emu.s3_object(&bucket, &ebpack::deploy::publish::s3_key(&app, "v1"));
    assert_eq!(o["exists"], false, "nothing was uploaded: {o}");
}

#[test]
fn timeout_bounds_the_wait_even_when_aws_stops_answering() {
    // Private: after the checks before the update, every DescribeEnvironments
    // hangs for a minute.
    let emu = Emulator::start();
    let p = Project::new("v0");
    let (app, env) = app_with_env(&emu, &p, Duration::from_millis(500));
    p.set_content("v1");
    emu.inject_fault(
        Fault::slow(Duration::from_secs(60))
            .service(Service::ElasticBeanstalk)
            .action("DescribeEnvironments")
            .skip(2),
    );
    let r = p.run(
        &emu,
        &with(&deploy_args(&app, &env, "v1"), &["--timeout", "3s"]),
    );
    r.assert_code(5);
    // A call cut at the deadline, not after the minute it would hang.
    assert!(r.elapsed < Duration::from_secs(30), "{r}");
}

#[test]
fn a_rollback_is_skipped_when_another_pipeline_deployed_after_the_failure() {
    // The first pipeline looks only every 3 s: by the time it sees its own
    // failure, the second has deployed `y` over it. Rolling back now would
    // undo `y`; it must not.
    let emu = Emulator::start();
    let (one, two) = (Project::new("x"), Project::new("y"));
    let (app, env) = app_with_env(&emu, &one, Duration::from_millis(1500));
    one.set_content("z");
    emu.fail_next_deployment(&env, Some("The container web exited with code 1."));
    let before = updates_accepted(&emu);
    let slow: Vec<String> = [
        "deploy",
        "eb",
        "--env",
        &env,
        "--app",
        &app,
        "--label",
        "z",
        "--rollback",
        "--output",
        "json",
        "--poll-min",
        "3s",
        "--poll-max",
        "3s",
    ]
    .map(str::to_owned)
    .to_vec();
    let (a, b) = race(
        || one.run(&emu, &slow.iter().map(String::as_str).collect::<Vec<_>>()),
        || updates_accepted(&emu) > before,
        || two.run(&emu, &deploy_args(&app, &env, "y")),
    );
    b.assert_code(0);
    a.assert_code(4);
    let j = a.json();
    assert_eq!(j["rollback"]["status"], "skipped", "{a}");
    a.assert_stderr("not rolling back: another deployment acted on");
    assert_eq!(env_state(&emu, &env).1.as_deref(), Some("y"));
    assert_eq!(
        updates_accepted(&emu) - before,
        2,
        "`z` and `y` only: no rollback was sent\n{a}"
    );
}
