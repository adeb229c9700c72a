//! `ebpack validate [PATH]`.

use super::Global;
use ebpack::diag::render::{self, Format};
use ebpack::exit;
use ebpack::validate::{self, Options, Platform};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
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

pub fn run(args: Args, global: Global) -> u8 {
    let platform: Platform = match args.platform.parse() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let options = Options {
        platform,
        allow_unknown_keys: args.allow_unknown_keys,
    };
    let report = match validate::validate_path(&args.path, &options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            if let Some(help) = e.help() {
                eprintln!("help: {help}");
            }
            return exit::IO;
        }
    };
    let format = match args.format {
        FormatArg::Human => Format::Human,
        FormatArg::Json => Format::Json,
    };
    match format {
        Format::Json => {
            let mut out = std::io::stdout().lock();
            for d in &report.diagnostics {
                if writeln!(out, "{}", render::json(d)).is_err() {
                    return exit::IO;
                }
            }
            eprintln!("{}: {}", args.path.display(), render::summary(&report));
        }
        Format::Human => {
            eprint!("{}", render::human_report(&report, global.color));
        }
    }
    if report.fails(args.strict) {
        exit::BUNDLE_ERRORS
    } else {
        exit::OK
    }
}
