//! One cancellation token for a whole command run.
//!
//! The binary turns SIGINT, SIGTERM and SIGHUP into [`Cancel::cancel`]; the
//! library only watches the token. The same token reaches the three places
//! that must stop cleanly: the zip writer's threads (which poll a flag and
//! remove their temporary file), an S3 upload (which aborts its multipart
//! upload) and a deployment wait (which stops waiting; AWS goes on). A
//! watch channel rather than only a flag lets async code await it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::watch;

/// A cloneable token: every clone sees one [`Cancel::cancel`].
#[derive(Debug, Clone)]
pub struct Cancel {
    flag: Arc<AtomicBool>,
    tx: Arc<watch::Sender<bool>>,
}

impl Default for Cancel {
    fn default() -> Self {
        Self::new()
    }
}

impl Cancel {
    /// A token not yet cancelled.
    pub fn new() -> Self {
        Self {
            flag: Arc::new(AtomicBool::new(false)),
            tx: Arc::new(watch::Sender::new(false)),
        }
    }

    /// Cancels every clone; returns whether it was already cancelled.
    pub fn cancel(&self) -> bool {
        let was = self.flag.swap(true, Ordering::SeqCst);
        self.tx.send_replace(true);
        was
    }

    /// Whether [`Cancel::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Completes once the token is cancelled (at once if it already is).
    pub async fn cancelled(&self) {
        let mut rx = self.tx.subscribe();
        // The sender lives as long as `self`, so this never fails.
        let _ = rx.wait_for(|c| *c).await;
    }

    /// The flag behind the token, for threads that poll it (the zip writer).
    pub fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.flag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_clone_sees_one_cancel() {
        let a = Cancel::new();
        let b = a.clone();
        assert!(!b.is_cancelled());
        let waiter = tokio::spawn({
            let b = b.clone();
            async move { b.cancelled().await }
        });
        assert!(!a.cancel());
        waiter.await.unwrap();
        assert!(b.is_cancelled() && b.flag().load(Ordering::SeqCst));
        assert!(a.cancel(), "a second cancel reports the first");
        b.cancelled().await;
    }
}
