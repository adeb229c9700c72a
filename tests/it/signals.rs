//! SIGINT, SIGTERM and SIGHUP stop every command the same way: the build
//! removes its temporary zip, an upload aborts its multipart upload (no
//! parts left to pay for, no version created), a deployment wait stops
//! (the deployment goes on in AWS), and ebpack exits 130.

use crate::support::emulator::{ACCOUNT_ID, Delays, Emulator, Fault, REGION, Service, unique_name};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_ebpack");

pub(super) fn kill(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{signal}");
}

/// Incompressible bytes: a zip of them is as large as they are.
pub(super) fn noise(bytes: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = vec![0u8; bytes];
    for chunk in out.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    out
}

// --- build ----------------------------------------------------------------------

#[test]
fn sighup_and_sigterm_during_build_clean_up_and_exit_130() {
    for signal in ["HUP", "TERM"] {
        let p = tempfile::tempdir().unwrap();
        let eb = p.path().join("eb");
        crate::support::project::fixture(&eb, true);
        let blob = noise(64 * 1024 * 1024, 0x9e37_79b9_7f4a_7c15);
        for i in 0..4 {
            crate::support::project::write(&eb, &format!("data/blob{i}.bin"), &blob, 0o644);
        }
        let dist = p.path().join("dist");
        let mut child = Command::new(BIN)
            .current_dir(p.path())
            .args(["build", "eb", "--label", "big", "--app", "app"])
            .args(["--threads", "1", "--level", "9"])
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_for_temp_zip(&dist, &mut child);
        kill(&child, signal);
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(130), "{signal}: {err}");
        assert!(
            err.contains("error: interrupted; no bundle was written"),
            "{signal}: {err}"
        );
        let left: Vec<_> = std::fs::read_dir(&dist).unwrap().collect();
        assert!(left.is_empty(), "{signal}: no partial zip: {left:?}");
    }
}

fn wait_for_temp_zip(dist: &Path, child: &mut Child) {
    let start = Instant::now();
    loop {
        let found = std::fs::read_dir(dist)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.ends_with(".zip.tmp") && e.metadata().is_ok_and(|m| m.len() > 1_000_000)
            });
        if found {
            return;
        }
        assert!(child.try_wait().unwrap().is_none(), "the build ended first");
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no temporary zip"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

// --- against the emulator -------------------------------------------------------

pub(super) fn ebpack(emu: &Emulator, cwd: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(cwd)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", cwd)
        .env("NO_COLOR", "1")
        .env("GIT_CEILING_DIRECTORIES", cwd.parent().unwrap_or(cwd));
    for (k, v) in emu.env_vars() {
        cmd.env(k, v);
    }
    cmd
}

/// Spawns `cmd` and passes its stderr lines to the returned channel.
pub(super) fn spawn_watching(mut cmd: Command) -> (Child, mpsc::Receiver<String>) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

/// Lines from `rx` until one contains `needle`; then the rest as they come.
pub(super) fn lines_until(rx: &mpsc::Receiver<String>, needle: &str, seen: &mut Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                let hit = line.contains(needle);
                seen.push(line);
                if hit {
                    return;
                }
            }
            Err(e) => panic!("no line with {needle:?} ({e}):\n{}", seen.join("\n")),
        }
    }
}

pub(super) fn rest(rx: mpsc::Receiver<String>, seen: &mut Vec<String>) -> String {
    seen.extend(rx);
    seen.join("\n")
}

pub(super) fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

pub(super) fn version_exists(emu: &Emulator, app: &str, label: &str) -> bool {
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

pub(super) fn write_bundle(dir: &Path, name: &str, extra: &[u8]) -> String {
    let zip = crate::support::emulator::zip_bytes(&[
        (
            "Dockerrun.aws.json",
            br#"{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "essential": true, "memory": 128}]}"#,
        ),
        ("blob.bin", extra),
    ]);
    std::fs::write(dir.join(name), zip).unwrap();
    name.to_owned()
}

#[test]
fn sigterm_during_the_deployment_wait_stops_waiting_and_exits_130() {
    let emu = Emulator::shared();
    let dir = tempfile::tempdir().unwrap();
    let app = unique_name("app");
    for (label, content) in [("v0", b"zero" as &[u8]), ("v1", b"one")] {
        let zip = write_bundle(dir.path(), &format!("{label}.zip"), content);
        let out = ebpack(emu, dir.path(), &["publish", "--bundle", &zip])
            .args(["--app", &app, "--label", label, "--create-app"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let env = unique_name("env");
    emu.set_environment_delays(
        &env,
        Delays {
            launch: Some(Duration::from_millis(200)),
            update: Some(Duration::from_secs(60)),
            ..Delays::default()
        },
    );
    block_on(emu.create_ready_environment(&app, &env, "v0"));

    let mut cmd = ebpack(emu, dir.path(), &["deploy", "--version", "v1"]);
    cmd.args(["--env", &env, "--app", &app])
        .args(["--poll-min", "50ms", "--poll-max", "200ms"]);
    let (mut child, rx) = spawn_watching(cmd);
    let mut seen = Vec::new();
    lines_until(&rx, "deploying `v1`", &mut seen);
    kill(&child, "TERM");
    let status = child.wait().unwrap();
    let err = rest(rx, &mut seen);
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(
        err.contains(&format!(
            "ebpack: stopped waiting; the deployment of `v1` to `{env}` goes on in AWS"
        )),
        "{err}"
    );
    assert!(!err.contains("error:"), "not an error: {err}");
}

#[test]
fn sigterm_during_a_multipart_upload_aborts_it_and_creates_no_version() {
    // Counting calls and faults needs an emulator no other test talks to.
    let emu = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let app = unique_name("app");
    // Above the 16 MiB multipart threshold: three parts of 8 MiB.
    let zip = write_bundle(dir.path(), "big.zip", &noise(20 * 1024 * 1024, 7));
    emu.inject_fault(
        Fault::slow(Duration::from_secs(20))
            .service(Service::S3)
            .action("UploadPart"),
    );
    let mut cmd = ebpack(&emu, dir.path(), &["publish", "--bundle", &zip]);
    cmd.args(["--app", &app, "--label", "big", "--create-app"]);
    let (mut child, rx) = spawn_watching(cmd);
    let mut seen = Vec::new();
    lines_until(&rx, "uploading", &mut seen);
    let start = Instant::now();
    while emu.calls_to("CreateMultipartUpload").is_empty() {
        assert!(child.try_wait().unwrap().is_none(), "{}", seen.join("\n"));
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no multipart upload"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let the parts get under way.
    std::thread::sleep(Duration::from_millis(300));
    kill(&child, "TERM");
    let status = child.wait().unwrap();
    let err = rest(rx, &mut seen);
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(
        err.contains("error: interrupted while uploading to s3://")
            && err.contains("(UploadPart): multipart upload `")
            && err.contains("` was aborted, no parts are left; no application version was created"),
        "{err}"
    );
    assert_eq!(emu.calls_to("AbortMultipartUpload").len(), 1, "{err}");
    assert!(emu.calls_to("CompleteMultipartUpload").is_empty());
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
