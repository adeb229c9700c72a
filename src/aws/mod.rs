//! The only module that talks to AWS: SDK configuration built once from
//! profile/region/endpoint (the standard chain: env vars, profiles, SSO, web
//! identity, instance role), and the S3 and Elastic Beanstalk adapters behind
//! the [`crate::deploy::ports`] seam.

mod diagnose;
mod eb;
mod eb_ops;
mod s3;
mod trace;

pub use eb::EbClient;
pub use s3::S3Store;
pub use trace::TARGET as TRACE_TARGET;

use crate::deploy::ports::{AwsError, ErrorKind};
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_s3::config::ProvideCredentials;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use std::time::Duration;

/// How to reach AWS. Every field optional: the standard chain fills the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsSettings {
    /// Named profile (`--profile`, else `AWS_PROFILE`).
    pub profile: Option<String>,
    /// Region (`--region`, else `AWS_REGION`, the profile, IMDS).
    pub region: Option<String>,
    /// Endpoint override for every service (`--endpoint-url`; the SDK also
    /// reads `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` itself).
    pub endpoint_url: Option<String>,
    /// Attempts per call for throttling, 5xx and connection errors (0: default).
    pub max_attempts: u32,
}

/// The two clients, built once per run.
#[derive(Debug, Clone)]
pub struct Clients {
    /// Elastic Beanstalk.
    pub eb: EbClient,
    /// S3.
    pub s3: S3Store,
    /// The region in use.
    pub region: String,
}

/// Builds the clients and checks up front that a region and credentials
/// exist, so a pipeline fails in a second with a clear message rather than
/// after building and uploading.
pub async fn connect(settings: &AwsSettings) -> Result<Clients, AwsError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry_config(settings.max_attempts))
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .build(),
        );
    if let Some(p) = &settings.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &settings.region {
        loader = loader.region(aws_config::Region::new(r.clone()));
    }
    if let Some(e) = &settings.endpoint_url {
        loader = loader.endpoint_url(e);
    }
    let config = loader.load().await;
    // An empty `AWS_REGION` (a CI variable set from a missing secret) is no region.
    let region = config
        .region()
        .map(ToString::to_string)
        .filter(|r| !r.trim().is_empty());
    let Some(region) = region else {
        let facts = diagnose::ProfileFacts::load(settings.profile.as_deref()).await;
        return Err(diagnose::no_region(facts.as_ref()));
    };
    let Some(provider) = config.credentials_provider() else {
        return Err(AwsError::new(
            ErrorKind::Auth,
            "configuration",
            "no AWS credentials provider is configured",
        ));
    };
    if let Err(e) = provider.provide_credentials().await {
        let facts = diagnose::ProfileFacts::load(settings.profile.as_deref()).await;
        return Err(diagnose::no_credentials(&e, facts.as_ref()));
    }
    // A local endpoint (the emulator, MinIO) cannot serve bucket subdomains.
    let path_style = settings.endpoint_url.is_some()
        || std::env::var_os("AWS_ENDPOINT_URL").is_some()
        || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
    let mut clients = Clients::from_sdk_config(&config, path_style);
    clients.region = region;
    Ok(clients)
}

/// The retry policy ebpack uses: the SDK's standard mode (exponential
/// backoff with full jitter on throttling, 5xx and dropped connections) with
/// `max_attempts` attempts per call (at least 1; 0 means the default of 8).
pub fn retry_config(max_attempts: u32) -> RetryConfig {
    let attempts = if max_attempts == 0 { 8 } else { max_attempts };
    RetryConfig::standard()
        .with_max_attempts(attempts)
        .with_initial_backoff(Duration::from_millis(200))
        .with_max_backoff(Duration::from_secs(20))
}

impl Clients {
    /// Clients from an already loaded SDK configuration (tests, embedding),
    /// each call traced at INFO under [`TRACE_TARGET`].
    pub fn from_sdk_config(config: &aws_config::SdkConfig, s3_path_style: bool) -> Self {
        let s3_conf = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(s3_path_style)
            .interceptor(trace::CallTrace)
            .build();
        let eb_conf = aws_sdk_elasticbeanstalk::config::Builder::from(config)
            .interceptor(trace::CallTrace)
            .build();
        Self {
            eb: EbClient::new(aws_sdk_elasticbeanstalk::Client::from_conf(eb_conf)),
            s3: S3Store::new(aws_sdk_s3::Client::from_conf(s3_conf)),
            region: config.region().map(ToString::to_string).unwrap_or_default(),
        }
    }
}

pub(crate) use crate::diag::error_chain;

/// Turns an SDK error into the seam's error, classifying it by code and
/// status (codes first: English messages are the last resort).
pub(crate) fn classify<E>(operation: &'static str, err: &SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let status = err.raw_response().map(|r| r.status().as_u16());
    let (code, msg) = match err {
        SdkError::ServiceError(s) => (
            s.err().code().map(str::to_owned),
            s.err().message().unwrap_or_default().to_owned(),
        ),
        other => (None, error_chain(other)),
    };
    let kind = match (code.as_deref(), status) {
        (
            Some(
                "Throttling"
                | "ThrottlingException"
                | "RequestLimitExceeded"
                | "SlowDown"
                | "TooManyRequestsException"
                | "RequestTimeout"
                | "InternalFailure"
                | "ServiceUnavailable",
            ),
            _,
        ) => ErrorKind::Transient,
        (
            Some(
                "InvalidClientTokenId"
                | "SignatureDoesNotMatch"
                | "AccessDenied"
                | "AccessDeniedException"
                | "InsufficientPrivilegesException"
                | "ExpiredToken"
                | "ExpiredTokenException"
                | "UnrecognizedClientException"
                | "InvalidAccessKeyId"
                | "AuthFailure",
            ),
            _,
        ) => ErrorKind::Auth,
        // A conditional write lost: the object exists (412), or another
        // conditional write to the key is in flight (409).
        (Some("PreconditionFailed" | "ConditionalRequestConflict"), _) | (_, Some(412)) => {
            ErrorKind::AlreadyExists
        }
        (Some("NoSuchBucket" | "NoSuchKey" | "NotFound"), _) | (_, Some(404)) => {
            ErrorKind::NotFound
        }
        (_, Some(403)) => ErrorKind::Auth,
        (_, Some(s)) if s >= 500 => ErrorKind::Transient,
        // The request could not even be built (an invalid region, say):
        // retrying cannot help.
        (None, None)
            if matches!(err, SdkError::ConstructionFailure(_)) && !msg.contains("credentials") =>
        {
            ErrorKind::Service
        }
        (None, None) => {
            if msg.contains("credentials") {
                ErrorKind::Auth
            } else {
                ErrorKind::Transient
            }
        }
        _ if msg.contains("Must be Ready") || msg.contains("invalid state for this operation") => {
            ErrorKind::NotReady
        }
        _ if msg.contains("already exists") => ErrorKind::AlreadyExists,
        _ if msg.contains("No Application named") || msg.contains("does not exist") => {
            ErrorKind::NotFound
        }
        _ => ErrorKind::Service,
    };
    let message = match &code {
        Some(c) if !msg.is_empty() => format!("{c}: {msg}"),
        Some(c) => c.clone(),
        None => msg,
    };
    AwsError {
        kind,
        operation,
        code,
        message,
        hint: None,
    }
}
