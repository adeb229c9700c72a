//! Process exit codes: part of the contract, documented in `--help` and the
//! README. Pipelines branch on them, so they never change meaning. This is
//! the only place that decides them: from a command's [`ExitStatus`], or
//! from the kind of its [`Error`].

use ebpack::build::BuildError;
use ebpack::config::ConfigError;
use ebpack::deploy::publish::PublishError;
use ebpack::deploy::update::DeployStatus;
use ebpack::generate::WriteError;
use ebpack::ops;

/// Success.
pub(super) const OK: u8 = 0;
/// The bundle (or a generated file) has errors: validate, build, inspect, a `--bundle` zip.
pub(super) const BUNDLE_ERRORS: u8 = 1;
/// Bad flags, arguments or configuration (`ebpack.yaml`, environment).
pub(super) const USAGE: u8 = 2;
/// Deployed, but the health gate was not met.
pub(super) const HEALTH_GATE: u8 = 3;
/// The deployment failed (failure events, or the version did not switch).
pub(super) const DEPLOY_FAILED: u8 = 4;
/// Timed out while the operation may still be running.
pub(super) const TIMEOUT: u8 = 5;
/// Reading or writing local files failed.
pub(super) const IO: u8 = 6;
/// AWS could not be reached or refused: credentials, region, permissions, API errors.
pub(super) const AWS: u8 = 7;
/// Deployed successfully, then replaced by another deployment (another
/// pipeline's) before the verdict.
pub(super) const SUPERSEDED: u8 = 8;
/// Interrupted (Ctrl-C, SIGTERM, SIGHUP); cleanup was done.
pub(super) const INTERRUPTED: u8 = 130;

/// The table printed in `--help` and the README.
pub(super) const TABLE: &str = "\
Exit codes:
  0    success
  1    the bundle has errors (validate, build, inspect, publish/deploy --bundle)
  2    usage or configuration error
  3    deployed, but the health gate was not met
  4    deployment failed (the environment kept or returned to its old version)
  5    timed out while the operation may still be running
  6    local file error (read, write)
  7    AWS error (credentials, region, permissions, API)
  8    deployed, then replaced by another deployment before the verdict (superseded)
  130  interrupted";

/// How a command that ran to its end came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ExitStatus {
    /// All is well.
    Success,
    /// The findings include errors (already printed).
    BundleErrors,
    /// A deployment's verdict (already printed).
    Deploy(DeployStatus),
    /// `plan --exit-code` found changes (exit 2, as `git diff --exit-code`).
    Changes,
}

impl ExitStatus {
    /// The exit code.
    pub(super) fn code(self) -> u8 {
        match self {
            ExitStatus::Success => OK,
            ExitStatus::BundleErrors => BUNDLE_ERRORS,
            ExitStatus::Changes => USAGE,
            ExitStatus::Deploy(s) => match s {
                DeployStatus::Deployed | DeployStatus::Unchanged | DeployStatus::Started => OK,
                DeployStatus::HealthGateFailed => HEALTH_GATE,
                DeployStatus::Failed | DeployStatus::Skipped => DEPLOY_FAILED,
                DeployStatus::TimedOut => TIMEOUT,
                DeployStatus::Superseded => SUPERSEDED,
            },
        }
    }
}

/// Why a command stopped: the library's errors and the binary's own.
#[derive(Debug, thiserror::Error)]
pub(super) enum Error {
    /// From the library.
    #[error(transparent)]
    Lib(#[from] ops::Error),
    /// The reader closed stdout: a quiet end, as for `| head`.
    #[error("stdout was closed")]
    StdoutClosed,
    /// Writing stdout failed otherwise.
    #[error("cannot write to stdout: {0}")]
    Stdout(std::io::Error),
    /// Appending to `$GITHUB_OUTPUT` failed.
    #[error("cannot write `$GITHUB_OUTPUT`: {0}")]
    GithubOutput(std::io::Error),
}

impl Error {
    /// The exit code.
    pub(super) fn code(&self) -> u8 {
        let lib = match self {
            Error::StdoutClosed => return OK,
            Error::Stdout(_) | Error::GithubOutput(_) => return IO,
            Error::Lib(e) => e,
        };
        match lib {
            // Nothing to work on here: a usage mistake, with a next step.
            ops::Error::Build(BuildError::NoBundleFolder { .. }) => USAGE,
            ops::Error::Read(ebpack::validate::InputError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                USAGE
            }
            ops::Error::Config(ConfigError::Io { .. })
            | ops::Error::Build(BuildError::Io(_))
            | ops::Error::Read(_)
            | ops::Error::Io(_)
            | ops::Error::GenerateWrite(WriteError::Io { .. }) => IO,
            ops::Error::Build(BuildError::Invalid(_))
            | ops::Error::NotAZip(_)
            | ops::Error::BundleHasErrors { .. }
            | ops::Error::GenerateWrite(WriteError::Conflict(_))
            | ops::Error::Publish(PublishError::ProcessingFailed { .. }) => BUNDLE_ERRORS,
            ops::Error::Publish(PublishError::ProcessingTimeout { .. }) => TIMEOUT,
            ops::Error::Aws(_) | ops::Error::Publish(PublishError::Aws(_)) => AWS,
            ops::Error::Deploy(ebpack::deploy::update::DeployError::Aws(_)) => AWS,
            ops::Error::Interrupted(_) | ops::Error::Build(BuildError::Interrupted) => INTERRUPTED,
            ops::Error::Config(_)
            | ops::Error::Usage(_)
            | ops::Error::Build(_)
            | ops::Error::Generate(_)
            | ops::Error::Publish(_)
            | ops::Error::Deploy(_)
            | ops::Error::NoApplication { .. }
            | ops::Error::NoVersion { .. } => USAGE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ebpack::deploy::{AwsError, ErrorKind};
    use ebpack::ops::Interruption;

    #[test]
    fn each_kind_of_error_has_its_documented_code() {
        let io = || std::io::Error::other("x");
        let lib = |e: ops::Error| Error::Lib(e);
        let cases = [
            (Error::StdoutClosed, OK),
            (Error::GithubOutput(io()), IO),
            (Error::Stdout(io()), IO),
            (lib(ops::Error::Usage("u".into())), USAGE),
            (lib(ConfigError::Usage("u".into()).into()), USAGE),
            (
                lib(ConfigError::Io {
                    path: "f".into(),
                    source: io(),
                }
                .into()),
                IO,
            ),
            (
                lib(BuildError::Invalid(Default::default()).into()),
                BUNDLE_ERRORS,
            ),
            (lib(BuildError::Io("x".into()).into()), IO),
            (lib(BuildError::Usage("x".into()).into()), USAGE),
            (
                lib(
                    BuildError::FromGit(ebpack::fileset::git::GitError::NoCommit {
                        dir: "eb".into(),
                    })
                    .into(),
                ),
                USAGE,
            ),
            (lib(BuildError::Interrupted.into()), INTERRUPTED),
            (
                lib(ops::Error::Interrupted(Interruption::Wait {
                    label: "v".into(),
                    environment: "e".into(),
                })),
                INTERRUPTED,
            ),
            (
                lib(AwsError::new(ErrorKind::Auth, "PutObject", "denied").into()),
                AWS,
            ),
            (
                lib(PublishError::ProcessingTimeout {
                    app: "a".into(),
                    label: "v".into(),
                    status: "PROCESSING".into(),
                    seconds: 1,
                    region: None,
                }
                .into()),
                TIMEOUT,
            ),
            (
                lib(PublishError::ProcessingFailed {
                    label: "v".into(),
                    status: "FAILED".into(),
                }
                .into()),
                BUNDLE_ERRORS,
            ),
            (
                lib(PublishError::NoApplication {
                    app: "a".into(),
                    hint: None,
                }
                .into()),
                USAGE,
            ),
            (
                lib(ops::Error::NoVersion {
                    app: "a".into(),
                    label: "v".into(),
                }),
                USAGE,
            ),
        ];
        for (e, code) in cases {
            assert_eq!(e.code(), code, "{e:?}");
        }
        assert_eq!(ExitStatus::Deploy(DeployStatus::TimedOut).code(), TIMEOUT);
        assert_eq!(ExitStatus::Deploy(DeployStatus::Unchanged).code(), OK);
        assert_eq!(ExitStatus::BundleErrors.code(), BUNDLE_ERRORS);
    }
}
