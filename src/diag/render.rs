//! Printing findings: human (annotate-snippets, with source and caret) and
//! JSON lines (one object per finding, for machines).

use super::{Diagnostic, Report, Severity};
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Source snippets with carets, for people (stderr).
    #[default]
    Human,
    /// One JSON object per finding per line (stdout).
    Json,
}

/// Renders one finding for people. `color` adds ANSI styles.
pub fn human(diag: &Diagnostic, report: &Report, color: bool) -> String {
    let level = match diag.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    let title = level.primary_title(diag.message.as_str()).id(diag.code);
    let source = report.sources.get(&diag.file);
    let mut group = match (source, &diag.span) {
        (Some(src), Some(span)) => {
            let text = src.text();
            let span = first_line(text, clamp(text, span.clone()));
            let mut snippet = Snippet::source(text)
                .path(diag.file.as_str())
                .line_start(1)
                .fold(true)
                .annotation(AnnotationKind::Primary.span(span));
            for label in &diag.labels {
                snippet = snippet.annotation(
                    AnnotationKind::Context
                        .span(clamp(text, label.span.clone()))
                        .label(label.message.as_str()),
                );
            }
            title.element(snippet)
        }
        _ => title.element(Origin::path(diag.file.as_str())),
    };
    if !diag.pointer.is_empty() {
        group = group.element(Level::NOTE.message(format!("at `{}`", diag.pointer)));
    }
    if !diag.help.is_empty() {
        group = group.element(Level::HELP.message(diag.help.as_str()));
    }
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let groups: [Group<'_>; 1] = [group];
    renderer.render(&groups)
}

/// Renders one finding as a single JSON line.
pub fn json(diag: &Diagnostic) -> String {
    serde_json::to_string(diag).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// The closing line: `2 errors, 1 warning` (or `no problems found`).
pub fn summary(report: &Report) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let (e, w, i) = (
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report.count(Severity::Info),
    );
    if e + w + i == 0 {
        return "no problems found".into();
    }
    let mut parts = vec![plural(e, "error"), plural(w, "warning")];
    if i > 0 {
        parts.push(plural(i, "note"));
    }
    parts.join(", ")
}

/// Renders a whole report for people, findings then the summary line.
pub fn human_report(report: &Report, color: bool) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        out.push_str(&human(d, report, color));
        out.push_str("\n\n");
    }
    out.push_str(&summary(report));
    out.push('\n');
    out
}

/// Cuts a span that covers several lines (a whole mapping or array) to
/// its first line, so the caret marks where the node starts instead of
/// drawing a bracket over the lines below; the JSON output keeps the end.
fn first_line(text: &str, span: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let Some(nl) = text[span.clone()].find('\n') else {
        return span;
    };
    let line = text[span.start..span.start + nl].trim_end();
    if line.is_empty() {
        return span.start..span.start;
    }
    span.start..span.start + line.len()
}

/// Keeps a span inside the text and on char boundaries.
fn clamp(text: &str, span: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let fix = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (s, e) = (fix(span.start), fix(span.end));
    s..e.max(s)
}
