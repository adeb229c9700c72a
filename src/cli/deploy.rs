//! `ebpack deploy --env NAME`: publish (or take `--version LABEL`), update
//! the environment, wait until it is really done, and exit with a code a
//! pipeline can trust (0 deployed, 3 health gate, 4 failed, 5 still running).

use super::Global;
use super::aws::{StderrReporter, parse_duration};
use super::build;
use super::publish::{self, connect, report_aws, runtime};
use ebpack::deploy::poll::PollSettings;
use ebpack::deploy::publish::Provenance;
use ebpack::deploy::update::{self, DeployError, DeployOutcome, DeploySettings, DeployStatus};
use ebpack::deploy::{Beanstalk, Reporter};
use ebpack::exit;
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
#[group(id = "deploy_args")]
pub struct Args {
    /// The environment to deploy to [default: `environment` in ebpack.yaml or the EB CLI's branch default].
    #[arg(long = "env", value_name = "NAME")]
    pub env: Option<String>,
    /// Deploy this existing application version (the promote path) instead of publishing.
    // Build and publish flags mean nothing for a version that already
    // exists: refuse them rather than ignore them.
    #[arg(
        long = "version",
        value_name = "LABEL",
        conflicts_with_all = [
            "bundle", "dir", "label", "image_tag", "pin", "tag_from", "require_pinned",
            "fix", "bucket", "process", "create_app",
        ]
    )]
    pub version_label: Option<String>,
    /// Give up waiting after this long (`600`, `90s`, `20m`, `1h`); the deployment may go on.
    #[arg(long, default_value = "30m", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Return as soon as Elastic Beanstalk accepted the update.
    #[arg(long)]
    pub no_wait: bool,
    /// On failure (or a missed health gate), redeploy the label the environment ran before.
    #[arg(long)]
    pub rollback: bool,
    /// Health colours that pass the gate, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "Green", ignore_case = true, value_parser = ["Green", "Yellow", "Red", "Grey"])]
    pub healthy: Vec<String>,
    /// How long health may take to reach the gate after the deployment.
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub health_grace: Duration,
    /// Deploy even when the environment already runs this label.
    #[arg(long)]
    pub force: bool,
    /// Fastest and slowest polling interval (`2s`, `20s`).
    #[arg(long, value_parser = parse_duration, default_value = "3s", hide = true)]
    pub poll_min: Duration,
    #[arg(long, value_parser = parse_duration, default_value = "20s", hide = true)]
    pub poll_max: Duration,
    #[command(flatten)]
    pub publish: publish::Args,
}

fn status_code(o: &DeployOutcome) -> u8 {
    match o.status {
        DeployStatus::Deployed | DeployStatus::Unchanged | DeployStatus::Started => exit::OK,
        DeployStatus::HealthGateFailed => exit::HEALTH_GATE,
        DeployStatus::Failed => exit::DEPLOY_FAILED,
        DeployStatus::TimedOut => exit::TIMEOUT,
    }
}

fn explain(o: &DeployOutcome, app: &str, reporter: &StderrReporter) {
    let what = match o.status {
        DeployStatus::Deployed => format!(
            "deployed `{}` to `{}`: Ready, health {}",
            o.label, o.environment, o.health
        ),
        DeployStatus::Unchanged => format!(
            "`{}` already runs `{}`: Ready, health {}",
            o.environment, o.label, o.health
        ),
        DeployStatus::Started => format!(
            "`{}` is deploying `{}` (not waiting: --no-wait)",
            o.environment, o.label
        ),
        DeployStatus::HealthGateFailed => format!(
            "`{}` runs `{}` but its health is {}: the health gate was not met",
            o.environment, o.label, o.health
        ),
        DeployStatus::Failed => format!(
            "deploying `{}` to `{}` failed; the environment runs `{}` (status {}, health {})",
            o.label,
            o.environment,
            o.final_label.as_deref().unwrap_or("no version"),
            o.env_status,
            o.health
        ),
        DeployStatus::TimedOut => format!(
            "timed out after {:.0} s while `{}` is `{}`: the deployment may still be running",
            o.wait_seconds, o.environment, o.env_status
        ),
    };
    reporter.line(&what);
    for f in &o.failures {
        reporter.line(&format!("  - {f}"));
    }
    if o.status == DeployStatus::TimedOut {
        let req = o
            .request_id
            .as_deref()
            .map(|r| format!(" --request-id {r}"))
            .unwrap_or_default();
        reporter.line(&format!(
            "follow it with `aws elasticbeanstalk describe-events --application-name {app} --environment-name {}{req}`, or wait again with `ebpack deploy --version {} --env {} --app {app}`",
            o.environment, o.label, o.environment
        ));
    }
}

fn outcome_json(o: &DeployOutcome) -> serde_json::Value {
    serde_json::json!({
        "status": o.status,
        "environment_status": o.env_status,
        "health": o.health,
        "final_label": o.final_label,
        "previous_label": o.previous_label,
        "request_id": o.request_id,
        "failures": o.failures,
        "wait_seconds": o.wait_seconds,
    })
}

pub fn run(args: Args, global: Global) -> u8 {
    let started = Instant::now();
    let settings = match args
        .publish
        .build
        .overrides()
        .and_then(|f| build::resolve_settings(f, global))
    {
        Ok(s) => s,
        Err(code) => return code,
    };
    let Some(env_name) = args.env.clone().or_else(|| settings.environment.clone()) else {
        eprintln!(
            "error: no environment: pass `--env NAME`, or set `environment` in ebpack.yaml (or a branch default in .elasticbeanstalk/config.yml)"
        );
        return exit::USAGE;
    };
    if args.poll_min > args.poll_max {
        eprintln!("error: `--poll-min` is longer than `--poll-max`");
        return exit::USAGE;
    }
    // A zero interval would poll in a tight loop and hit the API's rate
    // limits; 10 ms is far below anything useful against AWS.
    if args.poll_min < Duration::from_millis(10) {
        eprintln!("error: `--poll-min` must be at least 10ms");
        return exit::USAGE;
    }
    let ready = match &args.version_label {
        Some(_) => None,
        None => match publish::prepare(&args.publish, &settings, global) {
            Ok(r) => Some(r),
            Err(code) => return code,
        },
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    rt.block_on(async {
        let clients = match connect(&args.publish.aws, &settings).await {
            Ok(c) => c,
            Err(code) => return code,
        };
        let reporter = StderrReporter::new();
        let mut promoted = None;
        let (app, label, published) = match (&ready, &args.version_label) {
            (Some(r), _) => match publish::publish_ready(&args.publish, r, &clients, &reporter).await {
                Ok(p) => (p.app.clone(), p.label.clone(), Some(p)),
                Err(code) => return code,
            },
            (None, Some(label)) => {
                let app = settings.app.clone();
                match clients.eb.describe_version(&app, label).await {
                    Ok(Some(v)) => promoted = Some(v),
                    Ok(None) => {
                        let missing_app = matches!(clients.eb.application_exists(&app).await, Ok(false));
                        match ebpack::deploy::suggest::missing_application(&clients.eb, &app).await {
                            Some(help) if missing_app => {
                                eprintln!("error: application `{app}` does not exist");
                                eprintln!("help: {help}");
                            }
                            _ => {
                                eprintln!("error: application `{app}` has no version `{label}`");
                                eprintln!("help: publish it first (`ebpack publish --label {label}`), or check `--app`");
                            }
                        }
                        return exit::USAGE;
                    }
                    Err(e) => return report_aws(&e),
                }
                (app, label.clone(), None)
            }
            (None, None) => unreachable!("either a bundle was prepared or --version was given"),
        };
        let deploy_settings = DeploySettings {
            app: app.clone(),
            env: env_name.clone(),
            label: label.clone(),
            timeout: args.timeout,
            healthy: args.healthy.clone(),
            health_grace: args.health_grace,
            no_wait: args.no_wait,
            rollback: args.rollback,
            force: args.force,
            poll: PollSettings {
                min: args.poll_min,
                max: args.poll_max,
            },
        };
        let deploy_started = Instant::now();
        let mut cancel = clients.cancel.clone();
        let result = tokio::select! {
            r = update::deploy(&clients.eb, &deploy_settings, &reporter) => r,
            () = async {
                match cancel.as_mut() {
                    Some(rx) => { let _ = rx.wait_for(|c| *c).await; }
                    None => std::future::pending().await,
                }
            } => {
                reporter.line(&format!(
                    "stopped waiting; the deployment of `{label}` to `{env_name}` goes on in AWS"
                ));
                return exit::INTERRUPTED;
            }
        };
        let outcome = match result {
            Ok(o) => o,
            Err(DeployError::Aws(e)) => return report_aws(&e),
            Err(e) => {
                eprintln!("error: {e}");
                if let Some(help) = e.help() {
                    eprintln!("help: {help}");
                }
                return exit::USAGE;
            }
        };
        explain(&outcome, &app, &reporter);
        if let Some(rb) = &outcome.rollback {
            reporter.line("rollback:");
            explain(rb, &app, &reporter);
        }
        let code = status_code(&outcome);
        let mut summary = serde_json::json!({
            "application": app,
            "environment": env_name,
            "label": label,
            "status": outcome.status,
            "health": outcome.health,
            "environment_status": outcome.env_status,
            "final_label": outcome.final_label,
            "previous_label": outcome.previous_label,
            "request_id": outcome.request_id,
            "failures": outcome.failures,
            "rollback": outcome.rollback.as_deref().map(outcome_json),
            "durations": {
                "build": ready.as_ref().map_or(0.0, |r| r.build_seconds),
                "upload": published.as_ref().map_or(0.0, |p| p.upload_seconds),
                "deploy": deploy_started.elapsed().as_secs_f64(),
                "total": started.elapsed().as_secs_f64(),
            },
        });
        if let (Some(p), Some(o)) = (&published, summary.as_object_mut()) {
            o.insert("sha256".into(), p.sha256.clone().into());
            o.insert("version".into(), serde_json::to_value(p.version).unwrap_or_default());
        }
        // The promote path: the digest ebpack recorded when it published the version.
        if let (Some(v), Some(o)) = (&promoted, summary.as_object_mut()) {
            if let Some(d) = ebpack::deploy::publish::digest_in(&v.description) {
                o.insert("sha256".into(), d.to_owned().into());
            }
            o.insert("version".into(), serde_json::to_value(Provenance::Reused).unwrap_or_default());
        }
        let written = publish::finish(&args.publish.build, &summary);
        if written != exit::OK { written } else { code }
    })
}
