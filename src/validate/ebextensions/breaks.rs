//! R63: characters EB's YAML parser reads differently from the file as it
//! looks (and as ebpack's YAML 1.2 parser reads it).
//!
//! YAML 1.1 counts NEL (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH
//! SEPARATOR (U+2029) as line breaks, and so do the parsers of the libyaml
//! family that read configuration files for EB: libyaml's `IS_BREAK`
//! (`src/yaml_private.h`) and PyYAML's scanner (`'\r\n\x85\u2028\u2029'`
//! in `lib/yaml/scanner.py`). YAML 1.2 — ebpack's parser, and what an
//! editor shows — takes them as ordinary characters. A file with one of
//! them is read by EB with a line break where the author sees none: the
//! rest of a comment becomes YAML, a value is cut or folded, a key moves.
//! A byte order mark (U+FEFF) after the start of the file is invisible and
//! read two ways: libyaml skips it at the start of a line
//! (`yaml_parser_scan_to_next_token`: "Allow the BOM mark to start a
//! line"), PyYAML only at the start of the stream, so elsewhere it is part
//! of a key or value.

use crate::diag::{Finding, MAX_PER_CODE, Severity};
use crate::syntax::Node;
use crate::validate::{Ctx, Rule};

/// Reports every NEL, LS and PS (E) and every byte order mark after the
/// first byte (W) in `text`. `root` (when the file parsed) gives the first
/// findings their pointer; a file that does not parse gets no BOM finding,
/// since ebpack's parser refuses a BOM inside a document and its error
/// already points there.
pub(super) fn check(text: &str, root: Option<&Node>, ctx: &mut Ctx<'_>) {
    if text.is_ascii() {
        return;
    }
    let found: Vec<(usize, char)> = text
        .char_indices()
        .filter(|&(at, c)| {
            matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}')
                || (c == '\u{feff}' && at > 0 && root.is_some())
        })
        .collect();
    if found.is_empty() {
        return;
    }
    // Pointers for the findings that are shown (and the first one past
    // the cap, which places the summary), in one walk of the tree.
    let shown: Vec<usize> = found
        .iter()
        .take(MAX_PER_CODE + 1)
        .map(|&(at, _)| at)
        .collect();
    let pointers = root.map_or_else(|| vec![String::new(); shown.len()], |r| pointers(r, &shown));
    for (i, &(at, c)) in found.iter().enumerate() {
        let severity = if c == '\u{feff}' {
            Severity::Warning
        } else {
            Severity::Error
        };
        ctx.push_lazy(Rule::R63, severity, || finding(at, c, pointers.get(i)));
    }
}

/// The finding for character `c` at byte `at`.
fn finding(at: usize, c: char, pointer: Option<&String>) -> Finding {
    let span = at..at + c.len_utf8();
    let f = match c {
            '\u{feff}' => Rule::R63.warning(
                "invisible byte order mark (U+FEFF) inside the file: libyaml skips it at the start of a line, PyYAML keeps it in the key or value",
                "delete the character (most editors show it only with invisible characters on)",
            ),
            _ => {
                let name = match c {
                    '\u{85}' => "NEXT LINE (U+0085)",
                    '\u{2028}' => "LINE SEPARATOR (U+2028)",
                    _ => "PARAGRAPH SEPARATOR (U+2029)",
                };
                Rule::R63.error(
                    format!("{name} is a line break for EB's YAML 1.1 parser, though the file shows none here: EB reads a different file"),
                    "replace it with a space or a real line break (it often comes from text pasted from a word processor or web page)",
                )
            }
        };
    f.at_span(span, pointer.cloned().unwrap_or_default())
}

/// The pointer of the deepest node holding each offset of `at` (sorted).
fn pointers(root: &Node, at: &[usize]) -> Vec<String> {
    let mut out = vec![String::new(); at.len()];
    root.walk(&mut |n| {
        let from = at.partition_point(|&a| a < n.span.start);
        let to = at.partition_point(|&a| a < n.span.end);
        for slot in &mut out[from..to] {
            slot.clone_from(&n.pointer);
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Report;
    use crate::source::SourceFile;
    use crate::validate::Options;

    fn findings(text: &str) -> Report {
        let options = Options::default();
        let mut report = Report::default();
        let file = report.add_source(SourceFile::new("x.config", text));
        let mut ctx = Ctx::new(&options, None, &file);
        let root = crate::syntax::yaml::parse(text).ok();
        check(text, root.as_ref(), &mut ctx);
        ctx.finish(&mut report);
        report.sort();
        report
    }

    #[test]
    fn unicode_line_breaks_and_inner_boms_are_found_with_their_place() {
        let text = "\u{feff}option_settings:\n  ns:\n    A: one\u{2028}two\n    B: x\u{85}\n# note\u{2029}x: 1\n    C: \"\u{feff}y\"\n";
        let report = findings(text);
        let got: Vec<(usize, usize, &str, &str)> = report
            .diagnostics
            .iter()
            .map(|d| (d.line, d.column, d.severity.as_str(), d.pointer.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (3, 11, "error", "/option_settings/ns/A"),
                (4, 9, "error", "/option_settings/ns/B"),
                (5, 7, "error", "/option_settings/ns"),
                (6, 9, "warning", "/option_settings/ns/C"),
            ]
        );
        // The BOM that starts the file is not a finding; plain text none.
        assert!(findings("\u{feff}a: 1\n").diagnostics.is_empty());
        assert!(findings("a: é\n").diagnostics.is_empty());
    }
}
