//! The deterministic source-bundle ZIP.
//!
//! Layout decisions (also in `docs/build.md`):
//! - entries sorted bytewise by name, `/` separators, directories included
//!   (name ending in `/`, mode `040755`) so empty folders survive and unzip
//!   creates folders with sane modes;
//! - every entry has the same DOS timestamp (`SOURCE_DATE_EPOCH`, else
//!   1980-01-01 00:00:00), "made by" Unix, no extra fields (no uid/gid, no
//!   extended timestamps), no comments;
//! - files are `100644`, or `100755` when any execute bit is set on disk;
//!   files under `.platform/hooks/` and `.platform/confighooks/` are always
//!   `100755`; symbolic links are `120777` with the target as content;
//! - deflate in parallel pieces ([`deflate`]); entries that do not shrink
//!   are stored.
//!
//! The archive is written to a temporary file in the output folder and
//! renamed into place only when complete ([`stage`]).

pub mod deflate;
pub mod inspect;
pub mod prepare;
pub mod write;
pub mod zipfmt;

pub use write::{Archive, WriteError, WriteOptions, Written};

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// EB's source bundle limit (R6): 500 MiB is a hard error.
pub const MAX_BUNDLE_BYTES: u64 = 524_288_000;
/// Above 500 MB (decimal) the bundle gets a warning (R6).
pub const WARN_BUNDLE_BYTES: u64 = 500_000_000;
/// EB's unzip fails on bundles with more entries (no ZIP64 counts).
pub const MAX_ENTRIES: usize = 65_535;

/// Where a file's bytes come from.
#[derive(Debug, Clone)]
pub enum Content {
    /// A file on disk, streamed.
    Disk(PathBuf),
    /// Bytes ebpack produced (the pinned Dockerrun, generated files, fixed hooks).
    Bytes(Arc<[u8]>),
}

/// What an entry holds.
#[derive(Debug, Clone)]
pub enum EntryData {
    /// A directory.
    Dir,
    /// A regular file.
    File(Content),
    /// A symbolic link to a target inside the bundle.
    Symlink(String),
}

/// One planned entry.
#[derive(Debug, Clone)]
pub struct ZipEntry {
    /// Name, `/`-separated, without a trailing `/`.
    pub name: String,
    /// Content.
    pub data: EntryData,
    /// `st_mode` to store (type and permission bits), see [`mode_for`].
    pub mode: u32,
}

/// True for files EB runs as platform hooks (must be executable, LF).
pub fn is_hook(name: &str) -> bool {
    (name.starts_with(".platform/hooks/") || name.starts_with(".platform/confighooks/"))
        && !name.ends_with('/')
}

/// The `st_mode` an entry gets in the bundle, from its disk permissions.
pub fn mode_for(name: &str, data: &EntryData, perm: u32) -> u32 {
    match data {
        EntryData::Dir => 0o040_755,
        EntryData::Symlink(_) => 0o120_777,
        EntryData::File(_) if is_hook(name) || perm & 0o111 != 0 => 0o100_755,
        EntryData::File(_) => 0o100_644,
    }
}

/// A finished archive in its temporary file, not yet at its final path.
#[derive(Debug)]
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    /// What was written.
    pub archive: Archive,
}

impl Staged {
    /// The temporary file's path.
    pub fn temp_path(&self) -> &Path {
        self.tmp.path()
    }

    /// Renames the archive to `path` (same folder, so the rename is atomic).
    pub fn persist(self, path: &Path) -> std::io::Result<()> {
        self.tmp.persist(path).map(drop).map_err(|e| e.error)
    }

    /// The temporary file, to put in place with other outputs
    /// ([`crate::outputs`]).
    pub fn into_temp(self) -> tempfile::NamedTempFile {
        self.tmp
    }
}

/// Writes `entries` into a temporary file in `out_dir`. The file is removed
/// if writing fails, is interrupted, or the [`Staged`] is dropped.
pub fn stage(
    out_dir: &Path,
    entries: &[ZipEntry],
    opts: &WriteOptions,
) -> Result<Staged, WriteError> {
    std::fs::create_dir_all(out_dir).map_err(WriteError::Write)?;
    // Locked while written: the next build's sweep leaves it alone.
    let tmp = crate::outputs::temp_in(out_dir, ".zip.tmp").map_err(WriteError::Write)?;
    let file = tmp.as_file().try_clone().map_err(WriteError::Write)?;
    let out = std::io::BufWriter::with_capacity(256 * 1024, file);
    let archive = write::write_zip(entries, out, opts)?;
    Ok(Staged { tmp, archive })
}

/// Writes `bytes` to `path` through a temporary file and a rename (the
/// temporary file is [`crate::outputs::temp_in`]'s, swept if left behind).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    let mut tmp = crate::outputs::temp_in(dir, ".tmp")?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map(drop).map_err(|e| e.error)
}

/// The `n` largest files, largest first (for "too large" messages).
pub fn largest(entries: &[(String, u64)], n: usize) -> Vec<(String, u64)> {
    let mut v = entries.to_vec();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

/// Human size: `12.3 MB`.
pub fn human_size(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < UNITS.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        let f = EntryData::File(Content::Bytes(Arc::from(&b""[..])));
        assert_eq!(mode_for("a.txt", &f, 0o600), 0o100_644);
        assert_eq!(mode_for("run.sh", &f, 0o700), 0o100_755);
        assert_eq!(
            mode_for(".platform/hooks/predeploy/01.sh", &f, 0o644),
            0o100_755
        );
        assert_eq!(mode_for(".platform/nginx/x.conf", &f, 0o644), 0o100_644);
        assert_eq!(mode_for("d", &EntryData::Dir, 0o700), 0o040_755);
        assert_eq!(human_size(1_234_567), "1.2 MB");
    }
}
