//! `build --from-git`: the files the EB CLI ships when the project has no
//! `.ebignore`.
//!
//! Without `.ebignore`, `eb deploy` in a git repository uploads
//! `git archive -v --format=zip HEAD` (`ebcli/objects/sourcecontrol.py`,
//! `Git.do_zip`; `ebcli/operations/commonops.py`, `_zip_up_project`): the
//! files of the last commit with their committed content, so untracked files
//! and uncommitted changes stay out, and `export-ignore` attributes apply.
//! Run from a subfolder of the repository, `git archive HEAD` holds only that
//! subfolder, with paths relative to it: exactly the bundle folder.
//!
//! ebpack runs the same command, unpacks the archive into a temporary folder
//! and walks it with the built-in rules (no `.ebignore`: with one, the EB CLI
//! zips the working folder instead, so that combination is refused).

use super::{FileSet, check_root, relative_inside, walk_tree};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The committed files of a bundle folder, unpacked.
#[derive(Debug)]
pub struct Committed {
    /// The walk of the unpacked files (their paths point into `dir`).
    pub set: FileSet,
    /// The commit, abbreviated.
    pub commit: String,
    /// Holds the unpacked files; removed when dropped.
    pub dir: tempfile::TempDir,
}

/// Why the committed files could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// `git` could not be started.
    #[error("`--from-git` runs `git`, which could not be started: {0}")]
    NoGit(String),
    /// The folder is not in a work tree.
    #[error("`{dir}` is not inside a git repository ({message})")]
    NotARepo {
        /// The bundle folder as shown.
        dir: String,
        /// What git said.
        message: String,
    },
    /// There is no commit to archive.
    #[error("the git repository of `{dir}` has no commit yet")]
    NoCommit {
        /// The bundle folder as shown.
        dir: String,
    },
    /// The folder has a `.ebignore`.
    #[error(
        "`{dir}` has a `.ebignore`, and with one the EB CLI zips the working folder, not the last commit"
    )]
    HasEbignore {
        /// The bundle folder as shown.
        dir: String,
    },
    /// Nothing of the folder is in the commit.
    #[error("nothing under `{dir}` is committed in HEAD ({commit})")]
    Empty {
        /// The bundle folder as shown.
        dir: String,
        /// The commit.
        commit: String,
    },
    /// `git archive` failed.
    #[error("`git archive HEAD` failed in `{dir}`: {message}")]
    Archive {
        /// The bundle folder as shown.
        dir: String,
        /// What git said.
        message: String,
    },
    /// Unpacking into the temporary folder failed.
    #[error("cannot unpack the committed files: {0}")]
    Io(String),
}

impl GitError {
    /// What to do next.
    pub fn help(&self) -> Option<String> {
        Some(match self {
            GitError::NoGit(_) => "install git, or build without `--from-git`".into(),
            GitError::NotARepo { .. } => {
                "run it in a git checkout, or build without `--from-git` (it zips the folder)"
                    .into()
            }
            GitError::NoCommit { .. } => {
                "commit the bundle folder first, or build without `--from-git`".into()
            }
            GitError::HasEbignore { .. } => {
                "build without `--from-git` (that is what `eb deploy` ships), or remove `.ebignore`"
                    .into()
            }
            GitError::Empty { .. } => {
                "commit the bundle folder (`git add` it and `git commit`), or build without `--from-git`"
                    .into()
            }
            GitError::Archive { .. } | GitError::Io(_) => return None,
        })
    }
}

/// The files of `root` committed in `HEAD`, unpacked and walked. `display`
/// names the folder in messages; `out_dir` is left out when it lies inside.
pub fn walk_head(
    root: &Path,
    display: &str,
    out_dir: Option<&Path>,
) -> Result<Committed, GitError> {
    check_root(root).map_err(|e| GitError::Io(e.to_string()))?;
    let dir = || display.to_owned();
    if root.join(".ebignore").is_file() {
        return Err(GitError::HasEbignore { dir: dir() });
    }
    let inside = git(root, &["rev-parse", "--is-inside-work-tree"])?;
    if !inside.status.success() || String::from_utf8_lossy(&inside.stdout).trim() != "true" {
        return Err(GitError::NotARepo {
            dir: dir(),
            message: first_line(&inside.stderr).unwrap_or_else(|| "not in a work tree".to_owned()),
        });
    }
    let head = git(
        root,
        &["rev-parse", "--verify", "--quiet", "--short", "HEAD"],
    )?;
    let commit = String::from_utf8_lossy(&head.stdout).trim().to_owned();
    if !head.status.success() || commit.is_empty() {
        return Err(GitError::NoCommit { dir: dir() });
    }
    let tmp = tempfile::Builder::new()
        .prefix("ebpack-from-git-")
        .tempdir()
        .map_err(|e| GitError::Io(e.to_string()))?;
    let zip_path = tmp.path().join("head.zip");
    let mut args: Vec<&std::ffi::OsStr> = ["archive", "--format=zip", "-o"]
        .iter()
        .map(std::ffi::OsStr::new)
        .collect();
    args.push(zip_path.as_os_str());
    args.push(std::ffi::OsStr::new("HEAD"));
    let archive = git(root, &args)?;
    if !archive.status.success() {
        return Err(GitError::Archive {
            dir: dir(),
            message: first_line(&archive.stderr)
                .unwrap_or_else(|| format!("exit status {}", archive.status)),
        });
    }
    let tree = tmp.path().join("tree");
    let count = unpack(&zip_path, &tree).map_err(GitError::Io)?;
    if count == 0 {
        return Err(GitError::Empty { dir: dir(), commit });
    }
    let out_rel = out_dir.and_then(|o| relative_inside(root, o));
    let set =
        walk_tree(&tree, None, out_rel.as_deref()).map_err(|e| GitError::Io(e.to_string()))?;
    Ok(Committed {
        set,
        commit,
        dir: tmp,
    })
}

fn git<S: AsRef<std::ffi::OsStr>>(
    dir: &Path,
    args: &[S],
) -> Result<std::process::Output, GitError> {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| GitError::NoGit(e.to_string()))
}

fn first_line(bytes: &[u8]) -> Option<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_owned)
}

/// Unpacks the archive git wrote into `into`: folders, files (0755 when
/// git stored an execute bit, else 0644, as git checks them out) and
/// symbolic links. Returns the number of entries.
fn unpack(zip_path: &Path, into: &Path) -> Result<usize, String> {
    let file = std::fs::File::open(zip_path).map_err(|e| e.to_string())?;
    let mut archive =
        zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(into).map_err(|e| e.to_string())?;
    let io = |p: &Path, e: std::io::Error| format!("`{}`: {e}", p.display());
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| e.to_string())?;
        let Some(rel) = entry.enclosed_name() else {
            return Err(format!(
                "unsafe entry name `{}`",
                entry.name().unwrap_or_default()
            ));
        };
        let path: PathBuf = into.join(rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&path).map_err(|e| io(&path, e))?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| io(&path, e))?;
        if entry.is_symlink() {
            let target = String::from_utf8_lossy(&bytes).into_owned();
            symlink(&target, &path).map_err(|e| io(&path, e))?;
            continue;
        }
        std::fs::write(&path, &bytes).map_err(|e| io(&path, e))?;
        let exec = entry.unix_mode().is_some_and(|m| m & 0o111 != 0);
        set_mode(&path, if exec { 0o755 } else { 0o644 }).map_err(|e| io(&path, e))?;
    }
    Ok(archive.len())
}

#[cfg(unix)]
fn symlink(target: &str, path: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, path)
}

#[cfg(not(unix))]
fn symlink(_target: &str, _path: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other(
        "a committed symbolic link cannot be recreated on this system",
    ))
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}
