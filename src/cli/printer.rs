//! Everything the binary writes goes through [`Printer`], so `-q`, colour
//! and closed pipes are handled once.
//!
//! stdout carries only command results (`--output json`, listings, scripts);
//! a reader that closes it early (`| head`) ends the program quietly, as in
//! ripgrep. stderr carries progress, events, findings and errors; a failed
//! write there is ignored, never a panic (which `eprintln!` would be).
//! Under `-q` progress, events and warnings are dropped; errors and the
//! outcome of a failure are not.

use super::exit::Error;
use ebpack::config::ConfigError;
use ebpack::deploy::{Event, Reporter};
use ebpack::diag::{Report, render};
use ebpack::ops::{self, Interruption};
use std::io::{IsTerminal, Write};

/// Where and how output goes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Printer {
    color: bool,
    quiet: bool,
    terminal: bool,
}

impl Printer {
    /// A printer: `color` for stderr, `quiet` for `-q`.
    pub(super) fn new(color: bool, quiet: bool) -> Self {
        Self {
            color,
            quiet,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// A command's result on stdout.
    pub(super) fn stdout(&self, text: &str) -> Result<(), Error> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::BrokenPipe => Error::StdoutClosed,
                _ => Error::Stdout(e),
            })
    }

    /// Progress: `ebpack: {message}`; not under `-q`.
    pub(super) fn progress(&self, message: &str) {
        if !self.quiet {
            self.outcome(message);
        }
    }

    /// The outcome of a failure: `ebpack: {message}`, even under `-q`.
    pub(super) fn outcome(&self, message: &str) {
        stderr(&format!("ebpack: {message}\n"));
    }

    /// Other text on stderr (file lists, notes, summaries); not under `-q`.
    pub(super) fn note(&self, text: &str) {
        if !self.quiet {
            stderr(text);
        }
    }

    /// Text that says why a command failed; printed even under `-q`.
    pub(super) fn failure_note(&self, text: &str) {
        stderr(text);
    }

    /// Findings: always when `failing`, else not under `-q`.
    pub(super) fn report(&self, report: &Report, failing: bool) {
        if failing || !self.quiet {
            stderr(&render::human_report(report, self.color));
        }
    }

    /// An error: its findings, `error: …` with its causes, and `help: …`
    /// when it has a next step.
    pub(super) fn error(&self, e: &Error) {
        if let Error::Lib(lib) = e {
            if let Some(report) = lib.report() {
                self.report(report, true);
            }
            match lib {
                // The located findings say it all.
                ops::Error::Config(ConfigError::File(_)) => return,
                // Not an error: the deployment goes on, ebpack stopped watching.
                ops::Error::Interrupted(Interruption::Wait { .. }) => {
                    return self.outcome(&lib.to_string());
                }
                _ => {}
            }
        }
        let mut text = format!("error: {}\n", ebpack::diag::error_chain(e));
        if let Some(help) = match e {
            Error::Lib(lib) => lib.help(),
            _ => None,
        } {
            text.push_str(&format!("help: {help}\n"));
        }
        stderr(&text);
    }
}

impl Reporter for Printer {
    fn line(&self, message: &str) {
        self.progress(message);
    }

    fn findings(&self, report: &Report) {
        self.report(report, false);
    }

    fn event(&self, event: &Event) {
        self.note(&format!(
            "  {} {:<5} {}\n",
            rfc3339(event.date),
            event.severity,
            event.message
        ));
    }

    fn upload_progress(&self, sent: u64, total: u64) {
        if self.quiet || !self.terminal || total == 0 {
            return;
        }
        let pct = sent.saturating_mul(100) / total;
        let filled = usize::try_from(pct / 5).unwrap_or(20).min(20);
        let mut text = format!(
            "\r  [{}{}] {pct:>3}% {}",
            "#".repeat(filled),
            " ".repeat(20 - filled),
            ebpack::bundle::human_size(sent)
        );
        if sent >= total {
            text.push('\n');
        }
        stderr(&text);
    }
}

/// Writes to stderr, ignoring failures: there is nowhere left to report them.
fn stderr(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// `2026-11-22T04:00:00Z`.
fn rfc3339(t: std::time::SystemTime) -> String {
    aws_smithy_types::DateTime::from(t)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}
