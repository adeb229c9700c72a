//! `ebpack swap A B` and `deploy --swap-with B`: exchange two environments'
//! CNAMEs (blue/green), then check that both are Ready and that each CNAME
//! really moved — the swap call returning is not the swap done.

use super::status::find_environment;
use super::{Error, connect, runtime};
use crate::aws::AwsSettings;
use crate::cancel::Cancel;
use crate::config::Settings;
use crate::deploy::Reporter;
use crate::deploy::poll::{PollSettings, Poller};
use crate::deploy::ports::{Beanstalk, EnvInfo, Operations};
use serde::Serialize;
use std::time::{Duration, Instant};

/// Which environment serves which CNAME.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Serving {
    /// Environment.
    pub environment: String,
    /// Its CNAME.
    pub cname: Option<String>,
    /// The version it runs.
    pub version_label: Option<String>,
}

/// How a swap ended.
#[derive(Debug, Clone, Serialize)]
pub struct SwapSummary {
    /// True when both are Ready and the CNAMEs moved.
    pub swapped: bool,
    /// Before the swap.
    pub before: [Serving; 2],
    /// After it (as last seen).
    pub after: [Serving; 2],
    /// `SwapEnvironmentCNAMEs`' request id.
    pub request_id: Option<String>,
    /// What went wrong, when it did.
    pub failures: Vec<String>,
}

fn serving(e: &EnvInfo) -> Serving {
    Serving {
        environment: e.name.clone(),
        cname: e.cname.clone(),
        version_label: e.version_label.clone(),
    }
}

/// Swaps `a` and `b` and checks the result, within `timeout`.
pub async fn swap_and_check<B: Operations>(
    eb: &B,
    app: &str,
    a: &str,
    b: &str,
    timeout: Duration,
    poll: PollSettings,
    reporter: &dyn Reporter,
) -> Result<SwapSummary, Error> {
    let ea = find_environment(eb, app, a).await?;
    let eb_ = find_environment(eb, app, b).await?;
    let before = [serving(&ea), serving(&eb_)];
    for e in [&ea, &eb_] {
        if e.status != "Ready" {
            return Ok(SwapSummary {
                swapped: false,
                after: before.clone(),
                before,
                request_id: None,
                failures: vec![format!(
                    "`{}` is `{}`, not Ready: nothing was swapped",
                    e.name, e.status
                )],
            });
        }
        if e.cname.is_none() {
            return Err(Error::Usage(format!(
                "`{}` has no CNAME (a worker environment): there is nothing to swap",
                e.name
            )));
        }
    }
    reporter.line(&format!(
        "swapping CNAMEs: `{a}` ({}) and `{b}` ({})",
        ea.cname.as_deref().unwrap_or("-"),
        eb_.cname.as_deref().unwrap_or("-")
    ));
    let request_id = eb.swap_cnames(a, b).await?;
    let deadline = Instant::now() + timeout;
    let mut poller = Poller::new(poll);
    loop {
        tokio::time::sleep(poller.next_interval()).await;
        let (na, nb) = (
            eb.describe_environment(app, a).await?,
            eb.describe_environment(app, b).await?,
        );
        let (Some(na), Some(nb)) = (na, nb) else {
            return Err(Error::Usage(format!(
                "`{a}` or `{b}` disappeared during the swap"
            )));
        };
        let ready = na.status == "Ready" && nb.status == "Ready";
        let moved = na.cname == eb_.cname && nb.cname == ea.cname;
        let after = [serving(&na), serving(&nb)];
        if ready && moved {
            reporter.line(&format!(
                "`{b}` serves {} now; `{a}` serves {}",
                ea.cname.as_deref().unwrap_or("-"),
                eb_.cname.as_deref().unwrap_or("-")
            ));
            return Ok(SwapSummary {
                swapped: true,
                before,
                after,
                request_id: Some(request_id),
                failures: Vec::new(),
            });
        }
        if Instant::now() >= deadline {
            let why = if moved {
                "the CNAMEs moved, but the environments were not both Ready before the deadline"
            } else {
                "the CNAMEs did not move before the deadline"
            };
            return Ok(SwapSummary {
                swapped: false,
                before,
                after,
                request_id: Some(request_id),
                failures: vec![why.to_owned()],
            });
        }
    }
}

/// `ebpack swap A B`.
pub fn swap(
    settings: &Settings,
    a: &str,
    b: &str,
    timeout: Duration,
    aws: &AwsSettings,
    reporter: &dyn Reporter,
    cancel: &Cancel,
) -> Result<SwapSummary, Error> {
    runtime()?.block_on(async {
        let clients = connect(aws, cancel).await?;
        let work = swap_and_check(
            &clients.eb,
            &settings.app,
            a,
            b,
            timeout,
            PollSettings::default(),
            reporter,
        );
        tokio::select! {
            r = work => r,
            () = cancel.cancelled() => Err(Error::Interrupted(super::Interruption::Swap {
                a: a.to_owned(),
                b: b.to_owned(),
            })),
        }
    })
}

/// Before a blue/green deploy: `live` exists, is Ready and has a CNAME, so a
/// deployment to the other environment can be swapped in.
pub async fn check_live<B: Beanstalk>(eb: &B, app: &str, live: &str) -> Result<EnvInfo, Error> {
    let e = find_environment(eb, app, live).await?;
    if e.cname.is_none() {
        return Err(Error::Usage(format!(
            "`{live}` has no CNAME (a worker environment): `--swap-with` needs two web environments"
        )));
    }
    Ok(e)
}

/// [`check_live`] as a command step (its own connection).
pub fn check_live_env(
    settings: &Settings,
    live: &str,
    aws: &AwsSettings,
    cancel: &Cancel,
) -> Result<EnvInfo, Error> {
    runtime()?.block_on(async {
        let clients = connect(aws, cancel).await?;
        check_live(&clients.eb, &settings.app, live).await
    })
}
