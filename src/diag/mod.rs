//! Findings with stable codes, and how they are printed.
//!
//! Every check in ebpack reports through [`Diagnostic`]: a stable code (the
//! rule id of `docs/rules.md`, e.g. `R27`), a severity, the file and the exact
//! place, the JSON pointer of the node and a one-line help. Checks never stop
//! at the first problem; they push into a [`Report`] and the caller decides.
//! Rendering lives in [`render`] (human, via annotate-snippets) and
//! [`Diagnostic`]'s `Serialize` (one JSON object per line).

pub mod render;

use crate::source::{Position, SourceFile};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Arc;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: legal, worth knowing.
    Info,
    /// Legal but risky, undocumented or platform-dependent.
    Warning,
    /// EB/ECS rejects it or the deployment fails or misbehaves.
    Error,
}

impl Severity {
    /// The lowercase name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A secondary place that explains a finding ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Where, 1-based.
    #[serde(flatten)]
    pub position: Position,
    /// What this place is.
    pub message: String,
    /// Byte range in the same file.
    #[serde(skip)]
    pub span: Range<usize>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code, e.g. `R27`.
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// What is wrong, lowercase, values in backticks.
    pub message: String,
    /// The file as given, or the entry name inside a zip.
    pub file: String,
    /// 1-based line of the offending node (1 for whole-file findings).
    pub line: usize,
    /// 1-based column of the offending node (1 for whole-file findings).
    pub column: usize,
    /// 1-based line where the offending node ends.
    pub end_line: usize,
    /// 1-based column just past the offending node.
    pub end_column: usize,
    /// JSON pointer (RFC 6901) of the node; `""` for the whole document.
    pub pointer: String,
    /// One line on how to fix it.
    pub help: String,
    /// Secondary places.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
    /// Byte range in the file, when the finding has a place in its text.
    #[serde(skip)]
    pub span: Option<Range<usize>>,
    /// Byte range of a value that may be secret: [`Report::sort`] masks it
    /// in the file's text, so no snippet of any finding shows it.
    #[serde(skip)]
    pub secret: Option<Range<usize>>,
    /// On the summary that stands for the findings of a code over
    /// [`MAX_PER_CODE`]: how many it stands for; 0 on every other finding.
    #[serde(skip)]
    pub hidden: usize,
}

/// How many findings of one code a report keeps. The rest are counted
/// into one summary finding of that code (`… and 99,900 more like this`),
/// placed where the first of them is: a generated or corrupted file with
/// 10^5 faults of one kind stays readable, and its report stays small.
pub const MAX_PER_CODE: usize = 100;

/// A finding before it is tied to a file: what rules produce.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Stable code.
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Message.
    pub message: String,
    /// Help line.
    pub help: String,
    /// Byte range, if any.
    pub span: Option<Range<usize>>,
    /// JSON pointer.
    pub pointer: String,
    /// Secondary places: byte range and message.
    pub labels: Vec<(Range<usize>, String)>,
    /// A value that may be secret, masked in every snippet.
    pub secret: Option<Range<usize>>,
}

impl Finding {
    /// A finding of `severity` with `code`, message and help, without a place yet.
    pub fn new(
        code: &'static str,
        severity: Severity,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity,
            message: message.into(),
            help: help.into(),
            span: None,
            pointer: String::new(),
            labels: Vec::new(),
            secret: None,
        }
    }

    /// An error.
    pub fn error(code: &'static str, message: impl Into<String>, help: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, message, help)
    }

    /// A warning.
    pub fn warning(
        code: &'static str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Self::new(code, Severity::Warning, message, help)
    }

    /// An informational note.
    pub fn info(code: &'static str, message: impl Into<String>, help: impl Into<String>) -> Self {
        Self::new(code, Severity::Info, message, help)
    }

    /// Places the finding on a node's value.
    pub fn at(mut self, node: &crate::syntax::Node) -> Self {
        self.span = Some(node.span.clone());
        self.pointer.clone_from(&node.pointer);
        self
    }

    /// Places the finding on a mapping entry's key (pointer of its value).
    pub fn at_key(mut self, entry: &crate::syntax::Entry) -> Self {
        self.span = Some(entry.key_span.clone());
        self.pointer.clone_from(&entry.value.pointer);
        self
    }

    /// Places the finding on the first character of `node` (the opening
    /// brace of an object whose key is missing).
    pub fn at_start(self, node: &crate::syntax::Node) -> Self {
        self.at_span(node.span.start..node.span.start + 1, node.pointer.clone())
    }

    /// Places the finding on a byte range with a pointer.
    pub fn at_span(mut self, span: Range<usize>, pointer: impl Into<String>) -> Self {
        self.span = Some(span);
        self.pointer = pointer.into();
        self
    }

    /// Marks `node`'s value as one that may be secret: the finding names
    /// its key, and no snippet shows the value (a CI log masks only the
    /// values registered as secrets).
    pub fn secret(mut self, node: &crate::syntax::Node) -> Self {
        self.secret = Some(node.span.clone());
        self
    }

    /// Adds a secondary place.
    pub fn label(mut self, span: Range<usize>, message: impl Into<String>) -> Self {
        self.labels.push((span, message.into()));
        self
    }

    /// Ties the finding to `file`, computing positions from its text.
    pub fn locate(self, file: &SourceFile) -> Diagnostic {
        let (start, end) = match &self.span {
            Some(s) => (file.position(s.start), file.position(s.end.max(s.start))),
            None => (
                Position { line: 1, column: 1 },
                Position { line: 1, column: 1 },
            ),
        };
        Diagnostic {
            code: self.code,
            severity: self.severity,
            message: self.message,
            file: file.name().to_owned(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
            pointer: self.pointer,
            help: self.help,
            labels: self
                .labels
                .into_iter()
                .map(|(span, message)| Label {
                    position: file.position(span.start),
                    message,
                    span,
                })
                .collect(),
            span: self.span,
            secret: self.secret,
            hidden: 0,
        }
    }

    /// Ties the finding to a file that has no text ebpack shows (a binary,
    /// a directory, a zip entry): position 1:1, no snippet.
    pub fn in_file(self, name: &str) -> Diagnostic {
        Diagnostic {
            code: self.code,
            severity: self.severity,
            message: self.message,
            file: name.to_owned(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            pointer: self.pointer,
            help: self.help,
            labels: Vec::new(),
            span: None,
            secret: None,
            hidden: 0,
        }
    }
}

/// All findings of one run, plus the sources needed to show snippets.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// The findings, in the order they were found; [`Report::sort`] orders them.
    pub diagnostics: Vec<Diagnostic>,
    /// Text of every file a finding may point into, by display name.
    pub sources: BTreeMap<String, Arc<SourceFile>>,
    /// The findings counted against [`MAX_PER_CODE`]; boxed, so that a
    /// report (which errors carry by value) stays small.
    caps: Box<Caps>,
}

/// What a report knows about its findings past [`MAX_PER_CODE`].
#[derive(Debug, Default, Clone)]
struct Caps {
    /// Per code: how many findings were kept, and those over the cap.
    tally: HashMap<&'static str, Tally>,
    /// Secret values of findings over the cap, by file: still masked.
    hidden_secrets: BTreeMap<String, Vec<Range<usize>>>,
}

/// The findings of one code a report has seen.
#[derive(Debug, Clone, Default)]
struct Tally {
    kept: usize,
    hidden: usize,
    severity: Option<Severity>,
    /// The first finding over the cap: where the summary is placed.
    first: Option<Diagnostic>,
}

impl Tally {
    /// Counts one more finding of `severity`; true while it is to be kept.
    fn admit(&mut self, severity: Severity) -> bool {
        if self.kept < MAX_PER_CODE {
            self.kept += 1;
            return true;
        }
        self.hidden += 1;
        self.severity = self.severity.max(Some(severity));
        false
    }
}

impl Report {
    /// Registers a source file so its findings can show snippets.
    pub fn add_source(&mut self, file: SourceFile) -> Arc<SourceFile> {
        let file = Arc::new(file);
        self.sources
            .insert(file.name().to_owned(), Arc::clone(&file));
        file
    }

    /// Adds a finding located in `file`.
    pub fn push(&mut self, file: &SourceFile, finding: Finding) {
        let tally = self.caps.tally.entry(finding.code).or_default();
        if tally.admit(finding.severity) {
            self.diagnostics.push(finding.locate(file));
            return;
        }
        if let Some(secret) = &finding.secret {
            self.caps
                .hidden_secrets
                .entry(file.name().to_owned())
                .or_default()
                .push(secret.clone());
        }
        if tally.first.is_none() {
            tally.first = Some(finding.locate(file));
        }
    }

    /// Adds a finding about a file with no text to show.
    pub fn push_file(&mut self, name: &str, finding: Finding) {
        let tally = self.caps.tally.entry(finding.code).or_default();
        if tally.admit(finding.severity) {
            self.diagnostics.push(finding.in_file(name));
        } else if tally.first.is_none() {
            tally.first = Some(finding.in_file(name));
        }
    }

    /// Counts `count` findings of `code` that were dropped before they
    /// reached the report (a [`crate::validate::Ctx`] over the cap):
    /// `first` places the summary, `secrets` stay masked in `file`.
    pub fn push_hidden(
        &mut self,
        file: &SourceFile,
        count: usize,
        first: Finding,
        severity: Severity,
        secrets: Vec<Range<usize>>,
    ) {
        if !secrets.is_empty() {
            self.caps
                .hidden_secrets
                .entry(file.name().to_owned())
                .or_default()
                .extend(secrets);
        }
        let tally = self.caps.tally.entry(first.code).or_default();
        tally.hidden += count;
        tally.severity = tally.severity.max(Some(severity));
        if tally.first.is_none() {
            tally.first = Some(first.locate(file));
        }
    }

    /// Orders findings by file, then position, then code: stable output.
    /// Masks the values findings marked secret in the sources, once, and
    /// adds one summary per code over [`MAX_PER_CODE`].
    pub fn sort(&mut self) {
        self.summarize();
        self.mask_secrets();
        self.diagnostics.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.code, &a.message)
                .cmp(&(&b.file, b.line, b.column, b.code, &b.message))
        });
        self.diagnostics.dedup();
    }

    /// The summary findings of the codes over the cap, replacing earlier
    /// ones of the same codes (a report sorted again after more findings).
    fn summarize(&mut self) {
        let over: Vec<(&'static str, &Tally)> = self
            .caps
            .tally
            .iter()
            .filter(|(_, t)| t.hidden > 0)
            .map(|(c, t)| (*c, t))
            .collect();
        if over.is_empty() {
            return;
        }
        self.diagnostics
            .retain(|d| d.hidden == 0 || !over.iter().any(|(c, _)| *c == d.code));
        let mut summaries = Vec::new();
        for (code, t) in over {
            let Some(first) = &t.first else { continue };
            let mut d = first.clone();
            d.severity = t.severity.unwrap_or(d.severity);
            d.message = format!(
                "… and {} more like this: ebpack shows the first {MAX_PER_CODE} `{code}` findings",
                thousands(t.hidden)
            );
            d.help = "fix the findings shown and validate again".to_owned();
            d.labels.clear();
            d.hidden = t.hidden;
            summaries.push(d);
        }
        self.diagnostics.extend(summaries);
    }

    /// Replaces every secret value ([`Finding::secret`]) with `*` in its
    /// file's text, byte for byte so that every span stays valid; each
    /// affected file is rewritten once.
    fn mask_secrets(&mut self) {
        let mut by_file = std::mem::take(&mut self.caps.hidden_secrets);
        for d in &mut self.diagnostics {
            if let Some(span) = d.secret.take() {
                by_file.entry(d.file.clone()).or_default().push(span);
            }
        }
        let mut masked = Vec::new();
        for (name, spans) in by_file {
            let Some(src) = self.sources.get(&name) else {
                continue;
            };
            let text = src.text();
            let mut bytes = text.as_bytes().to_vec();
            for span in spans {
                let (mut start, mut end) = (span.start.min(text.len()), span.end.min(text.len()));
                while !text.is_char_boundary(start) {
                    start -= 1;
                }
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                bytes[start..end].fill(b'*');
            }
            // Whole characters were replaced by ASCII: still UTF-8.
            let text = String::from_utf8(bytes).unwrap_or_default();
            masked.push(SourceFile::new(name, text));
        }
        for file in masked {
            self.add_source(file);
        }
    }

    /// Number of findings at `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// True when any finding is an error (or a warning, with `strict`).
    pub fn fails(&self, strict: bool) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error || (strict && d.severity == Severity::Warning))
    }

    /// Appends another report.
    pub fn extend(&mut self, other: Report) {
        self.diagnostics.extend(other.diagnostics);
        self.sources.extend(other.sources);
        for (code, t) in other.caps.tally {
            let mine = self.caps.tally.entry(code).or_default();
            mine.kept += t.kept;
            mine.hidden += t.hidden;
            mine.severity = mine.severity.max(t.severity);
            if mine.first.is_none() {
                mine.first = t.first;
            }
        }
        for (file, spans) in other.caps.hidden_secrets {
            self.caps
                .hidden_secrets
                .entry(file)
                .or_default()
                .extend(spans);
        }
    }
}

/// `99900` as `99,900`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An error and its causes as one line of their `Display` texts, without
/// the SDK's `Debug` dump (which `DisplayErrorContext` appends); a cause
/// whose text its parent already carries is skipped.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !text.is_empty() && !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = e.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_value_is_masked_in_every_snippet_of_its_file() {
        let mut report = Report::default();
        let text = "option_settings:\n  aws:elasticbeanstalk:application:environment:\n    DB_PASSWD: \"hünter2;x\"\n";
        let file = report.add_source(SourceFile::new("x.config", text));
        let at = text.find("\"hünter2").unwrap();
        let value = at..at + "\"hünter2;x\"".len();
        let mut secret = Finding::warning("R74", "`DB_PASSWD` holds a plaintext secret", "h")
            .at_span(value.clone(), "/p");
        secret.secret = Some(value.clone());
        // Another finding on the same line, not itself marked.
        let other = Finding::warning("R71", "another finding", "h").at_span(value, "/p");
        report.push(&file, secret);
        report.push(&file, other);
        report.sort();
        let human = render::human_report(&report, false);
        assert!(!human.contains("hünter2"), "{human}");
        assert!(human.contains("DB_PASSWD: *"), "{human}");
        let json: String = report.diagnostics.iter().map(render::json).collect();
        assert!(!json.contains("hünter2"), "{json}");
        // Positions are those of the original text.
        assert_eq!(
            (report.diagnostics[0].line, report.diagnostics[0].column),
            (3, 16)
        );
    }
}
