//! `ebpack status` and `ebpack events`: read an environment without the
//! console. Both resolve the application and environment as `deploy` does.

use super::args::{AwsArgs, Output, parse_duration};
use super::exit::{Error, ExitStatus};
use super::printer::Printer;
use super::{output, signals};
use ebpack::config::Overrides;
use ebpack::deploy::poll::PollSettings;
use ebpack::ops::status::{self, EventsRequest, StatusReport};
use std::path::PathBuf;
use std::time::Duration;

/// The flags that say which environment.
#[derive(Debug, clap::Args)]
pub(super) struct Target {
    /// The environment [default: `environment` in ebpack.yaml or the EB CLI's branch default].
    #[arg(help_heading = "Environment", long = "env", value_name = "NAME")]
    env: Option<String>,
    /// Application name [default: ebpack.yaml, .elasticbeanstalk/config.yml, else the project folder's name].
    #[arg(help_heading = "Environment", long)]
    app: Option<String>,
    /// Configuration file [default: the nearest ebpack.yaml].
    #[arg(help_heading = "Environment", long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    aws: AwsArgs,
}

impl Target {
    fn resolve(
        &self,
    ) -> Result<(ebpack::config::Settings, ebpack::aws::AwsSettings), ebpack::ops::Error> {
        let settings = super::args::settings(Overrides {
            app: self.app.clone(),
            config: self.config.clone(),
            ..Overrides::default()
        })?;
        let aws = self.aws.settings(settings.region.as_deref());
        Ok((settings, aws))
    }
}

#[derive(Debug, clap::Args)]
pub(super) struct StatusArgs {
    #[command(flatten)]
    target: Target,
    /// `human` (on stderr) or `json` (one object on stdout).
    #[arg(help_heading = "Output", long, visible_alias = "format", value_enum, default_value_t = Output::Human)]
    output: Output,
}

pub(super) fn status(args: StatusArgs, printer: Printer) -> Result<ExitStatus, Error> {
    let (settings, aws) = args.target.resolve()?;
    let cancel = signals::cancel_on_signals();
    let report = status::status(&settings, args.target.env.as_deref(), &aws, &cancel)?;
    if args.output == Output::Json {
        output::json(&printer, args.output, &report)?;
    } else {
        printer.stdout(&human_status(&report, &printer))?;
    }
    Ok(ExitStatus::Success)
}

fn human_status(r: &StatusReport, printer: &Printer) -> String {
    let mut out = String::new();
    let mut row = |k: &str, v: String| out.push_str(&format!("{k:<12} {v}\n"));
    row("application", r.application.clone());
    row(
        "environment",
        format!("{} ({})", r.environment, r.environment_id),
    );
    row("platform", r.platform.clone().unwrap_or_else(|| "-".into()));
    let version = r.version_label.clone().unwrap_or_else(|| "none".into());
    row(
        "version",
        match r.instances_on_version {
            Some(n) => format!("{version} (on {} of {} instances)", n.on, n.of),
            None => version,
        },
    );
    row("status", r.status.clone());
    let detail = r
        .health_detail
        .as_ref()
        .and_then(|h| h.status.clone())
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
    row("health", format!("{}{detail}", r.health));
    if let Some(h) = &r.health_detail {
        for c in &h.causes {
            row("  cause", c.clone());
        }
    }
    for i in &r.instances {
        row(
            "  instance",
            format!(
                "{} {} on {}",
                i.id,
                i.health_status.as_deref().unwrap_or("-"),
                i.version_label.as_deref().unwrap_or("no version")
            ),
        );
    }
    row("cname", r.cname.clone().unwrap_or_else(|| "-".into()));
    if !r.events.is_empty() {
        out.push_str("latest events:\n");
        for e in &r.events {
            out.push_str(&printer.event_text(&e.time, &e.severity, &e.message));
        }
    }
    out
}

#[derive(Debug, clap::Args)]
pub(super) struct EventsArgs {
    #[command(flatten)]
    target: Target,
    /// Keep printing new events until Ctrl-C.
    #[arg(help_heading = "Events", long, short = 'f')]
    follow: bool,
    /// Events newer than this (`30m`, `2h`, `90s`) [default: 1 day].
    #[arg(help_heading = "Events", long, value_parser = parse_duration, value_name = "DURATION")]
    since: Option<Duration>,
    /// Only the events of this request (the id `deploy` prints).
    #[arg(help_heading = "Events", long, value_name = "ID")]
    request_id: Option<String>,
    /// `human` (one line per event) or `json` (one object per event), on stdout.
    #[arg(help_heading = "Output", long, visible_alias = "format", value_enum, default_value_t = Output::Human)]
    output: Output,
    /// Fastest and slowest polling interval of `--follow`.
    #[arg(long, value_parser = parse_duration, default_value = "3s", hide = true)]
    poll_min: Duration,
    #[arg(long, value_parser = parse_duration, default_value = "20s", hide = true)]
    poll_max: Duration,
}

pub(super) fn events(args: EventsArgs, printer: Printer) -> Result<ExitStatus, Error> {
    let (settings, aws) = args.target.resolve()?;
    let cancel = signals::cancel_on_signals();
    let req = EventsRequest {
        environment: args.target.env.clone(),
        since: args.since,
        request_id: args.request_id.clone(),
        follow: args.follow,
        poll: PollSettings {
            min: args.poll_min,
            max: args.poll_max.max(args.poll_min),
        },
    };
    let mut failed: Option<Error> = None;
    let json = args.output == Output::Json;
    let mut print = |e: &status::EventLine| {
        if failed.is_some() {
            return;
        }
        let text = if json {
            format!("{}\n", serde_json::to_string(e).unwrap_or_default())
        } else {
            printer.event_text(&e.time, &e.severity, &e.message)
        };
        if let Err(err) = printer.stdout(&text) {
            failed = Some(err);
        }
    };
    let summary = status::events(&settings, &req, &aws, &printer, &mut print, &cancel)?;
    if let Some(e) = failed {
        return Err(e);
    }
    if summary.shown == 0 && !args.follow {
        printer.progress("no events in that time");
    }
    Ok(ExitStatus::Success)
}

#[derive(Debug, clap::Args)]
pub(super) struct SwapArgs {
    /// One environment.
    a: String,
    /// The other.
    b: String,
    /// Application name [default: ebpack.yaml, .elasticbeanstalk/config.yml, else the project folder's name].
    #[arg(help_heading = "Environment", long)]
    app: Option<String>,
    /// Configuration file [default: the nearest ebpack.yaml].
    #[arg(help_heading = "Environment", long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Give up waiting for the swap after this long.
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    timeout: Duration,
    /// `human` or `json` (one object on stdout).
    #[arg(help_heading = "Output", long, visible_alias = "format", value_enum, default_value_t = Output::Human)]
    output: Output,
    #[command(flatten)]
    aws: AwsArgs,
}

pub(super) fn swap(args: SwapArgs, printer: Printer) -> Result<ExitStatus, Error> {
    let settings = super::args::settings(Overrides {
        app: args.app.clone(),
        config: args.config.clone(),
        ..Overrides::default()
    })?;
    let aws = args.aws.settings(settings.region.as_deref());
    let cancel = signals::cancel_on_signals();
    let summary = ebpack::ops::swap::swap(
        &settings,
        &args.a,
        &args.b,
        args.timeout,
        &aws,
        &printer,
        &cancel,
    )?;
    output::json(&printer, args.output, &summary)?;
    if summary.swapped {
        return Ok(ExitStatus::Success);
    }
    for f in &summary.failures {
        printer.outcome(&format!("swap: {f}"));
    }
    let status = ExitStatus::Deploy(ebpack::deploy::update::DeployStatus::Failed);
    printer.verdict(
        true,
        &format!(
            "`{}` and `{}` were not swapped (exit {})",
            args.a,
            args.b,
            status.code()
        ),
    );
    Ok(status)
}
