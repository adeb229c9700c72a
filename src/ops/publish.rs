//! `publish` as a command: a bundle made ready (built now, or a zip built
//! earlier and checked like `validate` would), then uploaded and registered
//! by [`crate::deploy::publish`].

use super::build::{self, BuildRequest};
use super::{Error, connect, interrupted_or, runtime};
use crate::aws::AwsSettings;
use crate::cancel::Cancel;
use crate::config::{Origin, Settings};
use crate::deploy::poll::PollSettings;
use crate::deploy::publish::{self as steps, Provenance, Published};
use crate::deploy::{Beanstalk, Reporter, Store};
use crate::validate::InputError;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where the bundle comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// Build it now.
    Build(BuildRequest),
    /// A zip built earlier (`--bundle`).
    Zip(PathBuf),
}

/// What to publish and how.
#[derive(Debug, Clone)]
pub struct PublishRequest {
    /// The bundle.
    pub source: Source,
    /// A bucket to use instead of Elastic Beanstalk's own.
    pub bucket: Option<String>,
    /// Ask Elastic Beanstalk to process the version and wait for it.
    pub process: bool,
    /// Create the application when it does not exist.
    pub create_app: bool,
}

/// A bundle ready to publish.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Application.
    pub app: String,
    /// Label.
    pub label: String,
    /// The zip.
    pub zip: PathBuf,
    /// Its sha256.
    pub sha256: String,
    /// Its size.
    pub size: u64,
    /// Seconds spent building (0 for a zip built earlier).
    pub build_seconds: f64,
}

/// Seconds per step of `publish`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PublishDurations {
    /// Building.
    #[serde(serialize_with = "crate::deploy::round_ms")]
    pub build: f64,
    /// Uploading.
    #[serde(serialize_with = "crate::deploy::round_ms")]
    pub upload: f64,
}

/// `ebpack publish --output json` (and its `$GITHUB_OUTPUT`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishSummary {
    /// Application.
    pub application: String,
    /// Label.
    pub label: String,
    /// sha256 of the bundle.
    pub sha256: String,
    /// Created or reused.
    pub version: Provenance,
    /// Bucket.
    pub bucket: String,
    /// Key.
    pub key: String,
    /// True when bytes were uploaded by this run.
    pub uploaded: bool,
    /// Seconds per step.
    pub durations: PublishDurations,
}

impl PublishSummary {
    fn new(p: Published, build_seconds: f64) -> Self {
        Self {
            application: p.app,
            label: p.label,
            sha256: p.sha256,
            version: p.version,
            bucket: p.bucket,
            key: p.key,
            uploaded: p.uploaded,
            durations: PublishDurations {
                build: build_seconds,
                upload: p.upload_seconds,
            },
        }
    }
}

/// Publishes: prepares the bundle, connects, uploads and registers it.
pub fn publish(
    settings: &Settings,
    req: &PublishRequest,
    aws: &AwsSettings,
    reporter: &dyn Reporter,
    cancel: &Cancel,
) -> Result<PublishSummary, Error> {
    let ready = prepare(settings, &req.source, reporter, cancel)?;
    runtime()?.block_on(async {
        let clients = connect(aws, cancel).await?;
        upload(&clients.eb, &clients.s3, &ready, req, reporter, cancel)
            .await
            .map_err(|e| super::in_region(e, &clients.region))
    })
}

/// Uploads and registers a prepared bundle.
pub(crate) async fn upload<B: Beanstalk, S: Store>(
    eb: &B,
    s3: &S,
    ready: &Prepared,
    req: &PublishRequest,
    reporter: &dyn Reporter,
    cancel: &Cancel,
) -> Result<PublishSummary, Error> {
    let steps_req = steps::PublishRequest {
        app: ready.app.clone(),
        label: ready.label.clone(),
        zip: ready.zip.clone(),
        sha256: ready.sha256.clone(),
        size: ready.size,
        bucket: req.bucket.clone(),
        process: req.process,
        create_app: req.create_app,
        process_timeout: Duration::from_secs(600),
        poll: PollSettings::default(),
    };
    let published = steps::publish_until(eb, s3, &steps_req, reporter, cancel)
        .await
        .map_err(|e| interrupted_or(e.into(), cancel))?;
    Ok(PublishSummary::new(published, ready.build_seconds))
}

/// Builds, or reads and checks a zip built earlier.
pub fn prepare(
    settings: &Settings,
    source: &Source,
    reporter: &dyn Reporter,
    cancel: &Cancel,
) -> Result<Prepared, Error> {
    let started = Instant::now();
    match source {
        Source::Build(req) => {
            let out = build::build(settings, req, reporter, cancel)?;
            let s = out.manifest.summary;
            Ok(Prepared {
                app: s.app,
                label: s.label,
                zip: out.zip_path,
                sha256: s.sha256,
                size: s.size,
                build_seconds: started.elapsed().as_secs_f64(),
            })
        }
        Source::Zip(zip) => {
            check_zip(zip, settings, reporter)?;
            existing_zip(zip, settings)
        }
    }
}

/// Validates a `--bundle` zip as `ebpack validate ZIP` would: a zip built
/// elsewhere, or edited since, gets the same checks as a build before it
/// reaches Elastic Beanstalk. Errors stop the publish; warnings are reported.
fn check_zip(zip: &Path, settings: &Settings, reporter: &dyn Reporter) -> Result<(), Error> {
    let options = crate::validate::Options {
        platform: settings.platform,
        allow_unknown_keys: false,
    };
    let bundle = crate::validate::read_zip(zip).map_err(|e| match e {
        InputError::Zip { .. } => Error::NotAZip(e),
        e => Error::Read(e),
    })?;
    let report = crate::validate::validate_bundle(&bundle, &options);
    if report.fails(false) {
        return Err(Error::BundleHasErrors {
            zip: zip.to_owned(),
            report,
        });
    }
    if !report.diagnostics.is_empty() {
        reporter.findings(&report);
    }
    Ok(())
}

/// A zip built earlier: its digest, and the label and application from
/// flags or the manifest beside it.
fn existing_zip(zip: &Path, settings: &Settings) -> Result<Prepared, Error> {
    let (sha256, size) = crate::bundle::inspect::sha256_file(zip)
        .map_err(|e| Error::Usage(format!("cannot read `{}`: {e}", zip.display())))?;
    let recorded = crate::manifest::read_beside(zip).unwrap_or_default();
    if let Some(r) = &recorded.sha256
        && *r != sha256
    {
        return Err(Error::Usage(format!(
            "`{}` does not match its manifest: sha256 `{sha256}`, the manifest says `{r}`",
            zip.display()
        )));
    }
    let label = settings
        .label
        .clone()
        .or(recorded.label)
        .ok_or_else(|| {
            Error::Usage(format!(
                "no label for `{}`: pass `--label`, or keep the manifest `ebpack build` wrote beside it",
                zip.display()
            ))
        })?;
    crate::label::validate(&label).map_err(|e| Error::Usage(format!("label `{label}`: {e}")))?;
    let app = recorded
        .app
        .filter(|_| settings.origins.app == Origin::Default)
        .unwrap_or_else(|| settings.app.clone());
    Ok(Prepared {
        app,
        label,
        zip: zip.to_owned(),
        sha256,
        size,
        build_seconds: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::fake::{Fake, Script};
    use crate::deploy::ports::{AwsError, ObjectInfo, Progress};
    use crate::deploy::publish::Stopped;
    use crate::deploy::{Silent, Store};
    use crate::ops::Interruption;

    /// The fake's store, cancelling the run once an upload has finished:
    /// the signal that comes between the upload and the version.
    struct CancelAfterUpload<'a>(&'a Fake, Cancel);

    impl Store for CancelAfterUpload<'_> {
        async fn check_bucket(&self, bucket: &str) -> Result<(), AwsError> {
            self.0.check_bucket(bucket).await
        }
        async fn head_object(
            &self,
            bucket: &str,
            key: &str,
        ) -> Result<Option<ObjectInfo>, AwsError> {
            self.0.head_object(bucket, key).await
        }
        async fn delete_object(&self, bucket: &str, key: &str) -> Result<(), AwsError> {
            self.0.delete_object(bucket, key).await
        }
        async fn download(
            &self,
            bucket: &str,
            key: &str,
            to: &Path,
            max_bytes: u64,
        ) -> Result<u64, AwsError> {
            self.0.download(bucket, key, to, max_bytes).await
        }
        async fn upload(
            &self,
            bucket: &str,
            key: &str,
            path: &Path,
            sha256: &str,
            progress: Progress<'_>,
        ) -> Result<(), AwsError> {
            let r = self.0.upload(bucket, key, path, sha256, progress).await;
            self.1.cancel();
            r
        }
    }

    fn ready(zip: &Path) -> (Prepared, PublishRequest) {
        let ready = Prepared {
            app: "todobackend".into(),
            label: "v1".into(),
            zip: zip.to_owned(),
            sha256: "a".repeat(64),
            size: 3,
            build_seconds: 0.0,
        };
        let req = PublishRequest {
            source: Source::Zip(zip.to_owned()),
            bucket: None,
            process: false,
            create_app: false,
        };
        (ready, req)
    }

    #[tokio::test]
    async fn a_cancel_stops_before_the_next_step_and_says_how_far_it_got() {
        let zip = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(zip.path(), b"zip").unwrap();
        let (ready, req) = ready(zip.path());

        let fake = Fake::new(Script::default(), "todobackend", None);
        let cancel = Cancel::new();
        cancel.cancel();
        let e = upload(&fake, &fake, &ready, &req, &Silent, &cancel)
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::Interrupted(Interruption::Publish(Stopped::BeforeUpload))
            ),
            "{e:?}"
        );
        assert!(fake.state.lock().unwrap().objects.is_empty());

        let fake = Fake::new(Script::default(), "todobackend", None);
        let cancel = Cancel::new();
        let store = CancelAfterUpload(&fake, cancel.clone());
        let e = upload(&fake, &store, &ready, &req, &Silent, &cancel)
            .await
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "interrupted after the upload; s3://elasticbeanstalk-us-east-1-123456789012/todobackend/v1.zip holds the bundle, but no application version was created (publishing this bundle again reuses the object)"
        );
        let state = fake.state.lock().unwrap();
        assert_eq!(state.objects.len(), 1);
        assert!(state.versions.is_empty(), "no version");
    }

    #[tokio::test]
    async fn upload_registers_the_version_and_sums_up_in_json_order() {
        let fake = Fake::new(Script::default(), "todobackend", None);
        let zip = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(zip.path(), b"zip").unwrap();
        let ready = Prepared {
            app: "todobackend".into(),
            label: "v1".into(),
            zip: zip.path().to_owned(),
            sha256: "a".repeat(64),
            size: 3,
            build_seconds: 1.5,
        };
        let req = PublishRequest {
            source: Source::Zip(zip.path().to_owned()),
            bucket: None,
            process: false,
            create_app: false,
        };
        let s = upload(&fake, &fake, &ready, &req, &Silent, &Cancel::new())
            .await
            .unwrap();
        assert_eq!(s.version, Provenance::Created);
        assert!(s.uploaded);
        assert_eq!(s.durations.build, 1.5);
        assert_eq!(s.key, "todobackend/v1.zip");
        let v = serde_json::to_value(&s).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "application",
                "label",
                "sha256",
                "version",
                "bucket",
                "key",
                "uploaded",
                "durations"
            ]
        );
    }
}
