//! SIGINT (Ctrl-C), SIGTERM (a cancelled CI job) and SIGHUP (a closed
//! terminal) all stop a command the same way: the first cancels the run's
//! [`Cancel`] token, so the build removes its temporary file, an upload
//! aborts its multipart upload and a wait stops, and the command exits 130
//! saying what was and was not done. A second exits 130 at once — unless
//! cleanup that must finish is under way ([`Cancel::hold`]: aborting a
//! multipart upload, putting a build's outputs in place); then it waits
//! for that, and only a third exits at once. CI runners send two signals
//! in a row (GitHub Actions: SIGINT, then SIGTERM 7.5 s later), and an
//! exit between them would leave the upload's parts to be paid for.
//!
//! The handlers are registered before [`cancel_on_signals`] returns (a
//! signal that comes a moment later is never lost to the default action)
//! and served by a thread with its own small runtime, so they work the same
//! during the synchronous build and the async AWS steps.

use super::exit;
use ebpack::cancel::Cancel;
use std::io::Write;

/// Installs the handlers and returns the token they cancel.
pub(super) fn cancel_on_signals() -> Cancel {
    let cancel = Cancel::new();
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
    else {
        return cancel;
    };
    let mut signals = {
        let _guard = rt.enter();
        Signals::register()
    };
    let token = cancel.clone();
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            rt.block_on(async move {
                let mut waited = false;
                loop {
                    signals.next().await;
                    if !token.cancel() {
                        say("\nebpack: interrupted; cleaning up (press Ctrl-C again to exit at once)\n");
                        continue;
                    }
                    match token.held() {
                        Some(what) if !waited => {
                            waited = true;
                            say(&format!(
                                "ebpack: still {what}; waiting for it to finish (press Ctrl-C again to exit at once and leave it)\n"
                            ));
                        }
                        _ => std::process::exit(i32::from(exit::INTERRUPTED)),
                    }
                }
            });
        });
    drop(spawned);
    cancel
}

fn say(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

#[cfg(unix)]
struct Signals {
    interrupt: Option<tokio::signal::unix::Signal>,
    terminate: Option<tokio::signal::unix::Signal>,
    hangup: Option<tokio::signal::unix::Signal>,
}

#[cfg(unix)]
impl Signals {
    fn register() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        Self {
            interrupt: signal(SignalKind::interrupt()).ok(),
            terminate: signal(SignalKind::terminate()).ok(),
            hangup: signal(SignalKind::hangup()).ok(),
        }
    }

    /// The next of any of the signals.
    async fn next(&mut self) {
        async fn recv(s: &mut Option<tokio::signal::unix::Signal>) {
            match s {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending().await,
            }
        }
        tokio::select! {
            () = recv(&mut self.interrupt) => {}
            () = recv(&mut self.terminate) => {}
            () = recv(&mut self.hangup) => {}
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn register() -> Self {
        Signals
    }

    async fn next(&mut self) {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
