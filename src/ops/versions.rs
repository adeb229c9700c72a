//! `versions list` and `versions prune`: keep an application under the
//! per-region quota of application versions (1000 by default) that a
//! pipeline publishing one version per commit reaches, without ever
//! deleting what an environment runs or would roll back to.
//!
//! What an environment "would roll back to" is the label it ran before the
//! current one: read from its events (each deployment's events carry the
//! label), newest first. Elastic Beanstalk keeps events for six weeks, so an
//! environment whose last two deployments are older protects only its
//! current label; `--keep` covers that.

use super::{Error, connect, runtime};
use crate::aws::AwsSettings;
use crate::cancel::Cancel;
use crate::config::Settings;
use crate::deploy::Reporter;
use crate::deploy::ports::{Beanstalk, Operations, VersionListing};
use crate::deploy::publish::digest_in;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

/// One version, as `versions list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct VersionRow {
    /// Label.
    pub label: String,
    /// Created (RFC 3339).
    pub created: Option<String>,
    /// Size in bytes, from the description ebpack wrote.
    pub size: Option<u64>,
    /// sha256, from the description ebpack wrote.
    pub sha256: Option<String>,
    /// Environments that run it now.
    pub running_in: Vec<String>,
    /// Environments that would roll back to it (their previous label).
    pub previous_in: Vec<String>,
    /// `s3://bucket/key`.
    pub source: String,
}

/// `ebpack versions list --output json`.
#[derive(Debug, Clone, Serialize)]
pub struct VersionList {
    /// Application.
    pub application: String,
    /// Newest first.
    pub versions: Vec<VersionRow>,
    /// The region's quota of application versions (all applications).
    pub quota: Option<u32>,
}

/// What `versions prune` deletes.
#[derive(Debug, Clone)]
pub struct PruneRequest {
    /// Keep the newest N versions whatever else holds.
    pub keep: usize,
    /// Only versions older than this.
    pub older_than: Option<Duration>,
    /// Delete the source bundles in S3 too.
    pub delete_source: bool,
    /// Delete; without it, only say what would be deleted.
    pub yes: bool,
}

/// Why a version is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kept {
    /// An environment runs it.
    Running,
    /// An environment would roll back to it.
    Previous,
    /// Among the newest `--keep`.
    Newest,
    /// Not older than `--older-than`.
    Recent,
}

/// `ebpack versions prune --output json`.
#[derive(Debug, Clone, Serialize)]
pub struct PruneSummary {
    /// Application.
    pub application: String,
    /// Deleted (or, without `--yes`, that would be).
    pub deleted: Vec<String>,
    /// Kept, with the reason.
    pub kept: Vec<(String, Kept)>,
    /// False without `--yes`: nothing was deleted.
    pub applied: bool,
    /// Versions that could not be deleted, with the service's reason.
    pub failed: Vec<(String, String)>,
}

/// The labels each environment of `app` runs and ran before, from the
/// environments and their deployments' events.
async fn in_use<B: Operations>(
    eb: &B,
    app: &str,
) -> Result<(BTreeMap<String, Vec<String>>, BTreeMap<String, Vec<String>>), Error> {
    let mut running: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut previous: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for env in eb.environments(Some(app)).await? {
        let Some(current) = env.version_label.clone() else {
            continue;
        };
        running
            .entry(current.clone())
            .or_default()
            .push(env.name.clone());
        // Newest first: the first deployed label that is not the current.
        let events = eb.events(app, &env.name, None, None).await?;
        let deployed = events
            .iter()
            .rev()
            .filter(|e| {
                e.message.contains("completed successfully")
                    || e.message.contains("New application version was deployed")
            })
            .filter_map(|e| e.version_label.clone())
            .find(|l| *l != current);
        if let Some(prev) = deployed {
            previous.entry(prev).or_default().push(env.name.clone());
        }
    }
    Ok((running, previous))
}

/// The `size:<bytes>` ebpack writes in a version's description.
fn size_in(description: &str) -> Option<u64> {
    let rest = &description[description.find("size:")? + 5..];
    rest.split_whitespace().next()?.parse().ok()
}

fn row(
    v: &VersionListing,
    running: &BTreeMap<String, Vec<String>>,
    previous: &BTreeMap<String, Vec<String>>,
) -> VersionRow {
    let label = &v.info.label;
    VersionRow {
        label: label.clone(),
        created: v.created.map(super::status::rfc3339),
        size: size_in(&v.info.description),
        sha256: digest_in(&v.info.description).map(str::to_owned),
        running_in: running.get(label).cloned().unwrap_or_default(),
        previous_in: previous.get(label).cloned().unwrap_or_default(),
        source: format!("s3://{}/{}", v.info.bucket, v.info.key),
    }
}

/// `ebpack versions list`.
pub fn list(settings: &Settings, aws: &AwsSettings, cancel: &Cancel) -> Result<VersionList, Error> {
    runtime()?.block_on(async {
        let clients = connect(aws, cancel).await?;
        let eb = &clients.eb;
        let app = &settings.app;
        if !eb.application_exists(app).await? {
            return Err(Error::NoApplication {
                app: app.clone(),
                hint: crate::deploy::suggest::missing_application(eb, app).await,
            });
        }
        let versions = eb.versions(app).await?;
        let (running, previous) = in_use(eb, app).await?;
        let quota = eb.version_quota().await.unwrap_or(None);
        Ok(VersionList {
            application: app.clone(),
            versions: versions
                .iter()
                .map(|v| row(v, &running, &previous))
                .collect(),
            quota,
        })
    })
}

/// Which versions to delete, newest-first `versions` given: never one an
/// environment runs or would roll back to, nor the newest `keep`, nor one
/// younger than `older_than`.
pub fn plan(
    versions: &[VersionListing],
    running: &BTreeSet<String>,
    previous: &BTreeSet<String>,
    keep: usize,
    older_than: Option<Duration>,
    now: SystemTime,
) -> (Vec<String>, Vec<(String, Kept)>) {
    let (mut delete, mut kept) = (Vec::new(), Vec::new());
    for (i, v) in versions.iter().enumerate() {
        let label = v.info.label.clone();
        let young = older_than.is_some_and(|age| {
            v.created
                .is_none_or(|c| now.duration_since(c).unwrap_or_default() < age)
        });
        let why = if running.contains(&label) {
            Some(Kept::Running)
        } else if previous.contains(&label) {
            Some(Kept::Previous)
        } else if i < keep {
            Some(Kept::Newest)
        } else if young {
            Some(Kept::Recent)
        } else {
            None
        };
        match why {
            Some(w) => kept.push((label, w)),
            None => delete.push(label),
        }
    }
    (delete, kept)
}

/// `ebpack versions prune`.
pub fn prune(
    settings: &Settings,
    req: &PruneRequest,
    aws: &AwsSettings,
    reporter: &dyn Reporter,
    cancel: &Cancel,
) -> Result<PruneSummary, Error> {
    runtime()?.block_on(async {
        let clients = connect(aws, cancel).await?;
        let eb = &clients.eb;
        let app = &settings.app;
        if !eb.application_exists(app).await? {
            return Err(Error::NoApplication {
                app: app.clone(),
                hint: crate::deploy::suggest::missing_application(eb, app).await,
            });
        }
        let versions = eb.versions(app).await?;
        let (running, previous) = in_use(eb, app).await?;
        let running: BTreeSet<String> = running.into_keys().collect();
        let previous: BTreeSet<String> = previous.into_keys().collect();
        let (delete, kept) = plan(
            &versions,
            &running,
            &previous,
            req.keep,
            req.older_than,
            SystemTime::now(),
        );
        let mut summary = PruneSummary {
            application: app.clone(),
            deleted: Vec::new(),
            kept,
            applied: req.yes,
            failed: Vec::new(),
        };
        if !req.yes {
            summary.deleted = delete;
            return Ok(summary);
        }
        for label in delete {
            if cancel.is_cancelled() {
                reporter.line("interrupted: the versions not listed as deleted were kept");
                break;
            }
            match eb.delete_version(app, &label, req.delete_source).await {
                Ok(()) => {
                    reporter.line(&format!("deleted `{label}`"));
                    summary.deleted.push(label);
                }
                Err(e) => {
                    reporter.line(&format!("could not delete `{label}`: {e}"));
                    summary.failed.push((label, e.to_string()));
                }
            }
        }
        Ok(summary)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::ports::VersionInfo;

    fn v(label: &str, days_old: u64, now: SystemTime) -> VersionListing {
        VersionListing {
            info: VersionInfo {
                label: label.into(),
                description: format!("sha256:{} size:42 by ebpack", "a".repeat(64)),
                bucket: "b".into(),
                key: format!("app/{label}.zip"),
                status: "UNPROCESSED".into(),
            },
            created: Some(now - Duration::from_secs(days_old * 86_400)),
        }
    }

    #[test]
    fn prune_never_takes_what_runs_or_would_be_rolled_back_to() {
        let now = SystemTime::now();
        // Newest first, as the listing gives them.
        let versions: Vec<_> = (0..8)
            .map(|i| v(&format!("v{}", 8 - i), i * 10, now))
            .collect();
        let running = BTreeSet::from(["v3".to_owned()]);
        let previous = BTreeSet::from(["v2".to_owned()]);
        let (delete, kept) = plan(&versions, &running, &previous, 2, None, now);
        assert_eq!(delete, ["v6", "v5", "v4", "v1"]);
        assert!(kept.contains(&("v8".into(), Kept::Newest)));
        assert!(kept.contains(&("v3".into(), Kept::Running)));
        assert!(kept.contains(&("v2".into(), Kept::Previous)));
        // Only versions older than 35 days.
        let (delete, _) = plan(
            &versions,
            &running,
            &previous,
            0,
            Some(Duration::from_secs(35 * 86_400)),
            now,
        );
        assert_eq!(delete, ["v4", "v1"]);
        assert_eq!(size_in("sha256:x size:1234 by ebpack 0.1"), Some(1234));
    }
}
