//! `ebpack validate [PATH]`.

use super::exit::{Error, ExitStatus};
use super::printer::Printer;
use ebpack::diag::render;
use ebpack::ops;
use ebpack::validate::{self, Options, Platform};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// A bundle folder, a built `.zip`, a `Dockerrun.aws.json`, a bare `docker-compose.yml` or a `.config` file [default: the project's bundle folder: `bundle` of the nearest ebpack.yaml, else `eb`].
    path: Option<PathBuf>,
    /// Platform the bundle targets (rules that differ by platform).
    #[arg(help_heading = "Rules", long, default_value = "ecs-al2", value_parser = ["ecs-al2", "mc-al1", "docker-al2"])]
    platform: String,
    /// Output format: `human` (stderr, with source snippets) or `json` (stdout, one object per line). Also spelled `--output`.
    #[arg(help_heading = "Output", long, visible_alias = "output", value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,
    /// Treat warnings as errors (exit 1 on any warning).
    #[arg(help_heading = "Rules", long)]
    strict: bool,
    /// Report unknown container-definition keys (R21) as warnings, not errors.
    #[arg(help_heading = "Rules", long)]
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
    let path = args.path.clone().unwrap_or_else(default_bundle);
    let report = validate::validate_path(&path, &options).map_err(ops::Error::Read)?;
    let fails = report.fails(args.strict);
    match args.format {
        FormatArg::Json => {
            let mut lines = String::new();
            for d in &report.diagnostics {
                lines.push_str(&render::json(d));
                lines.push('\n');
            }
            printer.stdout(&lines)?;
            let summary = format!("{}: {}\n", path.display(), render::summary(&report));
            if fails {
                printer.failure_note(&summary);
            } else {
                printer.note(&summary);
            }
        }
        FormatArg::Human => printer.report(&report, fails),
    }
    if fails && !report.fails(false) {
        // Only warnings: say why they fail, or "0 errors" reads like a pass.
        let n = report.count(ebpack::diag::Severity::Warning);
        printer.verdict(
            true,
            &format!(
                "{n} warning{} fail{} the check under `--strict` (exit 1); fix {}, or drop `--strict` to let warnings pass",
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" },
                if n == 1 { "it" } else { "them" },
            ),
        );
    }
    Ok(if fails {
        ExitStatus::BundleErrors
    } else {
        ExitStatus::Success
    })
}

/// The bundle folder of the project (`bundle` of the nearest `ebpack.yaml`,
/// found in this folder or a parent; else `eb`), as a path relative to the
/// working directory when it is below or beside it.
fn default_bundle() -> PathBuf {
    let Ok(settings) = super::args::settings(ebpack::config::Overrides::default()) else {
        return PathBuf::from("eb");
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    relative_to(&settings.bundle_dir, &cwd)
}

/// `path` from `base` (`eb`, `../eb`), or `path` itself when they share no prefix.
fn relative_to(path: &std::path::Path, base: &std::path::Path) -> PathBuf {
    for (up, dir) in base.ancestors().enumerate() {
        if let Ok(rest) = path.strip_prefix(dir) {
            let mut out: PathBuf = std::iter::repeat_n("..", up).collect();
            out.push(rest);
            return out;
        }
    }
    path.to_owned()
}
