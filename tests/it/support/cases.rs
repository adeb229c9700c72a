//! Rule cases as data: one `*.case` file per case, each naming the finding
//! its failing input must produce and holding a passing input that must not
//! produce that code. The format:
//!
//! ```text
//! # what the case is about (any number of comment lines)
//! expect: R15 error at `/AWSEBDockerrunVersion`
//! platform: ecs-al2          (optional; the default)
//! file: Dockerrun.aws.json   (optional; the default; `*.config` for .ebextensions)
//! --- fail
//! the failing input, up to the line before `--- pass`
//! --- pass
//! the passing input, up to the end (the last line break is not part of it)
//! ```

use crate::support::validation;
use ebpack::diag::{Report, Severity};
use ebpack::validate::Platform;
use std::path::{Path, PathBuf};

/// One parsed case file.
pub(crate) struct Case {
    /// The case file, for messages.
    pub path: PathBuf,
    /// `(code, severity, pointer)`: the finding the failing input produces.
    pub expect: (String, Severity, String),
    pub platform: Platform,
    /// The name the inputs are validated under; its ending picks the
    /// validator (`.config`: `.ebextensions`, else Dockerrun).
    pub file: String,
    pub fail: String,
    pub pass: String,
}

impl Case {
    /// Reads and parses `path`; panics naming the file and the problem.
    pub(crate) fn read(path: &Path) -> Case {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Case::parse(path, &text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn parse(path: &Path, text: &str) -> Result<Case, String> {
        let (head, inputs) = text.split_once("--- fail\n").ok_or("no `--- fail` line")?;
        let (fail, pass) = inputs
            .split_once("\n--- pass\n")
            .ok_or("no `--- pass` line after `--- fail`")?;
        let pass = pass.strip_suffix('\n').unwrap_or(pass);
        let (mut expect, mut platform, mut file) = (None, Platform::EcsAl2, None);
        for line in head
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let (key, value) = line
                .split_once(": ")
                .ok_or_else(|| format!("`{line}`: expected `key: value`"))?;
            match key {
                "expect" => expect = Some(parse_expect(value, "at")?),
                "platform" => platform = value.parse()?,
                "file" => file = Some(value.to_owned()),
                other => return Err(format!("unknown key `{other}`")),
            }
        }
        Ok(Case {
            path: path.to_owned(),
            expect: expect.ok_or("no `expect:` line")?,
            platform,
            file: file.unwrap_or_else(|| "Dockerrun.aws.json".to_owned()),
            fail: fail.to_owned(),
            pass: pass.to_owned(),
        })
    }

    /// Validates `text` as this case's file on this case's platform.
    pub(crate) fn validate(&self, text: &str) -> Report {
        let options = validation::options(self.platform);
        if self.file.ends_with(".config") {
            validation::config(&self.file, text.as_bytes(), &options)
        } else {
            validation::dockerrun(&self.file, text.as_bytes(), &options)
        }
    }

    /// Runs both inputs and asserts the expectation: the failing input
    /// produces the finding, the passing one no finding with its code.
    /// Returns both reports' findings, for a snapshot.
    #[track_caller]
    pub(crate) fn check(&self) -> String {
        let (code, severity, pointer) = &self.expect;
        let fail = self.validate(&self.fail);
        assert!(
            fail.diagnostics
                .iter()
                .any(|d| d.code == code && d.severity == *severity && d.pointer == *pointer),
            "{}: expected {code} {severity:?} at `{pointer}`, got:\n{}",
            self.path.display(),
            validation::describe(&fail, validation::pointer)
        );
        let pass = self.validate(&self.pass);
        assert!(
            !pass.diagnostics.iter().any(|d| d.code == code),
            "{}: expected no {code} for the passing input, got:\n{}",
            self.path.display(),
            validation::describe(&pass, validation::pointer)
        );
        format!(
            "--- fail\n{}--- pass\n{}",
            validation::describe(&fail, validation::pointer),
            validation::describe(&pass, validation::pointer)
        )
    }
}

/// `R15 error at `/x`` (with `word` = `at`) → `("R15", Error, "/x")`.
pub(crate) fn parse_expect(value: &str, word: &str) -> Result<(String, Severity, String), String> {
    let bad = || format!("`{value}`: expected ``CODE error|warning|info {word} `PLACE` ``");
    let (code, rest) = value.split_once(' ').ok_or_else(bad)?;
    let (severity, place) = rest.split_once(&format!(" {word} ")).ok_or_else(bad)?;
    let severity = match severity {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "info" => Severity::Info,
        _ => return Err(bad()),
    };
    let place = place
        .strip_prefix('`')
        .and_then(|p| p.strip_suffix('`'))
        .ok_or_else(bad)?;
    Ok((code.to_owned(), severity, place.to_owned()))
}
