//! `ebpack build`: validate → pin image tags → generate ebextensions →
//! write the deterministic zip → manifest and `version.json`.
//!
//! Needs no AWS access. Takes resolved [`Settings`] and plain
//! [`BuildOptions`]; progress goes through a callback (the CLI prints it
//! to stderr).

use crate::bundle::{self, WriteError, WriteOptions, ZipEntry, prepare, zipfmt::DosTime};
use crate::cancel::Cancel;
use crate::config::{Settings, TagSource};
use crate::diag::Report;
use crate::label::{self, LabelInputs};
use crate::manifest::{Manifest, ManifestEntry, Summary};
use crate::pin::{self, PinError};
use crate::validate::{self, EntryKind, Options, Rule};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The Dockerrun file pinning reads and rewrites.
pub const DOCKERRUN: &str = validate::dockerrun::FILE_NAME;

/// Options of one build beyond the resolved settings.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// What the label may be derived from.
    pub label: LabelInputs,
    /// `SOURCE_DATE_EPOCH`: the timestamp of every entry (default 1980-01-01).
    pub source_date_epoch: Option<i64>,
    /// `--fix`: convert CRLF hooks to LF in the bundle.
    pub fix: bool,
    /// Compression threads (0: one per core).
    pub threads: usize,
    /// Deflate level (`None`: 6).
    pub level: Option<u32>,
    /// Cancelled on Ctrl-C (or SIGTERM, SIGHUP) to stop and clean up.
    pub cancel: Option<Cancel>,
    /// How the bundle folder is shown in messages (default: its path).
    pub display: Option<String>,
    /// Size limit in bytes (default [`bundle::MAX_BUNDLE_BYTES`]; tests lower it).
    pub max_size: Option<u64>,
    /// `--from-git`: the files committed in `HEAD` under the bundle folder
    /// (`git archive HEAD`, what `eb deploy` ships without `.ebignore`)
    /// instead of the folder as it is.
    pub from_git: bool,
}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct BuildOutput {
    /// The manifest (also written to `manifest_path`).
    pub manifest: Manifest,
    /// The zip.
    pub zip_path: PathBuf,
    /// The manifest file.
    pub manifest_path: PathBuf,
    /// `version.json`.
    pub version_path: PathBuf,
    /// Warnings and notes from validation (errors stop the build).
    pub warnings: Report,
}

/// Why a build stopped.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The bundle has errors; the report says which.
    #[error("build stopped: the bundle has errors; nothing was written")]
    Invalid(Report),
    /// Settings that do not fit the bundle.
    #[error("{0}")]
    Usage(String),
    /// Local files could not be read or written.
    #[error("{0}")]
    Io(String),
    /// Interrupted; the temporary file was removed.
    #[error("interrupted; no bundle was written")]
    Interrupted,
    /// `--from-git` cannot take the committed files (exit 2).
    #[error(transparent)]
    FromGit(crate::fileset::git::GitError),
    /// The bundle folder does not exist (exit 6).
    #[error("bundle folder `{shown}` does not exist (looked for `{}`)", path.display())]
    NoBundleFolder {
        /// As the user sees it (`eb`).
        shown: String,
        /// The absolute path looked for.
        path: PathBuf,
        /// Where to find or how to name the folder ([`crate::suggest`]).
        help: String,
    },
}

impl BuildError {
    /// What to do next, when there is more to say than the message.
    pub fn help(&self) -> Option<String> {
        match self {
            BuildError::NoBundleFolder { help, .. } => Some(help.clone()),
            BuildError::FromGit(e) => e.help(),
            _ => None,
        }
    }

    /// The findings behind the error, shown before it.
    pub fn report(&self) -> Option<&Report> {
        match self {
            BuildError::Invalid(r) => Some(r),
            _ => None,
        }
    }
}

/// Runs the whole build. `progress` receives one line per stage.
pub fn build(
    settings: &Settings,
    opts: &BuildOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<BuildOutput, BuildError> {
    let display = opts
        .display
        .clone()
        .unwrap_or_else(|| settings.bundle_dir.to_string_lossy().into_owned());
    // Holds the unpacked commit of `--from-git` until the zip is written.
    let (set, _committed) = walk(settings, opts, &display, progress)?;
    let mut checked = check(settings, opts, &set, &display, progress)?;
    let pinned = pin_images(settings, &checked.bundle, &display)?;
    if !pinned.images.is_empty() {
        let moved = pinned.images.iter().filter(|i| i.before != i.after).count();
        progress(&format!("pinned {moved} of {} images", pinned.images.len()));
    }
    let (entries, generated) = add_generated(settings, &set, &mut checked, &pinned, progress)?;
    validate::archive::check_ignored(&checked.bundle, &set, &mut checked.warnings);
    checked.warnings.sort();
    let time = opts
        .source_date_epoch
        .map_or(DosTime::EPOCH, DosTime::from_unix);
    let early = label::early(&opts.label).map_err(BuildError::Usage)?;
    let swept = crate::outputs::sweep_stale(&settings.out_dir);
    if swept.files > 0 {
        progress(&format!(
            "removed {} temporary file(s) ({}) an interrupted build left in {}",
            swept.files,
            bundle::human_size(swept.bytes),
            settings.out_dir.display()
        ));
    }
    let staged = write_zip(settings, opts, &set, &display, &entries, time, progress)?;
    let archive = staged.archive.clone();
    let (label, label_source) = match early {
        Some(l) => l,
        None => label::from_content(&opts.label, &archive.sha256),
    };
    let name = format!("{}-{label}", settings.app);
    let zip_path = settings.out_dir.join(format!("{name}.zip"));
    let manifest_path = settings.out_dir.join(format!("{name}.json"));
    let version_path = settings.out_dir.join("version.json");
    let mut warnings = checked.warnings;
    if archive.size > bundle::WARN_BUNDLE_BYTES {
        warnings.push_file(
            &display,
            Rule::R6.warning(
                format!("the bundle is {} bytes, above 500 MB", archive.size),
                "EB's documented limit is 500 MB; trim it with `.ebignore`",
            ),
        );
    }
    let manifest = Manifest {
        summary: Summary {
            app: settings.app.clone(),
            label: label.clone(),
            label_source,
            bundle: format!("{name}.zip"),
            sha256: archive.sha256.clone(),
            size: archive.size,
            entry_count: archive.entries.len(),
            images: pinned.images,
            generated,
            platform: settings.platform.as_str().to_owned(),
            source_date: time.to_rfc3339(),
            source_date_epoch: opts.source_date_epoch,
            ebpack_version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        entries: archive.entries.iter().map(ManifestEntry::from).collect(),
    };
    // Together or not at all (see `crate::outputs`).
    crate::outputs::persist_with_zip(
        staged.into_temp(),
        &zip_path,
        [
            (&manifest_path, manifest.to_json().into_bytes()),
            (
                &version_path,
                crate::manifest::version_json(&label).into_bytes(),
            ),
        ],
        opts.cancel.as_ref(),
    )
    .map_err(|e| match e {
        crate::outputs::PersistError::Interrupted => BuildError::Interrupted,
        e => BuildError::Io(e.to_string()),
    })?;
    Ok(BuildOutput {
        manifest,
        zip_path,
        manifest_path,
        version_path,
        warnings,
    })
}

/// The files of the bundle folder that go into the zip (`.ebignore`
/// applied, the output folder left out), or with `--from-git` those
/// committed in `HEAD` and the temporary folder holding them.
fn walk(
    settings: &Settings,
    opts: &BuildOptions,
    display: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<(crate::fileset::FileSet, Option<tempfile::TempDir>), BuildError> {
    let root = &settings.bundle_dir;
    if !root.exists() {
        return Err(BuildError::NoBundleFolder {
            shown: display.to_owned(),
            path: root.clone(),
            help: crate::suggest::missing_bundle_folder(
                root,
                settings.origins.bundle,
                &settings.project_dir,
                "build",
            ),
        });
    }
    refuse_out_as_root(settings, display)?;
    if opts.from_git {
        use crate::fileset::git::{self, GitError};
        let committed =
            git::walk_head(root, display, Some(&settings.out_dir)).map_err(|e| match e {
                GitError::Io(_) => BuildError::Io(e.to_string()),
                e => BuildError::FromGit(e),
            })?;
        progress(&format!(
            "taking {display} as committed in {} (git archive HEAD)",
            committed.commit
        ));
        return Ok((committed.set, Some(committed.dir)));
    }
    let set = crate::fileset::walk(root, Some(&settings.out_dir))
        .map_err(|e| BuildError::Io(e.to_string()))?;
    Ok((set, None))
}

/// The walk leaves out the output folder wherever it lies inside the
/// bundle folder, however it is reached (it compares resolved paths), but
/// the bundle folder itself cannot be left out: as the output folder,
/// every zip would ship the ones built before it.
fn refuse_out_as_root(settings: &Settings, display: &str) -> Result<(), BuildError> {
    let same = match (
        std::fs::canonicalize(&settings.out_dir),
        std::fs::canonicalize(&settings.bundle_dir),
    ) {
        (Ok(out), Ok(root)) => out == root,
        // An output folder that does not exist yet is not the bundle folder.
        _ => false,
    };
    if same {
        return Err(BuildError::Usage(format!(
            "the output folder `{}` is the bundle folder `{display}`: every zip would hold the ones built before it; write the outputs elsewhere with `--out` (`out:` in ebpack.yaml; default `dist`)",
            settings.out_dir.display()
        )));
    }
    Ok(())
}

/// The bundle as validated, with what the build changed in it.
struct Checked {
    bundle: validate::Bundle,
    /// Entries whose bytes differ from the files (fixed hooks, the pinned
    /// Dockerrun).
    changed: BTreeMap<String, Arc<[u8]>>,
    options: Options,
    /// Warnings and notes of the last validation.
    warnings: Report,
}

/// Validates what will be shipped: modes forced, hooks fixed with `--fix`.
fn check(
    settings: &Settings,
    opts: &BuildOptions,
    set: &crate::fileset::FileSet,
    display: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<Checked, BuildError> {
    let mut bundle =
        validate::from_fileset(display, set).map_err(|e| BuildError::Io(e.to_string()))?;
    progress(&format!(
        "validating {display} ({} entries, {})",
        set.files.len(),
        bundle::human_size(set.files.iter().map(|f| f.size).sum())
    ));
    let mut findings = Report::default();
    let changed = prepare::normalize(&mut bundle, set, opts.fix, &mut findings);
    let options = Options {
        platform: settings.platform,
        allow_unknown_keys: false,
    };
    let mut report = validate::validate_bundle(&bundle, &options);
    merge_build_findings(&mut report, findings);
    if report.fails(false) {
        return Err(BuildError::Invalid(report));
    }
    Ok(Checked {
        bundle,
        changed,
        options,
        warnings: report,
    })
}

/// The Dockerrun as the bundle has it and as pinning rewrote it.
struct Pinned {
    original: Option<String>,
    shipped: Option<String>,
    images: Vec<pin::ImageRecord>,
}

/// Pins the Dockerrun's image tags as the settings ask.
fn pin_images(
    settings: &Settings,
    bundle: &validate::Bundle,
    display: &str,
) -> Result<Pinned, BuildError> {
    let mut pin_settings = settings.pin.clone();
    pin_settings.image_tag = match &settings.tag {
        None => None,
        Some(TagSource::Literal(t)) => Some(t.clone()),
        Some(TagSource::From(tf)) => {
            let tag = tf
                .read()
                .map_err(|m| BuildError::Usage(format!("--tag-from: {m}")))?;
            pin::valid_tag(&tag).map_err(|m| BuildError::Usage(format!("--tag-from: {m}")))?;
            Some(tag)
        }
    };
    let original = bundle
        .get(DOCKERRUN)
        .and_then(|e| e.data.as_deref())
        .map(|b| String::from_utf8_lossy(b).into_owned());
    let dockerrun_display = format!("{}/{DOCKERRUN}", display.trim_end_matches('/'));
    let (shipped, images) = match &original {
        Some(text) => match pin::pin(&dockerrun_display, text, &pin_settings) {
            Ok(p) => (Some(p.text), p.images),
            Err(PinError::Usage(m)) => return Err(BuildError::Usage(m)),
            Err(PinError::Unpinned(r)) => return Err(BuildError::Invalid(r)),
        },
        None if pin_settings.is_active() => {
            return Err(BuildError::Usage(format!(
                "image pinning needs `{dockerrun_display}`, and the bundle has none"
            )));
        }
        None => (None, Vec::new()),
    };
    Ok(Pinned {
        original,
        shipped,
        images,
    })
}

/// Generates the ebextensions, plans the zip's entries and, when the
/// Dockerrun or the files changed, validates the bundle again. Returns the
/// entries and the generated paths.
fn add_generated(
    settings: &Settings,
    set: &crate::fileset::FileSet,
    checked: &mut Checked,
    pinned: &Pinned,
    progress: &mut dyn FnMut(&str),
) -> Result<(Vec<ZipEntry>, Vec<String>), BuildError> {
    let generated = crate::generate::generate(
        &settings.generate,
        pinned.shipped.as_deref().unwrap_or_default(),
    )
    .map_err(|e| BuildError::Usage(format!("generate: {e}")))?;
    let final_dockerrun = generated.dockerrun.clone().or(pinned.shipped.clone());
    let mut rewritten = false;
    if let (Some(new), Some(old)) = (&final_dockerrun, &pinned.original)
        && new != old
    {
        checked
            .changed
            .insert(DOCKERRUN.to_owned(), Arc::from(new.as_bytes()));
        rewritten = true;
    }
    let gen_files: Vec<(String, Arc<[u8]>, u32)> = generated
        .files
        .iter()
        .map(|f| (f.path.clone(), Arc::from(f.content.as_bytes()), f.mode))
        .collect();
    let mut plan_report = Report::default();
    let entries = prepare::plan(
        &checked.bundle,
        set,
        &checked.changed,
        &gen_files,
        &mut plan_report,
    );
    if plan_report.fails(false) {
        return Err(BuildError::Invalid(plan_report));
    }
    if rewritten || !gen_files.is_empty() {
        progress("validating the bundle with pinned images and generated files");
        let on_disk = std::mem::take(&mut checked.warnings);
        let shipped_names: Vec<String> = checked
            .changed
            .keys()
            .map(|n| checked.bundle.display_name(n))
            .collect();
        let again = revalidate(
            &mut checked.bundle,
            &checked.changed,
            &gen_files,
            &checked.options,
        );
        checked.warnings = match again {
            Ok(r) => as_built(on_disk, r, &shipped_names),
            Err(BuildError::Invalid(r)) => {
                return Err(BuildError::Invalid(as_built(on_disk, r, &shipped_names)));
            }
            Err(e) => return Err(e),
        };
    }
    Ok((entries, gen_files.into_iter().map(|g| g.0).collect()))
}

/// Writes the entries into a temporary zip in the output folder; the
/// caller persists it under its final name.
fn write_zip(
    settings: &Settings,
    opts: &BuildOptions,
    set: &crate::fileset::FileSet,
    display: &str,
    entries: &[ZipEntry],
    time: DosTime,
    progress: &mut dyn FnMut(&str),
) -> Result<bundle::Staged, BuildError> {
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(2, usize::from)
    } else {
        opts.threads
    };
    progress(&format!(
        "writing {} entries with {threads} threads",
        entries.len()
    ));
    let wopts = WriteOptions {
        level: opts.level.unwrap_or(6),
        threads,
        time,
        max_size: opts.max_size.unwrap_or(bundle::MAX_BUNDLE_BYTES),
        cancel: opts.cancel.as_ref().map(Cancel::flag),
    };
    match bundle::stage(&settings.out_dir, entries, &wopts) {
        Ok(s) => Ok(s),
        Err(WriteError::TooLarge { limit }) => Err(too_large(display, set, limit)),
        Err(WriteError::Interrupted) => Err(BuildError::Interrupted),
        Err(e @ WriteError::FileTooLarge { .. }) => {
            Err(BuildError::Invalid(one(display, e.to_string())))
        }
        Err(e) => Err(BuildError::Io(e.to_string())),
    }
}

/// The findings of the bundle as built, placed in the files on disk where
/// the first validation made the same finding there (its positions are the
/// file's); a finding only the built bundle has, in a file the build
/// rewrote, is named `<file> (as built)` with that text as its snippet, as
/// its line and column are in the rewritten copy. Findings of the first
/// validation that the build fixed (an image it pinned) are gone.
fn as_built(on_disk: Report, built: Report, rewritten: &[String]) -> Report {
    let key = |d: &crate::diag::Diagnostic| {
        (d.code, d.file.clone(), d.pointer.clone(), d.message.clone())
    };
    let mut disk: std::collections::HashMap<_, _> = on_disk
        .diagnostics
        .into_iter()
        .map(|d| (key(&d), d))
        .collect();
    let mut report = Report::default();
    for d in built.diagnostics {
        if let Some(first) = disk.remove(&key(&d)) {
            if let Some(src) = on_disk.sources.get(&first.file) {
                report.sources.insert(first.file.clone(), Arc::clone(src));
            }
            report.diagnostics.push(first);
            continue;
        }
        let mut d = d;
        if rewritten.contains(&d.file) {
            let name = format!("{} (as built)", d.file);
            if let Some(src) = built.sources.get(&d.file) {
                report.add_source(crate::source::SourceFile::new(&name, src.text()));
            }
            d.file = name;
        } else if let Some(src) = built.sources.get(&d.file) {
            report.sources.insert(d.file.clone(), Arc::clone(src));
        }
        report.diagnostics.push(d);
    }
    report.sort();
    report
}

/// Validates the bundle again with the rewritten Dockerrun and the
/// generated files: errors there come from pinning or generation.
fn revalidate(
    bundle: &mut validate::Bundle,
    changed: &BTreeMap<String, Arc<[u8]>>,
    generated: &[(String, Arc<[u8]>, u32)],
    options: &Options,
) -> Result<Report, BuildError> {
    for e in &mut bundle.entries {
        if let Some(b) = changed.get(&e.name) {
            e.data = Some(b.to_vec());
            e.size = b.len() as u64;
        }
    }
    for (path, bytes, mode) in generated {
        bundle.entries.push(validate::BundleEntry {
            name: path.clone(),
            kind: EntryKind::File,
            mode: Some(0o100_000 | mode),
            size: bytes.len() as u64,
            data: Some(bytes.to_vec()),
        });
    }
    bundle.entries.sort_by(|a, b| a.name.cmp(&b.name));
    let report = validate::validate_bundle(bundle, options);
    if report.fails(false) {
        return Err(BuildError::Invalid(report));
    }
    Ok(report)
}

/// Adds the build's own findings to the validation report. Where a rule
/// already reports the same place (R92 for a CRLF hook), the build's
/// finding is dropped and its `--fix` hint added to the rule's help.
fn merge_build_findings(report: &mut Report, findings: Report) {
    for f in findings.diagnostics {
        let same = report.diagnostics.iter_mut().find(|d| {
            d.file == f.file && d.line == f.line && d.column == f.column && d.code != f.code
        });
        match same {
            Some(d) if f.code == Rule::B1.code() => {
                if !d.help.contains("--fix") {
                    d.help
                        .push_str("; or build with `--fix` to convert it in the bundle");
                }
            }
            _ => report.diagnostics.push(f),
        }
    }
    report.sources.extend(findings.sources);
    report.sort();
}

/// A B4 finding (the bundle or one of its files is too large).
fn one(display: &str, message: String) -> Report {
    let mut r = Report::default();
    r.push_file(
        display,
        Rule::B4.error(message, "exclude large files with `.ebignore`"),
    );
    r
}

fn too_large(display: &str, set: &crate::fileset::FileSet, limit: u64) -> BuildError {
    let mut r = Report::default();
    r.push_file(display, prepare::too_large(set, limit));
    BuildError::Invalid(r)
}
