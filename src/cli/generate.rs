//! `ebpack generate [DIR] [--write]`.
//!
//! Reads the `generate:` section of `ebpack.yaml` directly for now; the full
//! configuration loader (`src/config/`) replaces [`load_generate_config`] at
//! merge.

use super::Global;
use ebpack::exit;
use ebpack::generate::{self, GenerateConfig, WriteError, WriteOutcome};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The bundle folder (holds `Dockerrun.aws.json`).
    #[arg(default_value = "eb")]
    dir: PathBuf,
    /// The configuration file with the `generate:` section [default: ebpack.yaml when present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Write the files into DIR/.ebextensions and DIR/.platform instead of
    /// printing them. Never replaces a file with other content.
    #[arg(long)]
    write: bool,
}

/// Why the configuration could not be read.
pub enum ConfigError {
    Io(PathBuf, std::io::Error),
    Parse(PathBuf, String),
}

impl ConfigError {
    pub fn report(&self) -> u8 {
        match self {
            ConfigError::Io(p, e) => {
                eprintln!("error: cannot read `{}`: {e}", p.display());
                exit::IO
            }
            ConfigError::Parse(p, e) => {
                eprintln!("error: `{}`: {e}", p.display());
                exit::USAGE
            }
        }
    }
}

/// The `generate:` section of `path` (default `ebpack.yaml`, which may be
/// missing: then every feature is off).
pub fn load_generate_config(path: Option<&Path>) -> Result<GenerateConfig, ConfigError> {
    #[derive(serde::Deserialize, Default)]
    struct File {
        #[serde(default)]
        generate: Option<GenerateConfig>,
    }
    let (path, required) = match path {
        Some(p) => (p.to_owned(), true),
        None => (PathBuf::from("ebpack.yaml"), false),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(GenerateConfig::default());
        }
        Err(e) => return Err(ConfigError::Io(path, e)),
    };
    if text.trim().is_empty() {
        return Ok(GenerateConfig::default());
    }
    let file: File =
        serde_saphyr::from_str(&text).map_err(|e| ConfigError::Parse(path, e.to_string()))?;
    Ok(file.generate.unwrap_or_default())
}

pub fn run(args: Args, _global: Global) -> u8 {
    let config = match load_generate_config(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return e.report(),
    };
    let dockerrun_path = args.dir.join("Dockerrun.aws.json");
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
        match generate::write_files(&args.dir, &generated.files) {
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
