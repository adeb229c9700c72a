//! One cancellation token for a whole command run.
//!
//! The binary turns SIGINT, SIGTERM and SIGHUP into [`Cancel::cancel`]; the
//! library only watches the token. The same token reaches the three places
//! that must stop cleanly: the zip writer's threads (which poll a flag and
//! remove their temporary file), an S3 upload (which aborts its multipart
//! upload) and a deployment wait (which stops waiting; AWS goes on). A
//! watch channel rather than only a flag lets async code await it.
//!
//! Cleanup that must not be cut short (aborting a multipart upload, the
//! renames that put a build's outputs in place) runs under a [`Hold`]:
//! while one is held, the binary lets a second signal wait for it instead
//! of exiting at once, so a CI runner that sends SIGINT and then SIGTERM
//! does not leave the upload's parts behind.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// A cloneable token: every clone sees one [`Cancel::cancel`].
#[derive(Debug, Clone)]
pub struct Cancel {
    flag: Arc<AtomicBool>,
    tx: Arc<watch::Sender<bool>>,
    holds: Arc<Mutex<Vec<(u64, &'static str)>>>,
}

/// Cleanup under way that a second signal waits for (see the module
/// docs); released when dropped.
#[derive(Debug)]
#[must_use = "the hold ends when dropped"]
pub struct Hold {
    id: u64,
    holds: Arc<Mutex<Vec<(u64, &'static str)>>>,
}

impl Drop for Hold {
    fn drop(&mut self) {
        let mut h = self
            .holds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        h.retain(|(id, _)| *id != self.id);
    }
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
            holds: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Marks `what` (`aborting the multipart upload`) as under way until
    /// the returned [`Hold`] is dropped.
    pub fn hold(&self, what: &'static str) -> Hold {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        self.holds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((id, what));
        Hold {
            id,
            holds: Arc::clone(&self.holds),
        }
    }

    /// What is held now (the latest hold), if anything.
    pub fn held(&self) -> Option<&'static str> {
        self.holds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .last()
            .map(|(_, what)| *what)
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

    #[test]
    fn holds_nest_and_end_when_dropped() {
        let a = Cancel::new();
        assert_eq!(a.held(), None);
        let outer = a.hold("writing the outputs");
        let inner = a.clone().hold("aborting the multipart upload");
        assert_eq!(a.held(), Some("aborting the multipart upload"));
        drop(inner);
        assert_eq!(a.held(), Some("writing the outputs"));
        drop(outer);
        assert_eq!(a.held(), None);
    }
}
