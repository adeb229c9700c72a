//! A signal at each stage of publish and deploy, sent to a real `ebpack`
//! against a private emulator (faults and call counts): it never exits 0
//! after the job was cancelled, it does nothing after the signal that it
//! had not started, and it says exactly how far it got. SIGINT, SIGTERM
//! and SIGHUP act the same; a second signal waits for a multipart abort.

use crate::signals::{
    block_on, ebpack, kill, lines_until, noise, rest, spawn_watching, version_exists, write_bundle,
};
use crate::support::emulator::{ACCOUNT_ID, Delays, Emulator, Fault, REGION, Service, unique_name};
use std::time::{Duration, Instant};

/// Waits until the emulator has started faulting (delaying) `action` for
/// the `n`th time: the call is under way.
fn wait_injected(emu: &Emulator, action: &str, n: u64, child: &mut std::process::Child) {
    let start = Instant::now();
    loop {
        let injected: u64 = emu
            .faults()
            .iter()
            .filter(|f| f["actions"].to_string().contains(action))
            .map(|f| f["injected"].as_u64().unwrap_or(0))
            .sum();
        if injected >= n {
            return;
        }
        assert!(child.try_wait().unwrap().is_none(), "ebpack ended first");
        assert!(start.elapsed() < Duration::from_secs(60), "no {action}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn every_signal_before_the_upload_uploads_nothing() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let zip = write_bundle(dir.path(), "small.zip", b"small");
    emu.inject_fault(
        Fault::slow(Duration::from_secs(2))
            .service(Service::ElasticBeanstalk)
            .action("CreateStorageLocation"),
    );
    for (n, signal) in ["INT", "TERM", "HUP"].into_iter().enumerate() {
        let app = unique_name("app");
        let mut cmd = ebpack(&emu, dir.path(), &["publish", "--bundle", &zip]);
        cmd.args(["--app", &app, "--label", "v1", "--create-app"]);
        let (mut child, rx) = spawn_watching(cmd);
        wait_injected(&emu, "CreateStorageLocation", n as u64 + 1, &mut child);
        kill(&child, signal);
        let status = child.wait().unwrap();
        let err = rest(rx, &mut Vec::new());
        assert_eq!(status.code(), Some(130), "{signal}: {err}");
        assert!(
            err.contains("error: interrupted before uploading; nothing was uploaded and no application version was created"),
            "{signal}: {err}"
        );
        assert!(!version_exists(&emu, &app, "v1"), "{signal}: {err}");
    }
    assert!(emu.calls_to("PutObject").is_empty());
    assert!(emu.calls_to("CreateApplicationVersion").is_empty());
}

#[test]
fn a_signal_while_the_version_is_created_is_not_swallowed() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let app = unique_name("app");
    let env = unique_name("env");
    let v0 = write_bundle(dir.path(), "v0.zip", b"zero");
    let out = ebpack(&emu, dir.path(), &["publish", "--bundle", &v0])
        .args(["--app", &app, "--label", "v0", "--create-app"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    emu.set_delays(Delays {
        launch: Some(Duration::from_millis(200)),
        ..Delays::default()
    });
    block_on(emu.create_ready_environment(&app, &env, "v0"));
    emu.inject_fault(
        Fault::slow(Duration::from_secs(2))
            .service(Service::ElasticBeanstalk)
            .action("CreateApplicationVersion"),
    );

    // publish: the call under way is let answer, then it stops: exit 130,
    // and the message says the version exists.
    let v1 = write_bundle(dir.path(), "v1.zip", b"one");
    let mut cmd = ebpack(&emu, dir.path(), &["publish", "--bundle", &v1]);
    cmd.args(["--app", &app, "--label", "v1"]);
    let (mut child, rx) = spawn_watching(cmd);
    wait_injected(&emu, "CreateApplicationVersion", 1, &mut child);
    kill(&child, "TERM");
    let status = child.wait().unwrap();
    let err = rest(rx, &mut Vec::new());
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(
        err.contains(&format!(
            "error: interrupted after application version `v1` was created (s3://elasticbeanstalk-{REGION}-{ACCOUNT_ID}/{app}/v1.zip)"
        )),
        "{err}"
    );
    assert!(version_exists(&emu, &app, "v1"), "as the message says");

    // deploy: published, and the environment is never asked to deploy it.
    let v2 = write_bundle(dir.path(), "v2.zip", b"two");
    let mut cmd = ebpack(&emu, dir.path(), &["deploy", "--bundle", &v2]);
    cmd.args(["--app", &app, "--label", "v2", "--env", &env]);
    let (mut child, rx) = spawn_watching(cmd);
    wait_injected(&emu, "CreateApplicationVersion", 2, &mut child);
    kill(&child, "INT");
    let status = child.wait().unwrap();
    let err = rest(rx, &mut Vec::new());
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(
        err.contains("error: interrupted; `v2` was published, nothing was deployed"),
        "{err}"
    );
    assert!(emu.calls_to("UpdateEnvironment").is_empty(), "{err}");
}

#[test]
fn a_second_signal_waits_for_the_multipart_abort() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let app = unique_name("app");
    let zip = write_bundle(dir.path(), "big.zip", &noise(20 * 1024 * 1024, 11));
    emu.inject_fault(
        Fault::slow(Duration::from_secs(20))
            .service(Service::S3)
            .action("UploadPart"),
    );
    emu.inject_fault(
        Fault::slow(Duration::from_secs(2))
            .service(Service::S3)
            .action("AbortMultipartUpload"),
    );
    let mut cmd = ebpack(&emu, dir.path(), &["publish", "--bundle", &zip]);
    cmd.args(["--app", &app, "--label", "big", "--create-app"]);
    let (mut child, rx) = spawn_watching(cmd);
    let mut seen = Vec::new();
    lines_until(&rx, "uploading", &mut seen);
    wait_injected(&emu, "UploadPart", 1, &mut child);
    // What GitHub Actions does on cancel: SIGINT, then SIGTERM.
    kill(&child, "INT");
    wait_injected(&emu, "AbortMultipartUpload", 1, &mut child);
    kill(&child, "TERM");
    let status = child.wait().unwrap();
    let err = rest(rx, &mut seen);
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(
        err.contains("ebpack: still aborting the multipart upload; waiting for it to finish"),
        "{err}"
    );
    assert!(err.contains("was aborted, no parts are left"), "{err}");
    assert_eq!(emu.calls_to("AbortMultipartUpload").len(), 1, "{err}");
    let bucket = format!("elasticbeanstalk-{REGION}-{ACCOUNT_ID}");
    let open = block_on(async {
        emu.s3_client()
            .await
            .list_multipart_uploads()
            .bucket(&bucket)
            .send()
            .await
            .unwrap()
            .uploads()
            .len()
    });
    assert_eq!(open, 0, "no incomplete multipart upload is left");
    assert!(!version_exists(&emu, &app, "big"), "no version: {err}");
}

#[test]
fn a_signal_while_waiting_for_a_busy_environment_says_nothing_was_deployed() {
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let app = unique_name("app");
    for label in ["v0", "v1", "v2"] {
        let zip = write_bundle(dir.path(), &format!("{label}.zip"), label.as_bytes());
        let out = ebpack(&emu, dir.path(), &["publish", "--bundle", &zip])
            .args(["--app", &app, "--label", label, "--create-app"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    emu.set_delays(Delays {
        launch: Some(Duration::from_millis(200)),
        update: Some(Duration::from_secs(120)),
        ..Delays::default()
    });
    for (n, signal) in ["INT", "HUP"].into_iter().enumerate() {
        let env = unique_name("env");
        block_on(async {
            emu.create_ready_environment(&app, &env, "v0").await;
            // Another pipeline's deployment keeps it busy.
            emu.eb_client()
                .await
                .update_environment()
                .application_name(&app)
                .environment_name(&env)
                .version_label("v1")
                .send()
                .await
                .unwrap();
        });
        let mut cmd = ebpack(&emu, dir.path(), &["deploy", "--version", "v2"]);
        cmd.args(["--env", &env, "--app", &app]).args([
            "--poll-min",
            "50ms",
            "--poll-max",
            "200ms",
        ]);
        let (mut child, rx) = spawn_watching(cmd);
        let mut seen = Vec::new();
        lines_until(&rx, "waiting for it to be Ready", &mut seen);
        kill(&child, signal);
        let status = child.wait().unwrap();
        let err = rest(rx, &mut seen);
        assert_eq!(status.code(), Some(130), "{signal}: {err}");
        assert!(
            err.contains(&format!(
                "error: interrupted before ebpack sent `UpdateEnvironment`; `v2` is published, `{env}` was not asked to deploy it"
            )),
            "{signal}: {err}"
        );
        assert!(!err.contains("goes on in AWS"), "{signal}: {err}");
        assert_eq!(
            emu.calls_to("UpdateEnvironment").len(),
            n + 1,
            "only the other pipeline's: {err}"
        );
    }
}
