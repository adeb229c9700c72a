//! `ebpack plan --env NAME [DIR | --version LABEL]`: what a deployment
//! would change, for a person (human), a pull request or approval step
//! (markdown) or a machine (json); `--exit-code` makes "there are changes"
//! exit 2, as `git diff --exit-code` does.

use super::args::AwsArgs;
use super::exit::{Error, ExitStatus};
use super::printer::Printer;
use super::signals;
use ebpack::config::{self, Overrides};
use ebpack::ops::build::BuildRequest;
use ebpack::ops::plan::{PlanReport, PlanRequest};
use ebpack::ops::publish::Source;
use ebpack::plan::Change;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PlanOutput {
    Human,
    Json,
    Markdown,
}

#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The bundle folder to build and compare [default: the project's `eb/`].
    dir: Option<PathBuf>,
    /// The environment whose running version is compared [default: `environment` in ebpack.yaml or the EB CLI's branch default].
    #[arg(help_heading = "Environment", long = "env", value_name = "NAME")]
    env: Option<String>,
    /// Compare this published version instead of building.
    #[arg(help_heading = "Environment", long = "version", value_name = "LABEL", conflicts_with_all = ["dir", "label", "image_tag", "pin", "tag_from"])]
    version_label: Option<String>,
    /// Application name [default: ebpack.yaml, .elasticbeanstalk/config.yml, else the project folder's name].
    #[arg(help_heading = "Environment", long)]
    app: Option<String>,
    /// Configuration file [default: the nearest ebpack.yaml].
    #[arg(help_heading = "Environment", long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Label of the bundle built for the comparison.
    #[arg(help_heading = "Bundle", long)]
    label: Option<String>,
    /// Tag every image of `pin.repositories` (or every untagged/`latest` image) with TAG.
    #[arg(
        help_heading = "Bundle",
        long,
        value_name = "TAG",
        conflicts_with = "tag_from"
    )]
    image_tag: Option<String>,
    /// Exact image for one container (repeatable).
    #[arg(help_heading = "Bundle", long, value_name = "CONTAINER=IMAGE_REF", value_parser = config::parse_pin)]
    pin: Vec<(String, String)>,
    /// Read the tag from a JSON file with a jq query (default query `.Version`).
    #[arg(help_heading = "Bundle", long, value_name = "FILE[:QUERY]")]
    tag_from: Option<String>,
    /// `human`, `markdown` (a pull-request comment or an approval step) or `json`, on stdout.
    #[arg(help_heading = "Output", long, visible_alias = "format", value_enum, default_value_t = PlanOutput::Human)]
    output: PlanOutput,
    /// Exit 2 when there are changes (0 when there are none).
    #[arg(help_heading = "Output", long)]
    exit_code: bool,
    #[command(flatten)]
    aws: AwsArgs,
}

pub(super) fn run(args: Args, printer: Printer) -> Result<ExitStatus, Error> {
    let settings = super::args::settings(Overrides {
        bundle: args.dir.clone(),
        app: args.app.clone(),
        config: args.config.clone(),
        label: args.label.clone(),
        image_tag: args.image_tag.clone(),
        tag_from: args.tag_from.clone(),
        pins: args.pin.clone(),
        ..Overrides::default()
    })?;
    let aws = args.aws.settings(settings.region.as_deref());
    let cancel = signals::cancel_on_signals();
    let cwd = std::env::current_dir().unwrap_or_default();
    let req = PlanRequest {
        environment: args.env.clone(),
        version: args.version_label.clone(),
        source: Source::Build(BuildRequest::from_env(&|k| std::env::var(k).ok(), cwd)),
    };
    let report = ebpack::ops::plan::plan(&settings, &req, &aws, &printer, &cancel)?;
    let text = match args.output {
        PlanOutput::Json => format!("{}\n", serde_json::to_value(&report).unwrap_or_default()),
        PlanOutput::Human => human(&report),
        PlanOutput::Markdown => markdown(&report),
    };
    printer.stdout(&text)?;
    Ok(if args.exit_code && report.changes {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}

fn side(label: Option<&str>) -> &str {
    label.unwrap_or("no version")
}

fn value(v: Option<&String>) -> String {
    v.map_or("—".to_owned(), |v| format!("`{v}`"))
}

fn human(r: &PlanReport) -> String {
    let mut out = format!(
        "plan: `{}` runs `{}`; deploying `{}` would change:\n",
        r.environment,
        side(r.running.label.as_deref()),
        side(r.new.label.as_deref())
    );
    if !r.changes {
        out.push_str("  nothing: the bundles are the same\n");
        return out;
    }
    let mut section = |title: &str, changes: &[Change]| {
        if changes.is_empty() {
            return;
        }
        out.push_str(&format!("{title}:\n"));
        for c in changes {
            out.push_str(&format!(
                "  {}: {} -> {}\n",
                c.what,
                value(c.before.as_ref()),
                value(c.after.as_ref())
            ));
        }
    };
    section("images", &r.diff.images);
    section("containers", &r.diff.containers);
    section("option settings", &r.diff.options);
    let f = &r.diff.files;
    for (title, list) in [
        ("added", &f.added),
        ("removed", &f.removed),
        ("changed", &f.changed),
    ] {
        if !list.is_empty() {
            out.push_str(&format!("files {title}: {}\n", list.join(", ")));
        }
    }
    out
}

fn markdown(r: &PlanReport) -> String {
    let mut out = format!(
        "### Deploying `{}` to `{}`\n\nRunning now: `{}`.\n\n",
        side(r.new.label.as_deref()),
        r.environment,
        side(r.running.label.as_deref())
    );
    if !r.changes {
        out.push_str("No changes: the bundles are the same.\n");
        return out;
    }
    let mut table = |title: &str, changes: &[Change]| {
        if changes.is_empty() {
            return;
        }
        out.push_str(&format!(
            "**{title}**\n\n| | before | after |\n|---|---|---|\n"
        ));
        for c in changes {
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                c.what.replace('|', "\\|"),
                value(c.before.as_ref()).replace('|', "\\|"),
                value(c.after.as_ref()).replace('|', "\\|")
            ));
        }
        out.push('\n');
    };
    table("Images", &r.diff.images);
    table("Containers", &r.diff.containers);
    table("Option settings", &r.diff.options);
    let f = &r.diff.files;
    if !(f.added.is_empty() && f.removed.is_empty() && f.changed.is_empty()) {
        out.push_str("**Files**\n\n");
        for (title, list) in [
            ("added", &f.added),
            ("removed", &f.removed),
            ("changed", &f.changed),
        ] {
            for name in list.iter() {
                out.push_str(&format!("- {title}: `{name}`\n"));
            }
        }
    }
    out
}
