//! A build's outputs — the zip, its manifest and `version.json` — appear
//! together or not at all, and the temporary files a killed build left in
//! the output folder are swept by the next build.
//!
//! Why: `version.json` names the label a pipeline deploys next (CodePipeline
//! reads it with `Fn::GetParam`, `--tag-from` reads it back). Written one
//! after the other, a full disk or a signal between them left a new zip
//! beside a `version.json` naming another label. Here every output is
//! first written in full to a temporary file in the output folder and
//! synced (a full disk fails there, with nothing changed), then the files
//! are renamed into place in one short step; should a rename fail, those
//! already made are undone (a file they replaced comes back from a hard
//! link kept until the end). A process killed (SIGKILL, power loss) in
//! that step can still leave a mix, as no file system renames three files
//! at once; the window is a few system calls.
//!
//! Temporary files are `.ebpack-*.tmp` in the output folder, each locked
//! (`flock`) by the process writing it: a killed build's lock is gone with
//! it, so the next build removes the files it can lock and that are older
//! than [`STALE_AFTER`], and never one another build is still writing.

use crate::cancel::Cancel;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::NamedTempFile;

/// A temporary file is left alone this long after it was last written,
/// whatever its lock says (it is locked a moment after it is created).
pub const STALE_AFTER: Duration = Duration::from_secs(10);

/// Why the outputs were not put in place. Nothing was changed in the
/// output folder.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    /// Writing or renaming one output failed.
    #[error("cannot write `{}`: {source}; nothing was changed in `{}`", path.display(), dir.display())]
    Io {
        /// The output.
        path: PathBuf,
        /// Its folder.
        dir: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Cancelled before the renames.
    #[error("interrupted")]
    Interrupted,
}

/// An output written in full to its temporary file.
pub struct Pending {
    temp: NamedTempFile,
    path: PathBuf,
}

impl Pending {
    /// A finished temporary file (the staged zip) for `path`; synced here.
    pub fn from_temp(temp: NamedTempFile, path: &Path) -> std::io::Result<Self> {
        temp.as_file().sync_all()?;
        Ok(Self {
            temp,
            path: path.to_owned(),
        })
    }

    /// `bytes` written to a locked temporary file beside `path`, synced.
    pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<Self> {
        let dir = parent(path);
        let mut temp = temp_in(dir, ".tmp")?;
        temp.write_all(bytes)?;
        temp.as_file().sync_all()?;
        Ok(Self {
            temp,
            path: path.to_owned(),
        })
    }
}

fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A new `.ebpack-*<suffix>` file in `dir`, locked, mode 0644 (less the
/// umask) like any other output once renamed.
pub fn temp_in(dir: &Path, suffix: &str) -> std::io::Result<NamedTempFile> {
    let mut b = tempfile::Builder::new();
    b.prefix(".ebpack-").suffix(suffix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let temp = b.tempfile_in(dir)?;
    // A file system without locks: the age alone keeps it from the sweep.
    let _ = temp.as_file().lock();
    Ok(temp)
}

/// Renames every output into place, or none (see the module docs). A
/// cancel seen before the first rename drops them all; once the renames
/// begin they finish, under a [`Cancel::hold`].
pub fn persist_together(
    outputs: Vec<Pending>,
    cancel: Option<&Cancel>,
) -> Result<(), PersistError> {
    if cancel.is_some_and(Cancel::is_cancelled) {
        return Err(PersistError::Interrupted);
    }
    let _hold = cancel.map(|c| c.hold("putting the build's outputs in place"));
    let mut done: Vec<(PathBuf, Option<Backup>)> = Vec::new();
    for out in outputs {
        let backup = Backup::of(&out.path);
        if let Err(e) = out.temp.persist(&out.path) {
            for (path, backup) in done.into_iter().rev() {
                match backup {
                    Some(b) => b.restore(&path),
                    None => {
                        let _ = std::fs::remove_file(&path);
                    }
                }
            }
            return Err(PersistError::Io {
                dir: parent(&out.path).to_owned(),
                path: out.path,
                source: e.error,
            });
        }
        done.push((out.path, backup));
    }
    Ok(())
}

/// The zip a build staged (`zip`, for `zip_path`) and the other outputs'
/// bytes, written, synced and put in place by [`persist_together`].
pub fn persist_with_zip(
    zip: NamedTempFile,
    zip_path: &Path,
    others: [(&Path, Vec<u8>); 2],
    cancel: Option<&Cancel>,
) -> Result<(), PersistError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| PersistError::Io {
            dir: parent(&path).to_owned(),
            path,
            source,
        }
    };
    let mut pending = vec![Pending::from_temp(zip, zip_path).map_err(io(zip_path))?];
    for (path, bytes) in others {
        pending.push(Pending::write(path, &bytes).map_err(io(path))?);
    }
    persist_together(pending, cancel)
}

/// A hard link to the file an output replaces, kept until all outputs are
/// in place; locked, so a sweep leaves it alone.
struct Backup {
    link: NamedTempFile<File>,
}

impl Backup {
    fn of(path: &Path) -> Option<Self> {
        if !std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
            return None;
        }
        let link = tempfile::Builder::new()
            .prefix(".ebpack-")
            .suffix(".old.tmp")
            .make_in(parent(path), |p| {
                std::fs::hard_link(path, p)?;
                File::open(p)
            })
            .ok()?;
        let _ = link.as_file().lock();
        Some(Self { link })
    }

    fn restore(self, path: &Path) {
        let _ = self.link.persist(path);
    }
}

/// What [`sweep_stale`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Files removed.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
}

/// Removes the `.ebpack-*.tmp` files in `dir` that no live process holds
/// (see the module docs). Best effort: what cannot be read is left.
pub fn sweep_stale(dir: &Path) -> Swept {
    let mut swept = Swept::default();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return swept;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(".ebpack-") && name.ends_with(".tmp")) {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if !meta.is_file() || !old {
            continue;
        }
        let Ok(file) = File::open(&path) else {
            continue;
        };
        if file.try_lock().is_ok() && std::fs::remove_file(&path).is_ok() {
            swept.files += 1;
            swept.bytes += meta.len();
        }
    }
    swept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn age(path: &Path, secs: u64) {
        let f = File::options().write(true).open(path).unwrap();
        f.set_modified(std::time::SystemTime::now() - Duration::from_secs(secs))
            .unwrap();
    }

    #[test]
    fn the_sweep_takes_only_old_unlocked_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let dead = d.join(".ebpack-dead.zip.tmp");
        std::fs::write(&dead, vec![0u8; 1000]).unwrap();
        age(&dead, 3600);
        let fresh = d.join(".ebpack-fresh.zip.tmp");
        std::fs::write(&fresh, b"x").unwrap();
        let mine = d.join("app-v1.zip");
        std::fs::write(&mine, b"x").unwrap();
        age(&mine, 3600);
        let live = temp_in(d, ".zip.tmp").unwrap();
        age(live.path(), 3600);
        assert_eq!(
            sweep_stale(d),
            Swept {
                files: 1,
                bytes: 1000
            }
        );
        assert!(!dead.exists());
        assert!(fresh.exists() && mine.exists() && live.path().exists());
        drop(live);
        assert_eq!(sweep_stale(&d.join("missing")), Swept::default());
    }

    #[test]
    fn a_failed_rename_undoes_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let (zip, manifest, version) = (d.join("a.zip"), d.join("a.json"), d.join("version.json"));
        std::fs::write(&zip, b"old zip").unwrap();
        std::fs::write(&version, b"old version").unwrap();
        // Something in the way of the last output.
        std::fs::create_dir(&manifest).unwrap();
        let outputs = vec![
            Pending::write(&zip, b"new zip").unwrap(),
            Pending::write(&version, b"new version").unwrap(),
            Pending::write(&manifest, b"new manifest").unwrap(),
        ];
        let e = persist_together(outputs, None).unwrap_err();
        assert!(e.to_string().contains("nothing was changed"), "{e}");
        assert_eq!(std::fs::read(&zip).unwrap(), b"old zip");
        assert_eq!(std::fs::read(&version).unwrap(), b"old version");
        let left: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left.len(), 3, "no temporary file is left: {left:?}");

        std::fs::remove_dir(&manifest).unwrap();
        let outputs = vec![
            Pending::write(&zip, b"new zip").unwrap(),
            Pending::write(&manifest, b"new manifest").unwrap(),
        ];
        let cancel = Cancel::new();
        cancel.cancel();
        assert!(matches!(
            persist_together(outputs, Some(&cancel)),
            Err(PersistError::Interrupted)
        ));
        assert_eq!(std::fs::read(&zip).unwrap(), b"old zip");
        assert!(!manifest.exists());
        let outputs = vec![
            Pending::write(&zip, b"new zip").unwrap(),
            Pending::write(&manifest, b"new manifest").unwrap(),
        ];
        persist_together(outputs, Some(&Cancel::new())).unwrap();
        assert_eq!(std::fs::read(&zip).unwrap(), b"new zip");
        assert_eq!(std::fs::read(&manifest).unwrap(), b"new manifest");
    }
}
