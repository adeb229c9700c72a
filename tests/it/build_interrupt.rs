//! An interrupted build never leaves a partial zip at the output path:
//! SIGKILL mid-write leaves at most a `.ebpack-*.zip.tmp`, which the next
//! build sweeps; Ctrl-C (SIGINT) and SIGTERM remove even that and exit 130.

use crate::support::project::*;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A bundle big enough to take a while to compress: incompressible blobs.
fn big_project() -> tempfile::TempDir {
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut noise = vec![0u8; 64 * 1024 * 1024];
    for b in noise.chunks_mut(8) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        b.copy_from_slice(&seed.to_le_bytes()[..b.len()]);
    }
    // Text compresses slowly at level 9; noise keeps the archive large.
    for i in 0..4 {
        write(&eb, &format!("data/blob{i}.bin"), &noise, 0o644);
    }
    p
}

fn spawn(project: &Path) -> Child {
    Command::new(BIN)
        .current_dir(project)
        .args([
            "build",
            "eb",
            "--label",
            "big",
            "--app",
            "app",
            "--threads",
            "1",
            "--level",
            "9",
        ])
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until a temporary zip with some bytes exists in `dist`.
fn wait_for_temp(dist: &Path, child: &mut Child) -> std::path::PathBuf {
    let start = Instant::now();
    loop {
        if let Ok(rd) = std::fs::read_dir(dist) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with(".ebpack-")
                    && name.ends_with(".zip.tmp")
                    && e.metadata().map(|m| m.len() > 1_000_000).unwrap_or(false)
                {
                    return e.path();
                }
            }
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "build finished before it could be interrupted"
        );
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sigkill_mid_write_leaves_no_zip_at_the_output_path() {
    let p = big_project();
    let dist = p.path().join("dist");
    let mut child = spawn(p.path());
    let tmp = wait_for_temp(&dist, &mut child);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(!dist.join("app-big.zip").exists());
    assert!(!dist.join("app-big.json").exists());
    assert!(!dist.join("version.json").exists());
    // Only the temporary file remains, under a name no one mistakes for a bundle.
    let left: Vec<String> = std::fs::read_dir(&dist)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left,
        [tmp.file_name().unwrap().to_string_lossy().into_owned()]
    );
    // The next build sweeps it, once it is old enough that no build that
    // just created it could still be about to lock it.
    std::fs::File::options()
        .write(true)
        .open(&tmp)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(60))
        .unwrap();
    std::fs::remove_dir_all(p.path().join("eb/data")).unwrap();
    let out = run(
        p.path(),
        &["build", "eb", "--label", "small", "--app", "app"],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("removed 1 temporary file(s)"),
        "{}",
        stderr(&out)
    );
    assert!(!tmp.exists());
}

#[test]
fn sigint_and_sigterm_clean_up_and_exit_130() {
    for signal in ["INT", "TERM"] {
        let p = big_project();
        let dist = p.path().join("dist");
        let mut child = spawn(p.path());
        wait_for_temp(&dist, &mut child);
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(130), "{signal}: {err}");
        assert!(err.contains("interrupted"), "{err}");
        let left: Vec<_> = std::fs::read_dir(&dist).unwrap().collect();
        assert!(left.is_empty(), "{signal}: {left:?}");
    }
}
