//! Which files of a bundle folder go into the bundle.
//!
//! One walker serves `validate DIR` and `build DIR`, so what is validated is
//! exactly what is shipped. The rules, in order:
//! - never `.git/`, `.elasticbeanstalk/`, `ebpack.yaml`, the output folder,
//!   `.DS_Store`, `__MACOSX/`, AppleDouble `._*` files, editor backups
//!   (`*~`, `*.swp`, `.#*`, `#*#`), sockets, FIFOs and devices, nor the root
//!   `.ebignore` itself (the EB CLI always leaves it out);
//! - then the root `.ebignore`, read as the EB CLI reads it ([`ebignore`]):
//!   every path is tested against every pattern and the last match wins, so
//!   `!dir/file` ships a file below an excluded `dir/`. A folder is only
//!   skipped whole when no negated pattern can reach below it;
//! - entries come sorted by path (bytewise), whatever the file system's order.
//!
//! [`git`] gives the same walk over the files committed in `HEAD`, what the
//! EB CLI ships when there is no `.ebignore`.

pub mod ebignore;
pub mod git;
pub mod links;

use ebignore::{EbIgnore, PatternRef};
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

/// A path that was left out, and why (for `--verbose`, R13 and tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Path relative to the bundle root.
    pub rel: String,
    /// A folder (left out with all it holds).
    pub is_dir: bool,
    /// Why.
    pub reason: Reason,
}

/// Why a path was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// One of the walker's own rules (the module docs list them).
    Builtin(&'static str),
    /// The `.ebignore` pattern that decided it.
    Ebignore(PatternRef),
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Builtin(why) => write!(f, "built in: {why}"),
            Reason::Ebignore(p) => p.fmt(f),
        }
    }
}

/// A file a negated `.ebignore` pattern shipped again (the last pattern
/// that matched it starts with `!`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// Path relative to the bundle root.
    pub rel: String,
    /// The negated pattern.
    pub by: PatternRef,
}

/// The result of walking a bundle folder.
#[derive(Debug, Clone, Default)]
pub struct FileSet {
    /// Included paths, sorted.
    pub files: Vec<WalkedFile>,
    /// Excluded paths, sorted.
    pub skipped: Vec<Skipped>,
    /// Included files whose last matching pattern is negated, sorted.
    pub kept: Vec<Kept>,
    /// The text of the `.ebignore` that was applied, if any.
    pub ebignore: Option<String>,
    /// Shipped paths whose name is not UTF-8: the path as entries show it
    /// (each bad byte becomes U+FFFD, so two such names can become one
    /// name in the zip), and with the name's bytes escaped (`bad\xff`).
    pub not_utf8: Vec<(String, String)>,
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
    /// `.ebignore` cannot be read as the EB CLI reads it.
    #[error("invalid pattern in `{path}`, {message}")]
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

/// Built-in exclusion for a relative path, if any. `ebignore`: a root
/// `.ebignore` is being applied (and so is not shipped).
fn builtin_exclusion(
    rel: &str,
    is_dir: bool,
    out_dir: Option<&str>,
    ebignore: bool,
) -> Option<&'static str> {
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
    if !is_dir && ebignore && rel == ".ebignore" {
        return Some("the EB CLI never ships `.ebignore`");
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
    check_root(root)?;
    let ignore = load_ebignore(root)?;
    let out_rel = out_dir.and_then(|o| relative_inside(root, o));
    walk_tree(root, ignore, out_rel.as_deref())
}

fn check_root(root: &Path) -> Result<(), WalkError> {
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
    Ok(())
}

/// What one walk applies.
struct Rules<'a> {
    ignore: Option<EbIgnore>,
    out_rel: Option<&'a str>,
}

/// Walks `root` with the built-in rules and, when given, the `.ebignore`
/// (its text and patterns). Each left-out path, and each file a negated
/// pattern kept, is an INFO event: what `-v` shows.
fn walk_tree(
    root: &Path,
    ignore: Option<(String, EbIgnore)>,
    out_rel: Option<&str>,
) -> Result<FileSet, WalkError> {
    let mut set = FileSet::default();
    let rules = Rules {
        ignore: ignore.map(|(text, patterns)| {
            set.ebignore = Some(text);
            patterns
        }),
        out_rel,
    };
    visit(root, "", &rules, &mut set)?;
    set.files
        .sort_by(|a, b| a.rel.as_bytes().cmp(b.rel.as_bytes()));
    set.skipped
        .sort_by(|a, b| a.rel.as_bytes().cmp(b.rel.as_bytes()));
    set.kept
        .sort_by(|a, b| a.rel.as_bytes().cmp(b.rel.as_bytes()));
    set.not_utf8.sort();
    for s in &set.skipped {
        let slash = if s.is_dir { "/" } else { "" };
        tracing::info!("excluded {}{slash}  ({})", s.rel, s.reason);
    }
    for k in &set.kept {
        tracing::info!("kept {}  ({})", k.rel, k.by);
    }
    Ok(set)
}

/// Walks the folder `dir` (`rel` below the root, "" for the root). Returns
/// whether anything below it is shipped.
fn visit(dir: &Path, rel: &str, rules: &Rules, set: &mut FileSet) -> Result<bool, WalkError> {
    let entry_err = |path: &Path, e: std::io::Error| WalkError::Entry {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let mut names = Vec::new();
    for item in std::fs::read_dir(dir).map_err(|e| entry_err(dir, e))? {
        names.push(item.map_err(|e| entry_err(dir, e))?.file_name());
    }
    names.sort();
    let mut shipped_any = false;
    for name in names {
        let path = dir.join(&name);
        let escaped = name
            .to_str()
            .is_none()
            .then(|| name.as_encoded_bytes().escape_ascii().to_string());
        let name = name.to_string_lossy();
        let rel = if rel.is_empty() {
            name.into_owned()
        } else {
            format!("{rel}/{name}")
        };
        let lmeta = std::fs::symlink_metadata(&path).map_err(|e| entry_err(&path, e))?;
        let ft = lmeta.file_type();
        let is_dir = ft.is_dir();
        let skip = |set: &mut FileSet, rel: String, reason: Reason| {
            set.skipped.push(Skipped {
                rel,
                is_dir,
                reason,
            });
        };
        if let Some(why) = builtin_exclusion(&rel, is_dir, rules.out_rel, rules.ignore.is_some()) {
            skip(set, rel, Reason::Builtin(why));
            continue;
        }
        if is_dir {
            let own = rules.ignore.as_ref().and_then(|i| i.decide_dir(&rel));
            let excluded = own.filter(|p| !p.negated);
            if let Some(p) = rules.ignore.as_ref().and_then(|i| i.prunes(&rel)) {
                skip(set, rel, Reason::Ebignore(p.at.clone()));
                continue;
            }
            let below = visit(&path, &rel, rules, set)?;
            if let Some(bytes) = &escaped
                && (below || excluded.is_none())
            {
                set.not_utf8.push((rel.clone(), with_name(&rel, bytes)));
            }
            // A folder left out by its own pattern is still shipped when
            // something below it is (a negated pattern kept it).
            if let Some(p) = excluded
                && !below
            {
                skip(set, rel, Reason::Ebignore(p.at.clone()));
                continue;
            }
            set.files.push(WalkedFile {
                rel,
                path,
                kind: FileKind::Dir,
                mode: mode_of(&lmeta),
                size: 0,
            });
            shipped_any = true;
            continue;
        }
        let decided = rules.ignore.as_ref().and_then(|i| i.decide(&rel));
        if let Some(p) = decided.filter(|p| !p.negated) {
            skip(set, rel, Reason::Ebignore(p.at.clone()));
            continue;
        }
        let kind = if ft.is_symlink() {
            FileKind::Symlink(std::fs::read_link(&path).map_err(|e| entry_err(&path, e))?)
        } else if ft.is_file() {
            FileKind::File
        } else {
            skip(
                set,
                rel,
                Reason::Builtin("not a regular file (socket, FIFO or device)"),
            );
            continue;
        };
        if let Some(bytes) = &escaped {
            set.not_utf8.push((rel.clone(), with_name(&rel, bytes)));
        }
        if let Some(p) = decided {
            set.kept.push(Kept {
                rel: rel.clone(),
                by: p.at.clone(),
            });
        }
        let size = if kind == FileKind::File {
            lmeta.len()
        } else {
            0
        };
        set.files.push(WalkedFile {
            rel,
            path,
            kind,
            mode: mode_of(&lmeta),
            size,
        });
        shipped_any = true;
    }
    Ok(shipped_any)
}

/// `rel` with its last component replaced by `name`.
fn with_name(rel: &str, name: &str) -> String {
    match rel.rsplit_once('/') {
        Some((parent, _)) => format!("{parent}/{name}"),
        None => name.to_owned(),
    }
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

/// The largest `.ebignore` ebpack reads: each pattern becomes a matcher
/// of its own (tens of kilobytes), so its size bounds the memory.
pub const MAX_EBIGNORE_BYTES: u64 = 1 << 20;

/// The root `.ebignore`, its text and patterns, when there is one.
fn load_ebignore(root: &Path) -> Result<Option<(String, EbIgnore)>, WalkError> {
    use std::io::Read;
    let path = root.join(".ebignore");
    if !path.is_file() {
        return Ok(None);
    }
    let entry_err = |e: std::io::Error| WalkError::Entry {
        path: path.clone(),
        message: e.to_string(),
    };
    let mut bytes = Vec::new();
    std::fs::File::open(&path)
        .and_then(|f| f.take(MAX_EBIGNORE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(entry_err)?;
    if bytes.len() as u64 > MAX_EBIGNORE_BYTES {
        return Err(WalkError::Ignore {
            path,
            message: format!(
                "the file is over ebpack's limit of {} MiB; keep it to the patterns the bundle needs",
                MAX_EBIGNORE_BYTES >> 20
            ),
        });
    }
    // The EB CLI opens it as UTF-8 and stops on anything else.
    let text = String::from_utf8(bytes).map_err(|_| WalkError::Ignore {
        path: path.clone(),
        message: "the file is not UTF-8 (the EB CLI cannot read it either)".into(),
    })?;
    let patterns = EbIgnore::parse(&text).map_err(|e| WalkError::Ignore {
        path,
        message: e.to_string(),
    })?;
    Ok(Some((text, patterns)))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str], ebignore: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for rel in files {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        std::fs::write(dir.path().join(".ebignore"), ebignore).unwrap();
        dir
    }

    fn names(set: &FileSet) -> Vec<String> {
        set.files
            .iter()
            .map(|f| match f.kind {
                FileKind::Dir => format!("{}/", f.rel),
                _ => f.rel.clone(),
            })
            .collect()
    }

    fn skipped(set: &FileSet) -> Vec<String> {
        set.skipped
            .iter()
            .map(|s| format!("{}{} {}", s.rel, if s.is_dir { "/" } else { "" }, s.reason))
            .collect()
    }

    #[test]
    fn a_negation_ships_a_file_below_an_excluded_folder() {
        let d = tree(
            &[
                ".platform/hooks/prebuild/01.sh",
                ".platform/hooks/prebuild/02.sh",
                ".platform/nginx/nginx.conf",
                "Dockerrun.aws.json",
            ],
            "# hooks\n.platform/\n!.platform/hooks/prebuild/01.sh\n",
        );
        let set = walk(d.path(), None).unwrap();
        assert_eq!(
            names(&set),
            [
                ".platform/",
                ".platform/hooks/",
                ".platform/hooks/prebuild/",
                ".platform/hooks/prebuild/01.sh",
                "Dockerrun.aws.json",
            ]
        );
        assert_eq!(
            skipped(&set),
            [
                ".ebignore built in: the EB CLI never ships `.ebignore`",
                ".platform/hooks/prebuild/02.sh .ebignore:2: .platform/",
                // No negation reaches below `.platform/nginx`: skipped whole.
                ".platform/nginx/ .ebignore:2: .platform/",
            ]
        );
        assert_eq!(set.kept.len(), 1);
        assert_eq!(
            set.kept[0].by.to_string(),
            ".ebignore:3: !.platform/hooks/prebuild/01.sh"
        );
        assert!(
            set.ebignore
                .as_deref()
                .is_some_and(|t| t.starts_with("# hooks"))
        );
    }

    #[test]
    fn folders_no_negation_can_reach_are_skipped_whole() {
        let d = tree(
            &["node_modules/a/index.js", "logs/a.log", "app/main.py"],
            "node_modules/\nlogs/*\n",
        );
        let set = walk(d.path(), None).unwrap();
        // `logs/*` leaves the folder itself in, as pathspec reads it.
        assert_eq!(names(&set), ["app/", "app/main.py", "logs/"]);
        assert_eq!(
            skipped(&set),
            [
                ".ebignore built in: the EB CLI never ships `.ebignore`",
                "logs/a.log .ebignore:2: logs/*",
                "node_modules/ .ebignore:1: node_modules/",
            ]
        );
    }

    #[test]
    fn without_ebignore_only_the_built_in_rules_apply() {
        let d = tempfile::tempdir().unwrap();
        for rel in ["a/.DS_Store", "a/b.txt", ".git/HEAD"] {
            let p = d.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let set = walk(d.path(), None).unwrap();
        assert_eq!(names(&set), ["a/", "a/b.txt"]);
        assert!(set.ebignore.is_none() && set.kept.is_empty());
        assert_eq!(set.skipped.len(), 2);
    }

    #[test]
    fn a_bad_pattern_names_its_line() {
        let d = tree(&["a"], "ok\n[z-a]\n");
        let e = walk(d.path(), None).unwrap_err().to_string();
        assert!(e.contains("line 2: `[z-a]`: bad character range"), "{e}");
    }
}
