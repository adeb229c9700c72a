//! `deploy` as a command: publish (or take an existing version: the promote
//! path), then update the environment and wait with
//! [`crate::deploy::update`], stopping the wait (not the deployment) when
//! cancelled.

use super::publish::{self, Prepared, PublishRequest};
use super::{Error, Interruption, connect, runtime};
use crate::aws::AwsSettings;
use crate::cancel::Cancel;
use crate::config::Settings;
use crate::deploy::poll::PollSettings;
use crate::deploy::publish::{Provenance, Stopped, digest_in};
use crate::deploy::update::{self, Asked, DeployOutcome, DeploySettings, DeployStatus};
use crate::deploy::{Beanstalk, Reporter, Store};
use serde::Serialize;
use std::time::{Duration, Instant};

/// How to deploy.
#[derive(Debug, Clone)]
pub struct DeployRequest {
    /// The environment (`None`: the configured one).
    pub environment: Option<String>,
    /// Deploy this existing version instead of publishing.
    pub version: Option<String>,
    /// What to publish when `version` is `None`.
    pub publish: PublishRequest,
    /// Give up waiting after this long.
    pub timeout: Duration,
    /// Health colours that pass the gate.
    pub healthy: Vec<String>,
    /// How long health may take to reach the gate.
    pub health_grace: Duration,
    /// Return once the update is accepted.
    pub no_wait: bool,
    /// Redeploy the previous label on failure.
    pub rollback: bool,
    /// Deploy even when the environment already runs the label.
    pub force: bool,
    /// Polling bounds.
    pub poll: PollSettings,
}

/// Seconds per step of `deploy`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DeployDurations {
    /// Building.
    #[serde(serialize_with = "crate::deploy::round_ms")]
    pub build: f64,
    /// Uploading.
    #[serde(serialize_with = "crate::deploy::round_ms")]
    pub upload: f64,
    /// Updating and waiting.
    #[serde(serialize_with = "crate::deploy::round_ms")]
    pub deploy: f64,
    /// The whole command.
    #[serde(serialize_with = "crate::deploy::round_ms")]
    pub total: f64,
}

/// A rollback's outcome, as `--output json` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollbackSummary {
    /// How it ended.
    pub status: DeployStatus,
    /// Final environment status.
    pub environment_status: String,
    /// Final health colour.
    pub health: String,
    /// The label the environment runs at the end.
    pub final_label: Option<String>,
    /// The label it ran before.
    pub previous_label: Option<String>,
    /// `UpdateEnvironment`'s request id.
    pub request_id: Option<String>,
    /// Error events and reasons.
    pub failures: Vec<String>,
    /// Seconds waited.
    #[serde(serialize_with = "crate::deploy::round_ms")]
    pub wait_seconds: f64,
}

/// `ebpack deploy --output json` (and its `$GITHUB_OUTPUT`); the outcome
/// itself, with its rollback, is in [`DeploySummary::outcome`].
#[derive(Debug, Clone, Serialize)]
pub struct DeploySummary {
    /// Application.
    pub application: String,
    /// Environment.
    pub environment: String,
    /// The label deployed.
    pub label: String,
    /// How it ended.
    pub status: DeployStatus,
    /// Final health colour.
    pub health: String,
    /// Final environment status.
    pub environment_status: String,
    /// The label the environment runs at the end.
    pub final_label: Option<String>,
    /// The label it ran before.
    pub previous_label: Option<String>,
    /// `UpdateEnvironment`'s request id.
    pub request_id: Option<String>,
    /// Error events and reasons.
    pub failures: Vec<String>,
    /// The rollback, when one ran.
    pub rollback: Option<RollbackSummary>,
    /// Seconds per step.
    pub durations: DeployDurations,
    /// The bundle's digest: published now, or recorded when the version was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Whether the version was created now or reused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<Provenance>,
    /// The full outcome.
    #[serde(skip)]
    pub outcome: DeployOutcome,
    /// The region the deployment ran in (for the commands ebpack suggests).
    #[serde(skip)]
    pub region: Option<String>,
}

impl From<&DeployOutcome> for RollbackSummary {
    fn from(o: &DeployOutcome) -> Self {
        Self {
            status: o.status,
            environment_status: o.env_status.clone(),
            health: o.health.clone(),
            final_label: o.final_label.clone(),
            previous_label: o.previous_label.clone(),
            request_id: o.request_id.clone(),
            failures: o.failures.clone(),
            wait_seconds: o.wait_seconds,
        }
    }
}

/// The version being deployed and how it got there.
struct Version {
    app: String,
    label: String,
    sha256: Option<String>,
    provenance: Option<Provenance>,
    build_seconds: f64,
    upload_seconds: f64,
}

/// Deploys: checks the request, publishes (or finds `--version`), updates
/// the environment and waits until it is really done.
pub fn deploy(
    settings: &Settings,
    req: &DeployRequest,
    aws: &AwsSettings,
    reporter: &dyn Reporter,
    cancel: &Cancel,
) -> Result<DeploySummary, Error> {
    let started = Instant::now();
    let environment = super::status::environment_name(settings, req.environment.as_deref())?;
    if req.poll.min > req.poll.max {
        return Err(Error::Usage(
            "`--poll-min` is longer than `--poll-max`".into(),
        ));
    }
    // A zero interval would poll in a tight loop and hit the API's rate
    // limits; 10 ms is far below anything useful against AWS.
    if req.poll.min < Duration::from_millis(10) {
        return Err(Error::Usage("`--poll-min` must be at least 10ms".into()));
    }
    let ready = match &req.version {
        Some(_) => None,
        None => Some(publish::prepare(
            settings,
            &req.publish.source,
            reporter,
            cancel,
        )?),
    };
    runtime()?.block_on(async {
        let clients = connect(aws, cancel).await?;
        if let Err(e) = update::preflight(&clients.eb, &settings.app, &environment).await {
            // A mistyped `--app` hides every environment: say that instead.
            let app = &settings.app;
            if matches!(e, update::DeployError::NoEnvironment { .. })
                && !clients.eb.application_exists(app).await.unwrap_or(true)
            {
                let hint = crate::deploy::suggest::missing_application(&clients.eb, app).await;
                return Err(Error::NoApplication {
                    app: app.clone(),
                    hint,
                });
            }
            return Err(e.into());
        }
        let version = version(
            &clients.eb,
            &clients.s3,
            &settings.app,
            req,
            ready,
            reporter,
            cancel,
        )
        .await
        .map_err(|e| match e {
            // Deploying, a created version is "published, nothing deployed".
            Error::Interrupted(Interruption::Publish(Stopped::Created { label, .. })) => {
                Error::Interrupted(Interruption::Published { label })
            }
            e => super::in_region(e, &clients.region),
        })?;
        if cancel.is_cancelled() {
            return Err(Error::Interrupted(Interruption::Published {
                label: version.label,
            }));
        }
        let deploy_started = Instant::now();
        let deploy_settings = DeploySettings {
            app: version.app.clone(),
            env: environment.clone(),
            label: version.label.clone(),
            timeout: req.timeout,
            healthy: req.healthy.clone(),
            health_grace: req.health_grace,
            no_wait: req.no_wait,
            rollback: req.rollback,
            force: req.force,
            poll: req.poll,
        };
        let tracker = update::Tracker::new();
        let run = update::deploy_tracked(&clients.eb, &deploy_settings, reporter, &tracker);
        tokio::pin!(run);
        let outcome = tokio::select! {
            r = &mut run => r?,
            () = cancel.cancelled() => {
                // An `UpdateEnvironment` under way is let answer: whether
                // the deployment started must be said, not guessed.
                if matches!(tracker.get(), Asked::Sending { .. }) {
                    let mut asked = tracker.subscribe();
                    let settled = async {
                        tokio::select! {
                            _ = &mut run => {}
                            _ = asked.wait_for(|a| !matches!(a, Asked::Sending { .. })) => {}
                        }
                    };
                    let _ = tokio::time::timeout(UNANSWERED_WAIT, settled).await;
                }
                return Err(Error::Interrupted(stopped_at(tracker.get(), version.label, environment)));
            }
        };
        tracing::info!(status = ?outcome.status, environment = %environment, "deployment judged");
        Ok(DeploySummary {
            application: version.app,
            environment,
            label: version.label,
            status: outcome.status,
            health: outcome.health.clone(),
            environment_status: outcome.env_status.clone(),
            final_label: outcome.final_label.clone(),
            previous_label: outcome.previous_label.clone(),
            request_id: outcome.request_id.clone(),
            failures: outcome.failures.clone(),
            rollback: outcome.rollback.as_deref().map(RollbackSummary::from),
            durations: DeployDurations {
                build: version.build_seconds,
                upload: version.upload_seconds,
                deploy: deploy_started.elapsed().as_secs_f64(),
                total: started.elapsed().as_secs_f64(),
            },
            sha256: version.sha256,
            version: version.provenance,
            outcome,
            region: Some(clients.region.clone()),
        })
    })
}

/// How long a cancelled deploy waits for an `UpdateEnvironment` under way
/// to answer.
const UNANSWERED_WAIT: Duration = Duration::from_secs(60);

/// What a deployment stopped by a signal had done, from what it asked.
fn stopped_at(asked: Asked, label: String, environment: String) -> Interruption {
    match asked {
        Asked::Nothing => Interruption::BeforeUpdate { label, environment },
        Asked::Sending { .. } => Interruption::Unanswered { label, environment },
        Asked::Accepted { label: asked, .. } if asked == label => {
            Interruption::Wait { label, environment }
        }
        Asked::Accepted {
            label: rollback, ..
        } => Interruption::RollbackWait {
            label: rollback,
            failed: label,
            environment,
        },
    }
}

/// Publishes the prepared bundle, or finds the `--version` of `app` to promote.
async fn version<B: Beanstalk, S: Store>(
    eb: &B,
    s3: &S,
    app: &str,
    req: &DeployRequest,
    ready: Option<Prepared>,
    reporter: &dyn Reporter,
    cancel: &Cancel,
) -> Result<Version, Error> {
    if let Some(ready) = ready {
        let p = publish::upload(eb, s3, &ready, &req.publish, reporter, cancel).await?;
        return Ok(Version {
            app: p.application,
            label: p.label,
            sha256: Some(p.sha256),
            provenance: Some(p.version),
            build_seconds: ready.build_seconds,
            upload_seconds: p.durations.upload,
        });
    }
    let app = app.to_owned();
    let label = req.version.clone().unwrap_or_default();
    let Some(found) = eb.describe_version(&app, &label).await? else {
        // A mistyped `--app` hides every version: say that, with the close match.
        if !eb.application_exists(&app).await.unwrap_or(true) {
            let hint = crate::deploy::suggest::missing_application(eb, &app).await;
            return Err(Error::NoApplication { app, hint });
        }
        return Err(Error::NoVersion { app, label });
    };
    let sha256 = digest_in(&found.description).map(str::to_owned);
    if let Some(recorded) = &sha256 {
        // Deploy only what the version recorded: its object must still hold it.
        crate::deploy::publish::verify_object(s3, &found, recorded).await?;
    }
    Ok(Version {
        // The promote path: the digest ebpack recorded when it published the version.
        sha256,
        provenance: Some(Provenance::Reused),
        app,
        label,
        build_seconds: 0.0,
        upload_seconds: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::Silent;
    use crate::deploy::fake::{Fake, Script};
    use crate::deploy::ports::VersionInfo;
    use crate::deploy::publish::PublishError;
    use crate::ops::build::BuildRequest;
    use crate::ops::publish::Source;

    fn request(version: Option<&str>) -> DeployRequest {
        DeployRequest {
            environment: Some("Todobackend-env".into()),
            version: version.map(str::to_owned),
            publish: PublishRequest {
                source: Source::Build(BuildRequest::default()),
                bucket: None,
                process: false,
                create_app: false,
            },
            timeout: Duration::from_secs(60),
            healthy: vec!["Green".into()],
            health_grace: Duration::from_secs(1),
            no_wait: false,
            rollback: false,
            force: false,
            poll: PollSettings::default(),
        }
    }

    #[tokio::test]
    async fn promote_finds_the_version_and_the_digest_it_was_published_with() {
        let fake = Fake::new(Script::default(), "todobackend", Some("v0"));
        let cancel = Cancel::new();
        let missing = version(
            &fake,
            &fake,
            "todobackend",
            &request(Some("v9")),
            None,
            &Silent,
            &cancel,
        )
        .await;
        assert!(
            matches!(&missing, Err(Error::NoVersion { label, .. }) if label == "v9"),
            "{:?}",
            missing.err()
        );
        let digest = "a".repeat(64);
        fake.state.lock().unwrap().versions.insert(
            ("todobackend".into(), "v1".into()),
            VersionInfo {
                label: "v1".into(),
                description: crate::deploy::publish::description(&digest, 3),
                bucket: "b".into(),
                key: "k".into(),
                status: "PROCESSED".into(),
            },
        );
        // The object the version points at holds other bytes: refused.
        fake.state
            .lock()
            .unwrap()
            .objects
            .insert(("b".into(), "k".into()), (3, "b".repeat(64)));
        let swapped = version(
            &fake,
            &fake,
            "todobackend",
            &request(Some("v1")),
            None,
            &Silent,
            &cancel,
        )
        .await;
        assert!(
            matches!(&swapped, Err(Error::Publish(PublishError::VersionMismatch { found, .. })) if found.contains(&"b".repeat(64))),
            "{:?}",
            swapped.err()
        );
        fake.state
            .lock()
            .unwrap()
            .objects
            .insert(("b".into(), "k".into()), (3, digest.clone()));
        let v = version(
            &fake,
            &fake,
            "todobackend",
            &request(Some("v1")),
            None,
            &Silent,
            &cancel,
        )
        .await
        .unwrap();
        assert_eq!(v.sha256.as_deref(), Some(digest.as_str()));
        assert_eq!(v.provenance, Some(Provenance::Reused));
        assert_eq!((v.app.as_str(), v.label.as_str()), ("todobackend", "v1"));
    }

    fn outcome(rollback: Option<DeployOutcome>) -> DeployOutcome {
        DeployOutcome {
            status: DeployStatus::Failed,
            environment: "env".into(),
            label: "v1".into(),
            previous_label: Some("v0".into()),
            request_id: None,
            env_status: "Ready".into(),
            health: "Green".into(),
            final_label: Some("v0".into()),
            failures: vec!["boom".into()],
            wait_seconds: 1.0,
            rollback: rollback.map(Box::new),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_tracker_records_each_update_and_its_request() {
        let settings = |rollback| DeploySettings {
            app: "todobackend".into(),
            env: "Todobackend-env".into(),
            label: "v1".into(),
            timeout: Duration::from_secs(600),
            healthy: vec!["Green".into()],
            health_grace: Duration::from_secs(60),
            no_wait: false,
            rollback,
            force: false,
            poll: PollSettings::default(),
        };
        // Busy, then deployed: one update, accepted.
        let script = Script {
            busy_polls: 2,
            update_polls: 2,
            ..Script::default()
        };
        let fake = Fake::new(script, "todobackend", Some("v0"));
        let tracker = update::Tracker::new();
        let o = update::deploy_tracked(&fake, &settings(false), &Silent, &tracker)
            .await
            .unwrap();
        assert_eq!(
            tracker.get(),
            Asked::Accepted {
                label: "v1".into(),
                request_id: o.request_id.unwrap()
            }
        );
        // Failed and rolled back: the last update asked is the rollback's.
        let script = Script {
            failing_labels: vec!["v1".into()],
            ..Script::default()
        };
        let fake = Fake::new(script, "todobackend", Some("v0"));
        let tracker = update::Tracker::new();
        update::deploy_tracked(&fake, &settings(true), &Silent, &tracker)
            .await
            .unwrap();
        assert!(
            matches!(tracker.get(), Asked::Accepted { label, .. } if label == "v0"),
            "{:?}",
            tracker.get()
        );
        // Already running the label: nothing asked.
        let fake = Fake::new(Script::default(), "todobackend", Some("v1"));
        let tracker = update::Tracker::new();
        update::deploy_tracked(&fake, &settings(false), &Silent, &tracker)
            .await
            .unwrap();
        assert_eq!(tracker.get(), Asked::Nothing);
    }

    #[test]
    fn an_interrupted_deployment_says_what_was_asked_of_elastic_beanstalk() {
        let at = |asked| stopped_at(asked, "v2".into(), "env".into()).to_string();
        assert_eq!(
            at(Asked::Nothing),
            "interrupted before ebpack sent `UpdateEnvironment`; `v2` is published, `env` was not asked to deploy it"
        );
        assert!(at(Asked::Sending { label: "v2".into() }).ends_with("may have started"));
        let accepted = |label: &str| Asked::Accepted {
            label: label.into(),
            request_id: "r".into(),
        };
        assert_eq!(
            at(accepted("v2")),
            "stopped waiting; the deployment of `v2` to `env` goes on in AWS"
        );
        assert_eq!(
            at(accepted("v1")),
            "stopped waiting; the deployment of `v2` failed and the rollback of `env` to `v1` goes on in AWS"
        );
    }

    #[test]
    fn the_json_keys_keep_their_order() {
        let o = outcome(Some(outcome(None)));
        let summary = DeploySummary {
            application: "app".into(),
            environment: "env".into(),
            label: "v1".into(),
            status: o.status,
            health: o.health.clone(),
            environment_status: o.env_status.clone(),
            final_label: o.final_label.clone(),
            previous_label: o.previous_label.clone(),
            request_id: None,
            failures: o.failures.clone(),
            rollback: o.rollback.as_deref().map(RollbackSummary::from),
            durations: DeployDurations {
                build: 0.0,
                upload: 0.0,
                deploy: 1.0,
                total: 2.0,
            },
            sha256: None,
            version: Some(Provenance::Reused),
            outcome: o,
            region: None,
        };
        let v = serde_json::to_value(&summary).unwrap();
        let keys = |v: &serde_json::Value| -> Vec<String> {
            v.as_object().unwrap().keys().cloned().collect()
        };
        assert_eq!(
            keys(&v),
            [
                "application",
                "environment",
                "label",
                "status",
                "health",
                "environment_status",
                "final_label",
                "previous_label",
                "request_id",
                "failures",
                "rollback",
                "durations",
                "version",
            ]
        );
        assert_eq!(
            keys(&v["rollback"]),
            [
                "status",
                "environment_status",
                "health",
                "final_label",
                "previous_label",
                "request_id",
                "failures",
                "wait_seconds",
            ]
        );
        assert_eq!(
            keys(&v["durations"]),
            ["build", "upload", "deploy", "total"]
        );
        assert_eq!(v["status"], "failed");
    }
}
