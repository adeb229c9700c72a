//! One view of a bundle, whether it is a folder or a zip: entry names,
//! kinds, Unix modes and, for the files a rule reads, their bytes.
//!
//! Only what a rule reads is loaded ([`need`]): `.ebextensions/*.config`,
//! Dockerrun files, `Procfile`/`Buildfile`, proxy configuration, platform
//! hooks, and the `.sh` scripts a config names. Each is loaded only up to
//! [`MAX_LOADED`]: a larger one is refused with a finding (R6), except
//! hooks, whose checks read them in pieces ([`scan`]). Everything else is
//! listed with its size and never read, so memory follows the files rules
//! need, not the bundle.
//!
//! Links are resolved component by component ([`crate::fileset::links`]);
//! a link to a file a rule reads is checked with its target's bytes, a
//! link in place of a folder EB reads configuration from is refused (R12).

mod scan;
mod zip;

pub use zip::read_zip;

use crate::diag::Finding;
use crate::fileset::links::{self, Node, Resolution, Tree};
use crate::fileset::{self, FileKind};
use crate::validate::Rule;
use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The most bytes of one file a rule reads: larger ones are refused (R6),
/// hooks are read in pieces instead.
pub const MAX_LOADED: u64 = 4 * 1024 * 1024;

/// What the files loaded from one bundle may add up to: past it, files a
/// rule reads are refused (R6) and hooks read in pieces.
pub const MAX_LOADED_TOTAL: u64 = 64 * 1024 * 1024;

/// What is left of [`MAX_LOADED_TOTAL`] while one bundle is read.
struct Budget(u64);

impl Budget {
    fn new() -> Self {
        Self(MAX_LOADED_TOTAL)
    }

    /// Takes `size` bytes when they fit in what is left.
    fn take(&mut self, size: u64) -> bool {
        let fits = size <= self.0;
        if fits {
            self.0 -= size;
        }
        fits
    }
}

/// R6: the files a rule reads add up to more than ebpack reads.
fn over_budget(name: &str) -> Finding {
    Rule::R6.error(
        format!(
            "the files EB reads add up to more than {} MiB, and `{name}` is past that: ebpack does not pass what it could not check",
            MAX_LOADED_TOTAL >> 20
        ),
        "keep configuration files small: move data into the image or S3",
    )
}

/// The largest file a zip without ZIP64 holds (what `build` writes).
pub(crate) const MAX_FILE: u64 = 0xffff_ffff;

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
    /// Findings made while reading: names, links, sizes, large hooks
    /// (`(entry name, finding)`; no name: the bundle itself).
    pub findings: Vec<(Option<String>, Finding)>,
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
    /// Not a regular file (a device, a FIFO, a socket): never read.
    #[error(
        "`{path}` is not a regular file or folder; give a bundle folder, a `.zip`, a `Dockerrun.aws.json` or a `.config` file"
    )]
    NotAFile {
        /// The path.
        path: PathBuf,
    },
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

/// What a rule reads of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// Nothing: the entry is listed, never read.
    Nothing,
    /// All of it (refused over [`MAX_LOADED`]).
    Whole,
    /// A platform hook: loaded up to [`MAX_LOADED`], else read in pieces.
    Hook,
    /// A `.sh` file: loaded when a config names it.
    Script,
}

/// What the rules read of the file `name`.
pub(crate) fn need(name: &str) -> Need {
    let last = name.rsplit('/').next().unwrap_or(name);
    let dockerrun = last.eq_ignore_ascii_case(super::dockerrun::FILE_NAME)
        && !name
            .split('/')
            .any(|c| c == "node_modules" || c == "__MACOSX");
    if super::ebextensions::is_config_entry(name)
        || dockerrun
        || matches!(name, "Procfile" | "Buildfile")
        || name.starts_with(".platform/nginx/")
        || name.starts_with(".platform/httpd/")
    {
        Need::Whole
    } else if name.starts_with(".platform/hooks/") || name.starts_with(".platform/confighooks/") {
        Need::Hook
    } else if name.ends_with(".sh") {
        Need::Script
    } else {
        Need::Nothing
    }
}

/// Folders EB reads configuration from: a link in their place hides it.
fn config_folder(name: &str) -> bool {
    name == ".ebextensions" || name == ".platform" || name.starts_with(".platform/")
}

/// R6: a file a rule reads is too large to check.
fn too_large_to_check(name: &str, size: u64) -> Finding {
    Rule::R6.error(
        format!(
            "`{name}` is {size} bytes; ebpack checks the files EB reads up to {} MiB and does not pass what it could not check",
            MAX_LOADED >> 20
        ),
        "keep configuration files small: move data into the image or S3, and generate large files on the instance",
    )
}

/// The `.sh` paths the configs of `entries` may run (each word ending in
/// `.sh`, as the R92 command check reads commands), relative to the root.
fn named_scripts(entries: &[BundleEntry]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in entries {
        let (true, Some(data)) = (super::ebextensions::is_config_entry(&e.name), &e.data) else {
            continue;
        };
        let text = String::from_utf8_lossy(data);
        for token in text.split(|c: char| c.is_whitespace() || ";&|()'\"".contains(c)) {
            if !token.ends_with(".sh") {
                continue;
            }
            let rel = token
                .trim_start_matches("/var/app/staging/")
                .trim_start_matches("/var/app/current/")
                .trim_start_matches("./");
            if !rel.starts_with('/') {
                out.insert(rel.to_owned());
            }
        }
    }
    out
}

/// Reads at most [`MAX_LOADED`] bytes (plus one, to tell a larger file).
fn read_bounded(r: impl Read) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(MAX_LOADED + 1).read_to_end(&mut buf)?;
    Ok(buf)
}

/// The link findings and loads both readers share: what each link of
/// `entries` resolves to, with `escape`/`broken` building the finding for
/// a link that leaves the bundle or leads nowhere (`None`: no finding).
/// Returns, for each link that leads to a file a rule reads, the index of
/// the link and of its target.
fn links(
    entries: &[BundleEntry],
    findings: &mut Vec<(Option<String>, Finding)>,
    escape: &dyn Fn(&str, &str) -> Finding,
    broken: &dyn Fn(&BundleEntry, Resolution) -> Option<Finding>,
) -> Vec<(usize, usize)> {
    let tree = Tree::new(entries.iter().map(|e| {
        let node = match &e.kind {
            EntryKind::File => Node::File,
            EntryKind::Dir => Node::Dir,
            EntryKind::Symlink(t) => Node::Link(t.as_str()),
        };
        (e.name.as_str(), node)
    }));
    let index: HashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .rev()
        .map(|(i, e)| (e.name.as_str(), i))
        .collect();
    let mut below: BTreeSet<&str> = BTreeSet::new();
    for e in entries {
        if let Some(link) = tree.link_above(&e.name)
            && below.insert(link)
        {
            findings.push((
                Some(e.name.clone()),
                Rule::R12.error(
                    format!("`{}` is stored below the symbolic link `{link}`: unzip writes it through the link, wherever that points, or fails", e.name),
                    format!("store `{link}` as a folder, or leave out what is below it"),
                ),
            ));
        }
    }
    let mut loads = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let EntryKind::Symlink(target) = &e.kind else {
            continue;
        };
        let at = Some(e.name.clone());
        match links::resolve(&tree, &e.name, target) {
            Resolution::Outside(t) => findings.push((at, escape(&e.name, &t))),
            Resolution::Dir(_) if config_folder(&e.name) => findings.push((
                at,
                Rule::R12.error(
                    format!(
                        "`{}` is a symbolic link to a folder: EB reads configuration below it, which ebpack does not check through a link, and files written below it (as `build` writes its generated files) make `unzip` fail",
                        e.name
                    ),
                    format!("replace the link `{}` with the folder itself", e.name),
                ),
            )),
            Resolution::File(p) if need(&e.name) == Need::Whole => {
                if let Some(&t) = index.get(p.as_str()) {
                    loads.push((i, t));
                }
            }
            r @ (Resolution::Missing(_) | Resolution::Loop) => {
                if let Some(f) = broken(e, r) {
                    findings.push((at, f));
                }
            }
            Resolution::File(_) | Resolution::Dir(_) => {}
        }
    }
    loads
}

/// Reads a bundle folder the way `ebpack build` would pack it (see
/// [`crate::fileset`]). `out_dir` is excluded when inside it.
pub fn read_dir(root: &Path, out_dir: Option<&Path>) -> Result<Bundle, InputError> {
    let set = fileset::walk(root, out_dir)?;
    from_fileset(&root.to_string_lossy(), &set)
}

/// Builds the bundle view of an already walked folder (`display` is how
/// the folder is shown), loading the files rules read. The findings of
/// its names, sizes and links are those `build` stops on (R10, B4, B2,
/// B3, R12), so `validate DIR` and `build DIR` agree.
pub fn from_fileset(display: &str, set: &fileset::FileSet) -> Result<Bundle, InputError> {
    let mut entries = Vec::with_capacity(set.files.len());
    let mut findings = Vec::new();
    for f in &set.files {
        let (kind, type_bits) = match &f.kind {
            FileKind::File => (EntryKind::File, 0o100_000),
            FileKind::Dir => (EntryKind::Dir, 0o040_000),
            FileKind::Symlink(t) => (
                EntryKind::Symlink(t.to_string_lossy().replace('\\', "/")),
                0o120_000,
            ),
        };
        if f.size > MAX_FILE {
            findings.push((
                Some(f.rel.clone()),
                Rule::B4.error(
                    format!(
                        "`{}` is {} bytes: a zip without ZIP64 holds files under 4 GiB, and EB takes bundles up to 500 MiB",
                        f.rel, f.size
                    ),
                    "exclude it with `.ebignore`",
                ),
            ));
        }
        entries.push(BundleEntry {
            name: f.rel.clone(),
            kind,
            mode: Some(type_bits | f.mode),
            size: f.size,
            data: None,
        });
    }
    for (rel, bytes) in &set.not_utf8 {
        findings.push((
            Some(rel.clone()),
            Rule::R10.error(
                format!("the name of `{bytes}` is not UTF-8: the zip would store it as `{rel}` (each bad byte as U+FFFD), so two such names become one entry"),
                "rename it with a UTF-8 name",
            ),
        ));
    }
    let io = |path: &Path, source| InputError::Io {
        path: path.to_owned(),
        source,
    };
    let load = |f: &fileset::WalkedFile| -> Result<Vec<u8>, InputError> {
        std::fs::File::open(&f.path)
            .and_then(read_bounded)
            .map_err(|e| io(&f.path, e))
    };
    let escape = |_: &str, t: &str| {
        Rule::B2.error(
            format!("symbolic link points outside the bundle (`{t}`)"),
            "EB unpacks the bundle on another machine: copy the file into the bundle or make the link relative to a file inside it",
        )
    };
    let broken = |e: &BundleEntry, r: Resolution| {
        let EntryKind::Symlink(target) = &e.kind else {
            return None;
        };
        let on_disk = set
            .files
            .iter()
            .find(|f| f.rel == e.name)
            .is_some_and(|f| f.path.exists());
        Some(match r {
            Resolution::Loop => Rule::B3.error(
                format!("symbolic link `{target}` is part of a loop"),
                "break the loop of links",
            ),
            _ => {
                let why = if on_disk {
                    "its target is left out of the bundle (`.ebignore` or a built-in exclusion)"
                } else {
                    "its target does not exist"
                };
                Rule::B3.error(
                    format!("broken symbolic link to `{target}`: {why}"),
                    "remove the link, fix its target, or stop excluding the target",
                )
            }
        })
    };
    let loads = links(&entries, &mut findings, &escape, &broken);
    let mut budget = Budget::new();
    for (i, f) in set.files.iter().enumerate() {
        if entries[i].kind != EntryKind::File {
            continue;
        }
        match need(&f.rel) {
            Need::Whole if f.size > MAX_LOADED => {
                findings.push((Some(f.rel.clone()), too_large_to_check(&f.rel, f.size)));
            }
            Need::Whole if !budget.take(f.size) => {
                findings.push((Some(f.rel.clone()), over_budget(&f.rel)));
            }
            Need::Whole => entries[i].data = Some(load(f)?),
            Need::Hook if f.size <= MAX_LOADED && budget.take(f.size) => {
                entries[i].data = Some(load(f)?);
            }
            Need::Hook if scan::is_run_hook(&f.rel) => {
                let file = std::fs::File::open(&f.path).map_err(|e| io(&f.path, e))?;
                let found = scan::large_hook(&f.rel, file).map_err(|e| io(&f.path, e))?;
                findings.extend(found.into_iter().map(|x| (Some(f.rel.clone()), x)));
            }
            Need::Hook | Need::Script | Need::Nothing => {}
        }
    }
    let scripts = named_scripts(&entries);
    for (i, f) in set.files.iter().enumerate() {
        if entries[i].kind == EntryKind::File
            && need(&f.rel) == Need::Script
            && f.size <= MAX_LOADED
            && scripts.contains(&f.rel)
            && budget.take(f.size)
        {
            entries[i].data = Some(load(f)?);
        }
    }
    for (link, target) in loads {
        let t = &set.files[target];
        let name = entries[link].name.clone();
        if t.size > MAX_LOADED {
            findings.push((Some(name.clone()), too_large_to_check(&name, t.size)));
        } else if !budget.take(t.size) {
            findings.push((Some(name.clone()), over_budget(&name)));
        } else if entries[target].kind == EntryKind::File {
            entries[link].data = Some(load(t)?);
        }
    }
    Ok(Bundle {
        display: display.to_owned(),
        is_zip: false,
        archive_size: None,
        entries,
        zip: ZipFacts::default(),
        findings,
    })
}
