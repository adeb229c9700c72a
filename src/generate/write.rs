//! `ebpack generate --write`: put the generated files into a bundle folder
//! without ever replacing a different user file.

use super::GeneratedFile;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The file did not exist and was written.
    Created,
    /// The file already had exactly this content (its mode was set).
    Unchanged,
}

/// Writing failed; nothing was written when the cause is a conflict.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Files with these names exist and differ from what ebpack generates.
    #[error(
        "{} already exist{} with other content; ebpack never overwrites a user file: remove or rename {}, or switch the feature off in ebpack.yaml",
        list(.0),
        if .0.len() == 1 { "s" } else { "" },
        if .0.len() == 1 { "it" } else { "them" }
    )]
    Conflict(Vec<PathBuf>),
    /// I/O failure.
    #[error("cannot write `{path}`: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| format!("`{}`", p.display()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes `files` under `dir`. Checks every file first: if any exists with
/// other content, nothing is written. Each file is written to a temporary
/// name and renamed into place.
pub fn write_files(
    dir: &Path,
    files: &[GeneratedFile],
) -> Result<Vec<(PathBuf, WriteOutcome)>, WriteError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| WriteError::Io { path, source }
    };
    let mut plan = Vec::new();
    let mut conflicts = Vec::new();
    for f in files {
        let path = dir.join(&f.path);
        // Read no more than the generated text: a longer file differs.
        match crate::bounded::read(&path, f.content.len() as u64) {
            Ok(existing) if existing == f.content.as_bytes() => {
                plan.push((path, f, WriteOutcome::Unchanged))
            }
            Ok(_) => conflicts.push(path),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => conflicts.push(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                plan.push((path, f, WriteOutcome::Created))
            }
            Err(e) => return Err(io(&path)(e)),
        }
    }
    if !conflicts.is_empty() {
        return Err(WriteError::Conflict(conflicts));
    }
    let mut done = Vec::new();
    for (path, f, outcome) in plan {
        if outcome == WriteOutcome::Created {
            let parent = path.parent().unwrap_or(dir);
            std::fs::create_dir_all(parent).map_err(io(parent))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let tmp = parent.join(format!(".{name}.ebpack-{}.tmp", std::process::id()));
            let result = (|| {
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&tmp)?;
                file.write_all(f.content.as_bytes())?;
                file.sync_all()?;
                set_mode(&tmp, f.mode)?;
                std::fs::rename(&tmp, &path)
            })();
            if let Err(e) = result {
                let _ = std::fs::remove_file(&tmp);
                return Err(io(&path)(e));
            }
        } else {
            set_mode(&path, f.mode).map_err(io(&path))?;
        }
        done.push((path, outcome));
    }
    Ok(done)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}
