//! `ebpack entrypoint`: print the container entrypoint script.

use super::Global;
use ebpack::config::Overrides;
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

pub fn run(args: Args, global: Global) -> u8 {
    let flags = Overrides {
        config: args.config.clone(),
        ..Overrides::default()
    };
    let config = match super::build::resolve_settings(flags, global) {
        Ok(s) => s.generate,
        Err(code) => return code,
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
