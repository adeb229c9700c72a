//! `ebpack deploy --env NAME`: publish (or take `--version LABEL`), update
//! the environment, wait until it is really done, and exit with a code a
//! pipeline can trust (0 deployed, 3 health gate, 4 failed, 5 still running).

use super::args::{PublishArgs, parse_duration};
use super::exit::{Error, ExitStatus};
use super::printer::Printer;
use super::{output, signals};
use ebpack::deploy::poll::PollSettings;
use ebpack::deploy::update::{DeployOutcome, DeployStatus};
use ebpack::ops::deploy::{self, DeployRequest};
use std::time::Duration;

#[derive(Debug, clap::Args)]
#[group(id = "deploy_args")]
pub(super) struct Args {
    /// The environment to deploy to [default: `environment` in ebpack.yaml or the EB CLI's branch default].
    #[arg(help_heading = "Deployment", long = "env", value_name = "NAME")]
    pub env: Option<String>,
    /// Deploy this existing application version (the promote path) instead of publishing.
    // Build and publish flags mean nothing for a version that already
    // exists: refuse them rather than ignore them.
    #[arg(
        help_heading = "Deployment",
        long = "version",
        value_name = "LABEL",
        conflicts_with_all = [
            "bundle", "dir", "label", "image_tag", "pin", "tag_from", "require_pinned",
            "fix", "from_git", "bucket", "process", "create_app",
        ]
    )]
    pub version_label: Option<String>,
    /// Give up waiting after this long (`600`, `90s`, `20m`, `1h`); the deployment may go on.
    #[arg(help_heading = "Waiting", long, default_value = "30m", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Return as soon as Elastic Beanstalk accepted the update.
    #[arg(help_heading = "Waiting", long)]
    pub no_wait: bool,
    /// On failure (or a missed health gate), redeploy the label the environment ran before.
    #[arg(help_heading = "Deployment", long)]
    pub rollback: bool,
    /// Health colours that pass the gate, comma-separated.
    #[arg(help_heading = "Waiting", long, value_delimiter = ',', default_value = "Green", ignore_case = true, value_parser = ["Green", "Yellow", "Red", "Grey"])]
    pub healthy: Vec<String>,
    /// How long health may take to reach the gate after the deployment.
    #[arg(help_heading = "Waiting", long, default_value = "5m", value_parser = parse_duration)]
    pub health_grace: Duration,
    /// Blue/green: after `--env` is deployed and healthy, swap its CNAME with this environment's (the one serving production), and check that both moved.
    #[arg(
        help_heading = "Deployment",
        long,
        value_name = "ENV",
        conflicts_with = "no_wait"
    )]
    pub swap_with: Option<String>,
    /// Deploy even when the environment already runs this label.
    #[arg(help_heading = "Deployment", long)]
    pub force: bool,
    /// Fastest and slowest polling interval (`2s`, `20s`).
    #[arg(long, value_parser = parse_duration, default_value = "3s", hide = true)]
    pub poll_min: Duration,
    #[arg(long, value_parser = parse_duration, default_value = "20s", hide = true)]
    pub poll_max: Duration,
    #[command(flatten)]
    pub publish: PublishArgs,
}

pub(super) fn run(args: Args, printer: Printer) -> Result<ExitStatus, Error> {
    if let Some(dir) = &args.publish.build.dir
        && let Some(name) = env_name_given_as_folder(dir)
    {
        // The `eb deploy ENV` habit: the argument is a bundle folder here.
        return Err(ebpack::ops::Error::Usage(format!(
            "`{name}` is not a folder: `ebpack deploy` takes a bundle folder as its argument; to deploy to the environment `{name}`, pass `--env {name}`{}",
            if args.env.is_some() { "" } else { " (`eb deploy ENV` takes the environment there)" }
        ))
        .into());
    }
    let settings = args.publish.build.settings_told(&printer)?;
    let cancel = signals::cancel_on_signals();
    let aws = args.publish.aws.settings(settings.region.as_deref());
    let req = DeployRequest {
        environment: args.env.clone(),
        version: args.version_label.clone(),
        publish: args.publish.request(),
        timeout: args.timeout,
        healthy: args.healthy.clone(),
        health_grace: args.health_grace,
        no_wait: args.no_wait,
        rollback: args.rollback,
        force: args.force,
        poll: PollSettings {
            min: args.poll_min,
            max: args.poll_max,
        },
    };
    if let Some(live) = &args.swap_with {
        // Before anything is uploaded: the production side must be there.
        ebpack::ops::swap::check_live_env(&settings, live, &aws, &cancel)?;
    }
    let summary = deploy::deploy(&settings, &req, &aws, &printer, &cancel)?;
    let o = &summary.outcome;
    let follow = Follow {
        app: &summary.application,
        region: summary.region.as_deref(),
    };
    explain(o, &follow, &printer);
    if let Some(rb) = &o.rollback {
        say(&printer, o.status, "rollback:");
        explain(rb, &follow, &printer);
    }
    let status = ExitStatus::Deploy(o.status);
    if let Some(live) = &args.swap_with {
        return blue_green(
            &args, &settings, &aws, &printer, &cancel, &summary, live, status,
        );
    }
    output::json_and_github(&printer, args.publish.build.output, &summary)?;
    // The last line states the outcome: a pipeline log is read from the end.
    if let Some((failure, text)) = verdict(o) {
        printer.verdict(failure, &format!("{text} (exit {})", status.code()));
    }
    Ok(status)
}

/// What a command printed to follow a deployment needs.
struct Follow<'a> {
    app: &'a str,
    region: Option<&'a str>,
}

/// The closing line of a deployment that did not simply succeed:
/// `(is a failure, text)`; `None` on success.
fn verdict(o: &DeployOutcome) -> Option<(bool, String)> {
    let runs = o.final_label.as_deref().unwrap_or("no version");
    let rollback = match &o.rollback {
        None => String::new(),
        Some(rb) => match rb.status {
            DeployStatus::Deployed | DeployStatus::Unchanged => {
                format!("; rolled back to `{}`", rb.label)
            }
            DeployStatus::Skipped => format!(
                "; not rolled back to `{}`: another deployment acted on the environment",
                rb.label
            ),
            DeployStatus::Superseded => format!(
                "; rolled back to `{}`, then another deployment replaced it",
                rb.label
            ),
            DeployStatus::TimedOut => {
                format!("; the rollback to `{}` did not finish in time", rb.label)
            }
            _ => format!("; the rollback to `{}` failed too", rb.label),
        },
    };
    let (failure, text) = match o.status {
        DeployStatus::Deployed | DeployStatus::Unchanged | DeployStatus::Started => return None,
        DeployStatus::Failed => (
            true,
            format!(
                "deploying `{}` to `{}` failed{rollback}",
                o.label, o.environment
            ),
        ),
        DeployStatus::HealthGateFailed => (
            true,
            format!(
                "`{}` runs `{}` but its health is {}, not what the gate accepts{rollback}",
                o.environment, o.label, o.health
            ),
        ),
        DeployStatus::TimedOut => (
            true,
            format!(
                "timed out waiting for `{}` on `{}`; the deployment may still be running",
                o.label, o.environment
            ),
        ),
        DeployStatus::Superseded => (
            false,
            format!(
                "`{}` was deployed to `{}`, then replaced by another deployment: `{runs}` runs",
                o.label, o.environment
            ),
        ),
        DeployStatus::Skipped => return None,
    };
    Some((failure, text))
}

/// A verdict line: progress when all went well, else the outcome of a
/// failure (printed even under `-q`).
fn say(printer: &Printer, status: DeployStatus, line: &str) {
    if ExitStatus::Deploy(status).code() == super::exit::OK {
        printer.progress(line);
    } else {
        printer.outcome(line);
    }
}

fn explain(o: &DeployOutcome, follow: &Follow<'_>, printer: &Printer) {
    let app = follow.app;
    let what = match o.status {
        DeployStatus::Deployed => format!(
            "deployed `{}` to `{}`: Ready, health {}",
            o.label, o.environment, o.health
        ),
        DeployStatus::Unchanged => format!(
            "`{}` already runs `{}`: Ready, health {}",
            o.environment, o.label, o.health
        ),
        DeployStatus::Started => format!(
            "`{}` is deploying `{}` (not waiting: --no-wait)",
            o.environment, o.label
        ),
        DeployStatus::HealthGateFailed => format!(
            "`{}` runs `{}` but its health is {}: the health gate was not met",
            o.environment, o.label, o.health
        ),
        DeployStatus::Failed => format!(
            "deploying `{}` to `{}` failed; the environment runs `{}` (status {}, health {})",
            o.label,
            o.environment,
            o.final_label.as_deref().unwrap_or("no version"),
            o.env_status,
            o.health
        ),
        DeployStatus::Superseded => format!(
            "deployed `{}` to `{}`, then another deployment replaced it: the environment runs `{}`",
            o.label,
            o.environment,
            o.final_label.as_deref().unwrap_or("no version")
        ),
        DeployStatus::Skipped => format!(
            "not rolled back to `{}`: the environment runs `{}` (status {}), not what the failed deployment left",
            o.label,
            o.final_label.as_deref().unwrap_or("no version"),
            o.env_status
        ),
        DeployStatus::TimedOut => format!(
            "timed out after {:.0} s while `{}` is `{}`: the deployment may still be running",
            o.wait_seconds, o.environment, o.env_status
        ),
    };
    if o.status == DeployStatus::Deployed {
        printer.success(&what);
    } else {
        say(printer, o.status, &what);
    }
    for f in &o.failures {
        say(printer, o.status, &format!("  - {f}"));
    }
    if o.status == DeployStatus::TimedOut {
        let req = o
            .request_id
            .as_deref()
            .map(|r| format!(" --request-id {r}"))
            .unwrap_or_default();
        say(
            printer,
            o.status,
            &format!(
                "follow it with `aws elasticbeanstalk describe-events --application-name {app} --environment-name {}{req}{region}`, or wait again with `ebpack deploy --version {} --env {} --app {app}{region}`",
                o.environment,
                o.label,
                o.environment,
                region = follow
                    .region
                    .map(|r| format!(" --region {r}"))
                    .unwrap_or_default()
            ),
        );
    }
}

/// The name, when `dir` does not exist and reads as an environment name
/// (4–40 letters, digits and hyphens, as Elastic Beanstalk allows), not a
/// path.
fn env_name_given_as_folder(dir: &std::path::Path) -> Option<String> {
    if dir.exists() {
        return None;
    }
    let name = dir.to_str()?;
    let env_like = (4..=40).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    env_like.then(|| name.to_owned())
}

/// After the deployment: swap when it is deployed and healthy, else say
/// that production was not touched. One JSON object: the deployment's, with
/// `swap` added.
#[allow(clippy::too_many_arguments)]
fn blue_green(
    args: &Args,
    settings: &ebpack::config::Settings,
    aws: &ebpack::aws::AwsSettings,
    printer: &Printer,
    cancel: &ebpack::cancel::Cancel,
    summary: &deploy::DeploySummary,
    live: &str,
    status: ExitStatus,
) -> Result<ExitStatus, Error> {
    let o = &summary.outcome;
    let mut value = serde_json::to_value(summary).unwrap_or_default();
    let healthy = matches!(o.status, DeployStatus::Deployed | DeployStatus::Unchanged);
    let mut status = status;
    if healthy {
        let swap = ebpack::ops::swap::swap(
            settings,
            &o.environment,
            live,
            args.timeout,
            aws,
            printer,
            cancel,
        )?;
        if !swap.swapped {
            status = ExitStatus::Deploy(DeployStatus::Failed);
            for f in &swap.failures {
                printer.outcome(&format!("swap: {f}"));
            }
            printer.verdict(
                true,
                &format!(
                    "`{}` runs `{}`, but the swap with `{live}` did not complete (exit {})",
                    o.environment,
                    o.label,
                    status.code()
                ),
            );
        } else {
            printer.success(&format!(
                "`{}` (running `{}`) now serves {}",
                o.environment,
                o.label,
                swap.after[0].cname.as_deref().unwrap_or("-")
            ));
        }
        value["swap"] = serde_json::to_value(&swap).unwrap_or_default();
    } else {
        printer.outcome(&format!(
            "not swapped: `{live}` still serves production, untouched"
        ));
        value["swap"] = serde_json::json!({"swapped": false, "failures": ["the deployment did not pass; production was not touched"]});
    }
    output::json_and_github(printer, args.publish.build.output, &value)?;
    if !healthy && let Some((failure, text)) = verdict(o) {
        printer.verdict(
            failure,
            &format!("{text}; `{live}` was not touched (exit {})", status.code()),
        );
    }
    Ok(status)
}
