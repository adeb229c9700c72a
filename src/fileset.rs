//! Which files of a bundle folder go into the bundle.
//!
//! One walker serves `validate DIR` and `build DIR`, so what is validated is
//! exactly what is shipped. The rules, in order:
//! - never `.git/`, `.elasticbeanstalk/`, `ebpack.yaml`, the output folder,
//!   `.DS_Store`, `__MACOSX/`, AppleDouble `._*` files, editor backups
//!   (`*~`, `*.swp`, `.#*`, `#*#`), sockets, FIFOs and devices;
//! - then the root `.ebignore` (gitignore syntax, as the EB CLI reads it);
//! - entries come sorted by path (bytewise), whatever the file system's order.

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::path::{Path, PathBuf};

/// What a walked path is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link and its target as stored in the link.
    Symlink(PathBuf),
}

/// One path of the bundle folder.
#[derive(Debug, Clone)]
pub struct WalkedFile {
    /// Path relative to the bundle root, `/`-separated.
    pub rel: String,
    /// Full path on disk.
    pub path: PathBuf,
    /// Kind.
    pub kind: FileKind,
    /// Unix mode bits (permissions only, `0o7777`).
    pub mode: u32,
    /// Size in bytes (0 for directories and links).
    pub size: u64,
}

/// A path that was left out, and why (for `--verbose` and tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Path relative to the bundle root.
    pub rel: String,
    /// Why.
    pub reason: &'static str,
}

/// The result of walking a bundle folder.
#[derive(Debug, Clone, Default)]
pub struct FileSet {
    /// Included paths, sorted.
    pub files: Vec<WalkedFile>,
    /// Excluded paths.
    pub skipped: Vec<Skipped>,
}

/// Errors walking a folder.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    /// The root is missing or unreadable.
    #[error("cannot read bundle folder `{path}`: {source}")]
    Root {
        /// The folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// `.ebignore` does not parse.
    #[error("invalid pattern in `{path}`: {message}")]
    Ignore {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A path below the root failed to read.
    #[error("cannot read `{path}`: {message}")]
    Entry {
        /// The path.
        path: PathBuf,
        /// What failed.
        message: String,
    },
}

/// Built-in exclusion for a relative path, if any.
fn builtin_exclusion(rel: &str, is_dir: bool, out_dir: Option<&str>) -> Option<&'static str> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if out_dir.is_some_and(|o| rel == o) {
        return Some("the output folder");
    }
    if is_dir && matches!(name, ".git" | ".elasticbeanstalk" | "__MACOSX") {
        return Some("never part of a bundle");
    }
    if !is_dir && rel == "ebpack.yaml" {
        return Some("ebpack's own configuration stays out of the bundle");
    }
    if !is_dir
        && (name == ".DS_Store"
            || name.starts_with("._")
            || name.ends_with('~')
            || name.ends_with(".swp")
            || name.starts_with(".#")
            || (name.starts_with('#') && name.ends_with('#') && name.len() > 1))
    {
        return Some("editor or OS metadata file");
    }
    None
}

/// Walks `root`, applying the rules in the module docs. `out_dir` is the
/// output folder, excluded when it lies inside `root`.
pub fn walk(root: &Path, out_dir: Option<&Path>) -> Result<FileSet, WalkError> {
    let meta = std::fs::metadata(root).map_err(|source| WalkError::Root {
        path: root.to_owned(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(WalkError::Root {
            path: root.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory"),
        });
    }
    let ignore = load_ebignore(root)?;
    let out_rel = out_dir.and_then(|o| relative_inside(root, o));
    let mut set = FileSet::default();
    let walker = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .follow_links(false)
        .sort_by_file_name(std::cmp::Ord::cmp)
        .build();
    let mut pruned: Vec<String> = Vec::new();
    for item in walker {
        let entry = item.map_err(|e| WalkError::Entry {
            path: root.to_owned(),
            message: e.to_string(),
        })?;
        let path = entry.path();
        let Ok(rel_path) = path.strip_prefix(root) else {
            continue;
        };
        if rel_path.as_os_str().is_empty() {
            continue;
        }
        let rel = rel_path
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if pruned.iter().any(|p| rel.starts_with(&format!("{p}/"))) {
            continue;
        }
        let lmeta = std::fs::symlink_metadata(path).map_err(|e| WalkError::Entry {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let ft = lmeta.file_type();
        let is_dir = ft.is_dir();
        if let Some(reason) = builtin_exclusion(&rel, is_dir, out_rel.as_deref()) {
            set.skipped.push(Skipped {
                rel: rel.clone(),
                reason,
            });
            if is_dir {
                pruned.push(rel);
            }
            continue;
        }
        if ignore
            .matched_path_or_any_parents(rel_path, is_dir)
            .is_ignore()
        {
            set.skipped.push(Skipped {
                rel: rel.clone(),
                reason: "matched by .ebignore",
            });
            if is_dir {
                pruned.push(rel);
            }
            continue;
        }
        let kind = if ft.is_symlink() {
            let target = std::fs::read_link(path).map_err(|e| WalkError::Entry {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
            FileKind::Symlink(target)
        } else if is_dir {
            FileKind::Dir
        } else if ft.is_file() {
            FileKind::File
        } else {
            set.skipped.push(Skipped {
                rel,
                reason: "not a regular file (socket, FIFO or device)",
            });
            continue;
        };
        let size = if kind == FileKind::File {
            lmeta.len()
        } else {
            0
        };
        set.files.push(WalkedFile {
            rel,
            path: path.to_owned(),
            kind,
            mode: mode_of(&lmeta),
            size,
        });
    }
    set.files
        .sort_by(|a, b| a.rel.as_bytes().cmp(b.rel.as_bytes()));
    Ok(set)
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    if meta.is_dir() { 0o755 } else { 0o644 }
}

fn load_ebignore(root: &Path) -> Result<Gitignore, WalkError> {
    let path = root.join(".ebignore");
    let mut builder = GitignoreBuilder::new(root);
    if path.is_file()
        && let Some(err) = builder.add(&path)
    {
        return Err(WalkError::Ignore {
            path,
            message: err.to_string(),
        });
    }
    builder.build().map_err(|e| WalkError::Ignore {
        path,
        message: e.to_string(),
    })
}

/// `inner` relative to `root`, `/`-separated, when it lies inside it.
fn relative_inside(root: &Path, inner: &Path) -> Option<String> {
    let root = std::fs::canonicalize(root).ok()?;
    let inner = std::fs::canonicalize(inner).ok()?;
    let rel = inner.strip_prefix(&root).ok()?;
    if rel.as_os_str().is_empty() {
        return None;
    }
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}
