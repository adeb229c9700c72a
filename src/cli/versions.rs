//! `ebpack versions [list]` and `ebpack versions prune`: an application's
//! versions, which environments run them, and pruning that never deletes
//! what runs or would be rolled back to.

use super::args::{AwsArgs, Output, parse_duration};
use super::exit::{Error, ExitStatus};
use super::printer::Printer;
use super::{output, signals};
use ebpack::config::Overrides;
use ebpack::ops::versions::{self, PruneRequest};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub(super) struct Args {
    #[command(subcommand)]
    action: Option<Action>,
    /// Application name [default: ebpack.yaml, .elasticbeanstalk/config.yml, else the project folder's name].
    #[arg(help_heading = "Application", long, global = true)]
    app: Option<String>,
    /// Configuration file [default: the nearest ebpack.yaml].
    #[arg(help_heading = "Application", long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    /// `human` (a table) or `json` (one object) on stdout.
    #[arg(help_heading = "Output", long, visible_alias = "format", value_enum, default_value_t = Output::Human, global = true)]
    output: Output,
    #[command(flatten)]
    aws: AwsArgs,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// List the versions, newest first, with size, sha256 and the environments that run them (the default).
    List,
    /// Delete old versions; never one an environment runs or would roll back to. Says what it would delete unless --yes.
    Prune(PruneArgs),
}

#[derive(Debug, clap::Args)]
struct PruneArgs {
    /// Keep the newest N versions whatever else holds.
    #[arg(long, value_name = "N", default_value_t = 10)]
    keep: usize,
    /// Only versions older than this (`30d`, `12h`).
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    older_than: Option<Duration>,
    /// Delete each version's source bundle in S3 too.
    #[arg(long)]
    delete_source: bool,
    /// Delete. Without it, prune only says what it would delete.
    #[arg(long)]
    yes: bool,
}

/// `30d`, or any duration `--timeout` takes.
fn parse_age(s: &str) -> Result<Duration, String> {
    match s.strip_suffix('d').map(str::parse::<u64>) {
        Some(Ok(days)) => Ok(Duration::from_secs(days * 86_400)),
        _ => parse_duration(s),
    }
}

pub(super) fn run(args: Args, printer: Printer) -> Result<ExitStatus, Error> {
    let settings = super::args::settings(Overrides {
        app: args.app.clone(),
        config: args.config.clone(),
        ..Overrides::default()
    })?;
    let aws = args.aws.settings(settings.region.as_deref());
    let cancel = signals::cancel_on_signals();
    match args.action.unwrap_or(Action::List) {
        Action::List => {
            let list = versions::list(&settings, &aws, &cancel)?;
            if args.output == Output::Json {
                output::json(&printer, args.output, &list)?;
            } else {
                printer.stdout(&table(&list))?;
                if let Some(q) = list.quota
                    && list.versions.len() * 5 >= q as usize * 4
                {
                    printer.verdict(
                        false,
                        &format!(
                            "`{}` has {} versions; the region's quota is {q} for all applications: prune with `ebpack versions prune`",
                            list.application,
                            list.versions.len()
                        ),
                    );
                }
            }
        }
        Action::Prune(p) => {
            let req = PruneRequest {
                keep: p.keep,
                older_than: p.older_than,
                delete_source: p.delete_source,
                yes: p.yes,
            };
            let summary = versions::prune(&settings, &req, &aws, &printer, &cancel)?;
            if args.output == Output::Json {
                output::json(&printer, args.output, &summary)?;
            } else if !summary.applied {
                let mut text = format!(
                    "would delete {} of {} versions of `{}` (run with --yes to delete):\n",
                    summary.deleted.len(),
                    summary.deleted.len() + summary.kept.len(),
                    summary.application
                );
                for l in &summary.deleted {
                    text.push_str(&format!("  {l}\n"));
                }
                printer.stdout(&text)?;
            } else {
                printer.progress(&format!(
                    "deleted {} versions of `{}`; kept {}",
                    summary.deleted.len(),
                    summary.application,
                    summary.kept.len()
                ));
            }
            if !summary.failed.is_empty() {
                return Err(ebpack::ops::Error::Usage(format!(
                    "{} versions could not be deleted: {}",
                    summary.failed.len(),
                    summary
                        .failed
                        .iter()
                        .map(|(l, why)| format!("`{l}` ({why})"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .into());
            }
        }
    }
    Ok(ExitStatus::Success)
}

fn table(list: &versions::VersionList) -> String {
    let mut out = format!(
        "{:<24} {:<24} {:>10} {:<14} {}\n",
        "LABEL", "CREATED", "SIZE", "SHA256", "ENVIRONMENTS"
    );
    for v in &list.versions {
        let mut envs: Vec<String> = v.running_in.clone();
        envs.extend(v.previous_in.iter().map(|e| format!("{e} (previous)")));
        out.push_str(&format!(
            "{:<24} {:<24} {:>10} {:<14} {}\n",
            v.label,
            v.created.as_deref().unwrap_or("-"),
            v.size.map_or("-".into(), ebpack::bundle::human_size),
            v.sha256.as_deref().map_or("-", |d| &d[..12.min(d.len())]),
            envs.join(", ")
        ));
    }
    out
}
