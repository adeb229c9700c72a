//! Publish (S3 + application version) and deploy (update, wait, gate,
//! rollback): the orchestration, written against the [`ports`] seam so it
//! is tested with fakes and run against the real SDK in [`crate::aws`].
//!
//! The rules it keeps, each a complaint about existing tools:
//! - a label that exists with the same sha256 is reused, with a different
//!   one it is a hard error naming both (never a silent stale deploy);
//! - wait (bounded) for the environment to be Ready before updating, and go
//!   back to waiting when another deploy wins the race ("Must be Ready");
//! - done means Ready, the new VersionLabel, and this request's success
//!   event — then a health gate; failure events or a label that did not
//!   switch fail the deploy; a deadline gives "still running", not "failed".

pub mod poll;
pub mod ports;
pub mod publish;
pub mod suggest;
pub mod tracker;
pub mod update;

#[cfg(test)]
pub(crate) mod fake;

pub use ports::{AwsError, Beanstalk, EnvInfo, ErrorKind, Event, Operations, Store, VersionInfo};

/// Where orchestration reports progress (stderr in the CLI, silent in tests).
pub trait Reporter: Send + Sync {
    /// A progress line.
    fn line(&self, message: &str);
    /// Findings that do not stop the command (warnings, notes).
    fn findings(&self, report: &crate::diag::Report) {
        let _ = report;
    }
    /// An environment event as it arrives.
    fn event(&self, event: &Event) {
        self.line(&format!("{:<5} {}", event.severity, event.message));
    }
    /// Upload progress: `sent` of `total` bytes.
    fn upload_progress(&self, sent: u64, total: u64) {
        let _ = (sent, total);
    }
    /// A poll of a wait found nothing new: what ebpack is waiting for and
    /// until when (a live status line on a terminal, a heartbeat in a log).
    fn waiting(&self, wait: &Waiting<'_>) {
        let _ = wait;
    }
}

/// The state of a wait, reported at each poll ([`Reporter::waiting`]).
#[derive(Debug, Clone, Copy)]
pub struct Waiting<'a> {
    /// What ebpack waits for (`the deployment of `v2``, `Ready`, …).
    pub what: &'a str,
    /// The environment.
    pub environment: &'a str,
    /// Its status (`Updating`, `Ready`, …).
    pub status: &'a str,
    /// Its health colour.
    pub health: &'a str,
    /// Time since the wait began.
    pub elapsed: std::time::Duration,
    /// Time left before the deadline.
    pub left: std::time::Duration,
}

/// Serializes seconds rounded to milliseconds (`6.76`, not
/// `6.7596150040000005`) for `--output json`.
pub fn round_ms<S: serde::Serializer>(seconds: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((seconds * 1000.0).round() / 1000.0)
}

/// A reporter that prints nothing.
pub struct Silent;

impl Reporter for Silent {
    fn line(&self, _: &str) {}
}
