//! The release installer behind action.yml and the CodeBuild buildspecs
//! (`scripts/install-ebpack.sh`), run for real: a release folder is made from
//! this build's binary, named and summed as the release workflow does, and
//! served over `file://`. A matching archive installs a binary that runs; a
//! tampered archive, or one SHA256SUMS does not list, is refused and nothing
//! is installed. The action's metadata is checked against the documented
//! `$GITHUB_OUTPUT` keys and the crate's version.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The triple the script picks on this machine (release.yml's matrix).
fn host_target() -> String {
    let arch = std::env::consts::ARCH;
    match std::env::consts::OS {
        "linux" => format!("{arch}-unknown-linux-musl"),
        "macos" => format!("{arch}-apple-darwin"),
        other => panic!("this test runs the bash installer on Linux or macOS, not on `{other}`"),
    }
}

/// `sha256sum`'s (or macOS `shasum -a 256`'s) digest of `path`.
fn sha256_hex(path: &Path) -> String {
    let out = Command::new("sh")
        .args([
            "-c",
            r#"sha256sum "$1" 2>/dev/null || shasum -a 256 "$1""#,
            "sh",
        ])
        .arg(path)
        .output()
        .expect("`sh` runs");
    assert!(out.status.success(), "no sha256sum or shasum");
    let hex = String::from_utf8(out.stdout).unwrap();
    hex.split_whitespace().next().unwrap().to_owned()
}

/// Writes `ebpack-<target>-v<version>.tar.gz` holding `<stem>/ebpack` with
/// `binary`'s bytes into `release`, and returns the archive's path.
fn write_archive(release: &Path, binary: &[u8]) -> PathBuf {
    let stem = format!("ebpack-{}-v{VERSION}", host_target());
    let staging = tempfile::tempdir().unwrap();
    fs::create_dir(staging.path().join(&stem)).unwrap();
    let bin = staging.path().join(&stem).join("ebpack");
    fs::write(&bin, binary).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let archive = release.join(format!("{stem}.tar.gz"));
    // Native tar and gzip: the debug binary is hundreds of MB, too slow to
    // compress or hash with an unoptimised test build.
    let status = Command::new("sh")
        .args(["-c", r#"tar -cf - -C "$1" "$2" | gzip -1 > "$3""#, "sh"])
        .arg(staging.path())
        .arg(&stem)
        .arg(&archive)
        .status()
        .expect("`sh` runs");
    assert!(status.success(), "tar | gzip failed");
    archive
}

/// SHA256SUMS as `sha256sum` writes it, with another target's line first so
/// the script must pick its own.
fn write_sums(release: &Path, archive: &Path) {
    let name = archive.file_name().unwrap().to_str().unwrap();
    let other = format!("ebpack-x86_64-pc-windows-msvc-v{VERSION}.zip");
    let sums = format!(
        "{}  {other}\n{}  {name}\n",
        "0".repeat(64),
        sha256_hex(archive)
    );
    fs::write(release.join("SHA256SUMS"), sums).unwrap();
}

struct Run {
    output: Output,
    dir: PathBuf,
    github_path: String,
    github_output: String,
    _home: tempfile::TempDir,
}

/// Runs the installer against `release` into a fresh folder.
fn install(release: &Path) -> Run {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("bin");
    let github_path = home.path().join("github_path");
    let github_output = home.path().join("github_output");
    let output = Command::new("bash")
        .arg(Path::new(ROOT).join("scripts/install-ebpack.sh"))
        .args(["--version", &format!("v{VERSION}"), "--dir"])
        .arg(&dir)
        .env("EBPACK_BASE_URL", format!("file://{}", release.display()))
        .env_remove("EBPACK_TARGET")
        .env_remove("EBPACK_VERSION")
        .env("GITHUB_PATH", &github_path)
        .env("GITHUB_OUTPUT", &github_output)
        .env("HOME", home.path())
        .output()
        .expect("bash runs");
    Run {
        output,
        dir,
        github_path: fs::read_to_string(github_path).unwrap_or_default(),
        github_output: fs::read_to_string(github_output).unwrap_or_default(),
        _home: home,
    }
}

fn stderr(run: &Run) -> String {
    String::from_utf8_lossy(&run.output.stderr).into_owned()
}

#[test]
fn installs_a_release_whose_checksum_matches() {
    let release = tempfile::tempdir().unwrap();
    let binary = fs::read(env!("CARGO_BIN_EXE_ebpack")).unwrap();
    let archive = write_archive(release.path(), &binary);
    write_sums(release.path(), &archive);

    let run = install(release.path());
    assert!(
        run.output.status.success(),
        "install failed:\n{}",
        stderr(&run)
    );

    let installed = run.dir.join("ebpack");
    assert_eq!(
        fs::read(&installed).unwrap(),
        binary,
        "installed bytes differ"
    );
    let version = Command::new(&installed).arg("--version").output().unwrap();
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        format!("ebpack {VERSION}\n")
    );
    assert_eq!(run.github_path, format!("{}\n", run.dir.display()));
    assert_eq!(
        run.github_output,
        format!("ebpack-path={}\n", installed.display())
    );
    let leftovers: Vec<_> = fs::read_dir(&run.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers,
        ["ebpack"],
        "only the binary is left in the folder"
    );
}

#[test]
fn refuses_a_tampered_archive_and_installs_nothing() {
    let release = tempfile::tempdir().unwrap();
    let genuine = write_archive(
        release.path(),
        &fs::read(env!("CARGO_BIN_EXE_ebpack")).unwrap(),
    );
    write_sums(release.path(), &genuine);
    // Same name, other content: what a swapped release asset looks like.
    let tampered = write_archive(release.path(), b"#!/bin/sh\necho pwned\n");
    assert_eq!(tampered, genuine);

    let run = install(release.path());
    assert_eq!(
        run.output.status.code(),
        Some(1),
        "stderr:\n{}",
        stderr(&run)
    );
    let name = tampered.file_name().unwrap().to_str().unwrap();
    let err = stderr(&run);
    assert!(
        err.contains(&format!("error: checksum mismatch for `{name}`"))
            && err.contains("nothing installed"),
        "unclear error:\n{err}"
    );
    assert!(
        !run.dir.join("ebpack").exists(),
        "a refused binary was installed"
    );
    assert_eq!(run.github_path, "", "PATH was changed");
}

#[test]
fn refuses_an_archive_that_sha256sums_does_not_list() {
    let release = tempfile::tempdir().unwrap();
    let archive = write_archive(
        release.path(),
        &fs::read(env!("CARGO_BIN_EXE_ebpack")).unwrap(),
    );
    fs::write(
        release.path().join("SHA256SUMS"),
        format!("{}  other.tar.gz\n", sha256_hex(&archive)),
    )
    .unwrap();

    let run = install(release.path());
    assert_eq!(run.output.status.code(), Some(1));
    assert!(
        stderr(&run).contains("`SHA256SUMS` has no entry for"),
        "{}",
        stderr(&run)
    );
    assert!(!run.dir.join("ebpack").exists());
}

/// The backticked keys of one bullet (`- deploy: ...`) of docs/deploy.md's
/// `$GITHUB_OUTPUT` section.
fn documented_keys(command: &str) -> Vec<String> {
    let doc = fs::read_to_string(Path::new(ROOT).join("docs/deploy.md")).unwrap();
    let section = doc
        .split("### `$GITHUB_OUTPUT`")
        .nth(1)
        .expect("section in docs/deploy.md");
    let bullet = section
        .split("\n- ")
        .find(|b| b.starts_with(&format!("{command}:")))
        .unwrap_or_else(|| panic!("no `{command}` bullet"));
    let bullet = bullet.split("\n\n").next().unwrap();
    bullet
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn action_exposes_every_documented_output_and_installs_this_version() {
    let action = fs::read_to_string(Path::new(ROOT).join("action.yml")).unwrap();
    let outputs = action
        .split("\noutputs:\n")
        .nth(1)
        .and_then(|rest| rest.split("\nruns:\n").next())
        .expect("an `outputs:` section before `runs:`");
    let keys: Vec<String> = documented_keys("deploy")
        .into_iter()
        .chain(documented_keys("publish"))
        .collect();
    assert!(keys.len() >= 20, "too few documented keys: {keys:?}");
    for key in keys {
        let wanted = format!("  {key}:\n");
        let mapped = format!("value: ${{{{ steps.run.outputs.{key} }}}}");
        let at = outputs
            .find(&wanted)
            .unwrap_or_else(|| panic!("action.yml has no output `{key}`"));
        let entry: Vec<&str> = outputs[at + wanted.len()..].lines().take(2).collect();
        assert!(
            entry.iter().any(|l| l.trim() == mapped),
            "output `{key}` is not {mapped}: {entry:?}"
        );
    }
    let default = format!(
        "  version:\n    description: \"ebpack release to install, e.g. {VERSION}\"\n    required: false\n    default: \"{VERSION}\"\n"
    );
    assert!(
        action.contains(&default),
        "action.yml's default version is not {VERSION}"
    );
}
