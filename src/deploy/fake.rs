//! In-memory stand-ins for S3 and Elastic Beanstalk behind the seam, with a
//! scripted environment, for unit tests of the orchestration. (End-to-end
//! tests use the real SDK against the emulator instead.)

use super::ports::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// How the scripted environment reacts to an update.
#[derive(Debug, Clone, Default)]
pub(crate) struct Script {
    /// Describe calls the environment stays `Updating` (busy) before the update.
    pub busy_polls: u32,
    /// Describe calls an update takes.
    pub update_polls: u32,
    /// Labels whose deployment fails.
    pub failing_labels: Vec<String>,
    /// Health after a successful update.
    pub health_after: Vec<String>,
    /// Calls (of any kind) answered as transient errors first.
    pub transient_errors: u32,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub objects: BTreeMap<(String, String), (u64, String)>,
    pub versions: BTreeMap<(String, String), VersionInfo>,
    pub apps: Vec<String>,
    pub env: Option<EnvInfo>,
    pub events: Vec<Event>,
    pub uploads: u32,
    pub updates: Vec<String>,
    pub polls_left: u32,
    pub busy_left: u32,
    pub pending: Option<(String, String)>,
    pub health_queue: Vec<String>,
    pub transient_left: u32,
    pub clock: u64,
}

pub(crate) struct Fake {
    pub script: Script,
    pub state: Mutex<State>,
}

impl Fake {
    pub(crate) fn new(script: Script, app: &str, env_label: Option<&str>) -> Self {
        let state = State {
            apps: vec![app.to_owned()],
            env: Some(EnvInfo {
                name: "Todobackend-env".into(),
                id: "e-abcdef1234".into(),
                app: app.to_owned(),
                status: if script.busy_polls > 0 {
                    "Updating".into()
                } else {
                    "Ready".into()
                },
                health: "Green".into(),
                health_status: None,
                version_label: env_label.map(str::to_owned),
                cname: None,
                platform: None,
            }),
            busy_left: script.busy_polls,
            transient_left: script.transient_errors,
            ..State::default()
        };
        Self {
            script,
            state: Mutex::new(state),
        }
    }

    fn transient(&self, op: &'static str) -> Result<(), AwsError> {
        let mut s = self.state.lock().unwrap();
        if s.transient_left > 0 {
            s.transient_left -= 1;
            return Err(AwsError::new(ErrorKind::Transient, op, "Rate exceeded"));
        }
        Ok(())
    }

    fn push_event(s: &mut State, severity: &str, message: &str, request: &str) {
        s.clock += 1;
        s.events.push(Event {
            date: SystemTime::UNIX_EPOCH + Duration::from_secs(s.clock),
            severity: severity.into(),
            message: message.into(),
            request_id: Some(request.into()),
            version_label: None,
        });
    }
}

impl Store for Fake {
    async fn check_bucket(&self, bucket: &str) -> Result<(), AwsError> {
        if bucket == "missing" {
            return Err(AwsError::new(
                ErrorKind::NotFound,
                "HeadBucket",
                "no such bucket",
            ));
        }
        Ok(())
    }
    async fn head_object(&self, bucket: &str, key: &str) -> Result<Option<ObjectInfo>, AwsError> {
        self.transient("HeadObject")?;
        let s = self.state.lock().unwrap();
        Ok(s.objects
            .get(&(bucket.to_owned(), key.to_owned()))
            .map(|(size, sha)| ObjectInfo {
                size: *size,
                sha256: Some(sha.clone()),
            }))
    }
    async fn upload(
        &self,
        bucket: &str,
        key: &str,
        path: &Path,
        sha256: &str,
        progress: Progress<'_>,
    ) -> Result<(), AwsError> {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        progress(size);
        let mut s = self.state.lock().unwrap();
        let at = (bucket.to_owned(), key.to_owned());
        // Uploads are conditional (`If-None-Match: *`), as in S3.
        if s.objects.contains_key(&at) {
            return Err(AwsError::new(
                ErrorKind::AlreadyExists,
                "PutObject",
                "PreconditionFailed: At least one of the pre-conditions you specified did not hold",
            ));
        }
        s.uploads += 1;
        s.objects.insert(at, (size, sha256.to_owned()));
        Ok(())
    }
    async fn download(
        &self,
        _bucket: &str,
        _key: &str,
        _to: &Path,
        _max_bytes: u64,
    ) -> Result<u64, AwsError> {
        Err(AwsError::new(
            ErrorKind::Service,
            "GetObject",
            "the fake keeps no object bytes",
        ))
    }
    async fn delete_object(&self, bucket: &str, key: &str) -> Result<(), AwsError> {
        let mut s = self.state.lock().unwrap();
        s.objects.remove(&(bucket.to_owned(), key.to_owned()));
        Ok(())
    }
}

impl Beanstalk for Fake {
    async fn storage_location(&self) -> Result<String, AwsError> {
        Ok("elasticbeanstalk-us-east-1-123456789012".into())
    }
    async fn application_exists(&self, app: &str) -> Result<bool, AwsError> {
        Ok(self.state.lock().unwrap().apps.iter().any(|a| a == app))
    }
    async fn describe_version(
        &self,
        app: &str,
        label: &str,
    ) -> Result<Option<VersionInfo>, AwsError> {
        self.transient("DescribeApplicationVersions")?;
        let s = self.state.lock().unwrap();
        Ok(s.versions.get(&(app.to_owned(), label.to_owned())).cloned())
    }
    async fn create_version(&self, v: &NewVersion) -> Result<VersionInfo, AwsError> {
        let mut s = self.state.lock().unwrap();
        if !s.apps.contains(&v.app) {
            if !v.create_app {
                return Err(AwsError::new(
                    ErrorKind::NotFound,
                    "CreateApplicationVersion",
                    "no app",
                ));
            }
            s.apps.push(v.app.clone());
        }
        let k = (v.app.clone(), v.label.clone());
        if s.versions.contains_key(&k) {
            return Err(AwsError::new(
                ErrorKind::AlreadyExists,
                "CreateApplicationVersion",
                "exists",
            ));
        }
        let info = VersionInfo {
            label: v.label.clone(),
            description: v.description.clone(),
            bucket: v.bucket.clone(),
            key: v.key.clone(),
            status: if v.process {
                "PROCESSED".into()
            } else {
                "UNPROCESSED".into()
            },
        };
        s.versions.insert(k, info.clone());
        Ok(info)
    }
    async fn describe_environment(
        &self,
        _app: &str,
        env: &str,
    ) -> Result<Option<EnvInfo>, AwsError> {
        self.transient("DescribeEnvironments")?;
        let mut s = self.state.lock().unwrap();
        let Some(mut e) = s.env.clone() else {
            return Ok(None);
        };
        if e.name != env {
            return Ok(None);
        }
        if s.busy_left > 0 {
            s.busy_left -= 1;
            if s.busy_left == 0 {
                e.status = "Ready".into();
            }
        } else if let Some((label, req)) = s.pending.clone() {
            if s.polls_left > 0 {
                s.polls_left -= 1;
            } else {
                s.pending = None;
                e.status = "Ready".into();
                if self.script.failing_labels.contains(&label) {
                    e.health = "Red".into();
                    Self::push_event(&mut s, "ERROR", "Failed to deploy application.", &req);
                } else {
                    e.version_label = Some(label);
                    e.health = if s.health_queue.is_empty() {
                        "Green".into()
                    } else {
                        s.health_queue.remove(0)
                    };
                    Self::push_event(
                        &mut s,
                        "INFO",
                        "Environment update completed successfully.",
                        &req,
                    );
                }
            }
        } else if !s.health_queue.is_empty() && e.status == "Ready" {
            e.health = s.health_queue.remove(0);
        }
        s.env = Some(e.clone());
        Ok(Some(e))
    }
    async fn applications(&self) -> Result<Vec<String>, AwsError> {
        Ok(self.state.lock().unwrap().apps.clone())
    }
    async fn environments(&self, app: Option<&str>) -> Result<Vec<EnvInfo>, AwsError> {
        let s = self.state.lock().unwrap();
        Ok(s.env
            .iter()
            .filter(|e| app.is_none_or(|a| e.app == a))
            .cloned()
            .collect())
    }
    async fn update_environment(
        &self,
        _app: &str,
        _env: &str,
        label: &str,
    ) -> Result<String, AwsError> {
        let mut s = self.state.lock().unwrap();
        let e = s.env.clone().unwrap();
        if e.status != "Ready" {
            return Err(AwsError::new(
                ErrorKind::NotReady,
                "UpdateEnvironment",
                "Must be Ready.",
            ));
        }
        s.updates.push(label.to_owned());
        let req = format!("req-{}", s.updates.len());
        let mut e = e;
        e.status = "Updating".into();
        e.health = "Grey".into();
        s.env = Some(e);
        s.pending = Some((label.to_owned(), req.clone()));
        s.polls_left = self.script.update_polls;
        s.health_queue = self.script.health_after.clone();
        Self::push_event(&mut s, "INFO", "Environment update is starting.", &req);
        Ok(req)
    }
    async fn events(
        &self,
        _app: &str,
        _env: &str,
        request_id: Option<&str>,
        since: Option<SystemTime>,
    ) -> Result<Vec<Event>, AwsError> {
        self.transient("DescribeEvents")?;
        let s = self.state.lock().unwrap();
        Ok(s.events
            .iter()
            .filter(|e| request_id.is_none_or(|r| e.request_id.as_deref() == Some(r)))
            .filter(|e| since.is_none_or(|t| e.date >= t))
            .cloned()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Silent;
    use super::super::poll::PollSettings;
    use super::super::publish::{Provenance, PublishError, PublishRequest, publish};
    use super::super::update::{DeploySettings, DeployStatus, deploy};
    use super::*;

    fn settings(label: &str) -> DeploySettings {
        DeploySettings {
            app: "todobackend".into(),
            env: "Todobackend-env".into(),
            label: label.into(),
            timeout: Duration::from_secs(600),
            healthy: vec!["Green".into()],
            health_grace: Duration::from_secs(60),
            no_wait: false,
            rollback: false,
            force: false,
            poll: PollSettings {
                min: Duration::from_secs(1),
                max: Duration::from_secs(5),
            },
        }
    }

    fn zip_file(content: &[u8]) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), content).unwrap();
        f
    }

    fn request(path: &Path, sha: &str) -> PublishRequest {
        PublishRequest {
            app: "todobackend".into(),
            label: "v1".into(),
            zip: path.to_owned(),
            sha256: sha.into(),
            size: 3,
            bucket: None,
            process: false,
            create_app: false,
            process_timeout: Duration::from_secs(60),
            poll: PollSettings::default(),
        }
    }

    const SHA_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const SHA_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    #[tokio::test(start_paused = true)]
    async fn publish_is_idempotent_and_refuses_conflicts() {
        let fake = Fake::new(Script::default(), "todobackend", None);
        let f = zip_file(b"zip");
        let first = publish(&fake, &fake, &request(f.path(), SHA_A), &Silent)
            .await
            .unwrap();
        assert_eq!(first.version, Provenance::Created);
        assert_eq!(first.key, "todobackend/v1.zip");
        let again = publish(&fake, &fake, &request(f.path(), SHA_A), &Silent)
            .await
            .unwrap();
        assert_eq!(again.version, Provenance::Reused);
        assert!(!again.uploaded);
        assert_eq!(fake.state.lock().unwrap().uploads, 1);
        let err = publish(&fake, &fake, &request(f.path(), SHA_B), &Silent)
            .await
            .unwrap_err();
        match err {
            PublishError::LabelConflict { existing, new, .. } => {
                assert_eq!(existing, SHA_A);
                assert_eq!(new, SHA_B);
            }
            other => panic!("{other}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn publish_needs_the_app_unless_asked_to_create_it() {
        let fake = Fake::new(Script::default(), "other", None);
        let f = zip_file(b"zip");
        let err = publish(&fake, &fake, &request(f.path(), SHA_A), &Silent)
            .await
            .unwrap_err();
        assert!(matches!(err, PublishError::NoApplication { .. }), "{err}");
        assert_eq!(
            fake.state.lock().unwrap().uploads,
            0,
            "nothing is uploaded for a missing application"
        );
        let mut req = request(f.path(), SHA_A);
        req.create_app = true;
        assert!(publish(&fake, &fake, &req, &Silent).await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn deploy_waits_for_ready_then_succeeds_on_the_new_label() {
        let script = Script {
            busy_polls: 3,
            update_polls: 4,
            ..Script::default()
        };
        let fake = Fake::new(script, "todobackend", Some("v0"));
        let out = deploy(&fake, &settings("v1"), &Silent).await.unwrap();
        assert_eq!(out.status, DeployStatus::Deployed);
        assert_eq!(out.final_label.as_deref(), Some("v1"));
        assert_eq!(out.previous_label.as_deref(), Some("v0"));
        assert_eq!(fake.state.lock().unwrap().updates, vec!["v1"]);
    }

    #[tokio::test(start_paused = true)]
    async fn failed_deploy_keeps_old_label_and_rolls_back_when_asked() {
        let script = Script {
            update_polls: 2,
            failing_labels: vec!["bad".into()],
            ..Script::default()
        };
        let fake = Fake::new(script, "todobackend", Some("good"));
        let mut s = settings("bad");
        let out = deploy(&fake, &s, &Silent).await.unwrap();
        assert_eq!(out.status, DeployStatus::Failed);
        assert_eq!(out.final_label.as_deref(), Some("good"));
        assert!(out.failures.iter().any(|f| f.contains("Failed to deploy")));
        assert!(out.rollback.is_none());

        s.rollback = true;
        let out = deploy(&fake, &s, &Silent).await.unwrap();
        assert_eq!(out.status, DeployStatus::Failed);
        let rb = out.rollback.expect("rollback ran");
        assert_eq!(rb.label, "good");
        // The environment already runs `good` (the failed deploy kept it),
        // but a rollback always redeploys it explicitly.
        assert_eq!(rb.status, DeployStatus::Deployed);
        assert_eq!(
            fake.state.lock().unwrap().updates,
            vec!["bad", "bad", "good"]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn health_gate_and_timeout() {
        let script = Script {
            update_polls: 1,
            health_after: vec!["Yellow".into(); 1000],
            ..Script::default()
        };
        let fake = Fake::new(script, "todobackend", Some("v0"));
        let out = deploy(&fake, &settings("v1"), &Silent).await.unwrap();
        assert_eq!(out.status, DeployStatus::HealthGateFailed);
        assert_eq!(out.final_label.as_deref(), Some("v1"));

        let script = Script {
            update_polls: 100_000,
            ..Script::default()
        };
        let fake = Fake::new(script, "todobackend", Some("v0"));
        let mut s = settings("v1");
        s.timeout = Duration::from_secs(30);
        let out = deploy(&fake, &s, &Silent).await.unwrap();
        assert_eq!(out.status, DeployStatus::TimedOut);
        assert_eq!(out.env_status, "Updating");
    }

    #[tokio::test(start_paused = true)]
    async fn waiting_again_for_a_running_deployment_does_not_redeploy() {
        let script = Script {
            update_polls: 5,
            health_after: vec!["Yellow".into(); 1000],
            ..Script::default()
        };
        let fake = Fake::new(script, "todobackend", Some("v0"));
        let mut s = settings("v1");
        s.no_wait = true;
        let out = deploy(&fake, &s, &Silent).await.unwrap();
        assert_eq!(out.status, DeployStatus::Started);
        // `ebpack deploy --version v1` again: waits for that deployment, and
        // still applies the health gate to it.
        let mut s = settings("v1");
        s.health_grace = Duration::from_secs(10);
        let out = deploy(&fake, &s, &Silent).await.unwrap();
        assert_eq!(out.status, DeployStatus::HealthGateFailed);
        assert_eq!(out.final_label.as_deref(), Some("v1"));
        assert_eq!(out.previous_label.as_deref(), Some("v0"));
        assert_eq!(fake.state.lock().unwrap().updates, vec!["v1"]);
    }

    #[tokio::test(start_paused = true)]
    async fn transient_errors_are_ridden_out_and_same_label_is_unchanged() {
        let script = Script {
            update_polls: 2,
            transient_errors: 3,
            ..Script::default()
        };
        let fake = Fake::new(script, "todobackend", Some("v0"));
        let out = deploy(&fake, &settings("v1"), &Silent).await.unwrap();
        assert_eq!(out.status, DeployStatus::Deployed);
        assert_eq!(fake.state.lock().unwrap().transient_left, 0);
        let out = deploy(&fake, &settings("v1"), &Silent).await.unwrap();
        assert_eq!(out.status, DeployStatus::Unchanged);
        assert_eq!(fake.state.lock().unwrap().updates.len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_rerun_after_a_failed_health_gate_fails_the_gate_again() {
        let script = Script {
            update_polls: 1,
            health_after: vec!["Red".into(); 1000],
            ..Script::default()
        };
        let fake = Fake::new(script, "todobackend", Some("v0"));
        let mut s = settings("v1");
        s.health_grace = Duration::from_secs(10);
        let out = deploy(&fake, &s, &Silent).await.unwrap();
        assert_eq!(out.status, DeployStatus::HealthGateFailed);
        // Nothing to deploy the second time, but the environment is still
        // Red: the re-run must not turn that into success.
        let again = deploy(&fake, &s, &Silent).await.unwrap();
        assert_eq!(again.status, DeployStatus::HealthGateFailed, "{again:?}");
        assert_eq!(again.health, "Red");
        assert_eq!(fake.state.lock().unwrap().updates, vec!["v1"]);
        // `--no-wait` reports what it found without waiting on health.
        s.no_wait = true;
        let quick = deploy(&fake, &s, &Silent).await.unwrap();
        assert_eq!(quick.status, DeployStatus::Unchanged);
    }
}
