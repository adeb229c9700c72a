//! Elastic Beanstalk behind the [`Beanstalk`] seam.

use super::classify;
use crate::deploy::ports::{AwsError, Beanstalk, EnvInfo, Event, NewVersion, VersionInfo};
use aws_sdk_elasticbeanstalk::operation::RequestId;
use aws_sdk_elasticbeanstalk::types::S3Location;
use std::time::SystemTime;

/// The Elastic Beanstalk adapter.
#[derive(Debug, Clone)]
pub struct EbClient {
    client: aws_sdk_elasticbeanstalk::Client,
}

impl EbClient {
    /// Wraps a client.
    pub fn new(client: aws_sdk_elasticbeanstalk::Client) -> Self {
        Self { client }
    }

    /// The SDK client (for the other adapters of this module).
    pub(super) fn client(&self) -> &aws_sdk_elasticbeanstalk::Client {
        &self.client
    }
}

pub(super) fn version_info(
    v: &aws_sdk_elasticbeanstalk::types::ApplicationVersionDescription,
) -> VersionInfo {
    VersionInfo {
        label: v.version_label().unwrap_or_default().to_owned(),
        description: v.description().unwrap_or_default().to_owned(),
        bucket: v
            .source_bundle()
            .and_then(|b| b.s3_bucket())
            .unwrap_or_default()
            .to_owned(),
        key: v
            .source_bundle()
            .and_then(|b| b.s3_key())
            .unwrap_or_default()
            .to_owned(),
        // `as_str` keeps the raw text of variants the SDK does not know
        // (the service answers `PROCESSED`, the model says `Processed`).
        status: v
            .status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
    }
}

fn env_info(e: &aws_sdk_elasticbeanstalk::types::EnvironmentDescription) -> EnvInfo {
    EnvInfo {
        name: e.environment_name().unwrap_or_default().to_owned(),
        id: e.environment_id().unwrap_or_default().to_owned(),
        app: e.application_name().unwrap_or_default().to_owned(),
        status: e
            .status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        health: e
            .health()
            .map(|h| h.as_str().to_owned())
            .unwrap_or_default(),
        health_status: e.health_status().map(|h| h.as_str().to_owned()),
        version_label: e.version_label().map(str::to_owned),
        cname: e.cname().map(str::to_owned),
        platform: e
            .platform_arn()
            .or(e.solution_stack_name())
            .map(str::to_owned),
    }
}

impl Beanstalk for EbClient {
    async fn storage_location(&self) -> Result<String, AwsError> {
        let out = self
            .client
            .create_storage_location()
            .send()
            .await
            .map_err(|e| classify("CreateStorageLocation", &e))?;
        Ok(out.s3_bucket().unwrap_or_default().to_owned())
    }

    async fn application_exists(&self, app: &str) -> Result<bool, AwsError> {
        let out = self
            .client
            .describe_applications()
            .application_names(app)
            .send()
            .await
            .map_err(|e| classify("DescribeApplications", &e))?;
        Ok(out
            .applications()
            .iter()
            .any(|a| a.application_name() == Some(app)))
    }

    async fn describe_version(
        &self,
        app: &str,
        label: &str,
    ) -> Result<Option<VersionInfo>, AwsError> {
        let out = self
            .client
            .describe_application_versions()
            .application_name(app)
            .version_labels(label)
            .send()
            .await
            .map_err(|e| classify("DescribeApplicationVersions", &e))?;
        Ok(out
            .application_versions()
            .iter()
            .find(|v| v.version_label() == Some(label))
            .map(version_info))
    }

    async fn create_version(&self, v: &NewVersion) -> Result<VersionInfo, AwsError> {
        let out = self
            .client
            .create_application_version()
            .application_name(&v.app)
            .version_label(&v.label)
            .description(&v.description)
            .source_bundle(
                S3Location::builder()
                    .s3_bucket(&v.bucket)
                    .s3_key(&v.key)
                    .build(),
            )
            .process(v.process)
            .auto_create_application(v.create_app)
            .send()
            .await
            .map_err(|e| classify("CreateApplicationVersion", &e))?;
        Ok(out
            .application_version()
            .map(version_info)
            .unwrap_or_else(|| VersionInfo {
                label: v.label.clone(),
                description: v.description.clone(),
                bucket: v.bucket.clone(),
                key: v.key.clone(),
                status: String::new(),
            }))
    }

    async fn describe_environment(
        &self,
        app: &str,
        env: &str,
    ) -> Result<Option<EnvInfo>, AwsError> {
        let out = self
            .client
            .describe_environments()
            .application_name(app)
            .environment_names(env)
            .include_deleted(false)
            .send()
            .await
            .map_err(|e| classify("DescribeEnvironments", &e))?;
        Ok(out
            .environments()
            .iter()
            .filter(|e| e.environment_name() == Some(env))
            .find(|e| e.status().is_none_or(|s| s.as_str() != "Terminated"))
            .map(env_info))
    }

    async fn applications(&self) -> Result<Vec<String>, AwsError> {
        let out = self
            .client
            .describe_applications()
            .send()
            .await
            .map_err(|e| classify("DescribeApplications", &e))?;
        Ok(out
            .applications()
            .iter()
            .filter_map(|a| a.application_name().map(str::to_owned))
            .collect())
    }

    async fn environments(&self, app: Option<&str>) -> Result<Vec<EnvInfo>, AwsError> {
        let mut envs = Vec::new();
        let mut token: Option<String> = None;
        // At most 10 pages of 1000: enough to suggest a name from.
        for _ in 0..10 {
            let out = self
                .client
                .describe_environments()
                .set_application_name(app.map(str::to_owned))
                .include_deleted(false)
                .max_records(1000)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| classify("DescribeEnvironments", &e))?;
            envs.extend(
                out.environments()
                    .iter()
                    .filter(|e| e.status().is_none_or(|s| s.as_str() != "Terminated"))
                    .map(env_info),
            );
            token = out.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        Ok(envs)
    }

    async fn update_environment(
        &self,
        app: &str,
        env: &str,
        label: &str,
    ) -> Result<String, AwsError> {
        let out = self
            .client
            .update_environment()
            .application_name(app)
            .environment_name(env)
            .version_label(label)
            .send()
            .await
            .map_err(|e| classify("UpdateEnvironment", &e))?;
        Ok(out.request_id().unwrap_or_default().to_owned())
    }

    async fn events(
        &self,
        app: &str,
        env: &str,
        request_id: Option<&str>,
        since: Option<SystemTime>,
    ) -> Result<Vec<Event>, AwsError> {
        let mut events = Vec::new();
        let mut token: Option<String> = None;
        // At most 10 pages per poll: bounded work even if an environment
        // emits a flood; the next poll continues from the newest seen.
        for _ in 0..10 {
            let mut req = self
                .client
                .describe_events()
                .application_name(app)
                .environment_name(env)
                .max_records(100)
                .set_next_token(token.clone());
            if let Some(r) = request_id.filter(|r| !r.is_empty()) {
                req = req.request_id(r);
            }
            if let Some(t) = since {
                req = req.start_time(aws_smithy_types::DateTime::from(t));
            }
            let out = req
                .send()
                .await
                .map_err(|e| classify("DescribeEvents", &e))?;
            for e in out.events() {
                events.push(Event {
                    date: e
                        .event_date()
                        .and_then(|d| SystemTime::try_from(*d).ok())
                        .unwrap_or(SystemTime::UNIX_EPOCH),
                    severity: e
                        .severity()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    message: e.message().unwrap_or_default().to_owned(),
                    request_id: e.request_id().map(str::to_owned),
                    version_label: e.version_label().map(str::to_owned),
                });
            }
            token = out.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        // The service answers newest first; callers want oldest first.
        events.sort_by_key(|e| e.date);
        Ok(events)
    }
}
