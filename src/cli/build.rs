//! `ebpack build [DIR]`: flags and `EBPACK_*` into settings, then the
//! library's pipeline; progress on stderr, `--output json` on stdout.

use super::Global;
use ebpack::build::{self, BuildError, BuildOptions, BuildOutput};
use ebpack::config::{self, ConfigError, Inputs, Overrides, Settings};
use ebpack::diag::render;
use ebpack::exit;
use ebpack::label::{self, LabelInputs};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, clap::Args)]
#[group(id = "build_args")]
pub struct Args {
    /// The bundle folder [default: `bundle` from ebpack.yaml, else `eb`].
    pub dir: Option<PathBuf>,
    /// Output folder for the zip, its manifest and version.json [default: dist].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Version label (1–100 characters, no `/`) [default: CodeBuild variables, else git sha + content hash].
    #[arg(long)]
    pub label: Option<String>,
    /// Application name [default: ebpack.yaml, .elasticbeanstalk/config.yml, else the project folder's name].
    #[arg(long)]
    pub app: Option<String>,
    /// Tag every image of `pin.repositories` (or every untagged/`latest` image) with TAG.
    #[arg(long, value_name = "TAG", conflicts_with = "tag_from")]
    pub image_tag: Option<String>,
    /// Exact image for one container (repeatable).
    #[arg(long, value_name = "CONTAINER=IMAGE_REF", value_parser = parse_pin)]
    pub pin: Vec<(String, String)>,
    /// Read the tag from a JSON file with a jq query (default query `.Version`).
    #[arg(long, value_name = "FILE[:QUERY]")]
    pub tag_from: Option<String>,
    /// Fail if any image is left without a tag or digest, or with `latest`.
    #[arg(long)]
    pub require_pinned: bool,
    /// Configuration file [default: ./ebpack.yaml].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Platform the bundle targets [default: ebpack.yaml, EB CLI config, else ecs-al2].
    #[arg(long, value_parser = ["ecs-al2", "mc-al1", "docker-al2"])]
    pub platform: Option<String>,
    /// `human` (progress on stderr) or `json` (one result object on stdout: the manifest summary for build, plus the version for publish and the outcome for deploy).
    #[arg(long, value_enum, default_value_t = Output::Human)]
    pub output: Output,
    /// Convert CRLF line endings of `.platform` hooks to LF in the bundle.
    #[arg(long)]
    pub fix: bool,
    /// Compression threads [default: one per core].
    #[arg(long, hide = true, default_value_t = 0)]
    pub threads: usize,
    /// Deflate level 0–9.
    #[arg(long, hide = true, value_parser = clap::value_parser!(u32).range(0..=9))]
    pub level: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    Human,
    Json,
}

fn parse_pin(s: &str) -> Result<(String, String), String> {
    config::parse_pin(s)
}

/// Sets the returned flag on Ctrl-C or SIGTERM; a second signal exits at once.
pub fn cancel_on_signal() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let f = Arc::clone(&flag);
    let _ = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                #[cfg(unix)]
                let mut term =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
                loop {
                    #[cfg(unix)]
                    let term_fut = async {
                        match term.as_mut() {
                            Some(t) => {
                                t.recv().await;
                            }
                            None => std::future::pending::<()>().await,
                        }
                    };
                    #[cfg(not(unix))]
                    let term_fut = std::future::pending::<()>();
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        () = term_fut => {}
                    }
                    if f.swap(true, Ordering::SeqCst) {
                        std::process::exit(i32::from(exit::INTERRUPTED));
                    }
                }
            });
        });
    flag
}

/// Resolves settings from `flags`, `EBPACK_*`, ebpack.yaml and the EB CLI
/// file; on failure prints the error and returns the exit code.
pub fn resolve_settings(flags: Overrides, global: Global) -> Result<Settings, u8> {
    let env_layer = config::env_overrides(|k: &str| std::env::var(k).ok())
        .map_err(|e| config_error(&e, global))?;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let branch = label::git_branch(&cwd);
    let inputs = Inputs {
        cwd,
        flags,
        env: env_layer,
        branch,
    };
    config::resolve(&inputs).map_err(|e| config_error(&e, global))
}

impl Args {
    /// The flags as the settings layer they are.
    pub fn overrides(&self) -> Result<Overrides, u8> {
        let platform = match self.platform.as_deref().map(str::parse) {
            Some(Ok(p)) => Some(p),
            Some(Err(e)) => {
                eprintln!("error: {e}");
                return Err(exit::USAGE);
            }
            None => None,
        };
        Ok(Overrides {
            config: self.config.clone(),
            bundle: self.dir.clone(),
            out: self.out.clone(),
            app: self.app.clone(),
            platform,
            label: self.label.clone(),
            image_tag: self.image_tag.clone(),
            tag_from: self.tag_from.clone(),
            pins: self.pin.clone(),
            require_pinned: self.require_pinned.then_some(true),
            ..Overrides::default()
        })
    }
}

pub fn run(args: Args, global: Global) -> u8 {
    let settings = match args.overrides().and_then(|f| resolve_settings(f, global)) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match build_with(&settings, &args, global) {
        Ok(out) => {
            if args.output == Output::Json {
                let mut v = serde_json::to_value(&out.manifest.summary).unwrap_or_default();
                if let Some(o) = v.as_object_mut() {
                    o.insert("path".into(), out.zip_path.display().to_string().into());
                    o.insert(
                        "manifest".into(),
                        out.manifest_path.display().to_string().into(),
                    );
                    o.insert(
                        "version_file".into(),
                        out.version_path.display().to_string().into(),
                    );
                }
                println!("{v}");
            }
            exit::OK
        }
        Err(code) => code,
    }
}

/// Runs the build pipeline with human progress on stderr (shared by
/// `build`, `publish` and `deploy`).
pub fn build_with(settings: &Settings, args: &Args, global: Global) -> Result<BuildOutput, u8> {
    let env = |k: &str| std::env::var(k).ok();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let source_date_epoch = match env("SOURCE_DATE_EPOCH").filter(|s| !s.trim().is_empty()) {
        None => None,
        Some(s) => match s.trim().parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                eprintln!("error: `SOURCE_DATE_EPOCH`: `{s}` is not a number of seconds");
                return Err(exit::USAGE);
            }
        },
    };
    let mut label_inputs = LabelInputs {
        given: settings.label.clone(),
        codebuild_source_version: env("CODEBUILD_RESOLVED_SOURCE_VERSION"),
        codebuild_build_id: env("CODEBUILD_BUILD_ID"),
        git_short_sha: None,
    };
    if matches!(label::early(&label_inputs), Ok(None)) {
        label_inputs.git_short_sha = label::git_short_sha(&settings.project_dir);
    }
    let display = settings
        .bundle_dir
        .strip_prefix(&cwd)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| settings.bundle_dir.display().to_string());
    let opts = BuildOptions {
        label: label_inputs,
        source_date_epoch,
        fix: args.fix,
        threads: args.threads,
        level: args.level,
        cancel: Some(cancel_on_signal()),
        display: Some(if display.is_empty() {
            ".".into()
        } else {
            display
        }),
        max_size: None,
    };
    let mut progress = |line: &str| eprintln!("ebpack: {line}");
    match build::build(settings, &opts, &mut progress) {
        Ok(out) => {
            if !out.warnings.diagnostics.is_empty() {
                eprint!("{}", render::human_report(&out.warnings, global.color));
            }
            let s = &out.manifest.summary;
            let shown = out
                .zip_path
                .strip_prefix(&cwd)
                .unwrap_or(&out.zip_path)
                .display();
            eprintln!(
                "ebpack: built {shown} ({}, {} entries)\n        label  {}\n        sha256 {}",
                ebpack::bundle::human_size(s.size),
                s.entry_count,
                s.label,
                s.sha256
            );
            Ok(out)
        }
        Err(e) => {
            match &e {
                BuildError::Invalid(report) => {
                    eprint!("{}", render::human_report(report, global.color));
                    eprintln!("error: build stopped: the bundle has errors; nothing was written");
                }
                other => {
                    eprintln!("error: {other}");
                    if let Some(help) = other.help() {
                        eprintln!("help: {help}");
                    }
                }
            }
            Err(e.exit_code())
        }
    }
}

fn config_error(e: &ConfigError, global: Global) -> u8 {
    match e {
        ConfigError::File(report) => {
            eprint!("{}", render::human_report(report, global.color));
            exit::USAGE
        }
        ConfigError::Usage(m) => {
            eprintln!("error: {m}");
            exit::USAGE
        }
        ConfigError::Io { .. } => {
            eprintln!("error: {e}");
            exit::IO
        }
    }
}
