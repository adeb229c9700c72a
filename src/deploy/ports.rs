//! The seam between deploy logic and AWS: two small traits with domain types
//! in and out, so the orchestration in [`super::publish`] and
//! [`super::update`] is tested with in-memory fakes and runs unchanged
//! against the real SDK (`crate::aws`) or the local emulator.

use std::path::Path;
use std::time::SystemTime;

/// Why an AWS call failed, as far as the orchestration cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The named thing does not exist.
    NotFound,
    /// Throttled or a 5xx/connection problem that outlived the SDK's retries.
    Transient,
    /// Credentials, permissions, region.
    Auth,
    /// "… is in an invalid state for this operation. Must be Ready."
    NotReady,
    /// What is being created already exists: a version label, or an S3
    /// object under a conditional write (`If-None-Match: *`).
    AlreadyExists,
    /// Any other service error.
    Service,
}

/// An AWS failure with the service's code and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation}: {message}")]
pub struct AwsError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// The API operation (`UpdateEnvironment`).
    pub operation: &'static str,
    /// The service's error code, if any (`InvalidParameterValue`).
    pub code: Option<String>,
    /// Human message (the service's, or the transport error).
    pub message: String,
    /// What to do next, when the place that raised the error knows better
    /// than its kind does (see [`AwsError::help`]).
    pub hint: Option<String>,
}

impl AwsError {
    /// A new error.
    pub fn new(kind: ErrorKind, operation: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            operation,
            code: None,
            message: message.into(),
            hint: None,
        }
    }

    /// The same error with `hint` as its next step.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// What to do next: the hint given where the error was raised, else
    /// one derived from its kind; `None` when the message says it all.
    pub fn help(&self) -> Option<String> {
        if let Some(h) = &self.hint {
            return Some(h.clone());
        }
        match self.kind {
            ErrorKind::Auth
                if matches!(
                    self.code.as_deref(),
                    Some("ExpiredToken" | "ExpiredTokenException")
                ) =>
            {
                Some("the credentials have expired: sign in again (`aws sso login --profile NAME` for an SSO profile) or renew the session token".into())
            }
            ErrorKind::Auth if matches!(self.operation, "configuration" | "credentials") => None,
            ErrorKind::Auth => Some(format!(
                "check the credentials and region (`--profile`, `--region`, AWS_PROFILE, AWS_REGION) and the IAM permissions for `{}`",
                self.operation
            )),
            // No error code: no answer at all (refused, reset, DNS, TLS).
            ErrorKind::Transient if self.code.is_none() => Some(
                "the AWS endpoint could not be reached, or the connection broke, after retries; check the network, proxy and `--endpoint-url`, then try again".into(),
            ),
            ErrorKind::Transient => Some(
                "AWS kept answering with throttling or server errors after retries; try again, or raise `--max-attempts`".into(),
            ),
            _ => None,
        }
    }
}

/// An S3 object's facts ebpack checks before uploading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Size in bytes.
    pub size: u64,
    /// The `sha256` user metadata ebpack stores, if present.
    pub sha256: Option<String>,
}

/// Upload progress callback: bytes sent so far.
pub type Progress<'a> = &'a (dyn Fn(u64) + Send + Sync);

/// Where bundles are stored (S3).
pub trait Store {
    /// Checks that `bucket` exists and is reachable with these credentials
    /// (and, when known, owned by this account) without needing `s3:CreateBucket`.
    fn check_bucket(&self, bucket: &str) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Facts about an object, or `None` when it does not exist.
    fn head_object(
        &self,
        bucket: &str,
        key: &str,
    ) -> impl Future<Output = Result<Option<ObjectInfo>, AwsError>> + Send;
    /// Uploads the file at `path` (streamed from disk; multipart above a
    /// threshold, aborted on failure) with `sha256` stored as metadata.
    /// The write is conditional: it never replaces an existing object, and
    /// fails with [`ErrorKind::AlreadyExists`] when the key is taken.
    fn upload(
        &self,
        bucket: &str,
        key: &str,
        path: &Path,
        sha256: &str,
        progress: Progress<'_>,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Streams an object to the file `to`, refusing one larger than
    /// `max_bytes`; returns its size.
    fn download(
        &self,
        bucket: &str,
        key: &str,
        to: &Path,
        max_bytes: u64,
    ) -> impl Future<Output = Result<u64, AwsError>> + Send;
    /// Deletes an object this run uploaded and no version points at.
    fn delete_object(
        &self,
        bucket: &str,
        key: &str,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// An application version as EB describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionInfo {
    /// The label.
    pub label: String,
    /// The description (ebpack writes `sha256:<hex> …` there).
    pub description: String,
    /// Source bundle bucket.
    pub bucket: String,
    /// Source bundle key.
    pub key: String,
    /// Status as returned (compare case-insensitively: the service returns
    /// upper case, which the SDK parses as an unknown variant).
    pub status: String,
}

/// A request to create an application version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVersion {
    /// Application.
    pub app: String,
    /// Label.
    pub label: String,
    /// Description.
    pub description: String,
    /// Bucket.
    pub bucket: String,
    /// Key.
    pub key: String,
    /// Ask EB to validate the bundle (`Process=true`).
    pub process: bool,
    /// Create the application when it does not exist.
    pub create_app: bool,
}

/// An environment's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvInfo {
    /// Name.
    pub name: String,
    /// Id (`e-…`).
    pub id: String,
    /// Application.
    pub app: String,
    /// Status: `Launching`, `Updating`, `Ready`, `Terminating`, `Terminated`, …
    pub status: String,
    /// Health colour: `Green`, `Yellow`, `Red`, `Grey`.
    pub health: String,
    /// Enhanced health status when available (`Ok`, `Degraded`, …).
    pub health_status: Option<String>,
    /// The deployed version label.
    pub version_label: Option<String>,
    /// The environment's CNAME.
    pub cname: Option<String>,
    /// The platform: its ARN, else the solution stack name.
    pub platform: Option<String>,
}

/// One environment event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When it happened.
    pub date: SystemTime,
    /// `TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`, `FATAL`.
    pub severity: String,
    /// Message.
    pub message: String,
    /// The request that caused it, if any.
    pub request_id: Option<String>,
    /// The application version it concerns, if any.
    pub version_label: Option<String>,
}

/// Elastic Beanstalk.
pub trait Beanstalk {
    /// The account's EB storage bucket (`CreateStorageLocation`: creates it if needed).
    fn storage_location(&self) -> impl Future<Output = Result<String, AwsError>> + Send;
    /// Whether the application exists (`DescribeApplications`).
    fn application_exists(&self, app: &str) -> impl Future<Output = Result<bool, AwsError>> + Send;
    /// A version by label, or `None`.
    fn describe_version(
        &self,
        app: &str,
        label: &str,
    ) -> impl Future<Output = Result<Option<VersionInfo>, AwsError>> + Send;
    /// Creates a version.
    fn create_version(
        &self,
        version: &NewVersion,
    ) -> impl Future<Output = Result<VersionInfo, AwsError>> + Send;
    /// An environment by application and name, or `None` (terminated ones excluded).
    fn describe_environment(
        &self,
        app: &str,
        env: &str,
    ) -> impl Future<Output = Result<Option<EnvInfo>, AwsError>> + Send;
    /// Starts deploying `label` to `env`; returns the request id.
    fn update_environment(
        &self,
        app: &str,
        env: &str,
        label: &str,
    ) -> impl Future<Output = Result<String, AwsError>> + Send;
    /// The application names of the account in this region
    /// (`DescribeApplications`), to suggest one when a name is mistyped.
    fn applications(&self) -> impl Future<Output = Result<Vec<String>, AwsError>> + Send;
    /// The environments that are not terminated, of `app` or (with `None`)
    /// of every application (`DescribeEnvironments`), to suggest one when a
    /// name is mistyped.
    fn environments(
        &self,
        app: Option<&str>,
    ) -> impl Future<Output = Result<Vec<EnvInfo>, AwsError>> + Send;
    /// Events of `env` for `request_id` (all requests when `None`) since `since`, oldest first.
    fn events(
        &self,
        app: &str,
        env: &str,
        request_id: Option<&str>,
        since: Option<SystemTime>,
    ) -> impl Future<Output = Result<Vec<Event>, AwsError>> + Send;
}

/// An environment's health as enhanced health reports it
/// (`DescribeEnvironmentHealth`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct EnvHealth {
    /// Colour: `Green`, `Yellow`, `Red`, `Grey`.
    pub color: String,
    /// `Ok`, `Warning`, `Degraded`, `Severe`, …
    pub status: Option<String>,
    /// Why it is not `Ok`, in the service's words.
    pub causes: Vec<String>,
}

/// One instance of an environment (`DescribeInstancesHealth`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InstanceHealth {
    /// `i-…`.
    pub id: String,
    /// `Ok`, `Degraded`, …
    pub health_status: Option<String>,
    /// Colour.
    pub color: Option<String>,
    /// The application version the instance runs.
    pub version_label: Option<String>,
}

/// An application version with the facts a listing shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionListing {
    /// What [`Beanstalk::describe_version`] gives.
    pub info: VersionInfo,
    /// When it was created.
    pub created: Option<SystemTime>,
}

/// What the commands around a deployment need beyond [`Beanstalk`]:
/// health, instances, every version, deleting one, the account's quota.
pub trait Operations: Beanstalk {
    /// `DescribeEnvironmentHealth` with every attribute; `None` when the
    /// environment has no enhanced health.
    fn environment_health(
        &self,
        env: &str,
    ) -> impl Future<Output = Result<Option<EnvHealth>, AwsError>> + Send;
    /// `DescribeInstancesHealth`; empty without enhanced health.
    fn instances_health(
        &self,
        env: &str,
    ) -> impl Future<Output = Result<Vec<InstanceHealth>, AwsError>> + Send;
    /// Every version of `app`, newest first (all pages).
    fn versions(
        &self,
        app: &str,
    ) -> impl Future<Output = Result<Vec<VersionListing>, AwsError>> + Send;
    /// `DeleteApplicationVersion`, with its source bundle when `delete_source`.
    fn delete_version(
        &self,
        app: &str,
        label: &str,
        delete_source: bool,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// The account's quota of application versions in this region
    /// (`DescribeAccountAttributes`), when the service says.
    fn version_quota(&self) -> impl Future<Output = Result<Option<u32>, AwsError>> + Send;
    /// `SwapEnvironmentCNAMEs` between `a` and `b`; returns the request id.
    fn swap_cnames(
        &self,
        a: &str,
        b: &str,
    ) -> impl Future<Output = Result<String, AwsError>> + Send;
}
