//! `ebpack entrypoint`: print the container entrypoint script.

use super::args;
use super::exit::{Error, ExitStatus};
use super::printer::Printer;
use ebpack::config::Overrides;
use ebpack::generate::{self, EntrypointPaths};
use ebpack::ops;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The configuration file with the `generate:` section [default: ebpack.yaml when present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The env file inside the container [default: from ebpack.yaml, else /init/environment].
    #[arg(long, value_name = "PATH")]
    env_file: Option<String>,
    /// The pending-commands file inside the container [default: from ebpack.yaml, else /init/commands].
    #[arg(long, value_name = "PATH")]
    commands_file: Option<String>,
}

pub(super) fn run(args: Args, printer: Printer) -> Result<ExitStatus, Error> {
    let config = args::settings(Overrides {
        config: args.config.clone(),
        ..Overrides::default()
    })?
    .generate;
    let mut paths = EntrypointPaths::from_config(&config);
    if let Some(p) = args.env_file {
        paths.env_file = p;
    }
    if let Some(p) = args.commands_file {
        paths.commands_file = p;
    }
    let script = generate::entrypoint_script(&paths).map_err(ops::Error::from)?;
    printer.stdout(&script)?;
    Ok(ExitStatus::Success)
}
