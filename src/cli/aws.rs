//! Flags shared by the commands that talk to AWS, and their terminal output.

use ebpack::aws::AwsSettings;
use ebpack::deploy::{Event, Reporter};
use std::io::{IsTerminal, Write};
use std::time::{Duration, SystemTime};

#[derive(Debug, Clone, clap::Args)]
pub struct AwsArgs {
    /// AWS profile [default: the standard chain: AWS_PROFILE, env keys, SSO, web identity, instance role].
    #[arg(long, env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// AWS region [default: ebpack.yaml, EB CLI config, AWS_REGION, the profile].
    #[arg(long)]
    pub region: Option<String>,
    /// Endpoint for every AWS service (a local emulator); AWS_ENDPOINT_URL also works.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Attempts per AWS call on throttling, 5xx and dropped connections.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=50))]
    pub max_attempts: u32,
}

impl AwsArgs {
    /// The settings: `--region`, else the configured region (`EBPACK_REGION`,
    /// ebpack.yaml, the EB CLI's file), else the SDK's own chain
    /// (`AWS_REGION`, the profile), as `--help` documents.
    pub fn settings(&self, config_region: Option<&str>) -> AwsSettings {
        AwsSettings {
            profile: self.profile.clone(),
            region: self
                .region
                .clone()
                .or_else(|| config_region.map(str::to_owned)),
            endpoint_url: self.endpoint_url.clone(),
            max_attempts: self.max_attempts,
        }
    }
}

/// Parses `90`, `90s`, `15m`, `1h30m`, `500ms`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let err =
        || format!("`{s}` is not a duration (examples: `600`, `90s`, `15m`, `1h30m`, `500ms`)");
    let s = s.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    if s.is_empty() {
        return Err(err());
    }
    let mut total_ms = 0u64;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let n: u64 = rest[..digits].parse().map_err(|_| err())?;
        rest = &rest[digits..];
        let (unit_ms, len) = if rest.starts_with("ms") {
            (1, 2)
        } else {
            match rest.chars().next() {
                Some('s') => (1000, 1),
                Some('m') => (60_000, 1),
                Some('h') => (3_600_000, 1),
                _ => return Err(err()),
            }
        };
        rest = &rest[len..];
        total_ms = n
            .checked_mul(unit_ms)
            .and_then(|ms| total_ms.checked_add(ms))
            .ok_or_else(err)?;
    }
    Ok(Duration::from_millis(total_ms))
}

/// Progress and events on stderr; an upload bar when stderr is a terminal.
pub struct StderrReporter {
    terminal: bool,
}

impl StderrReporter {
    pub fn new() -> Self {
        Self {
            terminal: std::io::stderr().is_terminal(),
        }
    }
}

impl Reporter for StderrReporter {
    fn line(&self, message: &str) {
        eprintln!("ebpack: {message}");
    }

    fn event(&self, event: &Event) {
        eprintln!(
            "  {} {:<5} {}",
            rfc3339(event.date),
            event.severity,
            event.message
        );
    }

    fn upload_progress(&self, sent: u64, total: u64) {
        if !self.terminal || total == 0 {
            return;
        }
        let pct = sent.saturating_mul(100) / total;
        let filled = usize::try_from(pct / 5).unwrap_or(20).min(20);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r  [{}{}] {pct:>3}% {}",
            "#".repeat(filled),
            " ".repeat(20 - filled),
            ebpack::bundle::human_size(sent)
        );
        if sent >= total {
            let _ = writeln!(err);
        }
    }
}

/// `2026-11-22T04:00:00Z`.
pub fn rfc3339(t: SystemTime) -> String {
    aws_smithy_types::DateTime::from(t)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}

/// Appends `key=value` lines to `$GITHUB_OUTPUT` when it is set.
pub fn github_output(pairs: &[(&str, String)]) -> std::io::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_OUTPUT").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?;
    for (k, v) in pairs {
        // One line per value: outputs never hold newlines.
        writeln!(f, "{k}={}", v.replace(['\n', '\r'], " "))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("600"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("50ms"), Ok(Duration::from_millis(50)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1s500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        for bad in [
            "",
            "m",
            "10x",
            "5m3",
            "-1",
            "ms",
            "5mss",
            "99999999999999999h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
