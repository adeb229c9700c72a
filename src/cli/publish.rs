//! `ebpack publish`: build (or take `--bundle ZIP`), upload to S3, create
//! the application version. No environment is touched.

use super::Global;
use super::aws::{AwsArgs, StderrReporter, github_output};
use super::build::{self, Output};
use ebpack::config::{Origin, Settings};
use ebpack::deploy::poll::PollSettings;
use ebpack::deploy::publish::{self, PublishError, PublishRequest, Published};
use ebpack::deploy::{AwsError, ErrorKind};
use ebpack::exit;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
#[group(id = "publish_args")]
pub struct Args {
    #[command(flatten)]
    pub build: build::Args,
    /// Publish this already built zip instead of building (its label comes
    /// from `--label`, else from the manifest `ebpack build` wrote beside it).
    #[arg(long, value_name = "ZIP")]
    pub bundle: Option<PathBuf>,
    /// Upload to this bucket instead of Elastic Beanstalk's own (needs no s3:CreateBucket).
    #[arg(long)]
    pub bucket: Option<String>,
    /// Ask Elastic Beanstalk to validate the version and wait for PROCESSED/FAILED.
    #[arg(long)]
    pub process: bool,
    /// Create the application when it does not exist.
    #[arg(long)]
    pub create_app: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// A bundle ready to publish.
pub struct Ready {
    pub app: String,
    pub label: String,
    pub zip: PathBuf,
    pub sha256: String,
    pub size: u64,
    pub build_seconds: f64,
}

/// Builds, or reads `--bundle`; prints errors and returns the exit code on failure.
pub fn prepare(args: &Args, settings: &Settings, global: Global) -> Result<Ready, u8> {
    let started = Instant::now();
    match &args.bundle {
        None => {
            let out = build::build_with(settings, &args.build, global)?;
            let s = out.manifest.summary;
            Ok(Ready {
                app: s.app,
                label: s.label,
                zip: out.zip_path,
                sha256: s.sha256,
                size: s.size,
                build_seconds: started.elapsed().as_secs_f64(),
            })
        }
        Some(zip) => {
            check_bundle(zip, settings, global)?;
            existing_bundle(zip, settings).map_err(|m| {
                eprintln!("error: {m}");
                exit::USAGE
            })
        }
    }
}

/// Validates a `--bundle` zip as `ebpack validate ZIP` would: a zip built
/// elsewhere, or edited since, gets the same checks as a build before it
/// reaches Elastic Beanstalk. Errors stop the publish (exit 1); warnings
/// are shown.
fn check_bundle(zip: &Path, settings: &Settings, global: Global) -> Result<(), u8> {
    let options = ebpack::validate::Options {
        platform: settings.platform,
        allow_unknown_keys: false,
    };
    let report = match ebpack::validate::read_zip(zip) {
        Ok(b) => ebpack::validate::validate_bundle(&b, &options),
        Err(e) => {
            eprintln!("error: {e}");
            return Err(match e {
                ebpack::validate::InputError::Zip { .. } => exit::BUNDLE_ERRORS,
                _ => exit::IO,
            });
        }
    };
    if !report.diagnostics.is_empty() {
        eprint!(
            "{}",
            ebpack::diag::render::human_report(&report, global.color)
        );
    }
    if report.fails(false) {
        eprintln!(
            "error: `{}` has errors; nothing was published",
            zip.display()
        );
        return Err(exit::BUNDLE_ERRORS);
    }
    Ok(())
}

fn existing_bundle(zip: &Path, settings: &Settings) -> Result<Ready, String> {
    let mut f =
        std::fs::File::open(zip).map_err(|e| format!("cannot read `{}`: {e}", zip.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| format!("cannot read `{}`: {e}", zip.display()))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    let sha256 = format!("{:x}", hasher.finalize());
    let manifest: Option<serde_json::Value> = std::fs::read_to_string(zip.with_extension("json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let from_manifest = |k: &str| {
        manifest
            .as_ref()
            .and_then(|m| m.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    if let Some(recorded) = from_manifest("sha256")
        && recorded != sha256
    {
        return Err(format!(
            "`{}` does not match its manifest: sha256 `{sha256}`, the manifest says `{recorded}`",
            zip.display()
        ));
    }
    let label = settings
        .label
        .clone()
        .or_else(|| from_manifest("label"))
        .ok_or_else(|| {
            format!(
                "no label for `{}`: pass `--label`, or keep the manifest `ebpack build` wrote beside it",
                zip.display()
            )
        })?;
    ebpack::label::validate(&label).map_err(|e| format!("label `{label}`: {e}"))?;
    let app = from_manifest("app")
        .filter(|_| {
            settings
                .origins
                .get("app")
                .is_none_or(|o| matches!(o, Origin::Default))
        })
        .unwrap_or_else(|| settings.app.clone());
    Ok(Ready {
        app,
        label,
        zip: zip.to_owned(),
        sha256,
        size,
        build_seconds: 0.0,
    })
}

/// The exit code for an AWS error.
pub fn aws_exit(e: &AwsError) -> u8 {
    match e.kind {
        ErrorKind::Service if e.message.ends_with("interrupted") => exit::INTERRUPTED,
        _ => exit::AWS,
    }
}

/// Prints an AWS failure with its next step and returns the exit code.
pub fn report_aws(e: &AwsError) -> u8 {
    eprintln!("error: {e}");
    if let Some(help) = e.help() {
        eprintln!("help: {help}");
    }
    aws_exit(e)
}

/// Uploads and registers `ready`; prints errors and returns the exit code on failure.
pub async fn publish_ready(
    args: &Args,
    ready: &Ready,
    clients: &ebpack::aws::Clients,
    reporter: &StderrReporter,
) -> Result<Published, u8> {
    let req = PublishRequest {
        app: ready.app.clone(),
        label: ready.label.clone(),
        zip: ready.zip.clone(),
        sha256: ready.sha256.clone(),
        size: ready.size,
        bucket: args.bucket.clone(),
        process: args.process,
        create_app: args.create_app,
        process_timeout: Duration::from_secs(600),
        poll: PollSettings::default(),
    };
    publish::publish(&clients.eb, &clients.s3, &req, reporter)
        .await
        .map_err(|e| match e {
            PublishError::Aws(a) => report_aws(&a),
            other => {
                eprintln!("error: {other}");
                let help = other.help();
                if !help.is_empty() {
                    eprintln!("help: {help}");
                }
                match other {
                    PublishError::ProcessingFailed { .. } => exit::BUNDLE_ERRORS,
                    PublishError::ProcessingTimeout { .. } => exit::TIMEOUT,
                    _ => exit::USAGE,
                }
            }
        })
}

/// Connects to AWS with cancellation wired to Ctrl-C.
pub async fn connect(aws: &AwsArgs, settings: &Settings) -> Result<ebpack::aws::Clients, u8> {
    let mut clients = ebpack::aws::connect(&aws.settings(settings.region.as_deref()))
        .await
        .map_err(|e| report_aws(&e))?;
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nebpack: interrupted; cleaning up (press Ctrl-C again to exit at once)");
            let _ = tx.send(true);
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(i32::from(exit::INTERRUPTED));
            }
        }
    });
    clients.s3 = clients.s3.with_cancel(rx.clone());
    clients.cancel = Some(rx);
    Ok(clients)
}

pub fn runtime() -> Result<tokio::runtime::Runtime, u8> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start the async runtime: {e}");
            exit::IO
        })
}

pub fn run(args: Args, global: Global) -> u8 {
    let settings = match args
        .build
        .overrides()
        .and_then(|f| build::resolve_settings(f, global))
    {
        Ok(s) => s,
        Err(code) => return code,
    };
    let ready = match prepare(&args, &settings, global) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    rt.block_on(async {
        let clients = match connect(&args.aws, &settings).await {
            Ok(c) => c,
            Err(code) => return code,
        };
        let reporter = StderrReporter::new();
        let published = match publish_ready(&args, &ready, &clients, &reporter).await {
            Ok(p) => p,
            Err(code) => return code,
        };
        let summary = serde_json::json!({
            "application": published.app,
            "label": published.label,
            "sha256": published.sha256,
            "version": published.version,
            "bucket": published.bucket,
            "key": published.key,
            "uploaded": published.uploaded,
            "durations": {"build": ready.build_seconds, "upload": published.upload_seconds},
        });
        finish(&args.build, &summary)
    })
}

/// Prints `--output json` and writes `$GITHUB_OUTPUT`.
pub fn finish(build: &build::Args, summary: &serde_json::Value) -> u8 {
    if build.output == Output::Json {
        println!("{summary}");
    }
    // Nested objects one level down as `outer_inner` (`durations_total`,
    // `rollback_status`): a step output cannot hold an object.
    let text = |v: &serde_json::Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (k, v) in summary.as_object().into_iter().flatten() {
        match v {
            serde_json::Value::Null => {}
            serde_json::Value::Object(inner) => pairs.extend(
                inner
                    .iter()
                    .filter(|(_, v)| !v.is_object() && !v.is_null())
                    .map(|(i, v)| (format!("{k}_{i}"), text(v))),
            ),
            v => pairs.push((k.clone(), text(v))),
        }
    }
    let pairs: Vec<(&str, String)> = pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    if let Err(e) = github_output(&pairs) {
        eprintln!("error: cannot write `$GITHUB_OUTPUT`: {e}");
        return exit::IO;
    }
    exit::OK
}
