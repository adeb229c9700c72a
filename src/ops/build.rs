//! `build` as a command: the pipeline of [`crate::build`] with the inputs a
//! run takes from its environment, progress and warnings reported, and the
//! summary `--output json` prints.

use super::Error;
use crate::build::{self, BuildOptions, BuildOutput};
use crate::cancel::Cancel;
use crate::config::Settings;
use crate::deploy::Reporter;
use crate::label::{self, LabelInputs};
use crate::manifest::Summary;
use serde::Serialize;
use std::path::PathBuf;

/// What a build takes beyond the resolved settings.
#[derive(Debug, Clone, Default)]
pub struct BuildRequest {
    /// `--fix`: convert CRLF hooks to LF in the bundle.
    pub fix: bool,
    /// Compression threads (0: one per core).
    pub threads: usize,
    /// Deflate level (`None`: 6).
    pub level: Option<u32>,
    /// `--from-git`: build from the files committed in `HEAD`.
    pub from_git: bool,
    /// The working folder; paths in messages are shown relative to it.
    pub cwd: PathBuf,
    /// `SOURCE_DATE_EPOCH`, as set.
    pub source_date_epoch: Option<String>,
    /// `CODEBUILD_RESOLVED_SOURCE_VERSION`.
    pub codebuild_source_version: Option<String>,
    /// `CODEBUILD_BUILD_ID`.
    pub codebuild_build_id: Option<String>,
}

impl BuildRequest {
    /// A request whose environment inputs come from `env` (the process
    /// environment in the binary).
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>, cwd: PathBuf) -> Self {
        Self {
            cwd,
            source_date_epoch: env("SOURCE_DATE_EPOCH"),
            codebuild_source_version: env("CODEBUILD_RESOLVED_SOURCE_VERSION"),
            codebuild_build_id: env("CODEBUILD_BUILD_ID"),
            ..Self::default()
        }
    }
}

/// `ebpack build --output json`: the manifest without its entries, and
/// where the files went.
#[derive(Debug, Clone, Serialize)]
pub struct BuildSummary {
    /// The manifest's summary.
    #[serde(flatten)]
    pub summary: Summary,
    /// The zip.
    pub path: String,
    /// The manifest file.
    #[serde(rename = "manifest")]
    pub manifest_path: String,
    /// `version.json`.
    pub version_file: String,
}

impl From<&BuildOutput> for BuildSummary {
    fn from(out: &BuildOutput) -> Self {
        Self {
            summary: out.manifest.summary.clone(),
            path: out.zip_path.display().to_string(),
            manifest_path: out.manifest_path.display().to_string(),
            version_file: out.version_path.display().to_string(),
        }
    }
}

/// Builds the bundle of `settings`; reports progress, then the warnings
/// and what was written.
pub fn build(
    settings: &Settings,
    req: &BuildRequest,
    reporter: &dyn Reporter,
    cancel: &Cancel,
) -> Result<BuildOutput, Error> {
    let source_date_epoch = match req
        .source_date_epoch
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        None => None,
        Some(s) => Some(s.trim().parse::<i64>().map_err(|_| {
            Error::Usage(format!(
                "`SOURCE_DATE_EPOCH`: `{s}` is not a number of seconds"
            ))
        })?),
    };
    let mut label_inputs = LabelInputs {
        given: settings.label.clone(),
        codebuild_source_version: req.codebuild_source_version.clone(),
        codebuild_build_id: req.codebuild_build_id.clone(),
        git_short_sha: None,
    };
    if matches!(label::early(&label_inputs), Ok(None)) {
        label_inputs.git_short_sha = label::git_short_sha(&settings.project_dir);
    }
    let display = settings
        .bundle_dir
        .strip_prefix(&req.cwd)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| settings.bundle_dir.display().to_string());
    let opts = BuildOptions {
        label: label_inputs,
        source_date_epoch,
        fix: req.fix,
        threads: req.threads,
        level: req.level,
        cancel: Some(cancel.clone()),
        display: Some(if display.is_empty() {
            ".".into()
        } else {
            display
        }),
        max_size: None,
        from_git: req.from_git,
    };
    let started = std::time::Instant::now();
    let out = build::build(settings, &opts, &mut |line| reporter.line(line))?;
    // A signal that came while the outputs were put in place (they are
    // complete: the build does not stop halfway through them).
    if cancel.is_cancelled() {
        return Err(Error::Interrupted(super::Interruption::Built {
            zip: out.zip_path,
        }));
    }
    if !out.warnings.diagnostics.is_empty() {
        reporter.findings(&out.warnings);
    }
    let s = &out.manifest.summary;
    tracing::info!(
        label = %s.label,
        sha256 = %s.sha256,
        bytes = s.size,
        ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "bundle built"
    );
    let shown = out
        .zip_path
        .strip_prefix(&req.cwd)
        .unwrap_or(&out.zip_path)
        .display();
    reporter.line(&format!(
        "built {shown} ({}, {} entries)\n        label  {}\n        sha256 {}",
        crate::bundle::human_size(s.size),
        s.entry_count,
        s.label,
        s.sha256
    ));
    Ok(out)
}
