//! `ebpack inspect ZIP`: entries with modes and sizes, the sha256, and the
//! validation findings of the archive.

use super::Global;
use ebpack::bundle::inspect;
use ebpack::diag::render;
use ebpack::exit;
use ebpack::validate::{self, Options};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A built bundle `.zip`.
    zip: PathBuf,
    /// Platform to validate for.
    #[arg(long, default_value = "ecs-al2", value_parser = ["ecs-al2", "mc-al1", "docker-al2"])]
    platform: String,
    /// `human` (a table) or `json` (one object) on stdout; findings go to stderr.
    #[arg(long, value_enum, default_value_t = super::build::Output::Human)]
    output: super::build::Output,
}

pub fn run(args: Args, global: Global) -> u8 {
    let listing = match inspect::inspect(&args.zip) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::IO;
        }
    };
    let options = Options {
        platform: args.platform.parse().unwrap_or_default(),
        allow_unknown_keys: false,
    };
    let report = match validate::read_zip(&args.zip) {
        Ok(b) => validate::validate_bundle(&b, &options),
        Err(e) => {
            eprintln!("error: {e}");
            return exit::IO;
        }
    };
    let mut out = std::io::stdout().lock();
    let ok = match args.output {
        super::build::Output::Json => {
            let mut v = serde_json::to_value(&listing).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert("summary".into(), render::summary(&report).into());
            }
            writeln!(out, "{v}").is_ok()
        }
        super::build::Output::Human => {
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
            out.write_all(text.as_bytes()).is_ok()
        }
    };
    if !ok {
        return exit::IO;
    }
    eprint!("{}", render::human_report(&report, global.color));
    if report.fails(false) {
        exit::BUNDLE_ERRORS
    } else {
        exit::OK
    }
}
