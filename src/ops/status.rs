//! `status` and `events`: what an environment runs and what happened to it,
//! without the console. Both find the environment the way `deploy` does
//! (`--env`, `EBPACK_ENVIRONMENT`, `ebpack.yaml`, the EB CLI's branch
//! default) and say the close match when the name finds nothing.

use super::{Error, connect, runtime};
use crate::aws::AwsSettings;
use crate::cancel::Cancel;
use crate::config::Settings;
use crate::deploy::poll::{PollSettings, Poller};
use crate::deploy::ports::{EnvHealth, EnvInfo, Event, InstanceHealth, Operations};
use crate::deploy::update::{self, DeployError};
use crate::deploy::{Beanstalk, ErrorKind, Reporter};
use serde::Serialize;
use std::time::{Duration, SystemTime};

/// One event as the commands print it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventLine {
    /// RFC 3339, UTC, milliseconds.
    pub time: String,
    /// `INFO`, `WARN`, `ERROR`, …
    pub severity: String,
    /// The service's message.
    pub message: String,
    /// The request that caused it.
    pub request_id: Option<String>,
    /// The application version it concerns.
    pub version_label: Option<String>,
}

impl From<&Event> for EventLine {
    fn from(e: &Event) -> Self {
        Self {
            time: rfc3339(e.date),
            severity: e.severity.clone(),
            message: e.message.clone(),
            request_id: e.request_id.clone(),
            version_label: e.version_label.clone(),
        }
    }
}

/// `2026-11-22T04:00:00.123Z`.
pub fn rfc3339(t: SystemTime) -> String {
    aws_smithy_types::DateTime::from(t)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}

/// How many instances run the environment's version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OnVersion {
    /// Instances on the version.
    pub on: usize,
    /// All instances.
    pub of: usize,
}

/// `ebpack status --output json`.
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    /// Application.
    pub application: String,
    /// Environment name.
    pub environment: String,
    /// Environment id (`e-…`).
    pub environment_id: String,
    /// Platform ARN (or solution stack).
    pub platform: Option<String>,
    /// The version label the environment runs.
    pub version_label: Option<String>,
    /// Instances that report running that label, of all instances
    /// (enhanced health only; `null` without it).
    pub instances_on_version: Option<OnVersion>,
    /// `Ready`, `Updating`, …
    pub status: String,
    /// Health colour.
    pub health: String,
    /// Enhanced health status and its causes, when enhanced health is on.
    pub health_detail: Option<EnvHealth>,
    /// Each instance.
    pub instances: Vec<InstanceHealth>,
    /// The environment's CNAME.
    pub cname: Option<String>,
    /// The latest events, oldest first.
    pub events: Vec<EventLine>,
}

/// The environment a command works on: given, else configured.
pub(crate) fn environment_name(settings: &Settings, given: Option<&str>) -> Result<String, Error> {
    given
        .map(str::to_owned)
        .or_else(|| settings.environment.clone())
        .ok_or_else(|| {
            Error::Usage(
                "no environment: pass `--env NAME`, or set `environment` in ebpack.yaml (or a branch default in .elasticbeanstalk/config.yml)".into(),
            )
        })
}

/// The environment, or the error that says which name was meant.
pub(crate) async fn find_environment<B: Beanstalk>(
    eb: &B,
    app: &str,
    env: &str,
) -> Result<EnvInfo, Error> {
    match update::preflight(eb, app, env).await {
        Ok(info) => Ok(info),
        // A mistyped `--app` hides every environment: say that instead.
        Err(DeployError::NoEnvironment { .. }) if !eb.application_exists(app).await? => {
            Err(Error::NoApplication {
                app: app.to_owned(),
                hint: crate::deploy::suggest::missing_application(eb, app).await,
            })
        }
        // A terminating environment still has a status to show.
        Err(DeployError::Terminated { .. }) => eb
            .describe_environment(app, env)
            .await?
            .ok_or_else(|| Error::Usage(format!("environment `{env}` is gone"))),
        Err(e) => Err(e.into()),
    }
}

/// How many recent events `status` shows.
const STATUS_EVENTS: usize = 10;

/// `ebpack status`: the environment's state, health and latest events.
pub fn status(
    settings: &Settings,
    env: Option<&str>,
    aws: &AwsSettings,
    cancel: &Cancel,
) -> Result<StatusReport, Error> {
    let environment = environment_name(settings, env)?;
    runtime()?.block_on(async {
        let clients = connect(aws, cancel).await?;
        let eb = &clients.eb;
        let info = find_environment(eb, &settings.app, &environment).await?;
        let health_detail = eb.environment_health(&environment).await.unwrap_or(None);
        let instances = eb.instances_health(&environment).await.unwrap_or_default();
        let on_version = (!instances.is_empty()).then(|| {
            let on = instances
                .iter()
                .filter(|i| i.version_label.is_some() && i.version_label == info.version_label)
                .count();
            OnVersion {
                on,
                of: instances.len(),
            }
        });
        let day = SystemTime::now() - Duration::from_secs(7 * 24 * 3600);
        let mut events = eb
            .events(&settings.app, &environment, None, Some(day))
            .await?;
        let skip = events.len().saturating_sub(STATUS_EVENTS);
        events.drain(..skip);
        Ok(StatusReport {
            application: info.app.clone(),
            environment: info.name.clone(),
            environment_id: info.id.clone(),
            platform: info.platform.clone(),
            version_label: info.version_label.clone(),
            instances_on_version: on_version,
            status: info.status.clone(),
            health: info.health.clone(),
            health_detail,
            instances,
            cname: info.cname.clone(),
            events: events.iter().map(EventLine::from).collect(),
        })
    })
}

/// What `events` shows.
#[derive(Debug, Clone)]
pub struct EventsRequest {
    /// The environment (`None`: the configured one).
    pub environment: Option<String>,
    /// Only events newer than this long ago (default: one day).
    pub since: Option<Duration>,
    /// Only the events of this request.
    pub request_id: Option<String>,
    /// Keep polling for new events until cancelled.
    pub follow: bool,
    /// Polling bounds for `follow`.
    pub poll: PollSettings,
}

/// How `events` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EventsSummary {
    /// Events printed.
    pub shown: usize,
    /// `--follow` stopped on Ctrl-C (or SIGTERM, SIGHUP).
    pub stopped: bool,
}

/// `ebpack events`: the environment's events, oldest first, each handed to
/// `out` as it is read; with `follow`, new ones until `cancel`.
pub fn events(
    settings: &Settings,
    req: &EventsRequest,
    aws: &AwsSettings,
    reporter: &dyn Reporter,
    out: &mut dyn FnMut(&EventLine),
    cancel: &Cancel,
) -> Result<EventsSummary, Error> {
    let environment = environment_name(settings, req.environment.as_deref())?;
    let since = SystemTime::now() - req.since.unwrap_or(Duration::from_secs(24 * 3600));
    runtime()?.block_on(async {
        let clients = connect(aws, cancel).await?;
        let eb = &clients.eb;
        find_environment(eb, &settings.app, &environment).await?;
        let mut seen = std::collections::HashSet::new();
        let mut newest = since;
        let mut shown = 0;
        let mut poller = Poller::new(req.poll);
        loop {
            let call = eb.events(
                &settings.app,
                &environment,
                req.request_id.as_deref(),
                Some(newest),
            );
            let batch = tokio::select! {
                r = call => r,
                () = cancel.cancelled() => return Ok(EventsSummary { shown, stopped: true }),
            };
            match batch {
                Ok(batch) => {
                    for e in batch {
                        let key = (e.date, e.message.clone(), e.request_id.clone());
                        if !seen.insert(key) {
                            continue;
                        }
                        newest = newest.max(e.date);
                        shown += 1;
                        poller.reset();
                        out(&EventLine::from(&e));
                    }
                }
                Err(e) if req.follow && e.kind == ErrorKind::Transient => {
                    reporter.line(&format!("warning: {e}; will retry"));
                }
                Err(e) => return Err(e.into()),
            }
            if !req.follow {
                return Ok(EventsSummary {
                    shown,
                    stopped: false,
                });
            }
            tokio::select! {
                () = tokio::time::sleep(poller.next_interval()) => {}
                () = cancel.cancelled() => return Ok(EventsSummary { shown, stopped: true }),
            }
        }
    })
}
