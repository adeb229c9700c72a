//! The commands as library functions: the one place where the steps of a
//! command are put together.
//!
//! Why this module exists: `deploy` is `publish` followed by an update, and
//! `publish` is a build (or a zip built earlier) followed by an upload. When
//! those compositions lived in the binary, each verb called the other
//! verbs' printing functions. Here each command is one function that takes
//! resolved [`Settings`] and a plain request, reports progress through a
//! [`Reporter`](crate::deploy::Reporter), stops when its [`Cancel`] token is cancelled, and returns
//! a typed summary (`Serialize`: the command's `--output json`) or an
//! [`Error`]. The binary parses flags, calls the function and prints; it
//! also owns the exit codes, which it derives from the summary or the error.
//!
//! A new command (status, events, logs, plan, swap, versions) adds a file
//! here with its request, its summary and its function, written against the
//! [`crate::deploy::ports`] seam like the others; AWS stays behind it.

pub mod build;
pub mod deploy;
pub mod plan;
pub mod publish;
pub mod status;
pub mod swap;
pub mod versions;

use crate::aws::{AwsSettings, Clients};
use crate::build::BuildError;
use crate::cancel::Cancel;
use crate::config::{self, ConfigError, Inputs, Overrides, Settings};
use crate::deploy::AwsError;
use crate::deploy::publish::{PublishError, Stopped};
use crate::deploy::update::DeployError;
use crate::diag::Report;
use crate::validate::InputError;
use std::path::PathBuf;

/// Why a command did not finish. The binary prints it (with its
/// [`Error::report`] first and its [`Error::help`] after) and picks the exit
/// code from the variant.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Settings could not be resolved.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A flag, variable or setting that does not fit.
    #[error("{0}")]
    Usage(String),
    /// The build stopped.
    #[error(transparent)]
    Build(BuildError),
    /// A local file or folder could not be read.
    #[error(transparent)]
    Read(InputError),
    /// Local files could not be read or written.
    #[error("{0}")]
    Io(String),
    /// A `--bundle` file that is not a readable zip.
    #[error(transparent)]
    NotAZip(InputError),
    /// A `--bundle` zip with errors.
    #[error("`{}` has errors; nothing was published", zip.display())]
    BundleHasErrors {
        /// The zip.
        zip: PathBuf,
        /// Its findings.
        report: Report,
    },
    /// Publishing failed (other than an AWS error).
    #[error(transparent)]
    Publish(PublishError),
    /// The deployment could not run.
    #[error(transparent)]
    Deploy(DeployError),
    /// An AWS call failed.
    #[error(transparent)]
    Aws(AwsError),
    /// The generator cannot render the `generate:` section.
    #[error(transparent)]
    Generate(#[from] crate::generate::GenerateError),
    /// Generated files could not be written.
    #[error(transparent)]
    GenerateWrite(#[from] crate::generate::WriteError),
    /// `deploy --version` names a version that does not exist.
    #[error("application `{app}` has no version `{label}`")]
    NoVersion {
        /// Application.
        app: String,
        /// Label.
        label: String,
    },
    /// `deploy --version` names an application that does not exist.
    #[error("application `{app}` does not exist")]
    NoApplication {
        /// Application.
        app: String,
        /// A close match or the applications that exist.
        hint: Option<String>,
    },
    /// Cancelled by a signal; what was cleaned up is in the message.
    #[error("{0}")]
    Interrupted(Interruption),
}

/// What an interruption stopped, and so what was and was not done: each
/// message says it (docs/guarantees.md lists them by stage).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Interruption {
    /// The build; its temporary file was removed.
    #[error("interrupted; no bundle was written")]
    Build,
    /// After the build had written its outputs.
    #[error(
        "interrupted after the build; `{}`, its manifest and version.json were written, nothing was uploaded",
        zip.display()
    )]
    Built {
        /// The zip written.
        zip: PathBuf,
    },
    /// Connecting to AWS; nothing was uploaded.
    #[error("interrupted while connecting to AWS; nothing was uploaded")]
    Connect,
    /// An AWS call failed after the cancel.
    #[error("interrupted; `{operation}` failed meanwhile ({message}); ebpack did nothing after it")]
    Call {
        /// The call.
        operation: &'static str,
        /// Its error.
        message: String,
    },
    /// Publishing; how far it got.
    #[error(transparent)]
    Publish(Stopped),
    /// After publishing, before the deployment started.
    #[error("interrupted; `{label}` was published, nothing was deployed")]
    Published {
        /// The label published.
        label: String,
    },
    /// Before `UpdateEnvironment` was sent (waiting for the environment
    /// to be Ready, or for the health of a label it already ran).
    #[error(
        "interrupted before ebpack sent `UpdateEnvironment`; `{label}` is published, `{environment}` was not asked to deploy it"
    )]
    BeforeUpdate {
        /// The label published.
        label: String,
        /// The environment.
        environment: String,
    },
    /// `UpdateEnvironment` was sent and did not answer in time.
    #[error(
        "interrupted while `UpdateEnvironment` had not answered; the deployment of `{label}` to `{environment}` may have started"
    )]
    Unanswered {
        /// The label asked for.
        label: String,
        /// The environment.
        environment: String,
    },
    /// Waiting for a deployment, which goes on in AWS.
    #[error("stopped waiting; the deployment of `{label}` to `{environment}` goes on in AWS")]
    Wait {
        /// The label being deployed.
        label: String,
        /// The environment.
        environment: String,
    },
    /// Waiting for a CNAME swap, which goes on in AWS.
    #[error(
        "stopped waiting; the CNAME swap of `{a}` and `{b}` goes on in AWS (check it with `ebpack status`)"
    )]
    Swap {
        /// One environment.
        a: String,
        /// The other.
        b: String,
    },
    /// Waiting for a rollback, which goes on in AWS.
    #[error(
        "stopped waiting; the deployment of `{failed}` failed and the rollback of `{environment}` to `{label}` goes on in AWS"
    )]
    RollbackWait {
        /// The label rolled back to.
        label: String,
        /// The label whose deployment failed.
        failed: String,
        /// The environment.
        environment: String,
    },
}

impl Error {
    /// What to do next, when the error has a next step.
    pub fn help(&self) -> Option<String> {
        match self {
            Error::Build(e) => e.help(),
            Error::Publish(e) => e.help(),
            Error::Deploy(e) => e.help(),
            Error::Aws(e) => e.help(),
            Error::Read(e) => crate::suggest::missing_input(e),
            Error::NoApplication { hint, .. } => hint.clone(),
            Error::NoVersion { label, .. } => Some(format!(
                "publish it first (`ebpack publish --label {label}`), or check `--app`"
            )),
            _ => None,
        }
    }

    /// Located findings that explain the error, to show before it.
    pub fn report(&self) -> Option<&Report> {
        match self {
            Error::Config(ConfigError::File(r)) | Error::BundleHasErrors { report: r, .. } => {
                Some(r)
            }
            Error::Build(e) => e.report(),
            _ => None,
        }
    }
}

impl From<BuildError> for Error {
    fn from(e: BuildError) -> Self {
        match e {
            BuildError::Interrupted => Error::Interrupted(Interruption::Build),
            e => Error::Build(e),
        }
    }
}

impl From<AwsError> for Error {
    fn from(e: AwsError) -> Self {
        Error::Aws(e)
    }
}

impl From<PublishError> for Error {
    fn from(e: PublishError) -> Self {
        match e {
            PublishError::Aws(a) => Error::Aws(a),
            PublishError::Interrupted(s) => Error::Interrupted(Interruption::Publish(s)),
            e => Error::Publish(e),
        }
    }
}

impl From<DeployError> for Error {
    fn from(e: DeployError) -> Self {
        match e {
            DeployError::Aws(a) => Error::Aws(a),
            e => Error::Deploy(e),
        }
    }
}

/// Resolves settings from `flags`, the `EBPACK_*` variables `env` returns,
/// ebpack.yaml and the EB CLI's file, for a run in `cwd`.
pub fn resolve_settings(
    flags: Overrides,
    env: &dyn Fn(&str) -> Option<String>,
    cwd: PathBuf,
) -> Result<Settings, Error> {
    let env_layer = config::env_overrides(env)?;
    let branch = crate::label::git_branch(&cwd);
    let inputs = Inputs {
        cwd,
        flags,
        env: env_layer,
        branch,
    };
    let settings = config::resolve(&inputs)?;
    log_settings(&settings);
    Ok(settings)
}

/// Every resolved setting and where it came from, for `-v`.
fn log_settings(s: &Settings) {
    let o = &s.origins;
    let file = s
        .config_file
        .as_ref()
        .map_or("none".to_owned(), |p| p.display().to_string());
    tracing::info!(config_file = %file, "settings");
    tracing::info!(value = %s.app, origin = ?o.app, "setting app");
    tracing::info!(value = %s.bundle_dir.display(), origin = ?o.bundle, "setting bundle");
    tracing::info!(value = %s.out_dir.display(), origin = ?o.out, "setting out");
    tracing::info!(value = %s.platform.as_str(), origin = ?o.platform, "setting platform");
    for (name, value, origin) in [
        ("environment", s.environment.clone(), o.environment),
        ("region", s.region.clone(), o.region),
        ("label", s.label.clone(), o.label),
    ] {
        if let (Some(v), Some(origin)) = (value, origin) {
            tracing::info!(value = %v, ?origin, "setting {name}");
        }
    }
}

/// The guesses among the settings, in words: each is a line worth
/// printing, since a wrong guess (the folder's name as the application)
/// would otherwise go unnoticed.
pub fn guessed_settings(s: &Settings) -> Vec<String> {
    let mut out = Vec::new();
    if s.origins.app == config::Origin::Default {
        out.push(format!(
            "application `{}` is the project folder's name (no `--app`, `EBPACK_APP`, `app:` in ebpack.yaml or EB CLI configuration set it)",
            s.app
        ));
    }
    out
}

/// The async runtime the AWS commands run on.
fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io(format!("cannot start the async runtime: {e}")))
}

/// Connects to AWS; uploads stop (and abort) when `cancel` is cancelled.
async fn connect(aws: &AwsSettings, cancel: &Cancel) -> Result<Clients, Error> {
    let mut clients = tokio::select! {
        c = crate::aws::connect(aws) => c?,
        () = cancel.cancelled() => return Err(Error::Interrupted(Interruption::Connect)),
    };
    tracing::info!(region = %clients.region, "connected to AWS");
    clients.s3 = clients.s3.with_cancel(cancel.clone());
    Ok(clients)
}

/// Puts the region in use into the errors whose help prints a command to
/// run, so the command runs as printed.
fn in_region(e: Error, region: &str) -> Error {
    match e {
        Error::Publish(PublishError::ProcessingTimeout {
            app,
            label,
            status,
            seconds,
            region: None,
        }) => Error::Publish(PublishError::ProcessingTimeout {
            app,
            label,
            status,
            seconds,
            region: Some(region.to_owned()),
        }),
        e => e,
    }
}

/// An AWS failure seen after the token was cancelled is part of the
/// interruption, whatever the call answered.
fn interrupted_or(e: Error, cancel: &Cancel) -> Error {
    match e {
        Error::Aws(a) if cancel.is_cancelled() => Error::Interrupted(Interruption::Call {
            operation: a.operation,
            message: a.message,
        }),
        e => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::ErrorKind;

    #[test]
    fn an_aws_error_after_a_cancel_is_the_interruption() {
        let e = || Error::Aws(AwsError::new(ErrorKind::Service, "UploadPart", "reset"));
        let cancel = Cancel::new();
        assert!(matches!(interrupted_or(e(), &cancel), Error::Aws(_)));
        cancel.cancel();
        let stopped = interrupted_or(e(), &cancel);
        assert_eq!(
            stopped.to_string(),
            "interrupted; `UploadPart` failed meanwhile (reset); ebpack did nothing after it"
        );
        assert!(stopped.help().is_none());
    }

    #[test]
    fn errors_carry_their_findings_and_next_steps() {
        let e: Error = PublishError::NoApplication {
            app: "a".into(),
            hint: None,
        }
        .into();
        assert_eq!(
            e.help().as_deref(),
            Some("create it in the console, or pass `--create-app`")
        );
        let e: Error = BuildError::Interrupted.into();
        assert!(matches!(e, Error::Interrupted(Interruption::Build)));
        let e: Error = BuildError::Invalid(Report::default()).into();
        assert!(e.report().is_some());
        let e: Error =
            PublishError::Aws(AwsError::new(ErrorKind::Auth, "PutObject", "denied")).into();
        assert!(matches!(e, Error::Aws(_)));
        assert!(
            e.help()
                .unwrap()
                .contains("IAM permissions for `PutObject`")
        );
    }
}
