//! `ebpack generate [DIR] [--write]`: the `generate:` section of the
//! resolved configuration (ebpack.yaml, `EBPACK_*`, flags) rendered for DIR.

use super::args;
use super::exit::{Error, ExitStatus};
use super::printer::Printer;
use ebpack::config::Overrides;
use ebpack::generate::{self, WriteOutcome};
use ebpack::ops;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The bundle folder (holds `Dockerrun.aws.json`) [default: `bundle` from ebpack.yaml, else `eb`].
    dir: Option<PathBuf>,
    /// The configuration file with the `generate:` section [default: ./ebpack.yaml].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Write the files into DIR/.ebextensions and DIR/.platform instead of
    /// printing them. Never replaces a file with other content.
    #[arg(long)]
    write: bool,
}

pub(super) fn run(args: Args, printer: Printer) -> Result<ExitStatus, Error> {
    let settings = args::settings(Overrides {
        config: args.config.clone(),
        bundle: args.dir.clone(),
        ..Overrides::default()
    })?;
    let Some(config_file) = settings.config_file.clone() else {
        return Err(ops::Error::Usage(
            "nothing to generate: no `ebpack.yaml` here or in a parent folder; `generate` renders the features its `generate:` section enables (docs/generate.md), or pass one with `--config FILE`".into(),
        )
        .into());
    };
    let config = settings.generate;
    let dir = settings.bundle_dir;
    let dockerrun_path = dir.join("Dockerrun.aws.json");
    let dockerrun = match std::fs::read_to_string(&dockerrun_path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(
                ops::Error::Io(format!("cannot read `{}`: {e}", dockerrun_path.display())).into(),
            );
        }
    };
    let generated = generate::generate(&config, &dockerrun).map_err(ops::Error::from)?;
    if generated.files.is_empty() {
        printer.note(&format!(
            "nothing to generate: no feature is enabled in the `generate:` section of `{}`\n",
            config_file.display()
        ));
        return Ok(ExitStatus::Success);
    }
    if args.write {
        let done = generate::write_files(&dir, &generated.files).map_err(ops::Error::from)?;
        for (path, outcome) in done {
            let what = match outcome {
                WriteOutcome::Created => "wrote",
                WriteOutcome::Unchanged => "unchanged",
            };
            printer.note(&format!("{what} {}\n", path.display()));
        }
        if generated.dockerrun.is_some() {
            printer.note(&format!(
                "note: `ebpack build` also adds the init volume and its mount points to Dockerrun.aws.json in the bundle; `{}` itself is left as it is\n",
                dockerrun_path.display()
            ));
        }
        return Ok(ExitStatus::Success);
    }
    let mut out = String::new();
    for f in &generated.files {
        out.push_str(&format!("==> {} (mode {:04o}) <==\n", f.path, f.mode));
        out.push_str(&f.content);
        out.push('\n');
    }
    if let Some(d) = &generated.dockerrun {
        out.push_str("==> Dockerrun.aws.json (as `ebpack build` rewrites it in the bundle) <==\n");
        out.push_str(d);
        if !d.ends_with('\n') {
            out.push('\n');
        }
    }
    printer.stdout(&out)?;
    Ok(ExitStatus::Success)
}
