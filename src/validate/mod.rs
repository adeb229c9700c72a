//! `ebpack validate`: every rule of `docs/rules.md` that can be checked
//! offline, over a bundle folder, a built zip, or a single file.
//!
//! Inputs are first turned into one [`Bundle`] (a list of entries with
//! modes and contents), so the folder a user edits and the zip EB receives
//! are checked by the same code. Each rule module pushes [`Finding`]s into a
//! [`Ctx`]; nothing stops at the first problem.

pub mod archive;
mod bundle;
pub mod dockerrun;
pub mod ebextensions;
pub mod platform;
mod rule;
pub(crate) mod shape;

pub use rule::{DocFile, Rule};

pub use bundle::{
    Bundle, BundleEntry, EntryKind, InputError, MAX_LOADED, MAX_LOADED_TOTAL, ZipFacts,
    from_fileset, read_dir, read_zip,
};

use crate::diag::{Finding, MAX_PER_CODE, Report, Severity};
use crate::source::SourceFile;
use crate::syntax::{self, Node};
use std::collections::HashMap;
use std::path::Path;

/// The platform the bundle is validated for (rules that differ by platform).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Platform {
    /// ECS running on Amazon Linux 2 / 2023 (Dockerrun v2). The default.
    #[default]
    EcsAl2,
    /// The retired Multicontainer Docker platform on the Amazon Linux AMI.
    McAl1,
    /// Docker running on Amazon Linux 2 / 2023 (Dockerrun v1/v3, Compose).
    DockerAl2,
}

impl Platform {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::EcsAl2 => "ecs-al2",
            Platform::McAl1 => "mc-al1",
            Platform::DockerAl2 => "docker-al2",
        }
    }
}

impl std::str::FromStr for Platform {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ecs-al2" => Ok(Platform::EcsAl2),
            "mc-al1" => Ok(Platform::McAl1),
            "docker-al2" => Ok(Platform::DockerAl2),
            other => Err(format!(
                "unknown platform `{other}`; expected `ecs-al2`, `mc-al1` or `docker-al2`"
            )),
        }
    }
}

/// Resolved validation settings.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Target platform.
    pub platform: Platform,
    /// Downgrade unknown container keys (R21) to warnings.
    pub allow_unknown_keys: bool,
}

/// Where findings of one file are collected while its rules run.
pub struct Ctx<'a> {
    /// Settings.
    pub options: &'a Options,
    /// The whole bundle, when the file is part of one (cross-file rules).
    pub bundle: Option<&'a Bundle>,
    /// The file being checked.
    pub file: &'a SourceFile,
    /// The authentication names of the bundle's configs, collected once.
    pub(crate) bundle_auth: Option<&'a ebextensions::BundleAuth>,
    findings: Vec<Finding>,
    /// Per code: findings kept, and those over [`MAX_PER_CODE`] (counted
    /// and dropped here, so a file with 10^5 faults holds 10^2 findings).
    tally: HashMap<&'static str, Over>,
}

/// The findings of one code a [`Ctx`] has seen.
#[derive(Default)]
struct Over {
    kept: usize,
    hidden: usize,
    severity: Option<Severity>,
    /// The first finding over the cap: where the summary goes.
    first: Option<Finding>,
    /// Secret values of the dropped findings: still masked in snippets.
    secrets: Vec<std::ops::Range<usize>>,
}

impl<'a> Ctx<'a> {
    /// A context for `file`.
    pub fn new(options: &'a Options, bundle: Option<&'a Bundle>, file: &'a SourceFile) -> Self {
        Self {
            options,
            bundle,
            file,
            bundle_auth: None,
            findings: Vec::new(),
            tally: HashMap::new(),
        }
    }

    /// Records a finding (past [`MAX_PER_CODE`] of its code, only counts it).
    pub fn push(&mut self, finding: Finding) {
        let over = self.tally.entry(finding.code).or_default();
        if over.kept < MAX_PER_CODE {
            over.kept += 1;
            self.findings.push(finding);
            return;
        }
        over.hidden += 1;
        over.severity = over.severity.max(Some(finding.severity));
        if let Some(secret) = &finding.secret {
            over.secrets.push(secret.clone());
        }
        if over.first.is_none() {
            over.first = Some(finding);
        }
    }

    /// Records the finding `make` builds, for a check that may find 10^5
    /// of one code (repeated keys, names or characters): past the cap of
    /// `code` the finding is only counted, and built only when it is the
    /// first one over the cap (which places the summary). For findings
    /// without a secret value, which a dropped finding could not mask.
    pub(crate) fn push_lazy(
        &mut self,
        code: Rule,
        severity: Severity,
        make: impl FnOnce() -> Finding,
    ) {
        let over = self.tally.entry(code.code()).or_default();
        if over.kept < MAX_PER_CODE || over.first.is_none() {
            self.push(make());
            return;
        }
        over.hidden += 1;
        over.severity = over.severity.max(Some(severity));
    }

    /// The findings kept so far.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Moves the findings into `report`, located in this context's file.
    pub fn finish(self, report: &mut Report) {
        for f in self.findings {
            report.push(self.file, f);
        }
        for over in self.tally.into_values() {
            if let (Some(first), Some(severity)) = (over.first, over.severity) {
                report.push_hidden(self.file, over.hidden, first, severity, over.secrets);
            }
        }
    }
}

/// Validates whatever `path` is: a folder, a `.zip` (or any file that
/// starts like one), a `Dockerrun.aws.json` (or any `.json`), a bare
/// `docker-compose.yml`, or a `.config` file. Other archive formats are a
/// finding (R5), not an input error: EB rejects them as source bundles.
///
/// What is not a regular file (a device such as `/dev/zero`, a FIFO) is
/// refused before anything is read; a single file is read only up to what
/// a rule reads ([`MAX_LOADED`]), and a larger one is a finding (R6).
/// A folder gets every rule `build` stops on, the size of the zip it
/// would make included ([`crate::bundle::prepare::check_fits`]).
pub fn validate_path(path: &Path, options: &Options) -> Result<Report, InputError> {
    let meta = std::fs::metadata(path).map_err(|source| InputError::Io {
        path: path.to_owned(),
        source,
    })?;
    let display = path.to_string_lossy().into_owned();
    if meta.is_dir() {
        let set = crate::fileset::walk(path, None)?;
        let bundle = from_fileset(&display, &set)?;
        let mut report = validate_bundle(&bundle, options);
        archive::check_ignored(&bundle, &set, &mut report);
        if !report.fails(false) {
            let limit = crate::bundle::MAX_BUNDLE_BYTES;
            crate::bundle::prepare::check_fits(&bundle, &set, limit, &mut report);
        }
        report.sort();
        return Ok(report);
    }
    if !meta.is_file() {
        return Err(InputError::NotAFile {
            path: path.to_owned(),
        });
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    let text_name = [".json", ".config", ".yml", ".yaml"]
        .iter()
        .any(|e| lower.ends_with(e));
    let head = if text_name {
        Vec::new()
    } else {
        read_head(path)?
    };
    if !archive::is_zip_magic(&head)
        && let Some(kind) = archive::other_archive(&lower, &head)
    {
        let mut report = Report::default();
        report.push_file(&display, archive::not_a_zip(&name, kind));
        return Ok(report);
    }
    if archive::is_zip_magic(&head) || lower.ends_with(".zip") || lower.ends_with(".war") {
        return Ok(match read_zip(path) {
            Ok(bundle) => validate_bundle(&bundle, options),
            Err(InputError::Zip { message, .. }) => {
                let mut report = Report::default();
                report.push_file(&display, archive::unreadable_zip(&message));
                report
            }
            Err(e) => return Err(e),
        });
    }
    let mut report = Report::default();
    let config = lower.ends_with(".config") || lower.ends_with(".yaml") || lower.ends_with(".yml");
    if !lower.ends_with(".json") && !config && name != "docker-compose.yml" {
        return Err(InputError::UnknownKind {
            path: path.to_owned(),
        });
    }
    if meta.len() > MAX_LOADED && name != "docker-compose.yml" {
        report.push_file(
            &display,
            Rule::R6.error(
                format!(
                    "`{name}` is {} bytes; ebpack checks the files EB reads up to {} MiB",
                    meta.len(),
                    MAX_LOADED >> 20
                ),
                "keep configuration files small: move data into the image or S3",
            ),
        );
        return Ok(report);
    }
    let bytes = read_at_most(path, MAX_LOADED)?;
    if lower.ends_with(".json") {
        validate_dockerrun_file(&display, &bytes, options, None, &mut report);
    } else if name == "docker-compose.yml" {
        dockerrun::check_compose_file(&display, options, &mut report);
    } else {
        validate_config_file(&display, &bytes, options, None, &mut report);
    }
    report.sort();
    Ok(report)
}

/// The first bytes of a file, enough to recognise archive formats.
fn read_head(path: &Path) -> Result<Vec<u8>, InputError> {
    read_at_most(path, 512)
}

/// At most `limit` bytes of the file at `path`.
fn read_at_most(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    use std::io::Read;
    let io = |source| InputError::Io {
        path: path.to_owned(),
        source,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(limit)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    Ok(bytes)
}

/// Validates a bundle read from a folder or a zip.
pub fn validate_bundle(bundle: &Bundle, options: &Options) -> Report {
    let mut report = Report::default();
    archive::check(bundle, options, &mut report);
    dockerrun::check_bundle(bundle, options, &mut report);
    // A zip may hold the Dockerrun more than once (R10), and extractors
    // disagree on which copy wins: every copy is checked.
    let copies = bundle
        .entries
        .iter()
        .filter(|e| e.name == dockerrun::FILE_NAME)
        .enumerate()
        .skip(1);
    for (n, e) in copies {
        if let Some(data) = &e.data {
            let display = format!("{} (copy {})", bundle.display_name(&e.name), n + 1);
            validate_dockerrun_file(&display, data, options, Some(bundle), &mut report);
        }
    }
    let auth = ebextensions::BundleAuth::collect(bundle);
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for entry in &bundle.entries {
        if ebextensions::is_config_entry(&entry.name)
            && let Some(data) = &entry.data
        {
            // Every copy of a name a zip repeats (R10) is checked, each
            // under its own name so its findings show its own text.
            let n = seen.entry(&entry.name).or_default();
            *n += 1;
            let mut display = bundle.display_name(&entry.name);
            if *n > 1 {
                display = format!("{display} (copy {n})");
            }
            check_config(&display, data, options, Some((bundle, &auth)), &mut report);
        }
    }
    ebextensions::check_bundle(bundle, options, &mut report);
    platform::check(bundle, options, &mut report);
    report.sort();
    report
}

/// Decodes UTF-8 text, or reports why it is not text.
pub(crate) fn decode<'b>(
    display: &str,
    bytes: &'b [u8],
    code: Rule,
    report: &mut Report,
) -> Option<&'b str> {
    match std::str::from_utf8(bytes) {
        Ok(t) => Some(t),
        Err(e) => {
            report.push_file(
                display,
                code.error(
                    format!(
                        "file is not valid UTF-8 (invalid byte at offset {})",
                        e.valid_up_to()
                    ),
                    "save the file as UTF-8 text",
                ),
            );
            None
        }
    }
}

/// Parses and checks one Dockerrun file.
pub fn validate_dockerrun_file(
    display: &str,
    bytes: &[u8],
    options: &Options,
    bundle: Option<&Bundle>,
    report: &mut Report,
) {
    let Some(text) = decode(display, bytes, Rule::R15, report) else {
        return;
    };
    let file = report.add_source(SourceFile::new(display, text));
    match syntax::json::parse(text) {
        Ok(root) => {
            let mut ctx = Ctx::new(options, bundle, &file);
            dockerrun::check(&root, &mut ctx);
            ctx.finish(report);
        }
        Err(e) => report.push(
            &file,
            Rule::R15.error(format!("invalid JSON: {}", e.message),
                "Dockerrun.aws.json must be strict JSON: no comments, no trailing commas, double-quoted keys",
            )
            .at_span(e.span, ""),
        ),
    }
}

/// Parses and checks one `.ebextensions` config file.
pub fn validate_config_file(
    display: &str,
    bytes: &[u8],
    options: &Options,
    bundle: Option<&Bundle>,
    report: &mut Report,
) {
    // Outside `validate_bundle` no cross-file index exists yet: build it.
    let auth = bundle.map(ebextensions::BundleAuth::collect);
    let in_bundle = bundle.zip(auth.as_ref());
    check_config(display, bytes, options, in_bundle, report);
}

fn check_config(
    display: &str,
    bytes: &[u8],
    options: &Options,
    bundle: Option<(&Bundle, &ebextensions::BundleAuth)>,
    report: &mut Report,
) {
    let Some(text) = decode(display, bytes, Rule::R63, report) else {
        return;
    };
    let file = report.add_source(SourceFile::new(display, text));
    let mut ctx = Ctx::new(options, bundle.map(|(b, _)| b), &file);
    ctx.bundle_auth = bundle.map(|(_, a)| a);
    ebextensions::check_text(text, &mut ctx);
    ctx.finish(report);
}

/// Parses a config file of a bundle into a tree (as YAML or JSON, as EB
/// reads it), for cross-file rules. Files that do not parse yield `None`
/// (their error is reported elsewhere).
pub fn parse_config(bytes: &[u8]) -> Option<Node> {
    ebextensions::read::tree(std::str::from_utf8(bytes).ok()?)
}

/// Severity for an unknown container key under the current options.
pub fn unknown_key_severity(options: &Options) -> Severity {
    if options.allow_unknown_keys {
        Severity::Warning
    } else {
        Severity::Error
    }
}
