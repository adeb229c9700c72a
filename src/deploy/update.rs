//! `ebpack deploy`: update an environment to a label and decide, from
//! state and this request's events, whether it really happened.
//!
//! What the deployment has asked of Elastic Beanstalk is recorded in a
//! [`Tracker`] as it goes ([`deploy_tracked`]), so a caller that stops it
//! midway (a signal) can say whether `UpdateEnvironment` was ever sent.

use super::Reporter;
use super::poll::{PollSettings, Poller};
use super::ports::{AwsError, Beanstalk, EnvInfo, ErrorKind, Event};
use std::collections::HashSet;
use std::time::{Duration, SystemTime};
use tokio::time::Instant;

/// How to deploy.
#[derive(Debug, Clone)]
pub struct DeploySettings {
    /// Application.
    pub app: String,
    /// Environment name.
    pub env: String,
    /// The label to deploy.
    pub label: String,
    /// Overall deadline for waiting (Ready before, deployment, health gate).
    pub timeout: Duration,
    /// Health colours that pass the gate (`Green`, `Yellow`, …).
    pub healthy: Vec<String>,
    /// How long after the deployment health may take to reach the gate.
    pub health_grace: Duration,
    /// Return right after `UpdateEnvironment` was accepted.
    pub no_wait: bool,
    /// Redeploy the previous label when the deployment fails.
    pub rollback: bool,
    /// Deploy even when the environment already runs the label.
    pub force: bool,
    /// Polling bounds.
    pub poll: PollSettings,
}

/// How a deployment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeployStatus {
    /// Ready, new label, success event, health gate passed.
    Deployed,
    /// The environment already ran this label and was Ready; nothing done.
    Unchanged,
    /// `--no-wait`: the update was accepted.
    Started,
    /// Deployed, but health did not reach the gate in the grace period.
    HealthGateFailed,
    /// Failure events, or the label did not switch.
    Failed,
    /// The deadline passed while the operation may still be running.
    TimedOut,
    /// This request's events ended in success, then another deployment
    /// (another pipeline's) replaced it before the verdict: not a failure.
    Superseded,
    /// A rollback that was not run: the environment no longer showed what
    /// the failed deployment left (someone else deployed since).
    Skipped,
}

/// The outcome of one deployment (and of its rollback, if any).
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeployOutcome {
    /// How it ended.
    pub status: DeployStatus,
    /// Environment name.
    pub environment: String,
    /// The label deployed.
    pub label: String,
    /// The label the environment ran before.
    pub previous_label: Option<String>,
    /// `UpdateEnvironment`'s request id.
    pub request_id: Option<String>,
    /// Final environment status (`Ready`, `Updating`, …).
    pub env_status: String,
    /// Final health colour.
    pub health: String,
    /// The label the environment runs at the end.
    pub final_label: Option<String>,
    /// Error events and reasons, when it failed.
    pub failures: Vec<String>,
    /// Seconds from the start of the wait to the end.
    #[serde(serialize_with = "crate::deploy::round_ms")]
    pub wait_seconds: f64,
    /// The rollback's outcome, when one ran.
    pub rollback: Option<Box<DeployOutcome>>,
}

/// Why a deploy could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// An AWS call failed.
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// No such environment.
    #[error("environment `{env}` of application `{app}` does not exist (or is terminated)")]
    NoEnvironment {
        /// Application.
        app: String,
        /// Environment.
        env: String,
        /// A close match, or the environments that exist ([`super::suggest`]).
        hint: String,
    },
    /// The environment is going away.
    #[error("environment `{env}` is `{status}`; it cannot be updated")]
    Terminated {
        /// Environment.
        env: String,
        /// Status.
        status: String,
    },
}

impl DeployError {
    /// What to do next, when there is more to say than the message.
    pub fn help(&self) -> Option<String> {
        match self {
            DeployError::Aws(e) => e.help(),
            DeployError::NoEnvironment { hint, .. } => Some(hint.clone()),
            DeployError::Terminated { .. } => None,
        }
    }
}

/// Checks, before anything is uploaded, that `env` of `app` exists and is
/// not going away (as `eb deploy` does): a typo must not leave an uploaded
/// bundle and a new version behind.
pub async fn preflight<B: Beanstalk>(eb: &B, app: &str, env: &str) -> Result<EnvInfo, DeployError> {
    match eb.describe_environment(app, env).await? {
        Some(info) if matches!(info.status.as_str(), "Terminating" | "Terminated") => {
            Err(DeployError::Terminated {
                env: info.name,
                status: info.status,
            })
        }
        Some(info) => Ok(info),
        None => Err(DeployError::NoEnvironment {
            app: app.to_owned(),
            env: env.to_owned(),
            hint: super::suggest::missing_environment(eb, app, env).await,
        }),
    }
}

pub use super::tracker::{Asked, Tracker};

struct Watch<'a, B> {
    eb: &'a B,
    s: &'a DeploySettings,
    reporter: &'a dyn Reporter,
    tracker: &'a Tracker,
    deadline: Instant,
    /// The time of the watched request's latest event: what came after it
    /// from other requests is someone else's doing.
    last_event: std::sync::Mutex<Option<SystemTime>>,
}

/// Deploys `settings.label`; see the module docs.
pub async fn deploy<B: Beanstalk>(
    eb: &B,
    settings: &DeploySettings,
    reporter: &dyn Reporter,
) -> Result<DeployOutcome, DeployError> {
    deploy_tracked(eb, settings, reporter, &Tracker::new()).await
}

/// [`deploy`], recording in `tracker` what it asks of Elastic Beanstalk.
pub async fn deploy_tracked<B: Beanstalk>(
    eb: &B,
    settings: &DeploySettings,
    reporter: &dyn Reporter,
    tracker: &Tracker,
) -> Result<DeployOutcome, DeployError> {
    let started = Instant::now();
    let w = Watch {
        eb,
        s: settings,
        reporter,
        tracker,
        deadline: started + settings.timeout,
        last_event: std::sync::Mutex::new(None),
    };
    let mut outcome = w.run(&settings.label, started).await?;
    let failed = matches!(
        outcome.status,
        DeployStatus::Failed | DeployStatus::HealthGateFailed
    );
    if failed && settings.rollback {
        match (outcome.previous_label.clone(), outcome.request_id.is_some()) {
            (Some(prev), true) if prev != settings.label => {
                let rb_start = Instant::now();
                let rb = Watch {
                    eb,
                    s: settings,
                    reporter,
                    tracker,
                    deadline: rb_start + settings.timeout,
                    last_event: std::sync::Mutex::new(None),
                };
                let since = *w
                    .last_event
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let rolled = rb.rollback(&outcome, &prev, since, rb_start).await?;
                outcome.rollback = Some(Box::new(rolled));
            }
            (_, false) => reporter.line("no rollback: this run made no deployment"),
            _ => reporter.line("no previous version to roll back to"),
        }
    }
    Ok(outcome)
}

impl<B: Beanstalk> Watch<'_, B> {
    /// `call`, cut off at the deadline: `--timeout` bounds the whole wait,
    /// the SDK's retries of one call included.
    async fn bounded<T>(
        &self,
        operation: &'static str,
        call: impl Future<Output = Result<T, AwsError>>,
    ) -> Result<T, AwsError> {
        match tokio::time::timeout_at(self.deadline, call).await {
            Ok(r) => r,
            Err(_) => Err(AwsError::new(
                ErrorKind::Transient,
                operation,
                "no answer before the `--timeout` deadline",
            )),
        }
    }

    /// The environment's state; transient failures (which outlived the
    /// SDK's own retries) are retried here until the deadline.
    async fn describe(&self) -> Result<EnvInfo, DeployError> {
        let mut poller = Poller::new(self.s.poll);
        loop {
            let call = self.eb.describe_environment(&self.s.app, &self.s.env);
            match self.bounded("DescribeEnvironments", call).await {
                Ok(Some(env)) => return Ok(env),
                Ok(None) => {
                    return Err(DeployError::NoEnvironment {
                        app: self.s.app.clone(),
                        env: self.s.env.clone(),
                        hint: super::suggest::missing_environment(
                            self.eb,
                            &self.s.app,
                            &self.s.env,
                        )
                        .await,
                    });
                }
                Err(e) if e.kind == ErrorKind::Transient && Instant::now() < self.deadline => {
                    self.reporter.line(&format!("warning: {e}; will retry"));
                    self.sleep(&mut poller).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// `describe`, tolerating transient failures (the SDK already retried).
    async fn describe_lenient(&self, last: &EnvInfo) -> Result<EnvInfo, DeployError> {
        match self.describe().await {
            Err(DeployError::Aws(e)) if e.kind == ErrorKind::Transient => {
                self.reporter.line(&format!("warning: {e}; will retry"));
                Ok(last.clone())
            }
            other => other,
        }
    }

    fn outcome(
        &self,
        label: &str,
        status: DeployStatus,
        env: &EnvInfo,
        started: Instant,
    ) -> DeployOutcome {
        DeployOutcome {
            status,
            environment: env.name.clone(),
            label: label.to_owned(),
            previous_label: None,
            request_id: None,
            env_status: env.status.clone(),
            health: env.health.clone(),
            final_label: env.version_label.clone(),
            failures: Vec::new(),
            wait_seconds: started.elapsed().as_secs_f64(),
            rollback: None,
        }
    }

    async fn run(&self, label: &str, started: Instant) -> Result<DeployOutcome, DeployError> {
        let mut env = self.describe().await?;
        // Read again right before the update: a rollback returns to what
        // ran when this run deployed, not to what ran when it started.
        let mut previous = env.version_label.clone();
        if env.status == "Ready" && previous.as_deref() == Some(label) && !self.s.force {
            self.reporter.line(&format!(
                "`{}` already runs `{label}` and is Ready; nothing to deploy (use --force to redeploy)",
                env.name
            ));
            // Nothing to deploy is not the same as all is well: a re-run
            // after a failed health gate must fail the gate again, not
            // report success. `--no-wait` only reports what it found.
            let mut o = if self.s.no_wait {
                self.outcome(label, DeployStatus::Unchanged, &env, started)
            } else {
                let mut o = self.health_gate(label, env, started).await?;
                if o.status == DeployStatus::Deployed {
                    o.status = DeployStatus::Unchanged;
                }
                o
            };
            o.previous_label = previous;
            return Ok(o);
        }

        // Wait for Ready, update; if another deployment slipped in, wait again.
        let request_id = loop {
            env = match self.wait_ready(env).await? {
                Ok(env) => env,
                Err(env) => {
                    let mut o = self.outcome(label, DeployStatus::TimedOut, &env, started);
                    o.previous_label = previous;
                    o.failures.push(format!(
                        "`{}` did not become Ready before the deadline (still `{}`)",
                        env.name, env.status
                    ));
                    return Ok(o);
                }
            };
            // What the environment was busy with deployed this very label
            // (an earlier run that timed out, `--no-wait`, another
            // pipeline): judge that deployment instead of starting another.
            if !self.s.force && env.version_label.as_deref() == Some(label) {
                self.reporter.line(&format!(
                    "`{}` is Ready and now runs `{label}`; not deploying it again",
                    env.name
                ));
                let mut o = self.health_gate(label, env, started).await?;
                o.previous_label = previous;
                return Ok(o);
            }
            previous = env.version_label.clone();
            let call = self.bounded(
                "UpdateEnvironment",
                self.eb.update_environment(&self.s.app, &self.s.env, label),
            );
            match self.tracker.update(label, call).await {
                Ok(id) => break id,
                Err(e) if e.kind == ErrorKind::NotReady => {
                    self.reporter
                        .line("another operation started on the environment; waiting for it again");
                    env = self.describe().await?;
                }
                Err(e) if e.kind == ErrorKind::Transient && Instant::now() >= self.deadline => {
                    let mut o = self.outcome(label, DeployStatus::TimedOut, &env, started);
                    o.previous_label = previous;
                    o.failures.push(format!(
                        "`UpdateEnvironment` got no answer before the deadline ({e}); the deployment may have started"
                    ));
                    return Ok(o);
                }
                Err(e) => return Err(e.into()),
            }
        };
        self.reporter.line(&format!(
            "deploying `{label}` to `{}` (request {request_id})",
            self.s.env
        ));
        let mut outcome = if self.s.no_wait {
            let env = self.describe_lenient(&env).await?;
            self.outcome(label, DeployStatus::Started, &env, started)
        } else {
            self.wait_deployed(label, &request_id, env, started).await?
        };
        outcome.previous_label = previous;
        outcome.request_id = Some(request_id);
        Ok(outcome)
    }

    /// Polls until Ready. `Err(env)` when the deadline passed first.
    async fn wait_ready(&self, mut env: EnvInfo) -> Result<Result<EnvInfo, EnvInfo>, DeployError> {
        let mut poller = Poller::new(self.s.poll);
        let began = Instant::now();
        let mut announced = false;
        loop {
            match env.status.as_str() {
                "Ready" => return Ok(Ok(env)),
                "Terminating" | "Terminated" => {
                    return Err(DeployError::Terminated {
                        env: env.name,
                        status: env.status,
                    });
                }
                _ => {}
            }
            if !announced {
                let running = self
                    .bounded(
                        "DescribeEvents",
                        self.eb.events(&self.s.app, &self.s.env, None, None),
                    )
                    .await
                    .ok()
                    .and_then(|ev| ev.last().map(|e| e.message.clone()));
                self.reporter.line(&format!(
                    "`{}` is `{}`; waiting for it to be Ready{}",
                    env.name,
                    env.status,
                    running
                        .map(|m| format!(" (latest event: {m})"))
                        .unwrap_or_default()
                ));
                announced = true;
            }
            if Instant::now() >= self.deadline {
                return Ok(Err(env));
            }
            self.waiting("it to be Ready", &env, began, self.deadline);
            self.sleep(&mut poller).await;
            env = self.describe_lenient(&env).await?;
        }
    }

    async fn sleep(&self, poller: &mut Poller) {
        let left = self.deadline.saturating_duration_since(Instant::now());
        tokio::time::sleep(
            poller
                .next_interval()
                .min(left.max(Duration::from_millis(1))),
        )
        .await;
    }

    async fn wait_deployed(
        &self,
        label: &str,
        request_id: &str,
        mut env: EnvInfo,
        started: Instant,
    ) -> Result<DeployOutcome, DeployError> {
        let mut poller = Poller::new(self.s.poll);
        let mut seen: HashSet<(SystemTime, String)> = HashSet::new();
        let mut since: Option<SystemTime> = None;
        let mut failures: Vec<String> = Vec::new();
        let mut success_event = false;
        let mut saw_activity = false;
        let mut settled_polls = 0u32;
        loop {
            // State first, then events: every event the service wrote before
            // the state we judge is in hand (a failure's last ERROR event is
            // written just before the environment turns Ready).
            env = self.describe_lenient(&env).await?;
            let call = self
                .eb
                .events(&self.s.app, &self.s.env, Some(request_id), since);
            match self.bounded("DescribeEvents", call).await {
                Ok(events) => {
                    for e in events {
                        if !seen.insert((e.date, e.message.clone())) {
                            continue;
                        }
                        since = Some(since.map_or(e.date, |s| s.max(e.date)));
                        *self
                            .last_event
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner) = since;
                        saw_activity = true;
                        poller.reset();
                        self.reporter.event(&e);
                        classify(&e, &mut failures, &mut success_event);
                    }
                }
                Err(e) if e.kind == ErrorKind::Transient => {
                    self.reporter.line(&format!("warning: {e}; will retry"));
                }
                Err(e) => return Err(e.into()),
            }
            if env.status != "Ready" {
                saw_activity = true;
            }
            let ready = env.status == "Ready";
            let on_label = env.version_label.as_deref() == Some(label);
            if ready && !failures.is_empty() {
                let mut o = self.outcome(label, DeployStatus::Failed, &env, started);
                o.failures = failures;
                if !on_label {
                    o.failures.push(format!(
                        "the environment still runs `{}`",
                        env.version_label.as_deref().unwrap_or("no version")
                    ));
                }
                return Ok(o);
            }
            if ready && on_label && saw_activity {
                // Events can lag the state by a poll or two; accept after
                // three settled polls even without the success event.
                settled_polls += 1;
                if success_event || settled_polls >= 3 {
                    if !success_event {
                        self.reporter.line(
                            "note: the environment is Ready on the new version, but no success event was seen",
                        );
                    }
                    return self.health_gate(label, env, started).await;
                }
            }
            if success_event && (!ready || !on_label) && self.replaced(request_id, since).await {
                let mut o = self.outcome(label, DeployStatus::Superseded, &env, started);
                o.failures.push(format!(
                    "this deployment completed successfully, then another deployment replaced it (the environment is `{}` on `{}`)",
                    env.status,
                    env.version_label.as_deref().unwrap_or("no version")
                ));
                return Ok(o);
            }
            if ready && !on_label && saw_activity {
                settled_polls += 1;
                if success_event || settled_polls >= 3 {
                    let mut o = self.outcome(label, DeployStatus::Failed, &env, started);
                    o.failures.push(format!(
                        "the deployment ended but the environment runs `{}`, not `{label}`",
                        env.version_label.as_deref().unwrap_or("no version")
                    ));
                    return Ok(o);
                }
            }
            if Instant::now() >= self.deadline {
                let mut o = self.outcome(label, DeployStatus::TimedOut, &env, started);
                o.failures = failures;
                return Ok(o);
            }
            self.waiting(
                &format!("the deployment of `{label}`"),
                &env,
                started,
                self.deadline,
            );
            self.sleep(&mut poller).await;
        }
    }

    /// Redeploys `prev` after `failed` — only while the environment still
    /// shows what that failed deployment left (Ready, on its final label):
    /// a deployment someone else made since is never rolled over.
    async fn rollback(
        &self,
        failed: &DeployOutcome,
        prev: &str,
        since: Option<SystemTime>,
        started: Instant,
    ) -> Result<DeployOutcome, DeployError> {
        let env = self.describe().await?;
        let skipped = |env: &EnvInfo, why: String| {
            self.reporter.line(&format!("not rolling back: {why}"));
            let mut o = self.outcome(prev, DeployStatus::Skipped, env, started);
            o.previous_label = env.version_label.clone();
            o.failures.push(why);
            o
        };
        let runs = env.version_label.as_deref().unwrap_or("no version");
        // A missed health gate left this run's label; anything else there
        // is someone else's deployment.
        let moved = failed.status == DeployStatus::HealthGateFailed
            && env.version_label.as_deref() != Some(failed.label.as_str());
        if env.status != "Ready" || moved {
            let why = format!(
                "`{}` is `{}` on `{runs}` since the failed deployment: another deployment acted on it",
                env.name, env.status
            );
            return Ok(skipped(&env, why));
        }
        // Events of another request after this one's: someone else deployed.
        let request = failed.request_id.as_deref().unwrap_or_default();
        let call = self.eb.events(&self.s.app, &self.s.env, None, since);
        let others = match self.bounded("DescribeEvents", call).await {
            Ok(events) => events
                .iter()
                .any(|e| e.request_id.as_deref().is_some_and(|id| id != request)),
            Err(e) => {
                let why = format!(
                    "cannot tell whether another deployment came after this one ({e}); not rolling over it"
                );
                return Ok(skipped(&env, why));
            }
        };
        if others {
            let why = format!(
                "another deployment acted on `{}` after this one (it now runs `{runs}`); it is not rolled over",
                env.name
            );
            return Ok(skipped(&env, why));
        }
        self.reporter
            .line(&format!("rolling back `{}` to `{prev}`", self.s.env));
        // Redeploy even if the environment reports the previous label: a
        // failed rolling deployment can leave instances on the new one.
        let call = self.eb.update_environment(&self.s.app, &self.s.env, prev);
        let call = self.bounded("UpdateEnvironment", call);
        let request_id = match self.tracker.update(prev, call).await {
            Ok(id) => id,
            Err(e) if e.kind == ErrorKind::NotReady => {
                let env = self.describe_lenient(&env).await?;
                let why = format!(
                    "another operation started on `{}` first; it is not rolled over",
                    env.name
                );
                return Ok(skipped(&env, why));
            }
            Err(e) => return Err(e.into()),
        };
        self.reporter.line(&format!(
            "deploying `{prev}` to `{}` (request {request_id})",
            self.s.env
        ));
        let mut o = self
            .wait_deployed(prev, &request_id, env.clone(), started)
            .await?;
        o.previous_label = env.version_label;
        o.request_id = Some(request_id);
        Ok(o)
    }

    /// Tells the reporter what the wait is at (nothing new this poll).
    fn waiting(&self, what: &str, env: &EnvInfo, started: Instant, until: Instant) {
        self.reporter.waiting(&super::Waiting {
            what,
            environment: &env.name,
            status: &env.status,
            health: &env.health,
            elapsed: started.elapsed(),
            left: until.saturating_duration_since(Instant::now()),
        });
    }

    /// Whether another request has acted on the environment since
    /// `since` (the time of this request's latest event).
    async fn replaced(&self, request_id: &str, since: Option<SystemTime>) -> bool {
        let call = self.eb.events(&self.s.app, &self.s.env, None, since);
        match self.bounded("DescribeEvents", call).await {
            Ok(events) => events
                .iter()
                .any(|e| e.request_id.as_deref().is_some_and(|id| id != request_id)),
            Err(_) => false,
        }
    }

    async fn health_gate(
        &self,
        label: &str,
        mut env: EnvInfo,
        started: Instant,
    ) -> Result<DeployOutcome, DeployError> {
        let gate_deadline =
            (Instant::now() + self.s.health_grace).min(self.deadline.max(Instant::now()));
        let mut poller = Poller::new(self.s.poll);
        loop {
            if self
                .s
                .healthy
                .iter()
                .any(|h| h.eq_ignore_ascii_case(&env.health))
            {
                self.reporter.line(&format!(
                    "`{}` is Ready on `{label}`, health {}",
                    env.name, env.health
                ));
                return Ok(self.outcome(label, DeployStatus::Deployed, &env, started));
            }
            if Instant::now() >= gate_deadline {
                let mut o = self.outcome(label, DeployStatus::HealthGateFailed, &env, started);
                o.failures.push(format!(
                    "health is {} after {} s; the gate accepts {}",
                    env.health,
                    self.s.health_grace.as_secs(),
                    self.s.healthy.join(", ")
                ));
                return Ok(o);
            }
            self.waiting(
                &format!(
                    "the health of `{label}` to reach {}",
                    self.s.healthy.join(" or ")
                ),
                &env,
                started,
                gate_deadline,
            );
            let left = gate_deadline.saturating_duration_since(Instant::now());
            tokio::time::sleep(
                poller
                    .next_interval()
                    .min(left.max(Duration::from_millis(1))),
            )
            .await;
            env = self.describe_lenient(&env).await?;
        }
    }
}

/// Sorts an event into failure or success, by severity first.
fn classify(e: &Event, failures: &mut Vec<String>, success: &mut bool) {
    match e.severity.to_ascii_uppercase().as_str() {
        "ERROR" | "FATAL" => failures.push(e.message.clone()),
        "INFO" if e.message.contains("completed successfully") => *success = true,
        _ => {}
    }
}
