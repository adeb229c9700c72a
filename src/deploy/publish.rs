//! `ebpack publish`: put a built bundle in S3 and register it as an
//! application version — idempotently, and never reusing a label whose
//! content differs.
//!
//! Two pipelines may publish one label at once. No object a version may
//! point at is ever replaced: uploads are conditional writes, and when the
//! label's key (`<app>/<label>.zip`) already holds other bytes the bundle
//! goes to a key of its own (`<app>/<label>-<sha256 prefix>.zip`). The
//! loser of `CreateApplicationVersion` then finds the winner's version and
//! fails with a label conflict, and a reused version is trusted only after
//! the object it points at shows the digest its description records.
//!
//! A cancelled publish ([`publish_until`]) stops at the next step boundary
//! and says how far it got ([`Stopped`]): nothing uploaded, an upload
//! stopped (its multipart upload aborted), a bundle in S3 that no version
//! points at, or a version created. A call to AWS already under way is let
//! answer, so what it did is known rather than guessed.

use super::Reporter;
use super::poll::{PollSettings, Poller};
use super::ports::{AwsError, Beanstalk, ErrorKind, NewVersion, Store, VersionInfo};
use crate::cancel::Cancel;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What to publish.
#[derive(Debug, Clone)]
pub struct PublishRequest {
    /// Application name.
    pub app: String,
    /// Version label.
    pub label: String,
    /// The built zip.
    pub zip: PathBuf,
    /// Its sha256 (lowercase hex).
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// A bucket to use instead of EB's storage location.
    pub bucket: Option<String>,
    /// Ask EB to process (validate) the version and wait for the result.
    pub process: bool,
    /// Create the application when it does not exist.
    pub create_app: bool,
    /// How long `process` may take.
    pub process_timeout: Duration,
    /// Polling bounds for `process`.
    pub poll: PollSettings,
}

/// Whether the version was made now or found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provenance {
    /// Created by this run.
    Created,
    /// Already existed with the same sha256.
    Reused,
}

/// The outcome of a publish.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Published {
    /// Application.
    pub app: String,
    /// Label.
    pub label: String,
    /// sha256 of the bundle.
    pub sha256: String,
    /// Bucket.
    pub bucket: String,
    /// Key.
    pub key: String,
    /// Created or reused.
    pub version: Provenance,
    /// True when bytes were uploaded by this run.
    pub uploaded: bool,
    /// Seconds spent uploading.
    #[serde(serialize_with = "crate::deploy::round_ms")]
    pub upload_seconds: f64,
}

/// How far a cancelled publish got.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Stopped {
    /// Before any byte was uploaded.
    #[error(
        "interrupted before uploading; nothing was uploaded and no application version was created"
    )]
    BeforeUpload,
    /// During the upload.
    #[error(
        "interrupted while uploading to s3://{bucket}/{key} ({operation}): {outcome}; no application version was created"
    )]
    Upload {
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
        /// The S3 call under way.
        operation: &'static str,
        /// What became of the upload (its multipart upload aborted, …).
        outcome: String,
    },
    /// The bundle is in S3; no version points at it.
    #[error(
        "interrupted after the upload; s3://{bucket}/{key} holds the bundle, but no application version was created (publishing this bundle again reuses the object)"
    )]
    Uploaded {
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
    },
    /// The version exists.
    #[error(
        "interrupted after application version `{label}` was created (s3://{bucket}/{key}){}",
        if *processing { "; elastic beanstalk goes on processing it" } else { "" }
    )]
    Created {
        /// Label.
        label: String,
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
        /// Elastic Beanstalk was processing it when ebpack stopped waiting.
        processing: bool,
    },
}

/// Why a publish failed.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// Cancelled; how far it got.
    #[error(transparent)]
    Interrupted(Stopped),
    /// An AWS call failed.
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// The label exists with other content.
    #[error(
        "application version `{label}` already exists with different content: it has sha256 `{existing}`, this bundle has `{new}`"
    )]
    LabelConflict {
        /// Label.
        label: String,
        /// The existing version's digest.
        existing: String,
        /// This bundle's digest.
        new: String,
    },
    /// The version records one digest, its object holds other bytes (or is gone).
    #[error(
        "application version `{label}` records sha256 `{recorded}`, but its bundle s3://{bucket}/{key} {found}"
    )]
    VersionMismatch {
        /// Label.
        label: String,
        /// The digest in the version's description.
        recorded: String,
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
        /// What the object holds (`holds sha256 \`…\``, `is missing`).
        found: String,
    },
    /// Both keys of the label hold other bytes.
    #[error(
        "s3://{bucket}/{key} and the label's other key already hold other bundles; ebpack never replaces an object a version may point at"
    )]
    KeyTaken {
        /// Bucket.
        bucket: String,
        /// The label's key.
        key: String,
    },
    /// The label exists but ebpack cannot tell what it holds.
    #[error(
        "application version `{label}` already exists but was not published by ebpack (no sha256 in its description or object metadata), so its content cannot be verified"
    )]
    Unverifiable {
        /// Label.
        label: String,
    },
    /// The application does not exist.
    #[error("application `{app}` does not exist")]
    NoApplication {
        /// Application.
        app: String,
        /// A close match or the applications that exist ([`super::suggest`]).
        hint: Option<String>,
    },
    /// EB processed the version and rejected it.
    #[error(
        "elastic beanstalk rejected application version `{label}` while processing it (status `{status}`)"
    )]
    ProcessingFailed {
        /// Label.
        label: String,
        /// Status.
        status: String,
    },
    /// Processing did not finish in time.
    #[error("application version `{label}` was still `{status}` after {seconds} s")]
    ProcessingTimeout {
        /// Application.
        app: String,
        /// Label.
        label: String,
        /// Last status.
        status: String,
        /// Seconds waited.
        seconds: u64,
        /// The region, for the command the help prints (set by the caller
        /// that knows it).
        region: Option<String>,
    },
}

impl PublishError {
    /// One line on what to do about it.
    pub fn help(&self) -> Option<String> {
        Some(match self {
            PublishError::VersionMismatch { .. } => {
                "the object was replaced outside ebpack (or by a tool that overwrites): do not deploy this label; publish the bundle under a new `--label`".into()
            }
            PublishError::KeyTaken { .. } => {
                "another pipeline may be publishing this label right now; use a new `--label`, or delete the leftover objects if no version points at them".into()
            }
            PublishError::LabelConflict { .. } | PublishError::Unverifiable { .. } => {
                "use a new `--label` (labels are immutable in Elastic Beanstalk), or deploy the existing one with `--version`".into()
            }
            PublishError::NoApplication { hint: Some(h), app } => {
                format!("{h}; to create `{app}`, pass `--create-app`")
            }
            PublishError::NoApplication { hint: None, .. } => {
                "create it in the console, or pass `--create-app`".into()
            }
            PublishError::ProcessingFailed { .. } => {
                "run `ebpack validate` on the bundle and check the application version's events".into()
            }
            PublishError::ProcessingTimeout {
                app, label, region, ..
            } => format!(
                "the version may still be processed; follow it with `aws elasticbeanstalk describe-application-versions --application-name {app} --version-labels {label}{}`",
                region
                    .as_deref()
                    .map(|r| format!(" --region {r}"))
                    .unwrap_or_default()
            ),
            PublishError::Aws(e) => return e.help(),
            PublishError::Interrupted(_) => return None,
        })
    }
}

/// The S3 key of a label: the EB CLI's layout, `<app>/<label>.zip`.
pub fn s3_key(app: &str, label: &str) -> String {
    format!("{app}/{label}.zip")
}

/// The key a bundle takes when its label's key holds other bytes:
/// `<app>/<label>-<first 16 hex digits of its sha256>.zip`.
pub fn s3_key_of_content(app: &str, label: &str, sha256: &str) -> String {
    let prefix = sha256.get(..16).unwrap_or(sha256);
    format!("{app}/{label}-{prefix}.zip")
}

/// The version description ebpack writes: the digest first, so it can be
/// verified later; within the API's 200 characters.
pub fn description(sha256: &str, size: u64) -> String {
    let mut d = format!(
        "sha256:{sha256} size:{size} by ebpack {}",
        env!("CARGO_PKG_VERSION")
    );
    d.truncate(200);
    d
}

/// The digest recorded in a description, if any.
pub fn digest_in(description: &str) -> Option<&str> {
    let rest = &description[description.find("sha256:")? + 7..];
    let hex = rest.get(..64)?;
    hex.bytes().all(|b| b.is_ascii_hexdigit()).then_some(hex)
}

/// Publishes the bundle. See the module docs.
pub async fn publish<B: Beanstalk, S: Store>(
    eb: &B,
    s3: &S,
    req: &PublishRequest,
    reporter: &dyn Reporter,
) -> Result<Published, PublishError> {
    publish_until(eb, s3, req, reporter, &Cancel::new()).await
}

/// [`publish`], stopping at the next step once `cancel` is cancelled (the
/// store stops an upload itself: it has the same token).
pub async fn publish_until<B: Beanstalk, S: Store>(
    eb: &B,
    s3: &S,
    req: &PublishRequest,
    reporter: &dyn Reporter,
    cancel: &Cancel,
) -> Result<Published, PublishError> {
    let stop = |s: Stopped| Err(PublishError::Interrupted(s));
    if let Some(existing) = eb.describe_version(&req.app, &req.label).await? {
        let digest = match digest_in(&existing.description) {
            Some(d) => Some(d.to_owned()),
            None => s3
                .head_object(&existing.bucket, &existing.key)
                .await
                .ok()
                .flatten()
                .and_then(|o| o.sha256),
        };
        return match digest {
            Some(d) if d.eq_ignore_ascii_case(&req.sha256) => {
                verify_object(s3, &existing, &d).await?;
                reporter.line(&format!(
                    "version `{}` already exists with the same sha256; reusing it (nothing uploaded)",
                    req.label
                ));
                Ok(Published {
                    app: req.app.clone(),
                    label: req.label.clone(),
                    sha256: req.sha256.clone(),
                    bucket: existing.bucket,
                    key: existing.key,
                    version: super::publish::Provenance::Reused,
                    uploaded: false,
                    upload_seconds: 0.0,
                })
            }
            Some(d) => Err(PublishError::LabelConflict {
                label: req.label.clone(),
                existing: d,
                new: req.sha256.clone(),
            }),
            None => Err(PublishError::Unverifiable {
                label: req.label.clone(),
            }),
        };
    }

    // Before anything is uploaded: a missing application would otherwise
    // only be found by CreateApplicationVersion, leaving an orphan object.
    if !req.create_app && !eb.application_exists(&req.app).await? {
        return Err(PublishError::NoApplication {
            app: req.app.clone(),
            hint: super::suggest::missing_application(eb, &req.app).await,
        });
    }

    let bucket = match &req.bucket {
        Some(b) => {
            s3.check_bucket(b).await?;
            b.clone()
        }
        None => eb.storage_location().await?,
    };

    if cancel.is_cancelled() {
        return stop(Stopped::BeforeUpload);
    }
    let started = Instant::now();
    let mut trying = s3_key(&req.app, &req.label);
    let (key, uploaded) = match place(s3, &bucket, req, reporter, &mut trying).await {
        Ok(placed) => placed,
        Err(PublishError::Aws(e)) if cancel.is_cancelled() => {
            return stop(Stopped::Upload {
                bucket,
                key: trying,
                operation: e.operation,
                outcome: e
                    .message
                    .strip_prefix("interrupted; ")
                    .unwrap_or(&e.message)
                    .to_owned(),
            });
        }
        Err(e) => return Err(e),
    };
    let upload_seconds = started.elapsed().as_secs_f64();
    if cancel.is_cancelled() {
        return stop(Stopped::Uploaded { bucket, key });
    }

    let new = NewVersion {
        app: req.app.clone(),
        label: req.label.clone(),
        description: description(&req.sha256, req.size),
        bucket: bucket.clone(),
        key: key.clone(),
        process: req.process,
        create_app: req.create_app,
    };
    let created = match eb.create_version(&new).await {
        Ok(v) => v,
        Err(e) if e.kind == ErrorKind::AlreadyExists => {
            // Another run created it between our check and now: verify it.
            let again = Box::pin(publish_until(eb, s3, req, reporter, cancel)).await;
            if uploaded && matches!(again, Err(PublishError::LabelConflict { .. })) {
                // The label went to other bytes: what this run uploaded is
                // pointed at by nothing.
                match s3.delete_object(&bucket, &key).await {
                    Ok(()) => reporter.line(&format!(
                        "removed s3://{bucket}/{key}, uploaded by this run: the label belongs to another bundle"
                    )),
                    Err(e) => reporter.line(&format!(
                        "warning: could not remove s3://{bucket}/{key}, uploaded by this run and used by no version: {e}"
                    )),
                }
            }
            return again;
        }
        Err(e) if e.kind == ErrorKind::NotFound && !req.create_app => {
            return Err(PublishError::NoApplication {
                app: req.app.clone(),
                hint: super::suggest::missing_application(eb, &req.app).await,
            });
        }
        Err(e) => return Err(e.into()),
    };
    reporter.line(&format!("created application version `{}`", req.label));
    let created_stop = |processing| {
        stop(Stopped::Created {
            label: req.label.clone(),
            bucket: bucket.clone(),
            key: key.clone(),
            processing,
        })
    };
    if cancel.is_cancelled() {
        return created_stop(req.process);
    }
    if req.process {
        tokio::select! {
            r = wait_processed(eb, req, created, reporter) => r?,
            () = cancel.cancelled() => return created_stop(true),
        }
    }
    Ok(Published {
        app: req.app.clone(),
        label: req.label.clone(),
        sha256: req.sha256.clone(),
        bucket,
        key,
        version: Provenance::Created,
        uploaded,
        upload_seconds,
    })
}

/// Puts the bundle under the label's key, or under its content key when
/// the label's key holds other bytes; returns the key and whether this run
/// uploaded (`trying` is the key being looked at or written, for a caller
/// whose upload stopped). Never replaces an object: a conditional write
/// that loses to another run looks at what won.
async fn place<S: Store>(
    s3: &S,
    bucket: &str,
    req: &PublishRequest,
    reporter: &dyn Reporter,
    trying: &mut String,
) -> Result<(String, bool), PublishError> {
    let label_key = s3_key(&req.app, &req.label);
    let same = |o: &Option<super::ports::ObjectInfo>| {
        o.as_ref()
            .and_then(|o| o.sha256.as_deref())
            .is_some_and(|d| d.eq_ignore_ascii_case(&req.sha256))
    };
    for key in [
        label_key.clone(),
        s3_key_of_content(&req.app, &req.label, &req.sha256),
    ] {
        trying.clone_from(&key);
        let found = s3.head_object(bucket, &key).await?;
        if same(&found) {
            reporter.line(&format!(
                "s3://{bucket}/{key} already holds this bundle; not uploading it again"
            ));
            return Ok((key, false));
        }
        if found.is_some() {
            reporter.line(&format!(
                "s3://{bucket}/{key} holds another bundle; it is left as it is"
            ));
            continue;
        }
        reporter.line(&format!(
            "uploading {} to s3://{bucket}/{key}",
            crate::bundle::human_size(req.size)
        ));
        let total = req.size;
        let progress = move |sent: u64| reporter.upload_progress(sent, total);
        let started = Instant::now();
        match s3
            .upload(bucket, &key, &req.zip, &req.sha256, &progress)
            .await
        {
            Ok(()) => {
                let secs = started.elapsed().as_secs_f64();
                let rate = req.size as f64 / secs.max(0.001) / 1_000_000.0;
                reporter.line(&format!(
                    "uploaded {} in {secs:.1} s ({rate:.1} MB/s)",
                    crate::bundle::human_size(req.size)
                ));
                return Ok((key, true));
            }
            // Another run wrote the key between our look and our write.
            Err(e) if e.kind == ErrorKind::AlreadyExists => {
                if same(&s3.head_object(bucket, &key).await?) {
                    reporter.line(&format!(
                        "another run uploaded this same bundle to s3://{bucket}/{key}"
                    ));
                    return Ok((key, false));
                }
                reporter.line(&format!(
                    "another run uploaded another bundle to s3://{bucket}/{key} first"
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(PublishError::KeyTaken {
        bucket: bucket.to_owned(),
        key: label_key,
    })
}

/// A version is reused only when the object it points at holds the bytes
/// its description records (the sha256 metadata ebpack writes with it).
pub async fn verify_object<S: Store>(
    s3: &S,
    version: &VersionInfo,
    recorded: &str,
) -> Result<(), PublishError> {
    let found = match s3.head_object(&version.bucket, &version.key).await? {
        Some(o) => match o.sha256 {
            Some(d) if d.eq_ignore_ascii_case(recorded) => return Ok(()),
            Some(d) => format!("holds sha256 `{d}`"),
            None => "carries no sha256 to check it by".to_owned(),
        },
        None => "is missing".to_owned(),
    };
    Err(PublishError::VersionMismatch {
        label: version.label.clone(),
        recorded: recorded.to_owned(),
        bucket: version.bucket.clone(),
        key: version.key.clone(),
        found,
    })
}

async fn wait_processed<B: Beanstalk>(
    eb: &B,
    req: &PublishRequest,
    mut version: VersionInfo,
    reporter: &dyn Reporter,
) -> Result<(), PublishError> {
    let started = tokio::time::Instant::now();
    let mut poller = Poller::new(req.poll);
    loop {
        let status = version.status.to_ascii_uppercase();
        match status.as_str() {
            "PROCESSED" => {
                reporter.line(&format!("version `{}` processed", req.label));
                return Ok(());
            }
            "FAILED" => {
                return Err(PublishError::ProcessingFailed {
                    label: req.label.clone(),
                    status: version.status,
                });
            }
            _ => {}
        }
        if started.elapsed() >= req.process_timeout {
            return Err(PublishError::ProcessingTimeout {
                app: req.app.clone(),
                label: req.label.clone(),
                status: version.status,
                seconds: req.process_timeout.as_secs(),
                region: None,
            });
        }
        tokio::time::sleep(poller.next_interval()).await;
        match eb.describe_version(&req.app, &req.label).await {
            Ok(Some(v)) => version = v,
            Ok(None) => {
                return Err(PublishError::ProcessingFailed {
                    label: req.label.clone(),
                    status: "deleted".into(),
                });
            }
            Err(e) if e.kind == ErrorKind::Transient => {}
            Err(e) => return Err(e.into()),
        }
    }
}
