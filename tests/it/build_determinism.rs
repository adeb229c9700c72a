//! Same inputs, same bytes: the sha256 of a fixture build is pinned, and
//! mtimes, creation order, umask-ish modes and thread counts do not change it.

use crate::support::project::*;
use ebpack::build::{self, BuildOptions};
use ebpack::config::{self, Inputs, Overrides};
use std::path::Path;

/// The sha256 of the standard fixture, label `fixed`, default timestamp.
/// It changes only when the zip layout or the deflate output changes (a new
/// zlib-rs may compress differently): then check the layout and update it.
const FIXTURE_SHA256: &str = "19c907b852f9779cb5ed46d53da52ac316a37e77cf54305c19a67336a6cf2d28";

fn build_lib(project: &Path, threads: usize, epoch: Option<i64>) -> build::BuildOutput {
    let inputs = Inputs {
        cwd: project.to_owned(),
        flags: Overrides {
            bundle: Some("eb".into()),
            app: Some("todobackend".into()),
            ..Overrides::default()
        },
        ..Inputs::default()
    };
    let settings = config::resolve(&inputs).unwrap();
    let opts = BuildOptions {
        label: ebpack::label::LabelInputs {
            given: Some("fixed".into()),
            ..Default::default()
        },
        threads,
        source_date_epoch: epoch,
        ..BuildOptions::default()
    };
    build::build(&settings, &opts, &mut |_| {}).unwrap()
}

fn project(forward: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fixture(&dir.path().join("eb"), forward);
    dir
}

#[test]
fn fixture_sha256_is_pinned_and_stable_across_builds_and_threads() {
    let p = project(true);
    let a = build_lib(p.path(), 1, None);
    assert_eq!(a.manifest.summary.sha256, FIXTURE_SHA256);
    assert_eq!(sha256(&a.zip_path), FIXTURE_SHA256);
    let b = build_lib(p.path(), 4, None);
    assert_eq!(b.manifest.summary.sha256, FIXTURE_SHA256);
    assert_eq!(a.zip_path, b.zip_path);
    assert!(a.zip_path.ends_with("dist/todobackend-fixed.zip"));
}

#[test]
fn mtimes_and_creation_order_do_not_matter() {
    let a = project(true);
    let b = project(false);
    // Move every mtime of the second copy far into the past.
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    for e in walk(&b.path().join("eb")) {
        if let Ok(f) = std::fs::File::options().write(true).open(&e) {
            f.set_modified(old).unwrap();
        }
    }
    let sa = build_lib(a.path(), 2, None).manifest.summary.sha256;
    let sb = build_lib(b.path(), 2, None).manifest.summary.sha256;
    assert_eq!(sa, sb);
}

#[test]
fn a_changed_file_or_mode_or_date_changes_the_digest() {
    let p = project(true);
    let base = build_lib(p.path(), 2, None).manifest.summary.sha256;
    write(
        &p.path().join("eb"),
        "app/static/site.css",
        b"body { color: #334; }\n",
        0o664,
    );
    let changed = build_lib(p.path(), 2, None).manifest.summary.sha256;
    assert_ne!(base, changed);
    set_mode(&p.path().join("eb/app/static/site.css"), 0o775);
    let exec = build_lib(p.path(), 2, None).manifest.summary.sha256;
    assert_ne!(changed, exec);
    // Group-only write bits do not matter: modes are normalised.
    set_mode(&p.path().join("eb/app/static/site.css"), 0o755);
    assert_eq!(build_lib(p.path(), 2, None).manifest.summary.sha256, exec);
    let dated = build_lib(p.path(), 2, Some(1_709_214_331));
    assert_ne!(dated.manifest.summary.sha256, exec);
    assert_eq!(dated.manifest.summary.source_date, "2024-02-29T13:45:30Z");
}

#[test]
fn binary_builds_are_identical_and_honour_source_date_epoch() {
    let p = project(true);
    let args = ["build", "eb", "--label", "fixed", "--app", "todobackend"];
    let o = run(p.path(), &args, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let zip = p.path().join("dist/todobackend-fixed.zip");
    assert_eq!(sha256(&zip), FIXTURE_SHA256);
    let o = run(p.path(), &args, &[("SOURCE_DATE_EPOCH", "1709214331")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let script = "import zipfile,sys; print({tuple(i.date_time) for i in zipfile.ZipFile(sys.argv[1]).infolist()})";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&zip)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "{(2024, 2, 29, 13, 45, 30)}"
    );
    let o = run(p.path(), &args, &[("SOURCE_DATE_EPOCH", "yesterday")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("SOURCE_DATE_EPOCH"), "{}", stderr(&o));
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let meta = std::fs::symlink_metadata(&p).unwrap();
        if meta.is_dir() {
            out.extend(walk(&p));
        } else if meta.is_file() {
            out.push(p);
        }
    }
    out
}
