//! One view of a bundle, whether it is a folder or a zip: entry names,
//! kinds, Unix modes and (for the files rules read) their bytes.

use crate::fileset::{self, FileKind};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Files larger than this are listed but not loaded (no rule reads them).
const MAX_LOADED: u64 = 4 * 1024 * 1024;

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link with its target.
    Symlink(String),
}

/// One entry of a bundle.
#[derive(Debug, Clone)]
pub struct BundleEntry {
    /// Name relative to the bundle root; in a zip, exactly as stored (may hold
    /// `\`, `..` or a leading `/`, which the archive rules report), without a
    /// trailing `/` for directories.
    pub name: String,
    /// Kind.
    pub kind: EntryKind,
    /// Unix mode (`st_mode`: type and permission bits) when known: always
    /// for folders; for zips only when the entry was made by a Unix host.
    pub mode: Option<u32>,
    /// Uncompressed size.
    pub size: u64,
    /// The content, for files small enough that rules may read them.
    pub data: Option<Vec<u8>>,
}

/// What only the zip reader sees about entries, for the archive rules
/// (R14): how entries are stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZipFacts {
    /// Entries compressed with a method other than stored or DEFLATE:
    /// `(entry name, method name)`.
    pub unusual_methods: Vec<(String, String)>,
    /// Encrypted entries (EB cannot extract them).
    pub encrypted: Vec<String>,
}

/// A bundle to validate.
#[derive(Debug, Clone, Default)]
pub struct Bundle {
    /// How the user named it (folder path or zip path).
    pub display: String,
    /// True when read from a zip.
    pub is_zip: bool,
    /// Size of the zip file, for zips.
    pub archive_size: Option<u64>,
    /// Entries in archive order (zip) or sorted by name (folder).
    pub entries: Vec<BundleEntry>,
    /// Storage facts of a zip's entries (empty for folders).
    pub zip: ZipFacts,
}

/// The input could not be read at all (as opposed to findings about it).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// I/O failure.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Not a readable zip.
    #[error("`{path}` is not a readable zip archive: {message}")]
    Zip {
        /// The path.
        path: PathBuf,
        /// What the zip reader said.
        message: String,
    },
    /// Walking the folder failed.
    #[error(transparent)]
    Walk(#[from] fileset::WalkError),
    /// Unknown file type.
    #[error(
        "cannot tell what `{path}` is: give a bundle folder, a `.zip`, a `Dockerrun.aws.json` or a `.config` file"
    )]
    UnknownKind {
        /// The path.
        path: PathBuf,
    },
}

impl Bundle {
    /// The entry named `name`, if any.
    pub fn get(&self, name: &str) -> Option<&BundleEntry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// The name to show for an entry: `folder/entry` for folders, the entry
    /// name itself for zips.
    pub fn display_name(&self, entry: &str) -> String {
        if self.is_zip {
            entry.to_owned()
        } else {
            let base = self.display.trim_end_matches('/');
            if base.is_empty() || base == "." {
                entry.to_owned()
            } else {
                format!("{base}/{entry}")
            }
        }
    }

    /// True when a file or directory `path` exists in the bundle (for
    /// directories, also when only entries below it are stored).
    pub fn contains_path(&self, path: &str) -> bool {
        let path = path.trim_end_matches('/');
        let prefix = format!("{path}/");
        self.entries
            .iter()
            .any(|e| e.name == path || e.name.starts_with(&prefix))
    }
}

fn wants_data(name: &str, size: u64) -> bool {
    size <= MAX_LOADED
        && (!name.contains('/')
            || name.starts_with(".ebextensions/")
            || name.starts_with(".platform/")
            || name.contains("/.ebextensions/")
            || [".json", ".config", ".yml", ".yaml", ".sh"]
                .iter()
                .any(|s| name.ends_with(s)))
}

/// Reads a bundle folder the way `ebpack build` would pack it (see
/// [`crate::fileset`]). `out_dir` is excluded when inside it.
pub fn read_dir(root: &Path, out_dir: Option<&Path>) -> Result<Bundle, InputError> {
    let set = fileset::walk(root, out_dir)?;
    from_fileset(&root.to_string_lossy(), &set)
}

/// Builds the bundle view of an already walked folder (`display` is how
/// the folder is shown), loading the files rules read.
pub fn from_fileset(display: &str, set: &fileset::FileSet) -> Result<Bundle, InputError> {
    let mut entries = Vec::with_capacity(set.files.len());
    for f in &set.files {
        let (kind, type_bits) = match &f.kind {
            FileKind::File => (EntryKind::File, 0o100_000),
            FileKind::Dir => (EntryKind::Dir, 0o040_000),
            FileKind::Symlink(t) => (
                EntryKind::Symlink(t.to_string_lossy().replace('\\', "/")),
                0o120_000,
            ),
        };
        let data = if kind == EntryKind::File && wants_data(&f.rel, f.size) {
            Some(std::fs::read(&f.path).map_err(|source| InputError::Io {
                path: f.path.clone(),
                source,
            })?)
        } else {
            None
        };
        entries.push(BundleEntry {
            name: f.rel.clone(),
            kind,
            mode: Some(type_bits | f.mode),
            size: f.size,
            data,
        });
    }
    Ok(Bundle {
        display: display.to_owned(),
        is_zip: false,
        archive_size: None,
        entries,
        zip: ZipFacts::default(),
    })
}

/// Reads a zip archive's entries (names as stored, modes, small contents).
pub fn read_zip(path: &Path) -> Result<Bundle, InputError> {
    let zerr = |message: String| InputError::Zip {
        path: path.to_owned(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|source| InputError::Io {
        path: path.to_owned(),
        source,
    })?;
    let archive_size = file.metadata().ok().map(|m| m.len());
    let mut archive =
        zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| zerr(e.to_string()))?;
    let mut entries = Vec::with_capacity(archive.len());
    let mut facts = ZipFacts::default();
    for i in 0..archive.len() {
        // Metadata first, without decompressing: an encrypted entry or an
        // unusual compression method is a finding (R14), not a read failure.
        let (raw, mode, size, method, encrypted) = {
            let f = archive
                .by_index_raw(i)
                .map_err(|e| zerr(format!("entry {i}: {e}")))?;
            let mode = match f.system() {
                zip::System::Unix => Some(f.external_attributes() >> 16),
                _ => None,
            };
            (
                String::from_utf8_lossy(f.name_raw()).into_owned(),
                mode,
                f.size(),
                f.compression(),
                f.encrypted(),
            )
        };
        let is_dir = raw.ends_with('/');
        let name = raw.trim_end_matches('/').to_owned();
        let readable = !encrypted
            && matches!(
                method,
                zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
            );
        if encrypted {
            facts.encrypted.push(name.clone());
        } else if !readable && !is_dir {
            facts
                .unusual_methods
                .push((name.clone(), method.to_string()));
        }
        let is_link = mode.is_some_and(|m| m & 0o170_000 == 0o120_000);
        let mut data = None;
        if readable && !is_dir && (is_link || wants_data(&name, size)) {
            let mut f = archive
                .by_index(i)
                .map_err(|e| zerr(format!("entry {i}: {e}")))?;
            let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(1 << 20));
            f.by_ref()
                .take(MAX_LOADED + 1)
                .read_to_end(&mut buf)
                .map_err(|e| zerr(format!("entry `{name}`: {e}")))?;
            data = Some(buf);
        }
        let kind = if is_dir {
            EntryKind::Dir
        } else if is_link {
            EntryKind::Symlink(
                String::from_utf8_lossy(data.as_deref().unwrap_or_default()).into_owned(),
            )
        } else {
            EntryKind::File
        };
        entries.push(BundleEntry {
            name,
            kind,
            mode,
            size,
            data,
        });
    }
    Ok(Bundle {
        display: path.to_string_lossy().into_owned(),
        is_zip: true,
        archive_size,
        entries,
        zip: facts,
    })
}
