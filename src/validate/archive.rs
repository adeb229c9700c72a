//! Zip-level rules (R5–R14): layout and entry names of a built archive.

use super::{Bundle, Options};
use crate::diag::Report;

/// Runs the archive rules (only meaningful for zips; folders pass).
pub fn check(bundle: &Bundle, options: &Options, report: &mut Report) {
    let _ = (bundle, options, report);
}
