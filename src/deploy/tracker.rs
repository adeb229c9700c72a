//! What a deployment has asked of Elastic Beanstalk so far, for a caller
//! that stops waiting (a signal) and must say exactly what was and was not
//! sent: nothing, an `UpdateEnvironment` still in flight, or one accepted.

use super::ports::AwsError;

/// What a deployment has asked of Elastic Beanstalk so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Asked {
    /// No `UpdateEnvironment` was sent (waiting for Ready, or nothing to do).
    #[default]
    Nothing,
    /// `UpdateEnvironment` to `label` was sent and has not answered.
    Sending {
        /// The label asked for.
        label: String,
    },
    /// `UpdateEnvironment` to `label` was accepted (the last one: a
    /// rollback's comes after the deployment's).
    Accepted {
        /// The label asked for.
        label: String,
        /// Its request id.
        request_id: String,
    },
}

/// Where [`super::update::deploy_tracked`] records what it asked; a caller can await a
/// change ([`Tracker::subscribe`]).
#[derive(Debug)]
pub struct Tracker(tokio::sync::watch::Sender<Asked>);

impl Default for Tracker {
    fn default() -> Self {
        Self::new()
    }
}

impl Tracker {
    /// Nothing asked yet.
    pub fn new() -> Self {
        Self(tokio::sync::watch::Sender::new(Asked::Nothing))
    }

    /// What was asked so far.
    pub fn get(&self) -> Asked {
        self.0.borrow().clone()
    }

    /// A receiver that sees every change.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<Asked> {
        self.0.subscribe()
    }

    fn set(&self, asked: Asked) {
        self.0.send_replace(asked);
    }

    /// `UpdateEnvironment` to `label`, recorded around the call.
    pub(super) async fn update(
        &self,
        label: &str,
        call: impl Future<Output = Result<String, AwsError>>,
    ) -> Result<String, AwsError> {
        let before = self.get();
        self.set(Asked::Sending {
            label: label.to_owned(),
        });
        let r = call.await;
        self.set(match &r {
            Ok(id) => Asked::Accepted {
                label: label.to_owned(),
                request_id: id.clone(),
            },
            Err(_) => before,
        });
        r
    }
}
