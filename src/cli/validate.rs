//! `ebpack validate [PATH]`.

use super::exit::{Error, ExitStatus};
use super::printer::Printer;
use ebpack::diag::render;
use ebpack::ops;
use ebpack::validate::{self, Options, Platform};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// A bundle folder, a built `.zip`, a `Dockerrun.aws.json`, a bare `docker-compose.yml` or a `.config` file.
    #[arg(default_value = "eb")]
    path: PathBuf,
    /// Platform the bundle targets (rules that differ by platform).
    #[arg(long, default_value = "ecs-al2", value_parser = ["ecs-al2", "mc-al1", "docker-al2"])]
    platform: String,
    /// Output format: `human` (stderr, with source snippets) or `json` (stdout, one object per line).
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,
    /// Treat warnings as errors (exit 1 on any warning).
    #[arg(long)]
    strict: bool,
    /// Report unknown container-definition keys (R21) as warnings, not errors.
    #[arg(long)]
    allow_unknown_keys: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FormatArg {
    Human,
    Json,
}

pub(super) fn run(args: Args, printer: Printer) -> Result<ExitStatus, Error> {
    let platform: Platform = args.platform.parse().map_err(ops::Error::Usage)?;
    let options = Options {
        platform,
        allow_unknown_keys: args.allow_unknown_keys,
    };
    let report = validate::validate_path(&args.path, &options).map_err(ops::Error::Read)?;
    let fails = report.fails(args.strict);
    match args.format {
        FormatArg::Json => {
            let mut lines = String::new();
            for d in &report.diagnostics {
                lines.push_str(&render::json(d));
                lines.push('\n');
            }
            printer.stdout(&lines)?;
            let summary = format!("{}: {}\n", args.path.display(), render::summary(&report));
            if fails {
                printer.failure_note(&summary);
            } else {
                printer.note(&summary);
            }
        }
        FormatArg::Human => printer.report(&report, fails),
    }
    Ok(if fails {
        ExitStatus::BundleErrors
    } else {
        ExitStatus::Success
    })
}
