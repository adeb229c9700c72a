//! `ebpack inspect ZIP`: entries with modes and sizes, the sha256, and the
//! validation findings of the archive.

use super::args::Output;
use super::exit::{Error, ExitStatus};
use super::printer::Printer;
use ebpack::bundle::inspect;
use ebpack::diag::render;
use ebpack::ops;
use ebpack::validate::{self, Options};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// A built bundle `.zip`.
    zip: PathBuf,
    /// Platform to validate for.
    #[arg(help_heading = "Rules", long, default_value = "ecs-al2", value_parser = ["ecs-al2", "mc-al1", "docker-al2"])]
    platform: String,
    /// `human` (a table) or `json` (one object) on stdout; findings go to stderr.
    #[arg(help_heading = "Output", long, visible_alias = "format", value_enum, default_value_t = Output::Human)]
    output: Output,
}

/// `--output json`: the listing and the validation summary.
#[derive(serde::Serialize)]
struct Summary<'a> {
    #[serde(flatten)]
    listing: &'a inspect::Inspection,
    summary: String,
}

pub(super) fn run(args: Args, printer: Printer) -> Result<ExitStatus, Error> {
    let listing = inspect::inspect(&args.zip).map_err(ops::Error::Read)?;
    let options = Options {
        platform: args.platform.parse().unwrap_or_default(),
        allow_unknown_keys: false,
    };
    let bundle = validate::read_zip(&args.zip).map_err(ops::Error::Read)?;
    let report = validate::validate_bundle(&bundle, &options);
    let text = match args.output {
        Output::Json => {
            let summary = Summary {
                listing: &listing,
                summary: render::summary(&report),
            };
            format!("{}\n", serde_json::to_value(&summary).unwrap_or_default())
        }
        Output::Human => {
            let mut text = format!(
                "sha256  {}\nsize    {} bytes, {} entries\n\nmode    {:>10}  {:>10}  method    name\n",
                listing.sha256,
                listing.size,
                listing.entries.len(),
                "size",
                "packed"
            );
            for e in &listing.entries {
                text.push_str(&format!(
                    "{:<6}  {:>10}  {:>10}  {:<8}  {}\n",
                    e.mode.as_deref().unwrap_or("-"),
                    e.size,
                    e.compressed,
                    e.method,
                    e.name
                ));
            }
            text
        }
    };
    printer.stdout(&text)?;
    let fails = report.fails(false);
    printer.report(&report, fails);
    Ok(if fails {
        ExitStatus::BundleErrors
    } else {
        ExitStatus::Success
    })
}
