//! Everything the binary writes goes through [`Printer`], so `-q`, colour
//! and closed pipes are handled once.
//!
//! stdout carries only command results (`--output json`, listings, scripts);
//! a reader that closes it early (`| head`) ends the program quietly, as in
//! ripgrep. stderr carries progress, events, findings and errors; a failed
//! write there is ignored, never a panic (which `eprintln!` would be).
//! Under `-q` progress, events and warnings are dropped; errors and the
//! outcome of a failure are not.
//!
//! Long waits show a sign of life: on a terminal a status line that the
//! next output replaces, in a log a heartbeat line when nothing was printed
//! for a while (30 s; `EBPACK_HEARTBEAT` sets another interval, which the
//! tests use). Colour (events by severity, the outcome line) follows
//! `--color`, `NO_COLOR` and whether stderr is a terminal.

use super::exit::Error;
use anstyle::{AnsiColor, Style};
use ebpack::config::ConfigError;
use ebpack::deploy::{Event, Reporter, Waiting};
use ebpack::diag::{Report, render};
use ebpack::ops::{self, Interruption};
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// When stderr was last written to (heartbeats fill silences, not talk).
static LAST_OUTPUT: Mutex<Option<Instant>> = Mutex::new(None);
/// A status line is on the terminal and must be cleared before other text.
static LIVE: AtomicBool = AtomicBool::new(false);
/// When the upload being shown started (rate and ETA).
static UPLOAD_START: Mutex<Option<Instant>> = Mutex::new(None);

/// Where and how output goes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Printer {
    color: bool,
    quiet: bool,
    terminal: bool,
    heartbeat: Duration,
}

impl Printer {
    /// A printer: `color` for stderr, `quiet` for `-q`.
    pub(super) fn new(color: bool, quiet: bool) -> Self {
        let heartbeat = std::env::var("EBPACK_HEARTBEAT")
            .ok()
            .and_then(|v| super::args::parse_duration(&v).ok())
            .unwrap_or(Duration::from_secs(30));
        Self {
            color,
            quiet,
            terminal: std::io::stderr().is_terminal(),
            heartbeat,
        }
    }

    /// `text` in `style` when colours are on.
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    /// The last line of a command whose outcome is not success:
    /// `error: …` (or `warning: …` for an outcome that is no failure),
    /// printed even under `-q`.
    pub(super) fn verdict(&self, failure: bool, text: &str) {
        let (word, color) = if failure {
            ("error", AnsiColor::Red)
        } else {
            ("warning", AnsiColor::Yellow)
        };
        let prefix = self.paint(Style::new().bold().fg_color(Some(color.into())), word);
        stderr(&format!("{prefix}: {text}\n"));
    }

    /// `  <time> <SEVERITY> <message>`, coloured by severity.
    pub(super) fn event_text(&self, time: &str, severity: &str, message: &str) -> String {
        let style = match severity.to_ascii_uppercase().as_str() {
            "ERROR" | "FATAL" => Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
            "WARN" => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
            _ => Style::new(),
        };
        let message = if style == Style::new() {
            message.to_owned()
        } else {
            self.paint(style, message)
        };
        format!(
            "  {time} {} {message}\n",
            self.paint(style, &format!("{severity:<5}"))
        )
    }

    /// The success line that ends a deployment, in green.
    pub(super) fn success(&self, message: &str) {
        if !self.quiet {
            let text = self.paint(
                Style::new().fg_color(Some(AnsiColor::Green.into())),
                message,
            );
            stderr(&format!("ebpack: {text}\n"));
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
                ops::Error::Interrupted(
                    Interruption::Wait { .. }
                    | Interruption::RollbackWait { .. }
                    | Interruption::Swap { .. },
                ) => {
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
        self.note(&self.event_text(
            &ebpack::ops::status::rfc3339(event.date),
            &event.severity,
            &event.message,
        ));
    }

    fn upload_progress(&self, sent: u64, total: u64) {
        if self.quiet || !self.terminal || total == 0 {
            return;
        }
        let started = *UPLOAD_START
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get_or_insert_with(Instant::now);
        let pct = sent.saturating_mul(100) / total;
        let filled = usize::try_from(pct / 5).unwrap_or(20).min(20);
        let secs = started.elapsed().as_secs_f64();
        let rate = if secs > 0.05 { sent as f64 / secs } else { 0.0 };
        let eta = if rate > 0.0 && sent < total {
            format!(", {} left", clock((total - sent) as f64 / rate))
        } else {
            String::new()
        };
        let speed = if rate > 0.0 {
            format!(" {}/s", ebpack::bundle::human_size(rate as u64))
        } else {
            String::new()
        };
        let text = format!(
            "  [{}{}] {pct:>3}% {} of {}{speed}{eta}",
            "#".repeat(filled),
            " ".repeat(20 - filled),
            ebpack::bundle::human_size(sent),
            ebpack::bundle::human_size(total),
        );
        live(&text);
        if sent >= total {
            end_live();
        }
    }

    fn waiting(&self, wait: &Waiting<'_>) {
        if self.quiet {
            return;
        }
        let state = format!(
            "`{}` is {}, health {} ({} so far, deadline in {})",
            wait.environment,
            wait.status,
            wait.health,
            clock(wait.elapsed.as_secs_f64()),
            clock(wait.left.as_secs_f64())
        );
        if self.terminal {
            live(&format!("  waiting for {}: {state}", wait.what));
            return;
        }
        let silent_for = LAST_OUTPUT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .map_or(Duration::ZERO, |t| t.elapsed());
        if silent_for >= self.heartbeat {
            self.progress(&format!("still waiting for {}: {state}", wait.what));
        }
    }
}

/// `75 s` → `1m15s`.
fn clock(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m{s:02}s"),
        (h, m, _) => format!("{h}h{m:02}m"),
    }
}

/// Puts `text` on the terminal's status line (replaced by the next output).
fn live(text: &str) {
    LIVE.store(true, Ordering::Relaxed);
    let _ = std::io::stderr()
        .lock()
        .write_all(format!("\r\x1b[2K{text}").as_bytes());
}

/// Ends the status line with a newline, keeping its text.
fn end_live() {
    if LIVE.swap(false, Ordering::Relaxed) {
        let _ = std::io::stderr().lock().write_all(b"\n");
    }
}

/// Writes to stderr, ignoring failures: there is nowhere left to report
/// them. Clears a status line first, and notes the time for heartbeats.
fn stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    if LIVE.swap(false, Ordering::Relaxed) {
        let _ = err.write_all(b"\r\x1b[2K");
    }
    let _ = err.write_all(text.as_bytes());
    *LAST_OUTPUT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Instant::now());
}
