//! `.ebignore` read as the EB CLI reads it, and `build --from-git`.
//!
//! The seven cases of the EB CLI's own `.ebignore` tests
//! (`tests/unit/operations/test_ebignore.py`, the same trees and patterns,
//! written here from scratch with a control file each), the re-inclusion
//! `eb deploy` does and git does not, `-v`'s list of what was left out and
//! why, and `--from-git` against a working folder with changes.

use crate::support::project::*;
use ebpack::fileset::{self, FileKind, Reason};
use std::path::Path;
use std::process::Command;

/// Walks a folder holding `files` and `ebignore`; returns the files that
/// ship (folders left aside: the EB CLI compares files).
fn shipped(files: &[&str], ebignore: &str) -> Vec<String> {
    let d = tempfile::tempdir().unwrap();
    for rel in files {
        write(d.path(), rel, b"x", 0o644);
    }
    write(d.path(), ".ebignore", ebignore.as_bytes(), 0o644);
    let set = fileset::walk(d.path(), None).unwrap();
    assert!(
        set.skipped
            .iter()
            .any(|s| s.rel == ".ebignore" && matches!(s.reason, Reason::Builtin(_))),
        "the EB CLI always leaves `.ebignore` out"
    );
    set.files
        .iter()
        .filter(|f| f.kind != FileKind::Dir)
        .map(|f| f.rel.clone())
        .collect()
}

#[test]
fn eb_cli_case_dotted_files() {
    let got = shipped(
        &[
            ".gitignore",
            ".dotted_file",
            "folder/.dotted_file",
            "control",
        ],
        "\n# a special dot file\n.gitignore\n\n# a dot file\n.dotted_file\n\n# one level down\nfolder/.dotted_file\n",
    );
    assert_eq!(got, ["control"]);
}

#[test]
fn eb_cli_case_regular_files() {
    let got = shipped(
        &["file_1", "folder/file_2", "folder/file_3"],
        "# top level\nfile_1\n# one level down\nfolder/file_2\n",
    );
    assert_eq!(got, ["folder/file_3"]);
}

#[test]
fn eb_cli_case_directories() {
    let got = shipped(
        &["folder_1/.gitkeep", "folder_2/.gitkeep", "control"],
        "# a name alone\nfolder_1\n# a name with a slash\nfolder_2/\n",
    );
    assert_eq!(got, ["control"]);
}

#[test]
fn eb_cli_case_negation() {
    let got = shipped(
        &[
            "outer/file_1",
            "outer/file_2",
            "outer/inner/file_1",
            "outer/inner/file_2",
        ],
        "outer/*\n!outer/inner\nouter/inner/*\n!outer/inner/file_2\n",
    );
    assert_eq!(got, ["outer/inner/file_2"]);
}

#[test]
fn eb_cli_case_names_with_spaces() {
    let got = shipped(&["file 1", "file 2"], "file\\ 1\n");
    assert_eq!(got, ["file 2"]);
}

#[test]
fn eb_cli_case_names_with_an_exclamation_mark() {
    let got = shipped(&["!file_1", "file_1"], "\\!file_1\n");
    assert_eq!(got, ["file_1"]);
}

#[test]
fn eb_cli_case_unicode_names() {
    let got = shipped(
        &[
            "哈哈",
            "昨夜のコンサートは最高でした。",
            "ändrar något i databasen",
            "control",
        ],
        "哈哈\n昨夜のコンサートは最高でした。\nändrar\\ något\\ i\\ databasen\n",
    );
    assert_eq!(got, ["control"]);
}

/// A project whose `.ebignore` leaves `.platform/` out and ships one hook
/// again (the example).
fn reinclusion_project() -> tempfile::TempDir {
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    write(
        &eb,
        ".platform/hooks/prebuild/01.sh",
        b"#!/bin/sh\necho prebuild\n",
        0o644,
    );
    write(
        &eb,
        ".ebignore",
        b".platform/\n!.platform/hooks/prebuild/01.sh\n",
        0o644,
    );
    p
}

#[test]
fn a_negation_ships_a_hook_below_an_excluded_folder() {
    let p = reinclusion_project();
    let o = run(
        p.path(),
        &["build", "eb", "--label", "t", "--app", "app"],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let entries = py_entries(&p.path().join("dist/app-t.zip"));
    let platform: Vec<(String, u32)> = entries
        .iter()
        .filter(|e| e.0.starts_with(".platform"))
        .map(|e| (e.0.clone(), e.1))
        .collect();
    assert_eq!(
        platform,
        [
            (".platform/".to_owned(), 0o40_755),
            (".platform/hooks/".to_owned(), 0o40_755),
            (".platform/hooks/prebuild/".to_owned(), 0o40_755),
            (".platform/hooks/prebuild/01.sh".to_owned(), 0o100_755),
        ]
    );
    assert!(!entries.iter().any(|e| e.0 == ".ebignore"));
    // R13 names what really stays out, not the folder the hook ships from.
    let err = stderr(&o);
    assert!(
        err.contains("`.ebignore` leaves `.platform/hooks/predeploy/` out of the bundle (pattern `.platform/`)"),
        "{err}"
    );
    assert!(!err.contains("the folder `.platform`"), "{err}");
    assert!(err.contains("eb/.ebignore:1:1"), "{err}");
}

#[test]
fn r13_says_the_whole_folder_only_when_nothing_of_it_ships() {
    let p = reinclusion_project();
    let eb = p.path().join("eb");
    write(&eb, ".ebignore", b".platform/\n", 0o644);
    let o = run(p.path(), &["validate", "eb"], &[]);
    let err = stderr(&o);
    assert!(
        err.contains(
            "`.ebignore` leaves the folder `.platform` out of the bundle (pattern `.platform/`): EB never sees it"
        ),
        "{err}"
    );
    assert!(err.contains("add `!.platform` after it"), "{err}");
    // Re-including the folder silences it.
    write(&eb, ".ebignore", b".platform/\n!.platform\n", 0o644);
    let o = run(p.path(), &["validate", "eb"], &[]);
    assert!(!stderr(&o).contains("R13"), "{}", stderr(&o));
}

#[test]
fn verbose_lists_each_exclusion_with_its_pattern() {
    let p = reinclusion_project();
    let eb = p.path().join("eb");
    write(&eb, "notes.txt~", b"x", 0o644);
    let o = run(
        p.path(),
        &["build", "eb", "--label", "t", "--app", "app", "-v"],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    for line in [
        "excluded .platform/hooks/predeploy/  (.ebignore:1: .platform/)",
        "kept .platform/hooks/prebuild/01.sh  (.ebignore:2: !.platform/hooks/prebuild/01.sh)",
        "excluded .ebignore  (built in: the EB CLI never ships `.ebignore`)",
        "excluded notes.txt~  (built in: editor or OS metadata file)",
    ] {
        assert!(
            err.lines().any(|l| l.contains("INFO") && l.ends_with(line)),
            "{line}:\n{err}"
        );
    }
    // Without -v, none of it.
    let o = run(
        p.path(),
        &["build", "eb", "--label", "u", "--app", "app"],
        &[],
    );
    assert!(!stderr(&o).contains("excluded "), "{}", stderr(&o));
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CEILING_DIRECTORIES", dir.parent().unwrap_or(dir))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn from_git_ships_the_last_commit() {
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    write(&eb, "app/config.txt", b"committed\n", 0o644);
    write(p.path(), "README", b"outside the bundle folder\n", 0o644);
    git(p.path(), &["init", "-q"]);
    git(p.path(), &["add", "."]);
    git(p.path(), &["commit", "-q", "-m", "one"]);
    // Changes the commit does not have.
    write(&eb, "app/config.txt", b"changed, not committed\n", 0o644);
    write(&eb, "untracked.txt", b"x", 0o644);
    let build = ["build", "eb", "--label", "t", "--app", "app"];
    let o = run(p.path(), &[&build[..], &["--from-git"]].concat(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("taking eb as committed in "),
        "{}",
        stderr(&o)
    );
    let committed = py_entries(&p.path().join("dist/app-t.zip"));
    let names: Vec<&str> = committed.iter().map(|e| e.0.as_str()).collect();
    assert!(!names.contains(&"untracked.txt"), "{names:?}");
    assert!(
        !names.contains(&"README"),
        "only the bundle folder: {names:?}"
    );
    let config = committed.iter().find(|e| e.0 == "app/config.txt").unwrap();
    assert_eq!(config.3, "committed\n");
    // Modes and links come through git: bin/run.sh was 0750, the hook 0644.
    let mode = |n: &str| committed.iter().find(|e| e.0 == n).unwrap().1;
    assert_eq!(mode("bin/run.sh"), 0o100_755);
    assert_eq!(mode(".platform/hooks/predeploy/01_migrate.sh"), 0o100_755);
    assert_eq!(mode("app/style.css"), 0o120_777);
    // The folder as it is ships both changes.
    let o = run(
        p.path(),
        &["build", "eb", "--label", "u", "--app", "app"],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let folder = py_entries(&p.path().join("dist/app-u.zip"));
    assert!(folder.iter().any(|e| e.0 == "untracked.txt"));
    let config = folder.iter().find(|e| e.0 == "app/config.txt").unwrap();
    assert_eq!(config.3, "changed, not committed\n");
}

#[test]
fn from_git_refuses_what_eb_deploy_would_not_archive() {
    let build = ["build", "eb", "--label", "t", "--app", "app", "--from-git"];
    // Not a repository.
    let p = tempfile::tempdir().unwrap();
    fixture(&p.path().join("eb"), true);
    let o = run(p.path(), &build, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("`eb` is not inside a git repository"), "{err}");
    assert!(err.contains("help: run it in a git checkout"), "{err}");
    // A repository without a commit.
    git(p.path(), &["init", "-q"]);
    let o = run(p.path(), &build, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("has no commit yet"), "{}", stderr(&o));
    // A commit without the bundle folder.
    write(p.path(), "README", b"x", 0o644);
    git(p.path(), &["add", "README"]);
    git(p.path(), &["commit", "-q", "-m", "one"]);
    let o = run(p.path(), &build, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("nothing under `eb` is committed in HEAD"),
        "{}",
        stderr(&o)
    );
    // With a `.ebignore` the EB CLI zips the working folder instead.
    git(p.path(), &["add", "eb"]);
    git(p.path(), &["commit", "-q", "-m", "two"]);
    write(&p.path().join("eb"), ".ebignore", b"logs/\n", 0o644);
    let o = run(p.path(), &build, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("`eb` has a `.ebignore`"), "{err}");
    assert!(!p.path().join("dist/app-t.zip").exists());
}
