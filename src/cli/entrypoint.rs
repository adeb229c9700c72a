//! `ebpack entrypoint`: print the container entrypoint script.

use super::Global;
use super::generate::load_generate_config;
use ebpack::exit;
use ebpack::generate::{self, EntrypointPaths};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
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

pub fn run(args: Args, _global: Global) -> u8 {
    let config = match load_generate_config(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return e.report(),
    };
    let mut paths = EntrypointPaths::from_config(&config);
    if let Some(p) = args.env_file {
        paths.env_file = p;
    }
    if let Some(p) = args.commands_file {
        paths.commands_file = p;
    }
    let script = match generate::entrypoint_script(&paths) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    if std::io::stdout()
        .lock()
        .write_all(script.as_bytes())
        .is_err()
    {
        return exit::IO;
    }
    exit::OK
}
