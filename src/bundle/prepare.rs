//! From a walked folder to the list of entries to write: modes, platform
//! hooks (0755, LF), replaced and generated files, the entry limit, and
//! whether the zip fits EB's size limit ([`check_fits`], which `validate`
//! of a folder runs too). Links were checked when the folder was read
//! ([`crate::validate::from_fileset`]), for `validate` and `build` alike.

use super::{Content, EntryData, MAX_ENTRIES, ZipEntry, is_hook, mode_for};
use crate::diag::{Finding, Report};
use crate::fileset::FileSet;
use crate::source::SourceFile;
use crate::validate::{Bundle, EntryKind, Rule};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Normalises `bundle` (built from `set`) in place the way it will be
/// shipped: modes, hooks (CRLF refused, or fixed with `fix`), symlinks.
/// Returns the files whose bytes changed (to ship from memory). Problems go
/// into `report`.
pub fn normalize(
    bundle: &mut Bundle,
    set: &FileSet,
    fix: bool,
    report: &mut Report,
) -> BTreeMap<String, Arc<[u8]>> {
    let mut changed = BTreeMap::new();
    for (entry, walked) in bundle.entries.iter_mut().zip(&set.files) {
        let display = display_name(&bundle.display, &entry.name);
        let data = match &entry.kind {
            EntryKind::Dir => EntryData::Dir,
            EntryKind::Symlink(t) => EntryData::Symlink(t.clone()),
            EntryKind::File => EntryData::File(Content::Disk(walked.path.clone())),
        };
        entry.mode = Some(mode_for(&entry.name, &data, walked.mode));
        if entry.kind != EntryKind::File || !is_hook(&entry.name) {
            continue;
        }
        // A hook over `MAX_LOADED` is not loaded: validation reads it in
        // pieces and reports its CRLF (R92), which `--fix` does not convert.
        // Binaries and files that are not text are not scripts: their
        // `\r\n` bytes are data.
        let Some(bytes) = entry.data.as_deref() else {
            continue;
        };
        if bytes.starts_with(b"\x7fELF") || std::str::from_utf8(bytes).is_err() {
            continue;
        }
        let Some(cr) = find_crlf(bytes) else { continue };
        if fix {
            let fixed = strip_cr(bytes);
            entry.size = fixed.len() as u64;
            changed.insert(entry.name.clone(), Arc::from(&fixed[..]));
            entry.data = Some(fixed);
            continue;
        }
        let finding = Rule::B1.error("platform hook has CRLF line endings; Linux runs it as `bash\\r` and the deployment fails",
            "save it with LF line endings, or build with `--fix` to convert it in the bundle",
        );
        let text = String::from_utf8_lossy(bytes);
        let file = report.add_source(SourceFile::new(&display, text));
        report.push(&file, finding.at_span(cr..cr + 1, ""));
    }
    changed
}

fn display_name(root: &str, name: &str) -> String {
    let base = root.trim_end_matches('/');
    if base.is_empty() || base == "." {
        name.to_owned()
    } else {
        format!("{base}/{name}")
    }
}

fn find_crlf(b: &[u8]) -> Option<usize> {
    b.windows(2).position(|w| w == b"\r\n")
}

fn strip_cr(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    for (i, &c) in b.iter().enumerate() {
        if c == b'\r' && b.get(i + 1) == Some(&b'\n') {
            continue;
        }
        out.push(c);
    }
    out
}

/// The entries to write, sorted: the normalised bundle with `changed`
/// bytes, plus `generated` files (and the folders they need). A generated
/// path that already exists is reported (B6), never overwritten.
pub fn plan(
    bundle: &Bundle,
    set: &FileSet,
    changed: &BTreeMap<String, Arc<[u8]>>,
    generated: &[(String, Arc<[u8]>, u32)],
    report: &mut Report,
) -> Vec<ZipEntry> {
    let mut entries: Vec<ZipEntry> = Vec::with_capacity(bundle.entries.len() + generated.len());
    for (e, walked) in bundle.entries.iter().zip(&set.files) {
        let mut mode = e.mode.unwrap_or(0o100_644);
        let data = match (&e.kind, changed.get(&e.name)) {
            (EntryKind::Dir, _) => EntryData::Dir,
            // A link to the Dockerrun that pinning rewrote: the rewritten
            // file replaces the link (its target stays as it is).
            (EntryKind::Symlink(_), Some(b)) => {
                let data = EntryData::File(Content::Bytes(Arc::clone(b)));
                mode = mode_for(&e.name, &data, 0o644);
                data
            }
            (EntryKind::Symlink(t), None) => EntryData::Symlink(t.clone()),
            (EntryKind::File, Some(b)) => EntryData::File(Content::Bytes(Arc::clone(b))),
            (EntryKind::File, None) => EntryData::File(Content::Disk(walked.path.clone())),
        };
        entries.push(ZipEntry {
            name: e.name.clone(),
            mode,
            data,
        });
    }
    let existing: BTreeSet<String> = entries.iter().map(|e| e.name.clone()).collect();
    let not_dirs: BTreeSet<String> = entries
        .iter()
        .filter(|e| !matches!(e.data, EntryData::Dir))
        .map(|e| e.name.clone())
        .collect();
    let mut dirs = BTreeSet::new();
    for (path, bytes, mode) in generated {
        let mut above = path.match_indices('/').map(|(i, _)| &path[..i]);
        if let Some(parent) = above.find(|p| not_dirs.contains(*p)) {
            report.push_file(
                &display_name(&bundle.display, parent),
                Rule::B6.error(format!("ebpack generates `{path}`, and the bundle has a file or link at `{parent}`: `unzip` cannot create the folder there"),
                    "make it a folder, or turn the generated feature off in `ebpack.yaml`",
                ),
            );
            continue;
        }
        if existing.contains(path) {
            report.push_file(
                &display_name(&bundle.display, path),
                Rule::B6.error(format!("ebpack generates `{path}`, and the bundle already has a file there"),
                    "rename or remove your file, or turn the generated feature off in `ebpack.yaml`",
                ),
            );
            continue;
        }
        let mut p = path.as_str();
        while let Some((parent, _)) = p.rsplit_once('/') {
            if !existing.contains(parent) {
                dirs.insert(parent.to_owned());
            }
            p = parent;
        }
        let data = EntryData::File(Content::Bytes(Arc::clone(bytes)));
        entries.push(ZipEntry {
            name: path.clone(),
            mode: mode_for(path, &data, *mode),
            data,
        });
    }
    for d in dirs {
        entries.push(ZipEntry {
            name: d,
            mode: 0o040_755,
            data: EntryData::Dir,
        });
    }
    entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    if entries.len() > MAX_ENTRIES {
        let mut per_top: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &entries {
            *per_top
                .entry(e.name.split('/').next().unwrap_or(""))
                .or_default() += 1;
        }
        let mut top: Vec<(&str, usize)> = per_top.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let list: Vec<String> = top
            .iter()
            .take(5)
            .map(|(n, c)| format!("`{n}` ({c})"))
            .collect();
        report.push_file(
            &bundle.display,
            Rule::B5.error(format!(
                    "the bundle has {} entries; EB fails to unzip more than {MAX_ENTRIES}. Most entries: {}",
                    entries.len(),
                    list.join(", ")
                ),
                "exclude what the instance does not need with `.ebignore`",
            ),
        );
    }
    entries
}

/// B4 for a folder before anything is written: whether its zip passes
/// `limit` (EB's, [`super::MAX_BUNDLE_BYTES`]). The zip can only pass it
/// when the files add up to more (plus headers and the few bytes DEFLATE
/// adds to data it cannot shrink), so only then is it made, into nothing,
/// as `build` would write it.
pub fn check_fits(bundle: &Bundle, set: &FileSet, limit: u64, report: &mut Report) {
    let most: u64 = set
        .files
        .iter()
        .map(|f| f.size + f.size / 16_384 * 5 + 128 + 2 * f.rel.len() as u64)
        .sum();
    if most <= limit {
        return;
    }
    let entries = plan(bundle, set, &BTreeMap::new(), &[], &mut Report::default());
    let opts = super::WriteOptions {
        level: 6,
        threads: std::thread::available_parallelism().map_or(2, usize::from),
        time: super::zipfmt::DosTime::EPOCH,
        max_size: limit,
        cancel: None,
    };
    if let Err(super::WriteError::TooLarge { limit }) =
        super::write::write_zip(&entries, std::io::sink(), &opts)
    {
        report.push_file(&bundle.display, too_large(set, limit));
    }
}

/// B4: the zip passed `limit`, naming the largest files.
pub fn too_large(set: &FileSet, limit: u64) -> Finding {
    let sizes: Vec<(String, u64)> = set.files.iter().map(|f| (f.rel.clone(), f.size)).collect();
    let top: Vec<String> = super::largest(&sizes, 5)
        .into_iter()
        .map(|(n, s)| format!("`{n}` ({})", super::human_size(s)))
        .collect();
    Rule::B4.error(
        format!(
            "the bundle is larger than {} ({limit} bytes), EB's limit; largest files: {}",
            super::human_size(limit),
            top.join(", ")
        ),
        "exclude large files with `.ebignore`",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf() {
        assert_eq!(strip_cr(b"a\r\nb\r"), b"a\nb\r");
        assert_eq!(find_crlf(b"#!/bin/sh\r\n"), Some(9));
    }
}
