//! The external suite: every file of the real-world corpus (public
//! repositories and the official AWS samples) against a verdict table kept
//! beside these tests as data (`dockerrun.tsv`, `ebextensions.tsv`,
//! `other.tsv`: one file per line, its expected error codes, a note).
//!
//! The corpus is not part of the repository. It is read from
//! `$EBPACK_CORPUS` (relative paths from the repository root), else from
//! `../shared/corpus` beside the checkout. When there is none these tests
//! panic, so they never pass on nothing; `tests/run.sh` does not run them
//! then, and says so in one line.

mod dockerrun;
mod ebextensions;
mod other;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The variable naming the corpus folder.
pub(crate) const CORPUS_ENV: &str = "EBPACK_CORPUS";

/// The corpus folder; panics (saying how to give one) when it is missing.
pub(crate) fn root() -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = match std::env::var_os(CORPUS_ENV) {
        Some(dir) if !dir.is_empty() => repo.join(dir),
        _ => repo.join("../shared/corpus"),
    };
    assert!(
        dir.is_dir(),
        "corpus not found at {}: set {CORPUS_ENV}=DIR (or put it at ../shared/corpus); \
         without a corpus run `bash tests/run.sh`, which skips this suite",
        dir.display()
    );
    dir
}

/// Every file under `dir`, sorted by path (folders depth first).
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("read_dir entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out
}

/// One row of a verdict table: its leading columns, then the error codes.
pub(crate) struct Verdict {
    /// The columns before the codes (the corpus path, and a platform or a
    /// place in the bundle).
    pub columns: Vec<String>,
    /// The error codes the file must produce, exactly (empty: no errors).
    pub errors: BTreeSet<String>,
}

/// Reads `tests/it/corpus/<name>`: tab-separated, `#` starts a comment
/// line, `columns` leading columns, then the codes (`R15,R25` or `-`), then
/// an optional note.
pub(crate) fn verdicts(name: &str, columns: usize) -> Vec<Verdict> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/corpus")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rows: Vec<Verdict> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with('#') && !line.trim().is_empty())
        .map(|(i, line)| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert!(
                fields.len() == columns + 1 || fields.len() == columns + 2,
                "{name}:{}: expected {} or {} tab-separated fields, found {}",
                i + 1,
                columns + 1,
                columns + 2,
                fields.len()
            );
            let errors = match fields[columns] {
                "-" => BTreeSet::new(),
                codes => codes.split(',').map(str::to_owned).collect(),
            };
            for code in &errors {
                assert!(
                    code.starts_with('R') && code[1..].parse::<u32>().is_ok(),
                    "{name}:{}: `{code}` is not a rule code",
                    i + 1
                );
            }
            Verdict {
                columns: fields[..columns].iter().map(|f| (*f).to_owned()).collect(),
                errors,
            }
        })
        .collect();
    assert!(!rows.is_empty(), "{name} lists no files");
    rows
}

/// The verdicts' codes and the report's error codes, for comparison.
pub(crate) fn same_errors(want: &BTreeSet<String>, got: &BTreeSet<&str>) -> bool {
    want.iter().map(String::as_str).eq(got.iter().copied())
}
