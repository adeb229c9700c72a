//! The calls of the commands around a deployment (`status`, `versions`)
//! behind the [`Operations`] seam: enhanced health, instances, every
//! version, deleting one, the account's quota.

use super::classify;
use super::eb::{EbClient, version_info};
use crate::deploy::ports::{AwsError, EnvHealth, InstanceHealth, Operations, VersionListing};
use aws_sdk_elasticbeanstalk::operation::RequestId;
use aws_sdk_elasticbeanstalk::types::{EnvironmentHealthAttribute, InstancesHealthAttribute};
use std::time::SystemTime;

impl Operations for EbClient {
    async fn environment_health(&self, env: &str) -> Result<Option<EnvHealth>, AwsError> {
        let out = self
            .client()
            .describe_environment_health()
            .environment_name(env)
            .attribute_names(EnvironmentHealthAttribute::All)
            .send()
            .await;
        let out = match out {
            Ok(o) => o,
            // Basic health: the service refuses the call; there is nothing more to say.
            Err(e)
                if classify("DescribeEnvironmentHealth", &e)
                    .message
                    .contains("enhanced") =>
            {
                return Ok(None);
            }
            Err(e) => return Err(classify("DescribeEnvironmentHealth", &e)),
        };
        Ok(Some(EnvHealth {
            color: out.color().unwrap_or_default().to_owned(),
            status: out.health_status().map(str::to_owned),
            causes: out
                .causes()
                .iter()
                .filter(|c| !c.trim().is_empty())
                .cloned()
                .collect(),
        }))
    }

    async fn instances_health(&self, env: &str) -> Result<Vec<InstanceHealth>, AwsError> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..20 {
            let out = self
                .client()
                .describe_instances_health()
                .environment_name(env)
                .attribute_names(InstancesHealthAttribute::All)
                .set_next_token(token.clone())
                .send()
                .await;
            let out = match out {
                Ok(o) => o,
                Err(e)
                    if classify("DescribeInstancesHealth", &e)
                        .message
                        .contains("enhanced") =>
                {
                    return Ok(Vec::new());
                }
                Err(e) => return Err(classify("DescribeInstancesHealth", &e)),
            };
            all.extend(out.instance_health_list().iter().map(|i| {
                InstanceHealth {
                    id: i.instance_id().unwrap_or_default().to_owned(),
                    health_status: i.health_status().map(str::to_owned),
                    color: i.color().map(str::to_owned),
                    version_label: i
                        .deployment()
                        .and_then(|d| d.version_label())
                        .map(str::to_owned),
                }
            }));
            token = out.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        Ok(all)
    }

    async fn versions(&self, app: &str) -> Result<Vec<VersionListing>, AwsError> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        // The quota is 1000 per region by default: ten pages cover it.
        for _ in 0..10 {
            let out = self
                .client()
                .describe_application_versions()
                .application_name(app)
                .max_records(1000)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| classify("DescribeApplicationVersions", &e))?;
            all.extend(out.application_versions().iter().map(|v| VersionListing {
                info: version_info(v),
                created: v.date_created().and_then(|d| SystemTime::try_from(*d).ok()),
            }));
            token = out.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        all.sort_by_key(|v| std::cmp::Reverse(v.created));
        Ok(all)
    }

    async fn delete_version(
        &self,
        app: &str,
        label: &str,
        delete_source: bool,
    ) -> Result<(), AwsError> {
        self.client()
            .delete_application_version()
            .application_name(app)
            .version_label(label)
            .delete_source_bundle(delete_source)
            .send()
            .await
            .map_err(|e| classify("DeleteApplicationVersion", &e))?;
        Ok(())
    }

    async fn version_quota(&self) -> Result<Option<u32>, AwsError> {
        let out = self
            .client()
            .describe_account_attributes()
            .send()
            .await
            .map_err(|e| classify("DescribeAccountAttributes", &e))?;
        Ok(out
            .resource_quotas()
            .and_then(|q| q.application_version_quota())
            .and_then(|q| q.maximum())
            .and_then(|m| u32::try_from(m).ok()))
    }

    async fn swap_cnames(&self, a: &str, b: &str) -> Result<String, AwsError> {
        let out = self
            .client()
            .swap_environment_cnames()
            .source_environment_name(a)
            .destination_environment_name(b)
            .send()
            .await
            .map_err(|e| classify("SwapEnvironmentCNAMEs", &e))?;
        Ok(out.request_id().unwrap_or_default().to_owned())
    }
}
