//! `-v` and `-vv`: the library's `tracing` events on stderr.
//!
//! `-v` shows ebpack's own events at INFO and above (one per AWS call, with
//! its request id and timing, and the steps of a command); `-vv` adds the
//! AWS SDK's debug logs. Without `-v` no subscriber is installed, so the
//! events cost nothing.

use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;

/// Installs the subscriber for `verbose` (the number of `-v`).
pub(super) fn init(verbose: u8) {
    if verbose == 0 {
        return;
    }
    let mut targets = Targets::new().with_target("ebpack", Level::INFO);
    if verbose >= 2 {
        for sdk in ["aws_smithy_runtime", "aws_sdk_", "aws_config"] {
            targets = targets.with_target(sdk, Level::DEBUG);
        }
    }
    let subscriber = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(Level::DEBUG)
        .finish()
        .with(targets);
    // Only fails when one is already installed, which nothing else does.
    let _ = tracing::subscriber::set_global_default(subscriber);
}
