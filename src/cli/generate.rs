//! `ebpack generate [DIR] [--write]`: the `generate:` section of the
//! resolved configuration (ebpack.yaml, `EBPACK_*`, flags) rendered for DIR.

use super::Global;
use ebpack::config::Overrides;
use ebpack::exit;
use ebpack::generate::{self, WriteError, WriteOutcome};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
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

pub fn run(args: Args, global: Global) -> u8 {
    let flags = Overrides {
        config: args.config.clone(),
        bundle: args.dir.clone(),
        ..Overrides::default()
    };
    let settings = match super::build::resolve_settings(flags, global) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let config = settings.generate;
    let dir = settings.bundle_dir;
    let dockerrun_path = dir.join("Dockerrun.aws.json");
    let dockerrun = match std::fs::read_to_string(&dockerrun_path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", dockerrun_path.display());
            return exit::IO;
        }
    };
    let generated = match generate::generate(&config, &dockerrun) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    if generated.files.is_empty() {
        eprintln!(
            "nothing to generate: no feature is enabled in the `generate:` section of ebpack.yaml"
        );
        return exit::OK;
    }
    if args.write {
        match generate::write_files(&dir, &generated.files) {
            Ok(done) => {
                for (path, outcome) in done {
                    let what = match outcome {
                        WriteOutcome::Created => "wrote",
                        WriteOutcome::Unchanged => "unchanged",
                    };
                    eprintln!("{what} {}", path.display());
                }
            }
            Err(e @ WriteError::Conflict(_)) => {
                eprintln!("error: {e}");
                return exit::BUNDLE_ERRORS;
            }
            Err(e) => {
                eprintln!("error: {e}");
                return exit::IO;
            }
        }
        if generated.dockerrun.is_some() {
            eprintln!(
                "note: `ebpack build` also adds the init volume and its mount points to Dockerrun.aws.json in the bundle; `{}` itself is left as it is",
                dockerrun_path.display()
            );
        }
        return exit::OK;
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
    use std::io::Write;
    if std::io::stdout().lock().write_all(out.as_bytes()).is_err() {
        return exit::IO;
    }
    exit::OK
}
