//! `ebpack plan`: what deploying a bundle (built from a folder, or a version
//! already published) to an environment would change, before anything is
//! touched in AWS: the running version's bundle is read from S3 and compared
//! with the new one ([`crate::plan`]).

use super::publish::{Source, prepare};
use super::status::{environment_name, find_environment};
use super::{Error, connect, runtime};
use crate::aws::AwsSettings;
use crate::cancel::Cancel;
use crate::config::Settings;
use crate::deploy::Reporter;
use crate::deploy::ports::{Beanstalk, Store, VersionInfo};
use crate::deploy::publish::digest_in;
use crate::plan::Diff;
use serde::Serialize;
use std::path::Path;

/// Bundles larger than EB's limit are not read.
const MAX_BUNDLE: u64 = 524_288_000;

/// What to compare with what the environment runs.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    /// The environment (`None`: the configured one).
    pub environment: Option<String>,
    /// A published version, instead of building.
    pub version: Option<String>,
    /// What to build when `version` is `None`.
    pub source: Source,
}

/// One side of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// Its label (`null` for a build without one).
    pub label: Option<String>,
    /// Its sha256, when known.
    pub sha256: Option<String>,
}

/// `ebpack plan --output json`.
#[derive(Debug, Clone, Serialize)]
pub struct PlanReport {
    /// Application.
    pub application: String,
    /// Environment.
    pub environment: String,
    /// What it runs now.
    pub running: Side,
    /// What would be deployed.
    pub new: Side,
    /// True when something differs.
    pub changes: bool,
    /// What differs.
    pub diff: Diff,
}

/// Fetches a version's bundle into `to`.
async fn fetch<B: Beanstalk, S: Store>(
    eb: &B,
    s3: &S,
    app: &str,
    label: &str,
    to: &Path,
) -> Result<VersionInfo, Error> {
    let Some(v) = eb.describe_version(app, label).await? else {
        return Err(Error::NoVersion {
            app: app.to_owned(),
            label: label.to_owned(),
        });
    };
    s3.download(&v.bucket, &v.key, to, MAX_BUNDLE).await?;
    Ok(v)
}

/// `ebpack plan`.
pub fn plan(
    settings: &Settings,
    req: &PlanRequest,
    aws: &AwsSettings,
    reporter: &dyn Reporter,
    cancel: &Cancel,
) -> Result<PlanReport, Error> {
    let environment = environment_name(settings, req.environment.as_deref())?;
    let built = match &req.version {
        Some(_) => None,
        None => Some(prepare(settings, &req.source, reporter, cancel)?),
    };
    let dir = tempfile::tempdir()
        .map_err(|e| Error::Io(format!("cannot make a temporary folder: {e}")))?;
    runtime()?.block_on(async {
        let clients = connect(aws, cancel).await?;
        let (eb, s3) = (&clients.eb, &clients.s3);
        let app = &settings.app;
        let env = find_environment(eb, app, &environment).await?;
        let old_zip = dir.path().join("running.zip");
        let running = match &env.version_label {
            Some(label) => {
                let v = fetch(eb, s3, app, label, &old_zip).await?;
                Side {
                    label: Some(label.clone()),
                    sha256: digest_in(&v.description).map(str::to_owned),
                }
            }
            None => {
                // The sample application: everything is new.
                empty_zip(&old_zip)?;
                Side {
                    label: None,
                    sha256: None,
                }
            }
        };
        reporter.line(&format!(
            "`{}` runs `{}`",
            env.name,
            running.label.as_deref().unwrap_or("no version")
        ));
        let (new_zip, new) = match (&req.version, &built) {
            (Some(label), _) => {
                let to = dir.path().join("new.zip");
                let v = fetch(eb, s3, app, label, &to).await?;
                (
                    to,
                    Side {
                        label: Some(label.clone()),
                        sha256: digest_in(&v.description).map(str::to_owned),
                    },
                )
            }
            (None, Some(p)) => (
                p.zip.clone(),
                Side {
                    label: Some(p.label.clone()),
                    sha256: Some(p.sha256.clone()),
                },
            ),
            (None, None) => {
                return Err(Error::Usage(
                    "nothing to compare: give a bundle folder or `--version`".into(),
                ));
            }
        };
        let diff = crate::plan::diff(&old_zip, &new_zip).map_err(Error::Io)?;
        Ok(PlanReport {
            application: app.clone(),
            environment: env.name,
            changes: !diff.is_empty(),
            running,
            new,
            diff,
        })
    })
}

/// A zip with no entries (what the sample application is compared as).
fn empty_zip(path: &Path) -> Result<(), Error> {
    let file = std::fs::File::create(path)
        .map_err(|e| Error::Io(format!("cannot write `{}`: {e}", path.display())))?;
    zip::ZipWriter::new(file)
        .finish()
        .map_err(|e| Error::Io(format!("cannot write `{}`: {e}", path.display())))?;
    Ok(())
}
