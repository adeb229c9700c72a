//! What a build reads and writes, with hostile inputs built here: its
//! outputs appear together or not at all, the output folder never ends up
//! in the bundle, a file named on the command line that never ends is read
//! with a bound, and text whose only gain is Huffman coding is compressed.

use crate::support::project::*;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_failure_after_the_zip_is_written_changes_nothing() {
    let p = tempfile::tempdir().unwrap();
    fixture(&p.path().join("eb"), true);
    let out = run(
        p.path(),
        &["build", "eb", "--app", "app", "--label", "v1"],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let dist = p.path().join("dist");
    let before = names(&dist);
    let version = std::fs::read_to_string(dist.join("version.json")).unwrap();
    // Something in the way of the next build's manifest: its zip is
    // written in full, then the manifest cannot be.
    std::fs::create_dir(dist.join("app-v2.json")).unwrap();
    let out = run(
        p.path(),
        &["build", "eb", "--app", "app", "--label", "v2"],
        &[],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(err.contains("nothing was changed in"), "{err}");
    let mut after = names(&dist);
    after.retain(|n| n != "app-v2.json");
    assert_eq!(after, before, "no new zip, no temporary file: {err}");
    assert_eq!(
        std::fs::read_to_string(dist.join("version.json")).unwrap(),
        version,
        "version.json still names the label whose zip is there"
    );
}

#[test]
fn a_killed_builds_temporary_file_is_swept_by_the_next_build() {
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    // What a build killed mid-write (SIGKILL, power loss) leaves: a
    // `.ebpack-*.zip.tmp` no process holds, from an hour ago.
    let dist = p.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let dead = dist.join(".ebpack-Xk3j9q.zip.tmp");
    std::fs::write(&dead, vec![0u8; 77_000]).unwrap();
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&dead)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    // One still being written by another build: held, and new.
    let live = dist.join(".ebpack-live01.zip.tmp");
    let held = std::fs::File::create(&live).unwrap();
    held.lock().unwrap();
    let out = run(
        p.path(),
        &["build", "eb", "--app", "app", "--label", "v1"],
        &[],
    );
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("removed 1 temporary file(s) (77.0 KB) an interrupted build left in"),
        "{err}"
    );
    assert!(!dead.exists() && live.exists(), "{err}");
}

#[test]
fn the_output_folder_never_ends_up_in_the_bundle() {
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    std::os::unix::fs::symlink("eb", p.path().join("also-eb")).unwrap();
    // The bundle folder itself, named directly or through a link: refused.
    for out_dir in ["eb", "also-eb", "./eb/"] {
        let out = run(
            p.path(),
            &[
                "build", "eb", "--app", "app", "--label", "v1", "--out", out_dir,
            ],
            &[],
        );
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{out_dir}: {err}");
        assert!(
            err.contains("is the bundle folder `eb`"),
            "{out_dir}: {err}"
        );
        assert!(!eb.join("app-v1.zip").exists(), "{out_dir}");
    }
    // Inside it, however deep and however named: left out.
    std::os::unix::fs::symlink("eb/sub", p.path().join("to-sub")).unwrap();
    for (i, out_dir) in ["eb/sub/dist", "to-sub/dist", "eb/sub/dist"]
        .into_iter()
        .enumerate()
    {
        let label = format!("v{i}");
        let out = run(
            p.path(),
            &[
                "build", "eb", "--app", "app", "--label", &label, "--out", out_dir,
            ],
            &[],
        );
        assert!(out.status.success(), "{out_dir}: {}", stderr(&out));
        let zip = eb.join(format!("sub/dist/app-{label}.zip"));
        let entries = py_entries(&zip);
        assert!(
            entries.iter().all(|e| !e.0.contains("app-v")),
            "{out_dir}: {:?}",
            entries.iter().map(|e| &e.0).collect::<Vec<_>>()
        );
    }
}

/// Runs `args`, killing it (and failing) if it takes longer than a build
/// of the fixture ever does: a read that never ends.
fn run_bounded(cwd: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(BIN)
        .current_dir(cwd)
        .args(args)
        .env("NO_COLOR", "1")
        .env("GIT_CEILING_DIRECTORIES", cwd.parent().unwrap_or(cwd))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("{args:?} still reading after 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut err = Vec::new();
    child.stderr.take().unwrap().read_to_end(&mut err).unwrap();
    Output {
        status: child.wait().unwrap(),
        stdout: Vec::new(),
        stderr: err,
    }
}

#[test]
fn a_named_file_that_never_ends_is_read_with_a_bound() {
    let p = tempfile::tempdir().unwrap();
    fixture(&p.path().join("eb"), true);
    let build = ["build", "eb", "--app", "app", "--label", "v1"];
    let out = run_bounded(p.path(), &[&build[..], &["--config", "/dev/zero"]].concat());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(
        err.contains("cannot read `/dev/zero`: it is not a regular file and gave more than 1.0 MB"),
        "{err}"
    );
    let out = run_bounded(
        p.path(),
        &[&build[..], &["--tag-from", "/dev/zero"]].concat(),
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--tag-from: cannot read `/dev/zero`: it is not a regular file"),
        "{err}"
    );
    // A regular file too large is refused by its size, before reading.
    let big = p.path().join("big.yaml");
    std::fs::write(&big, vec![b'#'; 2 * 1024 * 1024]).unwrap();
    let out = run_bounded(p.path(), &[&build[..], &["--config", "big.yaml"]].concat());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(
        err.contains("it is 2097152 bytes, more than the 1.0 MB"),
        "{err}"
    );
    // `/dev/null` is an empty configuration, as before.
    let out = run_bounded(p.path(), &[&build[..], &["--config", "/dev/null"]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn base64_text_is_compressed_as_zip_6_compresses_it() {
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let text: Vec<u8> = (0..3 * 1024 * 1024)
        .map(|i| {
            if i % 77 == 76 {
                return b'\n';
            }
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            B64[(seed >> 58) as usize]
        })
        .collect();
    write(&eb, "certs/bundle.pem", &text, 0o644);
    let out = run(
        p.path(),
        &["build", "eb", "--app", "app", "--label", "v1"],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let zip = std::fs::File::open(p.path().join("dist/app-v1.zip")).unwrap();
    let mut archive = zip::ZipArchive::new(zip).unwrap();
    let entry = archive.by_name("certs/bundle.pem").unwrap();
    let mut reference = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(6));
    std::io::Write::write_all(&mut reference, &text).unwrap();
    let reference = reference.finish().unwrap().len() as u64;
    assert!(
        entry.compressed_size() * 100 <= reference * 102,
        "{} bytes in the zip; one deflate pass at level 6 makes {reference}",
        entry.compressed_size()
    );
}
