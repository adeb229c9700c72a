//! Process exit codes: part of the contract, documented in `--help` and the
//! README. Pipelines branch on them, so they never change meaning.

/// Success.
pub const OK: u8 = 0;
/// The bundle (or a generated file) has errors: validate, build, inspect, a `--bundle` zip.
pub const BUNDLE_ERRORS: u8 = 1;
/// Bad flags, arguments or configuration (`ebpack.yaml`, environment).
pub const USAGE: u8 = 2;
/// Deployed, but the health gate was not met.
pub const HEALTH_GATE: u8 = 3;
/// The deployment failed (failure events, or the version did not switch).
pub const DEPLOY_FAILED: u8 = 4;
/// Timed out while the operation may still be running.
pub const TIMEOUT: u8 = 5;
/// Reading or writing local files failed.
pub const IO: u8 = 6;
/// AWS could not be reached or refused: credentials, region, permissions, API errors.
pub const AWS: u8 = 7;
/// Interrupted (Ctrl-C); cleanup was done.
pub const INTERRUPTED: u8 = 130;

/// The table printed in `--help` and the README.
pub const TABLE: &str = "\
Exit codes:
  0    success
  1    the bundle has errors (validate, build, inspect, publish/deploy --bundle)
  2    usage or configuration error
  3    deployed, but the health gate was not met
  4    deployment failed (the environment kept or returned to its old version)
  5    timed out while the operation may still be running
  6    local file error (read, write)
  7    AWS error (credentials, region, permissions, API)
  130  interrupted";
