//! Printing findings: human (annotate-snippets, with source and caret) and
//! JSON lines (one object per finding, for machines).

use super::{Diagnostic, Report, Severity};
use crate::source::SourceFile;
use annotate_snippets::{Annotation, AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use std::ops::Range;

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
///
/// What this costs is the size of the lines shown, never the size of the
/// file: each snippet gets only the lines its marks are on (at most 16 KiB
/// of them, a long line cut around its mark), so 10^4 findings in a 100 MB file are
/// 10^4 small renders, not 10^4 passes over the file.
pub fn human(diag: &Diagnostic, report: &Report, color: bool) -> String {
    let level = match diag.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    let title = level.primary_title(diag.message.as_str()).id(diag.code);
    let source = report.sources.get(&diag.file);
    let mut fixes = Vec::new();
    let mut group = match (source, &diag.span) {
        (Some(src), Some(span)) => {
            let marks = marks(src, span, diag);
            let path = diag.file.as_str();
            let mut elements = Vec::new();
            for excerpt in excerpts(src, &marks) {
                fixes.extend(excerpt.origin_fix(path, src, &marks));
                elements.push(excerpt.snippet(path, src, &marks));
            }
            title.elements(elements)
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
    let mut out = renderer.render(&groups);
    // A snippet cut out of a long line counts columns from the cut: put
    // the real ones back into its `file:line:col` header, in order.
    let mut from = 0;
    for (shown, real) in fixes {
        if let Some(at) = out[from..].find(&shown).map(|i| from + i) {
            out.replace_range(at..at + shown.len(), &real);
            from = at + real.len();
        }
    }
    out
}

/// Source one snippet may hold. Marks whose lines together are smaller
/// share one snippet (gaps folded, as annotate-snippets does with the
/// whole file); otherwise each mark gets its own snippet, and a line
/// longer than this is cut to [`WINDOW`] characters each side of its mark.
const MAX_EXCERPT: usize = 16 * 1024;

/// Characters of a long line kept on each side of a mark: more than a
/// terminal shows, so the renderer still trims the line and marks the cut.
const WINDOW: usize = 512;

/// One place to mark: the primary span first, then the labels.
struct Mark<'d> {
    span: Range<usize>,
    label: Option<&'d str>,
}

/// The primary span cut to its first line, then each label's span.
fn marks<'d>(src: &SourceFile, span: &Range<usize>, diag: &'d Diagnostic) -> Vec<Mark<'d>> {
    let text = src.text();
    let mut out = vec![Mark {
        span: first_line(src, clamp(text, span.clone())),
        label: None,
    }];
    for label in &diag.labels {
        out.push(Mark {
            span: clamp(text, label.span.clone()),
            label: Some(label.message.as_str()),
        });
    }
    out
}

/// A piece of the source shown as one snippet: whole lines, or a window
/// of one long line, with the marks in it.
struct Excerpt {
    range: Range<usize>,
    /// 0-based line of `range.start`.
    line: usize,
    marks: Vec<usize>,
}

impl Excerpt {
    fn snippet<'a>(
        &self,
        path: &'a str,
        src: &'a SourceFile,
        marks: &[Mark<'a>],
    ) -> Snippet<'a, Annotation<'a>> {
        let Range { start, end } = self.range;
        let mut snippet = Snippet::source(&src.text()[start..end])
            .path(path)
            .line_start(self.line + 1)
            .fold(true);
        for &i in &self.marks {
            let m = &marks[i];
            let span = m.span.start.clamp(start, end) - start..m.span.end.clamp(start, end) - start;
            snippet = snippet.annotation(match m.label {
                None => AnnotationKind::Primary.span(span),
                Some(label) => AnnotationKind::Context.span(span).label(label),
            });
        }
        snippet
    }

    /// For a window that does not start at its line's start: the
    /// `path:line:col` the renderer prints (columns counted from the cut)
    /// and the real one.
    fn origin_fix(
        &self,
        path: &str,
        src: &SourceFile,
        marks: &[Mark<'_>],
    ) -> Option<(String, String)> {
        if self.range.start == src.line_bounds(self.line).start {
            return None;
        }
        let at = marks[*self.marks.first()?].span.start;
        let shown = src.text()[self.range.start..at].chars().count() + 1;
        let real = src.position(at);
        Some((
            format!("{path}:{}:{shown}", real.line),
            format!("{path}:{}:{}", real.line, real.column),
        ))
    }
}

/// The snippets of a finding: one for all marks when their lines are
/// small together, else one per mark, each cut to fit [`MAX_EXCERPT`].
fn excerpts(src: &SourceFile, marks: &[Mark<'_>]) -> Vec<Excerpt> {
    let lines = |span: &Range<usize>| {
        let first = src.line_index(span.start);
        let last = src.line_index(span.end.max(span.start + 1) - 1).max(first);
        (first, last)
    };
    // Whole lines, each with its line break.
    let whole = |first: usize, last: usize| {
        let end = src.line_bounds(last).end;
        src.line_bounds(first).start..(end + 1).min(src.text().len())
    };
    let (first, last) = marks
        .iter()
        .map(|m| lines(&m.span))
        .fold((usize::MAX, 0), |(a, b), (f, l)| (a.min(f), b.max(l)));
    let all = whole(first, last);
    if all.len() <= MAX_EXCERPT {
        return vec![Excerpt {
            range: all,
            line: first,
            marks: (0..marks.len()).collect(),
        }];
    }
    let mut out = Vec::with_capacity(marks.len());
    for (i, m) in marks.iter().enumerate() {
        let (first, last) = lines(&m.span);
        let mut range = whole(first, last);
        if range.len() > MAX_EXCERPT {
            range = whole(first, first);
        }
        if range.len() > MAX_EXCERPT {
            range = window(src.text(), src.line_bounds(first), m.span.start);
        }
        out.push(Excerpt {
            range,
            line: first,
            marks: vec![i],
        });
    }
    out
}

/// [`WINDOW`] characters each side of byte `at` within `line`.
fn window(text: &str, line: Range<usize>, at: usize) -> Range<usize> {
    let at = at.clamp(line.start, line.end);
    let start = text[line.start..at]
        .char_indices()
        .rev()
        .nth(WINDOW - 1)
        .map_or(line.start, |(i, _)| line.start + i);
    let end = text[at..line.end]
        .char_indices()
        .nth(WINDOW)
        .map_or(line.end, |(i, _)| at + i);
    start..end
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
fn first_line(src: &SourceFile, span: Range<usize>) -> Range<usize> {
    let line = src.line_bounds(src.line_index(span.start));
    // `line.end` is the line's `\n`, unless the text ends there.
    if span.end <= line.end || line.end == src.text().len() {
        return span;
    }
    let rest = src.text()[span.start..line.end].trim_end();
    span.start..span.start + rest.len()
}

/// Keeps a span inside the text and on char boundaries.
fn clamp(text: &str, span: Range<usize>) -> Range<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Finding, Report};

    fn render(text: &str, finding: Finding) -> String {
        let mut report = Report::default();
        let file = report.add_source(SourceFile::new("x.json", text));
        report.push(&file, finding);
        report.sort();
        human(&report.diagnostics[0], &report, false)
    }

    #[test]
    fn a_mark_on_a_huge_line_shows_a_window_with_the_real_column() {
        // One 200 000-character line (a minified file), é included so that
        // columns and bytes differ.
        let line = format!("{}\"bad\"{}", "é".repeat(100_000), "x".repeat(100_000));
        let at = "é".len() * 100_000;
        let out = render(
            &line,
            Finding::error("R1", "msg", "help").at_span(at..at + 5, "/p"),
        );
        assert!(out.contains("x.json:1:100001"), "{out}");
        assert!(out.len() < 4096, "{} bytes", out.len());
        assert!(out.contains("\"bad\""), "{out}");
    }

    #[test]
    fn marks_far_apart_get_a_snippet_each() {
        let filler = "  \"k\": 1,\n".repeat(5_000);
        let text = format!("{{\n  \"a\": 1,\n{filler}  \"a\": 2\n}}\n");
        let first = text.find("\"a\"").unwrap();
        let second = text.rfind("\"a\"").unwrap();
        let out = render(
            &text,
            Finding::error("R15", "dup", "help")
                .at_span(second..second + 3, "/a")
                .label(first..first + 3, "first defined here"),
        );
        assert!(out.contains("--> x.json:5003:3"), "{out}");
        assert!(out.contains("::: x.json:2:3"), "{out}");
        assert!(out.contains("first defined here"), "{out}");
        assert!(out.len() < 1024, "{} bytes", out.len());
        // Close marks share one snippet, as before.
        let near = "{\n  \"a\": 1,\n  \"a\": 2\n}\n";
        let out = render(
            near,
            Finding::error("R15", "dup", "help")
                .at_span(14..17, "/a")
                .label(4..7, "first defined here"),
        );
        assert!(out.contains("--> x.json:3:3"), "{out}");
        assert!(!out.contains(":::"), "{out}");
    }
}
