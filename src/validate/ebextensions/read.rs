//! How EB reads a configuration file: as YAML, and when that fails, as JSON
//! (R63, R64).
//!
//! EB's service reads each `.config` with a YAML parser and, when that
//! fails, with a JSON parser: a file is rejected only when both fail, and
//! the error event quotes both ("contains invalid YAML or JSON. YAML
//! exception: … JSON exception: …"). The two readings differ on tabs: the
//! YAML parser (SnakeYAML, like PyYAML) takes no tab between tokens, JSON
//! takes tabs as whitespace. So a file in JSON form — its first character
//! after whitespace is `{`, the only way a JSON text can be a mapping — is
//! read as strict JSON first, where tabs are fine; when that fails, it is
//! read as YAML (a YAML flow mapping also starts with `{`). A file in
//! any other form can only be YAML: JSON allows no comment, so a `#` before
//! the `{` already makes the JSON reading fail.

use super::tabs;
use crate::diag::Finding;
use crate::syntax::{Node, SyntaxError, json, yaml};
use crate::validate::{Ctx, Rule};

/// Which reading produced a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// YAML (tabs in indentation are R64).
    Yaml,
    /// JSON (tabs are whitespace).
    Json,
}

/// Why a file has no tree.
pub(crate) enum Failure {
    /// The YAML reading failed (and the JSON one, if tried, failed earlier
    /// in the file).
    Yaml(SyntaxError),
    /// A file in JSON form is not valid JSON. `tabs`: the YAML reading
    /// went through only by ignoring its tabs, which EB's parser rejects.
    Json {
        /// The JSON parser's error.
        error: SyntaxError,
        /// True when indentation tabs keep the file from being YAML.
        tabs: bool,
    },
}

/// True when `text` is in JSON form: `{` after JSON whitespace.
pub(crate) fn is_json_form(text: &str) -> bool {
    text.trim_start_matches([' ', '\t', '\r', '\n'])
        .starts_with('{')
}

/// Reads a configuration file as EB does.
pub(crate) fn read(text: &str) -> Result<(Node, Form), Failure> {
    if !is_json_form(text) {
        return yaml::parse(text)
            .map(|root| (root, Form::Yaml))
            .map_err(Failure::Yaml);
    }
    let json_error = match json::parse(text) {
        Ok(root) => return Ok((root, Form::Json)),
        Err(e) => e,
    };
    match yaml::parse(text) {
        Ok(root) if tabs::indentation_tabs(text, Some(&root)).is_empty() => Ok((root, Form::Yaml)),
        Ok(_) => Err(Failure::Json {
            error: json_error,
            tabs: true,
        }),
        // The reading that got further understood more of the file: its
        // error is the one to fix.
        Err(e) if e.span.start > json_error.span.start => Err(Failure::Yaml(e)),
        Err(_) => Err(Failure::Json {
            error: json_error,
            tabs: false,
        }),
    }
}

/// The tree of a configuration file, for rules that look across files.
pub(crate) fn tree(text: &str) -> Option<Node> {
    read(text).ok().map(|(root, _)| root)
}

/// Reports why a file has no tree.
pub(crate) fn report(failure: &Failure, ctx: &mut Ctx<'_>) {
    match failure {
        Failure::Yaml(e) => yaml_error(e, ctx),
        Failure::Json { error, tabs } => {
            let help = if *tabs {
                "the file starts with `{` and its tab indentation keeps it from being YAML, so EB reads it as JSON: fix the JSON syntax, or indent with spaces"
            } else {
                "EB rejects a configuration file that parses as neither YAML nor JSON; fix the JSON syntax"
            };
            ctx.push(
                Rule::R63
                    .error(format!("invalid JSON: {}", error.message), help)
                    .at_span(error.span.clone(), ""),
            );
        }
    }
}

/// A YAML syntax error: R64 when a tab in indentation caused it,
/// otherwise R63 (plus R64 for indentation tabs found before it).
fn yaml_error(err: &SyntaxError, ctx: &mut Ctx<'_>) {
    let text = ctx.file.text();
    let tabs = tabs::indentation_tabs(text, None);
    let at = err.span.start.min(text.len());
    let err_line = ctx.file.position(at).line;
    let tab_at_error = text.as_bytes().get(at) == Some(&b'\t');
    let caused_by_tab = tab_at_error
        || err.message.contains("tab")
        || tabs.iter().any(|&t| ctx.file.position(t).line == err_line);
    let mut reported = tabs.clone();
    if tab_at_error && !tabs.contains(&at) {
        reported.push(at);
        reported.sort_unstable();
    }
    if !caused_by_tab {
        ctx.push(
            Rule::R63
                .error(
                    format!("invalid YAML: {}", err.message),
                    "EB rejects a configuration file that parses as neither YAML nor JSON; fix the syntax",
                )
                .at_span(err.span.clone(), ""),
        );
    } else if reported.is_empty() {
        // The parser blamed a tab we could not place: show its own position.
        reported.push(at);
    }
    if let Some(f) = tab_finding(&reported, ctx) {
        ctx.push(f);
    }
}

/// One R64 finding for all indentation tabs at `offsets` (sorted): at the
/// first, counting the other lines. One cause, one finding.
pub(crate) fn tab_finding(offsets: &[usize], ctx: &Ctx<'_>) -> Option<Finding> {
    let (&first, rest) = offsets.split_first()?;
    let first_line = ctx.file.position(first).line;
    let mut lines: Vec<usize> = rest
        .iter()
        .map(|&t| ctx.file.position(t).line)
        .filter(|&l| l != first_line)
        .collect();
    lines.dedup();
    let message = match lines.len() {
        0 => "tab character in indentation".to_owned(),
        1 => "tab character in indentation (and on 1 more line)".to_owned(),
        n => format!("tab character in indentation (and on {n} more lines)"),
    };
    Some(
        Rule::R64
            .error(
                message,
                "indent YAML with spaces only; tabs are allowed only inside block scalars (`content: |`)",
            )
            .at_span(first..first + 1, ""),
    )
}
