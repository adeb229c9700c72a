//! `Dockerrun.aws.json`: version detection and the v1/v2/v3 rules
//! (R1–R4, R15–R60).

use super::{Bundle, Ctx, Options};
use crate::diag::Report;
use crate::syntax::Node;

/// Bundle-level Dockerrun rules: finds the Dockerrun (R2), detects the
/// platform kind (R1, R3, R4) and validates the file.
pub fn check_bundle(bundle: &Bundle, options: &Options, report: &mut Report) {
    if let Some(entry) = bundle.get("Dockerrun.aws.json")
        && let Some(data) = &entry.data
    {
        let display = bundle.display_name(&entry.name);
        super::validate_dockerrun_file(&display, data, options, Some(bundle), report);
    }
}

/// Checks one parsed Dockerrun document.
pub fn check(root: &Node, ctx: &mut Ctx<'_>) {
    let _ = (root, ctx);
}
